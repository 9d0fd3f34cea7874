package scim

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// testSSOCustomerID enables single sign-on; the provider's schema marks it
// Sensitive, so it is kept out of logs and errors like a password.
const testSSOCustomerID = "sso-customer-7f3e9a1c"

// errProxy is a transport's own error, which must survive the masking of its
// message for errors.Is.
var errProxy = errors.New("proxy refused the request")

// quotingTransport fails every request with an error quoting the request,
// as a proxy library might.
type quotingTransport struct{}

func (quotingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	return nil, fmt.Errorf("%w: Authorization: %s; body %s", errProxy, r.Header.Get("Authorization"), body)
}

// The token, a password and the SSO customer id must never reach the Logger
// or an error string, even when the server, or a transport, echoes them back
// in bodies and error messages.
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
	newUser := func(userName string) NewUser {
		return NewUser{UserName: userName, DisplayName: "A B", Password: testPassword, SSOCustomerID: testSSOCustomerID}
	}
	create := func(c *Client, u NewUser) (User, error) {
		res, err := NewUsers(c, DirectoryOptions{}).Create(t.Context(), u)
		return res.User, err
	}
	record(create(c, newUser("a@b.c")))
	record(create(c, newUser("html@b.c")))
	record(c.GetUser(t.Context(), "u401"))
	record(c.GetUser(t.Context(), "u1"))
	if len(errs) < 3 {
		t.Fatalf("expected three failures, got %q", errs)
	}
	quoted := newTestClient(t, "http://scim.invalid/scim/v2", func(c *Config) {
		c.Logger = log
		c.HTTPClient = &http.Client{Transport: quotingTransport{}}
	})
	_, err := create(quoted, newUser("proxied@b.c"))
	if !errors.Is(err, errProxy) {
		t.Errorf("got %v, want the transport's error to match", err)
	}
	record(User{}, err)

	entries := log.all()
	everything := fmt.Sprintf("%+v\n%s", entries, strings.Join(errs, "\n"))
	for _, secret := range []string{testToken, testPassword, escapedPassword, testSSOCustomerID, "unknown secret"} {
		if strings.Contains(everything, secret) {
			t.Errorf("secret %q leaked:\n%s", secret, everything)
		}
	}

	var sawAuthorization, sawMaskedPassword, sawMaskedSSOCustomerID bool
	for _, e := range entries {
		if h, ok := e.fields["headers"].(map[string]string); ok && h["Authorization"] == masked {
			sawAuthorization = true
		}
		if b, ok := e.fields["body"].(string); ok {
			sawMaskedPassword = sawMaskedPassword || strings.Contains(b, `"password":"***"`)
			sawMaskedSSOCustomerID = sawMaskedSSOCustomerID || strings.Contains(b, `"ssoCustomerId":"***"`)
		}
	}
	if !sawAuthorization || !sawMaskedPassword || !sawMaskedSSOCustomerID {
		t.Errorf("want the masked Authorization header, password and ssoCustomerId in the trace log:\n%+v", entries)
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
		{`{"urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser":{"ssoCustomerId":"c"}}`, `{"urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser":{"ssoCustomerId":"***"}}`},
		{`{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser:ssoCustomerId","value":"c"}]}`,
			`{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser:ssoCustomerId","value":"***"}]}`},
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
