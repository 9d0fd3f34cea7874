package scim

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var testUser = User{ID: "u1", UserName: "jane@example.com", DisplayName: "Jane Doe", GivenName: "Jane", FamilyName: "Doe", Active: true}

// failFirst answers the first n requests with fail and the rest with the
// test user, counting all requests.
func failFirst(n int32, fail http.HandlerFunc) (http.HandlerFunc, *atomic.Int32) {
	var calls atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= n {
			fail(w, r)
			return
		}
		writeJSON(w, http.StatusOK, userJSON(testUser, true))
	}, &calls
}

func TestRetryAfterSeconds(t *testing.T) {
	t.Parallel()
	h, calls := failFirst(1, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, `{"error":"rate_limit_reached"}`)
	})
	c := serve(t, h, nil)
	start := time.Now()
	u, err := c.GetUser(t.Context(), "u1")
	if err != nil || u != testUser {
		t.Fatalf("got %+v, %v", u, err)
	}
	// RetryWaitMax is 5ms: only Retry-After explains a wait of a second.
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("retried after %s, want at least the 1s of Retry-After", elapsed)
	}
	if calls.Load() != 2 {
		t.Errorf("%d requests, want 2", calls.Load())
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	t.Parallel()
	h, calls := failFirst(1, func(w http.ResponseWriter, r *http.Request) {
		// HTTP dates have whole seconds: +2s leaves more than 1s to wait.
		w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
		writeJSON(w, http.StatusServiceUnavailable, `{"status":"503","detail":"maintenance"}`)
	})
	c := serve(t, h, nil)
	start := time.Now()
	if _, err := c.GetUser(t.Context(), "u1"); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < 900*time.Millisecond {
		t.Errorf("retried after %s, want to wait for the Retry-After date", elapsed)
	}
	if calls.Load() != 2 {
		t.Errorf("%d requests, want 2", calls.Load())
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 0, false},
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{"Sat, 01 Mar 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0, true},
		{"99999999999999999", time.Duration(1<<63-1) / time.Second * time.Second, true},
	}
	for _, tt := range tests {
		got, ok := retryAfter(http.Header{"Retry-After": {tt.value}}, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	lo, hi := 10*time.Millisecond, 2*time.Second
	resp := func(status int, retryAfter string) *http.Response {
		return &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {retryAfter}}}
	}
	tests := []struct {
		name     string
		resp     *http.Response
		min, max time.Duration
	}{
		{"429 Retry-After honoured beyond RetryWaitMax", resp(429, "5"), 5 * time.Second, 5*time.Second + lo},
		{"503 Retry-After", resp(503, "1"), time.Second, time.Second + lo},
		{"Retry-After capped", resp(429, "3600"), maxRetryAfter, maxRetryAfter + lo},
		{"Retry-After ignored on 502", resp(502, "5"), lo, 2 * lo},
		{"unparsable Retry-After", resp(429, "later"), lo, 2 * lo},
		{"connection error", nil, lo, 2 * lo},
	}
	for _, tt := range tests {
		for range 20 {
			if got := backoff(lo, hi, 0, tt.resp); got < tt.min || got > tt.max {
				t.Errorf("%s: backoff = %s, want within [%s, %s]", tt.name, got, tt.min, tt.max)
			}
		}
	}
}

