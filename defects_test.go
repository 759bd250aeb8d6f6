package sagemakerapp

// The twelve defects of issue 21, one test each, written before their fixes: each fails on the
// code before the fix (de1eecb) and names the schedule it pins. The simulation (sim_test.go)
// finds the same classes of schedule by itself; these keep each one pinned.

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
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

// hookAPI is an API whose calls may run a hook first; n counts the calls of each operation, so
// that a hook can act on the k-th one.
type hookAPI struct {
	API
	mu     sync.Mutex
	n      map[string]int
	before map[string]func(k int) // by operation, with the call's number (1, 2, …)
}

func (h *hookAPI) hook(op string) {
	h.mu.Lock()
	if h.n == nil {
		h.n = map[string]int{}
	}
	h.n[op]++
	k, fn := h.n[op], h.before[op]
	h.mu.Unlock()
	if fn != nil {
		fn(k)
	}
}

func (h *hookAPI) CreateApp(ctx context.Context, in *sagemaker.CreateAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreateAppOutput, error) {
	h.hook("CreateApp")
	return h.API.CreateApp(ctx, in, optFns...)
}

func (h *hookAPI) ListApps(ctx context.Context, in *sagemaker.ListAppsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListAppsOutput, error) {
	h.hook("ListApps")
	return h.API.ListApps(ctx, in, optFns...)
}

func (h *hookAPI) DescribeApp(ctx context.Context, in *sagemaker.DescribeAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeAppOutput, error) {
	h.hook("DescribeApp")
	return h.API.DescribeApp(ctx, in, optFns...)
}

func (h *hookAPI) DeleteApp(ctx context.Context, in *sagemaker.DeleteAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeleteAppOutput, error) {
	h.hook("DeleteApp")
	return h.API.DeleteApp(ctx, in, optFns...)
}

// raw is a plain SDK client of the fake: another replica, a person at the console.
func (e *env) raw() *sagemaker.Client { return e.srv.Client() }

func withSpec(in *sagemaker.CreateAppInput, it types.AppInstanceType) *sagemaker.CreateAppInput {
	out := *in
	out.ResourceSpec = cloneResourceSpec(in.ResourceSpec)
	out.ResourceSpec.InstanceType = it
	return &out
}

func deleteInput(id AppID) *sagemaker.DeleteAppInput {
	return &sagemaker.DeleteAppInput{DomainId: aws.String(id.DomainID), SpaceName: nonEmpty(id.SpaceName),
		UserProfileName: nonEmpty(id.UserProfileName), AppType: id.AppType, AppName: aws.String(id.AppName)}
}

// Defect 1: Ensure's own create succeeds; within the 20 s grace, before Ensure sees it
// InService, another caller deletes the app and creates it with another spec. Ensure took the
// Deleting record for "the record before ours" and then returned the other caller's app, never
// compared with the request.
func TestDefect01EnsureNeverReturnsAnotherSpecAfterItsOwnCreate(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(2*time.Second), sagemakerfake.WithDeleteDelay(time.Second))
	in := e.input("d1")
	ctx := context.Background()
	h := &hookAPI{API: e.srv.Client(fastRetries), before: map[string]func(int){"DescribeApp": func(k int) {
		switch k { // the first look is before the create
		case 2: // ours is InService; another caller deletes it
			e.srv.Advance(2 * time.Second)
			_, err := e.raw().DeleteApp(ctx, deleteInput(e.id("d1")))
			require.NoError(t, err)
		case 3: // it is gone, and the other caller creates it with another spec
			e.srv.Advance(time.Second)
			_, err := e.raw().CreateApp(ctx, withSpec(in, types.AppInstanceTypeMlM5Xlarge))
			require.NoError(t, err)
		}
	}}}
	c := New(h, func(o *Options) { o.Now, o.Sleep = e.srv.Now, e.sleep })
	app, err := c.EnsureApp(ctx, in)
	var conflict *AppConflictError
	require.ErrorAs(t, err, &conflict, "the app there now has another spec; got %+v", app)
	assert.Equal(t, []string{"ResourceSpec.InstanceType"}, conflict.Fields)
}

