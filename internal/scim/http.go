package scim

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// maxResponseBytes bounds a response body; a page of 1000 users is well below.
const maxResponseBytes = 16 << 20

// maxRetryAfter bounds how long a Retry-After may hold a call. The server
// knows its rate-limit window better than our backoff does, so Retry-After is
// honoured beyond RetryWaitMax, but not beyond a minute (or RetryWaitMax if
// larger): a longer silent wait would look like a hung apply. If TeamViewer
// still refuses after the capped wait, the retry budget runs out and the
// caller gets ErrRateLimited with its hint.
const maxRetryAfter = time.Minute

var errResponseTooLarge = fmt.Errorf("response body larger than %d MiB", maxResponseBytes>>20)

// call is one logical request. Its attempts share this state, which reaches
// the transport and the retry policy through the request context, since
// go-retryablehttp hands them nothing else about the request.
type call struct {
	op     string
	method string
	path   string // below the base URL, escaped
	query  url.Values
	body   []byte // JSON; nil for none
	redact redactor

	attempts atomic.Int32
	// sent tells whether the current attempt's request was written to a
	// connection. A POST that failed before that certainly created nothing
	// and may be resent; after that, only a lookup can tell.
	sent atomic.Bool
	// last is the final response of the latest do, body already read, or
	// nil when none arrived. CreateUser times a resend by its status and
	// Retry-After, as a retry would be timed.
	last *http.Response
}

type callKey struct{}

func withCall(ctx context.Context, cl *call) context.Context {
	return context.WithValue(ctx, callKey{}, cl)
}

func callFrom(ctx context.Context) *call {
	if cl, ok := ctx.Value(callKey{}).(*call); ok {
		return cl
	}
	return &call{}
}

// response is a completed HTTP exchange with its whole body.
type response struct {
	status int
	header http.Header
	body   []byte
}

// attemptTransport does what must happen once per attempt, which
// go-retryablehttp has no hook for: waiting for the rate limiter and telling
// it how the server took the attempt, bounding the attempt with
// RequestTimeout, noting whether the request was sent, reading the body (so
// that a connection lost mid-body fails the attempt, not the decode) and
// logging.
type attemptTransport struct {
	next    http.RoundTripper
	limiter *adaptiveLimiter
	timeout time.Duration
	log     logger
}

// attemptTimeoutError replaces the per-attempt deadline's
// context.DeadlineExceeded, which callers would mistake for their own
// deadline. It is retried like any connection error.
type attemptTimeoutError struct{ after time.Duration }

func (e attemptTimeoutError) Error() string {
	return fmt.Sprintf("no complete response within the request timeout of %s", e.after)
}

