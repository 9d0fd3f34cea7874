package emulator

import (
	"sync"
	"time"
)

// ConcurrencyStats describes how many SCIM requests the Server was handling
// at once since it was created or since the last ResetRequests. A request is
// in flight from its arrival until its answer is ready, just before it is
// sent: a client that waits for each answer before it sends its next request
// is then never seen with more requests in flight than it has workers.
type ConcurrencyStats struct {
	// Requests is how many requests arrived.
	Requests int
	// Max is the largest number of requests in flight at one moment.
	Max int
	// Mean is the time-weighted mean of requests in flight over Busy, the
	// time when at least one was. Idle gaps (a client thinking between
	// requests) are left out, so that a client that always keeps ten
	// requests going while it talks to the server scores close to 10
	// whatever it does in between, and one that serialises scores 1. The
	// mean over the whole Window is Mean * Busy / Window.
	Mean float64
	// Busy is the total time with at least one request in flight.
	Busy time.Duration
	// Window runs from the first arrival to the last answer, or to now
	// while requests are in flight.
	Window time.Duration
}

// concurrencyMeter integrates the number of requests in flight over time.
// It has its own lock so that measuring does not contend with the tenant.
type concurrencyMeter struct {
	mu       sync.Mutex
	inFlight int       // never reset: requests in flight stay in flight
	changed  time.Time // when inFlight last changed or the meter was reset
	first    time.Time // first arrival since the reset; zero when none
	last     time.Time // last answer since the reset
	started  int       // arrivals since the reset
	max      int       // since the reset
	area     float64   // integral of inFlight over time, in request-seconds
	busy     time.Duration
}

// advance accounts for the time since the last change. The caller holds m.mu.
func (m *concurrencyMeter) advance(now time.Time) {
	if dt := now.Sub(m.changed); dt > 0 && m.inFlight > 0 {
		m.area += float64(m.inFlight) * dt.Seconds()
		m.busy += dt
	}
	if now.After(m.changed) {
		m.changed = now
	}
}

func (m *concurrencyMeter) begin(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.advance(now)
	m.inFlight++
	m.started++
	m.max = max(m.max, m.inFlight)
	if m.first.IsZero() {
		m.first = now
	}
}

func (m *concurrencyMeter) end(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.advance(now)
	m.inFlight--
	m.last = now
}

// reset starts a new measurement at now. Requests still in flight count
// from now on.
func (m *concurrencyMeter) reset(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.changed, m.last = now, now
	m.first = time.Time{}
	if m.inFlight > 0 {
		m.first = now
	}
	m.started, m.max, m.area, m.busy = 0, m.inFlight, 0, 0
}

func (m *concurrencyMeter) stats(now time.Time) ConcurrencyStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.advance(now)
	st := ConcurrencyStats{Requests: m.started, Max: m.max, Busy: m.busy}
	if m.busy > 0 {
		st.Mean = m.area / m.busy.Seconds()
	}
	if !m.first.IsZero() {
		end := m.last
		if m.inFlight > 0 {
			end = now
		}
		st.Window = end.Sub(m.first)
	}
	return st
}

// Concurrency returns the concurrency statistics since the Server was
// created or since the last ResetRequests.
func (s *Server) Concurrency() ConcurrencyStats {
	return s.meter.stats(s.now())
}
