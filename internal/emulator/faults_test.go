package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
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
		{"rate limited", Faults{RateLimited: 1}, http.StatusTooManyRequests, "1", FaultRateLimited},
		{"rate limited, Retry-After rounded up", Faults{RateLimited: 1, RetryAfter: 2500 * time.Millisecond}, http.StatusTooManyRequests, "3", FaultRateLimited},
		{"rate limited without Retry-After", Faults{RateLimitedNoRetryAfter: 1, RetryAfter: 5 * time.Second}, http.StatusTooManyRequests, "", FaultRateLimitedNoRetryAfter},
		{"unavailable", Faults{Unavailable: 1}, http.StatusServiceUnavailable, "", FaultUnavailable},
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
			if last := requests[len(requests)-1]; last.Fault != FaultDrop || last.Status == 0 {
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

// The latency is checked in a synctest bubble, whose clock is fake and jumps
// only when every goroutine in it waits: the test sees the handler in the
// middle of its latency without waiting for it for real, and bounds nothing
// by the wall clock, so a loaded machine cannot make it flake.
func TestLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = 150 * time.Millisecond
		s := New(Options{Token: testToken, Latency: latency})
		rec, done := serveInBackground(s, createRequest(t.Context()))
		time.Sleep(latency - time.Nanosecond)
		synctest.Wait() // the handler is blocked, or done
		if isClosed(done) {
			t.Fatal("answered before the latency was over")
		}
		if n := len(s.Users()); n != 0 || s.TotalRequests() != 0 {
			t.Fatalf("%d users, %d requests recorded before the latency was over; want the request not handled yet", n, s.TotalRequests())
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if !isClosed(done) {
			t.Error("not answered once the latency was over")
			<-done // leave no goroutine behind in the bubble
			return
		}
		if rec.Code != http.StatusCreated || len(s.UsersByUserName("jane@example.com")) != 1 {
			t.Fatalf("status %d, users %+v; want the create carried out after the latency", rec.Code, s.Users())
		}
		if got := s.Requests()[0]; got.End.Sub(got.Start) != latency {
			t.Errorf("recorded %v from start to end, want the latency %v", got.End.Sub(got.Start), latency)
		}

		// Without latency the answer comes while the bubble's clock stands still.
		s.SetLatency(0)
		req := httptest.NewRequest(http.MethodGet, BasePath+"/Users", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		rec, done = serveInBackground(s, req)
		synctest.Wait()
		if !isClosed(done) {
			t.Error("the handler waits after SetLatency(0)")
			<-done
			return
		}
		if rec.Code != http.StatusOK {
			t.Errorf("status %d after SetLatency(0)", rec.Code)
		}
		if got := s.Requests()[1]; !got.End.Equal(got.Start) {
			t.Errorf("recorded %v from start to end after SetLatency(0), want none", got.End.Sub(got.Start))
		}
	})
}

// A client that goes away during the latency gets no work done: the handler
// stops waiting at once, records the request without a status, answers
// nothing and carries out nothing, then or later. The bubble's clock would
// jump a minute ahead if the handler kept sleeping, so a handler that ignored
// the cancellation is caught by synctest.Wait, not by a timeout.
func TestLatencyHonoursCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const latency = time.Minute
		s := New(Options{Token: testToken, Latency: latency})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		rec, done := serveInBackground(s, createRequest(ctx))
		synctest.Wait() // the handler is in its latency
		if isClosed(done) || s.TotalRequests() != 0 {
			t.Fatal("the handler did not wait for the latency")
		}
		cancel() // as net/http does when the client's connection goes away
		synctest.Wait()
		if !isClosed(done) {
			t.Error("the handler is still sleeping after its client went away")
			<-done // the bubble's clock jumps to the end of the latency
			return
		}
		if got := s.Requests(); len(got) != 1 || got[0].Status != 0 || !strings.HasSuffix(got[0].Path, "/Users") || !got[0].End.Equal(got[0].Start) {
			t.Errorf("recorded %+v, want one request with status 0 that ended as it began", got)
		}
		if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
			t.Errorf("answered %d %v %q, want nothing written", rec.Code, rec.Header(), rec.Body)
		}
		time.Sleep(2 * latency) // past when the create would have run
		synctest.Wait()
		if n := len(s.Users()); n != 0 {
			t.Errorf("%d users, want the abandoned create never carried out", n)
		}
	})
}

