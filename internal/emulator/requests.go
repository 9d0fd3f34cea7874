package emulator

import (
	"maps"
	"slices"
	"time"
)

// Default bounds of the request log, so that a test of a 50,000-user tenant
// or a long demo does not keep every request in memory. Counts stay exact
// past them.
const (
	defaultMaxRequestRecords = 100_000
	defaultMaxRequestBodies  = 1_000
)

// RequestRecord is one SCIM request the Server received.
type RequestRecord struct {
	Method   string
	Path     string
	RawQuery string
	// UserAgent is the client's User-Agent header, so tests can check how it names itself.
	UserAgent string
	// Body is the request body with the values of password and ssoCustomerId
	// replaced by "[redacted]"; nil once the record is older than the last
	// Options.MaxRequestBodies records. Do not modify it.
	Body []byte
	// Status is the status the emulator produced, 0 when the client left
	// before it was produced. For the faults FaultDrop and
	// FaultBadGatewayAfterCommit it is the status that was withheld: the
	// client got no answer, or a 502.
	Status int
	// Fault is "" or the name of the injected fault, one of the Fault
	// constants.
	Fault string
	// Start is when the request arrived, End when its answer was ready (just
	// before it was sent), both by Options.Now.
	Start, End time.Time
}

// requestLog keeps the last records and exact counts of all requests. It
// does no locking: Server.mu guards it.
type requestLog struct {
	maxRecords, maxBodies int
	records               []RequestRecord
	byRoute               map[string]int // by "METHOD route"
	byMethod              map[string]int
	total                 int
}

func newRequestLog(maxRecords, maxBodies int) *requestLog {
	if maxRecords <= 0 {
		maxRecords = defaultMaxRequestRecords
	}
	if maxBodies <= 0 {
		maxBodies = defaultMaxRequestBodies
	}
	return &requestLog{
		maxRecords: maxRecords,
		maxBodies:  min(maxBodies, maxRecords),
		byRoute:    map[string]int{},
		byMethod:   map[string]int{},
	}
}

func (l *requestLog) add(r RequestRecord) {
	route, _ := parseRoute(r.Path)
	l.byRoute[r.Method+" "+route]++
	l.byMethod[r.Method]++
	l.total++
	l.records = append(l.records, r)
	if n := len(l.records); n > l.maxRecords {
		// Reslicing lets append move the kept records to a new array once
		// this one is full, so the old ones become garbage.
		l.records = l.records[n-l.maxRecords:]
	}
	if i := len(l.records) - 1 - l.maxBodies; i >= 0 {
		l.records[i].Body = nil
	}
}

func (l *requestLog) reset() {
	l.records = nil
	clear(l.byRoute)
	clear(l.byMethod)
	l.total = 0
}

func (s *Server) record(r RequestRecord) {
	r.Body = redactBody(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests.add(r)
}

// Count returns how many requests with the given method went to route,
// which is "/Users", "/Users/{id}", "/Groups" or "/Groups/{id}" (other
// paths are counted by their path under BasePath). It stays exact when old
// records have been dropped.
func (s *Server) Count(method, route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests.byRoute[method+" "+route]
}

// CountMethod returns how many requests used the given method.
func (s *Server) CountMethod(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests.byMethod[method]
}

// TotalRequests returns how many requests the Server received, faulted
// ones included.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests.total
}

// Requests returns the requests received so far, in order: all of them, or
// the last Options.MaxRequestRecords when there were more.
func (s *Server) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests.records)
}

// ResetRequests forgets the requests received so far, their counts and the
// concurrency statistics.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests.reset()
	s.mu.Unlock()
	s.meter.reset(s.now())
}

// requestCounts returns the number of requests by "METHOD route".
func (s *Server) requestCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.requests.byRoute)
}
