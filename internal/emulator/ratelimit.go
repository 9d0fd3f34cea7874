package emulator

import (
	"math"
	"time"
)

// RateLimit is a token bucket in front of the API, as TeamViewer's Web API
// has one (its numbers are not published). The bucket holds Burst tokens,
// starts full and refills at PerSecond; each SCIM request takes one, and a
// request that finds none is answered 429 with TeamViewer's
// rate_limit_reached error and a Retry-After of the whole seconds until the
// next token (at least 1). The zero RateLimit means no limit.
type RateLimit struct {
	PerSecond float64
	// Burst is the bucket's size; less than 1 means 1.
	Burst int
}

// tokenBucket applies a RateLimit. It does no locking: Server.mu guards it.
type tokenBucket struct {
	limit  RateLimit
	tokens float64
	last   time.Time // of the last refill; zero before the first request
}

// take takes a token at now, or reports how long until one is there.
func (b *tokenBucket) take(now time.Time) (ok bool, wait time.Duration) {
	if b.limit.PerSecond <= 0 {
		return true, 0
	}
	burst := float64(max(b.limit.Burst, 1))
	switch {
	case b.last.IsZero():
		b.tokens = burst
		b.last = now
	case now.After(b.last): // a clock that steps back refills nothing
		b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*b.limit.PerSecond)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration(math.Ceil((1 - b.tokens) / b.limit.PerSecond * float64(time.Second)))
}

// SetRateLimit replaces the rate limit for subsequent requests, with a full
// bucket.
func (s *Server) SetRateLimit(limit RateLimit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limiter = tokenBucket{limit: limit}
}
