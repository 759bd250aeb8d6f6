package sagemakerapp

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

func (e *env) inputs(n int) []*sagemaker.CreateAppInput {
	ins := make([]*sagemaker.CreateAppInput, n)
	for i := range ins {
		ins[i] = e.input(fmt.Sprintf("app%03d", i))
	}
	return ins
}

func (e *env) reads() int { return e.calls("DescribeApp") + e.calls("ListApps") }

// TestEnsureAppsSharesPolls: 500 apps of one domain that take five minutes to start. The reads
// the batch makes (DescribeApp and ListApps) are compared with those of 500 separate WaitForApp
// calls at the same WaitOptions; the target is at most a tenth. The fake's clock moves only when
// a wait pauses, and in a shared wait only the wait leading a round pauses, so the clock is
// exact.
func TestEnsureAppsSharesPolls(t *testing.T) {
	if testing.Short() {
		t.Skip("500 apps and 12,000 calls to the fake")
	}
	const n = 500
	ctx := context.Background()

	separate := newEnv(t, sagemakerfake.WithStartupDelay(5*time.Minute))
	for _, in := range separate.inputs(n) {
		app, err := separate.c.CreateApp(ctx, in)
		require.NoError(t, err)
		_, err = separate.c.WaitForApp(ctx, app.ID)
		require.NoError(t, err)
	}
	separateReads := separate.reads()

	batch := newEnv(t, sagemakerfake.WithStartupDelay(5*time.Minute))
	results := batch.c.EnsureApps(ctx, batch.inputs(n), func(o *BatchOptions) { o.Concurrency, o.CreatesPerSecond = n, -1 })
	for i, r := range results {
		require.NoError(t, r.Err, "app %d", i)
		require.Equal(t, types.AppStatusInService, r.App.Status)
		require.NotEmpty(t, r.App.ARN)
	}
	batchReads := batch.reads()
	assert.EqualValues(t, n, batch.creates.Load())
	assert.LessOrEqual(t, batchReads*10, separateReads, "the batch reads at most a tenth of what separate waits read")
	t.Logf("reads while waiting for %d apps that start in 5 minutes: %d separate WaitForApp calls made %d (DescribeApp); EnsureApps made %d (DescribeApp %d, ListApps %d), %.1f%%",
		n, n, separateReads, batchReads, batch.calls("DescribeApp"), batch.calls("ListApps"), 100*float64(batchReads)/float64(separateReads))
}

// TestEnsureAppsHoldsTheCreateRate: the fake throttles CreateApp above a rate, and the batch's
// limiter stays under it: no Result has an error, no CreateApp is throttled, and the batch takes
// the time the rate says. It runs in a testing/synctest bubble, so the time is exact whatever the
// machine's load: 50 goroutines wait on their own timers at once, and the bubble's clock moves
// only when all of them wait. Without the limiter most of the first wave of 50 is throttled
// (TestEnsureAppsWithoutALimiterIsThrottled shows it).
func TestEnsureAppsHoldsTheCreateRate(t *testing.T) {
	for _, tc := range []struct {
		n                        int
		throttleRate, createRate float64
	}{{100, 25, 20}, {200, 5, 4}} {
		synctest.Test(t, func(t *testing.T) {
			elapsed, ideal, throttled := testCreateRate(t, tc.n, tc.throttleRate, tc.createRate)
			assert.Zero(t, throttled, "the limiter keeps the creates under the service's rate")
			assert.GreaterOrEqual(t, elapsed, ideal, "the limiter held the rate")
			assert.LessOrEqual(t, elapsed, ideal*11/10, "and did not hold the batch back")
		})
	}
}

func TestEnsureAppsWithoutALimiterIsThrottled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, _, throttled := testCreateRate(t, 100, 25, -1)
		assert.Greater(t, throttled, 20, "without the limiter the first wave is throttled")
	})
}

// testCreateRate ensures n apps at createRate while the fake throttles CreateApp at
// throttleRate, in a synctest bubble, and returns how long the batch took, the time the rate
// alone sets and how many CreateApp attempts the fake throttled.
func testCreateRate(t *testing.T, n int, throttleRate, createRate float64) (elapsed, ideal time.Duration, throttled int) {
	e := newSyncEnv(t, sagemakerfake.WithStartupDelay(50*time.Millisecond))
	e.srv.SetThrottle("CreateApp", throttleRate, 2)
	ins := e.inputs(n)
	start := time.Now()
	results := e.c.EnsureApps(context.Background(), ins, func(o *BatchOptions) {
		o.Concurrency, o.CreatesPerSecond = 50, createRate
		o.Wait.MinDelay, o.Wait.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	})
	elapsed = time.Since(start)
	for i, r := range results {
		require.NoError(t, r.Err, "app %d", i)
	}
	for _, r := range e.srv.Requests() {
		if r.Operation == "CreateApp" && r.ErrorCode == "ThrottlingException" {
			throttled++
		}
	}
	if createRate > 0 {
		ideal = time.Duration(float64(n-1) / createRate * float64(time.Second))
	}
	t.Logf("%d apps at %v creates/s under a throttle of %v/s: %v (ideal %v), %d throttled, %d CreateApp calls",
		n, createRate, throttleRate, elapsed, ideal, throttled, e.calls("CreateApp"))
	return elapsed, ideal, throttled
}

