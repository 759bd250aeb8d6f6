package sagemakerfake

import (
	"time"
)

// AllOperations stands for every operation when given to InjectFault, ClearFaults or SetThrottle.
const AllOperations = "*"

// Fault is a misbehaviour that the server injects into calls of one operation. What happens to a
// call that a fault matches, in this order:
//
//  1. Latency: the call waits this long, in wall-clock time, before it is handled. A client that
//     gives up meanwhile does not stop it: like the real service, the fake still carries the call
//     out (only closing the server cuts the wait short).
//  2. DropBeforeCommit: the connection is closed without an answer and the call has no effect.
//  3. Code: the call fails with this error and has no effect.
//  4. Otherwise the call takes effect; with DropAfterCommit the connection is then closed without
//     an answer (the "lost response" a retrying client must cope with).
//
// The zero value of each field leaves that step out, so Fault{Latency: time.Second} only slows
// calls down.
type Fault struct {
	// Code is the error code to answer with, such as "InternalFailure", "ServiceUnavailable",
	// "ThrottlingException" or a modelled one such as "ResourceInUse".
	Code string
	// Status is the HTTP status of the error; 0 means the service's status for Code (500 for
	// InternalFailure, 503 for ServiceUnavailable, 400 otherwise).
	Status int
	// Message is the error message; "" means a message in the service's style for Code.
	Message string
	// Times is how many calls the fault affects before it removes itself; 0 means every call
	// until ClearFaults.
	Times int
	// Probability is the chance, from 0 to 1, that a call is affected; 0 and 1 both mean every
	// call. The draws come from the server's seeded source (WithRandSeed), so runs repeat.
	Probability float64
	// Latency delays each affected call; see above.
	Latency time.Duration
	// DropBeforeCommit closes the connection without answering and without acting.
	DropBeforeCommit bool
	// DropAfterCommit acts on the call, then closes the connection without answering.
	DropAfterCommit bool
}

var defaultFaultMessages = map[string]string{
	CodeInternalFailure:    "We encountered an internal error. Please try again.",
	CodeServiceUnavailable: "Service is unavailable. Please try again later.",
	CodeThrottling:         "Rate exceeded",
}

type activeFault struct {
	Fault
	left int // calls left when Times > 0
}

// bucket is a token bucket on the server's clock: a test that never advances a ManualClock sees
// exactly burst calls pass.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func (b *bucket) take(now time.Time) bool {
	if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// InjectFault adds a fault for calls of op (an operation name such as "CreateApp", or
// AllOperations). Faults of one operation are tried in the order they were added, the operation's
// own before those for AllOperations; a call is affected by the first that matches it.
func (s *Server) InjectFault(op string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faulty.Store(true)
	s.faults[op] = append(s.faults[op], &activeFault{Fault: f, left: f.Times})
}

// ClearFaults removes every fault and the throttle of op (or, for AllOperations, of every
// operation).
func (s *Server) ClearFaults(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if op == AllOperations {
		clear(s.faults)
		clear(s.throttles)
		return
	}
	delete(s.faults, op)
	delete(s.throttles, op)
}

// SetThrottle limits calls of op (or, for AllOperations, all calls together) to ratePerSecond on
// the server's clock, with bursts of up to burst calls; a call over the limit fails with
// ThrottlingException ("Rate exceeded"), which SDKs retry. A rate of 0 or less removes the limit.
func (s *Server) SetThrottle(op string, ratePerSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ratePerSecond <= 0 {
		delete(s.throttles, op)
		return
	}
	burst = max(burst, 1)
	s.faulty.Store(true)
	s.throttles[op] = &bucket{rate: ratePerSecond, burst: float64(burst), tokens: float64(burst), last: s.clock.Now()}
}

// pickFault returns the fault that affects this call of op, if any, and whether a throttle refused
// it. The caller holds s.mu.
func (s *Server) pickFault(op string) (f *Fault, throttled bool) {
	now := s.clock.Now()
	for _, key := range [2]string{op, AllOperations} {
		if b := s.throttles[key]; b != nil && !throttled && !b.take(now) {
			throttled = true
		}
	}
	for _, key := range [2]string{op, AllOperations} {
		list := s.faults[key]
		for i, af := range list {
			if af.Probability > 0 && af.Probability < 1 && s.rng.Float64() >= af.Probability {
				continue
			}
			picked := af.Fault
			if af.Times > 0 {
				af.left--
				if af.left == 0 {
					s.faults[key] = append(list[:i:i], list[i+1:]...)
				}
			}
			return &picked, throttled
		}
	}
	return nil, throttled
}
