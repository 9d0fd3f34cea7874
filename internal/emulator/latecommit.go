package emulator

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// lateCommits are the creates answered 504 that a slow backend has yet to
// finish (fault FaultGatewayTimeoutThenCommit).
type lateCommits struct {
	mu      sync.Mutex
	pending []*lateCommit // in the order they were scheduled
	idle    chan struct{} // closed while nothing is pending
}

type lateCommit struct {
	timer   *time.Timer
	run     func()
	claimed bool // by its timer or by a flush; it runs once
}

func newLateCommits() *lateCommits {
	idle := make(chan struct{})
	close(idle)
	return &lateCommits{idle: idle}
}

// scheduleLateCommit carries out r after delay, as the backend behind a
// gateway that gave up on it would. Its answer goes nowhere: a create whose
// userName was taken in the meantime, by a resent POST for example, meets
// the duplicate check and is dropped.
func (s *Server) scheduleLateCommit(r *http.Request, body []byte, readErr error, delay time.Duration) {
	// The request outlives its handler, so it gets a context of its own.
	r = r.Clone(context.WithoutCancel(r.Context()))
	lc := &lateCommit{run: func() {
		if resp := s.route(r, body, readErr); resp.changed && s.onChange != nil {
			s.onChange()
		}
	}}
	l := s.late
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) == 0 {
		l.idle = make(chan struct{})
	}
	l.pending = append(l.pending, lc)
	lc.timer = time.AfterFunc(delay, func() { l.land(lc) })
}

// land runs lc unless something else claimed it first.
func (l *lateCommits) land(lc *lateCommit) {
	l.mu.Lock()
	if lc.claimed {
		l.mu.Unlock()
		return
	}
	lc.claimed = true
	l.mu.Unlock()
	l.finish(lc)
}

// finish runs a claimed lc and forgets it.
func (l *lateCommits) finish(lc *lateCommit) {
	lc.run()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, p := range l.pending {
		if p == lc {
			l.pending = append(l.pending[:i], l.pending[i+1:]...)
			break
		}
	}
	if len(l.pending) == 0 {
		close(l.idle)
	}
}

// AwaitLateCommits waits until every create answered 504 by the fault
// GatewayTimeoutThenCommit has been carried out, or ctx ends. Tests call it
// instead of sleeping for Faults.LateCommitDelay.
func (s *Server) AwaitLateCommits(ctx context.Context) error {
	s.late.mu.Lock()
	idle := s.late.idle
	s.late.mu.Unlock()
	select {
	case <-idle:
		return nil
	default: // a select would pick at random when ctx has ended too
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// FlushLateCommits carries out every pending late commit now, in the order
// of their requests, without waiting for their delay, and returns when all
// are done. It returns how many it carried out itself. A test sets a long
// LateCommitDelay, resends or reads while the create is still pending, then
// flushes to make the slow backend finish.
func (s *Server) FlushLateCommits() int {
	l := s.late
	l.mu.Lock()
	var claimed []*lateCommit
	for _, lc := range l.pending {
		if !lc.claimed {
			lc.claimed = true
			lc.timer.Stop()
			claimed = append(claimed, lc)
		}
	}
	l.mu.Unlock()
	for _, lc := range claimed {
		l.finish(lc)
	}
	_ = s.AwaitLateCommits(context.Background()) // those their timers claimed
	return len(claimed)
}
