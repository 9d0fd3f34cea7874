package provider

import (
	"context"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/scim"
)

// QuietUnlessLogging turns off the provider process's logs when nobody asked for any: no TF_LOG
// variable set (TF_LOG, TF_LOG_PROVIDER, TF_LOG_PATH, TF_LOG_PROVIDER_SCIM, …) but to "off". The
// framework logs at TRACE whatever the CLI's level, and the CLI decodes every line before it
// drops it: about 70 lines per resource and command, 30% of the CPU time of a no-change plan of
// 1,000 users. Terraform shows a provider's logs only when TF_LOG or TF_LOG_PROVIDER is set, and
// OpenTofu likewise, so the lines turned off here are lines no one would have seen. main calls
// it before serving; it sets the level variables the framework reads for each request.
func QuietUnlessLogging() {
	if logsWanted(os.Environ()) {
		return
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER"} {
		_ = os.Setenv(name, "OFF") // cannot fail for these names
	}
}

// logsWanted reports whether environ asks for logs: a TF_LOG variable, or TF_ACC_LOG_PATH for
// acceptance tests, set to anything but empty or "off".
func logsWanted(environ []string) bool {
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if (strings.HasPrefix(name, "TF_LOG") || name == "TF_ACC_LOG_PATH") && value != "" && !strings.EqualFold(value, "off") {
			return true
		}
	}
	return false
}

// scimLoggerFor is the SCIM client's logger, or none when no log is wanted: the client then does
// not build the masked request and response bodies it would log.
func scimLoggerFor(token string) scim.Logger {
	if !logsWanted(os.Environ()) {
		return nil
	}
	return newSCIMLogger(token)
}

// scimSubsystem is the tflog subsystem of every HTTP exchange with TeamViewer, so TF_LOG_PROVIDER_SCIM
// can turn request logs up or down on their own.
const scimSubsystem = "scim"

// scimLogger bridges the SCIM client's logging hook to tflog. The client masks the token, the
// Authorization header and the secret attributes it knows (password, ssoCustomerId) in the
// messages and fields it logs; the masks set here are a second guard for the token and for fields
// under those key names, not a promise about values the client has never seen.
type scimLogger struct {
	token string
}

func newSCIMLogger(token string) scimLogger {
	return scimLogger{token: token}
}

func (l scimLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemDebug(l.subsystem(ctx), scimSubsystem, msg, fields)
}

func (l scimLogger) Trace(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemTrace(l.subsystem(ctx), scimSubsystem, msg, fields)
}

// subsystem attaches the masked subsystem to the request's context: tflog keeps loggers in the
// context, and each Terraform RPC arrives with a fresh one.
func (l scimLogger) subsystem(ctx context.Context) context.Context {
	// The level comes from TF_LOG_PROVIDER_SCIM when it is set, else from the provider's own level.
	ctx = tflog.NewSubsystem(ctx, scimSubsystem, tflog.WithLevelFromEnv("TF_LOG_PROVIDER", "SCIM"))
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, scimSubsystem, "Authorization", "authorization", "password", "token")
	if l.token != "" {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, scimSubsystem, l.token)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, scimSubsystem, l.token)
	}
	return ctx
}
