package sagemakerapp

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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

	// OnConflict says what EnsureApp (and EnsureApps, the builder's Ensure) does with the app
	// it ensures when it finds it Pending or InService with another spec: ConflictFail, the
	// zero value, reports an *AppConflictError; ConflictReplace deletes it and creates the
	// requested spec (see ConflictReplace). The waits ignore it.
	OnConflict ConflictPolicy
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
	want     string // the status waited for, for the timeout's text
	start    time.Time
	deadline time.Time
	// since, when set, is when the create this wait follows began: until the app shows, the
	// service may still answer with the record before it.
	since time.Time
	// graceFrom starts the window in which ResourceNotFound means "not visible yet": the wait's
	// start, or the create it follows.
	graceFrom time.Time
	backoff   *backoff
	last      *App
	lastErr   error

	looked   bool      // the first look, which is never shared, has been made
	lookedAt time.Time // when the last look began
	due      time.Time // when the next look is due: the last look plus the next pause
	// pace is the wait's pace in shared rounds: the mean of a saturated pause (three quarters of
	// MaxDelay, equal jitter's mean), without the growth or the jitter, which spread the polls of
	// waits that do not share.
	pace     time.Duration
	joined   bool       // the wait is counted by its domain's poller
	unlisted bool       // a shared round did not reach the app: the wait describes it alone
	round    *listRound // the last shared round this wait used

	// create is what ensure adds to each CreateApp attempt: EnsureApps holds the creates of a
	// batch to its rate with its limiter, and starts the wait's Timeout when the first is sent.
	create createHooks
	// slots, when set, bounds the creates in flight of a batch: a wait holds a slot for its
	// first look and each create, never while it waits.
	slots   chan struct{}
	holding bool
	// first, when set, is the first look, made for the whole batch by one ListApps.
	first *firstLook
	// timer ends the context of bound when the deadline passes; restart moves it.
	timer *time.Timer
}

// firstLook is what a batch's ListApps said of an app before its creates: its latest record, or
// that it is not there.
type firstLook struct {
	record   *types.AppDetails
	describe bool // the list says nothing: describe the app
	alone    bool // and the caller may not list: describe it at every look
}

func (c *Client) newWaiter(id AppID, opts WaitOptions, want string) *waiter {
	now := c.opts.Now()
	return &waiter{c: c, opts: opts, id: id, want: want, start: now, graceFrom: now, deadline: now.Add(opts.Timeout),
		backoff: newBackoff(&opts), pace: opts.MaxDelay * 3 / 4}
}

// restartDeadline starts the wait's Timeout anew, from now: EnsureApps starts it when the first
// CreateApp attempt of an app is sent, not when the app was queued.
func (w *waiter) restartDeadline() {
	now := w.c.opts.Now()
	w.start, w.graceFrom, w.deadline = now, now, now.Add(w.opts.Timeout)
	if w.timer != nil {
		w.timer.Reset(w.opts.Timeout)
	}
}

// acquire takes a slot of the batch for a look or a create; release gives it back.
func (w *waiter) acquire(ctx context.Context) error {
	if w.slots == nil || w.holding {
		return nil
	}
	select {
	case w.slots <- struct{}{}:
		w.holding = true
		return nil
	case <-ctx.Done():
		return w.contextError(ctx, ctx.Err())
	}
}

func (w *waiter) release() {
	if w.holding {
		<-w.slots
		w.holding = false
	}
}

// waitMargin is how long past its Timeout a call in flight may take to return once the wait's
// context has ended: the time to unwind, not to finish the call.
const waitMargin = 100 * time.Millisecond

// bound returns ctx limited to the wait's Timeout, so that every call the wait makes ends with it:
// a hung connection or a slow answer cannot hold the wait past its deadline. The limit is on the
// real clock (a context's deadline is), and the wait's own deadline on the Client's clock still
// applies as well.
func (w *waiter) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	w.timer = time.AfterFunc(w.deadline.Sub(w.c.opts.Now()), func() { cancel(context.DeadlineExceeded) })
	return ctx, func() {
		w.timer.Stop()
		cancel(context.Canceled)
	}
}

