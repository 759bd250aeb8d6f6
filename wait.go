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
	// requested spec (see ConflictReplace). For EnsureSpace(s), ConflictUpdate changes a space
	// whose settings differ (see ConflictUpdate). The waits ignore it.
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

// A wait is made of parts that each hold one concern, so that each can be read alone:
//
//   - deadline: the one Timeout of an operation, on the Client's clock and on the context of every
//     call the operation makes;
//   - looker: how the app is looked at, with DescribeApp after a pause or from the domain's shared
//     ListApps round (polls.go), and what a list cannot say (the app's ARN);
//   - seen: what the wait has seen, for OnStatus and for the text of a timeout;
//   - batchSlot and createHooks: a batch's place for the app's first look and creates, and its
//     create rate.
//
// The decisions about what is seen are elsewhere: decideEnsure for an Ensure, judgeWait for a
// plain wait.

// deadline is one operation's Timeout. Its instant is on the Client's clock, which the wait's
// pauses read; bound puts it on the real clock as well, as the deadline of the context every call
// runs under, so that a call that hangs cannot outlast it. The time a batch holds an app in its
// queue (for the rate, before its first create) is not counted: hold stops the deadline, and
// resume (or restart, for a fresh Timeout) starts it again.
type deadline struct {
	now     func() time.Time
	timeout time.Duration
	at      time.Time
	// movable: hold, resume and restart may move it (a batch's apps); the context of bound then
	// ends by a timer rather than carrying a deadline, which could not move.
	movable bool
	held    bool          // stopped, with left to go
	left    time.Duration // what was left when it was held
	timer   *time.Timer   // ends the context of bound at the deadline, when movable
}

func newDeadline(now func() time.Time, timeout time.Duration) *deadline {
	return &deadline{now: now, timeout: timeout, at: now().Add(timeout)}
}

// waitMargin is how long past its Timeout a call in flight may take to return once the wait's
// context has ended: the time to unwind, not to finish the call.
const waitMargin = 100 * time.Millisecond

// bound returns ctx limited to the deadline. The returned cancel must be called.
func (d *deadline) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if !d.movable {
		return context.WithDeadline(ctx, time.Now().Add(d.remaining()))
	}
	ctx, cancel := context.WithCancelCause(ctx)
	d.timer = time.AfterFunc(d.remaining(), func() { cancel(context.DeadlineExceeded) })
	if d.held {
		d.timer.Stop()
	}
	return ctx, func() {
		d.timer.Stop()
		cancel(context.Canceled)
	}
}

// remaining is the time left.
func (d *deadline) remaining() time.Duration {
	if d.held {
		return d.left
	}
	return d.at.Sub(d.now())
}

// hold stops the deadline until resume or restart.
func (d *deadline) hold() {
	if d.held {
		return
	}
	d.left, d.held = d.at.Sub(d.now()), true
	if d.timer != nil {
		d.timer.Stop()
	}
}

// resume starts a held deadline again with the time it had left.
func (d *deadline) resume() {
	if !d.held {
		return
	}
	d.held, d.at = false, d.now().Add(d.left)
	if d.timer != nil {
		d.timer.Reset(d.left)
	}
}

// restart starts the Timeout anew, from now.
func (d *deadline) restart() {
	d.held, d.at = false, d.now().Add(d.timeout)
	if d.timer != nil {
		d.timer.Reset(d.timeout)
	}
}

// seen is what a wait has seen of its app: the last app, reported to OnStatus when its status
// changes, and the last error met, which a timeout names.
type seen struct {
	onStatus func(*App)
	last     *App
	lastErr  error
}

func (s *seen) observe(app *App) {
	if s.onStatus != nil && (s.last == nil || s.last.Status != app.Status) {
		s.onStatus(app)
	}
	s.last, s.lastErr = app, nil
}

// batchSlot is a batch's place for an app's first look and creates: a wait holds it for those,
// never while it waits. A nil batchSlot (outside a batch) is always free.
type batchSlot struct {
	ch      chan struct{}
	holding bool
}

