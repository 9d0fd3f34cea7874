package emulator

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRejectingFaults(t *testing.T) {
	tests := []struct {
		name           string
		faults         Faults
		wantStatus     int
		wantRetryAfter string
		wantFault      string
	}{
		{"rate limited", Faults{RateLimited: 1}, http.StatusTooManyRequests, "1", faultRateLimited},
		{"rate limited, Retry-After rounded up", Faults{RateLimited: 1, RetryAfter: 2500 * time.Millisecond}, http.StatusTooManyRequests, "3", faultRateLimited},
		{"rate limited without Retry-After", Faults{RateLimitedNoRetryAfter: 1, RetryAfter: 5 * time.Second}, http.StatusTooManyRequests, "", faultRateLimitedNoRetryAfter},
		{"unavailable", Faults{Unavailable: 1}, http.StatusServiceUnavailable, "", faultUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTestServer(t, Options{Faults: tt.faults})
			r := c.do(t, http.MethodPost, "/Users", `{"userName":"jane@example.com"}`)
			r.expectStatus(t, tt.wantStatus)
			if got := r.header.Get("Retry-After"); got != tt.wantRetryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tt.wantRetryAfter)
			}
			if tt.wantStatus == http.StatusTooManyRequests {
				if body := decode[map[string]any](t, r.body); body["error"] != "rate_limit_reached" {
					t.Errorf("body = %s, want TeamViewer's rate_limit_reached", r.body)
				}
			} else {
				r.expectSCIMError(t, tt.wantStatus, "")
			}
			if n := len(s.Users()); n != 0 {
				t.Errorf("a rejected request created %d users", n)
			}
			if got := s.Requests(); len(got) != 1 || got[0].Fault != tt.wantFault || got[0].Status != tt.wantStatus {
				t.Errorf("recorded %+v, want one request with fault %q", got, tt.wantFault)
			}
		})
	}
}

func TestFaultsPrecedeAuthorization(t *testing.T) {
	_, c := newTestServer(t, Options{Faults: Faults{RateLimited: 1}})
	c.withToken("wrong").do(t, http.MethodGet, "/Users", "").expectStatus(t, http.StatusTooManyRequests)
}

func TestDropAfterWrite(t *testing.T) {
	s, c := newTestServer(t, Options{Faults: Faults{DropAfterWrite: 1}})
	existing := s.AddUser(User{UserName: "old@example.com", Active: true})
	writes := []struct {
		method, path, body string
		check              func() bool // the write was persisted
	}{
		{http.MethodPost, "/Users", `{"userName":"jane@example.com"}`,
			func() bool { return len(s.UsersByUserName("jane@example.com")) == 1 }},
		{http.MethodPatch, "/Users/" + existing.ID, patchOps(`{"op":"replace","path":"active","value":false}`),
			func() bool { u, _ := s.User(existing.ID); return !u.Active }},
		{http.MethodPut, "/Users/" + existing.ID, `{"userName":"new@example.com"}`,
			func() bool { u, _ := s.User(existing.ID); return u.UserName == "new@example.com" }},
	}
	for _, w := range writes {
		t.Run(w.method, func(t *testing.T) {
			if _, err := c.send(t.Context(), w.method, w.path, w.body, nil); err == nil {
				t.Fatal("the client got a response, want a dropped connection")
			}
			if !w.check() {
				t.Error("the write was not persisted")
			}
			requests := s.Requests()
			if last := requests[len(requests)-1]; last.Fault != faultDrop || last.Status == 0 {
				t.Errorf("recorded %+v, want fault drop with the status that was withheld", last)
			}
		})
	}
	// Reads are never dropped.
	c.do(t, http.MethodGet, "/Users", "").expectStatus(t, http.StatusOK)
}

func TestFaultRatesAndSetFaults(t *testing.T) {
	s, c := newTestServer(t, Options{Seed: 7, Faults: Faults{RateLimited: 0.3, Unavailable: 0.2}})
	const requests = 400
	statuses := map[int]int{}
	for range requests {
		statuses[c.do(t, http.MethodGet, "/Users", "").status]++
	}
	within := func(got int, want float64) bool {
		return float64(got) > want*0.6*requests && float64(got) < want*1.4*requests
	}
	if !within(statuses[http.StatusTooManyRequests], 0.3) || !within(statuses[http.StatusServiceUnavailable], 0.2) || !within(statuses[http.StatusOK], 0.5) {
		t.Errorf("statuses %v do not match rates 0.3/0.2/0.5 over %d requests", statuses, requests)
	}

	s.SetFaults(Faults{})
	for range 20 {
		c.do(t, http.MethodGet, "/Users", "").expectStatus(t, http.StatusOK)
	}
}

func TestFaultsSpareAdminEndpoints(t *testing.T) {
	s := New(Options{Token: testToken, Faults: Faults{Unavailable: 1}})
	for _, path := range []string{AdminPath + "/users", AdminPath + "/requests"} {
		r := adminGet(t, s, path)
		if r.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, r.Code)
		}
	}
}

func TestLatency(t *testing.T) {
	const latency = 150 * time.Millisecond
	s, c := newTestServer(t, Options{Latency: latency})
	start := time.Now()
	c.do(t, http.MethodGet, "/Users", "")
	if elapsed := time.Since(start); elapsed < latency {
		t.Errorf("request took %v, want at least %v", elapsed, latency)
	}

	s.SetLatency(0)
	start = time.Now()
	c.do(t, http.MethodGet, "/Users", "")
	if elapsed := time.Since(start); elapsed >= latency {
		t.Errorf("request took %v after SetLatency(0)", elapsed)
	}
}

func TestLatencyHonoursCancellation(t *testing.T) {
	s, c := newTestServer(t, Options{Latency: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url+BasePath+"/Users", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	// The handler gives up too: the request is recorded without a status.
	for s.TotalRequests() == 0 {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the handler is still sleeping")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.Requests()[0]; got.Status != 0 || !strings.HasSuffix(got.Path, "/Users") {
		t.Errorf("recorded %+v, want status 0", got)
	}
}