// Timeout marks the error as a timeout for net.Error-style checks.
func (attemptTimeoutError) Timeout() bool { return true }

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	cl := callFrom(ctx)
	sentAt, err := t.limiter.wait(ctx)
	if err != nil {
		return nil, err
	}

	cl.sent.Store(false)
	fields := map[string]any{
		"operation": cl.op,
		"method":    req.Method,
		"path":      req.URL.RequestURI(),
		"attempt":   int(cl.attempts.Add(1)),
	}
	if t.log.enabled() {
		t.log.trace(ctx, "SCIM request", mergeFields(fields, map[string]any{
			"headers": cl.redact.headers(req.Header),
			"body":    cl.redact.body(cl.body),
		}))
	}

	actx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { cl.sent.Store(true) },
	})
	start := time.Now()
	resp, err := t.next.RoundTrip(req.WithContext(actx))
	var body []byte
	if err == nil {
		body, err = readBody(resp.Body)
	}
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		err = attemptTimeoutError{after: t.timeout}
	}

	fields["duration_ms"] = time.Since(start).Milliseconds()
	if err != nil {
		fields["error"] = cl.redact.string(err.Error())
		t.log.debug(ctx, "SCIM request failed", fields)
		return nil, err
	}
	fields["status"] = resp.StatusCode
	t.log.debug(ctx, "SCIM response", fields)
	t.pace(ctx, cl, resp.StatusCode, sentAt)
	if t.log.enabled() {
		t.log.trace(ctx, "SCIM response body", mergeFields(fields, map[string]any{
			"headers": cl.redact.headers(resp.Header),
			"body":    cl.redact.body(body),
		}))
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// pace tells the limiter how the server took a request let through at sent,
// and logs a lowered limit.
func (t *attemptTransport) pace(ctx context.Context, cl *call, status int, sent time.Time) {
	if status != http.StatusTooManyRequests {
		t.limiter.accepted()
		return
	}
	c, ok := t.limiter.refused(sent)
	if !ok {
		return
	}
	fields := map[string]any{
		"operation":                    cl.op,
		"requests_per_second":          round2(c.limit),
		"achieved_requests_per_second": round2(c.achieved),
		"previous_requests_per_second": round2(c.previous),
	}
	if c.previous == 0 {
		fields["previous_requests_per_second"] = "unlimited"
	}
	t.log.debug(ctx, msgRateLimitLowered, fields)
}

// msgRateLimitLowered is the Debug message of a cut, one per congestion
// episode.
const msgRateLimitLowered = "SCIM rate limit lowered after HTTP 429"

// round2 keeps logged rates readable.
func round2(f float64) float64 { return math.Round(f*100) / 100 }

func readBody(body io.ReadCloser) ([]byte, error) {
	// Once the body is read, or failed to be, a close error adds nothing.
	defer func() { _ = body.Close() }()
	b, err := io.ReadAll(io.LimitReader(body, maxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxResponseBytes {
		return nil, errResponseTooLarge
	}
	return b, nil
}

// mergeFields returns a copy of base with extra added; loggers may keep the
// maps they are given.
func mergeFields(base, extra map[string]any) map[string]any {
	out := maps.Clone(base)
	maps.Copy(out, extra)
	return out
}

// checkRetry is the go-retryablehttp retry policy.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	// go-retryablehttp's sleep watches ctx as well; stopping here too keeps
	// a cancelled call from being logged as retried and returns the
	// context's error rather than the last response.
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	cl := callFrom(ctx)
	// The budget is counted here as well as by go-retryablehttp because
	// CreateUser spends one budget across several requests.
	// Once another call found the server unreachable, waiting on brings
	// nothing but a slower failure.
	if !retryable(cl, resp, err) || !c.budgetLeft(cl) || (err != nil && c.unreachable.Load() != nil) {
		return false, nil //nolint:nilerr // false, nil means "stop": go-retryablehttp then returns err itself
	}
	fields := map[string]any{"operation": cl.op, "attempt": int(cl.attempts.Load())}
	if err != nil {
		fields["error"] = cl.redact.string(err.Error())
	} else {
		fields["status"] = resp.StatusCode
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			fields["retry_after"] = ra
		}
	}
	c.log.debug(ctx, "SCIM request will be retried", fields)
	return true, nil
}

// retryable decides whether an attempt's outcome is worth another attempt.
// A 429 is retried for every method because the server refused to act. 500,
// 502, 503 and 504 are retried only for idempotent requests: GET, and PATCH
// since this client only sends "replace" operations. A POST after which the
// server may have acted is left to CreateUser, which looks before resending.
// 501 and the rarer 5xx codes describe how the server is set up, which a
// retry does not change.
func retryable(cl *call, resp *http.Response, err error) bool {
	if err != nil {
		return isTransient(err) && (cl.method != http.MethodPost || !cl.sent.Load())
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return cl.method != http.MethodPost
	}
	return false
}

// isTransient reports whether a transport error may go away on its own:
// everything but the caller's context, a certificate the server will present
// again, and a body we will not read whatever happens.
func isTransient(err error) bool {
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, errResponseTooLarge), errors.As(err, &certErr):
		return false
	}
	return true
}

// backoff is the go-retryablehttp backoff: Retry-After when a 429 or 503
// carries one, else exponential backoff with full jitter.
func backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := retryAfter(resp.Header, time.Now()); ok {
			// The jitter keeps parallel callers told the same moment
			// from arriving together.
			return min(d, max(hi, maxRetryAfter)) + rand.N(lo+1)
		}
	}
	return fullJitter(lo, hi, attempt)
}

// sleep waits for d, or until ctx ends, returning ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// fullJitter picks uniformly between lo and an exponentially growing ceiling
// capped at hi. Spreading over the whole range, rather than adding a little
// jitter to a fixed step, is what keeps parallel callers from retrying in
// lockstep.
func fullJitter(lo, hi time.Duration, attempt int) time.Duration {
	ceiling := hi
	if n := attempt + 1; n < 63 && lo <= hi>>n {
		ceiling = lo << n
	}
	if ceiling <= lo {
		return lo
	}
	return lo + rand.N(ceiling-lo+1)
}

// retryAfter parses Retry-After as delta seconds or an HTTP date; a date in
// the past means no wait.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, math.MaxInt64/int64(time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
