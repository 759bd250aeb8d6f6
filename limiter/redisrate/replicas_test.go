package redisrate_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/limiter/redisrate"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// The Limiter is what the core module's Options.CreateLimiter takes.
var _ sagemakerapp.CreateLimiter = (*redisrate.Limiter)(nil)

// pipeListener is a net.Listener whose connections are in-memory pipes, so that an HTTP server
// and its clients can run inside a testing/synctest bubble: a goroutine blocked on a pipe is
// durably blocked, one blocked on a socket is not, and the bubble's clock would never move.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr is a loopback address, for the fake's URL; nothing ever dials it.
func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }

// DialContext is an http.Transport's dialer to the listener.
func (l *pipeListener) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// replicaRun is what runReplicas saw.
type replicaRun struct {
	errs      []error       // one per Ensure
	creates   int           // CreateApp requests the fake received, retries included
	throttled int           // of which it refused with ThrottlingException
	span      time.Duration // from the first CreateApp that the fake let through to the last
}

const (
	serviceRate  = 5 // CreateApp per second that the fake allows
	serviceBurst = 2
	ensures      = 300
	replicas     = 3
)

// world is a fake SageMaker with one domain and ten user profiles, and a miniredis, inside a
// testing/synctest bubble, on its one clock: the fake is on SystemClock (time.Now, the bubble's),
// the Clients' Now and Sleep are their defaults (time.Now and a timer, the bubble's), the
// Limiters sleep on the bubble's timers, the SDK backs off on them, and miniredis's TIME reads
// the bubble's time.Now. Time moves only when every goroutine waits, so a request never sees
// time pass while in flight, and no test waits for real time.
type world struct {
	ln       *pipeListener
	srv      *sagemakerfake.Server
	m        *miniredis.Miniredis
	domainID string
	// redisDown makes every replica's dial to Redis fail as a stopped server's does.
	redisDown atomic.Bool
}

const users = 10

// newWorld must be called inside the bubble.
func newWorld(t *testing.T) *world {
	w := &world{ln: newPipeListener()}
	w.srv = sagemakerfake.Start(t, sagemakerfake.WithListener(w.ln), sagemakerfake.WithClock(sagemakerfake.SystemClock{}),
		sagemakerfake.WithRequestLog(100_000))
	var err error
	w.domainID, err = w.srv.SeedDomain("", &sagemaker.CreateDomainInput{
		DomainName: aws.String("replicas"), AuthMode: types.AuthModeIam,
		// A domain that still runs Studio Classic, for the KernelGateway apps (facts §7.1).
		DefaultUserSettings: &types.UserSettings{ExecutionRole: aws.String("arn:aws:iam::123456789012:role/studio"), StudioWebPortal: types.StudioWebPortalDisabled},
	})
	require.NoError(t, err)
	for u := range users {
		require.NoError(t, w.srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{
			DomainId: aws.String(w.domainID), UserProfileName: aws.String(fmt.Sprintf("user-%d", u)),
		}))
	}
	w.m = miniredis.NewMiniRedis()
	t.Cleanup(w.m.Close)
	w.m.ClockTTL(true)
	return w
}

// replica is one replica's sagemakerapp Client: its own SDK client and connection pool, its own
// go-redis client, and a Limiter on key at the service's rate.
func (w *world) replica(t *testing.T, key string, optFns ...func(*redisrate.Options)) *sagemakerapp.Client {
	tr := &http.Transport{DialContext: w.ln.DialContext, MaxIdleConnsPerHost: 256}
	t.Cleanup(tr.CloseIdleConnections)
	api := w.srv.Client(func(o *sagemaker.Options) { o.HTTPClient = &http.Client{Transport: tr} })
	rdb := redis.NewClient(&redis.Options{
		Addr: "127.0.0.1:6379", // never dialled; an IP literal keeps go-redis from resolving "localhost"
		Dialer: func(context.Context, string, string) (net.Conn, error) {
			if w.redisDown.Load() {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
			}
			return w.m.Dial()
		},
		MaxRetries: -1,
	})
	t.Cleanup(func() { _ = rdb.Close() })
	lim, err := redisrate.New(rdb, key, serviceRate, serviceBurst, optFns...)
	require.NoError(t, err)
	return sagemakerapp.New(api, func(o *sagemakerapp.Options) { o.CreateLimiter = lim })
}

// input is KernelGateway app i (Studio Classic, on a user profile).
func (w *world) input(i int) *sagemaker.CreateAppInput {
	return &sagemaker.CreateAppInput{
		DomainId: aws.String(w.domainID), UserProfileName: aws.String(fmt.Sprintf("user-%d", i%users)),
		AppType: types.AppTypeKernelGateway, AppName: aws.String(fmt.Sprintf("kg-%03d", i)),
		ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium},
	}
}

// createRequests counts the CreateApp requests the fake received.
func (w *world) createRequests() int {
	n := 0
	for _, r := range w.srv.Requests() {
		if r.Operation == "CreateApp" {
			n++
		}
	}
	return n
}

