package sagemakerapp

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// Every test of the package ends with no goroutine left behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env is a fake SageMaker with one domain and user profile "alice", and a Client whose clock
// and sleep are the fake's: a wait's pause moves the fake's clock, so no test sleeps for real.
type env struct {
	srv      *sagemakerfake.Server
	c        *Client
	domainID string
	creates  atomic.Int32 // apps the fake has created

	mu       sync.Mutex
	attempts map[string]int  // HTTP attempts the client made, by operation
	spaces   map[string]bool // spaces seeded

	classic bool // the domain still runs Studio Classic (StudioWebPortal DISABLED)
}

// fastRetries keeps the SDK's three attempts but drops their backoff (real sleep) and their
// retry quota, so that fault tests run at once.
func fastRetries(o *sagemaker.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		so.RateLimiter = ratelimit.None
	})
}

func newEnv(t *testing.T, opts ...sagemakerfake.Option) *env {
	t.Helper()
	return newEnvOf(t, &env{}, opts...)
}

// newClassicEnv is newEnv with a domain that still runs Studio Classic, the only kind where the
// fake creates JupyterServer and KernelGateway apps (facts §7.1).
func newClassicEnv(t *testing.T, opts ...sagemakerfake.Option) *env {
	t.Helper()
	return newEnvOf(t, &env{classic: true}, opts...)
}

func newEnvOf(t *testing.T, e *env, opts ...sagemakerfake.Option) *env {
	t.Helper()
	count := sagemakerfake.WithFailureRule(func(sagemakerfake.App) string { e.creates.Add(1); return "" })
	e.srv = sagemakerfake.Start(t, append([]sagemakerfake.Option{count}, opts...)...)
	e.seed(t)
	e.c = New(e.srv.Client(fastRetries, e.countAttempts), func(o *Options) { o.Now = e.srv.Now; o.Sleep = e.sleep })
	return e
}

// newSyncEnv is newEnv for a test inside a testing/synctest bubble: the fake is served in memory
// (sagemakerfake.NewHandler) on the bubble's clock, and the Client waits on real timers, which the
// bubble runs in no real time. Many goroutines can then wait at once, each on its own timer, and
// the time the test sees is exact.
func newSyncEnv(t *testing.T, opts ...sagemakerfake.Option) *env {
	t.Helper()
	e := &env{}
	count := sagemakerfake.WithFailureRule(func(sagemakerfake.App) string { e.creates.Add(1); return "" })
	srv, err := sagemakerfake.NewHandler(append([]sagemakerfake.Option{count}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	e.srv = srv
	e.seed(t)
	e.c = New(e.srv.Client(fastRetries, e.countAttempts))
	return e
}

// seed makes the domain and alice's user profile.
func (e *env) seed(t testing.TB) {
	t.Helper()
	var err error
	settings := &types.UserSettings{ExecutionRole: aws.String("arn:aws:iam::123456789012:role/studio")}
	if e.classic {
		settings.StudioWebPortal = types.StudioWebPortalDisabled
	}
	e.domainID, err = e.srv.SeedDomain("", &sagemaker.CreateDomainInput{
		DomainName: aws.String("lifecycle"), AuthMode: types.AuthModeIam, DefaultUserSettings: settings,
	})
	require.NoError(t, err)
	require.NoError(t, e.srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(e.domainID), UserProfileName: aws.String("alice")}))
}

// countAttempts counts every HTTP attempt of the client, retries included, by operation. (The
// fake's request log would do, but it records a dropped request only once its handler ends,
// which can be after the client has moved on.)
func (e *env) countAttempts(o *sagemaker.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("countAttempts",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				e.mu.Lock()
				if e.attempts == nil {
					e.attempts = map[string]int{}
				}
				e.attempts[middleware.GetOperationName(ctx)]++
				e.mu.Unlock()
				return next.HandleFinalize(ctx, in)
			}), "Retry", middleware.After)
	})
}

