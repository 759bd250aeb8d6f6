package redisrate

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bubbleClient is one replica's go-redis client for m inside a testing/synctest bubble: it dials
// through miniredis's Dial (an in-memory pipe), so that the server, its connections and the clock
// of TIME all belong to the bubble.
func bubbleClient(t *testing.T, m *miniredis.Miniredis) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{
		// Never dialled (Dialer below is), but an IP literal keeps go-redis from resolving the
		// default "localhost" in the bubble, which the resolver's goroutines cannot share.
		Addr:       "127.0.0.1:6379",
		Dialer:     func(context.Context, string, string) (net.Conn, error) { return m.Dial() },
		MaxRetries: -1,
	})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// TestReplicasHoldTheCombinedRateConcurrently is TestReplicasHoldTheCombinedRate with real
// concurrency: three replicas, four goroutines each, sleeping on real timers of the bubble's
// clock, which miniredis's TIME reads too.
func TestReplicasHoldTheCombinedRateConcurrently(t *testing.T) {
	const perSecond, burst, goroutines, attempts = 5, 2, 4, 5 // 60 attempts in all
	run := func(t *testing.T, key func(replica int) string) (allowed []time.Time) {
		synctest.Test(t, func(t *testing.T) {
			m := miniredis.NewMiniRedis()
			t.Cleanup(m.Close)
			m.ClockTTL(true)
			var mu sync.Mutex
			var wg sync.WaitGroup
			for i := range 3 {
				l := mustNew(t, bubbleClient(t, m), key(i), perSecond, burst) // the default sleep: a timer
				for range goroutines {
					wg.Go(func() {
						for range attempts {
							if !assert.NoError(t, l.Wait(t.Context())) {
								return
							}
							mu.Lock()
							allowed = append(allowed, time.Now())
							mu.Unlock()
						}
					})
				}
			}
			wg.Wait()
		})
		require.Len(t, allowed, 3*goroutines*attempts)
		return allowed
	}
	spanOf := func(ts []time.Time) time.Duration {
		lo, hi := ts[0], ts[0]
		for _, x := range ts {
			lo, hi = minTime(lo, x), maxTime(hi, x)
		}
		return hi.Sub(lo)
	}

	t.Run("shared", func(t *testing.T) {
		allowed := run(t, func(int) string { return "sagemaker:CreateApp" })
		assert.Empty(t, conforms(allowed, perSecond, burst))
		assert.InDelta(t, float64(len(allowed)-burst)/perSecond, spanOf(allowed).Seconds(), 0.05)
	})
	t.Run("unshared", func(t *testing.T) {
		allowed := run(t, func(i int) string { return "replica-" + string(rune('a'+i)) })
		assert.NotEmpty(t, conforms(allowed, perSecond, burst), "three limiters of their own send three times the rate")
		assert.InDelta(t, float64(len(allowed)/3-burst)/perSecond, spanOf(allowed).Seconds(), 0.05)
	})
}

// scriptCounter is a go-redis hook that counts the script calls (EVALSHA, EVAL) a client makes.
type scriptCounter struct{ n atomic.Int64 }

func (*scriptCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *scriptCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); name == "evalsha" || name == "eval" {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (*scriptCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
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

// TestWaitersOfOneLimiterQueue: the waiters of one Limiter take turns, first come first served,
// and only the one whose turn it is asks Redis, so many waiters cost one script call per slot.
func TestWaitersOfOneLimiterQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := miniredis.NewMiniRedis()
		t.Cleanup(m.Close)
		m.ClockTTL(true)
		const waiters = 50
		rdb := bubbleClient(t, m)
		var scripts scriptCounter
		rdb.AddHook(&scripts)
		l := mustNew(t, rdb, "queue", 10, 1)
		require.NoError(t, l.Wait(t.Context())) // spends the burst
		before := scripts.n.Load()

		var mu sync.Mutex
		var order []int
		var wg sync.WaitGroup
		for i := range waiters {
			wg.Go(func() {
				if assert.NoError(t, l.Wait(t.Context())) {
					mu.Lock()
					order = append(order, i)
					mu.Unlock()
				}
			})
			synctest.Wait() // waiter i is queued (or asleep at the head) before i+1 comes
		}
		start := time.Now()
		wg.Wait()

		require.Len(t, order, waiters)
		for i, w := range order {
			require.Equal(t, i, w, "waiters are let go in the order they came: %v", order)
		}
		assert.InDelta(t, waiters/10.0, time.Since(start).Seconds(), 0.01, "one every 100 ms")
		// Each waiter asks once when its turn comes (asleep behind the one before, it is told to
		// wait the rest of a slot) and once after its sleep. Without the queue every waiter would
		// ask at every slot, about waiters²/2 calls.
		assert.LessOrEqual(t, scripts.n.Load()-before, int64(2*waiters))
	})
}

// TestQueuedWaitersShareARedisOutage: when the waiter at the head meets a Redis error, the ones
// queued behind it get that error at once, and OnError hears of it once.
func TestQueuedWaitersShareARedisOutage(t *testing.T) {
	for _, failOpen := range []bool{false, true} {
		t.Run(map[bool]string{false: "fail closed", true: "fail open"}[failOpen], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := miniredis.NewMiniRedis()
				t.Cleanup(m.Close)
				m.ClockTTL(true)
				var reported []error
				rdb := bubbleClient(t, m)
				var scripts scriptCounter
				rdb.AddHook(&scripts)
				l := mustNew(t, rdb, "outage", 1, 1, func(o *Options) {
					o.FailOpen = failOpen
					o.OnError = func(err error) { reported = append(reported, err) }
				})
				require.NoError(t, l.Wait(t.Context())) // spends the burst: the next waiter sleeps 1 s

				errs := make([]error, 10)
				var wg sync.WaitGroup
				for i := range errs {
					wg.Go(func() { errs[i] = l.Wait(t.Context()) })
				}
				synctest.Wait() // one asleep at the head, nine queued
				m.SetError("LOADING Redis is loading the dataset in memory")
				before := scripts.n.Load()
				wg.Wait()

				assert.Equal(t, int64(1), scripts.n.Load()-before, "only the head asked the failing Redis")
				require.Len(t, reported, 1)
				assert.ErrorIs(t, reported[0], ErrRedis)
				for i, err := range errs {
					if failOpen {
						assert.NoError(t, err, "waiter %d", i)
					} else {
						assert.Equal(t, reported[0], err, "waiter %d shares the head's answer", i)
					}
				}

				m.SetError("")
				assert.NoError(t, l.Wait(t.Context()), "a new waiter asks Redis again")
			})
		})
	}
}
