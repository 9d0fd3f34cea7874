package scim

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The rate-limit tests against the emulator run on the machine's clock, so
// they can bound only what a loaded machine cannot move: the share refused.
// The wall time of two pipelines sharing a limit, which depends on how fast
// their limiters even out, is tested here instead: the same adaptiveLimiter
// on a simulated clock, against a simulated token bucket, many times over,
// each run decided by its seed alone.

// simServer is TeamViewer's rate limit as the emulator applies it: a token
// bucket, full at the first request, answering 429 with Retry-After: 1
// beyond it.
type simServer struct {
	perSecond, burst float64
	tokens           float64
	last             time.Duration
	started          bool
}

func (s *simServer) take(at time.Duration) bool {
	if !s.started {
		s.tokens, s.last, s.started = s.burst, at, true
	}
	s.tokens = min(s.burst, s.tokens+(at-s.last).Seconds()*s.perSecond)
	s.last = at
	if s.tokens < 1 {
		return false
	}
	s.tokens--
	return true
}

// simPipeline is one provider instance: one limiter, parallelism workers,
// creates to send, from start on.
type simPipeline struct {
	limiter  *adaptiveLimiter
	start    time.Duration
	creates  int // not yet handed to a worker
	inFlight int // handed to a worker, not yet accepted
	requests int
	refused  int
	finished time.Duration
}

// simEvent is something that happens at a moment of simulated time.
type simEvent struct {
	at time.Duration
	do func()
}

// simulation runs pipelines against one server on one simulated clock.
type simulation struct {
	minLatency, maxLatency time.Duration

	rnd    *rand.Rand
	server simServer
	epoch  time.Time
	now    time.Duration
	events []simEvent // in the order they were scheduled
}

func (s *simulation) clock() time.Time { return s.epoch.Add(s.now) }

func (s *simulation) at(d time.Duration, do func()) { s.events = append(s.events, simEvent{d, do}) }

// next takes the earliest event, of those at the same moment the one
// scheduled first.
func (s *simulation) next() simEvent {
	first := 0
	for i, e := range s.events {
		if e.at < s.events[first].at {
			first = i
		}
	}
	e := s.events[first]
	s.events = slices.Delete(s.events, first, first+1)
	return e
}

// latency is a request's round trip through Terraform, the provider and the
// network, drawn between minLatency and maxLatency.
func (s *simulation) latency() time.Duration {
	return s.minLatency + time.Duration(s.rnd.Int64N(int64(s.maxLatency-s.minLatency)+1))
}

// worker sends one create after another, each through the limiter; a 429
// waits out Retry-After and the jitter of the provider's default
// RetryWaitMin before the create is sent again, as backoff does.
func (s *simulation) worker(p *simPipeline) {
	if p.creates == 0 {
		return
	}
	p.creates--
	p.inFlight++
	var attempt func()
	attempt = func() {
		if d := p.limiter.take(s.clock()); d > 0 {
			s.at(s.now+d, attempt)
			return
		}
		sent := s.clock()
		rtt := s.latency()
		accepted := s.server.take(s.now + rtt/2)
		p.requests++
		s.at(s.now+rtt, func() {
			if !accepted {
				p.refused++
				p.limiter.refused(sent)
				s.at(s.now+time.Second+time.Duration(s.rnd.Int64N(int64(time.Second))), attempt)
				return
			}
			p.limiter.accepted()
			p.inFlight--
			if p.creates == 0 && p.inFlight == 0 {
				p.finished = s.now
			}
			s.worker(p)
		})
	}
	attempt()
}

// run runs the pipelines to the end.
func (s *simulation) run(pipelines []*simPipeline, parallelism int) {
	for _, p := range pipelines {
		s.at(p.start, func() {
			for range parallelism {
				s.worker(p)
			}
		})
	}
	for len(s.events) > 0 {
		e := s.next()
		s.now = e.at
		e.do()
	}
}

