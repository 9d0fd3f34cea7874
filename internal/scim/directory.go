package scim

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// DirectoryOptions tunes how Users and Groups serve many reads.
type DirectoryOptions struct {
	// PageSize is the page size of the shared listing; 0 means the kind's
	// default (1000 users, 100 groups).
	PageSize int
	// Disabled turns bulk refresh off: every read is its own request (its
	// misses still confirmed). Benchmarks compare against it, and it is the
	// escape hatch should the listing ever misbehave.
	Disabled bool
}

// directory is the run's view of one kind of SCIM resource (users, groups),
// shared by Users and Groups: reads that cost at most about twice the cheaper
// of "one GET each" and "one listing" whatever the company's size (the
// ski-rental rule below), writes that win over the listing, and misses that
// are confirmed against the endpoint before anyone is told "gone".
//
// The first read is a single request. The next learns the size of the
// company with one small request (count), and from then on reads stay single
// until they have cost as many requests as one listing would (a page per
// PageSize resources); then one shared listing serves every read after it.
type directory[T any] struct {
	endpoint string // "Users", "Groups"
	log      logger
	opts     DirectoryOptions
	id       func(T) string
	name     func(T) string // the case-insensitive lookup key: userName, displayName
	count    func(ctx context.Context) (int, error)
	list     func(ctx context.Context, pageSize int) ([]T, error)
	served   *atomic.Bool // set by its owner on any answered request

	mu      sync.Mutex
	reads   int          // reads so far, each counted as the single request it would cost
	size    *companySize // nil until the second read (or a miss to confirm) needs it
	listing *listing[T]  // nil until the reads have paid for it
	known   knownSet[T]  // as this run's writes (and single reads) left them; they win over the listing
	deleted map[string]bool
}

// companySize is the one count of a directory. It also proves the endpoint
// (see confirmNotFound). total and err are set before done is closed and
// never change afterwards, so readers need no lock once done is closed.
type companySize struct {
	done  chan struct{}
	total int   // -1 when TeamViewer did not say
	err   error // nil when the endpoint answered
}

// listing is the one listing of a directory. Its fields are set before done
// is closed and never change afterwards, so readers need no lock once done
// is closed.
type listing[T any] struct {
	done   chan struct{}
	items  []T              // in the server's order
	byID   map[string]int   // position in items
	byName map[string][]int // positions in items by foldKey(name)
	failed bool             // reads fall back to single requests; the error went to the log
}

// isLoaded reports whether l has loaded, without waiting.
func (l *listing[T]) isLoaded() bool {
	select {
	case <-l.done:
		return !l.failed
	default:
		return false
	}
}

// read serves one read: from what the run wrote, else from the listing once
// the reads have paid for it, else (before that, after a failed listing, or
// on a miss) with fetch, the single request. known looks the item up in the
// writes and the listing l (nil: the writes only).
func (d *directory[T]) read(ctx context.Context, op string, known func(l *listing[T]) (T, bool), fetch func() (T, error)) (T, error) {
	var zero T
	if d.opts.Disabled {
		return fetch()
	}
	if v, ok := known(nil); ok {
		return v, nil
	}
	l, err := d.awaitListing(ctx, op, d.rentOrBuy)
	if err != nil {
		return zero, err
	}
	if v, ok := known(l); ok {
		return v, nil
	}
	return fetch()
}

// awaitListing returns the listing that decide starts or finds, waiting for
// it to load, or nil when decide says the read is to be a single request or
// the listing failed. Only the wait honours ctx: the listing serves every
// reader, so it runs on without the cancellation of the read that started it.
func (d *directory[T]) awaitListing(ctx context.Context, op string, decide func(ctx context.Context, op string) (*listing[T], error)) (*listing[T], error) {
	l, err := decide(ctx, op)
	if err != nil || l == nil {
		return nil, err
	}
	if err := await(ctx, op, l.done); err != nil {
		return nil, err
	}
	if l.failed {
		return nil, nil
	}
	return l, nil
}

