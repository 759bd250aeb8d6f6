package redisrate

import (
	"context"
	"errors"
	"io"
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

// stalledDialer connects to a Redis that accepts and never answers: it reads whatever it is sent
// and says nothing, as a hung server or a black hole behind a load balancer does. Its connections
// are in-memory pipes, so that it runs in a testing/synctest bubble.
func stalledDialer(context.Context, string, string) (net.Conn, error) {
	client, server := net.Pipe()
	go func() {
		_, _ = io.Copy(io.Discard, server)
		_ = server.Close()
	}()
	return client, nil
}

// slowConn is a connection to a Redis that takes delay to answer each read.
type slowConn struct {
	net.Conn
	delay time.Duration
}

func (c slowConn) Read(p []byte) (int, error) {
	time.Sleep(c.delay)
	return c.Conn.Read(p)
}

// drain closes rdb and m, and lets the Redis calls that Waits left behind end, as they do once
// their connection is closed (or a slow read returns), before the bubble ends.
func drain(t *testing.T, rdb *redis.Client, m *miniredis.Miniredis) {
	t.Helper()
	require.NoError(t, rdb.Close())
	if m != nil {
		m.Close()
	}
	time.Sleep(time.Minute)
	synctest.Wait()
}

// TestWaitEndsWithItsContextWhateverRedisDoes: a Wait that fails closed returns when its context
// ends, however Redis misbehaves and whatever the caller's go-redis settings, and so do the waiters
// queued behind it. Each case runs in a testing/synctest bubble, so the times are exact.
func TestWaitEndsWithItsContextWhateverRedisDoes(t *testing.T) {
	type setup struct {
		name   string
		opts   func(m *miniredis.Miniredis) *redis.Options
		cancel bool          // end the context with a cancel at its end, rather than a deadline
		end    time.Duration // when the context ends
	}
	stalled := func(o redis.Options) func(*miniredis.Miniredis) *redis.Options {
		return func(*miniredis.Miniredis) *redis.Options {
			o.Addr, o.Dialer = "127.0.0.1:6379", stalledDialer
			return &o
		}
	}
	for _, tc := range []setup{
		{"stalled, go-redis defaults, deadline", stalled(redis.Options{}), false, 200 * time.Millisecond},
		{"stalled, context timeouts enabled, cancel", stalled(redis.Options{ContextTimeoutEnabled: true}), true, 200 * time.Millisecond},
		{"stalled, no read timeout, deadline", stalled(redis.Options{ReadTimeout: -1, MaxRetries: -1}), false, 200 * time.Millisecond},
		{"stalled, no read timeout, cancel", stalled(redis.Options{ReadTimeout: -1, WriteTimeout: -1}), true, 200 * time.Millisecond},
		{"one second per answer, deadline", func(m *miniredis.Miniredis) *redis.Options {
			return &redis.Options{Addr: "127.0.0.1:6379", Dialer: func(context.Context, string, string) (net.Conn, error) {
				c, err := m.Dial()
				return slowConn{c, time.Second}, err
			}}
		}, false, 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := miniredis.NewMiniRedis()
				t.Cleanup(m.Close)
				rdb := redis.NewClient(tc.opts(m))
				t.Cleanup(func() { _ = rdb.Close() })
				l := mustNew(t, rdb, "stalled", 1, 1, func(o *Options) { o.CallTimeout = time.Hour }) // only the context ends it here

				start := time.Now()
				ctx, cancel := context.WithTimeout(t.Context(), tc.end)
				defer cancel()
				if tc.cancel {
					ctx, cancel = context.WithCancel(t.Context())
					defer cancel()
					time.AfterFunc(tc.end, cancel)
				}
				var wg sync.WaitGroup
				errs := make([]error, 3) // the head, and two queued behind it
				ended := make([]time.Duration, len(errs))
				for i := range errs {
					wg.Go(func() {
						errs[i] = l.Wait(ctx)
						ended[i] = time.Since(start)
					})
					synctest.Wait()
				}
				wg.Wait()
				for i, err := range errs {
					want := context.DeadlineExceeded
					if tc.cancel {
						want = context.Canceled
					}
					assert.ErrorIs(t, err, want, "waiter %d", i)
					assert.NotErrorIs(t, err, ErrRedis, "waiter %d: the context ended, not Redis", i)
					t.Logf("waiter %d returned %v past its context's end", i, ended[i]-tc.end)
					assert.Equal(t, tc.end, ended[i], "waiter %d returns at its context's end", i)
				}
				drain(t, rdb, m)
			})
		})
	}
}

// TestWaitOnAStalledRedisEndsWithACancel is the stalled case over TCP, on 127.0.0.1, with no read
// timeout at all: the cancel ends the Wait. The deadline below only keeps a hang from stalling
// the run; it is not a measure of anything.
func TestWaitOnAStalledRedisEndsWithACancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	asked := make(chan struct{}, 1) // a client has sent something
	var mu sync.Mutex
	var accepted []net.Conn
	var conns sync.WaitGroup
	conns.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			accepted = append(accepted, c)
			mu.Unlock()
			conns.Go(func() { // reads, never answers
				var b [1]byte
				if _, err := c.Read(b[:]); err == nil {
					select {
					case asked <- struct{}{}:
					default:
					}
				}
				_, _ = io.Copy(io.Discard, c)
			})
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range accepted {
			_ = c.Close()
		}
		mu.Unlock()
		conns.Wait()
	})
	rdb := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	l := mustNew(t, rdb, "stalled", 1, 1, func(o *Options) { o.CallTimeout = time.Hour })

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx) }()
	<-asked // Wait is waiting for Redis's answer
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(time.Minute):
		t.Fatal("Wait did not return after its context was canceled")
	}
}