// simulate creates creates users from each pipeline, started at the given
// offsets, against issue 8's limit of 20 a second.
func simulate(seed uint64, latency [2]time.Duration, creates int, starts ...time.Duration) []*simPipeline {
	s := &simulation{
		minLatency: latency[0], maxLatency: latency[1],
		rnd:    rand.New(rand.NewPCG(seed, seed)),
		server: simServer{perSecond: teamViewerLimit.PerSecond, burst: float64(teamViewerLimit.Burst)},
		epoch:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	pipelines := make([]*simPipeline, len(starts))
	for i, start := range starts {
		pipelines[i] = &simPipeline{limiter: newAdaptiveLimiter(0, s.clock), start: start, creates: creates}
	}
	s.run(pipelines, terraformParallelism)
	return pipelines
}

// simulatedRuns simulates pipelines pipelines of creates creates each, each
// started offset after the one before, once per seed and per latency. It
// logs the worst and the mean of the slowest pipeline's wall time over the
// rate floor, and of the share of requests refused, and checks them against
// issue 8's bars.
func simulatedRuns(t *testing.T, pipelines, creates int, offset time.Duration) {
	t.Helper()
	floor := time.Duration(pipelines*creates) * time.Second / time.Duration(teamViewerLimit.PerSecond)
	var worstWall, meanWall, worstRefused, meanRefused float64
	runs := 0
	// Against the emulator on loopback, and through a slower network.
	for _, latency := range [][2]time.Duration{{2 * time.Millisecond, 10 * time.Millisecond}, {20 * time.Millisecond, 60 * time.Millisecond}} {
		for seed := range uint64(50) {
			starts := make([]time.Duration, pipelines)
			for i := range starts {
				starts[i] = time.Duration(i) * offset
			}
			requests, refused, wall := 0, 0, 0.0
			for _, p := range simulate(seed, latency, creates, starts...) {
				requests += p.requests
				refused += p.refused
				wall = max(wall, (p.finished-p.start).Seconds()/floor.Seconds())
			}
			share := float64(refused) / float64(requests)
			worstWall, meanWall = max(worstWall, wall), meanWall+wall
			worstRefused, meanRefused = max(worstRefused, share), meanRefused+share
			runs++
		}
	}
	meanWall /= float64(runs)
	meanRefused /= float64(runs)
	t.Logf("%d runs: slowest pipeline %.2f× the floor of %s (mean %.2f×), %.1f%% refused (mean %.1f%%)",
		runs, worstWall, floor, meanWall, 100*worstRefused, 100*meanRefused)
	// Issue 8's bars: within 1.3× of the floor, every run; refused no more
	// than 5% for one pipeline and 10% for two, in the mean, since how many
	// of the first burst's requests are refused depends on how the
	// pipelines' first requests meet.
	if worstWall > 1.3 {
		t.Errorf("the slowest pipeline took %.2f× the rate floor, want at most 1.3×", worstWall)
	}
	if maxRefused := map[int]float64{1: 0.05, 2: 0.10}[pipelines]; meanRefused > maxRefused {
		t.Errorf("%.1f%% of the requests were refused in the mean, want at most %.0f%%", 100*meanRefused, 100*maxRefused)
	}
}

// One pipeline creating 300 users.
func TestSimulatedRateLimit(t *testing.T) {
	t.Parallel()
	simulatedRuns(t, 1, 300, 0)
}

// Two pipelines creating 150 users each, the second starting at the same
// moment as the first or up to 3 s later: whichever gets the larger share
// first, both finish within 1.3× of the floor that the server's rate sets
// for all 300. Without probing past the last cut, the one left with the
// smaller share finishes alone at it, up to 1.6× the floor.
func TestSimulatedRateLimitSharedByTwoPipelines(t *testing.T) {
	t.Parallel()
	for _, offset := range []time.Duration{0, 100 * time.Millisecond, 500 * time.Millisecond, time.Second, 3 * time.Second} {
		t.Run(offset.String(), func(t *testing.T) {
			t.Parallel()
			simulatedRuns(t, 2, 150, offset)
		})
	}
}
