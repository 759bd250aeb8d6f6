package sagemakerapp

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"golang.org/x/time/rate"
)

// Defaults of BatchOptions.
const (
	DefaultBatchConcurrency = 16
	DefaultCreatesPerSecond = 2.0
)

// BatchOptions configure EnsureApps. The zero value means the defaults: 16 apps looked at or
// created at once, at most 2 CreateApp calls a second, the default WaitOptions, no progress
// reports.
type BatchOptions struct {
	// Concurrency is how many apps are looked at or created at once. An app that is created
	// (or found) and only waited for holds no place, so the waits of a batch are not bounded
	// by it and the batch goes at CreatesPerSecond. Zero means DefaultBatchConcurrency.
	Concurrency int

	// CreatesPerSecond holds every CreateApp attempt of the whole batch, the SDK's retries
	// included, to this rate, with a client-side limiter (golang.org/x/time/rate, burst 1) on
	// the Client's clock, so that the service is not asked faster than it allows: set it a
	// little under the account's CreateApp rate. Zero means DefaultCreatesPerSecond; a negative
	// rate means no limit. Options.CreateLimiter, if set, applies as well: share one across
	// batches, Clients or replicas. (The SDK's retryer can also limit itself: see
	// retry.NewAdaptiveMode.) Each app's WaitOptions.Timeout starts when its first CreateApp
	// attempt is sent, not while it waits for the limiter.
	CreatesPerSecond float64

	// Wait is how each app is waited for and retried, as for EnsureApp. Its OnStatus is called
	// for every app, from many goroutines at once.
	Wait WaitOptions

	// OnProgress, if set, is called with the counts after apps change state, from a goroutine of
	// its own, so that a slow callback never holds up the batch: calls are serialized, and while
	// one runs, later changes coalesce into the next call, which has the latest counts. The last
	// call, before EnsureApps returns, has the final counts.
	OnProgress func(BatchProgress)
}

// newBatchOptions applies optFns to the zero BatchOptions and fills in the defaults.
func newBatchOptions(optFns []func(*BatchOptions)) BatchOptions {
	var opts BatchOptions
	for _, fn := range optFns {
		fn(&opts)
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultBatchConcurrency
	}
	if opts.CreatesPerSecond == 0 {
		opts.CreatesPerSecond = DefaultCreatesPerSecond
	}
	opts.Wait.setDefaults()
	return opts
}

// BatchProgress counts the apps of an EnsureApps call by state.
type BatchProgress struct {
	Total     int
	Queued    int // not started
	Creating  int // being looked at or created
	Waiting   int // created or found, not InService yet
	InService int // done
	Failed    int // ended with an error (invalid input included)
	Canceled  int // stopped, or never started, because the batch's context ended
	Elapsed   time.Duration
}

// Result is the outcome of one input of EnsureApps: the app, InService, or the error that
// EnsureApp would have returned for it, and what the Ensure did.
type Result struct {
	App     *App
	Err     error
	Outcome Outcome
}

// EnsureApps ensures many apps at once, with EnsureApp's semantics for each (see EnsureApp), and
// returns one Result per input, in input order. Every input is validated before any call: an
// invalid one is its own Result (a *ValidationError) and stops nothing else. One paged ListApps
// per domain first says which apps exist, instead of a DescribeApp per app. Concurrency apps are
// looked at or created at a time, and CreateApp attempts are held to CreatesPerSecond across the
// batch, so that a class or team can be onboarded without a burst the service would throttle;
// throttling that happens anyway is retried as EnsureApp retries it. The waits share their polls:
// while several apps of a domain are waited for, one ListApps round per interval serves them all
// (about a quarter of a read per app at 5,000 apps that start in 5 minutes).
// Failures stay per app: a quota that lets 150 of 200 apps start gives 150 InService Results and
// 50 that are ErrResourceLimitExceeded.
//
// Cancelling ctx stops new apps from starting and ends the waits of those in flight; their
// Results and those of apps never started hold ctx's error.
func (c *Client) EnsureApps(ctx context.Context, ins []*sagemaker.CreateAppInput, optFns ...func(*BatchOptions)) []Result {
	opts := newBatchOptions(optFns)

	results := make([]Result, len(ins))
	ctx, batchSpan := c.obs.start(ctx, spanEnsureApps)
	defer func() { batchSpan.endApps(results) }()
	p := newBatchProgress(opts.OnProgress, c.now, len(ins))
	defer p.close()
	var todo []int
	for i, in := range ins {
		switch ps := validateCreateApp(in, c.validateConfig()); {
		case ps != nil:
			results[i].Err = &ValidationError{Problems: ps}
			p.set(i, stateFailed)
		case c.api == nil:
			results[i] = Result{Err: &APIError{Operation: "CreateApp", Err: errNoAPI}, Outcome: OutcomeFailed}
			p.set(i, stateFailed)
		default:
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return results
	}

	var limiter CreateLimiter
	if opts.CreatesPerSecond > 0 {
		limiter = &clockLimiter{l: rate.NewLimiter(rate.Limit(opts.CreatesPerSecond), 1), now: c.now, sleep: c.sleep}
	}
	firsts := c.listBatch(ctx, ins, todo, opts.Wait)
	// Concurrency bounds the apps being looked at or created; a created app's wait holds no
	// slot, so the batch goes at the create rate, not at Concurrency per start-up time.
	slots := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for k, i := range todo {
		if ctx.Err() == nil {
			select {
			case slots <- struct{}{}:
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = c.ensureOne(ctx, ins[i], &opts, limiter, p, i, &batchSlot{ch: slots, holding: true}, firsts[i])
				}()
				continue
			case <-ctx.Done():
			}
		}
		for _, j := range todo[k:] { // never started
			results[j].Err = ctx.Err()
			p.set(j, stateCanceled)
		}
		break
	}
	wg.Wait()
	return results
}