func (e *env) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.srv.Advance(d)
	return nil
}

// testImage is the SageMaker Distribution image of us-east-1, which the fake's apps run.
const testImage = "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"

// input is a JupyterLab app on ml.t3.medium with the distribution image and one tag, in alice's
// private space of the same name (seeded the first time it is asked for).
func (e *env) input(name string) *sagemaker.CreateAppInput {
	e.space(name)
	return &sagemaker.CreateAppInput{
		DomainId: aws.String(e.domainID), SpaceName: aws.String(name),
		AppType: types.AppTypeJupyterLab, AppName: aws.String(name),
		ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium, SageMakerImageArn: aws.String(testImage)},
		Tags:         []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}},
	}
}

// space seeds alice's private JupyterLab space name, once.
func (e *env) space(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.spaces == nil {
		e.spaces = map[string]bool{}
	}
	if e.spaces[name] {
		return
	}
	err := e.srv.SeedSpace(&sagemaker.CreateSpaceInput{
		DomainId: aws.String(e.domainID), SpaceName: aws.String(name),
		OwnershipSettings:    &types.OwnershipSettings{OwnerUserProfileName: aws.String("alice")},
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypePrivate},
		SpaceSettings:        &types.SpaceSettings{AppType: types.AppTypeJupyterLab},
	})
	if err != nil {
		panic(err) // a test bug: the seed is valid
	}
	e.spaces[name] = true
}

// builder is the builder of input(name).
func (e *env) builder(name string) AppBuilder {
	e.space(name)
	return e.c.NewApp(e.domainID, types.AppTypeJupyterLab, name).InSpace(name).
		InstanceType(types.AppInstanceTypeMlT3Medium).Image(testImage).Tag("team", "ml")
}

func (e *env) id(name string) AppID {
	return AppID{DomainID: e.domainID, SpaceName: name, AppType: types.AppTypeJupyterLab, AppName: name}
}

// calls counts the HTTP attempts of op the client has made.
func (e *env) calls(op string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.attempts[op]
}

func (e *env) status(t *testing.T, name string) types.AppStatus {
	t.Helper()
	for _, a := range e.srv.Apps() {
		if a.AppName == name {
			return a.Status
		}
	}
	return ""
}

func TestBackoffShape(t *testing.T) {
	o := WaitOptions{}
	o.setDefaults()
	for range 100 {
		b := newBackoff(&o)
		var ds []time.Duration
		for range 12 {
			ds = append(ds, b.next())
		}
		assert.Equal(t, 2*time.Second, ds[0], "the first pause is MinDelay")
		assert.True(t, ds[1] >= 2*time.Second && ds[1] <= 4*time.Second, "%v", ds[1])
		assert.True(t, ds[2] >= 4*time.Second && ds[2] <= 8*time.Second, "%v", ds[2])
		assert.True(t, ds[3] >= 8*time.Second && ds[3] <= 16*time.Second, "%v", ds[3])
		for i := 4; i < len(ds); i++ {
			assert.True(t, ds[i] >= 10*time.Second && ds[i] <= 20*time.Second, "saturated pauses are half fixed, half random: %v", ds[i])
		}
		for i := 4; i+1 < len(ds); i += 2 {
			assert.Equal(t, 30*time.Second, ds[i]+ds[i+1], "saturated pauses come in antithetic pairs")
		}
	}
	small := WaitOptions{MinDelay: time.Millisecond, MaxDelay: 3 * time.Millisecond}
	small.setDefaults()
	b := newBackoff(&small)
	for range 40 {
		d := b.next()
		assert.True(t, d >= time.Millisecond && d <= 3*time.Millisecond, "%v", d)
	}
}

