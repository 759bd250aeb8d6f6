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
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// seedSpaceApps creates n JupyterLab apps, each in a private space of alice's seeded for it, with
// the fake's own client (no library in the way), and returns their names.
func (e *env) seedSpaceApps(t *testing.T, prefix string, n int) []string {
	t.Helper()
	ctx := context.Background()
	raw := e.srv.Client()
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%04d", prefix, i)
		require.NoError(t, e.srv.SeedSpace(PrivateSpace(e.domainID, names[i], "alice", types.AppTypeJupyterLab)))
		e.mu.Lock()
		if e.spaces == nil {
			e.spaces = map[string]bool{}
		}
		e.spaces[names[i]] = true // seeded: e.input must not seed it again
		e.mu.Unlock()
		in := e.input(names[i])
		_, err := raw.CreateApp(ctx, in)
		require.NoError(t, err)
	}
	return names
}

func TestAppsPagesOverAThousandAppsAndYieldsEachOnce(t *testing.T) {
	e := newEnv(t)
	start := time.Now()
	names := e.seedSpaceApps(t, "lab", 1050)
	t.Logf("1,050 spaces and apps in %v", time.Since(start))
	e.srv.Advance(time.Minute) // InService
	// Pages are counted as ListApps calls of the API, each of which the SDK may make in more than
	// one attempt (a connection the transport lost is retried).
	var pages []*sagemaker.ListAppsInput
	c := New(&listSpy{API: e.srv.Client(), seen: &pages}, func(o *Options) { o.Now = e.srv.Now; o.Sleep = e.sleep })

	seen := map[string]int{}
	for app, err := range c.Apps(context.Background(), AppFilter{DomainID: e.domainID}) {
		require.NoError(t, err)
		assert.Equal(t, types.AppStatusInService, app.Status)
		assert.Equal(t, types.AppInstanceTypeMlT3Medium, app.ResourceSpec.InstanceType)
		assert.Equal(t, app.ID.SpaceName, app.ID.AppName)
		seen[app.ID.AppName]++
	}
	assert.Len(t, pages, 11, "1,050 records at 100 a page")
	assert.Len(t, seen, len(names))
	for _, n := range names {
		assert.Equal(t, 1, seen[n], "app %s", n)
	}

	// Breaking out after 150 apps reads two pages and no more.
	pages = nil
	got := 0
	for _, err := range c.Apps(context.Background(), AppFilter{DomainID: e.domainID}) {
		require.NoError(t, err)
		if got++; got == 150 {
			break
		}
	}
	assert.Equal(t, 150, got)
	assert.Len(t, pages, 2)
}

func TestAppsSendsSortAndPageSizeAndTheFilter(t *testing.T) {
	e := newEnv(t)
	e.seedSpaceApps(t, "lab", 2)
	var ins []*sagemaker.ListAppsInput
	spy := &listSpy{API: e.srv.Client(), seen: &ins}
	c := New(spy)
	n := 0
	for _, err := range c.Apps(context.Background(), AppFilter{DomainID: e.domainID, SpaceName: "lab0001"}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1, n)
	require.Len(t, ins, 1)
	in := ins[0]
	assert.Equal(t, types.AppSortKeyCreationTime, in.SortBy)
	assert.Equal(t, types.SortOrderDescending, in.SortOrder)
	assert.EqualValues(t, 100, aws.ToInt32(in.MaxResults))
	assert.Equal(t, e.domainID, aws.ToString(in.DomainIdEquals))
	assert.Equal(t, "lab0001", aws.ToString(in.SpaceNameEquals))
	assert.Nil(t, in.UserProfileNameEquals)
}

type listSpy struct {
	API
	seen *[]*sagemaker.ListAppsInput
}

func (s *listSpy) ListApps(ctx context.Context, in *sagemaker.ListAppsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListAppsOutput, error) {
	*s.seen = append(*s.seen, in)
	return s.API.ListApps(ctx, in, optFns...)
}

