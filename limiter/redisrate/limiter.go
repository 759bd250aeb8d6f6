package redisrate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// ErrRedis is the kind of every error that Wait returns because Redis could not be asked:
// the server is down or unreachable, it answered with an error, or the answer could not be
// read. Such an error also unwraps to the go-redis error, for errors.As, and tells the AWS SDK's
// retryer not to retry the CreateApp attempt it failed (see Options.FailOpen). Message text is
// not API: match with errors.Is(err, ErrRedis).
var ErrRedis = errors.New("redisrate: redis unavailable")

// Waiter is what Options.Fallback takes: anything with a blocking Wait, such as a
// *rate.Limiter from golang.org/x/time/rate. It is the same method set as the core module's
// sagemakerapp.CreateLimiter, declared here so that this module needs nothing from it.
type Waiter interface {
	Wait(ctx context.Context) error
}

// DefaultCallTimeout is how long Wait lets one Redis call go unanswered, unless
// Options.CallTimeout says otherwise. The limiter's script is one Lua call that a healthy Redis
// answers in well under a millisecond, even across zones; a call that has taken a second is a
// Redis that is down, stalled or failing over, and waiting longer only holds CreateApp attempts
// (and, failing open, their fallback) behind it.
const DefaultCallTimeout = time.Second

// Options configure a Limiter. The zero value fails closed, gives a Redis call
// DefaultCallTimeout, sleeps on a timer and reports nothing.
type Options struct {
	// Sleep pauses for d, or until ctx ends; it returns nil, or ctx.Err() when ctx ended first.
	// Nil means a timer. Tests replace it with their own clock (a miniredis SetTime, a fake
	// server's Advance) so that no test sleeps for real.
	Sleep func(ctx context.Context, d time.Duration) error

	// FailOpen decides what Wait does when Redis cannot be asked. False (the default) fails
	// closed: Wait returns an error that is ErrRedis, and the CreateApp attempt it gates is not
	// sent; the SDK does not retry it, so the CreateApp call fails with that error in its chain
	// and the caller decides. True fails open: Wait lets the attempt go, after Fallback's Wait
	// if Fallback is set.
	//
	// Failing closed is the default because a caller who configured a shared rate is told the
	// truth: while Redis is down, no replica can know what the others send, so none sends
	// unmetered. Failing open keeps apps being created through a Redis outage; that is safe with
	// SageMaker, whose throttle refuses (ThrottlingException, retried by the SDK and by Ensure)
	// rather than harms, but N replicas then send up to N times the rate. A Fallback of
	// rate.NewLimiter(rate.Limit(perSecond/replicas), 1) keeps them near it.
	FailOpen bool

	// Fallback, with FailOpen, gates an attempt that Redis could not. Its error is returned as it
	// is. Nil means a local limiter at the Limiter's own rate and burst (a *rate.Limiter from
	// golang.org/x/time/rate), so that each replica alone holds the configured rate and N
	// replicas send at most N times it, never an unmetered flood. To stay near the shared rate,
	// give each replica its share: rate.NewLimiter(rate.Limit(perSecond/replicas), 1). To let
	// attempts go unmetered while Redis is down, say so with a Waiter whose Wait returns nil. It
	// is not used when FailOpen is false.
	Fallback Waiter

	// CallTimeout bounds one Redis call: a call that has not answered within it counts as Redis
	// being unavailable (an error that is ErrRedis and a timeout, failed closed or open as
	// FailOpen says), whatever the go-redis client's own timeouts are. Zero means
	// DefaultCallTimeout. The caller's context bounds Wait in any case: see Wait.
	CallTimeout time.Duration

	// OnError is called with each Redis error that Wait meets, whether it then fails or lets the
	// attempt go, so that an outage shows in logs and metrics even when it is failed open; the
	// waiters that were queued behind the one that met it share its answer and do not report it
	// again. It is called on the goroutine of Wait and must not block. Nil reports nothing.
	OnError func(err error)
}

// Limiter is a rate limit for CreateApp that all replicas of a service share through one Redis
// key: every Limiter that names the same key on the same Redis, with the same rate and burst,
// draws from one allowance, so N replicas together send perSecond, not N times perSecond. The
// algorithm is redis_rate's GCRA, which runs as one Lua script on the Redis server and reads the
// server's clock, so the replicas' own clocks may differ.
//
// Set it as the sagemakerapp Client's Options.CreateLimiter, where it gates every CreateApp
// attempt, retries included. A Limiter is safe for concurrent use; make one per process and key,
// and share it among that process's Clients.
//
// The waiters of one Limiter queue in the process, first come first served, and only the one at
// the head asks Redis: about two script calls per attempt however many wait, where without the
// queue each of n waiters would ask at every slot (redis_rate does not reserve, so every waiter
// woken by its RetryAfter asks again, and all but one are told to wait once more).
type Limiter struct {
	limiter *redis_rate.Limiter
	key     string
	limit   redis_rate.Limit
	opts    Options

	// turn holds a token while a waiter asks Redis and sleeps; the others queue to send one.
	turn chan struct{}
	// pending is the Redis call of a head that left (its context ended) before the answer came:
	// the next head waits for that answer rather than sending another call, so that a Redis
	// that does not answer sees one call per CallTimeout, not one per waiter. Only the waiter
	// that holds turn reads or writes it.
	pending *call

	mu sync.Mutex
	// outage is closed, with its err set, when the waiter at the head met a Redis error: the
	// waiters queued behind it then share that answer instead of each meeting the outage in
	// turn (each a dial timeout, against a Redis that does not answer).
	outage *outage
}

