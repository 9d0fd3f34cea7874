package scim

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The token and a password must never reach the Logger or an error string,
// even when the server echoes them back in bodies and error messages.
func TestSecretsNeverLeak(t *testing.T) {
	escapedPassword := jsonEscape(testPassword)
	log := &recordingLogger{}
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.Method == http.MethodPost && strings.Contains(string(body), "html@"):
			// A crashing proxy dumping the request it choked on.
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = fmt.Fprintf(w, "<pre>Authorization: Bearer %s\n%s</pre>", testToken, body)
		case r.Method == http.MethodPost:
			writeJSON(w, http.StatusBadRequest, fmt.Sprintf(
				`{"status":"400","scimType":"invalidValue","detail":"rejected password %s for token %s"}`, escapedPassword, testToken))
		case r.URL.Path == basePath+"/Users":
			writeJSON(w, http.StatusOK, `{"totalResults":0,"Resources":[]}`)
		case strings.HasSuffix(r.URL.Path, "/u401"):
			writeJSON(w, http.StatusUnauthorized, `{"error":"invalid_token","error_description":"token `+testToken+` is invalid"}`)
		default:
			writeJSON(w, http.StatusOK, `{"id":"u1","userName":"a@b.c","password":"unknown secret","note":"`+testToken+`"}`)
		}
	}, func(c *Config) { c.Logger = log })

	var errs []string
	record := func(_ User, err error) {
		if err == nil {
			return
		}
		errs = append(errs, err.Error())
		if e := asError(t, err); e.Hint() != "" {
			errs = append(errs, e.Hint())
		}
	}
	record(c.CreateUser(t.Context(), NewUser{UserName: "a@b.c", DisplayName: "A B", Password: testPassword}))
	record(c.CreateUser(t.Context(), NewUser{UserName: "html@b.c", DisplayName: "A B", Password: testPassword}))
	record(c.GetUser(t.Context(), "u401"))
	record(c.GetUser(t.Context(), "u1"))
	if len(errs) < 3 {
		t.Fatalf("expected three failures, got %q", errs)
	}

	entries := log.all()
	everything := fmt.Sprintf("%+v\n%s", entries, strings.Join(errs, "\n"))
	for _, secret := range []string{testToken, testPassword, escapedPassword, "unknown secret"} {
		if strings.Contains(everything, secret) {
			t.Errorf("secret %q leaked:\n%s", secret, everything)
		}
	}

	var sawAuthorization, sawMaskedPassword bool
	for _, e := range entries {
		if h, ok := e.fields["headers"].(map[string]string); ok && h["Authorization"] == masked {
			sawAuthorization = true
		}
		if b, ok := e.fields["body"].(string); ok && strings.Contains(b, `"password":"***"`) {
			sawMaskedPassword = true
		}
	}
	if !sawAuthorization || !sawMaskedPassword {
		t.Errorf("want the masked Authorization header and password in the trace log:\n%+v", entries)
	}
}

func TestDebugLogPerAttempt(t *testing.T) {
	h, _ := failFirst(1, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusServiceUnavailable, `{}`)
	})
	log := &recordingLogger{}
	c := serve(t, h, func(c *Config) { c.Logger = log })
	if _, err := c.GetUser(t.Context(), "u1"); err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, e := range log.all() {
		if e.level != "debug" || e.msg != "SCIM response" {
			continue
		}
		f := e.fields
		if f["method"] != "GET" || f["path"] != basePath+"/Users/u1" || f["operation"] != "get user u1" {
			t.Errorf("fields %+v", f)
		}
		if _, ok := f["duration_ms"].(int64); !ok {
			t.Errorf("no duration in %+v", f)
		}
		statuses = append(statuses, fmt.Sprint(f["attempt"], ":", f["status"]))
	}
	if got := strings.Join(statuses, " "); got != "1:503 2:200" {
		t.Errorf("attempts logged: %s", got)
	}
}

func TestRedactorBody(t *testing.T) {
	r := redactor{}.with("tok")
	tests := []struct{ in, want string }{
		{`{"userName":"a","password":"x","nested":[{"Password":"y"}]}`, `{"nested":[{"Password":"***"}],"password":"***","userName":"a"}`},
		{`{"Operations":[{"op":"replace","path":"password","value":"x"}]}`, `{"Operations":[{"op":"replace","path":"password","value":"***"}]}`},
		{`{"n":12345678901234567890,"s":"a<b"}`, `{"n":12345678901234567890,"s":"a<b"}`},
		{`not json tok`, `not json ***`},
		{``, ``},
	}
	for _, tt := range tests {
		if got := r.body([]byte(tt.in)); got != tt.want {
			t.Errorf("body(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
