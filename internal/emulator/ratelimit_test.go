package emulator

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	clock := newFakeClock()
	s, c := newTestServer(t, Options{RateLimit: RateLimit{PerSecond: 2, Burst: 3}, Now: clock.Now})
	expect := func(want ...int) {
		t.Helper()
		for i, status := range want {
			r := c.do(t, http.MethodGet, "/Users", "")
			if r.status != status {
				t.Fatalf("request %d: status %d, want %d", i, r.status, status)
			}
			if status != http.StatusTooManyRequests {
				continue
			}
			if got := r.header.Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After = %q, want 1", got)
			}
			if body := decode[map[string]any](t, r.body); body["error"] != "rate_limit_reached" {
				t.Errorf("body = %s, want TeamViewer's rate_limit_reached", r.body)
			}
		}
	}
	ok, limited := http.StatusOK, http.StatusTooManyRequests

	expect(ok, ok, ok, limited) // the bucket starts full
	clock.Advance(499 * time.Millisecond)
	expect(limited)
	clock.Advance(time.Millisecond) // one token after half a second
	expect(ok, limited)
	clock.Advance(time.Hour) // refills to the burst, no further
	expect(ok, ok, ok, limited)

	requests := s.Requests()
	if last := requests[len(requests)-1]; last.Fault != FaultRateLimitExceeded || last.Status != limited {
		t.Errorf("recorded %+v, want fault %s", last, FaultRateLimitExceeded)
	}
	// Refused requests take no token, and are counted like any other.
	if got := s.TotalRequests(); got != 11 {
		t.Errorf("TotalRequests() = %d, want 11", got)
	}

	s.SetRateLimit(RateLimit{})
	for range 10 {
		expect(ok)
	}
	s.SetRateLimit(RateLimit{PerSecond: 1}) // Burst 0 means 1, and the bucket starts full
	expect(ok, limited)
}

func TestRateLimitRetryAfterCountsToTheNextToken(t *testing.T) {
	clock := newFakeClock()
	_, c := newTestServer(t, Options{RateLimit: RateLimit{PerSecond: 0.25}, Now: clock.Now})
	c.do(t, http.MethodGet, "/Users", "").expectStatus(t, http.StatusOK)
	clock.Advance(time.Second)
	r := c.do(t, http.MethodGet, "/Users", "")
	r.expectStatus(t, http.StatusTooManyRequests)
	if got := r.header.Get("Retry-After"); got != "3" {
		t.Errorf("Retry-After = %q, want 3 (a token every 4 s, 1 s gone)", got)
	}
}

func TestRateLimitPrecedesAuthorizationAndFaults(t *testing.T) {
	_, c := newTestServer(t, Options{RateLimit: RateLimit{PerSecond: 1}, Now: newFakeClock().Now, Faults: Faults{Unavailable: 1}})
	c.withToken("wrong").do(t, http.MethodGet, "/Users", "").expectStatus(t, http.StatusServiceUnavailable)
	c.withToken("wrong").do(t, http.MethodGet, "/Users", "").expectStatus(t, http.StatusTooManyRequests)
}

func TestRateLimitUnderConcurrency(t *testing.T) {
	const burst, clients = 10, 50
	s, c := newTestServer(t, Options{RateLimit: RateLimit{PerSecond: 1, Burst: burst}, Now: newFakeClock().Now})
	var wg sync.WaitGroup
	statuses := make([]int, clients)
	for i := range clients {
		wg.Go(func() {
			r, err := c.send(t.Context(), http.MethodGet, "/Users", "", nil)
			if err != nil {
				t.Error(err)
			}
			statuses[i] = r.status
		})
	}
	wg.Wait()
	served := 0
	for _, status := range statuses {
		if status == http.StatusOK {
			served++
		}
	}
	if served != burst || s.TotalRequests() != clients {
		t.Errorf("%d of %d requests served, want exactly the burst of %d", served, s.TotalRequests(), burst)
	}
}

func TestTokenBucketIgnoresAClockThatStepsBack(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := tokenBucket{limit: RateLimit{PerSecond: 1}}
	if ok, _ := b.take(start); !ok {
		t.Fatal("a full bucket refused")
	}
	if ok, _ := b.take(start.Add(-time.Hour)); ok {
		t.Error("stepping back refilled the bucket")
	}
	if ok, wait := b.take(start.Add(500 * time.Millisecond)); ok || wait != 500*time.Millisecond {
		t.Errorf("take = %v, %v; want a refusal for 500ms", ok, wait)
	}
	if ok, _ := b.take(start.Add(time.Second)); !ok {
		t.Error("no token after a second")
	}
}