// listBatch reads, for each domain of the batch, its apps with one paged ListApps (newest first,
// filtered by owner when every app of the batch in the domain has the same one), and returns
// for each input what the list says of its app: the first look that spares a DescribeApp per
// app. It reads at most as many pages as the batch has apps in the domain (never more than
// describing each); an app the pages read did not reach, or a domain whose list failed, gets
// no first look, and its Ensure describes it. The listing is an optimisation: it runs within a
// quarter of the wait's Timeout (every call under that deadline), so that a hung ListApps costs
// the apps no more than that.
func (c *Client) listBatch(ctx context.Context, ins []*sagemaker.CreateAppInput, todo []int, wo WaitOptions) map[int]*firstLook {
	ctx, cancel := newDeadline(c.now, wo.Timeout/4).bound(ctx)
	defer cancel()
	byDomain := make(map[string][]int)
	for _, i := range todo {
		d := aws.ToString(ins[i].DomainId)
		byDomain[d] = append(byDomain[d], i)
	}
	firsts := make(map[int]*firstLook, len(todo))
	for domainID, idx := range byDomain {
		in := &sagemaker.ListAppsInput{DomainIdEquals: aws.String(domainID), MaxResults: aws.Int32(100),
			SortBy: types.AppSortKeyCreationTime, SortOrder: types.SortOrderDescending}
		if user, space, ok := oneOwner(ins, idx); ok {
			in.UserProfileNameEquals, in.SpaceNameEquals = nonEmpty(user), nonEmpty(space)
		}
		wanted := make(map[AppID]struct{}, len(idx))
		for _, i := range idx {
			wanted[appIDOf(ins[i])] = struct{}{}
		}
		records := make(map[AppID]types.AppDetails)
		pages := sagemaker.NewListAppsPaginator(c.api, in)
		failed, denied := false, false
		for n := 0; pages.HasMorePages() && n < len(idx) && len(wanted) > 0; n++ {
			c.obs.poll(ctx, pollList)
			out, err := pages.NextPage(ctx, wo.ClientOptions...)
			if err != nil {
				// A caller that may not list apps (any error but a transient one or the end of
				// the listing's time) does not share rounds either: its waits describe their apps.
				failed = true
				denied = ctx.Err() == nil && !isTransient(mapError(ctx, "ListApps", err))
				break
			}
			for _, a := range out.Apps {
				keepLatest(records, a)
				delete(wanted, appIDOfDetails(a))
			}
		}
		complete := !failed && !pages.HasMorePages()
		for _, i := range idx {
			switch d, ok := records[appIDOf(ins[i])]; {
			case ok:
				firsts[i] = &firstLook{record: &d}
			case complete:
				firsts[i] = &firstLook{}
			case denied:
				firsts[i] = &firstLook{describe: true, alone: true}
			}
		}
		if ctx.Err() != nil {
			break // the listing's time is up: the other domains' apps describe themselves
		}
	}
	return firsts
}

// oneOwner reports the owner that the apps idx of ins all have, if they have one.
func oneOwner(ins []*sagemaker.CreateAppInput, idx []int) (user, space string, ok bool) {
	for k, i := range idx {
		u, s := aws.ToString(ins[i].UserProfileName), aws.ToString(ins[i].SpaceName)
		if k == 0 {
			user, space = u, s
		} else if u != user || s != space {
			return "", "", false
		}
	}
	return user, space, len(idx) > 0
}

