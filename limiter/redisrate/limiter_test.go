package redisrate

import (
	"context"
	"fmt"
	"math"
	"net"
	"sort"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// Every test of the package ends with no goroutine left behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// redisClock is a fake clock for tests that run on one goroutine: its sleep moves miniredis's
// TIME (which redis_rate's script reads) and its TTLs by exactly d, and records d, so that no
// test sleeps for real and every run sees the same times.
type redisClock struct {
	m      *miniredis.Miniredis
	now    time.Time
	sleeps []time.Duration
}

func newRedisClock(m *miniredis.Miniredis) *redisClock {
	c := &redisClock{m: m, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	m.SetTime(c.now)
	return c
}

func (c *redisClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.m.SetTime(c.now)
	c.m.FastForward(d)
	return nil
}

// newClient is one replica's go-redis client for m, without go-redis's own retries (they back
// off in real time), and with one dial attempt, not five.
func newClient(t *testing.T, m *miniredis.Miniredis) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

func mustNew(t *testing.T, rdb redis.UniversalClient, key string, perSecond float64, burst int, optFns ...func(*Options)) *Limiter {
	t.Helper()
	l, err := New(rdb, key, perSecond, burst, optFns...)
	require.NoError(t, err)
	return l
}

func withSleep(sleep func(context.Context, time.Duration) error) func(*Options) {
	return func(o *Options) { o.Sleep = sleep }
}

// noSleep fails the test if Wait sleeps.
func noSleep(t *testing.T) func(context.Context, time.Duration) error {
	return func(context.Context, time.Duration) error {
		t.Errorf("Wait slept, and it should not have")
		return nil
	}
}

func TestNewNamesTheArgumentAndTheRule(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never contacted: New does not dial
	t.Cleanup(func() { _ = rdb.Close() })
	for _, tc := range []struct {
		name      string
		rdb       redis.UniversalClient
		key       string
		perSecond float64
		burst     int
		want      []string
	}{
		{"nil client", nil, "k", 1, 1, []string{"rdb: must not be nil"}},
		{"empty key", rdb, "", 1, 1, []string{"key: must not be empty"}},
		{"zero rate", rdb, "k", 0, 1, []string{"perSecond: must be above 0", "got 0"}},
		{"negative rate", rdb, "k", -2, 1, []string{"perSecond", "got -2"}},
		{"NaN rate", rdb, "k", math.NaN(), 1, []string{"perSecond", "got NaN"}},
		{"infinite rate", rdb, "k", math.Inf(1), 1, []string{"perSecond", "at most 1000000", "got +Inf"}},
		{"rate past the clock's resolution", rdb, "k", 2e6, 1, []string{"perSecond", "at most 1000000"}},
		{"zero burst", rdb, "k", 1, 0, []string{"burst: must be at least 1", "got 0"}},
		{"every problem at once", nil, "", 0, -1, []string{"rdb:", "key:", "perSecond:", "burst:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := New(tc.rdb, tc.key, tc.perSecond, tc.burst)
			require.Error(t, err)
			assert.Nil(t, l)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	_, err := New(rdb, "k", 1, 1, func(o *Options) { o.CallTimeout = -time.Second })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Options.CallTimeout: must not be negative, got -1s")
	l, err := New(rdb, "k", 0.25, 1)
	require.NoError(t, err, "a rate under one per second is valid")
	assert.Equal(t, 4*time.Second, l.limit.Period/time.Duration(l.limit.Rate), "one attempt per 4 s")
}

func TestWaitLetsTheBurstGoAtOnce(t *testing.T) {
	m := miniredis.RunT(t)
	clock := newRedisClock(m)
	l := mustNew(t, newClient(t, m), "burst", 2, 3, withSleep(noSleep(t)))
	for i := range 3 {
		require.NoError(t, l.Wait(context.Background()), "attempt %d of the burst", i+1)
	}
	assert.Empty(t, clock.sleeps)
	ttl := m.TTL("rate:burst")
	assert.True(t, ttl > 0 && ttl <= 2*time.Second, "the key expires once the burst has refilled, TTL %v", ttl)
}

func TestWaitSleepsForWhatRedisSays(t *testing.T) {
	m := miniredis.RunT(t)
	clock := newRedisClock(m)
	start := clock.now
	l := mustNew(t, newClient(t, m), "delayed", 2, 1, withSleep(clock.sleep))

	require.NoError(t, l.Wait(context.Background()))
	assert.Empty(t, clock.sleeps, "the first attempt goes at once")
	require.NoError(t, l.Wait(context.Background()))
	require.Len(t, clock.sleeps, 1)
	assert.InDelta(t, 500*time.Millisecond+sleepPad, clock.sleeps[0], float64(15*time.Microsecond), "at 2/s the next slot is 500 ms away")

	for range 8 {
		require.NoError(t, l.Wait(context.Background()))
	}
	elapsed := clock.now.Sub(start)
	assert.InDelta(t, 4500*time.Millisecond, elapsed, float64(time.Millisecond), "10 attempts at 2/s, burst 1, take 4.5 s")
}

func TestWaitKeepsAskingWhenAnotherReplicaTookTheSlot(t *testing.T) {
	m := miniredis.RunT(t)
	clock := newRedisClock(m)
	other := mustNew(t, newClient(t, m), "shared", 1, 1, withSleep(noSleep(t)))
	var l *Limiter
	first := true
	l = mustNew(t, newClient(t, m), "shared", 1, 1, withSleep(func(ctx context.Context, d time.Duration) error {
		if first {
			// While this replica sleeps, another takes the slot it was waiting for.
			first = false
			require.NoError(t, clock.sleep(ctx, d))
			return other.Wait(ctx)
		}
		return clock.sleep(ctx, d)
	}))
	require.NoError(t, other.Wait(context.Background()))
	start := clock.now
	require.NoError(t, l.Wait(context.Background()))
	require.Len(t, clock.sleeps, 2, "slept, lost the slot, slept again")
	assert.InDelta(t, 2*time.Second, clock.now.Sub(start), float64(time.Millisecond))
}

func TestWaitEndsWithTheContext(t *testing.T) {
	m := miniredis.RunT(t)
	clock := newRedisClock(m)

	t.Run("already ended", func(t *testing.T) {
		l := mustNew(t, newClient(t, m), "ctx", 1, 1, withSleep(noSleep(t)))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		before := m.CommandCount()
		assert.ErrorIs(t, l.Wait(ctx), context.Canceled)
		assert.Equal(t, before, m.CommandCount(), "no Redis call for a context that has ended")
	})

	t.Run("ends while sleeping", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		l := mustNew(t, newClient(t, m), "ctx-sleep", 1, 1, withSleep(func(ctx context.Context, d time.Duration) error {
			cancel()
			return clock.sleep(ctx, d)
		}))
		require.NoError(t, l.Wait(ctx))
		err := l.Wait(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, ErrRedis)
	})

	t.Run("deadline while sleeping", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		l := mustNew(t, newClient(t, m), "ctx-deadline", 1, 1, withSleep(func(ctx context.Context, d time.Duration) error {
			return context.DeadlineExceeded // the sleep outlived the deadline
		}))
		require.NoError(t, l.Wait(ctx))
		assert.ErrorIs(t, l.Wait(ctx), context.DeadlineExceeded)
	})
}

// fallback counts its calls and answers with err.
type fallback struct {
	calls int
	err   error
}

func (f *fallback) Wait(context.Context) error { f.calls++; return f.err }

func TestWaitWhenRedisFails(t *testing.T) {
	m := miniredis.RunT(t)
	newRedisClock(m)
	rdb := newClient(t, m)
	m.SetError("LOADING Redis is loading the dataset in memory")
	t.Cleanup(func() { m.SetError("") })

	t.Run("fails closed by default", func(t *testing.T) {
		var reported []error
		l := mustNew(t, rdb, "down", 1, 1, withSleep(noSleep(t)), func(o *Options) { o.OnError = func(err error) { reported = append(reported, err) } })
		err := l.Wait(context.Background())
		require.ErrorIs(t, err, ErrRedis)
		var rerr redis.Error
		require.ErrorAs(t, err, &rerr, "the go-redis error is still reachable")
		assert.Contains(t, rerr.Error(), "LOADING")
		assert.Contains(t, err.Error(), `key "down"`)
		require.Len(t, reported, 1)
		assert.Equal(t, err, reported[0], "OnError sees the error Wait returns")
	})

	t.Run("fails open when asked", func(t *testing.T) {
		var reported []error
		fb := &fallback{}
		l := mustNew(t, rdb, "down", 1, 1, withSleep(noSleep(t)), func(o *Options) {
			o.FailOpen = true
			o.Fallback = fb
			o.OnError = func(err error) { reported = append(reported, err) }
		})
		for range 5 {
			assert.NoError(t, l.Wait(context.Background()), "every attempt goes while Redis is down")
		}
		assert.Equal(t, 5, fb.calls, "each through the fallback")
		require.Len(t, reported, 5, "each outage is still reported")
		assert.ErrorIs(t, reported[0], ErrRedis)
	})

	t.Run("fails open through the fallback", func(t *testing.T) {
		fb := &fallback{}
		l := mustNew(t, rdb, "down", 1, 1, withSleep(noSleep(t)), func(o *Options) { o.FailOpen = true; o.Fallback = fb })
		require.NoError(t, l.Wait(context.Background()))
		assert.Equal(t, 1, fb.calls)
		fb.err = context.DeadlineExceeded
		assert.ErrorIs(t, l.Wait(context.Background()), context.DeadlineExceeded, "the fallback's answer is Wait's")
	})

	t.Run("the fallback is not used when failing closed", func(t *testing.T) {
		fb := &fallback{}
		l := mustNew(t, rdb, "down", 1, 1, withSleep(noSleep(t)), func(o *Options) { o.Fallback = fb })
		assert.ErrorIs(t, l.Wait(context.Background()), ErrRedis)
		assert.Zero(t, fb.calls)
	})
}

func TestWaitWhenRedisIsGone(t *testing.T) {
	m := miniredis.RunT(t)
	rdb := newClient(t, m)
	m.Close()

	l := mustNew(t, rdb, "gone", 1, 1, withSleep(noSleep(t)))
	err := l.Wait(context.Background())
	require.ErrorIs(t, err, ErrRedis)
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr, "a refused connection is reported as such: %v", err)
	retryer := retry.NewStandard()
	assert.True(t, retryer.IsErrorRetryable(opErr), "the SDK retries a refused connection of its own")
	assert.False(t, retryer.IsErrorRetryable(err), "but not a Redis outage met inside its retry loop")

	open := mustNew(t, rdb, "gone", 1, 1, withSleep(noSleep(t)), func(o *Options) { o.FailOpen = true })
	assert.NoError(t, open.Wait(context.Background()))
}

// conforms reports the first window of allowed times that holds more attempts than a limit of
// perSecond with burst allows (burst + perSecond × the window's length), or "".
func conforms(times []time.Time, perSecond float64, burst int) string {
	sorted := append([]time.Time(nil), times...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Before(sorted[j]) })
	for i := range sorted {
		for j := i; j < len(sorted); j++ {
			window := sorted[j].Sub(sorted[i])
			// 50 µs of slack: redis_rate keeps its state as Lua numbers printed to 14 digits.
			allowed := float64(burst) + perSecond*(window+50*time.Microsecond).Seconds()
			if n := j - i + 1; float64(n) > allowed {
				return fmt.Sprintf("%d attempts in %v, from %s", n, window, sorted[i].Format(time.StampMicro))
			}
		}
	}
	return ""
}

// roundRobin has three replicas, each with its own go-redis client and Limiter from key(i), take
// turns to Wait on one goroutine until each has made perReplica attempts, and returns when each
// attempt was allowed on the shared fake clock.
func roundRobin(t *testing.T, key func(replica int) string, perSecond float64, burst, perReplica int) []time.Time {
	m := miniredis.RunT(t)
	clock := newRedisClock(m)
	var replicas []*Limiter
	for i := range 3 {
		replicas = append(replicas, mustNew(t, newClient(t, m), key(i), perSecond, burst, withSleep(clock.sleep)))
	}
	var allowed []time.Time
	for range perReplica {
		for _, l := range replicas {
			require.NoError(t, l.Wait(context.Background()))
			allowed = append(allowed, clock.now)
		}
	}
	return allowed
}

func TestReplicasHoldTheCombinedRate(t *testing.T) {
	const perSecond, burst, perReplica = 5, 2, 20
	shared := roundRobin(t, func(int) string { return "sagemaker:CreateApp" }, perSecond, burst, perReplica)
	require.Len(t, shared, 3*perReplica)
	assert.Empty(t, conforms(shared, perSecond, burst), "three replicas on one key stay within 5/s, burst 2")
	span := shared[len(shared)-1].Sub(shared[0])
	assert.InDelta(t, float64(3*perReplica-burst)/perSecond, span.Seconds(), 0.01, "and use all of it: 58 attempts after the burst at 5/s")

	// The same replicas, each on its own key, as three unshared limiters would be: together they
	// send three times the rate, which the check above must catch.
	apart := roundRobin(t, func(i int) string { return "replica-" + string(rune('a'+i)) }, perSecond, burst, perReplica)
	assert.NotEmpty(t, conforms(apart, perSecond, burst), "unshared limiters exceed the combined rate")
	span = apart[len(apart)-1].Sub(apart[0])
	assert.InDelta(t, float64(perReplica-burst)/perSecond, span.Seconds(), 0.01, "each replica alone runs at the full rate")
}
