package emulator

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// Faults sets the fraction (0 to 1) of SCIM requests that fail in each
// way, to test a client's retries. Rates add up: with RateLimited 0.1 and
// Unavailable 0.1, a fifth of the requests fail.
type Faults struct {
	// RateLimited requests are answered 429 with Retry-After and
	// TeamViewer's rate_limit_reached error.
	RateLimited float64
	// RateLimitedNoRetryAfter requests are answered the same 429 without
	// Retry-After; TeamViewer does not document whether it sends one.
	RateLimitedNoRetryAfter float64
	// Unavailable requests are answered 503 without Retry-After.
	Unavailable float64
	// DropAfterWrite is the fraction of writes (POST, PUT, PATCH) that are
	// processed in full and then answered by closing the connection, as
	// when a response is lost on the way back.
	DropAfterWrite float64
	// RetryAfter is the delay sent in Retry-After, rounded up to whole
	// seconds; 0 means one second.
	RetryAfter time.Duration
}

// Names of faults in RequestRecord.Fault.
const (
	faultRateLimited             = "429"
	faultRateLimitedNoRetryAfter = "429-no-retry-after"
	faultUnavailable             = "503"
	faultDrop                    = "drop"
)

// drawFaults decides the fate of a request before it is handled: the fault
// that rejects it, if any, and whether its connection is dropped after a
// write. The caller holds s.mu, which guards s.random.
func (s *Server) drawFaults(f Faults, method string) (reject string, drop bool) {
	switch roll := s.random.Float64(); {
	case roll < f.RateLimited:
		reject = faultRateLimited
	case roll < f.RateLimited+f.RateLimitedNoRetryAfter:
		reject = faultRateLimitedNoRetryAfter
	case roll < f.RateLimited+f.RateLimitedNoRetryAfter+f.Unavailable:
		reject = faultUnavailable
	}
	drop = reject == "" && isWrite(method) && s.random.Float64() < f.DropAfterWrite
	return reject, drop
}

// faultResponse is the answer to a request rejected by a fault.
func faultResponse(fault string, f Faults) response {
	switch fault {
	case faultRateLimited:
		resp := errorResponse(errRateLimited)
		resp.header.Set("Retry-After", strconv.Itoa(retryAfterSeconds(f.RetryAfter)))
		return resp
	case faultRateLimitedNoRetryAfter:
		return errorResponse(errRateLimited)
	}
	return errorResponse(newError(http.StatusServiceUnavailable, "", "the service is temporarily unavailable"))
}

func retryAfterSeconds(d time.Duration) int {
	if d <= 0 {
		return 1
	}
	return int(math.Ceil(d.Seconds()))
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hijacker, ok := w.(http.Hijacker); ok {
		if conn, _, err := hijacker.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// HTTP/2 cannot hijack; aborting the handler resets the stream instead.
	panic(http.ErrAbortHandler)
}