// createRequest is a create of jane@example.com that ends with ctx.
func createRequest(ctx context.Context) *http.Request {
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, BasePath+"/Users", strings.NewReader(`{"userName":"jane@example.com"}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/scim+json")
	return req
}

// serveInBackground has s answer req in memory in a new goroutine, and
// returns the recorder and a channel closed once the answer is complete.
func serveInBackground(s *Server, req *http.Request) (*httptest.ResponseRecorder, <-chan struct{}) {
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ServeHTTP(rec, req)
	}()
	return rec, done
}

func isClosed(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

func TestCommitThenBadGateway(t *testing.T) {
	s, c := newTestServer(t, Options{Faults: Faults{CommitThenBadGateway: 1}})
	existing := s.AddUser(User{UserName: "old@example.com", Active: true})
	writes := []struct {
		method, path, body string
		wantStatus         int         // withheld from the client
		check              func() bool // the write was persisted
	}{
		{http.MethodPost, "/Users", `{"userName":"jane@example.com"}`, http.StatusCreated,
			func() bool { return len(s.UsersByUserName("jane@example.com")) == 1 }},
		{http.MethodPatch, "/Users/" + existing.ID, patchOps(`{"op":"replace","path":"active","value":false}`), http.StatusOK,
			func() bool { u, _ := s.User(existing.ID); return !u.Active }},
		{http.MethodPut, "/Users/" + existing.ID, `{"userName":"new@example.com"}`, http.StatusOK,
			func() bool { u, _ := s.User(existing.ID); return u.UserName == "new@example.com" }},
		// A write the backend refused is still a 502: the gateway lost whatever it was.
		{http.MethodPost, "/Users", `{"userName":"jane@example.com"}`, http.StatusConflict,
			func() bool { return len(s.UsersByUserName("jane@example.com")) == 1 }},
	}
	for _, w := range writes {
		t.Run(w.method, func(t *testing.T) {
			r := c.do(t, w.method, w.path, w.body)
			r.expectStatus(t, http.StatusBadGateway)
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(r.body), "502 Bad Gateway") {
				t.Errorf("Content-Type %q, body %s; want a gateway's HTML page", ct, r.body)
			}
			if !w.check() {
				t.Error("the write was not carried out")
			}
			requests := s.Requests()
			if last := requests[len(requests)-1]; last.Fault != FaultBadGatewayAfterCommit || last.Status != w.wantStatus {
				t.Errorf("recorded %+v, want fault %s with the withheld status %d", last, FaultBadGatewayAfterCommit, w.wantStatus)
			}
		})
	}
	c.do(t, http.MethodGet, "/Users", "").expectStatus(t, http.StatusOK) // reads are spared
}

func TestGatewayTimeoutThenCommit(t *testing.T) {
	var changes atomic.Int32
	s, c := newTestServer(t, Options{
		Faults:   Faults{GatewayTimeoutThenCommit: 1, LateCommitDelay: time.Hour},
		OnChange: func() { changes.Add(1) },
	})
	r := c.do(t, http.MethodPost, "/Users", `{"userName":"jane@example.com"}`)
	r.expectStatus(t, http.StatusGatewayTimeout)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q, want a gateway's HTML page", ct)
	}
	if got := s.Requests()[0]; got.Fault != FaultGatewayTimeoutThenCommit || got.Status != http.StatusGatewayTimeout {
		t.Errorf("recorded %+v", got)
	}
	if n := len(s.Users()); n != 0 || changes.Load() != 0 {
		t.Fatalf("%d users, %d changes before the late commit; want none", n, changes.Load())
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.AwaitLateCommits(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("AwaitLateCommits with a commit pending = %v, want the context's error", err)
	}

	if n := s.FlushLateCommits(); n != 1 {
		t.Errorf("FlushLateCommits() = %d, want 1", n)
	}
	if got := s.UsersByUserName("jane@example.com"); len(got) != 1 || changes.Load() != 1 {
		t.Errorf("after the flush: %+v and %d changes, want the user, reported once", got, changes.Load())
	}
	if err := s.AwaitLateCommits(ctx); err != nil {
		t.Errorf("AwaitLateCommits with nothing pending = %v", err)
	}
	if n := s.FlushLateCommits(); n != 0 {
		t.Errorf("second FlushLateCommits() = %d, want 0", n)
	}
	if s.TotalRequests() != 1 {
		t.Errorf("the late commit was counted as a request: %d", s.TotalRequests())
	}
}

func TestGatewayTimeoutThenCommitRacesResend(t *testing.T) {
	const create = `{"userName":"jane@example.com","displayName":"First"}`
	const resend = `{"userName":"jane@example.com","displayName":"Resent"}`
	t.Run("resend first", func(t *testing.T) {
		s, c := newTestServer(t, Options{Faults: Faults{GatewayTimeoutThenCommit: 1, LateCommitDelay: time.Hour}})
		c.do(t, http.MethodPost, "/Users", create).expectStatus(t, http.StatusGatewayTimeout)
		s.SetFaults(Faults{})
		c.createUser(t, resend)
		s.FlushLateCommits() // meets the duplicate and is dropped
		if got := s.UsersByUserName("jane@example.com"); len(got) != 1 || got[0].DisplayName != "Resent" {
			t.Errorf("users %+v, want only the resent one", got)
		}
	})
	t.Run("late commit first", func(t *testing.T) {
		s, c := newTestServer(t, Options{Faults: Faults{GatewayTimeoutThenCommit: 1}})
		c.do(t, http.MethodPost, "/Users", create).expectStatus(t, http.StatusGatewayTimeout)
		if err := s.AwaitLateCommits(t.Context()); err != nil {
			t.Fatal(err)
		}
		s.SetFaults(Faults{})
		c.do(t, http.MethodPost, "/Users", resend).expectSCIMError(t, http.StatusConflict, scimTypeUniqueness)
		if got := s.UsersByUserName("jane@example.com"); len(got) != 1 || got[0].DisplayName != "First" {
			t.Errorf("users %+v, want only the late one", got)
		}
	})
}

func TestGatewayTimeoutThenCommitSparesOtherRequests(t *testing.T) {
	s, c := newTestServer(t, Options{Faults: Faults{GatewayTimeoutThenCommit: 1, LateCommitDelay: time.Hour}})
	u := s.AddUser(User{UserName: "jane@example.com", Active: true})
	c.do(t, http.MethodPatch, "/Users/"+u.ID, patchOps(`{"op":"replace","path":"active","value":false}`)).expectStatus(t, http.StatusOK)
	c.do(t, http.MethodPut, "/Users/"+u.ID, `{"userName":"jane@example.com"}`).expectStatus(t, http.StatusOK)
	c.do(t, http.MethodGet, "/Users", "").expectStatus(t, http.StatusOK)
	// A request the backend would never see is not committed later.
	c.withToken("wrong").do(t, http.MethodPost, "/Users", `{"userName":"x@example.com"}`).expectStatus(t, http.StatusUnauthorized)
	if n := s.FlushLateCommits(); n != 0 {
		t.Errorf("%d late commits pending, want none", n)
	}
}

// The delay itself is checked in a synctest bubble, whose clock is fake and
// jumps when every goroutine in it waits, so that nothing waits for real.
func TestLateCommitDelay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay = 30 * time.Second
		s := New(Options{Token: testToken, Faults: Faults{GatewayTimeoutThenCommit: 1, LateCommitDelay: delay}})
		req := httptest.NewRequest(http.MethodPost, BasePath+"/Users", strings.NewReader(`{"userName":"jane@example.com"}`))
		req.Header.Set("Authorization", "Bearer "+testToken)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusGatewayTimeout {
			t.Fatalf("status %d", rec.Code)
		}
		time.Sleep(delay - time.Nanosecond)
		synctest.Wait()
		if n := len(s.Users()); n != 0 {
			t.Fatalf("committed before the delay: %d users", n)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if n := len(s.Users()); n != 1 {
			t.Fatalf("%d users after the delay, want 1", n)
		}
		if err := s.AwaitLateCommits(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestWriteFaultRates(t *testing.T) {
	s, c := newTestServer(t, Options{Seed: 3, Faults: Faults{DropAfterWrite: 0.2, CommitThenBadGateway: 0.3, GatewayTimeoutThenCommit: 0.2}})
	const creates = 400
	for i := range creates {
		_, _ = c.send(t.Context(), http.MethodPost, "/Users", fmt.Sprintf(`{"userName":"u%d@example.com"}`, i), nil)
	}
	faults := map[string]int{}
	for _, r := range s.Requests() {
		faults[r.Fault]++
	}
	within := func(got int, want float64) bool {
		return float64(got) > want*0.6*creates && float64(got) < want*1.4*creates
	}
	if !within(faults[FaultDrop], 0.2) || !within(faults[FaultBadGatewayAfterCommit], 0.3) ||
		!within(faults[FaultGatewayTimeoutThenCommit], 0.2) || !within(faults[""], 0.3) {
		t.Errorf("faults %v do not match rates 0.2/0.3/0.2/0.3 over %d creates", faults, creates)
	}
	if err := s.AwaitLateCommits(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Users()); n != creates {
		t.Errorf("%d users, want every create carried out", n)
	}
}