func TestFullJitter(t *testing.T) {
	lo, hi := 10*time.Millisecond, time.Second
	for attempt := range 70 {
		ceiling := hi
		if attempt < 6 {
			ceiling = lo << (attempt + 1)
		}
		seen := map[time.Duration]bool{}
		for range 50 {
			d := fullJitter(lo, hi, attempt)
			if d < lo || d > ceiling {
				t.Fatalf("attempt %d: %s outside [%s, %s]", attempt, d, lo, ceiling)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("attempt %d: no jitter", attempt)
		}
	}
	if d := fullJitter(time.Second, time.Second, 3); d != time.Second {
		t.Errorf("lo == hi: got %s", d)
	}
}

// GET and PATCH (this client's PATCHes only replace) are idempotent, so
// every temporary server error is retried; POSTs are CreateUser's to handle.
func TestRetriesServerErrorsForIdempotentRequests(t *testing.T) {
	active := true
	requests := map[string]func(c *Client) error{
		"GET": func(c *Client) error { _, err := c.GetUser(t.Context(), "u1"); return err },
		"PATCH": func(c *Client) error {
			_, err := c.PatchUser(t.Context(), "u1", UserPatch{Active: &active})
			return err
		},
	}
	for method, request := range requests {
		for _, status := range []int{500, 502, 503, 504} {
			h, calls := failFirst(2, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, status, `{"status":"`+http.StatusText(status)+`"}`)
			})
			if err := request(serve(t, h, nil)); err != nil {
				t.Fatalf("%s %d: %v", method, status, err)
			}
			if calls.Load() != 3 {
				t.Errorf("%s %d: %d requests, want 3", method, status, calls.Load())
			}
		}
	}
}

func TestNoRetryForOtherStatuses(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 501, 505} {
		h, calls := failFirst(1, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, status, `{}`)
		})
		c := serve(t, h, nil)
		_, err := c.GetUser(t.Context(), "u1")
		if e := asError(t, err); e.StatusCode != status || e.Attempts != 1 || calls.Load() != 1 {
			t.Errorf("%d: got %+v after %d requests, want one attempt", status, e, calls.Load())
		}
	}
}

func TestMaxRetriesRespected(t *testing.T) {
	h, calls := failFirst(100, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusServiceUnavailable, `{"status":"503","detail":"down for maintenance"}`)
	})
	c := serve(t, h, func(c *Config) { c.MaxRetries = 2 })
	_, err := c.GetUser(t.Context(), "u1")
	e := asError(t, err)
	if calls.Load() != 3 || e.Attempts != 3 || e.StatusCode != http.StatusServiceUnavailable || e.Detail != "down for maintenance" {
		t.Errorf("got %+v after %d requests, want 3 attempts ending in the last 503 body", e, calls.Load())
	}
	if !strings.Contains(err.Error(), "(after 3 attempts)") || !strings.Contains(e.Hint(), "TeamViewer-side") {
		t.Errorf("error %q, hint %q", err, e.Hint())
	}
}

func TestRateLimitedAfterAllRetries(t *testing.T) {
	h, calls := failFirst(100, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusTooManyRequests, `{"error":"rate_limit_reached","error_description":"slow down"}`)
	})
	c := serve(t, h, func(c *Config) { c.MaxRetries = 4 })
	_, err := c.ListUsers(t.Context(), ListOptions{})
	if !errors.Is(err, ErrRateLimited) || calls.Load() != 5 {
		t.Fatalf("got %v after %d requests, want ErrRateLimited after 5", err, calls.Load())
	}
	if e := asError(t, err); e.Description != "slow down" || !strings.Contains(e.Hint(), "max_requests_per_second") {
		t.Errorf("got %+v, hint %q", e, e.Hint())
	}
}

// refusingTransport fails the first round trips the way a refused dial does:
// before anything is sent.
type refusingTransport struct {
	refuse atomic.Int32
	next   http.RoundTripper
}

func (rt *refusingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if rt.refuse.Add(-1) >= 0 {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	return rt.next.RoundTrip(r)
}

func TestConnectionErrorsRetried(t *testing.T) {
	rt := &refusingTransport{next: http.DefaultTransport}
	rt.refuse.Store(2)
	company := newTenant(t, 0, tenantOptions{config: func(c *Config) { c.HTTPClient = &http.Client{Transport: rt} }})

	// A refused dial sent nothing, so even a POST is simply sent again:
	// no lookup, no doubt about the outcome.
	res, err := company.newUsers(DirectoryOptions{}).Create(t.Context(), NewUser{UserName: "jane@example.com", DisplayName: "Jane Doe", Active: true})
	if err != nil || res.Outcome != Created {
		t.Fatalf("got %+v, %v", res, err)
	}
	if users := company.Users(); len(users) != 1 || res.User.ID != users[0].ID || company.TotalRequests() != 1 {
		t.Errorf("got %+v; the emulator has %+v after requests %s", res.User, users, company.summary())
	}

	rt.refuse.Store(1)
	if _, err := company.client.GetUser(t.Context(), res.User.ID); err != nil {
		t.Fatal(err)
	}
}

func TestConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	c := newTestClient(t, srv.URL, func(c *Config) { c.MaxRetries = 2 })
	_, err := NewUsers(c, DirectoryOptions{}).Create(t.Context(), NewUser{UserName: "jane@example.com"})
	e := asError(t, err)
	if !errors.Is(err, syscall.ECONNREFUSED) || e.Attempts != 3 || e.StatusCode != 0 || errors.Is(err, ErrUnreachable) {
		t.Errorf("got %v (%+v), want ECONNREFUSED after 3 attempts", err, e)
	}
	if !strings.Contains(e.Hint(), "could not be reached") {
		t.Errorf("hint %q", e.Hint())
	}
}