// TestARedisCallThatOutlivesCallTimeoutIsAnOutage: a Wait with time to spare does not hang on a
// stalled Redis either: after CallTimeout the call counts as Redis being unavailable, failed
// closed (ErrRedis) or open (the fallback), and the waiters queued behind share that answer.
func TestARedisCallThatOutlivesCallTimeoutIsAnOutage(t *testing.T) {
	for _, failOpen := range []bool{false, true} {
		t.Run(map[bool]string{false: "fail closed", true: "fail open"}[failOpen], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", Dialer: stalledDialer, ReadTimeout: -1, WriteTimeout: -1})
				t.Cleanup(func() { _ = rdb.Close() })
				var reported []error
				l := mustNew(t, rdb, "stalled", 1, 3, func(o *Options) {
					o.FailOpen = failOpen
					o.OnError = func(err error) { reported = append(reported, err) }
				})
				start := time.Now()
				errs := make([]error, 3)
				var wg sync.WaitGroup
				for i := range errs {
					wg.Go(func() { errs[i] = l.Wait(t.Context()) })
					synctest.Wait()
				}
				wg.Wait()
				assert.Equal(t, DefaultCallTimeout, time.Since(start), "the head gave up after CallTimeout, and the queue with it")
				require.Len(t, reported, 1, "reported once, by the head")
				assert.ErrorIs(t, reported[0], ErrRedis)
				assert.Contains(t, reported[0].Error(), "no answer within 1s")
				var timeout interface{ Timeout() bool }
				require.True(t, errors.As(reported[0], &timeout) && timeout.Timeout(), "a timeout, as net errors say: %v", reported[0])
				for i, err := range errs {
					if failOpen {
						assert.NoError(t, err, "waiter %d goes, through the default fallback", i)
					} else {
						assert.Equal(t, reported[0], err, "waiter %d", i)
					}
				}
				drain(t, rdb, nil)
			})
		})
	}
}

// TestTheNextWaiterTakesTheAnswerOfACallLeftBehind: a waiter that leaves while Redis is slow
// leaves its call behind, and the next waiter takes that call's answer instead of sending its
// own, so a slow Redis sees one call at a time however many waiters give up on it.
func TestTheNextWaiterTakesTheAnswerOfACallLeftBehind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := miniredis.NewMiniRedis()
		var dials int
		rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", MaxRetries: -1, Dialer: func(context.Context, string, string) (net.Conn, error) {
			dials++
			c, err := m.Dial()
			return slowConn{c, time.Second}, err
		}})
		var scripts scriptCounter
		rdb.AddHook(&scripts)
		l := mustNew(t, rdb, "slow", 1, 1, func(o *Options) { o.CallTimeout = time.Minute })

		start := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs[:3] { // three impatient waiters, one after another at the head
			ctx, cancel := context.WithTimeout(t.Context(), time.Duration(i+1)*100*time.Millisecond)
			defer cancel()
			wg.Go(func() { errs[i] = l.Wait(ctx) })
			synctest.Wait()
		}
		var answered time.Duration
		wg.Go(func() { errs[3] = l.Wait(t.Context()); answered = time.Since(start) })
		wg.Wait()

		for i, err := range errs[:3] {
			assert.ErrorIs(t, err, context.DeadlineExceeded, "waiter %d", i)
		}
		assert.NoError(t, errs[3], "the patient waiter got the slot that the first call was allowed")
		// One Allow: EVALSHA, which a fresh Redis answers NOSCRIPT, then EVAL.
		assert.LessOrEqual(t, scripts.n.Load(), int64(2), "one call served all four")
		assert.Equal(t, 1, dials, "on one connection: no waiter sent a call of its own beside it")
		t.Logf("the call left behind answered after %v", answered)
		assert.Less(t, answered, time.Minute)
		drain(t, rdb, m)
	})
}

// TestFailOpenWithoutAFallbackHoldsTheLimitersOwnRate: with Redis down, a Limiter that fails open
// and was given no Fallback lets attempts go at its own rate and burst, not unmetered.
func TestFailOpenWithoutAFallbackHoldsTheLimitersOwnRate(t *testing.T) {
	const perSecond, burst = 5, 2
	synctest.Test(t, func(t *testing.T) {
		m := miniredis.NewMiniRedis()
		t.Cleanup(m.Close)
		m.SetError("LOADING Redis is loading the dataset in memory")
		l := mustNew(t, bubbleClient(t, m), "down", perSecond, burst, func(o *Options) { o.FailOpen = true })

		start := time.Now()
		var allowed []time.Time
		for len(allowed) < 1000 && time.Since(start) < 2*time.Second {
			require.NoError(t, l.Wait(t.Context()))
			allowed = append(allowed, time.Now())
		}
		t.Logf("%d attempts in the first 2 s with Redis down", len(allowed))
		assert.Empty(t, conforms(allowed, perSecond, burst), "within 5/s, burst 2")
		assert.Equal(t, burst+2*perSecond, len(allowed), "and at that rate: the burst, then one every 200 ms")
	})
}