type outage struct {
	done chan struct{}
	err  error
}

// call is one Redis call, made on a goroutine of its own so that no waiter is held past its
// context by a Redis (or a go-redis setting) that does not let go: res and err are set before
// done is closed.
type call struct {
	done    chan struct{}
	expires <-chan time.Time // CallTimeout after the call was sent
	stop    func() bool      // stops the timer of expires
	res     *redis_rate.Result
	err     error
}

// New returns a Limiter that allows perSecond CreateApp attempts per second, with bursts of up to
// burst, across every Limiter that uses key on the same Redis. rdb is any go-redis client
// (*redis.Client, *redis.ClusterClient, *redis.Ring through redis.UniversalClient); the Redis key
// is "rate:" + key, with a TTL, so it needs no cleanup. SageMaker's CreateApp throttle is per
// account and region, so a key that names both (say "sagemaker:CreateApp:123456789012:us-east-1")
// lets services of one account share the allowance. Set perSecond a little under the rate the
// service allows, since other callers in the account use it too.
//
// New checks its arguments and returns an error that names the argument and the rule: rdb must
// not be nil, key must not be empty, perSecond must be a finite number above 0 and at most
// 1,000,000 (Redis's clock counts microseconds), burst must be at least 1, and
// Options.CallTimeout must not be negative. It does not contact Redis: a Redis that is down shows
// in Wait, as Options.FailOpen decides.
func New(rdb redis.UniversalClient, key string, perSecond float64, burst int, optFns ...func(*Options)) (*Limiter, error) {
	var problems []error
	if rdb == nil {
		problems = append(problems, errors.New("redisrate: rdb: must not be nil"))
	}
	if key == "" {
		problems = append(problems, errors.New("redisrate: key: must not be empty"))
	}
	if math.IsNaN(perSecond) || perSecond <= 0 || perSecond > 1e6 {
		problems = append(problems, fmt.Errorf("redisrate: perSecond: must be above 0 and at most 1000000, got %v", perSecond))
	}
	if burst < 1 {
		problems = append(problems, fmt.Errorf("redisrate: burst: must be at least 1, got %d", burst))
	}
	var opts Options
	for _, fn := range optFns {
		fn(&opts)
	}
	if opts.CallTimeout < 0 {
		problems = append(problems, fmt.Errorf("redisrate: Options.CallTimeout: must not be negative, got %v", opts.CallTimeout))
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	l := &Limiter{
		limiter: redis_rate.NewLimiter(rdb),
		key:     key,
		// redis_rate takes an integer count per period; GCRA only uses their ratio (the emission
		// interval, period/rate), so one attempt per 1/perSecond carries any rate, 2.5/s included.
		limit:  redis_rate.Limit{Rate: 1, Period: time.Duration(float64(time.Second) / perSecond), Burst: burst},
		turn:   make(chan struct{}, 1),
		outage: &outage{done: make(chan struct{})},
		opts:   opts,
	}
	if l.opts.Sleep == nil {
		l.opts.Sleep = sleep
	}
	if l.opts.CallTimeout == 0 {
		l.opts.CallTimeout = DefaultCallTimeout
	}
	if l.opts.FailOpen && l.opts.Fallback == nil {
		l.opts.Fallback = rate.NewLimiter(rate.Limit(perSecond), burst)
	}
	return l, nil
}

// sleepPad is added to every RetryAfter. redis_rate keeps the time of the next slot as a Lua
// number, which Redis turns into a string of 14 significant digits: about 10 µs for times of
// this century, so a sleep of exactly RetryAfter can wake a few µs before the stored slot and be
// told to wait again, one more Redis call per attempt. 20 µs spares that (0.01% of a 200 ms
// slot), and a RetryAfter rounded down to zero cannot spin.
const sleepPad = 20 * time.Microsecond

// Wait blocks until the shared limit allows one more CreateApp attempt, or ctx ends. It waits
// for its turn among this Limiter's waiters, then asks Redis (one script call); when the limit is
// spent it sleeps for the RetryAfter that Redis gave and asks again, since another replica may
// have taken the slot meanwhile.
//
// It returns nil when the attempt may go; ctx.Err() when ctx ends first; and, when Redis cannot
// be asked, an error that is ErrRedis and wraps the go-redis error, unless Options.FailOpen is
// set, in which case it returns Options.Fallback's answer. The waiters queued while the one at
// the head met a Redis error get the same error at once. A caller's context that ends while
// Redis is being asked is reported as ctx.Err(), not as a Redis failure.
//
// Wait returns when ctx ends, whatever Redis does and whatever the go-redis client's timeouts
// are (ContextTimeoutEnabled or not, ReadTimeout -1 included): the Redis call runs on a
// goroutine of its own and Wait stops waiting for it, so the bound past ctx's end is the time to
// wake a goroutine, not a network timeout; the waiters queued behind it are bound alike. A call
// left behind finishes when go-redis lets it go, and the next waiter takes its answer rather
// than sending another. Without a deadline on ctx, Options.CallTimeout bounds each Redis call.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	o := l.outage
	l.mu.Unlock()
	select {
	case l.turn <- struct{}{}:
	case <-o.done:
		return l.redisFailed(ctx, o.err, false)
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.turn }()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := l.ask(ctx)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			err = &redisError{key: l.key, err: err}
			l.mu.Lock()
			l.outage.err = err
			close(l.outage.done)
			l.outage = &outage{done: make(chan struct{})}
			l.mu.Unlock()
			return l.redisFailed(ctx, err, true)
		}
		if res.Allowed > 0 {
			return nil
		}
		if err := l.opts.Sleep(ctx, max(res.RetryAfter, 0)+sleepPad); err != nil {
			return err
		}
	}
}