func TestDroppedConnectionRetriedForGET(t *testing.T) {
	h, calls := failFirst(1, func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w) })
	c := serve(t, h, nil)
	if _, err := c.GetUser(t.Context(), "u1"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d requests, want 2", calls.Load())
	}
}

func TestContextCancelStopsWaiting(t *testing.T) {
	h, calls := failFirst(100, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusTooManyRequests, `{}`)
	})
	ctx, cancel := context.WithCancel(t.Context())
	log := &recordingLogger{hook: func(msg string, _ map[string]any) {
		if msg == "SCIM request will be retried" {
			cancel() // the wait of 30s begins
		}
	}}
	c := serve(t, h, func(c *Config) { c.MaxRetries = 5; c.Logger = log })
	_, err := c.GetUser(ctx, "u1")
	if !errors.Is(err, context.Canceled) || calls.Load() != 1 {
		t.Errorf("got %v after %d requests, want context.Canceled after 1", err, calls.Load())
	}
	if e := asError(t, err); e.Operation != "get user u1" || e.Hint() != "" {
		t.Errorf("got %+v, hint %q", e, e.Hint())
	}
}

func TestAttemptTimeout(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	timeout := func(c *Config) { c.RequestTimeout = 50 * time.Millisecond; c.MaxRetries = 1 }

	h, calls := failFirst(1, slow)
	c := serve(t, h, timeout)
	if _, err := c.GetUser(t.Context(), "u1"); err != nil {
		t.Fatalf("a timed-out attempt was not retried: %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d requests, want 2", calls.Load())
	}

	h, _ = failFirst(100, slow)
	c = serve(t, h, timeout)
	_, err := c.GetUser(t.Context(), "u1")
	e := asError(t, err)
	// The caller's context had no deadline: the error must not claim one.
	if errors.Is(err, context.DeadlineExceeded) || e.Attempts != 2 || !strings.Contains(err.Error(), "request timeout") {
		t.Errorf("got %v (%+v)", err, e)
	}
}

func TestRateLimiter(t *testing.T) {
	h, calls := failFirst(0, nil)
	c := serve(t, h, func(c *Config) { c.RequestsPerSecond = 20 })
	start := time.Now()
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if _, err := c.GetUser(t.Context(), "u1"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// Six requests at 20/s with a burst of one take five intervals of 50ms.
	if elapsed := time.Since(start); elapsed < 230*time.Millisecond {
		t.Errorf("6 requests took %s; the limit of 20/s was not applied", elapsed)
	}

	// A wait that would outlast the caller's deadline fails at once: the
	// limiter refuses it up front, which only its own message tells from
	// having waited for the deadline.
	slow := serve(t, h, func(c *Config) { c.RequestsPerSecond = 1.0 / 3600 })
	if _, err := slow.GetUser(t.Context(), "u1"); err != nil {
		t.Fatal(err)
	}
	before := calls.Load()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err := slow.GetUser(ctx, "u1")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no request slot before the deadline") || calls.Load() != before {
		t.Errorf("got %v after %d more requests, want the limiter's refusal", err, calls.Load()-before)
	}
	if ctx.Err() != nil {
		t.Error("the call waited for the deadline")
	}
}
