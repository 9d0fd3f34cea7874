package emulator

import (
	"context"
	"crypto/subtle"
	"io"
	"math/rand"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
)

// BasePath is the path under which the SCIM API is served, as in
// TeamViewer's tenant URL https://webapi.teamviewer.com/scim/v2.
const BasePath = "/scim/v2"

// SCIM schema URNs the emulator reads or writes.
const (
	userSchema         = "urn:ietf:params:scim:schemas:core:2.0:User"
	ssoUserSchema      = "urn:ietf:params:scim:schemas:extension:teamviewer:1.0:SsoUser"
	listResponseSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	patchOpSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	errorSchema        = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// maxBodyBytes bounds request bodies; real requests are a few hundred bytes.
const maxBodyBytes = 1 << 20

// Options configures a Server.
type Options struct {
	// Token is the bearer token with full user-management permissions. It is
	// required.
	Token string
	// ReadOnlyToken, when set, is a second bearer token that may only GET.
	ReadOnlyToken string
	// Latency is added before each SCIM request is handled.
	Latency time.Duration
	// Faults are the initial fault-injection rates.
	Faults Faults
	// RateLimit is the initial rate limit; the zero value means none.
	RateLimit RateLimit
	// ReservedUserNames are addresses owned by TeamViewer accounts outside
	// the company: creating a user with one fails as a duplicate, yet they
	// are invisible to reads and filters.
	ReservedUserNames []string
	// DuplicateStatus is the HTTP status for a duplicate userName; 0 means
	// 409. TeamViewer does not document it, so tests can make it 400.
	DuplicateStatus int
	// Seed seeds the random source that decides which requests fault.
	Seed int64
	// OnChange, when set, is called after a SCIM request changed the tenant
	// and before its response is sent, outside any lock. The standalone
	// command persists its state here so that an acknowledged write survives
	// a kill.
	OnChange func()
	// Now is the clock of the rate limit, the request timestamps and the
	// concurrency statistics; nil means time.Now. Tests inject their own so
	// that nothing depends on how fast the machine is.
	Now func() time.Time
	// MaxRequestRecords bounds the records Requests returns, the newest
	// kept; 0 means 100,000. Counts stay exact past it.
	MaxRequestRecords int
	// MaxRequestBodies is how many of the newest records keep their body;
	// 0 means 1,000.
	MaxRequestBodies int
	// MaxMembersPerRequest caps the member values one POST or PATCH of a
	// group may carry, beyond which it is answered 400 tooMany; 0 means 100,
	// the cap of other SCIM servers (TeamViewer's is unknown).
	MaxMembersPerRequest int
}

// Server emulates one TeamViewer company's SCIM API: its users and its
// user groups. It is safe for
// concurrent use. Create it with New.
type Server struct {
	token, readOnlyToken string
	duplicateStatus      int
	maxMembers           int
	onChange             func()
	now                  func() time.Time
	meter                concurrencyMeter
	late                 *lateCommits

	mu       sync.Mutex // guards everything below
	users    *store
	groups   *groupStore
	latency  time.Duration
	faults   Faults
	limiter  tokenBucket
	random   *rand.Rand
	requests *requestLog
}

// New returns a Server with an empty tenant. It panics when opts.Token is
// empty, because an API without authentication would hide client bugs.
func New(opts Options) *Server {
	if opts.Token == "" {
		panic("emulator: Options.Token is required")
	}
	duplicateStatus := opts.DuplicateStatus
	if duplicateStatus == 0 {
		duplicateStatus = http.StatusConflict
	}
	maxMembers := opts.MaxMembersPerRequest
	if maxMembers <= 0 {
		maxMembers = defaultMaxMembersPerRequest
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Server{
		token:           opts.Token,
		readOnlyToken:   opts.ReadOnlyToken,
		duplicateStatus: duplicateStatus,
		maxMembers:      maxMembers,
		onChange:        opts.OnChange,
		now:             now,
		late:            newLateCommits(),
		users:           newStore(opts.ReservedUserNames),
		groups:          newGroupStore(),
		latency:         opts.Latency,
		faults:          opts.Faults,
		limiter:         tokenBucket{limit: opts.RateLimit},
		random:          rand.New(rand.NewSource(opts.Seed)),
		requests:        newRequestLog(opts.MaxRequestRecords, opts.MaxRequestBodies),
	}
}

// SetFaults replaces the fault-injection rates for subsequent requests.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// SetLatency replaces the latency added to subsequent requests.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// ServeHTTP answers one request to the SCIM API and records it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	s.meter.begin(start)
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	resp, fault := s.handle(r, body, readErr, start)
	if resp.changed && s.onChange != nil {
		s.onChange()
	}
	end := s.now()
	s.meter.end(end)
	// Record before answering, so that a client that has its answer also
	// finds its request in the log.
	s.record(RequestRecord{
		Method:    r.Method,
		Path:      r.URL.Path,
		RawQuery:  r.URL.RawQuery,
		UserAgent: r.UserAgent(),
		Body:      body,
		Status:    resp.status,
		Fault:     fault,
		Start:     start,
		End:       end,
	})
	switch {
	case resp.status == 0: // the client left while we were slow
	case fault == FaultDrop:
		dropConnection(w)
	case fault == FaultBadGatewayAfterCommit:
		gatewayResponse(http.StatusBadGateway).write(w)
	default:
		resp.write(w)
	}
}

// handle produces the response to r, which arrived at start, and names the
// fault it suffered, if any. A zero response means the client went away
// before an answer.
func (s *Server) handle(r *http.Request, body []byte, readErr error, start time.Time) (response, string) {
	s.mu.Lock()
	latency, faults := s.latency, s.faults
	var reject, afterWrite string
	retryAfter := faults.RetryAfter
	// The gateway counts a request when it arrives, before the backend sees it.
	if ok, wait := s.limiter.take(start); ok {
		reject, afterWrite = s.drawFaults(faults, r.Method)
	} else {
		reject, retryAfter = FaultRateLimitExceeded, wait
	}
	s.mu.Unlock()

	if !sleep(r.Context(), latency) {
		return response{}, ""
	}
	if reject != "" {
		return rejectResponse(reject, retryAfter), reject
	}
	if err := s.authorize(r); err != nil {
		return errorResponse(err), ""
	}
	if afterWrite == FaultGatewayTimeoutThenCommit {
		s.scheduleLateCommit(r, body, readErr, faults.LateCommitDelay)
		return gatewayResponse(http.StatusGatewayTimeout), afterWrite
	}
	return s.route(r, body, readErr), afterWrite
}

// authorize checks the bearer token and whether it may make this request.
func (s *Server) authorize(r *http.Request) error {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return errMissingToken
	}
	switch {
	case tokenEqual(token, s.token):
		return nil
	case s.readOnlyToken != "" && tokenEqual(token, s.readOnlyToken):
		if r.Method != http.MethodGet {
			return errReadOnlyToken
		}
		return nil
	}
	return errInvalidToken
}