// join counts the wait with its domain's poller, so that while other waits on the domain run, one
// ListApps round serves them all; leave undoes it. A wait that joins must leave.
func (w *waiter) join() {
	w.c.polls.join(w)
	w.joined = true
}

func (w *waiter) leave() {
	if w.joined {
		w.c.polls.leave(w)
		w.joined = false
	}
}

// next makes the wait's next look at the app: the first at once with DescribeApp, each later one
// when it is due, from the domain's next ListApps round while other waits on the domain run, or
// with DescribeApp after a pause. It returns the app; or the error of the look
// (ResourceNotFound, a transient fault, …) for the caller to judge; or, as final, the timeout or
// cancellation that ends the wait.
func (w *waiter) next(ctx context.Context) (app *App, err, final error) {
	if f := w.first; f != nil {
		w.first = nil
		w.lookAt(w.c.opts.Now())
		if f.record == nil {
			return nil, &APIError{Operation: "ListApps", Code: "ResourceNotFound", Message: "the app is not in its domain's list"}, nil
		}
		if st := f.record.Status; st == types.AppStatusDeleted || st == types.AppStatusFailed {
			// Ensure creates it again, and a record is all it needs for that.
			return &App{ID: w.id, Status: st, ResourceSpec: f.record.ResourceSpec, CreationTime: aws.ToTime(f.record.CreationTime)}, nil, nil
		}
		// A live app: DescribeApp says what a list cannot (its ARN, a failure's reason).
	}
	if w.looked {
		w.release() // a wait holds no slot of its batch

		if !w.c.opts.Now().Before(w.deadline) {
			return nil, nil, w.timeout()
		}
		if w.joined && !w.unlisted && w.c.polls.sharing(w.id.DomainID) {
			return w.nextShared(ctx)
		}
		if final := w.pause(ctx); final != nil {
			return nil, nil, final
		}
	}
	return w.describe(ctx)
}

// lookAt records a look that began at t and schedules the next one.
func (w *waiter) lookAt(t time.Time) {
	w.looked, w.lookedAt, w.due = true, t, t.Add(w.backoff.next())
}

// sharedDue is when the wait wants its next look from a shared round.
func (w *waiter) sharedDue() time.Time { return w.lookedAt.Add(w.pace) }

// describe looks at the app with DescribeApp.
func (w *waiter) describe(ctx context.Context) (*App, error, error) {
	w.lookAt(w.c.opts.Now())
	w.c.obs.poll(ctx, pollDescribe)
	app, err := w.c.DescribeApp(ctx, w.id, w.opts.ClientOptions...)
	if err != nil && ctx.Err() != nil {
		return nil, nil, w.contextError(ctx, err)
	}
	return app, err, nil
}

// pause sleeps until the next look is due. It returns the error that ends the wait: a timeout
// (both ErrWaitTimeout and context.DeadlineExceeded) or the context's cancellation.
func (w *waiter) pause(ctx context.Context) error {
	now := w.c.opts.Now()
	remaining := w.deadline.Sub(now)
	if remaining <= 0 {
		return w.timeout()
	}
	if d := min(w.due.Sub(now), remaining); d > 0 {
		if err := w.c.opts.Sleep(ctx, d); err != nil {
			return w.contextError(ctx, err)
		}
	}
	return nil
}

// contextError turns the end of ctx into the wait's error: a deadline is a timeout, the caller's
// or the wait's own (bound).
func (w *waiter) contextError(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) ||
		errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		return w.timeout()
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return err
}

func (w *waiter) timeout() error {
	e := &waitTimeoutError{id: w.id, want: w.want, lastErr: w.lastErr}
	if w.last != nil {
		e.last = w.last.Status
	}
	return e
}

// judge reads a look for a wait: the app seen (reported to OnStatus when its status changed),
// or nil to look again (not visible yet within the grace window, an old record, a transient
// fault), or the error that ends the wait.
func (w *waiter) judge(app *App, err error) (*App, error) {
	young := w.young()
	switch {
	case err == nil:
		if w.stale(app) && young {
			return nil, nil
		}
		w.observe(app)
		return app, nil
	case errors.Is(err, ErrResourceNotFound) && young, isTransient(err):
		w.lastErr = err
		return nil, nil
	}
	return nil, err
}

