// Package provider is the Terraform side of the TeamViewer provider: schemas, plan logic and the
// mapping between Terraform values and the SCIM client's types. It speaks to TeamViewer only
// through internal/scim.
package provider

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	stdpath "path"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

const (
	// RegistryAddress is the provider's address in the Terraform Registry.
	RegistryAddress = "registry.terraform.io/teamviewer-community/teamviewer"

	envTenantURL = "TEAMVIEWER_TENANT_URL"
	envToken     = "TEAMVIEWER_TOKEN"

	defaultMaxRetries = 10
	// maxMaxRetries bounds max_retries: with backoff capped at 30 s, 100 retries already hold one
	// request for most of an hour.
	maxMaxRetries = 100
	// minRequestsPerSecond bounds max_requests_per_second from below: slower than one request a
	// second, a plan of a few hundred users would sit silent for many minutes.
	minRequestsPerSecond = 1

	// scriptTokenHelp tells people where a token comes from; every token error ends with it.
	scriptTokenHelp = "Create a script token in the TeamViewer Management Console (Edit profile > Apps > " +
		"Create script token) with the user management permissions (view, create and edit users), then set " +
		"the provider's \"token\" attribute or the " + envToken + " environment variable."
)

var (
	_ provider.Provider                  = (*teamViewerProvider)(nil)
	_ provider.ProviderWithListResources = (*teamViewerProvider)(nil)
)

// New returns the provider factory for the given version ("dev" for local builds, "test" in tests).
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &teamViewerProvider{version: version}
	}
}

type teamViewerProvider struct {
	version string
}

type providerModel struct {
	TenantURL            types.String  `tfsdk:"tenant_url"`
	Token                types.String  `tfsdk:"token"`
	MaxRetries           types.Int64   `tfsdk:"max_retries"`
	RequestTimeout       types.String  `tfsdk:"request_timeout"`
	MaxRequestsPerSecond types.Float64 `tfsdk:"max_requests_per_second"`
	BulkRefresh          types.Bool    `tfsdk:"bulk_refresh"`
}

// providerData is what Configure hands to every resource and data source: one door per kind of
// TeamViewer object, whose reads and writes keep the run's view of the company right by
// themselves. Terraform configures the provider for each walk of its graph (plan, apply), so that
// view is never older than the walk that reads it.
type providerData struct {
	users  *scim.Users
	groups *scim.Groups
}

func (p *teamViewerProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "teamviewer"
	resp.Version = p.version
}

func (p *teamViewerProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages TeamViewer users through TeamViewer's SCIM 2.0 API, the same API that " +
			"Entra ID and Okta provisioning use. Requires a TeamViewer Tensor licence and a script token with " +
			"user management permissions.",
		Attributes: map[string]schema.Attribute{
			"tenant_url": schema.StringAttribute{
				MarkdownDescription: "Base URL of TeamViewer's SCIM API, without `/Users`. Defaults to `" + scim.DefaultBaseURL +
					"`, or the `" + envTenantURL + "` environment variable; set but empty is an error, so that an " +
					"empty variable never sends a token meant for a test setup to TeamViewer. Must use `https`; " +
					"plain `http` is accepted only for loopback hosts (`localhost`, `127.0.0.0/8`, `::1`), for " +
					"testing against a local emulator.",
				Optional: true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "TeamViewer script token with the user management permissions (view, " +
					"create and edit users). Create it in the TeamViewer Management Console under Edit profile > " +
					"Apps > Create script token. Can also be set with the `" + envToken + "` environment variable, " +
					"which works on every CLI and keeps it out of plan files. Passed through an input variable, " +
					"declare that variable `ephemeral = true` (Terraform 1.10, OpenTofu 1.11 and later): Terraform " +
					"saves the values of other input variables in plan files. Never written to logs or state by " +
					"the provider.",
				Optional:  true,
				Sensitive: true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a rate limit "+
					"(HTTP 429), a server error (5xx) or a connection error, with "+
					"exponential backoff and jitter that honours `Retry-After`. From 1 to %d; defaults to %d.",
					maxMaxRetries, defaultMaxRetries),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, maxMaxRetries)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one attempt of a request may take, as a Go duration from `1s` to " +
					fmt.Sprintf("`10m`, such as `30s` or `2m`. Defaults to `%gs`.", scim.DefaultRequestTimeout.Seconds()),
				Optional:   true,
				Validators: []validator.String{requestTimeoutRange()},
			},
			"max_requests_per_second": schema.Float64Attribute{
				MarkdownDescription: fmt.Sprintf("Most requests per second, shared by all resources and data sources of "+
					"this provider instance; at least %d. The provider paces itself: when TeamViewer answers HTTP 429, "+
					"every request of this provider instance slows down together, and the rate climbs back while "+
					"TeamViewer keeps up, never above this value. Unset means no ceiling: requests go unpaced until "+
					"the first 429. Set it to stay below TeamViewer's limit from the first request.", minRequestsPerSecond),
				Optional:   true,
				Validators: []validator.Float64{float64validator.AtLeast(minRequestsPerSecond)},
			},
			"bulk_refresh": schema.BoolAttribute{
				MarkdownDescription: "Serve the reads of a run that reads many users, as a plan of many " +
					"`teamviewer_user` resources does, from one paginated listing of the company's users (1,000 per " +
					"request) once single reads would cost more: the provider learns the company's size with one " +
					"small request, and lists only when the reads made so far have cost as many requests as the " +
					"listing will. A few users in a large company keep one request each. A user missing from the " +
					"listing is still checked on its own. Defaults to `true`; set `false` to read every user with " +
					"its own request.",
				Optional: true,
			},
		},
	}
}

