package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// tenant is the TeamViewer emulator served on loopback by the bench process. Reset swaps in an
// empty tenant behind the same URL, so that every work directory's configuration keeps working
// while each measured sequence starts from a clean slate.
type tenant struct {
	URL   string // the SCIM base URL, as the provider's tenant_url
	Token string

	server  *http.Server
	current atomic.Pointer[emulator.Server]
}

// startTenant serves an empty tenant on 127.0.0.1 with a random token.
func startTenant(ctx context.Context) (*tenant, error) {
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	listener, err := new(net.ListenConfig).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &tenant{
		URL:   "http://" + listener.Addr().String() + emulator.BasePath,
		Token: "bench-" + hex.EncodeToString(secret),
	}
	t.server = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.current.Load().ServeHTTP(w, r) }),
		ReadHeaderTimeout: time.Minute,
	}
	t.Reset(0)
	go func() {
		if err := t.server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic("bench: the emulator stopped serving: " + err.Error())
		}
	}()
	return t, nil
}

// Reset replaces the tenant with an empty one that adds latency to every request.
func (t *tenant) Reset(latency time.Duration) {
	t.current.Store(emulator.New(emulator.Options{Token: t.Token, Latency: latency}))
}

// Emulator is the current tenant.
func (t *tenant) Emulator() *emulator.Server {
	return t.current.Load()
}

// Requests counts the requests the current tenant received since its last ResetRequests.
func (t *tenant) Requests() Requests {
	e := t.Emulator()
	q := Requests{
		List:   e.Count(http.MethodGet, "/Users"),
		Get:    e.Count(http.MethodGet, "/Users/{id}"),
		Post:   e.CountMethod(http.MethodPost),
		Put:    e.CountMethod(http.MethodPut),
		Patch:  e.CountMethod(http.MethodPatch),
		Delete: e.CountMethod(http.MethodDelete),
	}
	q.Other = e.TotalRequests() - q.Total()
	return q
}

// ListedUsers is how many users the current tenant returned to unfiltered listings since its
// last ResetRequests, computed from each request's paging parameters and the tenant's size,
// which must not have changed in between.
func (t *tenant) ListedUsers() int {
	e := t.Emulator()
	return listedUsers(e.Requests(), len(e.Users()))
}

// listedUsers is how many users unfiltered GET /Users requests returned from a tenant of
// tenantUsers users, paging as RFC 7644 says and as the emulator does: startIndex is 1-based,
// and a listing without count returns every remaining user.
func listedUsers(requests []emulator.RequestRecord, tenantUsers int) int {
	listed := 0
	for _, r := range requests {
		if r.Method != http.MethodGet || r.Path != emulator.BasePath+"/Users" || r.Status != http.StatusOK {
			continue
		}
		query, err := url.ParseQuery(r.RawQuery)
		if err != nil || query.Get("filter") != "" {
			continue
		}
		start, count := 1, tenantUsers
		if n, err := strconv.Atoi(query.Get("startIndex")); err == nil {
			start = max(n, 1)
		}
		if n, err := strconv.Atoi(query.Get("count")); err == nil {
			count = max(n, 0)
		}
		listed += max(0, min(count, tenantUsers-start+1))
	}
	return listed
}

// Close stops serving.
func (t *tenant) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return t.server.Shutdown(ctx)
}