// Defect 2: ConflictReplace deleted through DeleteApp, which waits out a Pending app and deletes
// whatever is there: another replica had meanwhile replaced the app with the requested spec, and
// that app was deleted too. The spec must be checked right before each delete.
func TestDefect02ReplaceNeverDeletesAMatch(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(10*time.Second), sagemakerfake.WithDeleteDelay(time.Second))
	ctx := context.Background()
	in := e.input("d2")
	_, err := e.raw().CreateApp(ctx, withSpec(in, types.AppInstanceTypeMlM5Xlarge))
	require.NoError(t, err)
	e.srv.Advance(10 * time.Second) // InService with the old spec
	h := &hookAPI{API: e.srv.Client(fastRetries), before: map[string]func(int){"DeleteApp": func(k int) {
		if k == 1 { // the other replica replaces it first, with the requested spec
			_, err := e.raw().DeleteApp(ctx, deleteInput(e.id("d2")))
			require.NoError(t, err)
			e.srv.Advance(time.Second)
			_, err = e.raw().CreateApp(ctx, in)
			require.NoError(t, err)
		}
	}}}
	c := New(h, func(o *Options) { o.Now, o.Sleep = e.srv.Now, e.sleep })
	app, err := c.EnsureApp(ctx, in, func(o *WaitOptions) { o.OnConflict = ConflictReplace })
	require.NoError(t, err)
	assert.Equal(t, types.AppInstanceTypeMlT3Medium, app.ResourceSpec.InstanceType)
	deleted := 0
	for _, r := range e.srv.Requests() {
		if r.Operation == "DeleteApp" && r.ErrorCode == "" {
			deleted++
		}
	}
	assert.Equal(t, 1, deleted, "only the other replica's delete: the match is never deleted")
	assert.Equal(t, 2, requests(e.srv, "CreateApp", ""), "the old app and the other replica's: nothing created again")
}

// Defect 3: EnsureApps after a lost create of an app whose record was Deleted: the batch's first
// ListApps built an App without ARN, a shared round copied it, and adoption listed the tags of "".
func TestDefect03AnAppAlwaysHasItsARN(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, sagemakerfake.WithStartupDelay(30*time.Second), sagemakerfake.WithDeleteDelay(time.Second))
		ctx := context.Background()
		in, other := e.input("d3"), e.input("d3other")
		_, err := e.raw().CreateApp(ctx, in)
		require.NoError(t, err)
		time.Sleep(30 * time.Second)
		_, err = e.raw().DeleteApp(ctx, deleteInput(e.id("d3")))
		require.NoError(t, err)
		time.Sleep(time.Second) // Deleted: the batch's list says so, without an ARN
		// Every attempt of d3's CreateApp is lost after it commits: the first creates the app, the
		// retries are answered ResourceInUse, and those answers are lost too.
		api := &createFault{API: e.srv.Client(fastRetries), srv: e.srv, name: "d3",
			fault: sagemakerfake.Fault{DropAfterCommit: true, Times: 3}}
		results := New(api).EnsureApps(ctx, []*sagemaker.CreateAppInput{in, other})
		for i, r := range results {
			require.NoError(t, r.Err, "app %d", i)
			assert.NotEmpty(t, r.App.ARN, "app %d has its ARN", i)
		}
		assert.Zero(t, requests(e.srv, "ListTags", "ValidationException"), "never a call with an empty ARN")
		assert.Zero(t, requests(e.srv, "AddTags", "ValidationException"))
	})
}

// createFault injects fault right before the first CreateApp of the app named name.
type createFault struct {
	API
	srv   *sagemakerfake.Server
	name  string
	fault sagemakerfake.Fault
	once  sync.Once
}