func (p *teamViewerProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	settings := []struct {
		attribute string
		value     interface{ IsUnknown() bool }
	}{
		{"tenant_url", config.TenantURL}, {"token", config.Token}, {"max_retries", config.MaxRetries},
		{"request_timeout", config.RequestTimeout}, {"max_requests_per_second", config.MaxRequestsPerSecond},
		{"bulk_refresh", config.BulkRefresh},
	}
	for _, setting := range settings {
		if setting.value.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(setting.attribute), "Unknown TeamViewer provider setting",
				fmt.Sprintf("The provider cannot connect to TeamViewer while %q is unknown. Set it to a value "+
					"known at plan time, or use the provider's environment variables.", setting.attribute))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	tenantURL, tenantSource := setting(config.TenantURL, "tenant_url", envTenantURL)
	switch {
	case tenantSource == "":
		tenantURL = scim.DefaultBaseURL
	case tenantURL == "":
		// An empty variable must not quietly mean production: a token meant for a test setup would
		// go to TeamViewer.
		resp.Diagnostics.AddAttributeError(path.Root("tenant_url"), "Empty TeamViewer tenant URL", fmt.Sprintf(
			"%s is set but empty. Set it to your tenant URL, or leave it unset for TeamViewer's %s.", tenantSource, scim.DefaultBaseURL))
	default:
		if err := validateTenantURL(tenantURL); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("tenant_url"), "Invalid TeamViewer tenant URL",
				fmt.Sprintf("%s: %v", tenantSource, err))
		}
	}
	// Trimmed here so that the client and the log masks see the same token: a token pasted from a
	// file often ends with a newline.
	token, tokenSource := setting(config.Token, "token", envToken)
	switch {
	case token == "":
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Missing TeamViewer script token",
			"The provider needs a TeamViewer script token and found none. "+scriptTokenHelp)
	case strings.ContainsFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Invalid TeamViewer script token", fmt.Sprintf(
			"%s contains white space or control characters inside it, which a script token never does: it was "+
				"probably pasted with a line break or copied together with other text. %s", tokenSource, scriptTokenHelp))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	requestTimeout := scim.DefaultRequestTimeout
	if !config.RequestTimeout.IsNull() {
		// Already checked by the attribute's validator.
		requestTimeout, _ = time.ParseDuration(config.RequestTimeout.ValueString())
	}
	maxRetries := defaultMaxRetries
	if !config.MaxRetries.IsNull() {
		maxRetries = int(config.MaxRetries.ValueInt64())
	}

	client, err := scim.New(scim.Config{
		BaseURL:           tenantURL,
		Token:             token,
		UserAgent:         userAgent(p.version, req.TerraformVersion),
		MaxRetries:        maxRetries,
		RequestTimeout:    requestTimeout,
		RequestsPerSecond: config.MaxRequestsPerSecond.ValueFloat64(),
		Logger:            scimLoggerFor(token),
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to create the TeamViewer SCIM client", err.Error())
		return
	}
	tflog.Debug(ctx, "configured TeamViewer SCIM client", map[string]any{"tenant_url": tenantURL})

	directory := scim.DirectoryOptions{Disabled: !config.BulkRefresh.IsNull() && !config.BulkRefresh.ValueBool()}
	data := &providerData{
		users:  scim.NewUsers(client, directory),
		groups: scim.NewGroups(client, directory),
	}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

func (p *teamViewerProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newUserResource, newUserGroupResource, newUserGroupMemberResource}
}

func (p *teamViewerProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{newUserListResource, newUserGroupListResource}
}

func (p *teamViewerProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newUserDataSource, newUsersDataSource, newUserGroupDataSource}
}

// setting returns a string setting, trimmed of surrounding white space, from the attribute or else
// from the environment variable env, with where it came from for error messages: "" when it is in
// neither. A setting that is present but empty stays "" with its source, so that callers can tell
// it from an unset one.
func setting(configured types.String, attribute, env string) (value, source string) {
	if !configured.IsNull() {
		return strings.TrimSpace(configured.ValueString()), fmt.Sprintf("The provider's %q", attribute)
	}
	if v, ok := os.LookupEnv(env); ok {
		return strings.TrimSpace(v), "The environment variable " + env
	}
	return "", ""
}

// validateTenantURL insists on https so the token never crosses a network in clear text; a loopback
// host may use http, which is what a local emulator serves.
func validateTenantURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL; expected something like %q", raw, scim.DefaultBaseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q has a query or fragment; the tenant URL is a base such as %q", raw, scim.DefaultBaseURL)
	}
	if last := stdpath.Base(strings.TrimRight(u.Path, "/")); strings.EqualFold(last, "Users") || strings.EqualFold(last, "Groups") {
		return fmt.Errorf("%q ends with the %s endpoint; the tenant URL is the SCIM base without it, such as %q",
			raw, last, scim.DefaultBaseURL)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q uses http, which would send the script token unencrypted; use https "+
			"(plain http is allowed only for loopback hosts such as 127.0.0.1 or localhost)", raw)
	default:
		return fmt.Errorf("%q has scheme %q; the tenant URL must use https", raw, u.Scheme)
	}
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// userAgent names the provider and the CLI's version (OpenTofu reports a Terraform-compatible one).
func userAgent(providerVersion, terraformVersion string) string {
	if terraformVersion == "" {
		terraformVersion = "unknown"
	}
	return fmt.Sprintf("terraform-provider-teamviewer/%s Terraform/%s", providerVersion, terraformVersion)
}
