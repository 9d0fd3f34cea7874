package scim

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// teamViewerLimit is the server of issue 8: 20 requests a second from a
// bucket of 20, and a 429 with Retry-After: 1 beyond it.
var teamViewerLimit = emulator.RateLimit{PerSecond: 20, Burst: 20}

// providerConfig makes a test Client retry and back off as the provider's
// does, with its defaults: the share of 429s depends on how long a refused
// request waits. The limit's changes are logged to cuts when it is set.
func providerConfig(userAgent string, requestsPerSecond float64, cuts *cutLog) func(*Config) {
	return func(c *Config) {
		c.UserAgent = userAgent
		c.MaxRetries = 10
		c.RetryWaitMin, c.RetryWaitMax = 0, 0
		c.RequestsPerSecond = requestsPerSecond
		if cuts != nil {
			c.Logger = cuts.as(userAgent)
		}
	}
}

// cutLog keeps the Debug entries that lower a rate limit, to tell from a
// test's log what its refusals came from.
type cutLog struct {
	start time.Time
	mu    sync.Mutex
	lines []string
}

func newCutLog() *cutLog { return &cutLog{start: time.Now()} }

// as returns a Logger recording for the Client named name.
func (l *cutLog) as(name string) Logger { return cutLogger{l, name} }

type cutLogger struct {
	log  *cutLog
	name string
}

func (c cutLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	if msg != msgRateLimitLowered {
		return
	}
	c.log.mu.Lock()
	defer c.log.mu.Unlock()
	c.log.lines = append(c.log.lines, fmt.Sprintf("%5.2fs %s: %v", time.Since(c.log.start).Seconds(), c.name, fields))
}

func (cutLogger) Trace(context.Context, string, map[string]any) {}

func (l *cutLog) log(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		t.Log(line)
	}
}

