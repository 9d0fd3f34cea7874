// Package scim is a client for TeamViewer's SCIM 2.0 user-provisioning API.
//
// It knows nothing of Terraform. It survives TeamViewer's departures from
// RFC 7644 (an echoed startIndex of 0, case-sensitive filters, string
// booleans, missing schemas and meta), retries what is safe to retry, and
// never creates a user twice because a response to a POST was lost.
package scim

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// DefaultBaseURL is TeamViewer's SCIM tenant URL, used when Config.BaseURL is
// empty.
const DefaultBaseURL = "https://webapi.teamviewer.com/scim/v2"

// DefaultRequestTimeout is how long one attempt of a request may take when
// Config.RequestTimeout is zero.
const DefaultRequestTimeout = 60 * time.Second

// Defaults for the zero values of Config.
const (
	defaultRetryWaitMin = 1 * time.Second
	defaultRetryWaitMax = 30 * time.Second
	defaultUserAgent    = "teamviewer-scim-go"
)

// Config configures a Client. Zero values select the documented defaults.
type Config struct {
	BaseURL           string        // tenant URL, e.g. https://webapi.teamviewer.com/scim/v2 (trailing slash tolerated); "" = DefaultBaseURL
	Token             string        // script token; sent as Bearer; never logged or put in errors
	UserAgent         string        // "" = a generic client name
	MaxRetries        int           // retries after the first attempt for retryable failures
	RequestTimeout    time.Duration // per attempt; 0 = 60s
	RequestsPerSecond float64       // ceiling of the adaptive limit shared by all calls on this Client (see ratelimit.go); 0 = none, unpaced until a 429
	RetryWaitMin      time.Duration // backoff floor, 0 = 1s
	RetryWaitMax      time.Duration // backoff cap, 0 = 30s
	Logger            Logger        // optional
	// HTTPClient is an optional base client. Its Transport (default: a
	// pooled transport honouring proxy environment variables), Jar and
	// CheckRedirect are kept; the Client wraps the Transport with its own
	// per-attempt timeout, rate limit and logging. Its Timeout is ignored:
	// it would also count the wait for the rate limiter.
	HTTPClient *http.Client
}

// Client calls TeamViewer's SCIM API. It is safe for concurrent use; all
// calls share one rate limiter, which slows them all down together when
// TeamViewer answers 429.
type Client struct {
	baseURL    string // without trailing slash
	token      string
	userAgent  string
	maxRetries int
	http       *retryablehttp.Client
	log        logger
	redact     redactor

	// unreachable is the failure of the latest call that gave up without
	// any answer from the server, nil once any request is answered. While
	// it is set, calls fail at once: a dead endpoint then costs one call's
	// retries per run, not every call's (a plan of 50 users would otherwise
	// spend about two minutes of retries on each).
	unreachable atomic.Pointer[Error]
}

