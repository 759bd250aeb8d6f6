package sagemakerapp

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// Shared polling. While more than one wait of a Client runs on one domain, the waits stop
// describing their apps one by one: one ListApps round of the domain serves them all. Rounds
// come at the domain's pace: the shortest pace among its waits, each wait's pace being the mean
// of its saturated pause (three quarters of MaxDelay), so that a wait asking for 1 s polls gets a
// round about every 750 ms while it is there, and default waits share one round per 15 s. A round
// is held when the first of the waits blocked for one is due, and no sooner than one pace after
// the last; a wait that comes with a shorter pace cuts short the sleep of the round being
// prepared. No goroutine runs it: the wait that finds no round in flight leads the next one
// (sleeps until it is due, lists, and hands the result to the others); if its context ends
// first, another wait takes over, and the round is released on every exit path, a panic
// included. A round reads for at most the least MaxDelay of the domain's waits (a wait that comes
// while it reads brings its end forward to the wait's own MaxDelay): a ListApps that hangs past
// that is, for the round's waits, a transient fault (they look again at their pace);
// what pages it read by then serve their waits, and a wait it did not reach describes its app.
//
// A round reads no more than it saves: records come newest first (SortBy CreationTime,
// SortOrder Descending, sent explicitly), the round stops as soon as every wait that is due is
// found, and it reads at most as many pages as there are such waits, so sharing never costs more
// reads than describing each app would. A wait that a round wanted but did not reach describes
// its app alone from then on; a wait that a round did not want (it was not due) and did not list
// waits for the next round. Of two records of one app (an old Deleted one and the new one) the
// later CreationTime wins whatever the order, and a spec absent from a list never overwrites one
// DescribeApp gave. DescribeApp is still called for what ListApps cannot say: a Failed app's
// FailureReason, and an app missing from a complete list past the grace window. A ListApps that
// the caller may not make (AccessDenied, or any error but a transient one) turns sharing off for
// the domain: its waits describe their apps again.

// domainPolls holds the pollers of a Client's domains, one per domain with waits running.
type domainPolls struct {
	mu       sync.Mutex
	byDomain map[string]*domainPoller
	seq      atomic.Uint64 // see tick
}

// tick returns the next number in the order of the Client's looks and rounds.
func (p *domainPolls) tick() uint64 { return p.seq.Add(1) }

// domainPoller schedules the ListApps rounds of one domain. Its fields are guarded by
// domainPolls.mu.
type domainPoller struct {
	waits    map[*waiter]struct{} // the waits of the domain
	off      bool                 // ListApps failed for good: waits describe their apps
	waiting  map[*waiter]struct{} // the waits blocked for the next round
	inFlight *listRound           // the round being prepared or read, if any
	wake     context.CancelFunc   // cuts short the sleep of the round being prepared
	dueAt    time.Time            // when the round being prepared is due
	last     *listRound           // the last round that was read
}

// listRound is one ListApps of a domain.
type listRound struct {
	done     chan struct{} // closed when the round ends or is abandoned
	started  time.Time
	seq      uint64 // polls.tick as the listing began
	apps     map[AppID]types.AppDetails
	wanted   map[AppID]struct{} // the apps of the waits that were due, which the round looked for
	complete bool               // every page was read: an app missing from apps is not in the domain
	err      error              // the ListApps error, if it failed
	// While the round reads: cut ends its listing at cutAt (see leadRound); a wait that comes
	// with a shorter MaxDelay brings cutAt forward. Both under the polls' lock.
	cut   *time.Timer
	cutAt time.Time
}

// bound brings the end of r's listing forward to at most maxDelay from now, for a wait that
// comes while r reads. The caller holds the lock.
func (r *listRound) bound(maxDelay time.Duration) {
	if r.cut == nil {
		return
	}
	if at := time.Now().Add(maxDelay); at.Before(r.cutAt) {
		r.cut.Reset(maxDelay)
		r.cutAt = at
	}
}

func (p *domainPolls) join(w *waiter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byDomain == nil {
		p.byDomain = make(map[string]*domainPoller)
	}
	d := p.byDomain[w.id.DomainID]
	if d == nil {
		d = &domainPoller{waits: make(map[*waiter]struct{}), waiting: make(map[*waiter]struct{})}
		p.byDomain[w.id.DomainID] = d
	}
	d.waits[w] = struct{}{}
}

