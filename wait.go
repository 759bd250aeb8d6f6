package sagemakerapp

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// Defaults of WaitOptions.
const (
	DefaultMinDelay    = 2 * time.Second
	DefaultMaxDelay    = 20 * time.Second
	DefaultWaitTimeout = 15 * time.Minute
)

// notFoundGrace is how long a wait takes ResourceNotFound, or a record older than the create it
// follows, for an app not yet visible: the service is eventually consistent right after a
// CreateApp.
const notFoundGrace = 20 * time.Second

// WaitOptions configure a wait (WaitForApp, WaitForAppDeleted) and the waiting and retrying of
// EnsureApp. The zero value means the defaults: polls 2 s apart at first, growing to 20 s, for at
// most 15 minutes. Change them with the functions a call takes:
//
//	app, err := client.WaitForApp(ctx, id, func(o *sagemakerapp.WaitOptions) {
//		o.Timeout = 5 * time.Minute
//		o.OnStatus = func(a *sagemakerapp.App) { log.Println(a.ID, a.Status) }
//	})
type WaitOptions struct {
	// MinDelay and MaxDelay bound the pause between polls. Pauses start at MinDelay and double
	// up to MaxDelay; each is half fixed and half random (equal jitter), so that many waits do
	// not poll in step. Zero means DefaultMinDelay and DefaultMaxDelay.
	MinDelay, MaxDelay time.Duration

	// Timeout bounds the whole wait; the context's deadline applies as well. Running out of
	// either is an error that is both ErrWaitTimeout and context.DeadlineExceeded. Zero means
	// DefaultWaitTimeout.
	Timeout time.Duration

	// OnStatus, if set, is called with the app each time a poll sees its status change
	// (including the first poll), for progress and logs. It is called from the waiting
	// goroutine and must not block for long.
	OnStatus func(*App)

	// ClientOptions are the SDK's per-call options for every call the wait makes.
	ClientOptions []func(*sagemaker.Options)
}

func newWaitOptions(optFns []func(*WaitOptions)) WaitOptions {
	var o WaitOptions
	for _, fn := range optFns {
		fn(&o)
	}
	o.setDefaults()
	return o
}

func (o *WaitOptions) setDefaults() {
	if o.MinDelay <= 0 {
		o.MinDelay = DefaultMinDelay
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = DefaultMaxDelay
	}
	o.MaxDelay = max(o.MaxDelay, o.MinDelay)
	if o.Timeout <= 0 {
		o.Timeout = DefaultWaitTimeout
	}
}

// backoff yields the pauses between polls: exponential from MinDelay to MaxDelay with equal
// jitter (half the capped pause fixed, half uniformly random). smithy-go's ComputeDelay draws the
// whole pause uniformly between MinDelay and the cap, which at 2 s/20 s averages 11 s once
// saturated and polls about 30 times over a five-minute start; equal jitter averages 15 s.
// The random halves come in antithetic pairs (u, then 1-u), so that each pause is still uniformly
// jittered while any two successive saturated pauses add up to exactly 1.5×MaxDelay: the number
// of polls over a long wait is then as predictable as with a fixed 15 s, at most 24 for five
// minutes at the defaults, instead of merely averaging that.
type backoff struct {
	min, max time.Duration
	n        int     // pauses so far
	u        float64 // the draw of the last odd pause, whose complement the next pause takes
	rand     func() float64
}

func newBackoff(o *WaitOptions) *backoff {
	return &backoff{min: o.MinDelay, max: o.MaxDelay, rand: rand.Float64}
}

func (b *backoff) next() time.Duration {
	capped := b.max
	if b.n < 32 && b.min<<b.n > 0 && b.min<<b.n < b.max {
		capped = b.min << b.n
	}
	b.n++
	half := capped / 2
	span := capped - half
	if b.n%2 == 1 {
		b.u = b.rand()
		return max(half+time.Duration(b.u*float64(span)), b.min)
	}
	return max(half+span-time.Duration(b.u*float64(span)), b.min)
}

// waiter runs one wait: its deadline, its pauses and what it has seen.
type waiter struct {
	c        *Client
	opts     WaitOptions
	id       AppID
	start    time.Time
	deadline time.Time
	// since, when set, is when the create this wait follows began: a record of the app created
	// before it (minus the clock skew) is an old one, not yet replaced.
	since   time.Time
	backoff *backoff
	last    *App
	lastErr error
}

func (c *Client) newWaiter(id AppID, opts WaitOptions) *waiter {
	now := c.opts.Now()
	return &waiter{c: c, opts: opts, id: id, start: now, deadline: now.Add(opts.Timeout), backoff: newBackoff(&opts)}
}

// pause sleeps before the next poll. It returns the error that ends the wait: a timeout (both
// ErrWaitTimeout and context.DeadlineExceeded) or the context's cancellation.
func (w *waiter) pause(ctx context.Context, want string) error {
	remaining := w.deadline.Sub(w.c.opts.Now())
	if remaining <= 0 {
		return w.timeout(want)
	}
	if err := w.c.opts.Sleep(ctx, min(w.backoff.next(), remaining)); err != nil {
		return w.contextError(ctx, err, want)
	}
	return nil
}

