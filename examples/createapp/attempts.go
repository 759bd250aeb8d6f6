package main

import (
	"context"
	"net/url"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// tracker follows every attempt of every SDK call the program makes, below the SDK's retries
// and the library's: the library's waits keep the errors they retry to themselves until they
// time out, and even then only as text, so the progress lines and the messages for people read
// them here. It also keeps the last status of the space seen, and whether CreateApp was sent,
// for the message of an interruption.
type tracker struct {
	now func() time.Time
	// failed, if set, is called after an attempt that failed, outside the lock.
	failed func()

	mu           sync.Mutex
	endpoint     string // scheme://host of the last attempt
	lastErr      *attemptError
	failingSince time.Time // the first failure of the attempts that have failed since the last success
	inFlight     map[*attempt]attemptStart
	createSent   bool // a CreateApp request went to the wire (it may have reached the service)
	spaceStatus  types.SpaceStatus
	// noIdentityStep is set when the client's stack has no GetIdentity step to mark.
	noIdentityStep bool
}

// attemptError is an attempt that failed: the operation, the SDK's error for that attempt,
// and the endpoint of the last request sent.
type attemptError struct {
	op, endpoint string
	err          error
	at           time.Time
}

type attemptStart struct {
	op string
	at time.Time
}

func newTracker(now func() time.Time) *tracker {
	return &tracker{now: now, inFlight: map[*attempt]attemptStart{}}
}

// sdkOption adds the tracker to a client's middleware, in the Finalize step: around each
// attempt (just inside the SDK's retry loop), after the credentials are resolved
// (GetIdentity), and last, where the request goes to the wire with its endpoint resolved.
func (t *tracker) sdkOption(o *sagemaker.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		around := middleware.FinalizeMiddlewareFunc("createappAttempt", t.around)
		if err := s.Finalize.Insert(around, "Retry", middleware.After); err != nil {
			if err := s.Finalize.Add(around, middleware.Before); err != nil { // a client without the SDK's retryer
				return err
			}
		}
		identified := middleware.FinalizeMiddlewareFunc("createappIdentified", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if a, ok := ctx.Value(attemptKey{}).(*attempt); ok {
				a.identified = true
			}
			return next.HandleFinalize(ctx, in)
		})
		if err := s.Finalize.Insert(identified, "GetIdentity", middleware.After); err != nil {
			t.noIdentityStep = true
		}
		return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("createappSent", t.sent), middleware.After)
	})
}

// attempt is one attempt of a call, as the tracker's middleware sees it go down the stack.
type attempt struct {
	op         string
	identified bool // the credentials were resolved
	sent       bool // the request went to the wire
}

type attemptKey struct{}

// credentialsError marks an attempt that failed before its credentials were resolved: the SDK
// wraps such a failure in nothing that errors.As can find. Its text is the SDK's.
type credentialsError struct{ err error }

func (e *credentialsError) Error() string { return e.err.Error() }
func (e *credentialsError) Unwrap() error { return e.err }

func (t *tracker) around(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	a := &attempt{op: middleware.GetOperationName(ctx)}
	out, md, err := next.HandleFinalize(context.WithValue(ctx, attemptKey{}, a), in)
	if err != nil && !a.identified && !t.noIdentityStep && ctx.Err() == nil {
		err = &credentialsError{err}
	}
	t.finish(ctx, a, out.Result, err)
	return out, md, err
}

func (t *tracker) sent(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	a, _ := ctx.Value(attemptKey{}).(*attempt)
	t.mu.Lock()
	if req, ok := in.Request.(*smithyhttp.Request); ok && req.URL != nil {
		t.endpoint = (&url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host}).String()
	}
	if a != nil {
		a.sent = true
		t.inFlight[a] = attemptStart{a.op, t.now()}
		t.createSent = t.createSent || a.op == "CreateApp"
	}
	t.mu.Unlock()
	return next.HandleFinalize(ctx, in)
}

func (t *tracker) finish(ctx context.Context, a *attempt, result any, err error) {
	t.mu.Lock()
	delete(t.inFlight, a)
	if out, ok := result.(*sagemaker.DescribeSpaceOutput); ok && err == nil && out != nil {
		t.spaceStatus = out.Status
	}
	report := false
	switch {
	case err == nil:
		t.lastErr, t.failingSince = nil, time.Time{}
	case ctx.Err() != nil: // the wait's end or an interruption, not the endpoint's doing
	default:
		now := t.now()
		if t.lastErr == nil {
			t.failingSince = now
		}
		t.lastErr = &attemptError{op: a.op, endpoint: t.endpoint, err: err, at: now}
		report = true
	}
	t.mu.Unlock()
	if report && t.failed != nil {
		t.failed()
	}
}

// state is what the tracker knows, copied under its lock.
type trackerState struct {
	endpoint     string
	lastErr      *attemptError
	failingSince time.Time
	oldest       *attemptStart // the attempt in flight the longest
	createSent   bool
	spaceStatus  types.SpaceStatus
}

func (t *tracker) state() trackerState {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := trackerState{endpoint: t.endpoint, lastErr: t.lastErr, failingSince: t.failingSince, createSent: t.createSent, spaceStatus: t.spaceStatus}
	for _, a := range t.inFlight {
		if s.oldest == nil || a.at.Before(s.oldest.at) {
			s.oldest = &a
		}
	}
	return s
}