func TestAppsLeavesOutDeletedAppsUnlessAsked(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.seedSpaceApps(t, "lab", 3)
	e.srv.Advance(time.Minute)
	require.NoError(t, e.c.DeleteApp(ctx, e.id("lab0001")))
	e.srv.Advance(time.Minute)

	collect := func(f AppFilter) map[string]types.AppStatus {
		got := map[string]types.AppStatus{}
		for app, err := range e.c.Apps(ctx, f) {
			require.NoError(t, err)
			_, dup := got[app.ID.AppName]
			require.False(t, dup, "app %s yielded twice", app.ID.AppName)
			got[app.ID.AppName] = app.Status
		}
		return got
	}
	assert.Equal(t, map[string]types.AppStatus{"lab0000": types.AppStatusInService, "lab0002": types.AppStatusInService},
		collect(AppFilter{DomainID: e.domainID}))
	assert.Equal(t, map[string]types.AppStatus{"lab0000": types.AppStatusInService, "lab0001": types.AppStatusDeleted, "lab0002": types.AppStatusInService},
		collect(AppFilter{DomainID: e.domainID, IncludeDeleted: true}))
}

// pagedRecords answers ListApps with fixed pages, to show how Apps reads records of one app that
// come on different pages, in an order the service does not promise.
type pagedRecords struct {
	API
	pages [][]types.AppDetails
	calls int
}

func (p *pagedRecords) ListApps(_ context.Context, in *sagemaker.ListAppsInput, _ ...func(*sagemaker.Options)) (*sagemaker.ListAppsOutput, error) {
	i := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &i)
	}
	p.calls++
	out := &sagemaker.ListAppsOutput{Apps: p.pages[i]}
	if i+1 < len(p.pages) {
		out.NextToken = aws.String(fmt.Sprint(i + 1))
	}
	return out, nil
}

func TestAppsKeepsTheLatestRecordOfAnAppAcrossPages(t *testing.T) {
	t0 := time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)
	rec := func(name string, st types.AppStatus, created time.Time) types.AppDetails {
		return types.AppDetails{DomainId: aws.String("d-paged1"), SpaceName: aws.String(name), AppType: types.AppTypeJupyterLab,
			AppName: aws.String(name), Status: st, CreationTime: aws.Time(created)}
	}
	api := &pagedRecords{pages: [][]types.AppDetails{
		{rec("a", types.AppStatusInService, t0.Add(time.Hour)), rec("b", types.AppStatusDeleted, t0), rec("c", types.AppStatusFailed, t0)},
		// a's old record; b restarted within 24 hours (same CreationTime, live); c failed again, later.
		{rec("a", types.AppStatusDeleted, t0), rec("b", types.AppStatusPending, t0), rec("c", types.AppStatusFailed, t0.Add(time.Hour))},
		{rec("d", types.AppStatusFailed, t0.Add(2*time.Hour)), rec("d", types.AppStatusDeleted, t0)},
	}}
	c := New(api)
	var order []string
	got := map[string]*App{}
	for app, err := range c.Apps(context.Background(), AppFilter{DomainID: "d-paged1"}) {
		require.NoError(t, err)
		require.NotContains(t, got, app.ID.AppName, "yielded twice")
		got[app.ID.AppName] = app
		order = append(order, app.ID.AppName)
	}
	assert.Equal(t, []string{"a", "b", "c", "d"}, order, "live records as read; Failed ones after the last page")
	assert.Equal(t, types.AppStatusInService, got["a"].Status)
	assert.Equal(t, types.AppStatusPending, got["b"].Status)
	assert.Equal(t, types.AppStatusFailed, got["c"].Status)
	assert.Equal(t, t0.Add(time.Hour), got["c"].CreationTime, "the later Failed record")
	assert.Equal(t, types.AppStatusFailed, got["d"].Status)
	assert.Equal(t, 3, api.calls)

	// With Deleted records asked for, a Deleted record whose app has a later one is still left
	// out; none here is the latest of its app.
	n := 0
	for _, err := range c.Apps(context.Background(), AppFilter{DomainID: "d-paged1", IncludeDeleted: true}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 4, n)
}

func TestAppsRefusesABadFilterBeforeAnyCall(t *testing.T) {
	api := &pagedRecords{}
	c := New(api)
	for _, tc := range []struct {
		name   string
		filter AppFilter
		field  string
		typ    FieldErrorType
	}{
		{"user and space", AppFilter{DomainID: "d-abc123", UserProfileName: "alice", SpaceName: "lab"}, "SpaceName", FieldForbidden},
		{"no domain", AppFilter{UserProfileName: "alice"}, "DomainID", FieldRequired},
		{"bad space name", AppFilter{DomainID: "d-abc123", SpaceName: "bad_name"}, "SpaceName", FieldInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			for app, err := range c.Apps(context.Background(), tc.filter) {
				n++
				assert.Nil(t, app)
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				require.Len(t, ve.Problems, 1)
				assert.Equal(t, tc.field, ve.Problems[0].Field)
				assert.Equal(t, tc.typ, ve.Problems[0].Type)
			}
			assert.Equal(t, 1, n, "the error is yielded once")
			res := c.DeleteApps(context.Background(), tc.filter)
			require.Len(t, res, 1)
			assert.ErrorIs(t, res[0].Err, ErrInvalidInput)
		})
	}
	assert.Zero(t, api.calls)
}

