package scim

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // "" = valid
	}{
		{"defaults", Config{Token: "t"}, ""},
		{"empty token", Config{Token: " \n"}, "token is empty"},
		{"token with a line break", Config{Token: "abc\ndef"}, "whitespace"},
		{"relative URL", Config{Token: "t", BaseURL: "webapi.teamviewer.com/scim/v2"}, "not an absolute"},
		{"bad scheme", Config{Token: "t", BaseURL: "ftp://example.com"}, "not an absolute"},
		{"query", Config{Token: "t", BaseURL: "https://example.com/scim?x=1"}, "not an absolute"},
		{"unparsable", Config{Token: "t", BaseURL: "https://exa mple.com:xx"}, "base URL"},
		{"negative retries", Config{Token: "t", MaxRetries: -1}, "MaxRetries"},
		{"negative rate", Config{Token: "t", RequestsPerSecond: -1}, "negative"},
		{"min above max", Config{Token: "t", RetryWaitMin: time.Minute}, "larger than RetryWaitMax"},
	}
	for _, tt := range tests {
		c, err := New(tt.cfg)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want == "" && c.baseURL != DefaultBaseURL:
			t.Errorf("%s: base URL %s", tt.name, c.baseURL)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestRequestHeaders(t *testing.T) {
	var seen latest[[]http.Header]
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		seen.set(append(seen.get(), r.Header.Clone()))
		writeJSON(w, http.StatusOK, userJSON(testUser, true))
	}, func(c *Config) { c.Token = "  " + testToken + "\n" })

	active := true
	if _, err := c.GetUser(t.Context(), "u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PatchUser(t.Context(), "u1", UserPatch{Active: &active}); err != nil {
		t.Fatal(err)
	}
	headers := seen.get()
	for i, h := range headers {
		if h.Get("Authorization") != "Bearer "+testToken ||
			h.Get("Accept") != "application/scim+json, application/json" ||
			h.Get("User-Agent") != "scim-test/1.0" {
			t.Errorf("request %d headers %v", i, h)
		}
	}
	if ct := headers[0].Get("Content-Type"); ct != "" {
		t.Errorf("GET has Content-Type %q", ct)
	}
	if ct := headers[1].Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("PATCH has Content-Type %q", ct)
	}
}
