package emulator

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// Faults sets the fraction (0 to 1) of SCIM requests that fail in each
// way, to test a client's retries. The rejecting faults (RateLimited,
// RateLimitedNoRetryAfter, Unavailable) add up: with RateLimited 0.1 and
// Unavailable 0.1, a fifth of the requests fail. The faults of writes
// (DropAfterWrite, CommitThenBadGateway, GatewayTimeoutThenCommit) add up
// likewise among the writes that were not rejected.
type Faults struct {
	// RateLimited requests are answered 429 with Retry-After and
	// TeamViewer's rate_limit_reached error.
	RateLimited float64
	// RateLimitedNoRetryAfter requests are answered the same 429 without
	// Retry-After; TeamViewer does not document whether it sends one.
	RateLimitedNoRetryAfter float64
	// Unavailable requests are answered 503 without Retry-After.
	Unavailable float64
	// DropAfterWrite is the fraction of writes (POST, PUT, PATCH, DELETE)
	// that are processed in full and then answered by closing the
	// connection, as when a response is lost on the way back.
	DropAfterWrite float64
	// CommitThenBadGateway is the fraction of writes (POST, PUT, PATCH,
	// DELETE) that are processed in full and then answered 502 by a gateway
	// that lost the backend's answer. Every write is included because a
	// client must not take a 502 for "nothing happened" on any of them.
	CommitThenBadGateway float64
	// GatewayTimeoutThenCommit is the fraction of creates (POST) answered 504
	// at once and carried out LateCommitDelay later, as by a slow backend
	// that finishes after its gateway gave up. The first of the late create
	// and a resent POST wins; the other is a duplicate (the resent POST gets
	// 409, the late create is dropped). See AwaitLateCommits and
	// FlushLateCommits.
	GatewayTimeoutThenCommit float64
	// LateCommitDelay is how long after its 504 a late create lands; 0
	// means as soon as possible, which may still be after a quick resend.
	LateCommitDelay time.Duration
	// RetryAfter is the delay sent in Retry-After, rounded up to whole
	// seconds; 0 means one second.
	RetryAfter time.Duration
}

// Names of faults in RequestRecord.Fault. They are stable: tests match them.
const (
	// FaultRateLimited is Faults.RateLimited.
	FaultRateLimited = "429"
	// FaultRateLimitedNoRetryAfter is Faults.RateLimitedNoRetryAfter.
	FaultRateLimitedNoRetryAfter = "429-no-retry-after"
	// FaultRateLimitExceeded is a request refused by Options.RateLimit.
	FaultRateLimitExceeded = "429-rate-limit"
	// FaultUnavailable is Faults.Unavailable.
	FaultUnavailable = "503"
	// FaultDrop is Faults.DropAfterWrite.
	FaultDrop = "drop"
	// FaultBadGatewayAfterCommit is Faults.CommitThenBadGateway.
	FaultBadGatewayAfterCommit = "502-after-commit"
	// FaultGatewayTimeoutThenCommit is Faults.GatewayTimeoutThenCommit.
	FaultGatewayTimeoutThenCommit = "504-late-commit"
)

// drawFaults decides the fate of a request before it is handled: the fault
// that rejects it, if any, or else the fault that a write meets after it
// was handled (or, for a late commit, instead). The caller holds s.mu,
// which guards s.random. The draws are those of earlier versions when the
// newer faults are off, so that seeded runs keep their faults.
func (s *Server) drawFaults(f Faults, method string) (reject, afterWrite string) {
	switch roll := s.random.Float64(); {
	case roll < f.RateLimited:
		return FaultRateLimited, ""
	case roll < f.RateLimited+f.RateLimitedNoRetryAfter:
		return FaultRateLimitedNoRetryAfter, ""
	case roll < f.RateLimited+f.RateLimitedNoRetryAfter+f.Unavailable:
		return FaultUnavailable, ""
	}
	if !isWrite(method) {
		return "", ""
	}
	switch roll := s.random.Float64(); {
	case roll < f.DropAfterWrite:
		return "", FaultDrop
	case roll < f.DropAfterWrite+f.CommitThenBadGateway:
		return "", FaultBadGatewayAfterCommit
	case roll < f.DropAfterWrite+f.CommitThenBadGateway+f.GatewayTimeoutThenCommit && method == http.MethodPost:
		return "", FaultGatewayTimeoutThenCommit
	}
	return "", ""
}

// rejectResponse is the answer to a request rejected before it was
// handled; retryAfter is the delay to send, if any.
func rejectResponse(fault string, retryAfter time.Duration) response {
	switch fault {
	case FaultRateLimited, FaultRateLimitExceeded:
		resp := errorResponse(errRateLimited)
		resp.header.Set("Retry-After", strconv.Itoa(retryAfterSeconds(retryAfter)))
		return resp
	case FaultRateLimitedNoRetryAfter:
		return errorResponse(errRateLimited)
	}
	return errorResponse(newError(http.StatusServiceUnavailable, "", "the service is temporarily unavailable"))
}

// gatewayResponse is the answer of a gateway in front of the API, which
// speaks HTML rather than SCIM, so that clients must not expect a JSON body
// on every error.
func gatewayResponse(status int) response {
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	return response{
		status:      status,
		header:      http.Header{},
		contentType: "text/html; charset=utf-8",
		raw:         []byte("<html><head><title>" + text + "</title></head><body><h1>" + text + "</h1></body></html>\n"),
	}
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
