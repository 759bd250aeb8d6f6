package sagemakerfake

import (
	"net/http"
	"slices"
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
//  3. Hang: the call is held, with no effect, until the client gives up (the request's context
//     ends: over TCP, when the client closes the connection) or the server closes; then the
//     connection is closed without an answer.
//  4. Code: the call fails with this error and has no effect.
//  5. Otherwise the call takes effect; with DropAfterCommit the connection is then closed without
//     an answer (the "lost response" a retrying client must cope with), and with
//     HangAfterCommit the answer is held as for Hang and never sent.
//  6. Truncate: the answer, the error of step 4 or the call's own, is sent with the
//     Content-Length of the whole body but only its first half, and the connection is closed:
//     the client reads part of the body, then io.ErrUnexpectedEOF. The AWS SDK for Go reports
//     it as a failure to decode the answer (a *smithy.DeserializationError) and does not retry.
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
	// Hang holds the call, without acting, until the client gives up or the server closes.
	Hang bool
	// HangAfterCommit acts on the call, then holds the answer until the client gives up or the
	// server closes.
	HangAfterCommit bool
	// Truncate cuts the answer short after half its body and closes the connection.
	Truncate bool
}

// Call is what a fault function (WithFaultFunc) knows of a call when it decides its fault.
type Call struct {
	// Operation is the operation's name, such as "CreateApp".
	Operation string
	// UserAgent is the request's User-Agent header; the AWS SDK for Go puts
	// sagemaker.Options.AppID in it as "app/<id>", which tells callers apart.
	UserAgent string
	// RequestID is the X-Amzn-RequestId the server gave the call.
	RequestID string
	// Header is a copy of the request's headers (amz-sdk-request carries the SDK's attempt
	// number, for instance).
	Header http.Header
	// Body is a copy of the request's JSON body.
	Body []byte
	// Time is the server's clock when the call arrived.
	Time time.Time
}

// WithFaultFunc makes fault decide, for every call, the fault it meets: a nil result means no
// fault from fault. It is asked before the faults of InjectFault: a call that fault gives a Fault
// meets that one alone, and the injected faults are not consulted (their Times and Probability
// are left as they were); a call that it gives nil meets the injected faults as usual. A
// throttle (SetThrottle) applies either way. The Times and Probability of a Fault that fault
// returns are ignored: it decides each call. Since it sees only the call, a seeded simulation can
// make the same decisions in every run whatever the order in which goroutines send their calls.
// It is called on the request's goroutine, without the server's lock, concurrently with other
// calls: it must be safe for concurrent use, and it may call the Server.
func WithFaultFunc(fault func(Call) *Fault) Option {
	return func(c *config) { c.faultFunc = fault }
}

// SetFaultFunc replaces the fault function of WithFaultFunc while the server runs; nil removes
// it. Calls already past it keep the fault it gave them.
func (s *Server) SetFaultFunc(fault func(Call) *Fault) {
	if fault == nil {
		s.faultFunc.Store(nil)
		return
	}
	s.faultFunc.Store(&fault)
}

// askFaultFunc asks fn for this call's fault, and returns a copy of it, or nil.
func (x *exchange) askFaultFunc(fn func(Call) *Fault, body []byte) *Fault {
	f := fn(Call{
		Operation: x.rec.Operation,
		UserAgent: x.rec.UserAgent,
		RequestID: x.id,
		Header:    x.r.Header.Clone(),
		Body:      slices.Clone(body),
		Time:      x.rec.Time,
	})
	if f == nil {
		return nil
	}
	picked := *f
	return &picked
}

// hang holds the call until its client gives up or the server closes, then closes the connection
// without an answer. Waiting on the request's context, which ends when the client's does in
// memory and when the client closes the connection over TCP, leaves no goroutine behind.
func (x *exchange) hang() {
	select {
	case <-x.r.Context().Done():
	case <-x.s.closing:
	}
	x.drop()
}

// truncate sends the first half of payload, whose status and whole Content-Length are already
// written, and closes the connection. The in-memory transport gives its client what was flushed,
// and then io.ErrUnexpectedEOF, as a net/http client reads a connection closed short of the
// Content-Length.
func (x *exchange) truncate(payload []byte) {
	_, _ = x.w.Write(payload[:len(payload)/2])
	_ = http.NewResponseController(x.w).Flush()
	x.wrote, x.dropped, x.rec.Dropped = true, true, true
	panic(http.ErrAbortHandler)
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

// pickFault returns the fault that affects this call of op, if any (only when pick is true), and
// whether a throttle refused it. The caller holds s.mu.
func (s *Server) pickFault(op string, pick bool) (f *Fault, throttled bool) {
	now := s.clock.Now()
	for _, key := range [2]string{op, AllOperations} {
		if b := s.throttles[key]; b != nil && !throttled && !b.take(now) {
			throttled = true
		}
	}
	for _, key := range [2]string{op, AllOperations} {
		if !pick {
			break
		}
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