func TestAppsYieldsAServiceErrorOnce(t *testing.T) {
	e := newEnv(t)
	e.seedSpaceApps(t, "lab", 150)
	// The second page is refused: the first page's apps come, then the error, then nothing.
	e.srv.InjectFault("ListApps", sagemakerfake.Fault{Code: "AccessDeniedException", Times: 1})
	n, errs := 0, 0
	for app, err := range e.c.Apps(context.Background(), AppFilter{DomainID: e.domainID}) {
		if err != nil {
			errs++
			assert.Nil(t, app)
			assert.ErrorIs(t, err, ErrAccessDenied)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "ListApps", apiErr.Operation)
			continue
		}
		n++
	}
	assert.Equal(t, 1, errs)
	assert.Zero(t, n, "the first page was the refused one")
}

// TestDeleteAppsOfAUserUnderThrottling: alice has three Studio Classic KernelGateway apps on her
// profile and a JupyterLab app in her private space, whose settings and storage are set. Under
// 20% throttling of every call, DeleteApps of her profile stops the three, one Result each, and
// DeleteApps of her space stops its app, and the space is as it was.
func TestDeleteAppsOfAUserUnderThrottling(t *testing.T) {
	e := newClassicEnv(t)
	ctx := context.Background()
	raw := e.srv.Client()
	for _, name := range []string{"kg1", "kg2", "kg3"} {
		_, err := raw.CreateApp(ctx, &sagemaker.CreateAppInput{
			DomainId: aws.String(e.domainID), UserProfileName: aws.String("alice"), AppType: types.AppTypeKernelGateway,
			AppName: aws.String(name), ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium},
		})
		require.NoError(t, err)
	}
	space := PrivateSpace(e.domainID, "alice-lab", "alice", types.AppTypeJupyterLab)
	space.SpaceSettings.SpaceStorageSettings = &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(50)}}
	space.SpaceSettings.JupyterLabAppSettings = &types.SpaceJupyterLabAppSettings{
		DefaultResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Large, SageMakerImageArn: aws.String(testImage)},
	}
	require.NoError(t, e.srv.SeedSpace(space))
	_, err := raw.CreateApp(ctx, &sagemaker.CreateAppInput{
		DomainId: aws.String(e.domainID), SpaceName: aws.String("alice-lab"), AppType: types.AppTypeJupyterLab, AppName: aws.String("default"),
	})
	require.NoError(t, err)
	e.srv.Advance(time.Minute)
	describeSpace := func() *sagemaker.DescribeSpaceOutput {
		out, err := raw.DescribeSpace(ctx, &sagemaker.DescribeSpaceInput{DomainId: aws.String(e.domainID), SpaceName: aws.String("alice-lab")})
		require.NoError(t, err)
		out.ResultMetadata = middleware.Metadata{}
		return out
	}
	spaceBefore := describeSpace()
	require.EqualValues(t, 50, aws.ToInt32(spaceBefore.SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb))

	_, err = raw.DeleteUserProfile(ctx, &sagemaker.DeleteUserProfileInput{DomainId: aws.String(e.domainID), UserProfileName: aws.String("alice")})
	require.ErrorAs(t, err, new(*types.ResourceInUse), "a profile with apps cannot be deleted")

	e.srv.InjectFault(sagemakerfake.AllOperations, sagemakerfake.Fault{Code: "ThrottlingException", Probability: 0.2})
	results := e.c.DeleteApps(ctx, AppFilter{DomainID: e.domainID, UserProfileName: "alice"})
	require.Len(t, results, 3)
	var names []string
	for _, r := range results {
		require.NoError(t, r.Err)
		assert.Equal(t, OutcomeDeleted, r.Outcome)
		names = append(names, r.App.ID.AppName)
		assert.Equal(t, "alice", r.App.ID.UserProfileName)
	}
	assert.ElementsMatch(t, []string{"kg1", "kg2", "kg3"}, names)
	for _, a := range e.srv.Apps() {
		if a.UserProfileName == "alice" {
			assert.Equal(t, types.AppStatusDeleted, a.Status, "app %s", a.AppName)
		}
	}
	assert.Equal(t, types.AppStatusInService, e.status(t, "default"), "the space's app is the space's, not the profile's")

	spaceResults := e.c.DeleteApps(ctx, AppFilter{DomainID: e.domainID, SpaceName: "alice-lab"})
	require.Len(t, spaceResults, 1)
	require.NoError(t, spaceResults[0].Err)
	assert.Equal(t, OutcomeDeleted, spaceResults[0].Outcome)
	assert.Equal(t, types.AppStatusDeleted, e.status(t, "default"))

	throttled := 0
	for _, r := range e.srv.Requests() {
		if r.ErrorCode == "ThrottlingException" {
			throttled++
		}
	}
	assert.Positive(t, throttled, "the fault was met")
	e.srv.ClearFaults(sagemakerfake.AllOperations)
	assert.Equal(t, spaceBefore, describeSpace(), "the space and its settings are untouched")
	// DeleteUserProfile, refused while the profile had apps, is now refused only for the space she
	// still owns (the service's answer, facts §7.2).
	_, err = raw.DeleteUserProfile(ctx, &sagemaker.DeleteUserProfileInput{DomainId: aws.String(e.domainID), UserProfileName: aws.String("alice")})
	var inUse *types.ResourceInUse
	require.ErrorAs(t, err, &inUse)
	assert.Contains(t, inUse.ErrorMessage(), "because Space(s) are associated with it", "no app of the profile is left")

	assert.Empty(t, e.c.DeleteApps(ctx, AppFilter{DomainID: e.domainID, UserProfileName: "alice"}), "nothing left to delete")
}