func (c *createFault) CreateApp(ctx context.Context, in *sagemaker.CreateAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreateAppOutput, error) {
	if aws.ToString(in.AppName) == c.name {
		c.once.Do(func() { c.srv.InjectFault("CreateApp", c.fault) })
	}
	return c.API.CreateApp(ctx, in, optFns...)
}

// Defect 4: in a batch, an app's Timeout started when its goroutine started, not when its first
// CreateApp was sent: at 0.1 creates a second with a 1-minute Timeout, the later apps timed out in
// the limiter's queue without ever being sent.
func TestDefect04BatchTimeoutStartsAtTheFirstCreate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, sagemakerfake.WithStartupDelay(5*time.Second))
		results := e.c.EnsureApps(context.Background(), e.inputs(8), func(o *BatchOptions) {
			o.CreatesPerSecond = 0.1
			o.Wait.Timeout = time.Minute
		})
		for i, r := range results {
			assert.NoError(t, r.Err, "app %d waited %v in the queue, which its Timeout does not count", i, time.Duration(i)*10*time.Second)
		}
	})
}

// Defect 5: two callers ensure the same KernelGateway app in a shared space that runs a
// JupyterServer app; the one answered ResourceInUse got a space conflict ("a space runs one app
// at a time") instead of adopting the identical app: Studio Classic apps may share a space.
func TestDefect05ClassicAppsShareASpace(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(2*time.Second))
	ctx := context.Background()
	classic, err := e.srv.SeedDomain("", &sagemaker.CreateDomainInput{DomainName: aws.String("classic"), AuthMode: types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{StudioWebPortal: types.StudioWebPortalDisabled}})
	require.NoError(t, err)
	e.domainID = classic
	require.NoError(t, e.srv.SeedSpace(&sagemaker.CreateSpaceInput{DomainId: aws.String(e.domainID), SpaceName: aws.String("classic"),
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared}}))
	_, err = e.raw().CreateApp(ctx, &sagemaker.CreateAppInput{DomainId: aws.String(e.domainID), SpaceName: aws.String("classic"),
		AppType: types.AppTypeJupyterServer, AppName: aws.String("default")})
	require.NoError(t, err)
	e.srv.Advance(2 * time.Second)
	in := &sagemaker.CreateAppInput{DomainId: aws.String(e.domainID), SpaceName: aws.String("classic"),
		AppType: types.AppTypeKernelGateway, AppName: aws.String("datascience"),
		ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}}
	h := &hookAPI{API: e.srv.Client(fastRetries), before: map[string]func(int){"CreateApp": func(k int) {
		if k == 1 { // the other caller's create of the same app lands first
			_, err := e.raw().CreateApp(ctx, in)
			require.NoError(t, err)
		}
	}}}
	c := New(h, func(o *Options) { o.Now, o.Sleep = e.srv.Now, e.sleep })
	app, outcome, err := c.ensure(ctx, in, c.newWaiter(appIDOf(in), newWaitOptions(nil), "InService"))
	require.NoError(t, err)
	assert.Equal(t, OutcomeAdopted, outcome)
	assert.Equal(t, types.AppStatusInService, app.Status)
}

// Defect 6: EnsureSpace compared the settings before it looked at the status: a Deleting space of
// another app type was a SpaceConflictError, though a Deleting space is waited out and created
// again.
func TestDefect06ADeletingSpaceIsWaitedOutWhateverItsSettings(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(2*time.Second), sagemakerfake.WithDeleteDelay(30*time.Second))
	ctx := context.Background()
	old := PrivateSpace(e.domainID, "d6", "alice", types.AppTypeCodeEditor)
	require.NoError(t, e.srv.SeedSpace(old))
	_, err := e.raw().DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: old.DomainId, SpaceName: old.SpaceName})
	require.NoError(t, err)
	sp, err := e.c.EnsureSpace(ctx, PrivateSpace(e.domainID, "d6", "alice", types.AppTypeJupyterLab))
	require.NoError(t, err)
	assert.Equal(t, types.AppTypeJupyterLab, sp.AppType)
	assert.Equal(t, types.SpaceStatusInService, sp.Status)
}

