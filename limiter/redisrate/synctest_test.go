package redisrate

import (
	"context"
	"net"
	"sync"
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