// ensureOne ensures one app of a batch: EnsureApp, with every CreateApp attempt held to the
// batch's rate, its Timeout held while its first create waits for the rate and started anew when
// that create is sent, and its states counted. It holds slot when it starts, for its first look
// and create.
func (c *Client) ensureOne(ctx context.Context, in *sagemaker.CreateAppInput, opts *BatchOptions, limiter CreateLimiter, p *batchProgress, i int, slot *batchSlot, first *firstLook) Result {
	defer slot.release()
	p.set(i, stateCreating)
	wo := opts.Wait
	onStatus := wo.OnStatus
	wo.OnStatus = func(a *App) {
		p.set(i, stateWaiting)
		if onStatus != nil {
			onStatus(a)
		}
	}
	w := c.newWaiter(appIDOf(in), wo, "InService")
	w.slot, w.dl.movable = slot, true
	if first != nil && !first.describe {
		w.look.first = first
	}
	w.look.unlisted = first != nil && first.alone
	if limiter != nil {
		w.create.limiters = []CreateLimiter{limiter}
	}
	sent := false
	w.create.beforeWait = func() {
		if !sent {
			w.dl.hold() // the app's Timeout starts when its first create is sent
		}
	}
	w.create.onSend = func() {
		if !sent {
			sent = true
			w.dl.restart()
		}
	}
	wctx, cancel := w.bound(ctx)
	defer cancel()
	w.join()
	defer w.leave()
	app, outcome, err := c.ensure(wctx, in, w)
	switch {
	case err == nil:
		p.set(i, stateInService)
		return Result{App: app, Outcome: outcome}
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		p.set(i, stateCanceled)
	default:
		p.set(i, stateFailed)
	}
	return Result{Err: err, Outcome: outcome}
}

// clockLimiter is a rate.Limiter that waits on the Client's clock, so that a batch under a fake
// clock holds its rate in the clock's time.
type clockLimiter struct {
	l     *rate.Limiter
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

// Wait waits for the limiter to allow one call.
func (l *clockLimiter) Wait(ctx context.Context) error {
	now := l.now()
	r := l.l.ReserveN(now, 1)
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if err := l.sleep(ctx, d); err != nil {
		r.CancelAt(l.now())
		return err
	}
	return nil
}

type batchState uint8

const (
	stateQueued batchState = iota
	stateCreating
	stateWaiting
	stateInService
	stateFailed
	stateCanceled
)

// batchProgress keeps the state of each app of a batch and reports the counts from a goroutine
// of its own (see BatchOptions.OnProgress).
type batchProgress struct {
	mu     sync.Mutex
	now    func() time.Time
	start  time.Time
	states []batchState
	counts BatchProgress

	on     func(BatchProgress)
	notify chan struct{} // holds one pending report at most
	done   chan struct{} // closed when the reporting goroutine has ended
}

func newBatchProgress(on func(BatchProgress), now func() time.Time, n int) *batchProgress {
	p := &batchProgress{on: on, now: now, start: now(), states: make([]batchState, n)}
	p.counts.Total, p.counts.Queued = n, n
	if on != nil {
		p.notify, p.done = make(chan struct{}, 1), make(chan struct{})
		go p.report()
	}
	return p
}

// report calls OnProgress with the latest counts once for each run of changes.
func (p *batchProgress) report() {
	defer close(p.done)
	for range p.notify {
		p.mu.Lock()
		counts := p.counts
		counts.Elapsed = p.now().Sub(p.start)
		p.mu.Unlock()
		p.on(counts)
	}
}

// close ends the reporting once the final counts are reported.
func (p *batchProgress) close() {
	if p.notify != nil {
		close(p.notify)
		<-p.done
	}
}

func (p *batchProgress) set(i int, s batchState) {
	p.mu.Lock()
	old := p.states[i]
	if old == s || old >= stateInService {
		p.mu.Unlock()
		return
	}
	p.states[i] = s
	*p.count(old)--
	*p.count(s)++
	p.mu.Unlock()
	if p.notify != nil {
		select {
		case p.notify <- struct{}{}:
		default: // a report is pending, and it will read these counts
		}
	}
}

func (p *batchProgress) count(s batchState) *int {
	switch s {
	case stateQueued:
		return &p.counts.Queued
	case stateCreating:
		return &p.counts.Creating
	case stateWaiting:
		return &p.counts.Waiting
	case stateInService:
		return &p.counts.InService
	case stateCanceled:
		return &p.counts.Canceled
	}
	return &p.counts.Failed
}
