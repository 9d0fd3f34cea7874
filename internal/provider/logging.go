package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// scimSubsystem is the tflog subsystem of every HTTP exchange with TeamViewer, so TF_LOG_PROVIDER_SCIM
// can turn request logs up or down on their own.
const scimSubsystem = "scim"

// scimLogger bridges the SCIM client's logging hook to tflog. The client already masks secrets;
// masking the token and the sensitive keys here as well means no code path can leak them.
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
	ctx = tflog.NewSubsystem(ctx, scimSubsystem)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, scimSubsystem, "Authorization", "authorization", "password", "token")
	if l.token != "" {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, scimSubsystem, l.token)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, scimSubsystem, l.token)
	}
	return ctx
}