// young reports whether the wait is within the grace window in which the app may not be
// visible yet.
func (w *waiter) young() bool { return w.c.opts.Now().Sub(w.graceFrom) < notFoundGrace }

// observe reports a status change to OnStatus and remembers the app.
func (w *waiter) observe(app *App) {
	if w.opts.OnStatus != nil && (w.last == nil || w.last.Status != app.Status) {
		w.opts.OnStatus(app)
	}
	w.last, w.lastErr = app, nil
}

// stale reports whether app is the record from before the create this wait follows: Deleted or
// Deleting (an app just created is neither), or Failed with a CreationTime before the create. It
// does not rest on CreationTime for a live app, as a restart within 24 hours keeps it.
func (w *waiter) stale(app *App) bool {
	if w.since.IsZero() {
		return false
	}
	switch app.Status {
	case types.AppStatusDeleted, types.AppStatusDeleting:
		return true
	case types.AppStatusFailed:
		return !app.CreationTime.IsZero() && app.CreationTime.Before(w.since.Add(-w.c.opts.ClockSkew))
	}
	return false
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
//
// While other waits of the Client on the same domain run, one paged ListApps per interval serves
// them all, and DescribeApp is called only for what ListApps cannot say (a Failed app's reason,
// an app missing from the list); see EnsureApps.
func (c *Client) WaitForApp(ctx context.Context, id AppID, optFns ...func(*WaitOptions)) (*App, error) {
	if err := id.validate(); err != nil {
		return nil, err
	}
	if c.api == nil {
		return nil, &APIError{Operation: "DescribeApp", Err: errNoAPI}
	}
	w := c.newWaiter(id, newWaitOptions(optFns), "InService")
	ctx, cancel := w.bound(ctx)
	defer cancel()
	w.join()
	defer w.leave()
	return c.waitInService(ctx, w)
}

func (c *Client) waitInService(ctx context.Context, w *waiter) (_ *App, err error) {
	ctx, sp := c.obs.startApp(ctx, spanWaitForApp, w.id)
	defer func() { sp.end(err) }()
	for {
		app, err, final := w.next(ctx)
		if final != nil {
			return nil, final
		}
		if app, err = w.judge(app, err); err != nil {
			return nil, err
		}
		if app == nil {
			continue
		}
		switch app.Status {
		case types.AppStatusInService:
			c.obs.inService(ctx, w)
			return app, nil
		case types.AppStatusFailed, types.AppStatusDeleting, types.AppStatusDeleted:
			return nil, &AppFailedError{App: app}
		}
	}
}

// WaitForAppDeleted polls the app that id names until it is gone: Deleted, not found, or Failed
// (the service deletes a failed app itself). Running out of time is an error that is both
// ErrWaitTimeout and context.DeadlineExceeded. It does not delete the app: DeleteApp does.
func (c *Client) WaitForAppDeleted(ctx context.Context, id AppID, optFns ...func(*WaitOptions)) (err error) {
	if err := id.validate(); err != nil {
		return err
	}
	if c.api == nil {
		return &APIError{Operation: "DescribeApp", Err: errNoAPI}
	}
	w := c.newWaiter(id, newWaitOptions(optFns), "Deleted")
	ctx, sp := c.obs.startApp(ctx, spanWaitForAppDeleted, id)
	defer func() { sp.end(err) }()
	ctx, cancel := w.bound(ctx)
	defer cancel()
	w.join()
	defer w.leave()
	return c.waitDeleted(ctx, w)
}

// waitDeleted runs a wait until the app is gone; DeleteApps and a replacing Ensure use it too.
func (c *Client) waitDeleted(ctx context.Context, w *waiter) error {
	for {
		app, err, final := w.next(ctx)
		switch {
		case final != nil:
			return final
		case errors.Is(err, ErrResourceNotFound):
			return nil
		case err == nil:
			w.observe(app)
			if app.Status == types.AppStatusDeleted || app.Status == types.AppStatusFailed {
				return nil
			}
		case isTransient(err):
			w.lastErr = err
		default:
			return err
		}
	}
}