func (s *batchSlot) acquire(ctx context.Context) error {
	if s == nil || s.holding {
		return nil
	}
	select {
	case s.ch <- struct{}{}:
		s.holding = true
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tryAcquire takes the slot if it is free now, without waiting; it reports whether the slot is
// the wait's.
func (s *batchSlot) tryAcquire() bool {
	if s == nil || s.holding {
		return true
	}
	select {
	case s.ch <- struct{}{}:
		s.holding = true
		return true
	default:
		return false
	}
}

func (s *batchSlot) release() {
	if s != nil && s.holding {
		<-s.ch
		s.holding = false
	}
}

// looker looks at one app for a wait: the first look at once (from a batch's list, or with
// DescribeApp), each later one when it is due, from the domain's shared ListApps round while other
// waits of the domain run (polls.go), or with DescribeApp after a pause.
type looker struct {
	backoff  *backoff
	looked   bool      // the first look, which is never shared, has been made
	lookedAt time.Time // when the last look began
	// lookedSeq orders the last look among the Client's looks and rounds (polls.tick): a shared
	// round serves the wait only if it began listing after it, which a time cannot tell apart
	// within one instant.
	lookedSeq uint64
	due       time.Time // when the next look is due: the last look plus the next pause
	// pace is the wait's pace in shared rounds: the mean of a saturated pause (three quarters of
	// MaxDelay, equal jitter's mean), without the growth or the jitter, which spread the polls of
	// waits that do not share; and at most a quarter of the Timeout.
	pace     time.Duration
	joined   bool       // the wait is counted by its domain's poller
	unlisted bool       // a shared round did not reach the app: the wait describes it alone
	describe bool       // the next look must be a DescribeApp (a list cannot say what is needed)
	round    *listRound // the last shared round this wait used
	// first, when set, is the first look, made for the whole batch by one ListApps.
	first *firstLook
	// described is the app as DescribeApp or CreateApp last gave it: a list's record is read
	// over it, for what a list does not say (the ARN above all).
	described *App
}

// firstLook is what a batch's ListApps said of an app before its creates: its latest record, or
// that it is not there.
type firstLook struct {
	record   *types.AppDetails
	describe bool // the list says nothing: describe the app
	alone    bool // and the caller may not list: describe it at every look
}

// lookAt records a look that began at t, seq in the order of the Client's looks, and schedules
// the next one.
func (l *looker) lookAt(t time.Time, seq uint64) {
	l.looked, l.lookedAt, l.lookedSeq, l.due = true, t, seq, t.Add(l.backoff.next())
}

// lookNow records as a look what the wait's call has just done (a create, a delete): a shared
// round serves the wait only if it began after that call returned.
func (w *waiter) lookNow() { w.look.lookAt(w.c.now(), w.c.polls.tick()) }

// sharedDue is when the wait wants its next look from a shared round.
func (l *looker) sharedDue() time.Time { return l.lookedAt.Add(l.pace) }

// waiter runs one wait: its deadline, how it looks, what it has seen, and, in a batch, its slot
// and create hooks.
type waiter struct {
	c    *Client
	id   AppID
	opts WaitOptions
	want string // the status waited for, for the timeout's text
	dl   *deadline
	look looker
	seen seen
	slot *batchSlot
	// create is what an Ensure adds to each CreateApp attempt: EnsureApps holds the creates of a
	// batch to its rate, and starts the app's Timeout when the first is sent.
	create createHooks
	// judged is what a plain wait (WaitForApp, WaitForAppDeleted, CreateAndWait) knows for
	// judgeWait; an Ensure keeps its own (ensureKnown).
	judged waitKnown
}

func (c *Client) newWaiter(id AppID, opts WaitOptions, want string) *waiter {
	w := &waiter{c: c, id: id, opts: opts, want: want, dl: newDeadline(c.now, opts.Timeout)}
	// A wait shorter than its pauses still looks a few times: its pace is at most a quarter of
	// its Timeout.
	w.look = looker{backoff: newBackoff(&opts), pace: min(opts.MaxDelay*3/4, opts.Timeout/4)}
	w.seen.onStatus = opts.OnStatus
	w.judged.graceFrom = c.now()
	return w
}

// bound returns ctx limited to the wait's Timeout (see deadline).
func (w *waiter) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return w.dl.bound(ctx)
}

// join counts the wait with its domain's poller, so that while other waits on the domain run, one
// ListApps round serves them all; leave undoes it. A wait that joins must leave.
func (w *waiter) join() {
	w.c.polls.join(w)
	w.look.joined = true
}

func (w *waiter) leave() {
	if w.look.joined {
		w.c.polls.leave(w)
		w.look.joined = false
	}
}

// next makes the wait's next look at the app: the first at once, each later one when it is due
// (see looker). It returns the app; or the error of the look (ResourceNotFound, a transient fault,
// …) for the caller to judge; or, as final, the timeout or cancellation that ends the wait.
func (w *waiter) next(ctx context.Context) (app *App, err, final error) {
	l := &w.look
	if f := l.first; f != nil {
		l.first = nil
		l.lookAt(w.c.now(), w.c.polls.tick())
		if f.record == nil {
			return nil, &APIError{Operation: "ListApps", Code: "ResourceNotFound", Message: "the app is not in its domain's list"}, nil
		}
		if st := f.record.Status; st == types.AppStatusDeleted || st == types.AppStatusFailed {
			// Ensure creates it again, and a record is all it needs for that.
			return appFromDetails(*f.record), nil, nil
		}
		// A live app: DescribeApp says what a list cannot (its ARN, a failure's reason).
	}
	if l.looked {
		w.slot.release() // a wait holds no slot of its batch
		if w.dl.remaining() <= 0 {
			return nil, nil, w.timeout()
		}
		if l.joined && !l.unlisted && !l.describe && w.c.polls.sharing(w.id.DomainID) {
			return w.nextShared(ctx)
		}
		if final := w.pause(ctx); final != nil {
			return nil, nil, final
		}
	}
	return w.describeApp(ctx)
}

// describeApp looks at the app with DescribeApp.
func (w *waiter) describeApp(ctx context.Context) (*App, error, error) {
	w.look.lookAt(w.c.now(), w.c.polls.tick())
	w.look.describe = false
	w.c.obs.poll(ctx, pollDescribe)
	app, err := w.c.DescribeApp(ctx, w.id, w.opts.ClientOptions...)
	if err != nil && ctx.Err() != nil {
		return nil, nil, w.contextError(ctx, err)
	}
	if err == nil {
		w.look.described = app
	}
	return app, err, nil
}

// pause sleeps until the next look is due, within the deadline. It returns the error that ends the
// wait: a timeout (both ErrWaitTimeout and context.DeadlineExceeded) or the context's end.
func (w *waiter) pause(ctx context.Context) error {
	remaining := w.dl.remaining()
	if remaining <= 0 {
		return w.timeout()
	}
	if d := min(w.look.due.Sub(w.c.now()), remaining); d > 0 {
		if err := w.c.sleep(ctx, d); err != nil {
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
	e := &waitTimeoutError{id: w.id, want: w.want, lastErr: w.seen.lastErr}
	if w.seen.last != nil {
		e.last = w.seen.last.Status
	}
	return e
}

// waitKnown is what a plain wait knows for judging a look: since, when set, is when the create it
// follows began (CreateAndWait); graceFrom starts the window in which ResourceNotFound means "not
// visible yet": the wait's start, or the create it follows.
type waitKnown struct {
	since, graceFrom time.Time
}

// judgeWait is a plain wait's decision on a look that began at at: the app seen, or nil to look
// again (not visible yet within the grace window, the record from before the create, a transient
// fault), or the error that ends the wait. It reads no clock and makes no call.
func judgeWait(k waitKnown, app *App, err error, at time.Time, skew time.Duration) (*App, error) {
	young := at.Sub(k.graceFrom) < notFoundGrace
	switch {
	case err == nil:
		if young && k.stale(app, skew) {
			return nil, nil
		}
		return app, nil
	case errors.Is(err, ErrResourceNotFound) && young, isTransient(err):
		return nil, nil
	}
	return nil, err
}

// stale reports whether app is the record from before the create the wait follows: Deleted or
// Deleting (an app just created is neither), or Failed with a CreationTime before the create. It
// does not rest on CreationTime for a live app, as a restart within 24 hours keeps it.
func (k waitKnown) stale(app *App, skew time.Duration) bool {
	if k.since.IsZero() {
		return false
	}
	switch app.Status {
	case types.AppStatusDeleted, types.AppStatusDeleting:
		return true
	case types.AppStatusFailed:
		return !app.CreationTime.IsZero() && app.CreationTime.Before(k.since.Add(-skew))
	}
	return false
}

// judge applies judgeWait to a look, reports the app seen to OnStatus, and keeps a transient
// error for the text of a timeout.
func (w *waiter) judge(app *App, err error) (*App, error) {
	got, err2 := judgeWait(w.judged, app, err, w.look.lookedAt, w.c.opts.ClockSkew)
	switch {
	case got != nil:
		w.seen.observe(got)
	case err2 == nil && err != nil:
		w.seen.lastErr = err
	}
	return got, err2
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
			c.obs.inService(ctx, w.id, w.judged.since, c.now())
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
			w.seen.observe(app)
			if app.Status == types.AppStatusDeleted || app.Status == types.AppStatusFailed {
				return nil
			}
		case isTransient(err):
			w.seen.lastErr = err
		default:
			return err
		}
	}
}