// TestDeleteAppsHoldsTheDeleteRate: in a synctest bubble, where every wait has a timer of its
// own and the time is exact, ten deletes at CreatesPerSecond 1 reach the fake a second apart.
func TestDeleteAppsHoldsTheDeleteRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, sagemakerfake.WithStartupDelay(time.Second))
		e.seedSpaceApps(t, "lab", 10)
		time.Sleep(time.Minute)
		start := time.Now()
		results := e.c.DeleteApps(context.Background(), AppFilter{DomainID: e.domainID}, func(o *BatchOptions) {
			o.CreatesPerSecond = 1
			o.Wait.MinDelay, o.Wait.MaxDelay = 100*time.Millisecond, time.Second
		})
		require.Len(t, results, 10)
		for _, r := range results {
			require.NoError(t, r.Err)
		}
		var times []time.Time
		for _, r := range e.srv.Requests() {
			if r.Operation == "DeleteApp" {
				times = append(times, r.Time)
			}
		}
		require.Len(t, times, 10)
		for i := 1; i < len(times); i++ {
			assert.GreaterOrEqual(t, times[i].Sub(times[i-1]), time.Second, "DeleteApp %d", i)
		}
		assert.GreaterOrEqual(t, time.Since(start), 9*time.Second)
		assert.Less(t, time.Since(start), 12*time.Second, "the rate, then the last wait, and no more")
	})
}

// TestDeleteAppsConcurrencyBoundsTheDeletesNotTheWaits: 20 apps whose deletion takes five
// minutes, two deleted at a time: the waits hold no slot, so the call takes about five minutes,
// not ten times that.
func TestDeleteAppsConcurrencyBoundsTheDeletesNotTheWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, sagemakerfake.WithStartupDelay(time.Second), sagemakerfake.WithDeleteDelay(5*time.Minute))
		e.seedSpaceApps(t, "lab", 20)
		time.Sleep(time.Minute)
		start := time.Now()
		results := e.c.DeleteApps(context.Background(), AppFilter{DomainID: e.domainID}, func(o *BatchOptions) {
			o.Concurrency, o.CreatesPerSecond = 2, -1
		})
		require.Len(t, results, 20)
		for _, r := range results {
			require.NoError(t, r.Err)
			assert.Equal(t, OutcomeDeleted, r.Outcome)
		}
		elapsed := time.Since(start)
		assert.GreaterOrEqual(t, elapsed, 5*time.Minute)
		assert.Less(t, elapsed, 6*time.Minute, "one deletion time and a poll interval")
		for _, a := range e.srv.Apps() {
			assert.Equal(t, types.AppStatusDeleted, a.Status, a.AppName)
		}
	})
}

