package scim

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// The Client paces itself the way TCP's congestion control does, with a
// rate instead of a window: additive increase, multiplicative decrease
// (AIMD). TeamViewer publishes no limit, and the provider instances that
// share it (one pipeline per team) know nothing of each other but the 429s
// they are answered with. AIMD is the simplest rule under which such
// independent senders converge to a fair share of the server's rate without
// talking to each other: cutting by a factor takes more from a faster
// sender than from a slower one, while adding the same step gives each the
// same, so every cycle narrows the gap between them.
//
// The constants trade refusals against speed. Each congestion episode costs
// about one 429, and the rate saw-tooths between aimdDecrease of the
// server's rate and all of it, averaging (1+aimdDecrease)/2 of it:
//   - aimdDecrease of 0.8 keeps that average at 90% (TCP Reno's 0.5 would
//     give 75%, CUBIC's 0.7 85%). Closer to 1 would be faster still, but
//     would take longer to even out two senders' shares.
//   - aimdIncrease of 0.5 requests per second, each second the limit is in
//     use, climbs back from a cut of a 20-per-second limit in 8 s, so a run
//     meets about one episode every 8 s.
//   - The first cut is from a guess, the rate of the last aimdWindow, which
//     at the start of a run is a burst: the requests of every worker at
//     once, refused ones included. So it halves that rate (aimdFirstDecrease,
//     as TCP Reno halves its window), and until a cut at least aimdWindow
//     later the limit grows by aimdSlowStart for each accepted request,
//     about doubling every 1.5 s (TCP's slow start), rather than climbing
//     for many seconds. Cuts within that second do not end it: the burst
//     emptied the server's bucket, so the first requests after it are
//     refused at any rate.
//   - Once the limit has grown aimdProbeAbove past the rate of the last cut
//     without a 429, the capacity that cut met has grown: the other
//     pipeline sharing it has finished, or TeamViewer allows more. The
//     limit then grows as in slow start again, to find the new rate in a
//     second or two rather than by aimdIncrease for many (TCP CUBIC's
//     probing beyond its last maximum). Without it, of two pipelines the
//     one left behind in the shares would finish alone at its small share.
//   - The limit never grows beyond aimdHeadroom times the rate actually
//     reached: a limit that a run of few requests, or of requests waiting
//     out a Retry-After, never reaches proves nothing about the server, and
//     would let the next burst go unpaced (TCP's congestion window
//     validation).
const (
	aimdDecrease      = 0.8
	aimdFirstDecrease = 0.5
	aimdIncrease      = 0.5 // requests per second, per second of use
	aimdSlowStart     = 0.5 // requests per second, per accepted request
	aimdHeadroom      = 1.5
	aimdWindow        = time.Second
	aimdProbeAbove    = 1.05
	// aimdFloor is the lowest limit 429s can push the Client to: even a
	// server that refuses most requests then gets one a second.
	aimdFloor = 1.0
)

// adaptiveLimiter is the rate limit shared by every request of one Client.
// Without a ceiling it lets requests through unpaced until the first 429;
// from then on, or from the start with a ceiling, it spaces them at least
// 1/limit apart (a burst of one: a limit meant to stay below the server's
// gains nothing by bursting above it).
type adaptiveLimiter struct {
	now     func() time.Time
	ceiling float64 // Config.RequestsPerSecond; 0 = none

	mu        sync.Mutex
	limit     float64     // requests per second; 0 = unlimited
	slowStart bool        // until the first cut aimdWindow after the first
	firstCut  time.Time   // when the first 429 lowered the limit
	last      time.Time   // when the latest request was let through
	cut       time.Time   // when the limit was last lowered
	peak      float64     // the rate the last cut lowered
	sent      []time.Time // when the requests of the last aimdWindow were let through

	// granted, when set (by tests), sees the time of every request let
	// through, under mu and in the order they were let through.
	granted func(time.Time)
}

