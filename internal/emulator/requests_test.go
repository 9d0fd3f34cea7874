package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestRequestAccounting(t *testing.T) {
	s, c := newTestServer(t, Options{})
	c.list(t, "filter=userName%20pr")
	u := c.createUser(t, `{"userName":"jane@example.com","password":"pw"}`)
	c.do(t, http.MethodGet, "/Users/"+u.ID, "")
	c.do(t, http.MethodPatch, "/Users/"+u.ID, patchOps(`{"op":"replace","path":"active","value":false}`))
	c.do(t, http.MethodDelete, "/Users/"+u.ID, "")
	c.do(t, http.MethodGet, "/Groups", "")
	c.withToken("wrong").do(t, http.MethodGet, "/Users", "")
	s.AddUser(User{UserName: "hook@example.com"}) // hooks are not requests
	s.Users()

	counts := []struct {
		method, route string
		want          int
	}{
		{http.MethodGet, "/Users", 2},
		{http.MethodPost, "/Users", 1},
		{http.MethodGet, "/Users/{id}", 1},
		{http.MethodPatch, "/Users/{id}", 1},
		{http.MethodDelete, "/Users/{id}", 1},
		{http.MethodGet, "/Groups", 1},
		{http.MethodPut, "/Users/{id}", 0},
	}
	for _, tt := range counts {
		if got := s.Count(tt.method, tt.route); got != tt.want {
			t.Errorf("Count(%s, %s) = %d, want %d", tt.method, tt.route, got, tt.want)
		}
	}
	if got := s.CountMethod(http.MethodGet); got != 4 {
		t.Errorf("CountMethod(GET) = %d, want 4", got)
	}
	if got := s.TotalRequests(); got != 7 {
		t.Errorf("TotalRequests() = %d, want 7", got)
	}

	requests := s.Requests()
	if len(requests) != 7 {
		t.Fatalf("Requests() has %d records, want 7", len(requests))
	}
	first, create, unauthorized := requests[0], requests[1], requests[6]
	if first.Method != http.MethodGet || first.Path != BasePath+"/Users" || first.RawQuery != "filter=userName%20pr" || first.Status != http.StatusOK {
		t.Errorf("first request recorded as %+v", first)
	}
	if string(create.Body) != `{"userName":"jane@example.com","password":"[redacted]"}` || create.Status != http.StatusCreated || create.Fault != "" {
		t.Errorf("create recorded as %+v", create)
	}
	if unauthorized.Status != http.StatusUnauthorized {
		t.Errorf("unauthorized request recorded as %+v", unauthorized)
	}

	s.ResetRequests()
	if s.TotalRequests() != 0 || len(s.Requests()) != 0 || s.Count(http.MethodGet, "/Users") != 0 ||
		s.CountMethod(http.MethodGet) != 0 || len(s.requestCounts()) != 0 {
		t.Error("ResetRequests left requests behind")
	}
}

func TestRequestLogIsBoundedButCountsStayExact(t *testing.T) {
	s, c := newTestServer(t, Options{MaxRequestRecords: 5, MaxRequestBodies: 2})
	const creates = 12
	for i := range creates {
		c.createUser(t, fmt.Sprintf(`{"userName":"user%d@example.com"}`, i))
	}
	c.list(t, "")

	if got := s.Count(http.MethodPost, "/Users"); got != creates {
		t.Errorf("Count(POST, /Users) = %d, want %d", got, creates)
	}
	if got := s.CountMethod(http.MethodPost); got != creates {
		t.Errorf("CountMethod(POST) = %d, want %d", got, creates)
	}
	if got := s.TotalRequests(); got != creates+1 {
		t.Errorf("TotalRequests() = %d, want %d", got, creates+1)
	}
	if got := s.requestCounts(); got["POST /Users"] != creates || got["GET /Users"] != 1 {
		t.Errorf("requestCounts() = %v", got)
	}
	requests := s.Requests()
	if len(requests) != 5 {
		t.Fatalf("Requests() kept %d records, want the last 5", len(requests))
	}
	// The newest records are kept: creates 8 to 11, then the list.
	for i, r := range requests[:4] {
		if want := fmt.Sprintf(`"user%d@example.com"`, creates-4+i); r.Method != http.MethodPost ||
			(i >= 3 && !strings.Contains(string(r.Body), want)) {
			t.Errorf("record %d = %+v, want the create of %s", i, r, want)
		}
	}
	if requests[4].Method != http.MethodGet {
		t.Errorf("last record = %+v, want the list", requests[4])
	}
	// Only the last two keep their bodies; a GET has none anyway.
	for i, r := range requests {
		if hasBody := len(r.Body) > 0; hasBody != (i == 3) {
			t.Errorf("record %d has body %q", i, r.Body)
		}
	}
}