func TestEnsureReplaceChangesTheInstanceType(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first, err := e.c.EnsureApp(ctx, e.input("lab"))
	require.NoError(t, err)
	require.Equal(t, types.AppStatusInService, first.Status)

	bigger := e.input("lab")
	bigger.ResourceSpec.InstanceType = types.AppInstanceTypeMlG5Xlarge
	_, err = e.c.EnsureApp(ctx, bigger)
	var conflict *AppConflictError
	require.ErrorAs(t, err, &conflict, "without Replace, still a conflict")
	assert.Equal(t, []string{"ResourceSpec.InstanceType"}, conflict.Fields)
	require.Zero(t, e.calls("DeleteApp"))

	creates := e.calls("CreateApp")
	results := e.c.EnsureApps(ctx, []*sagemaker.CreateAppInput{bigger}, func(o *BatchOptions) { o.Wait.OnConflict = ConflictReplace })
	require.Len(t, results, 1)
	r := results[0]
	require.NoError(t, r.Err)
	assert.Equal(t, OutcomeReplaced, r.Outcome)
	assert.Equal(t, types.AppStatusInService, r.App.Status)
	assert.Equal(t, types.AppInstanceTypeMlG5Xlarge, r.App.ResourceSpec.InstanceType)
	assert.Equal(t, first.ARN, r.App.ARN, "the ARN is built from the names")
	assert.Equal(t, 1, e.calls("DeleteApp"))
	assert.Equal(t, 1, e.calls("CreateApp")-creates)

	// Ensuring the same spec again, with Replace, adopts it: nothing is replaced.
	app, err := e.c.EnsureApp(ctx, bigger, func(o *WaitOptions) { o.OnConflict = ConflictReplace })
	require.NoError(t, err)
	assert.Equal(t, types.AppInstanceTypeMlG5Xlarge, app.ResourceSpec.InstanceType)
	assert.Equal(t, 1, e.calls("DeleteApp"))
}

func TestEnsureReplaceNeverStopsAnotherAppOfTheSpace(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.c.EnsureApp(ctx, e.input("lab"))
	require.NoError(t, err)
	other := e.input("lab")
	other.AppName = aws.String("other")
	other.ResourceSpec.InstanceType = types.AppInstanceTypeMlG5Xlarge
	_, err = e.c.EnsureApp(ctx, other, func(o *WaitOptions) { o.OnConflict = ConflictReplace })
	var conflict *AppConflictError
	require.ErrorAs(t, err, &conflict)
	assert.Contains(t, conflict.Fields, "AppName")
	assert.Equal(t, "lab", conflict.Existing.ID.AppName)
	assert.Zero(t, e.calls("DeleteApp"))
	assert.Equal(t, types.AppStatusInService, e.status(t, "lab"))
}

// TestEnsureReplaceRetriesAThrottledDelete: the DeleteApp of a replacement is throttled past the
// SDK's attempts once; the Ensure looks again and replaces.
func TestEnsureReplaceRetriesAThrottledDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.c.EnsureApp(ctx, e.input("lab"))
	require.NoError(t, err)
	e.srv.InjectFault("DeleteApp", sagemakerfake.Fault{Code: "ThrottlingException", Times: 3})
	bigger := e.input("lab")
	bigger.ResourceSpec.InstanceType = types.AppInstanceTypeMlT3Large
	app, err := e.c.EnsureApp(ctx, bigger, func(o *WaitOptions) { o.OnConflict = ConflictReplace })
	require.NoError(t, err)
	assert.Equal(t, types.AppInstanceTypeMlT3Large, app.ResourceSpec.InstanceType)
	assert.Equal(t, 4, e.calls("DeleteApp"), "three throttled attempts, then one that passes")
	assert.False(t, errors.Is(err, ErrThrottled))
}

// A replacement is the outcome on the Ensure's span and in the outcome counter.
func TestObservabilityOfAReplacement(t *testing.T) {
	tr, mt := &memTracer{}, &memMeter{}
	e := observedEnv(t, tr, mt)
	_, err := e.c.EnsureApp(context.Background(), e.input("r"))
	require.NoError(t, err)
	bigger := e.input("r")
	bigger.ResourceSpec.InstanceType = types.AppInstanceTypeMlT3Large
	_, err = e.c.EnsureApp(context.Background(), bigger, func(o *WaitOptions) { o.OnConflict = ConflictReplace })
	require.NoError(t, err)
	ensures := tr.named("sagemakerapp.EnsureApp")
	require.Len(t, ensures, 2)
	assert.Equal(t, string(OutcomeReplaced), ensures[1].prop(attrOutcome))
	assert.Equal(t, []float64{1}, mt.values(metricEnsureOutcomes, metricAttrOutcome, "replaced"))
}