// Failures stay per app: a quota that lets 150 of 200 apps start.
func TestEnsureAppsQuotaFailsOnlyTheAppsOverIt(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithClock(sagemakerfake.SystemClock{}), sagemakerfake.WithStartupDelay(20*time.Millisecond),
		sagemakerfake.WithQuota(types.AppTypeJupyterLab, types.AppInstanceTypeMlT3Medium, 150))
	e.c = New(e.srv.Client(fastRetries, e.countAttempts))
	var last BatchProgress
	results := e.c.EnsureApps(context.Background(), e.inputs(200), func(o *BatchOptions) {
		o.Concurrency, o.CreatesPerSecond = 20, -1
		o.Wait.MinDelay, o.Wait.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
		o.OnProgress = func(p BatchProgress) { last = p }
	})
	inService, limited := 0, 0
	for _, r := range results {
		switch {
		case r.Err == nil:
			inService++
		case errors.Is(r.Err, ErrResourceLimitExceeded):
			limited++
		default:
			t.Errorf("unexpected error: %v", r.Err)
		}
	}
	assert.Equal(t, 150, inService)
	assert.Equal(t, 50, limited)
	assert.Equal(t, BatchProgress{Total: 200, InService: 150, Failed: 50, Elapsed: last.Elapsed}, last)
}

func TestEnsureAppsResultsInInputOrder(t *testing.T) {
	e := newEnv(t)
	ins := e.inputs(5)
	ins[2].AppName = aws.String("not_valid")
	var reports []BatchProgress
	results := e.c.EnsureApps(context.Background(), ins, func(o *BatchOptions) {
		o.Concurrency = 2
		o.OnProgress = func(p BatchProgress) { reports = append(reports, p) }
	})
	require.Len(t, results, 5)
	for i, r := range results {
		if i == 2 {
			assert.ErrorIs(t, r.Err, ErrInvalidInput)
			assert.Nil(t, r.App)
			continue
		}
		require.NoError(t, r.Err)
		assert.Equal(t, fmt.Sprintf("app%03d", i), r.App.ID.AppName)
	}
	assert.EqualValues(t, 4, e.creates.Load(), "the invalid input stops nothing else")
	require.NotEmpty(t, reports)
	assert.Equal(t, 1, reports[0].Failed, "the invalid input is counted before any call")
	for _, p := range reports {
		assert.Equal(t, 5, p.Queued+p.Creating+p.Waiting+p.InService+p.Failed, "%+v", p)
	}
	assert.Equal(t, 4, reports[len(reports)-1].InService)
}

// Cancelling the context stops new creates; the apps in flight and those never started report
// the context's error.
func TestEnsureAppsStopsWhenCanceled(t *testing.T) {
	// In a synctest bubble: creates go at 1 a second, and the batch is cancelled at 10.5 s, while
	// the first apps wait (they start in an hour) and the rest wait for the limiter.
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, sagemakerfake.WithStartupDelay(time.Hour))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10500*time.Millisecond, cancel)
		var last BatchProgress
		results := e.c.EnsureApps(ctx, e.inputs(50), func(o *BatchOptions) {
			o.Concurrency, o.CreatesPerSecond = 5, 1
			o.OnProgress = func(p BatchProgress) { last = p }
		})
		assert.EqualValues(t, 11, e.creates.Load(), "creates at 0 s, 1 s … 10 s, and none after the cancellation")
		for i, r := range results {
			assert.ErrorIs(t, r.Err, context.Canceled, "app %d", i)
		}
		assert.Equal(t, 50, last.Canceled, "waiting, limited and never started apps are all cancelled, none failed")
	})
}

// A caller that may not list apps still gets its waits done, by DescribeApp.
func TestSharedPollingFallsBackWhenListAppsIsDenied(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(time.Minute))
	e.srv.InjectFault("ListApps", sagemakerfake.Fault{Code: "AccessDeniedException"})
	results := e.c.EnsureApps(context.Background(), e.inputs(20), func(o *BatchOptions) { o.Concurrency, o.CreatesPerSecond = 20, -1 })
	for _, r := range results {
		require.NoError(t, r.Err)
		assert.Equal(t, types.AppStatusInService, r.App.Status)
	}
	assert.Equal(t, 1, e.calls("ListApps"), "one denied ListApps turns sharing off")
}

// A Failed app's reason is not in ListApps: the shared wait describes it.
func TestSharedPollingDescribesAFailedApp(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(time.Minute), sagemakerfake.WithFailureRule(func(a sagemakerfake.App) string {
		if a.AppName == "app003" {
			return "InternalFailure"
		}
		return ""
	}))
	results := e.c.EnsureApps(context.Background(), e.inputs(10), func(o *BatchOptions) { o.Concurrency, o.CreatesPerSecond = 10, -1 })
	for i, r := range results {
		if i == 3 {
			var failed *AppFailedError
			require.ErrorAs(t, r.Err, &failed)
			assert.Equal(t, "InternalFailure", failed.App.FailureReason)
			continue
		}
		require.NoError(t, r.Err)
	}
	assert.Positive(t, e.calls("ListApps"))
}