// Waiting for an app that starts in five minutes makes at most 25 DescribeApp calls at the
// default options and sees InService within one MaxDelay of it, for every draw of the jitter.
func TestWaitForAppFiveMinuteStart(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(5*time.Minute))
	ctx := context.Background()
	const waits = 40
	most, total := 0, 0
	for i := range waits {
		name := "app" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		_, err := e.c.CreateApp(ctx, e.input(name))
		require.NoError(t, err)
		started := e.srv.Now()
		before := e.calls("DescribeApp")
		app, err := e.c.WaitForApp(ctx, e.id(name))
		require.NoError(t, err)
		assert.Equal(t, types.AppStatusInService, app.Status)
		polls := e.calls("DescribeApp") - before
		late := e.srv.Now().Sub(started.Add(5 * time.Minute))
		assert.LessOrEqual(t, polls, 25, "DescribeApp calls for a five-minute start")
		assert.GreaterOrEqual(t, late, time.Duration(0))
		assert.LessOrEqual(t, late, DefaultMaxDelay, "InService is seen within one MaxDelay")
		most, total = max(most, polls), total+polls
	}
	assert.Zero(t, e.calls("ListApps"), "a single wait describes its app")
	t.Logf("DescribeApp calls per five-minute wait at the defaults: mean %.1f, most %d, over %d waits", float64(total)/waits, most, waits)
}

func TestWaitForAppReportsEachStatusOnce(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(time.Minute))
	ctx := context.Background()
	_, err := e.c.CreateApp(ctx, e.input("default"))
	require.NoError(t, err)
	var seen []types.AppStatus
	app, err := e.c.WaitForApp(ctx, e.id("default"), func(o *WaitOptions) {
		o.OnStatus = func(a *App) { seen = append(seen, a.Status) }
	})
	require.NoError(t, err)
	assert.Equal(t, []types.AppStatus{types.AppStatusPending, types.AppStatusInService}, seen)
	assert.Equal(t, e.srv.Apps()[0].ARN, app.ARN)
}

func TestWaitForAppFailed(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithFailureRule(func(a sagemakerfake.App) string {
		if a.AppName == "doomed" {
			return "InternalFailure"
		}
		return ""
	}))
	ctx := context.Background()
	_, err := e.c.CreateApp(ctx, e.input("doomed"))
	require.NoError(t, err)
	_, err = e.c.WaitForApp(ctx, e.id("doomed"))
	require.ErrorIs(t, err, ErrAppFailed)
	var failed *AppFailedError
	require.ErrorAs(t, err, &failed)
	assert.Equal(t, types.AppStatusFailed, failed.App.Status)
	assert.Equal(t, "InternalFailure", failed.App.FailureReason)
}

func TestWaitForAppTimesOut(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(time.Hour))
	ctx := context.Background()
	_, err := e.c.CreateApp(ctx, e.input("slow"))
	require.NoError(t, err)
	start := e.srv.Now()
	_, err = e.c.WaitForApp(ctx, e.id("slow"), func(o *WaitOptions) { o.Timeout = 5 * time.Minute })
	require.ErrorIs(t, err, ErrWaitTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "Pending")
	assert.Equal(t, 5*time.Minute, e.srv.Now().Sub(start), "the last poll is at the deadline")

	// The context's deadline is a timeout as well.
	dctx, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	_, err = e.c.WaitForApp(dctx, e.id("slow"))
	require.ErrorIs(t, err, ErrWaitTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = e.c.WaitForApp(cctx, e.id("slow"))
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrWaitTimeout)
}

// clockAPI wraps a stubAPI with a manual clock for the waits.
func stubClient(api *stubAPI) (*Client, *sagemakerfake.ManualClock) {
	clock := sagemakerfake.NewManualClock(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	return New(api, func(o *Options) {
		o.Now = clock.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }
	}), clock
}

