package emulator

import "slices"

// RequestRecord is one SCIM request the Server received.
type RequestRecord struct {
	Method   string
	Path     string
	RawQuery string
	// UserAgent is the client's User-Agent header, so tests can check how it names itself.
	UserAgent string
	Body      []byte // the request body; do not modify
	// Status is the status the emulator produced, 0 when the client left
	// before it was produced. For Fault "drop" it was never sent.
	Status int
	// Fault is "" or the injected fault: "429", "429-no-retry-after",
	// "503" or "drop".
	Fault string
}

func (s *Server) record(r RequestRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

// Count returns how many requests with the given method went to route,
// which is "/Users" or "/Users/{id}" (other paths are counted by their path
// under BasePath).
func (s *Server) Count(method, route string) int {
	return s.countRequests(func(r RequestRecord) bool {
		recorded, _ := parseRoute(r.Path)
		return r.Method == method && recorded == route
	})
}

// CountMethod returns how many requests used the given method.
func (s *Server) CountMethod(method string) int {
	return s.countRequests(func(r RequestRecord) bool { return r.Method == method })
}

// TotalRequests returns how many requests the Server received, faulted
// ones included.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) countRequests(match func(RequestRecord) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if match(r) {
			n++
		}
	}
	return n
}

// requestCounts returns the number of requests by "METHOD route".
func (s *Server) requestCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := map[string]int{}
	for _, r := range s.requests {
		route, _ := parseRoute(r.Path)
		counts[r.Method+" "+route]++
	}
	return counts
}