func newAdaptiveLimiter(ceiling float64, now func() time.Time) *adaptiveLimiter {
	return &adaptiveLimiter{now: now, ceiling: ceiling, limit: ceiling}
}

// take lets a request through at now, or says how long until the next one
// may go.
func (l *adaptiveLimiter) take(now time.Time) (wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit > 0 && !l.last.IsZero() {
		if due := l.last.Add(time.Duration(float64(time.Second) / l.limit)); now.Before(due) {
			return due.Sub(now)
		}
	}
	l.last = now
	l.sent = append(l.forget(now), now)
	if l.granted != nil {
		l.granted(now)
	}
	return 0
}

// forget drops the requests let through before the last aimdWindow. The
// caller holds l.mu.
func (l *adaptiveLimiter) forget(now time.Time) []time.Time {
	i := 0
	for i < len(l.sent) && now.Sub(l.sent[i]) >= aimdWindow {
		i++
	}
	return l.sent[i:]
}

// wait blocks until a request may go, and returns when it was let through.
// The waiters of a slot race for it, so a cut slows the waiting requests at
// once rather than after the slots they would have reserved.
func (l *adaptiveLimiter) wait(ctx context.Context) (time.Time, error) {
	for {
		now := l.now()
		d := l.take(now)
		if d == 0 {
			return now, nil
		}
		if deadline, ok := ctx.Deadline(); ok && deadline.Before(now.Add(d)) {
			// Waiting for a slot beyond the caller's deadline would be
			// pointless.
			return time.Time{}, fmt.Errorf("client-side rate limit: no request slot before the deadline: %w", context.DeadlineExceeded)
		}
		if err := sleep(ctx, d); err != nil {
			return time.Time{}, err
		}
	}
}

// rateCut describes a lowered limit, for the log.
type rateCut struct {
	previous float64 // 0 = there was none
	achieved float64 // requests let through in the last aimdWindow, per second
	limit    float64
}

// refused takes a 429 to a request let through at sent. Only the first 429
// of a congestion episode lowers the limit: requests let through before the
// last cut were sent too fast for the old limit, not for the new one, so
// ten that were in flight together cut once, not ten times.
func (l *adaptiveLimiter) refused(sent time.Time) (rateCut, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.cut.IsZero() && !sent.After(l.cut) {
		return rateCut{}, false
	}
	now := l.now()
	c := rateCut{previous: l.limit, achieved: l.achieved(now)}
	first := l.cut.IsZero()
	// The limit, when there is one, is the rate the server refused: the
	// rate reached may be lower only because requests waited out a
	// Retry-After.
	from, factor := l.limit, aimdDecrease
	if first {
		from, factor = c.achieved, aimdFirstDecrease
		if l.limit > 0 {
			from = min(from, l.limit)
		}
	}
	c.limit = max(aimdFloor, factor*from)
	if l.ceiling > 0 {
		c.limit = min(c.limit, l.ceiling)
	}
	if first {
		l.firstCut = now
	}
	l.slowStart = now.Sub(l.firstCut) < aimdWindow
	l.peak = from
	l.limit, l.cut = c.limit, now
	return c, true
}

// accepted takes an answer other than 429: the server kept up, so the limit
// grows back toward the ceiling, by aimdIncrease per second while each
// second sees about limit requests, but never beyond aimdHeadroom times the
// rate reached.
func (l *adaptiveLimiter) accepted() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit == 0 {
		return
	}
	most := aimdHeadroom * l.achieved(l.now())
	if l.ceiling > 0 {
		most = min(most, l.ceiling)
	}
	step := aimdIncrease / l.limit
	if l.slowStart || l.limit > aimdProbeAbove*l.peak {
		step = aimdSlowStart
	}
	if l.limit < most {
		l.limit = min(l.limit+step, most)
	}
}

// achieved returns the rate of the last aimdWindow. The caller holds l.mu.
func (l *adaptiveLimiter) achieved(now time.Time) float64 {
	l.sent = l.forget(now)
	return float64(len(l.sent)) / aimdWindow.Seconds()
}