// rentOrBuy counts a read and decides how it is served: nil for a single
// request, else the listing, started when the reads so far have cost as many
// requests as the listing will. The first read of a run is always single (a
// listing costs at least one request too); later ones need the size of the
// company, counted once and awaited. When that count fails, or TeamViewer
// does not say the total, reads stay single: never more than one request
// each, whatever the company.
func (d *directory[T]) rentOrBuy(ctx context.Context, op string) (*listing[T], error) {
	d.mu.Lock()
	d.reads++
	reads, l := d.reads, d.listing
	var size *companySize
	if l == nil && reads > 1 {
		size = d.countOnce(ctx)
	}
	d.mu.Unlock()
	if size == nil {
		return l, nil
	}
	if err := await(ctx, op, size.done); err != nil {
		return nil, err
	}
	if size.err != nil || size.total < 0 {
		return nil, nil
	}
	pages := max(1, (size.total+d.opts.PageSize-1)/d.opts.PageSize)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.listing == nil && pages <= d.reads {
		d.listing = d.startListing(ctx)
	}
	return d.listing, nil
}

// loadListing returns the listing, starting it if no read has yet: a
// case-insensitive lookup needs every item.
func (d *directory[T]) loadListing(ctx context.Context, _ string) (*listing[T], error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.listing == nil {
		d.listing = d.startListing(ctx)
	}
	return d.listing, nil
}

// loaded returns the listing if it has loaded, without waiting or starting it.
func (d *directory[T]) loaded() *listing[T] {
	d.mu.Lock()
	l := d.listing
	d.mu.Unlock()
	if l == nil || !l.isLoaded() {
		return nil
	}
	return l
}

// countOnce returns the count of the company, starting it on the first call;
// d.mu is held.
func (d *directory[T]) countOnce(ctx context.Context) *companySize {
	if d.size == nil {
		s := &companySize{done: make(chan struct{}), total: -1}
		ctx = context.WithoutCancel(ctx)
		go func() {
			defer close(s.done)
			s.total, s.err = d.count(ctx)
			if s.err == nil {
				d.served.Store(true)
			}
		}()
		d.size = s
	}
	return d.size
}

// startListing loads every item in the background; d.mu is held. It runs
// under ctx's values (the logger) without its cancellation, bounded by the
// Client's timeouts and retries.
func (d *directory[T]) startListing(ctx context.Context) *listing[T] {
	l := &listing[T]{done: make(chan struct{})}
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer close(l.done)
		items, err := d.list(ctx, d.opts.PageSize)
		if err != nil {
			l.failed = true
			d.log.debug(ctx, "SCIM bulk refresh: listing "+d.endpoint+" failed; reading them one at a time",
				map[string]any{"error": err.Error()})
			return
		}
		d.served.Store(true)
		l.items = items
		l.byID = make(map[string]int, len(items))
		l.byName = make(map[string][]int, len(items))
		for i, v := range items {
			l.byID[d.id(v)] = i
			key := foldKey(d.name(v))
			l.byName[key] = append(l.byName[key], i)
		}
		d.log.debug(ctx, "SCIM bulk refresh: listed "+d.endpoint, map[string]any{"count": len(items)})
	}()
	return l
}

// confirmNotFound returns err unchanged unless it matches ErrNotFound; then
// it checks, once per directory, that the base URL serves the endpoint:
// callers drop a resource on ErrNotFound, and a mistyped tenant URL
// (…/scim/v2/v3) or a proxy answers 404 to every request. Any request that
// was answered with a resource or a ListResponse proves the endpoint;
// otherwise the count that bulk refresh makes anyway is made or awaited, and
// its outcome kept for the run, so that a failing endpoint costs its retries
// once. If the endpoint answered, err is returned: the resource really is
// gone. If not, the result is an *Error that does not match ErrNotFound,
// naming the base URL and wrapping the check's failure.
func (d *directory[T]) confirmNotFound(ctx context.Context, err error, baseURL string) error {
	if !errors.Is(err, ErrNotFound) || d.served.Load() {
		return err
	}
	op := "confirm not found"
	var e *Error
	if errors.As(err, &e) {
		op = e.Operation
	}
	d.mu.Lock()
	size := d.countOnce(ctx)
	d.mu.Unlock()
	if waitErr := await(ctx, op, size.done); waitErr != nil {
		return waitErr
	}
	if size.err == nil {
		return err
	}
	return &Error{Operation: op, err: fmt.Errorf(
		"the tenant URL %s does not serve TeamViewer's SCIM %s endpoint (TeamViewer's tenant URL is %s), so a 404 does "+
			"not show that it is gone; check tenant_url or TEAMVIEWER_TENANT_URL: %w",
		baseURL, d.endpoint, DefaultBaseURL, notFoundHidden{size.err})}
}