// contextError turns the end of ctx into the wait's error: a deadline is a timeout.
func (w *waiter) contextError(ctx context.Context, err error, want string) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return w.timeout(want)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return err
}

func (w *waiter) timeout(want string) error {
	e := &waitTimeoutError{id: w.id, want: want, lastErr: w.lastErr}
	if w.last != nil {
		e.last = w.last.Status
	}
	return e
}

// poll describes the app once. It returns the app, or nil and nil when the app is not visible
// yet within the grace window, or an error that ends the wait. Throttling and service faults,
// which the SDK has already retried, are noted and the wait goes on.
func (w *waiter) poll(ctx context.Context, want string) (*App, error) {
	app, err := w.c.DescribeApp(ctx, w.id, w.opts.ClientOptions...)
	now := w.c.opts.Now()
	switch {
	case err == nil:
		if w.stale(app) && now.Sub(w.start) < notFoundGrace {
			return nil, nil
		}
		if w.opts.OnStatus != nil && (w.last == nil || w.last.Status != app.Status) {
			w.opts.OnStatus(app)
		}
		w.last, w.lastErr = app, nil
		return app, nil
	case ctx.Err() != nil:
		return nil, w.contextError(ctx, err, want)
	case errors.Is(err, ErrResourceNotFound):
		if now.Sub(w.start) < notFoundGrace {
			w.lastErr = err
			return nil, nil
		}
		return nil, err
	case isTransient(err):
		w.lastErr = err
		return nil, nil
	}
	return nil, err
}

// stale reports whether app is a record older than the create this wait follows.
func (w *waiter) stale(app *App) bool {
	return !w.since.IsZero() && !app.CreationTime.IsZero() && app.CreationTime.Before(w.since.Add(-w.c.opts.ClockSkew))
}

// isTransient reports whether a call may succeed if made again: throttling, or a service fault or
// transport failure that the SDK's retries did not get past.
func isTransient(err error) bool {
	return errors.Is(err, ErrThrottled) || errors.Is(err, ErrServiceUnavailable)
}

// WaitForApp polls the app that id names until it is InService, and returns it. A Failed app is
// an *AppFailedError (ErrAppFailed) whose App.FailureReason says why, as is an app that is
// deleted meanwhile; running out of time is an error that is both ErrWaitTimeout and
// context.DeadlineExceeded. ResourceNotFound in the first seconds of the wait is taken for an
// app not visible yet, as the service is eventually consistent right after CreateApp; throttling
// and service faults are retried at the next poll. See WaitOptions for the pace.
func (c *Client) WaitForApp(ctx context.Context, id AppID, optFns ...func(*WaitOptions)) (*App, error) {
	if err := id.validate(); err != nil {
		return nil, err
	}
	if c.api == nil {
		return nil, &APIError{Operation: "DescribeApp", Err: errNoAPI}
	}
	return c.waitInService(ctx, c.newWaiter(id, newWaitOptions(optFns)))
}

func (c *Client) waitInService(ctx context.Context, w *waiter) (*App, error) {
	const want = "InService"
	for {
		app, err := w.poll(ctx, want)
		if err != nil {
			return nil, err
		}
		if app != nil {
			switch app.Status {
			case types.AppStatusInService:
				return app, nil
			case types.AppStatusFailed, types.AppStatusDeleting, types.AppStatusDeleted:
				return nil, &AppFailedError{App: app}
			}
		}
		if err := w.pause(ctx, want); err != nil {
			return nil, err
		}
	}
}

// WaitForAppDeleted polls the app that id names until it is gone: Deleted, not found, or Failed
// (the service deletes a failed app itself). Running out of time is an error that is both
// ErrWaitTimeout and context.DeadlineExceeded. It does not delete the app: DeleteApp does.
func (c *Client) WaitForAppDeleted(ctx context.Context, id AppID, optFns ...func(*WaitOptions)) error {
	if err := id.validate(); err != nil {
		return err
	}
	if c.api == nil {
		return &APIError{Operation: "DescribeApp", Err: errNoAPI}
	}
	return c.waitDeleted(ctx, c.newWaiter(id, newWaitOptions(optFns)))
}

func (c *Client) waitDeleted(ctx context.Context, w *waiter) error {
	const want = "Deleted"
	for {
		app, err := w.c.DescribeApp(ctx, w.id, w.opts.ClientOptions...)
		switch {
		case err == nil:
			if w.opts.OnStatus != nil && (w.last == nil || w.last.Status != app.Status) {
				w.opts.OnStatus(app)
			}
			w.last, w.lastErr = app, nil
			if app.Status == types.AppStatusDeleted || app.Status == types.AppStatusFailed {
				return nil
			}
		case errors.Is(err, ErrResourceNotFound):
			return nil
		case ctx.Err() != nil:
			return w.contextError(ctx, err, want)
		case isTransient(err):
			w.lastErr = err
		default:
			return err
		}
		if err := w.pause(ctx, want); err != nil {
			return err
		}
	}
}