func (p *domainPolls) leave(w *waiter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d := p.byDomain[w.id.DomainID]; d != nil {
		delete(d.waits, w)
		if len(d.waits) == 0 {
			delete(p.byDomain, w.id.DomainID)
		}
	}
}

// sharing reports whether the waits on domainID share ListApps rounds now.
func (p *domainPolls) sharing(domainID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.byDomain[domainID]
	return d != nil && len(d.waits) > 1 && !d.off
}

// usable reports whether w can take its next look from r: r began at or after w's last look, w
// has not used it, and it says where w's app is.
func (r *listRound) usable(w *waiter) bool {
	if r == nil || r == w.look.round || r.seq < w.look.lookedSeq {
		return false
	}
	if _, listed := r.apps[w.id]; listed || r.complete || r.err != nil {
		return true
	}
	_, wanted := r.wanted[w.id]
	return wanted // a round that looked for the app and did not reach it: w describes alone
}

// nextShared makes w's next look from the domain's next ListApps round.
func (w *waiter) nextShared(ctx context.Context) (*App, error, error) {
	r, err := w.c.awaitRound(ctx, w)
	switch {
	case err != nil:
		return nil, nil, w.contextError(ctx, err)
	}
	l := &w.look
	l.round = r
	l.lookAt(r.started, r.seq)
	switch {
	case r.err != nil && isTransient(r.err):
		return nil, r.err, nil
	case r.err != nil:
		return w.describeApp(ctx)
	}
	d, listed := r.apps[w.id]
	switch {
	case !listed && !r.complete:
		l.unlisted = true // the app is deeper in the list than a round reads
		return w.describeApp(ctx)
	case !listed && r.started.Sub(w.judged.graceFrom) < notFoundGrace:
		return nil, &APIError{Operation: "ListApps", Code: "ResourceNotFound", Message: "the app is not in its domain's list yet"}, nil
	case !listed, d.Status == types.AppStatusFailed, l.described == nil:
		// ListApps cannot say why it failed, or where it went, or the app's ARN: a list's
		// record is read only over an app that DescribeApp or CreateApp gave, never alone.
		return w.describeApp(ctx)
	}
	app := *l.described
	app.Status, app.CreationTime, app.FailureReason = d.Status, aws.ToTime(d.CreationTime), ""
	if d.ResourceSpec != nil {
		app.ResourceSpec = d.ResourceSpec
	}
	return &app, nil, nil
}

