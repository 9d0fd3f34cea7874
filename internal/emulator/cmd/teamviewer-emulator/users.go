package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

func runUsers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("users", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("url", "http://127.0.0.1:8417", "`address` of the emulator")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	users, err := emulator.FetchAdminUsers(ctx, *baseURL)
	if err != nil {
		return err
	}
	counts, err := emulator.FetchRequestCounts(ctx, *baseURL)
	if err != nil {
		return err
	}
	return printUsers(stdout, users, counts)
}

// printUsers writes the users as an aligned table, then the request counts
// by method.
func printUsers(w io.Writer, users []emulator.AdminUser, counts map[string]int) error {
	table := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if _, err := fmt.Fprintln(table, "ID\tUSERNAME\tDISPLAYNAME\tGIVEN\tFAMILY\tACTIVE"); err != nil {
		return err
	}
	for _, u := range users {
		if _, err := fmt.Fprintf(table, "%s\t%s\t%s\t%s\t%s\t%t\n",
			u.ID, u.UserName, cell(&u.DisplayName), cell(u.GivenName), cell(u.FamilyName), u.Active); err != nil {
			return err
		}
	}
	if err := table.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "requests: %s\n", summarizeRequests(counts))
	return err
}

// cell shows a string attribute so that "" and null stay distinguishable.
func cell(s *string) string {
	switch {
	case s == nil:
		return "null"
	case *s == "":
		return `""`
	}
	return *s
}

// summarizeRequests turns counts by "METHOD route" into counts by method,
// such as "GET 3, POST 1 (total 4)".
func summarizeRequests(counts map[string]int) string {
	byMethod := map[string]int{}
	total := 0
	for key, n := range counts {
		method, _, _ := strings.Cut(key, " ")
		byMethod[method] += n
		total += n
	}
	if total == 0 {
		return "none"
	}
	parts := make([]string, 0, len(byMethod))
	for _, method := range slices.Sorted(maps.Keys(byMethod)) {
		parts = append(parts, method+" "+strconv.Itoa(byMethod[method]))
	}
	return fmt.Sprintf("%s (total %d)", strings.Join(parts, ", "), total)
}
