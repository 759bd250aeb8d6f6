package sagemakerapp

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// Shared polling. While more than one wait of a Client runs on one domain, the waits stop
// describing their apps one by one: one paged ListApps of the domain (DomainIdEquals, 100 a page)
// per interval serves them all. The interval follows the same backoff as a single wait, from the
// smallest MinDelay and MaxDelay among the waits. No goroutine runs it: the wait that finds no
// round scheduled leads the next one (sleeps until it is due, lists, and hands the result to the
// others); if its context ends first, another wait takes over. DescribeApp is still called for
// what ListApps cannot say: a Failed app's FailureReason, and an app missing from the list past
// the grace window. A ListApps that the caller may not make (AccessDenied, or any error but a
// transient one) turns sharing off for the domain: its waits describe their apps again.

// domainPolls holds the pollers of a Client's domains, one per domain with waits running.
type domainPolls struct {
	mu       sync.Mutex
	byDomain map[string]*domainPoller
}

// domainPoller schedules the ListApps rounds of one domain. Its fields are guarded by
// domainPolls.mu.
type domainPoller struct {
	waits    int
	off      bool // ListApps failed for good: waits describe their apps
	minDelay time.Duration
	maxDelay time.Duration
	backoff  *backoff // the pace of rounds, from the first round of a run of sharing
	nextAt   time.Time
	inFlight *listRound // the round being led, if any
	last     *listRound // the last round that ended
}

// listRound is one ListApps of a domain, all pages.
type listRound struct {
	done    chan struct{} // closed when the round ends or is abandoned
	started time.Time
	apps    map[AppID]types.AppDetails
	err     error // the ListApps error, if it failed
}

func (p *domainPolls) join(domainID string, o *WaitOptions) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byDomain == nil {
		p.byDomain = make(map[string]*domainPoller)
	}
	d := p.byDomain[domainID]
	if d == nil {
		d = &domainPoller{minDelay: o.MinDelay, maxDelay: o.MaxDelay}
		p.byDomain[domainID] = d
	}
	d.waits++
	d.minDelay, d.maxDelay = min(d.minDelay, o.MinDelay), min(d.maxDelay, o.MaxDelay)
}

func (p *domainPolls) leave(domainID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.byDomain[domainID]
	if d.waits--; d.waits == 0 {
		delete(p.byDomain, domainID)
	} else if d.waits == 1 {
		d.backoff = nil // a lone wait paces itself; sharing that starts again starts afresh
	}
}

// sharing reports whether the waits on domainID share ListApps rounds now.
func (p *domainPolls) sharing(domainID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.byDomain[domainID]
	return d != nil && d.waits > 1 && !d.off
}

// nextShared makes w's next look from the domain's next ListApps round.
func (w *waiter) nextShared(ctx context.Context) (*App, error, error) {
	r, err := w.c.awaitRound(ctx, w)
	if err != nil {
		return nil, nil, w.contextError(ctx, err)
	}
	w.round, w.lookedAt = r, r.started
	switch {
	case r.err != nil && isTransient(r.err):
		return nil, r.err, nil
	case r.err != nil:
		return w.describe(ctx)
	}
	d, listed := r.apps[w.id]
	switch {
	case !listed && w.young():
		return nil, &APIError{Operation: "ListApps", Code: "ResourceNotFound", Message: "the app is not in its domain's list yet"}, nil
	case !listed, d.Status == types.AppStatusFailed, w.last == nil:
		// ListApps cannot say why it failed, or where it went, or the app's ARN.
		return w.describe(ctx)
	}
	app := *w.last
	app.Status, app.ResourceSpec, app.CreationTime = d.Status, d.ResourceSpec, aws.ToTime(d.CreationTime)
	app.FailureReason = ""
	return &app, nil, nil
}

// awaitRound returns the first round of w's domain that began at or after w's last look and that
// w has not used yet: one that has ended, the one in flight, or one that w leads itself. It
// returns an error only when ctx ends or w's deadline passes while w leads.
func (c *Client) awaitRound(ctx context.Context, w *waiter) (*listRound, error) {
	for {
		c.polls.mu.Lock()
		d := c.polls.byDomain[w.id.DomainID]
		if r := d.last; r != nil && r != w.round && !r.started.Before(w.lookedAt) {
			c.polls.mu.Unlock()
			return r, nil
		}
		if r := d.inFlight; r != nil {
			c.polls.mu.Unlock()
			select {
			case <-r.done:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if d.backoff == nil {
			d.backoff = &backoff{min: d.minDelay, max: d.maxDelay, rand: w.backoff.rand}
			d.nextAt = c.opts.Now().Add(d.backoff.next())
		}
		r := &listRound{done: make(chan struct{})}
		d.inFlight = r
		nextAt := d.nextAt
		c.polls.mu.Unlock()

		err := c.leadRound(ctx, w, r, nextAt)

		c.polls.mu.Lock()
		d.inFlight = nil
		if err == nil {
			d.last = r
			if d.backoff != nil {
				d.nextAt = c.opts.Now().Add(d.backoff.next())
			}
			if r.err != nil && !isTransient(r.err) {
				d.off = true
			}
		}
		close(r.done)
		c.polls.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

// leadRound sleeps until nextAt (or w's deadline, which ends the lead with a timeout) and lists
// the domain's apps into r. A failed ListApps is r.err; only the end of ctx is an error.
func (c *Client) leadRound(ctx context.Context, w *waiter, r *listRound, nextAt time.Time) error {
	now := c.opts.Now()
	if wait := nextAt.Sub(now); wait > 0 {
		remaining := w.deadline.Sub(now)
		if err := c.opts.Sleep(ctx, min(wait, remaining)); err != nil {
			return err
		}
		if remaining < wait {
			return w.timeout()
		}
	}
	r.started = c.opts.Now()
	r.apps = make(map[AppID]types.AppDetails)
	pages := sagemaker.NewListAppsPaginator(c.api, &sagemaker.ListAppsInput{DomainIdEquals: aws.String(w.id.DomainID), MaxResults: aws.Int32(100)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx, w.opts.ClientOptions...)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.err = mapError(ctx, "ListApps", err)
			return nil
		}
		for _, a := range out.Apps {
			// In ascending creation order, a newer record of a name replaces an older one.
			r.apps[AppID{DomainID: aws.ToString(a.DomainId), UserProfileName: aws.ToString(a.UserProfileName),
				SpaceName: aws.ToString(a.SpaceName), AppType: a.AppType, AppName: aws.ToString(a.AppName)}] = a
		}
	}
	return nil
}
