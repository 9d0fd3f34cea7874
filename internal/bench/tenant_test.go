package bench

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

func TestTenantCountsRequestsAndResets(t *testing.T) {
	tn, err := startTenant(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tn.Close() })
	if !strings.HasPrefix(tn.URL, "http://127.0.0.1:") || !strings.HasSuffix(tn.URL, emulator.BasePath) {
		t.Errorf("URL = %q, want the SCIM base on loopback", tn.URL)
	}
	user := tn.Emulator().AddUsers(1, userNameFormat)[0]
	send := func(method, path string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, tn.URL+path, strings.NewReader(`{"active":false}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tn.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	send(http.MethodGet, "/Users")
	send(http.MethodGet, "/Users/"+user.ID)
	send(http.MethodDelete, "/Users/"+user.ID)
	send(http.MethodGet, "/Groups")
	want := Requests{List: 1, Get: 1, Delete: 1, Other: 1}
	if got := tn.Requests(); got != want {
		t.Errorf("Requests() = %+v, want %+v", got, want)
	}
	if got := tn.ListedUsers(); got != 1 {
		t.Errorf("ListedUsers() = %d, want 1", got)
	}

	tn.Reset(30 * time.Millisecond)
	if got := tn.Requests(); got != (Requests{}) || len(tn.Emulator().Users()) != 0 {
		t.Errorf("after Reset: requests %+v, %d users", got, len(tn.Emulator().Users()))
	}
	start := time.Now()
	send(http.MethodGet, "/Users")
	if elapsed := time.Since(start); elapsed < 30*time.Millisecond {
		t.Errorf("a request took %v, want the latency of the new tenant", elapsed)
	}
}

func TestListedUsers(t *testing.T) {
	list := func(query string, status int) emulator.RequestRecord {
		return emulator.RequestRecord{Method: http.MethodGet, Path: emulator.BasePath + "/Users", RawQuery: query, Status: status}
	}
	requests := []emulator.RequestRecord{
		list("startIndex=1&count=1000", 200),    // 1,000
		list("startIndex=1001&count=1000", 200), // 1,000
		list("startIndex=2001&count=1000", 200), // the last 500
		list("startIndex=3001&count=1000", 200), // past the end: none
		list("", 200),                           // no count: all 2,500
		list("count=0", 200),                    // none
		list(`filter=userName+eq+"a"`, 200),     // filtered: not counted
		list("count=10", 429),                   // rejected: nothing returned
		{Method: http.MethodGet, Path: emulator.BasePath + "/Users/u1", Status: 200},
	}
	if got := listedUsers(requests, 2500); got != 5000 {
		t.Errorf("listedUsers = %d, want 5000", got)
	}
}
