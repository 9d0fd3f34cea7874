package bench

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// tenant is the TeamViewer emulator served on 127.0.0.1 by the bench process. reset swaps in a
// new company behind the same URL, so that every working directory keeps its configuration while
// each scenario starts from a clean slate.
type tenant struct {
	URL, Token string
	server     *http.Server
	current    atomic.Pointer[emulator.Server]
}

func startTenant(ctx context.Context) (*tenant, error) {
	listener, err := new(net.ListenConfig).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &tenant{URL: "http://" + listener.Addr().String() + emulator.BasePath, Token: "bench-" + rand.Text()}
	t.server = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.current.Load().ServeHTTP(w, r) }),
		ReadHeaderTimeout: time.Minute,
	}
	t.reset(emulator.Options{})
	go func() {
		if err := t.server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic("bench: the emulator stopped serving: " + err.Error())
		}
	}()
	return t, nil
}

// reset replaces the company with an empty one configured by opts (its token is the tenant's).
func (t *tenant) reset(opts emulator.Options) *emulator.Server {
	opts.Token = t.Token
	e := emulator.New(opts)
	t.current.Store(e)
	return e
}

func (t *tenant) close() error { return t.server.Close() }

// refused counts the requests answered 429 since the last ResetRequests.
func refused(e *emulator.Server) int {
	n := 0
	for _, r := range e.Requests() {
		if r.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

// groupPatches counts the PATCH requests to groups since the last ResetRequests and the member
// values they carry, across all their operations.
func groupPatches(e *emulator.Server) (patches, members int) {
	for _, r := range e.Requests() {
		if r.Method != http.MethodPatch || !strings.HasPrefix(r.Path, emulator.BasePath+"/Groups/") {
			continue
		}
		patches++
		var body struct {
			Operations []struct {
				Value json.RawMessage `json:"value"`
			} `json:"Operations"`
		}
		if json.Unmarshal(r.Body, &body) != nil {
			continue
		}
		for _, op := range body.Operations {
			var values []json.RawMessage
			if json.Unmarshal(op.Value, &values) == nil {
				members += len(values)
			}
		}
	}
	return patches, members
}