// createMany creates n users named prefix-00000@example.com and on through
// us, parallelism at a time as Terraform applies them.
func createMany(t *testing.T, us *Users, prefix string, n, parallelism int) {
	t.Helper()
	next := make(chan int)
	var wg sync.WaitGroup
	for range parallelism {
		wg.Go(func() {
			for i := range next {
				u := NewUser{UserName: fmt.Sprintf("%s-%05d@example.com", prefix, i), DisplayName: "Jane Doe", Active: true}
				if _, err := us.Create(t.Context(), u); err != nil {
					t.Errorf("create %s: %v", u.UserName, err)
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// refusals returns how many requests the server received and how many of
// them it refused with 429, from the clients whose User-Agent is one of
// agents (all when none is given).
func refusals(server *emulator.Server, agents ...string) (total, refused int) {
	for _, r := range server.Requests() {
		if len(agents) > 0 && !slices.Contains(agents, r.UserAgent) {
			continue
		}
		total++
		if r.Status == http.StatusTooManyRequests {
			refused++
		}
	}
	return total, refused
}

// One pipeline creating 300 users at Terraform's default parallelism
// against a server that takes 20 requests a second: the 429s slow the whole
// Client down together, so that no more than 5% of its requests are refused
// (22% without it). The wall time is logged, not checked: it is the rate
// floor of 15 s plus what the refusals and the saw-tooth cost.
func TestAdaptiveRateLimit(t *testing.T) {
	t.Parallel()
	const users = 300
	cuts := newCutLog()
	company := newTenant(t, 0, tenantOptions{
		emulator: emulator.Options{RateLimit: teamViewerLimit},
		config:   providerConfig("pipeline", 0, cuts),
	})
	start := time.Now()
	createMany(t, company.newUsers(DirectoryOptions{}), "user", users, terraformParallelism)
	elapsed := time.Since(start)

	total, refused := refusals(company.Server)
	cuts.log(t)
	t.Logf("%d creates in %.1fs (rate floor %.0fs): %d requests, %d refused with 429 (%.1f%%)",
		users, elapsed.Seconds(), users/teamViewerLimit.PerSecond, total, refused, 100*float64(refused)/float64(total))
	if n := len(company.Users()); n != users {
		t.Errorf("the company has %d users, want %d", n, users)
	}
	if refused*100 > total*5 {
		t.Errorf("%d of %d requests were refused with 429, want at most 5%%", refused, total)
	}
}

// Two pipelines with the same limit and nothing to coordinate them but the
// 429s each gets: each backs off on its own, and together they are refused
// no more than 10% of their requests (37% without it), both finishing. Each
// one's share is logged: how far the other had got when the first finished.
func TestAdaptiveRateLimitSharedByTwoClients(t *testing.T) {
	t.Parallel()
	const users = 150
	cuts := newCutLog()
	company := newTenant(t, 0, tenantOptions{
		emulator: emulator.Options{RateLimit: teamViewerLimit},
		config:   providerConfig("team-a", 0, cuts),
	})
	teamB := newTestClient(t, company.url+basePath, providerConfig("team-b", 0, cuts))

	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var finished []string
	for name, c := range map[string]*Client{"team-a": company.client, "team-b": teamB} {
		wg.Go(func() {
			createMany(t, NewUsers(c, DirectoryOptions{}), name, users, terraformParallelism)
			mu.Lock()
			defer mu.Unlock()
			finished = append(finished, name)
			if len(finished) == 1 {
				t.Logf("%s finished after %.1fs, when the other had created %d of its %d users",
					name, time.Since(start).Seconds(), len(company.Users())-users, users)
			}
		})
	}
	wg.Wait()

	total, refused := refusals(company.Server)
	cuts.log(t)
	for _, name := range []string{"team-a", "team-b"} {
		n, r := refusals(company.Server, name)
		t.Logf("%s: %d requests, %d refused", name, n, r)
	}
	t.Logf("both finished after %.1fs (rate floor %.0fs): %d requests, %d refused with 429 (%.1f%%)",
		time.Since(start).Seconds(), 2*users/teamViewerLimit.PerSecond, total, refused, 100*float64(refused)/float64(total))
	if n := len(company.Users()); n != 2*users {
		t.Errorf("the company has %d users, want %d", n, 2*users)
	}
	if refused*100 > total*10 {
		t.Errorf("%d of %d requests were refused with 429, want at most 10%%", refused, total)
	}
}

// RequestsPerSecond stays the ceiling: paced from the first request, never
// unpaced, and not grown beyond while the server keeps up: no two requests
// are let through closer than 1/RequestsPerSecond apart.
func TestAdaptiveRateLimitCeiling(t *testing.T) {
	t.Parallel()
	const ceiling, users = 10, 80
	company := newTenant(t, 0, tenantOptions{config: providerConfig("pipeline", ceiling, nil)})
	// The limiter's own decisions, not the server's arrival times: those
	// would bunch whenever a loaded machine delays one request more than
	// the next.
	transport, ok := company.client.http.HTTPClient.Transport.(*attemptTransport)
	if !ok {
		t.Fatalf("the client's transport is a %T", company.client.http.HTTPClient.Transport)
	}
	var granted []time.Time
	transport.limiter.granted = func(at time.Time) { granted = append(granted, at) }
	createMany(t, company.newUsers(DirectoryOptions{}), "user", users, terraformParallelism)

	if len(granted) != users {
		t.Errorf("%d requests let through, want one POST per user", len(granted))
	}
	for i := 1; i < len(granted); i++ {
		if gap := granted[i].Sub(granted[i-1]); gap < time.Second/ceiling {
			t.Fatalf("requests %d and %d let through %s apart, want at least %s at %d a second", i-1, i, gap, time.Second/ceiling, ceiling)
		}
	}
	if n := len(company.Requests()); n != users {
		t.Errorf("the server saw %d requests, want one POST per user", n)
	}
}

// testClock is a clock that moves only when told.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time          { return c.now }
func (c *testClock) advance(d time.Duration) { c.now = c.now.Add(d) }
func (c *testClock) take(l *adaptiveLimiter) time.Time {
	if d := l.take(c.now); d != 0 {
		panic(fmt.Sprintf("take at %s wants a wait of %s", c.now, d))
	}
	return c.now
}

// The AIMD state machine, on a clock of its own.
func TestAdaptiveLimiter(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newAdaptiveLimiter(0, clock.Now)
	expectLimit := func(want float64) {
		t.Helper()
		if got := l.limit; got < want-1e-9 || got > want+1e-9 {
			t.Fatalf("limit %.4f, want %.4f", got, want)
		}
	}

	// Unlimited until the first 429: ten requests at the same moment, and
	// ten more over the next half second, none held back.
	var inFlight []time.Time
	for range 10 {
		inFlight = append(inFlight, clock.take(l))
	}
	for range 10 {
		clock.advance(50 * time.Millisecond)
		l.accepted()
		clock.take(l)
	}
	expectLimit(0)

	// The first 429 cuts from the rate reached, 20 requests in the last
	// second, by half, once for all the requests that were in flight
	// together.
	clock.advance(time.Millisecond)
	if c, ok := l.refused(inFlight[0]); !ok || c.previous != 0 || c.achieved != 20 {
		t.Fatalf("first 429: %+v, %t; want a cut from 20 achieved", c, ok)
	}
	expectLimit(aimdFirstDecrease * 20)
	for _, sent := range inFlight[1:] {
		if c, ok := l.refused(sent); ok {
			t.Fatalf("a 429 to a request sent before the cut cut again: %+v", c)
		}
	}
	expectLimit(10)

	// From then on, requests are spaced 1/limit apart; a request that would
	// go sooner waits.
	clock.advance(time.Second)
	sent := clock.take(l)
	if d := l.take(clock.now.Add(99 * time.Millisecond)); d != time.Millisecond {
		t.Errorf("99 ms after a request at 10 a second: wait %s, want 1 ms", d)
	}
	for range 9 {
		clock.advance(100 * time.Millisecond)
		clock.take(l)
	}

	// Until the second cut, the first being a guess, each accepted request
	// adds aimdSlowStart.
	l.accepted()
	l.accepted()
	expectLimit(10 + 2*aimdSlowStart)

	// A 429 to a request sent after the cut is a new episode, cut from the
	// limit (the rate reached says too little after a wait for Retry-After),
	// and it ends the slow start: each accepted request now adds
	// aimdIncrease/limit, aimdIncrease a second at the limit.
	clock.advance(time.Millisecond)
	if _, ok := l.refused(sent); !ok {
		t.Fatal("a 429 after the cut did not cut")
	}
	expectLimit(aimdDecrease * 11)
	l.accepted()
	expectLimit(aimdDecrease*11 + aimdIncrease/(aimdDecrease*11))

	// The limit grows to no more than aimdHeadroom times the rate reached:
	// here one request in the last second.
	clock.advance(2 * aimdWindow)
	clock.take(l)
	before := l.limit
	for range 100 {
		l.accepted()
	}
	expectLimit(before)

	// 429s after 429s bring it down to aimdFloor, no further.
	for range 50 {
		clock.advance(time.Second)
		l.refused(clock.take(l))
	}
	expectLimit(aimdFloor)
}

// With a ceiling, requests are paced at it from the first, a 429 cuts
// below it, and the limit grows back to it, never beyond.
func TestAdaptiveLimiterCeiling(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	const ceiling = 10
	l := newAdaptiveLimiter(ceiling, clock.Now)
	clock.take(l)
	if d := l.take(clock.now); d != time.Second/ceiling {
		t.Fatalf("a second request at once waits %s, want %s", d, time.Second/ceiling)
	}
	for range 1000 {
		l.accepted()
	}
	if l.limit != ceiling {
		t.Fatalf("limit %v after successes, want the ceiling %v", l.limit, ceiling)
	}

	clock.advance(time.Second / ceiling)
	sent := clock.take(l)
	clock.advance(time.Millisecond)
	if c, ok := l.refused(sent); !ok || c.limit >= ceiling {
		t.Fatalf("429: %+v, %t; want a cut below the ceiling", c, ok)
	}
	// Requests at the pace of the limit, each accepted.
	for range 200 {
		clock.advance(time.Duration(float64(time.Second) / l.limit))
		clock.take(l)
		l.accepted()
		if l.limit > ceiling {
			t.Fatalf("limit %v, above the ceiling %v", l.limit, ceiling)
		}
	}
	if l.limit != ceiling {
		t.Errorf("limit %v after growing back, want the ceiling %v", l.limit, ceiling)
	}
}

// Past the rate of the last cut, the limit grows as in slow start: the
// capacity that cut met has grown.
func TestAdaptiveLimiterProbesPastTheLastCut(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newAdaptiveLimiter(0, clock.Now)
	for range 40 {
		clock.advance(time.Millisecond)
		clock.take(l)
	}
	l.refused(clock.now) // the first cut: half the 40 a second reached
	clock.advance(2 * aimdWindow)
	sent := clock.take(l)
	clock.advance(time.Millisecond)
	l.refused(sent) // the second, after slow start: from 20 to 16
	const peak = 20
	if l.slowStart || l.peak != peak || l.limit != aimdDecrease*peak {
		t.Fatalf("after the second cut: slow start %t, peak %v, limit %v; want false, %v, %v", l.slowStart, l.peak, l.limit, peak, aimdDecrease*peak)
	}
	// Enough requests in the window that aimdHeadroom does not hold the
	// limit back.
	for range 30 {
		clock.advance(time.Second / 100)
		l.sent = append(l.sent, clock.now)
	}
	for i := 0; l.limit <= aimdProbeAbove*peak; i++ {
		if i == 1000 {
			t.Fatalf("the limit stays at %.3f", l.limit)
		}
		before := l.limit
		l.accepted()
		if step := l.limit - before; step > aimdIncrease/before+1e-9 {
			t.Fatalf("at %.3f, below the last cut's %v: grew %.3f, want %.3f", before, peak, step, aimdIncrease/before)
		}
	}
	before := l.limit
	l.accepted()
	if step := l.limit - before; step != aimdSlowStart {
		t.Fatalf("at %.3f, past the last cut's %v: grew %.3f, want %v", before, peak, step, aimdSlowStart)
	}
}