// tokenEqual compares tokens in constant time, as a real server must.
func tokenEqual(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// route dispatches an authorized request to its handler.
func (s *Server) route(r *http.Request, body []byte, readErr error) response {
	route, id := parseRoute(r.URL.Path)
	if route != routeUsers && route != routeUser && route != routeGroups && route != routeGroup {
		return errorResponse(newError(http.StatusNotFound, "", "no such endpoint: %s", r.URL.Path))
	}
	if carriesBody(r.Method) {
		if err := checkBody(r, readErr); err != nil {
			return errorResponse(err)
		}
	}
	switch route {
	case routeGroups, routeGroup:
		return s.routeGroups(r, route, id, body)
	case routeUsers:
		switch r.Method {
		case http.MethodGet:
			return s.listUsers(r.URL.Query())
		case http.MethodPost:
			return s.createUser(body)
		}
		return userMethodNotAllowed(r.Method, "GET, POST")
	}
	switch r.Method {
	case http.MethodGet:
		return s.getUser(id)
	case http.MethodPut:
		return s.replaceUser(id, body)
	case http.MethodPatch:
		return s.patchUser(id, body)
	}
	return userMethodNotAllowed(r.Method, "GET, PUT, PATCH")
}

// carriesBody reports whether a request with method carries a body to read.
func carriesBody(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// isWrite reports whether method can change the tenant, and so can meet
// the faults of writes.
func isWrite(method string) bool {
	return carriesBody(method) || method == http.MethodDelete
}

// checkBody rejects request bodies the API would not read: too large,
// unreadable, or of a media type other than JSON.
func checkBody(r *http.Request, readErr error) error {
	if readErr != nil {
		return newError(http.StatusBadRequest, scimTypeInvalidSyntax, "cannot read request body: %v", readErr)
	}
	contentType := r.Header.Get("Content-Type")
	if contentType == "" {
		return nil // lenient: the body is still parsed as JSON
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil || (mediaType != "application/scim+json" && mediaType != "application/json") {
		return newError(http.StatusUnsupportedMediaType, "",
			"Content-Type %q is not supported; send application/scim+json or application/json", contentType)
	}
	return nil
}

// sleep waits for d unless ctx ends first, and reports whether it waited.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