// await waits for done, or for ctx to end, returning an *Error then.
func await(ctx context.Context, op string, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return &Error{Operation: op, err: ctx.Err()}
	}
}

// byID returns the item with the given id as last written, else as the
// listing l (nil: none) has it. ok is false for an item this run deleted.
func (d *directory[T]) byID(l *listing[T], id string) (v T, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.deleted[id] {
		return v, false
	}
	if v, ok := d.known.byID[id]; ok {
		return v, true
	}
	if l != nil {
		if i, ok := l.byID[id]; ok {
			return l.items[i], true
		}
	}
	return v, false
}

// candidates returns the items known whose name equals name without regard
// to case: from the writes, and from the listing l (nil: none) those the
// writes do not override. Both are indexed by folded name, so a lookup costs
// the same in a company of ten or of fifty thousand.
func (d *directory[T]) candidates(l *listing[T], name string) []T {
	key := foldKey(name)
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []T
	if l != nil {
		for _, i := range l.byName[key] {
			id := d.id(l.items[i])
			if _, overridden := d.known.byID[id]; !overridden && !d.deleted[id] {
				out = append(out, l.items[i])
			}
		}
	}
	for id := range d.known.byName[key] {
		out = append(out, d.known.byID[id])
	}
	return out
}

// remember records v as this run's latest view of it.
func (d *directory[T]) remember(v T) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.known.put(d.id(v), d.name(v), v)
	delete(d.deleted, d.id(v))
}

// change applies edit to the run's latest view of the item with the given
// id, under the directory's lock, so that concurrent writes whose answers
// arrive out of order cannot undo each other in the view; an item the run
// does not know is left alone, and read from the server when next needed.
func (d *directory[T]) change(id string, edit func(T) T) {
	d.mu.Lock()
	defer d.mu.Unlock()
	v, ok := d.known.byID[id]
	if !ok && d.listing != nil && d.listing.isLoaded() {
		if i, listed := d.listing.byID[id]; listed {
			v, ok = d.listing.items[i], true
		}
	}
	if ok {
		v = edit(v)
		d.known.put(id, d.name(v), v)
	}
}

// forget records that the item with the given id is gone.
func (d *directory[T]) forget(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.known.drop(id)
	if d.deleted == nil {
		d.deleted = make(map[string]bool)
	}
	d.deleted[id] = true
}

// knownSet holds items by id and by folded name.
type knownSet[T any] struct {
	byID   map[string]T
	names  map[string]string          // id → folded name under which it is indexed
	byName map[string]map[string]bool // folded name → ids
}

func newKnownSet[T any]() knownSet[T] {
	return knownSet[T]{byID: make(map[string]T), names: make(map[string]string), byName: make(map[string]map[string]bool)}
}

func (k knownSet[T]) put(id, name string, v T) {
	k.drop(id)
	k.byID[id] = v
	key := foldKey(name)
	k.names[id] = key
	if k.byName[key] == nil {
		k.byName[key] = make(map[string]bool)
	}
	k.byName[key][id] = true
}

func (k knownSet[T]) drop(id string) {
	if key, ok := k.names[id]; ok {
		delete(k.byName[key], id)
		delete(k.names, id)
	}
	delete(k.byID, id)
}