// Right after a create the service may not show the app yet: ResourceNotFound is taken for "not
// yet" for a short while, and for "missing" after it. Throttling and faults are retried.
func TestWaitForAppToleratesNotFoundAndTransientErrors(t *testing.T) {
	id := AppID{DomainID: "d-abc123", UserProfileName: "alice", AppType: types.AppTypeJupyterLab, AppName: "default"}
	answers := []error{
		&types.ResourceNotFound{Message: aws.String("not yet")},
		&APIError{Code: "ThrottlingException"},
		&APIError{Code: "InternalFailure", StatusCode: 500},
	}
	var n atomic.Int32
	api := &stubAPI{describeApp: func(*sagemaker.DescribeAppInput) (*sagemaker.DescribeAppOutput, error) {
		if i := int(n.Add(1)) - 1; i < len(answers) {
			return nil, answers[i]
		}
		return &sagemaker.DescribeAppOutput{Status: types.AppStatusInService}, nil
	}}
	c, _ := stubClient(api)
	app, err := c.WaitForApp(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, types.AppStatusInService, app.Status)
	assert.Equal(t, 4, api.count("DescribeApp"))

	missing := &stubAPI{describeApp: func(*sagemaker.DescribeAppInput) (*sagemaker.DescribeAppOutput, error) {
		return nil, &types.ResourceNotFound{Message: aws.String("no such app")}
	}}
	c, clock := stubClient(missing)
	start := clock.Now()
	_, err = c.WaitForApp(context.Background(), id)
	require.ErrorIs(t, err, ErrResourceNotFound)
	assert.GreaterOrEqual(t, clock.Now().Sub(start), notFoundGrace, "not found is final only after the grace window")
	assert.Less(t, clock.Now().Sub(start), notFoundGrace+DefaultMaxDelay)

	denied := &stubAPI{describeApp: func(*sagemaker.DescribeAppInput) (*sagemaker.DescribeAppOutput, error) {
		return nil, &APIError{Code: "AccessDeniedException"}
	}}
	c, _ = stubClient(denied)
	_, err = c.WaitForApp(context.Background(), id)
	require.ErrorIs(t, err, ErrAccessDenied)
	assert.Equal(t, 1, denied.count("DescribeApp"), "a permanent error ends the wait at once")
}

func TestDeleteAndWaitForAppDeleted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.builder("default").CreateAndWait(ctx)
	require.NoError(t, err)
	require.NoError(t, e.c.DeleteApp(ctx, e.id("default")))
	assert.Equal(t, types.AppStatusDeleting, e.status(t, "default"))
	require.NoError(t, e.c.DeleteApp(ctx, e.id("default")), "deleting a Deleting app is success")
	require.NoError(t, e.c.WaitForAppDeleted(ctx, e.id("default")))
	assert.Equal(t, types.AppStatusDeleted, e.status(t, "default"))
	require.NoError(t, e.c.DeleteApp(ctx, e.id("default")), "deleting a Deleted app is success")
	require.NoError(t, e.c.DeleteApp(ctx, e.id("never")), "deleting a missing app is success")
	require.NoError(t, e.c.WaitForAppDeleted(ctx, e.id("never")))
}

// A Pending app cannot be deleted yet: DeleteApp waits for it to start, then deletes it.
func TestDeleteAppWaitsOutPending(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(time.Minute))
	ctx := context.Background()
	_, err := e.c.CreateApp(ctx, e.input("default"))
	require.NoError(t, err)
	require.NoError(t, e.c.DeleteApp(ctx, e.id("default")))
	assert.Equal(t, types.AppStatusDeleting, e.status(t, "default"))
	assert.GreaterOrEqual(t, e.calls("DeleteApp"), 2)
}

func TestDeleteAppOfAFailedAppSucceeds(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithFailureRule(func(sagemakerfake.App) string { return "InternalFailure" }))
	ctx := context.Background()
	_, err := e.c.CreateApp(ctx, e.input("default"))
	require.NoError(t, err)
	e.srv.Advance(time.Minute)
	require.Equal(t, types.AppStatusFailed, e.status(t, "default"))
	require.NoError(t, e.c.DeleteApp(ctx, e.id("default")))
}

