// Command terraform-provider-teamviewer is the Terraform provider for TeamViewer users,
// managed through TeamViewer's SCIM 2.0 API.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=1.2.3"; "dev" marks a local build.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	provider.QuietUnlessLogging()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.RegistryAddress,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