// Defect 7: a zero Client's EnsureApps, EnsureSpaces and DeleteApps called a nil Now and
// panicked; New(nil)'s EnsureApps called a nil API. Each must be the documented *APIError.
func TestDefect07ZeroClientsFailWithAnAPIError(t *testing.T) {
	ctx := context.Background()
	in := &sagemaker.CreateAppInput{DomainId: aws.String("d-abc123"), SpaceName: aws.String("s"), AppType: types.AppTypeJupyterLab,
		AppName: aws.String("default"), ResourceSpec: &types.ResourceSpec{SageMakerImageArn: aws.String(testImage)}}
	for name, c := range map[string]*Client{"zero": {}, "New(nil)": New(nil)} {
		t.Run(name, func(t *testing.T) {
			var apiErr *APIError
			for _, r := range c.EnsureApps(ctx, []*sagemaker.CreateAppInput{in}) {
				assert.ErrorAs(t, r.Err, &apiErr)
			}
			for _, r := range c.EnsureSpaces(ctx, []*sagemaker.CreateSpaceInput{PrivateSpace("d-abc123", "s", "alice", types.AppTypeJupyterLab)}) {
				assert.ErrorAs(t, r.Err, &apiErr)
			}
			for _, r := range c.DeleteApps(ctx, AppFilter{DomainID: "d-abc123"}) {
				assert.ErrorAs(t, r.Err, &apiErr)
			}
		})
	}
}

// Defect 8: DeleteApps gave its listing its own Timeout, then each app a fresh one, and could
// take about twice its Timeout, though the Timeout bounds each app's work "the listing's retries
// included".
func TestDefect08DeleteAppsTimeoutIncludesTheListing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, sagemakerfake.WithStartupDelay(time.Second), sagemakerfake.WithDeleteDelay(time.Hour))
		ctx := context.Background()
		_, err := e.raw().CreateApp(ctx, e.input("d8"))
		require.NoError(t, err)
		time.Sleep(time.Second)
		// Four listings in a row are throttled past the SDK's retries: 2 s + about 4 s + 8 s of
		// the library's own backoff.
		e.srv.InjectFault("ListApps", sagemakerfake.Fault{Code: "ThrottlingException", Times: 12})
		start := time.Now()
		results := e.c.DeleteApps(ctx, AppFilter{DomainID: e.domainID}, func(o *BatchOptions) { o.Wait.Timeout = time.Minute })
		elapsed := time.Since(start)
		require.Len(t, results, 1)
		assert.ErrorIs(t, results[0].Err, ErrWaitTimeout)
		assert.LessOrEqual(t, elapsed, time.Minute+waitMargin, "one Timeout for the listing and the app's wait together")
	})
}

// Defect 10: the listings of EnsureApps and DeleteApps ran on the caller's context with no
// deadline: a hung ListApps hung them for ever.
func TestDefect10AHungListingEndsWithTheTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, sagemakerfake.WithStartupDelay(time.Second))
		ctx := context.Background()
		e.srv.InjectFault("ListApps", sagemakerfake.Fault{Latency: 10 * time.Hour})
		start := time.Now()
		results := e.c.EnsureApps(ctx, e.inputs(2), func(o *BatchOptions) { o.Wait.Timeout = time.Minute })
		// The batch's listing gives up after a quarter of the Timeout; each app's Timeout starts
		// when its first create is sent (BatchOptions.CreatesPerSecond).
		assert.LessOrEqual(t, time.Since(start), time.Minute/4+time.Minute+time.Second+waitMargin, "EnsureApps")
		for _, r := range results {
			if r.Err != nil {
				assert.ErrorIs(t, r.Err, ErrWaitTimeout)
			}
		}
		start = time.Now()
		results = e.c.DeleteApps(ctx, AppFilter{DomainID: e.domainID}, func(o *BatchOptions) { o.Wait.Timeout = time.Minute })
		assert.LessOrEqual(t, time.Since(start), time.Minute+waitMargin, "DeleteApps")
		for _, r := range results {
			assert.ErrorIs(t, r.Err, ErrWaitTimeout)
		}
		e.srv.ClearFaults(sagemakerfake.AllOperations)
	})
}