// A create whose answer is lost, then retried by the SDK and answered ResourceInUse, is
// recognised as this call's: one app, no error.
func TestCreateAppRecognisesItsOwnAppAfterALostResponse(t *testing.T) {
	e := newEnv(t)
	e.srv.InjectFault("CreateApp", sagemakerfake.Fault{DropAfterCommit: true, Times: 1})
	app, err := e.c.CreateApp(context.Background(), e.input("lost"))
	require.NoError(t, err)
	assert.Equal(t, types.AppStatusPending, app.Status)
	assert.Equal(t, e.srv.Apps()[0].ARN, app.ARN)
	assert.EqualValues(t, 1, e.creates.Load())
	assert.Equal(t, 2, e.calls("CreateApp"), "the SDK retried")
}

// An app that existed before the call is ResourceInUse even when an attempt was retried.
func TestCreateAppStillRefusesAnOlderApp(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.c.CreateApp(ctx, e.input("taken"))
	require.NoError(t, err)
	e.srv.Advance(10 * time.Minute)
	e.srv.InjectFault("CreateApp", sagemakerfake.Fault{DropBeforeCommit: true, Times: 1})
	_, err = e.c.CreateApp(ctx, e.input("taken"))
	require.ErrorIs(t, err, ErrResourceInUse)
	assert.Equal(t, 3, e.calls("CreateApp"))
	assert.EqualValues(t, 1, e.creates.Load())

	// With the same spec but made just before: not this call's either, once it is older than
	// the clock skew allowed.
	_, err = e.c.CreateApp(ctx, e.input("taken"))
	require.ErrorIs(t, err, ErrResourceInUse, "one attempt answered ResourceInUse is never taken for ours")
}

// A double that ignores the per-call options shows no attempts, so no attempt's outcome is known to
// be unknown: a ResourceInUse is never taken for this call's app, even one made just now with its
// spec (before, the time rule alone claimed it).
func TestCreateAppRecoveryWithADoubleThatIgnoresOptions(t *testing.T) {
	api := &stubAPI{
		createApp: func(*sagemaker.CreateAppInput) (*sagemaker.CreateAppOutput, error) {
			return nil, &types.ResourceInUse{Message: aws.String("exists")}
		},
	}
	c, clock := stubClient(api)
	created := clock.Now()
	api.describeApp = func(in *sagemaker.DescribeAppInput) (*sagemaker.DescribeAppOutput, error) {
		return &sagemaker.DescribeAppOutput{AppArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:app/d-xy7pqhqf3kz1/alice-smith/kernelgateway/datascience-kernel"),
			Status: types.AppStatusPending, CreationTime: &created, ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}}, nil
	}
	_, err := c.CreateApp(context.Background(), typicalInput())
	require.ErrorIs(t, err, ErrResourceInUse)
	assert.Zero(t, api.count("DescribeApp"), "no attempt's outcome is unknown: nothing to recover")
}

