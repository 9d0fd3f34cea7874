package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Logger receives request/response logs with secrets already masked. The
// provider bridges it to tflog. Each attempt is logged at Debug (method, path
// and query, status, attempt, duration); headers and bodies at Trace.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Trace(ctx context.Context, msg string, fields map[string]any)
}

// logger makes a nil Logger a no-op so that call sites need no checks.
type logger struct{ out Logger }

func (l logger) debug(ctx context.Context, msg string, fields map[string]any) {
	if l.out != nil {
		l.out.Debug(ctx, msg, fields)
	}
}

func (l logger) trace(ctx context.Context, msg string, fields map[string]any) {
	if l.out != nil {
		l.out.Trace(ctx, msg, fields)
	}
}

// enabled lets callers skip rendering bodies nobody will read.
func (l logger) enabled() bool { return l.out != nil }

// masked replaces every secret in logs and errors.
const masked = "***"

// maxSnippet bounds the part of a body quoted in an error message.
const maxSnippet = 200

// sensitiveHeaders are masked whatever their value.
var sensitiveHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// redactor removes secrets from anything that may reach a Logger or an error.
// Servers echo requests in error details, so every server-supplied string
// passes through it, not only our own request bodies.
type redactor struct{ secrets []string }

// with returns a redactor that also masks the given secrets. Each secret is
// also masked in its JSON-escaped form, the form a password containing a
// quote or backslash takes inside a body.
func (r redactor) with(secrets ...string) redactor {
	all := append([]string(nil), r.secrets...)
	for _, s := range secrets {
		if s == "" {
			continue
		}
		all = append(all, s)
		if q := jsonEscape(s); q != s {
			all = append(all, q)
		}
	}
	return redactor{secrets: all}
}

func (r redactor) string(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, masked)
	}
	return s
}

// error returns err with secrets masked in its message. An error that holds
// none is returned as it is; one that does is wrapped, so that errors.Is and
// errors.As still reach it.
func (r redactor) error(err error) error {
	msg := err.Error()
	if safe := r.string(msg); safe != msg {
		return redactedError{msg: safe, err: err}
	}
	return err
}

// redactedError is an error whose message had secrets masked.
type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

// body renders a request or response body for a log: JSON bodies with every
// secret attribute masked (see maskSecrets), anything else as text, and known
// secrets masked in both.
func (r redactor) body(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil && !dec.More() {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if enc.Encode(maskSecrets(v)) == nil {
			b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		}
	}
	return r.string(string(b))
}

// snippet is a short single-line excerpt of a body for an error message.
func (r redactor) snippet(b []byte) string {
	// Masking again after collapsing whitespace catches a secret that only
	// appears once line breaks are folded.
	s := r.string(strings.Join(strings.Fields(r.body(b)), " "))
	if utf8.RuneCountInString(s) <= maxSnippet {
		return s
	}
	return string([]rune(s)[:maxSnippet]) + "…"
}

func (r redactor) headers(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		out[name] = r.string(strings.Join(values, ", "))
	}
	for _, name := range sensitiveHeaders {
		if _, ok := out[name]; ok {
			out[name] = masked
		}
	}
	return out
}

// secretAttributes are the SCIM attributes masked in logged bodies: the
// initial password, and the SSO customer id, which enables single sign-on
// and is as sensitive (the provider's schema marks it Sensitive).
var secretAttributes = []string{"password", "ssoCustomerId"}

// isSecretAttribute reports whether a member name or PATCH path names a
// secret attribute. A path may be qualified by its schema URN
// (urn:…:SsoUser:ssoCustomerId); names are case-insensitive, as in SCIM.
func isSecretAttribute(name string) bool {
	name = name[strings.LastIndex(name, ":")+1:]
	for _, secret := range secretAttributes {
		if strings.EqualFold(name, secret) {
			return true
		}
	}
	return false
}

// maskSecrets masks the members named by secretAttributes at any depth, and
// the value of a PATCH operation whose path names one.
func maskSecrets(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if isSecretAttribute(k) {
				v[k] = masked
			} else {
				v[k] = maskSecrets(x)
			}
		}
		if path, ok := v["path"].(string); ok && isSecretAttribute(path) {
			if _, ok := v["value"]; ok {
				v["value"] = masked
			}
		}
	case []any:
		for i, x := range v {
			v[i] = maskSecrets(x)
		}
	}
	return v
}

// jsonEscape returns s as it appears between the quotes of a JSON string.
func jsonEscape(s string) string {
	q := QuoteFilterValue(s)
	return q[1 : len(q)-1]
}