// Defect 11: time_to_in_service was recorded for an adopted app: this call's first create
// succeeded, the app was later seen gone, and found again, made by another caller.
func TestDefect11TimeToInServiceOnlyForAppsThisCallCreated(t *testing.T) {
	mt := &memMeter{}
	e := newEnv(t, sagemakerfake.WithStartupDelay(30*time.Second), sagemakerfake.WithDeleteDelay(10*time.Second))
	ctx := context.Background()
	in := e.input("d11")
	var created time.Time
	var phase atomic.Int32
	h := &hookAPI{API: e.srv.Client(fastRetries), before: map[string]func(int){
		"CreateApp": func(int) { created = e.srv.Now() },
		"DescribeApp": func(int) {
			switch {
			case created.IsZero() || e.srv.Now().Sub(created) < notFoundGrace+time.Second:
			case phase.CompareAndSwap(0, 1):
				// Past the grace, ours is InService, and another caller deletes it: Ensure sees it
				// Deleting.
				e.srv.Advance(created.Add(30 * time.Second).Sub(e.srv.Now()))
				_, err := e.raw().DeleteApp(ctx, deleteInput(e.id("d11")))
				require.NoError(t, err)
			case phase.CompareAndSwap(1, 2):
				// Once it is gone, the other caller creates it again with the same spec.
				e.srv.Advance(30 * time.Second)
				_, err := e.raw().CreateApp(ctx, in)
				require.NoError(t, err)
			}
		}}}
	c := New(h, func(o *Options) { o.Now, o.Sleep, o.MeterProvider = e.srv.Now, e.sleep, mt })
	app, outcome, err := c.ensure(ctx, in, c.newWaiter(appIDOf(in), newWaitOptions(nil), "InService"))
	require.NoError(t, err)
	require.NotNil(t, app)
	require.Equal(t, int32(2), phase.Load(), "the schedule ran")
	assert.Equal(t, OutcomeAdopted, outcome, "the app returned was created by another caller")
	assert.Empty(t, mt.values(metricTimeToInService), "an adopted app has no time to InService")
}

// Defect 12: DeleteApps' rate limiter was passed to DeleteApp as a per-call option, which DeleteApp
// handed on to the looks of its Pending wait: every DescribeApp waited for a delete token.
func TestDefect12OnlyDeletesAreHeldToTheRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, sagemakerfake.WithStartupDelay(20*time.Second), sagemakerfake.WithDeleteDelay(time.Second))
		ctx := context.Background()
		_, err := e.raw().CreateApp(ctx, e.input("d12")) // Pending for 20 s
		require.NoError(t, err)
		start := time.Now()
		results := e.c.DeleteApps(ctx, AppFilter{DomainID: e.domainID}, func(o *BatchOptions) { o.CreatesPerSecond = 0.01 })
		require.Len(t, results, 1)
		require.NoError(t, results[0].Err)
		// The first DeleteApp (refused: Pending) takes the token of t=0, the one that deletes it
		// waits for t=100 s; the looks between them wait for none (before the fix, the look that saw
		// it InService waited until t=100 s, and the delete until t=200 s).
		assert.Less(t, time.Since(start), 150*time.Second, "looks at the Pending app are not held to one delete per 100 s")
	})
}