func TestEnsureApp(t *testing.T) {
	ctx := context.Background()
	t.Run("creates a missing app and waits for it", func(t *testing.T) {
		e := newEnv(t)
		app, err := e.c.EnsureApp(ctx, e.input("default"))
		require.NoError(t, err)
		assert.Equal(t, types.AppStatusInService, app.Status)
		assert.EqualValues(t, 1, e.creates.Load())
		again, err := e.c.EnsureApp(ctx, e.input("default"))
		require.NoError(t, err)
		assert.Equal(t, app.ARN, again.ARN)
		assert.EqualValues(t, 1, e.creates.Load(), "ensuring again creates nothing")
		assert.Zero(t, e.calls("AddTags"), "the app has the requested tags")
	})
	t.Run("adopts a Pending app with the spec and adds missing tags", func(t *testing.T) {
		e := newEnv(t, sagemakerfake.WithStartupDelay(time.Minute))
		other := e.input("default")
		other.Tags = []types.Tag{{Key: aws.String("owner"), Value: aws.String("bob")}, {Key: aws.String("team"), Value: aws.String("old")}}
		_, err := e.c.CreateApp(ctx, other)
		require.NoError(t, err)
		app, err := e.c.EnsureApp(ctx, e.input("default"))
		require.NoError(t, err)
		assert.Equal(t, types.AppStatusInService, app.Status)
		assert.EqualValues(t, 1, e.creates.Load())
		tags := map[string]string{}
		for _, tag := range e.srv.Apps()[0].Tags {
			tags[*tag.Key] = *tag.Value
		}
		assert.Equal(t, map[string]string{"owner": "bob", "team": "ml"}, tags, "the requested tag is set; no tag is removed")
	})
	t.Run("refuses an app with another spec and changes nothing", func(t *testing.T) {
		e := newEnv(t)
		other := e.input("default")
		other.ResourceSpec.InstanceType = types.AppInstanceTypeMlM5Large
		_, err := e.c.CreateApp(ctx, other)
		require.NoError(t, err)
		_, err = e.c.EnsureApp(ctx, e.input("default"))
		require.ErrorIs(t, err, ErrResourceInUse)
		var conflict *AppConflictError
		require.ErrorAs(t, err, &conflict)
		assert.Equal(t, []string{"ResourceSpec.InstanceType"}, conflict.Fields)
		assert.Equal(t, types.AppInstanceTypeMlM5Large, conflict.Existing.ResourceSpec.InstanceType)
		assert.Zero(t, e.calls("AddTags"))
		assert.EqualValues(t, 1, e.creates.Load())
	})
	t.Run("creates a Failed app again", func(t *testing.T) {
		failures := atomic.Int32{}
		e := newEnv(t, sagemakerfake.WithFailureRule(func(sagemakerfake.App) string {
			if failures.Add(1) == 1 {
				return "InternalFailure"
			}
			return ""
		}))
		_, err := e.c.CreateApp(ctx, e.input("default"))
		require.NoError(t, err)
		e.srv.Advance(time.Minute)
		require.Equal(t, types.AppStatusFailed, e.status(t, "default"))
		app, err := e.c.EnsureApp(ctx, e.input("default"))
		require.NoError(t, err)
		assert.Equal(t, types.AppStatusInService, app.Status)
		assert.EqualValues(t, 2, e.creates.Load())
	})
	t.Run("a Failed app after its recreation is an error", func(t *testing.T) {
		e := newEnv(t, sagemakerfake.WithFailureRule(func(sagemakerfake.App) string { return "UnknownError" }))
		_, err := e.c.CreateApp(ctx, e.input("default"))
		require.NoError(t, err)
		e.srv.Advance(time.Minute)
		_, err = e.c.EnsureApp(ctx, e.input("default"))
		var failed *AppFailedError
		require.ErrorAs(t, err, &failed)
		assert.Equal(t, "UnknownError", failed.App.FailureReason)
		assert.EqualValues(t, 2, e.creates.Load(), "created once more, not again and again")
	})
	t.Run("creates a Deleted app again and waits out a Deleting one", func(t *testing.T) {
		e := newEnv(t, sagemakerfake.WithDeleteDelay(time.Minute))
		_, err := e.builder("default").CreateAndWait(ctx)
		require.NoError(t, err)
		require.NoError(t, e.c.DeleteApp(ctx, e.id("default")))
		require.Equal(t, types.AppStatusDeleting, e.status(t, "default"))
		var seen []types.AppStatus
		app, err := e.c.EnsureApp(ctx, e.input("default"), func(o *WaitOptions) { o.OnStatus = func(a *App) { seen = append(seen, a.Status) } })
		require.NoError(t, err)
		assert.Equal(t, types.AppStatusInService, app.Status)
		assert.EqualValues(t, 2, e.creates.Load())
		assert.Equal(t, []types.AppStatus{types.AppStatusDeleting, types.AppStatusDeleted, types.AppStatusPending, types.AppStatusInService}, seen)
	})
	t.Run("a quota ends it at once", func(t *testing.T) {
		e := newEnv(t, sagemakerfake.WithQuota(types.AppTypeJupyterLab, types.AppInstanceTypeMlT3Medium, 0))
		_, err := e.c.EnsureApp(ctx, e.input("default"))
		require.ErrorIs(t, err, ErrResourceLimitExceeded)
		assert.Equal(t, 1, e.calls("CreateApp"))
	})
	t.Run("invalid input sends nothing", func(t *testing.T) {
		e := newEnv(t)
		in := e.input("default")
		in.AppName = aws.String("not_valid")
		_, err := e.c.EnsureApp(ctx, in)
		require.ErrorIs(t, err, ErrInvalidInput)
		assert.Empty(t, e.attempts)
	})
}

