package emulator

import (
	"fmt"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestConcurrencyMeter(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	var m concurrencyMeter
	m.reset(t0)
	if got := m.stats(at(0)); got != (ConcurrencyStats{}) {
		t.Errorf("stats of nothing = %+v", got)
	}
	// Two requests overlap for 10 ms, then an idle gap, then one alone:
	// 0-20 ms: A; 10-20 ms: B; 20-40 ms idle; 40-50 ms: C.
	m.begin(at(0))
	m.begin(at(10))
	if got := m.stats(at(15)); got.Max != 2 || got.Window != 15*time.Millisecond {
		t.Errorf("stats in flight = %+v", got)
	}
	m.end(at(20))
	m.end(at(20))
	m.begin(at(40))
	m.end(at(50))
	got := m.stats(at(100))
	// Request time 20+10+10 = 40 ms over 30 ms busy.
	want := ConcurrencyStats{Requests: 3, Max: 2, Mean: 40.0 / 30.0, Busy: 30 * time.Millisecond, Window: 50 * time.Millisecond}
	if math.Abs(got.Mean-want.Mean) > 1e-9 {
		t.Errorf("Mean = %v, want %v", got.Mean, want.Mean)
	}
	got.Mean = want.Mean
	if got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}

	// A reset with one request in flight counts it from the reset on.
	m.begin(at(100))
	m.reset(at(110))
	m.end(at(130))
	if got := m.stats(at(200)); got.Requests != 0 || got.Max != 1 || got.Mean != 1 || got.Busy != 20*time.Millisecond || got.Window != 20*time.Millisecond {
		t.Errorf("stats after a reset in flight = %+v", got)
	}
}

// ten workers that each keep one request going keep ten in flight.
func TestConcurrencyMeterOfParallelClient(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var m concurrencyMeter
	m.reset(t0)
	const workers, requestsEach = 10, 100
	for worker := range workers {
		// Starts are staggered by 1 ms, each request takes 50 ms.
		m.begin(t0.Add(time.Duration(worker) * time.Millisecond))
	}
	for i := range workers * requestsEach {
		worker, round := i%workers, i/workers
		now := t0.Add(time.Duration(worker+50*(round+1)) * time.Millisecond)
		m.end(now)
		if round < requestsEach-1 {
			m.begin(now)
		}
	}
	got := m.stats(t0.Add(time.Hour))
	if got.Max != workers || got.Mean < 9.9 || got.Requests != workers*requestsEach {
		t.Errorf("stats = %+v, want Max 10 and Mean close to 10", got)
	}
}

func TestServerConcurrency(t *testing.T) {
	const parallel = 6
	clock := newFakeClock()
	// Every create waits in OnChange, inside the request, until all have
	// arrived, so that all are in flight at once.
	var arrived sync.WaitGroup
	arrived.Add(parallel)
	s, c := newTestServer(t, Options{Now: clock.Now, OnChange: func() {
		arrived.Done()
		arrived.Wait()
	}})
	var wg sync.WaitGroup
	for i := range parallel {
		wg.Go(func() {
			if _, err := c.send(t.Context(), http.MethodPost, "/Users", fmt.Sprintf(`{"userName":"u%d@example.com"}`, i), nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := s.Concurrency(); got.Max != parallel || got.Requests != parallel {
		t.Errorf("Concurrency() = %+v, want Max and Requests %d", got, parallel)
	}
	for _, r := range s.Requests() {
		if !r.Start.Equal(clock.Now()) || !r.End.Equal(clock.Now()) {
			t.Errorf("record times %v-%v, want the injected clock's %v", r.Start, r.End, clock.Now())
		}
	}

	s.ResetRequests()
	clock.Advance(time.Second)
	c.list(t, "")
	if got := s.Concurrency(); got.Max != 1 || got.Requests != 1 {
		t.Errorf("after ResetRequests Concurrency() = %+v, want one request", got)
	}
}