// runReplicas ensures 300 apps through three Clients, the stand-ins for replicas, on a fake that
// throttles CreateApp at 5/s with burst 2. key(i) is replica i's Redis key: one key for all is
// the shared limiter.
func runReplicas(t *testing.T, key func(replica int) string) replicaRun {
	var run replicaRun
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		w.srv.SetThrottle("CreateApp", serviceRate, serviceBurst)
		var clients []*sagemakerapp.Client
		for r := range replicas {
			clients = append(clients, w.replica(t, key(r)))
		}

		run.errs = make([]error, ensures)
		var wg sync.WaitGroup
		for i := range ensures {
			c, in := clients[i%replicas], w.input(i)
			wg.Go(func() {
				_, run.errs[i] = c.EnsureApp(t.Context(), in)
			})
		}
		wg.Wait()

		reqs := w.srv.Requests()
		require.Less(t, len(reqs), 100_000, "the request log kept every request")
		var first time.Time
		for _, r := range reqs {
			if r.Operation != "CreateApp" {
				continue
			}
			run.creates++
			switch {
			case r.ErrorCode == sagemakerfake.CodeThrottling:
				run.throttled++
			case r.Status == http.StatusOK:
				if first.IsZero() {
					first = r.Time
				}
				run.span = r.Time.Sub(first)
			}
		}
		live := 0
		for _, a := range w.srv.Apps() {
			if a.Status == types.AppStatusInService {
				live++
			}
		}
		assert.Equal(t, ensures, live, "every app is InService, none twice")
	})
	return run
}

// TestReplicasShareTheCreateRate is issue 16's test: three Clients sharing one limiter through
// Redis hold the service's CreateApp rate, so no Ensure meets a throttling error and at most 2%
// of the CreateApp attempts are throttled; the same Clients with a limiter each, at the same
// rate, send three times it and are throttled far more, which shows the check can fail.
func TestReplicasShareTheCreateRate(t *testing.T) {
	t.Run("one shared limiter", func(t *testing.T) {
		run := runReplicas(t, func(int) string { return "sagemaker:CreateApp:123456789012:us-east-1" })
		for i, err := range run.errs {
			assert.NoError(t, err, "Ensure %d", i)
			assert.NotErrorIs(t, err, sagemakerapp.ErrThrottled, "Ensure %d", i)
		}
		t.Logf("shared: %d CreateApp attempts, %d throttled", run.creates, run.throttled)
		assert.GreaterOrEqual(t, run.creates, ensures)
		assert.LessOrEqual(t, float64(run.throttled), 0.02*float64(run.creates), "throttled attempts")
		assert.InDelta(t, float64(ensures-serviceBurst)/serviceRate, run.span.Seconds(), 1,
			"and the replicas use the whole rate: 298 creates after the burst at 5/s")
	})
	t.Run("a limiter each", func(t *testing.T) {
		run := runReplicas(t, func(r int) string { return fmt.Sprintf("sagemaker:CreateApp:replica-%d", r) })
		failed := 0
		for _, err := range run.errs {
			if err != nil {
				failed++
			}
		}
		t.Logf("unshared: %d CreateApp attempts, %d throttled, %d Ensures failed", run.creates, run.throttled, failed)
		assert.Greater(t, float64(run.throttled), 0.02*float64(run.creates), "unshared limiters exceed the service's rate")
	})
}

// TestCreateAppWhenRedisIsDown: a Limiter that fails closed stops the attempt before it is sent,
// and the SDK does not retry it, although a refused dial is what its retryer takes for a lost
// connection: CreateApp fails once with an error that is ErrRedis. One that fails open lets the
// app be created.
func TestCreateAppWhenRedisIsDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		var closedErrs, openErrs []error
		closed := w.replica(t, "k", func(o *redisrate.Options) { o.OnError = func(err error) { closedErrs = append(closedErrs, err) } })
		open := w.replica(t, "k", func(o *redisrate.Options) {
			o.FailOpen = true
			o.OnError = func(err error) { openErrs = append(openErrs, err) }
		})
		w.redisDown.Store(true)

		_, err := closed.CreateApp(t.Context(), w.input(0))
		require.ErrorIs(t, err, redisrate.ErrRedis)
		assert.ErrorIs(t, err, syscall.ECONNREFUSED)
		assert.NotErrorIs(t, err, sagemakerapp.ErrThrottled)
		assert.Len(t, closedErrs, 1, "one attempt: the SDK did not retry a Redis outage")
		assert.Zero(t, w.createRequests(), "nothing was sent")

		app, err := open.CreateApp(t.Context(), w.input(1))
		require.NoError(t, err)
		assert.Equal(t, "kg-001", app.ID.AppName)
		assert.Len(t, openErrs, 1, "the outage is still reported")
		assert.Equal(t, 1, w.createRequests())
	})
}