func TestSpecDiff(t *testing.T) {
	in := func(spec *types.ResourceSpec) *sagemaker.CreateAppInput {
		return &sagemaker.CreateAppInput{AppType: types.AppTypeKernelGateway, ResourceSpec: spec}
	}
	tests := []struct {
		name      string
		want, got *types.ResourceSpec
		fields    []string
	}{
		{name: "nothing requested", got: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlM5Large}},
		{name: "same", want: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlM5Large}, got: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlM5Large}},
		{name: "system is ml.t3.medium on KernelGateway", want: &types.ResourceSpec{InstanceType: InstanceTypeSystem}, got: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}},
		{name: "instance type", want: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlM5Large}, got: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}, fields: []string{"ResourceSpec.InstanceType"}},
		{name: "image and lifecycle", want: &types.ResourceSpec{SageMakerImageArn: aws.String("a"), LifecycleConfigArn: aws.String("l")},
			got: &types.ResourceSpec{SageMakerImageArn: aws.String("b"), LifecycleConfigArn: aws.String("m")}, fields: []string{"ResourceSpec.SageMakerImageArn", "ResourceSpec.LifecycleConfigArn"}},
		{name: "asked for and missing is a conflict", want: &types.ResourceSpec{SageMakerImageVersionAlias: aws.String("1.2.3")}, got: &types.ResourceSpec{},
			fields: []string{"ResourceSpec.SageMakerImageVersionAlias"}},
		{name: "an idle-shutdown lifecycle config the app lacks", want: &types.ResourceSpec{LifecycleConfigArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/idle")},
			got: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}, fields: []string{"ResourceSpec.LifecycleConfigArn"}},
		{name: "a training plan the app lacks", want: &types.ResourceSpec{TrainingPlanArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:training-plan/p")},
			got: nil, fields: []string{"ResourceSpec.TrainingPlanArn"}},
		{name: "an instance type the app does not report", want: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlM5Large}, got: &types.ResourceSpec{},
			fields: []string{"ResourceSpec.InstanceType"}},
		{name: "None matches unset", want: &types.ResourceSpec{TrainingPlanArn: aws.String("None")}, got: nil},
		{name: "None against a set value", want: &types.ResourceSpec{LifecycleConfigArn: aws.String("None")}, got: &types.ResourceSpec{LifecycleConfigArn: aws.String("l")}, fields: []string{"ResourceSpec.LifecycleConfigArn"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.fields, specDiff(in(tt.want), tt.got), tt.name)
	}
}

// errorKind names the sentinel an error matches, for the fault matrix.
func errorKind(err error) string {
	for _, k := range []struct {
		name string
		err  error
	}{
		{"nil", nil}, {"WaitTimeout", ErrWaitTimeout}, {"Canceled", context.Canceled}, {"DeadlineExceeded", context.DeadlineExceeded},
		{"ResourceInUse", ErrResourceInUse}, {"Throttled", ErrThrottled}, {"ServiceUnavailable", ErrServiceUnavailable},
		{"AppFailed", ErrAppFailed}, {"InvalidInput", ErrInvalidInput},
	} {
		if errors.Is(err, k.err) || (err == nil && k.err == nil) {
			return k.name
		}
	}
	return "other: " + err.Error()
}
