package sagemakerapp

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"golang.org/x/time/rate"
)

// Defaults of BatchOptions.
const (
	DefaultBatchConcurrency = 16
	DefaultCreatesPerSecond = 2.0
)

// BatchOptions configure EnsureApps. The zero value means the defaults: 16 apps in flight, at
// most 2 CreateApp calls a second, the default WaitOptions, no progress reports.
type BatchOptions struct {
	// Concurrency is how many apps are ensured at once. Zero means DefaultBatchConcurrency.
	Concurrency int

	// CreatesPerSecond holds the CreateApp calls of the whole batch to this rate, with a
	// client-side limiter (golang.org/x/time/rate, burst 1), so that the service is not asked
	// faster than it allows: set it a little under the account's CreateApp rate. Zero means
	// DefaultCreatesPerSecond; a negative rate means no limit. (The SDK's retryer can also
	// limit itself: see retry.NewAdaptiveMode.)
	CreatesPerSecond float64

	// Wait is how each app is waited for and retried, as for EnsureApp. Its OnStatus is called
	// for every app, from many goroutines at once.
	Wait WaitOptions

	// OnProgress, if set, is called with the counts each time an app changes state. Calls are
	// serialized; it must not block for long.
	OnProgress func(BatchProgress)
}

// BatchProgress counts the apps of an EnsureApps call by state.
type BatchProgress struct {
	Total     int
	Queued    int // not started
	Creating  int // being looked at or created
	Waiting   int // created or found, not InService yet
	InService int // done
	Failed    int // ended with an error (invalid input included)
	Elapsed   time.Duration
}

// Result is the outcome of one input of EnsureApps: the app, InService, or the error that
// EnsureApp would have returned for it.
type Result struct {
	App *App
	Err error
}

// EnsureApps ensures many apps at once, with EnsureApp's semantics for each (see EnsureApp), and
// returns one Result per input, in input order. Every input is validated before any call: an
// invalid one is its own Result (a *ValidationError) and stops nothing else. Concurrency apps
// are in flight at a time, and CreateApp calls are held to CreatesPerSecond across the batch, so
// that a class or team can be onboarded without a burst the service would throttle; throttling
// that happens anyway is retried as EnsureApp retries it. The waits share their polls: while
// several apps of a domain are waited for, one paged ListApps per interval serves them all.
// Failures stay per app: a quota that lets 150 of 200 apps start gives 150 InService Results and
// 50 that are ErrResourceLimitExceeded.
//
// Cancelling ctx stops new apps from starting and ends the waits of those in flight; their
// Results and those of apps never started hold ctx's error.
func (c *Client) EnsureApps(ctx context.Context, ins []*sagemaker.CreateAppInput, optFns ...func(*BatchOptions)) []Result {
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

	results := make([]Result, len(ins))
	p := &batchProgress{on: opts.OnProgress, now: c.opts.Now, start: c.opts.Now(), states: make([]batchState, len(ins))}
	p.counts.Total, p.counts.Queued = len(ins), len(ins)
	var todo []int
	for i, in := range ins {
		if ps := validateCreateApp(in, c.validateConfig()); ps != nil {
			results[i].Err = &ValidationError{Problems: ps}
			p.set(i, stateFailed)
			continue
		}
		todo = append(todo, i)
	}

	var limiter *rate.Limiter
	if opts.CreatesPerSecond > 0 {
		limiter = rate.NewLimiter(rate.Limit(opts.CreatesPerSecond), 1)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(opts.Concurrency, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = c.ensureOne(ctx, ins[i], &opts, limiter, p, i)
			}
		}()
	}
	for k, i := range todo {
		if ctx.Err() == nil {
			select {
			case next <- i:
				continue
			case <-ctx.Done():
			}
		}
		for _, j := range todo[k:] { // never started
			results[j].Err = ctx.Err()
			p.set(j, stateFailed)
		}
		break
	}
	close(next)
	wg.Wait()
	return results
}

// ensureOne ensures one app of a batch: EnsureApp, with its CreateApp calls held to the batch's
// rate and its states counted.
func (c *Client) ensureOne(ctx context.Context, in *sagemaker.CreateAppInput, opts *BatchOptions, limiter *rate.Limiter, p *batchProgress, i int) Result {
	if c.api == nil {
		p.set(i, stateFailed)
		return Result{Err: &APIError{Operation: "CreateApp", Err: errNoAPI}}
	}
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
	if limiter != nil {
		w.beforeCreate = func(ctx context.Context) error { return c.waitForToken(ctx, limiter) }
	}
	w.join()
	defer w.leave()
	app, err := c.ensure(ctx, in, w)
	if err != nil {
		p.set(i, stateFailed)
		return Result{Err: err}
	}
	p.set(i, stateInService)
	return Result{App: app}
}

// waitForToken waits for the limiter to allow one call, on the Client's clock.
func (c *Client) waitForToken(ctx context.Context, limiter *rate.Limiter) error {
	now := c.opts.Now()
	r := limiter.ReserveN(now, 1)
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if err := c.opts.Sleep(ctx, d); err != nil {
		r.CancelAt(c.opts.Now())
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
)

// batchProgress keeps the state of each app of a batch and reports the counts.
type batchProgress struct {
	mu     sync.Mutex
	on     func(BatchProgress)
	now    func() time.Time
	start  time.Time
	states []batchState
	counts BatchProgress
}

func (p *batchProgress) set(i int, s batchState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.states[i]
	if old == s || old >= stateInService {
		return
	}
	p.states[i] = s
	*p.count(old)--
	*p.count(s)++
	if p.on != nil {
		p.counts.Elapsed = p.now().Sub(p.start)
		p.on(p.counts)
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
	}
	return &p.counts.Failed
}