// ask makes one Redis call, or takes the answer of the call a waiter before it left behind, and
// waits for the answer until ctx ends or the call has had CallTimeout. The caller holds turn.
func (l *Limiter) ask(ctx context.Context) (*redis_rate.Result, error) {
	c := l.pending
	if c != nil {
		select {
		case <-c.done: // answered while nobody waited: stale, since the allowance moved on
			c = nil
		case <-c.expires:
			c = nil // abandoned for good: it has had its time
		default:
		}
	}
	if c == nil {
		timer := time.NewTimer(l.opts.CallTimeout)
		c = &call{done: make(chan struct{}), expires: timer.C, stop: timer.Stop}
		// The call's context keeps ctx's values (tracing hooks read them) but not its end: the
		// next waiter may take the answer. Its deadline lets a go-redis client with
		// ContextTimeoutEnabled end the call itself.
		callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.opts.CallTimeout)
		go func() {
			defer cancel()
			c.res, c.err = l.limiter.Allow(callCtx, l.key, l.limit)
			close(c.done)
		}()
	}
	select {
	case <-c.done:
		l.pending = nil
		c.stop()
		return c.res, c.err
	case <-ctx.Done():
		l.pending = c
		return nil, ctx.Err()
	case <-c.expires:
		l.pending = nil
		return nil, &callTimeoutError{after: l.opts.CallTimeout}
	}
}

// callTimeoutError is a Redis call that did not answer within CallTimeout. Like a net.Error it
// says it is a timeout.
type callTimeoutError struct{ after time.Duration }

func (e *callTimeoutError) Error() string   { return fmt.Sprintf("no answer within %v", e.after) }
func (e *callTimeoutError) Timeout() bool   { return true }
func (e *callTimeoutError) Temporary() bool { return true }

// redisError is what Wait returns when Redis could not be asked: ErrRedis, with the key and the
// go-redis error.
type redisError struct {
	key string
	err error
}

func (e *redisError) Error() string {
	return fmt.Sprintf("%v: key %q: %v", ErrRedis, e.key, e.err)
}

func (e *redisError) Unwrap() error { return e.err }

func (e *redisError) Is(target error) bool { return target == ErrRedis }

// RetryableError tells the AWS SDK's retryer, which sees this error when the Limiter gates an
// attempt from inside the retry loop, not to retry it. A refused Redis connection wraps a
// *net.OpError, which the SDK would otherwise take for a lost connection to SageMaker and retry
// at once, each retry spending the SDK client's retry quota on an outage that no SageMaker retry
// can mend; the caller (EnsureApp's own retries, say) decides instead.
func (e *redisError) RetryableError() bool { return false }

// redisFailed applies Options.FailOpen to err, and reports it if this waiter met it (report);
// the waiters that share another's answer do not report it again.
func (l *Limiter) redisFailed(ctx context.Context, err error, report bool) error {
	if report && l.opts.OnError != nil {
		l.opts.OnError(err)
	}
	if !l.opts.FailOpen {
		return err
	}
	return l.opts.Fallback.Wait(ctx)
}

// sleep waits for d on a timer, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
