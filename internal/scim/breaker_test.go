package scim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// requestCounter counts the requests a handler receives, by path.
type requestCounter struct {
	handle http.HandlerFunc
	total  atomic.Int32

	mu     sync.Mutex
	byPath map[string]int
}

func (rc *requestCounter) serve(w http.ResponseWriter, r *http.Request) {
	rc.total.Add(1)
	rc.mu.Lock()
	if rc.byPath == nil {
		rc.byPath = map[string]int{}
	}
	rc.byPath[strings.TrimPrefix(r.URL.Path, basePath)]++
	rc.mu.Unlock()
	rc.handle(w, r)
}

// count returns how many requests went to path, below the base path.
func (rc *requestCounter) count(path string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.byPath[path]
}

// A server that drops every connection: the first call spends its retries,
// and every later call of the Client fails at once with ErrUnreachable,
// without a request, naming the call that found the server gone.
func TestUnreachableFailsFast(t *testing.T) {
	rc := &requestCounter{handle: func(w http.ResponseWriter, r *http.Request) { dropConnection(t, w) }}
	c := serve(t, rc.serve, nil)

	_, err := c.GetUser(t.Context(), "u1")
	first := asError(t, err)
	if first.Attempts != 4 || rc.total.Load() != 4 || errors.Is(err, ErrUnreachable) {
		t.Fatalf("first call: got %v (%+v) after %d requests, want its own failure after 4 attempts", err, first, rc.total.Load())
	}

	us := NewUsers(c, DirectoryOptions{})
	name := "x"
	for op, call := range map[string]func() error{
		"get user u2":   func() error { _, err := c.GetUser(t.Context(), "u2"); return err },
		"list users":    func() error { _, err := c.ListUsers(t.Context(), ListOptions{}); return err },
		"patch user u3": func() error { _, err := us.Update(t.Context(), "u3", UserPatch{DisplayName: &name}); return err },
		"find user a@b.c": func() error {
			_, err := us.FindByUserName(t.Context(), "a@b.c")
			return err
		},
		"create user a@b.c": func() error {
			_, err := us.Create(t.Context(), NewUser{UserName: "a@b.c"})
			return err
		},
	} {
		err := call()
		e := asError(t, err)
		if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotFound) || e.Operation != op {
			t.Errorf("%s: got %v, want ErrUnreachable for the call", op, err)
		}
		if !containsAll(err.Error(), "not tried", "get user u1", "after 4 attempts") || !strings.Contains(e.Hint(), "could not be reached at all") {
			t.Errorf("%s: error %q, hint %q", op, err, e.Hint())
		}
	}
	if n := rc.total.Load(); n != 4 {
		t.Errorf("%d requests, want none after the first call's 4", n)
	}
}

// A call retrying while another trips the breaker stops retrying: waiting
// on brings nothing but a slower failure.
func TestUnreachableStopsConcurrentRetries(t *testing.T) {
	held, tripped := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	rc := &requestCounter{handle: func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/slow") && first.CompareAndSwap(false, true) {
			close(held)
			<-tripped
		}
		dropConnection(t, w)
	}}
	c := serve(t, rc.serve, nil)

	slow := make(chan error, 1)
	go func() {
		_, err := c.GetUser(t.Context(), "slow")
		slow <- err
	}()
	<-held
	if _, err := c.GetUser(t.Context(), "fast"); err == nil || rc.count("/Users/fast") != 4 {
		t.Fatalf("got %v after %d requests, want a failure after 4", err, rc.count("/Users/fast"))
	}
	close(tripped)
	err := <-slow
	if e := asError(t, err); e.Attempts != 1 || rc.count("/Users/slow") != 1 {
		t.Errorf("got %v (%+v) after %d requests, want no retry once the server was found unreachable", err, e, rc.count("/Users/slow"))
	}
}

// Any answer resets the breaker: a request in flight that is answered after
// the breaker tripped lets the calls after it through.
func TestUnreachableResetByAnAnswer(t *testing.T) {
	held, tripped := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	rc := &requestCounter{handle: func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/fast") {
			dropConnection(t, w)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/slow") && first.CompareAndSwap(false, true) {
			close(held)
			<-tripped
		}
		writeJSON(w, http.StatusOK, userJSON(testUser, true))
	}}
	c := serve(t, rc.serve, nil)

	slow := make(chan error, 1)
	go func() {
		_, err := c.GetUser(t.Context(), "slow")
		slow <- err
	}()
	<-held
	if _, err := c.GetUser(t.Context(), "fast"); err == nil {
		t.Fatal("the dropping path answered")
	}
	if _, err := c.GetUser(t.Context(), "u1"); !errors.Is(err, ErrUnreachable) || rc.count("/Users/u1") != 0 {
		t.Fatalf("got %v, want ErrUnreachable without a request", err)
	}
	close(tripped)
	if err := <-slow; err != nil {
		t.Fatalf("the held request: %v", err)
	}
	if u, err := c.GetUser(t.Context(), "u1"); err != nil || u != testUser || rc.count("/Users/u1") != 1 {
		t.Errorf("after the answer: got %+v, %v after %d requests, want the user from one request", u, err, rc.count("/Users/u1"))
	}
}

// Only a call that got no answer at all after its retries trips the
// breaker: not an answered error, nor the caller's own cancellation.
func TestUnreachableNotTrippedByAnswersOrCancellation(t *testing.T) {
	t.Run("answered 503", func(t *testing.T) {
		rc := &requestCounter{handle: func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusServiceUnavailable, `{"status":"503"}`)
		}}
		c := serve(t, rc.serve, nil)
		for range 2 {
			if _, err := c.GetUser(t.Context(), "u1"); errors.Is(err, ErrUnreachable) {
				t.Fatalf("got %v", err)
			}
		}
		if n := rc.total.Load(); n != 8 {
			t.Errorf("%d requests, want both calls' 4", n)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		rc := &requestCounter{handle: func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/cancel") {
				cancel()
				<-r.Context().Done()
				return
			}
			writeJSON(w, http.StatusOK, userJSON(testUser, true))
		}}
		c := serve(t, rc.serve, func(c *Config) { c.MaxRetries = 0 })
		if _, err := c.GetUser(ctx, "cancel"); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if _, err := c.GetUser(t.Context(), "u1"); err != nil {
			t.Errorf("after a cancelled call: %v", err)
		}
	})
}