// Found by the simulation (seed 9703, before its fix): an error answer cut short (a 400 whose
// body ended before its code arrived) was an error of no kind, which ended a WaitForApp early. Its
// kind is unknown: it is ErrServiceUnavailable, and a wait looks past it.
func TestErrorAnswerCutShortIsTransient(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(10*time.Second))
	ctx := context.Background()
	_, err := e.raw().CreateApp(ctx, e.input("cut"))
	require.NoError(t, err)
	e.srv.InjectFault("DescribeApp", sagemakerfake.Fault{Code: "ThrottlingException", Truncate: true, Times: 1})
	_, err = e.c.DescribeApp(ctx, e.id("cut"))
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Empty(t, apiErr.Code, "the code was in the half that never came")
	assert.ErrorIs(t, err, ErrServiceUnavailable)

	e.srv.InjectFault("DescribeApp", sagemakerfake.Fault{Code: "ThrottlingException", Truncate: true, Times: 2})
	app, err := e.c.WaitForApp(ctx, e.id("cut"))
	require.NoError(t, err, "a wait looks past an answer cut short")
	assert.Equal(t, types.AppStatusInService, app.Status)
}

// Found by the simulation (seed 81356, in one run of 100,000 seeds): DeleteApps looked at an app,
// found it InService, and then waited for a batch slot that another app's slow call held; the
// app was replaced meanwhile, and DeleteApps deleted the new one once the slot came, on the
// strength of the old look. A delete that waited for its slot looks again first.
func TestDeleteAppsLooksAgainAfterWaitingForASlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var slowed atomic.Bool
		slow := sagemakerfake.WithFaultFunc(func(c sagemakerfake.Call) *sagemakerfake.Fault {
			if c.Operation == "DescribeApp" && strings.Contains(string(c.Body), `"SpaceName":"a"`) && slowed.CompareAndSwap(false, true) {
				return &sagemakerfake.Fault{Latency: 2 * time.Minute} // a's first look holds the only slot
			}
			return nil
		})
		e := newSyncEnv(t, sagemakerfake.WithStartupDelay(10*time.Second), sagemakerfake.WithDeleteDelay(5*time.Second), slow)
		ctx := context.Background()
		raw := e.raw()
		_, err := raw.CreateApp(ctx, e.input("a"))
		require.NoError(t, err)
		time.Sleep(10 * time.Second)
		_, err = raw.CreateApp(ctx, e.input("b")) // newest: listed first, Pending for 10 s
		require.NoError(t, err)
		go func() {
			// While DeleteApps waits for the slot with b seen InService, b's owner replaces it.
			time.Sleep(time.Minute)
			_, err := raw.DeleteApp(ctx, deleteInput(e.id("b")))
			assert.NoError(t, err)
			time.Sleep(10 * time.Second)
			other := e.input("b")
			other.ResourceSpec.InstanceType = types.AppInstanceTypeMlM5Xlarge
			_, err = raw.CreateApp(ctx, other)
			assert.NoError(t, err)
		}()
		results := e.c.DeleteApps(ctx, AppFilter{DomainID: e.domainID}, func(o *BatchOptions) {
			o.Concurrency, o.Wait.Timeout = 1, 10*time.Minute
		})
		require.Len(t, results, 2)
		for _, r := range results {
			switch r.App.ID.SpaceName {
			case "a":
				assert.NoError(t, r.Err)
			case "b":
				assert.ErrorIs(t, r.Err, ErrResourceInUse, "b was started again with another spec after DeleteApps looked")
			}
		}
		b, err := e.c.DescribeApp(ctx, e.id("b"))
		require.NoError(t, err)
		assert.Equal(t, types.AppInstanceTypeMlM5Xlarge, b.ResourceSpec.InstanceType, "the new b is not deleted")
		assert.Contains(t, []types.AppStatus{types.AppStatusPending, types.AppStatusInService}, b.Status, "the new b runs")
	})
}