func TestRequestRecordRedactsSecrets(t *testing.T) {
	s, c := newTestServer(t, Options{})
	c.createUser(t, `{"userName":"jane@example.com","password":"s3cret","`+ssoUserSchema+`":{"ssoCustomerId":"cust-42"}}`)
	body := string(s.Requests()[0].Body)
	if strings.Contains(body, "s3cret") || strings.Contains(body, "cust-42") || !strings.Contains(body, "jane@example.com") {
		t.Errorf("recorded body %s, want the secrets redacted and the rest kept", body)
	}
	// Redaction concerns the log only: the user has its create-only attributes.
	if u := s.Users()[0]; u.Password != "s3cret" || u.SSOCustomerID != "cust-42" {
		t.Errorf("stored %+v", u)
	}
}

func TestRedactBody(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"no secret keeps every byte", "{ \"userName\" : \"a@example.com\",\n \"active\":true }", "{ \"userName\" : \"a@example.com\",\n \"active\":true }"},
		{"empty", "", ""},
		{"password", `{"userName":"a@example.com","password":"pw"}`, `{"userName":"a@example.com","password":"[redacted]"}`},
		{"white space around the colon", `{"password" :  "pw" }`, `{"password" :  "[redacted]" }`},
		{"key in other case", `{"PassWord":"pw"}`, `{"PassWord":"[redacted]"}`},
		{"schema-qualified key", `{"` + userSchema + `:password":"pw"}`, `{"` + userSchema + `:password":"[redacted]"}`},
		{"escaped key", `{"pass\u0077ord":"pw"}`, `{"pass\u0077ord":"[redacted]"}`},
		{"non-string value", `{"password":{"a":["b"]},"x":1}`, `{"password":"[redacted]","x":1}`},
		{"SSO extension", `{"` + ssoUserSchema + `":{"ssoCustomerId":"c"}}`, `{"` + ssoUserSchema + `":{"ssoCustomerId":"[redacted]"}}`},
		{"SSO qualified key", `{"` + ssoUserSchema + `:ssoCustomerId":"c"}`, `{"` + ssoUserSchema + `:ssoCustomerId":"[redacted]"}`},
		{"PATCH path", `{"Operations":[{"op":"replace","path":"password","value":"pw"}]}`,
			`{"Operations":[{"op":"replace","path":"password","value":"[redacted]"}]}`},
		{"PATCH value before path", `{"Operations":[{"value":"pw","path":"Password","op":"replace"}]}`,
			`{"Operations":[{"value":"[redacted]","path":"Password","op":"replace"}]}`},
		{"PATCH SSO path", `{"Operations":[{"op":"replace","path":"` + ssoUserSchema + `:ssoCustomerId","value":"c"}]}`,
			`{"Operations":[{"op":"replace","path":"` + ssoUserSchema + `:ssoCustomerId","value":"[redacted]"}]}`},
		{"PATCH without path", `{"Operations":[{"op":"replace","value":{"active":false,"password":"pw"}}]}`,
			`{"Operations":[{"op":"replace","value":{"active":false,"password":"[redacted]"}}]}`},
		{"PATCH of another path", `{"Operations":[{"op":"replace","path":"displayName","value":"password"}]}`,
			`{"Operations":[{"op":"replace","path":"displayName","value":"password"}]}`},
		{"secret in a secret", `{"Operations":[{"path":"password","value":{"password":"pw"}}]}`,
			`{"Operations":[{"path":"password","value":"[redacted]"}]}`},
		{"malformed without secret", `{"userName":`, `{"userName":`},
		{"malformed with secret", `{"password":"pw"`, string(withheldBody)},
		{"trailing data with secret", `{} {"password":"pw"}`, string(withheldBody)},
		{"malformed with escape", `{"pass\u0077ord":"pw",`, string(withheldBody)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(redactBody([]byte(tt.body))); got != tt.want {
				t.Errorf("redactBody(%s)\n got %s\nwant %s", tt.body, got, tt.want)
			}
		})
	}
}

func TestRequestRecordKeepsUserAgent(t *testing.T) {
	s, c := newTestServer(t, Options{})
	if _, err := c.send(t.Context(), http.MethodGet, "/Users", "", http.Header{"User-Agent": {"terraform-provider-teamviewer/test"}}); err != nil {
		t.Fatal(err)
	}
	if got := s.Requests()[0].UserAgent; got != "terraform-provider-teamviewer/test" {
		t.Errorf("UserAgent = %q", got)
	}
}
