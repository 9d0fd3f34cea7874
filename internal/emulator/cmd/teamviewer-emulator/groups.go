package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

func runGroups(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("groups", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("url", "http://127.0.0.1:8417", "`address` of the emulator")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	groups, err := emulator.FetchAdminGroups(ctx, *baseURL)
	if err != nil {
		return err
	}
	return printGroups(stdout, groups)
}

// printGroups writes the groups as an aligned table with their member
// counts; the members themselves would not fit a line.
func printGroups(w io.Writer, groups []emulator.AdminGroup) error {
	table := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if _, err := fmt.Fprintln(table, "ID\tDISPLAYNAME\tEXTERNALID\tMEMBERS"); err != nil {
		return err
	}
	for _, g := range groups {
		externalID := g.ExternalID
		if externalID == "" {
			externalID = "-"
		}
		if _, err := fmt.Fprintf(table, "%s\t%s\t%s\t%d\n", g.ID, g.DisplayName, externalID, len(g.Members)); err != nil {
			return err
		}
	}
	return table.Flush()
}
