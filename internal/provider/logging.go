package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

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