// New validates cfg and returns a Client. The token is trimmed of surrounding
// whitespace, which a token read from a file usually carries and which can
// never be part of it.
func New(cfg Config) (*Client, error) {
	token := strings.TrimSpace(cfg.Token)
	if token == "" {
		return nil, errors.New("scim: the token is empty")
	}
	// Go would refuse such a header on every attempt, and retrying cannot help.
	if strings.ContainsFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return nil, errors.New("scim: the token contains whitespace or control characters")
	}
	baseURL, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("scim: MaxRetries must not be negative, got %d", cfg.MaxRetries)
	}
	if cfg.RequestsPerSecond < 0 || cfg.RequestTimeout < 0 || cfg.RetryWaitMin < 0 || cfg.RetryWaitMax < 0 {
		return nil, errors.New("scim: RequestsPerSecond, RequestTimeout, RetryWaitMin and RetryWaitMax must not be negative")
	}
	waitMin := cmp.Or(cfg.RetryWaitMin, defaultRetryWaitMin)
	waitMax := cmp.Or(cfg.RetryWaitMax, defaultRetryWaitMax)
	if waitMin > waitMax {
		return nil, fmt.Errorf("scim: RetryWaitMin (%s) is larger than RetryWaitMax (%s)", waitMin, waitMax)
	}

	c := &Client{
		baseURL:    baseURL,
		token:      token,
		userAgent:  cmp.Or(cfg.UserAgent, defaultUserAgent),
		maxRetries: cfg.MaxRetries,
		log:        logger{cfg.Logger},
		redact:     redactor{}.with(token),
	}

	hc := cleanhttp.DefaultPooledClient()
	if cfg.HTTPClient != nil {
		base := *cfg.HTTPClient
		hc = &base
		hc.Timeout = 0
		if hc.Transport == nil {
			hc.Transport = cleanhttp.DefaultPooledTransport()
		}
	}
	at := &attemptTransport{
		next:    hc.Transport,
		timeout: cmp.Or(cfg.RequestTimeout, DefaultRequestTimeout),
		log:     c.log,
		limiter: newAdaptiveLimiter(cfg.RequestsPerSecond, time.Now),
	}
	hc.Transport = at

	c.http = &retryablehttp.Client{
		HTTPClient:   hc,
		RetryWaitMin: waitMin,
		RetryWaitMax: waitMax,
		RetryMax:     cfg.MaxRetries,
		CheckRetry:   c.checkRetry,
		Backoff:      backoff,
		// Passthrough keeps the last response, so its SCIM error body
		// reaches the caller instead of a bare "giving up" error.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

func parseBaseURL(raw string) (string, error) {
	raw = strings.TrimRight(cmp.Or(strings.TrimSpace(raw), DefaultBaseURL), "/")
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("scim: base URL: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("scim: base URL %q is not an absolute http(s) URL without query, such as %s", raw, DefaultBaseURL)
	}
	return raw, nil
}

// newCall prepares a request; body, when non-nil, is one of our wire types.
func (c *Client) newCall(op, method, path string, body any) *call {
	cl := &call{op: op, method: method, path: path, redact: c.redact}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			// Our wire types hold only strings, bools and slices of them.
			panic(fmt.Sprintf("scim: encoding %T: %v", body, err))
		}
		cl.body = b
	}
	return cl
}

// do performs cl and hands a 2xx body to decode. Every failure is an *Error:
// a transport error, a non-2xx status with its parsed error body, or a body
// decode could not read (ErrInvalidResponse).
func (c *Client) do(ctx context.Context, cl *call, decode func([]byte) error) error {
	if dead := c.unreachable.Load(); dead != nil {
		return cl.unreachableError(c.baseURL, dead)
	}
	target := c.baseURL + cl.path
	if len(cl.query) > 0 {
		// Encode writes spaces as "+", which only form decoding reads as a
		// space; %20 means a space to every server. A literal "+" is
		// already %2B, so each "+" left is a space.
		target += "?" + strings.ReplaceAll(cl.query.Encode(), "+", "%20")
	}
	var body any // an untyped nil, so that a GET goes without a body
	if cl.body != nil {
		body = cl.body
	}
	req, err := retryablehttp.NewRequestWithContext(withCall(ctx, cl), cl.method, target, body)
	if err != nil {
		return cl.transportError(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/scim+json, application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}

	httpResp, err := c.http.Do(req)
	cl.last = httpResp // nil on a transport error
	if err != nil {
		if httpResp != nil {
			_ = httpResp.Body.Close()
		}
		e := cl.transportError(err)
		// Only a call that would have been retried, had its budget allowed, shows the server
		// unreachable: a POST whose answer was lost is not retried by design, and Create's
		// lookup must still be tried.
		if httpResp == nil && ctx.Err() == nil && retryable(cl, nil, err) && !c.budgetLeft(cl) {
			c.unreachable.Store(e)
		}
		return e
	}
	c.unreachable.Store(nil)
	b, err := readBody(httpResp.Body)
	if err != nil {
		return cl.transportError(err)
	}
	resp := &response{status: httpResp.StatusCode, header: httpResp.Header, body: b}
	if resp.status < 200 || resp.status > 299 {
		return cl.statusError(resp)
	}
	if err := decode(resp.body); err != nil {
		return cl.invalidResponse(resp, err)
	}
	return nil
}
