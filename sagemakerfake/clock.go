package sagemakerfake

import (
	"sync"
	"time"
)

// Clock tells the fake what time it is. App statuses, timestamps and throttle buckets are all
// computed from it when a request reads them, so the fake runs no background goroutines and a test
// that moves a ManualClock sees every transition at once.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock. A server from Run, and the standalone server, use it.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that moves only when told to. It is the default clock of a Server from
// Start, which starts it at the wall-clock time. It is safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock that reads start until it is advanced.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{now: start}
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d; a negative d is ignored, because the fake's state assumes
// time never runs backwards.
func (c *ManualClock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