// awaitRound returns the next round of w's domain that w can use: one that has been read, the
// one in flight, or one that w leads itself. It returns an error only when ctx ends or w's
// deadline passes while w leads.
func (c *Client) awaitRound(ctx context.Context, w *waiter) (*listRound, error) {
	c.polls.mu.Lock()
	d := c.polls.byDomain[w.id.DomainID]
	d.waiting[w] = struct{}{} // before the wake below, so that the round prepared again counts w
	if d.inFlight != nil && d.wake != nil && c.roundDue(d, w).Before(d.dueAt) {
		d.wake() // the round being prepared is due later than w wants: prepare it again
	}
	c.polls.mu.Unlock()
	defer func() {
		c.polls.mu.Lock()
		delete(d.waiting, w)
		c.polls.mu.Unlock()
	}()
	for {
		c.polls.mu.Lock()
		d.waiting[w] = struct{}{}
		if r := d.last; r.usable(w) {
			c.polls.mu.Unlock()
			return r, nil
		}
		if r := d.inFlight; r != nil {
			// The round in flight reads for at most the least MaxDelay of the domain's waits
			// (leadRound), w's from now on included: a hung ListApps ends it, and its waits look
			// again at their pace.
			r.bound(w.opts.MaxDelay)
			c.polls.mu.Unlock()
			select {
			case <-r.done:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		r := &listRound{done: make(chan struct{})}
		d.inFlight = r
		c.polls.mu.Unlock()
		if err := c.leadRound(ctx, w, d, r); err != nil {
			return nil, err
		}
		if r.usable(w) {
			return r, nil
		}
	}
}

// roundDue is when the next round of d is due with w among its waiting waits: when the first of
// them wants a look, and no sooner than the domain's pace after the last round. The caller holds
// the lock.
func (c *Client) roundDue(d *domainPoller, w *waiter) time.Time {
	due, pace := w.look.sharedDue(), w.look.pace
	for o := range d.waiting {
		due = minTime(due, o.look.sharedDue())
	}
	for o := range d.waits {
		pace = min(pace, o.look.pace)
	}
	if d.last != nil {
		due = maxTime(due, d.last.started.Add(pace))
	}
	return due
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// leadRound prepares the round r of domain d and reads it: it sleeps until the round is due (or
// w's deadline, which ends the lead with a timeout), then lists. A failed ListApps is r.err; only
// the end of ctx, or w's deadline, is an error. The round is released however this returns, a
// panic included: it becomes d.last when it was read, and is abandoned otherwise.
func (c *Client) leadRound(ctx context.Context, w *waiter, d *domainPoller, r *listRound) (err error) {
	read := false
	defer func() {
		c.polls.mu.Lock()
		d.inFlight, d.wake = nil, nil
		if read {
			d.last = r
			if r.err != nil && !isTransient(r.err) {
				d.off = true
			}
		}
		close(r.done)
		c.polls.mu.Unlock()
	}()
	for {
		c.polls.mu.Lock()
		due := c.roundDue(d, w)
		sleepCtx, wake := context.WithCancel(ctx)
		d.dueAt, d.wake = due, wake
		c.polls.mu.Unlock()

		now := c.now()
		wait, remaining := due.Sub(now), w.dl.remaining()
		if wait <= 0 {
			wake()
			break
		}
		err := c.sleep(sleepCtx, min(wait, remaining))
		wake()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			continue // woken by a wait with a shorter pace
		case remaining < wait:
			return w.timeout()
		}
		break
	}

	// The round looks for the apps of the waits that are due now, the leader's among them.
	r.started, r.seq = c.now(), c.polls.tick()
	c.polls.mu.Lock()
	r.wanted = map[AppID]struct{}{w.id: {}}
	for o := range d.waiting {
		if !o.look.unlisted && !o.look.sharedDue().After(r.started) {
			r.wanted[o.id] = struct{}{}
		}
	}
	// The round reads for at most the least MaxDelay of the domain's waits, so that a hung
	// ListApps never holds a wait past its pace, and no wait gives up on the round alone (which
	// would describe every app of the domain at once).
	bound := w.opts.MaxDelay
	for o := range d.waits {
		bound = min(bound, o.opts.MaxDelay)
	}
	listCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.cut, r.cutAt = time.AfterFunc(bound, cancel), time.Now().Add(bound)
	c.polls.mu.Unlock()
	defer func() {
		c.polls.mu.Lock()
		r.cut.Stop()
		c.polls.mu.Unlock()
	}()

	r.apps = make(map[AppID]types.AppDetails)
	missing := len(r.wanted)
	pages := sagemaker.NewListAppsPaginator(c.api, &sagemaker.ListAppsInput{
		DomainIdEquals: aws.String(w.id.DomainID), MaxResults: aws.Int32(100),
		SortBy: types.AppSortKeyCreationTime, SortOrder: types.SortOrderDescending,
	})
	// Pages: never more than describing each wanted app would cost.
	for n := 0; pages.HasMorePages() && n < len(r.wanted) && missing > 0; n++ {
		c.obs.poll(ctx, pollList)
		out, err := pages.NextPage(listCtx, w.opts.ClientOptions...)
		if err != nil {
			switch {
			case ctx.Err() != nil:
				return ctx.Err()
			case listCtx.Err() != nil && n > 0:
				// What was read serves its waits; the apps deeper in the list are unlisted.
				r.complete, read = false, true
				return nil
			case listCtx.Err() != nil:
				r.err = &APIError{Operation: "ListApps", Err: errNoAnswerInTime}
			default:
				r.err = mapError(ctx, "ListApps", err)
			}
			read = true
			return nil
		}
		for _, a := range out.Apps {
			id := appIDOfDetails(a)
			if _, seen := r.apps[id]; !seen {
				if _, ok := r.wanted[id]; ok {
					missing--
				}
			}
			keepLatest(r.apps, a)
		}
	}
	r.complete = !pages.HasMorePages()
	read = true
	return nil
}

// errNoAnswerInTime: a shared round's ListApps did not answer within its bound (leadRound). The
// round's waits judge it as a transient fault and look again at their pace.
var errNoAnswerInTime = errors.New("no answer within the shared round's bound")
