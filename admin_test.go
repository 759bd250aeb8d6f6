package sagemakerapp

// A person's whole Studio (issue 23): Spaces, DeleteSpace, DeleteUser and EnsureSpace with
// ConflictUpdate, against the fake.

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// people seeds, in a Classic domain: bob with two private spaces (bob-lab, whose app runs, and
// bob-code), a KernelGateway app on his profile, and alice with her private space alice-lab, whose
// app runs, and the shared space team that alice owns.
func people(t *testing.T, opts ...sagemakerfake.Option) *env {
	t.Helper()
	e := newClassicEnv(t, append([]sagemakerfake.Option{sagemakerfake.WithStartupDelay(5 * time.Second)}, opts...)...)
	ctx := context.Background()
	require.NoError(t, e.srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(e.domainID), UserProfileName: aws.String("bob")}))
	for _, sp := range []*sagemaker.CreateSpaceInput{
		PrivateSpace(e.domainID, "bob-lab", "bob", types.AppTypeJupyterLab),
		PrivateSpace(e.domainID, "bob-code", "bob", types.AppTypeCodeEditor),
		PrivateSpace(e.domainID, "alice-lab", "alice", types.AppTypeJupyterLab),
		{DomainId: aws.String(e.domainID), SpaceName: aws.String("team"), OwnershipSettings: &types.OwnershipSettings{OwnerUserProfileName: aws.String("alice")},
			SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared}, SpaceSettings: &types.SpaceSettings{AppType: types.AppTypeJupyterLab}},
	} {
		require.NoError(t, e.srv.SeedSpace(sp))
	}
	raw := e.raw()
	for _, space := range []string{"bob-lab", "alice-lab", "team"} {
		_, err := raw.CreateApp(ctx, &sagemaker.CreateAppInput{DomainId: aws.String(e.domainID), SpaceName: aws.String(space), AppType: types.AppTypeJupyterLab,
			AppName: aws.String("default"), ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium, SageMakerImageArn: aws.String(testImage)}})
		require.NoError(t, err)
	}
	_, err := raw.CreateApp(ctx, &sagemaker.CreateAppInput{DomainId: aws.String(e.domainID), UserProfileName: aws.String("bob"), AppType: types.AppTypeKernelGateway,
		AppName: aws.String("datascience"), ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}})
	require.NoError(t, err)
	e.srv.Advance(5 * time.Second)
	return e
}

// live is what the fake holds that is not gone: "app <space or user>/<name>", "space <name>",
// "user <name>".
func (e *env) live(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, a := range e.srv.Apps() {
		if a.Status != types.AppStatusDeleted && a.Status != types.AppStatusFailed {
			out["app "+a.SpaceName+a.UserProfileName+"/"+a.AppName] = true
		}
	}
	for sp, err := range New(e.srv.Client()).Spaces(context.Background(), SpaceFilter{DomainID: e.domainID}) {
		require.NoError(t, err)
		out["space "+sp.Name] = true
	}
	for _, u := range []string{"alice", "bob"} {
		if _, err := e.raw().DescribeUserProfile(context.Background(), &sagemaker.DescribeUserProfileInput{DomainId: aws.String(e.domainID), UserProfileName: aws.String(u)}); err == nil {
			out["user "+u] = true
		}
	}
	return out
}

func TestSpacesListsByOwnerWithoutCase(t *testing.T) {
	e := people(t)
	names := func(owner string) []string {
		var out []string
		for sp, err := range e.c.Spaces(context.Background(), SpaceFilter{DomainID: e.domainID, Owner: owner}) {
			require.NoError(t, err)
			out = append(out, sp.Name)
			assert.True(t, sp.Owner == "" || owner == "" || sp.Owner == "bob" || sp.Owner == "alice", sp.Owner)
		}
		return out
	}
	assert.ElementsMatch(t, []string{"bob-lab", "bob-code"}, names("Bob"), "owners compare without case")
	assert.ElementsMatch(t, []string{"alice-lab", "team"}, names("alice"))
	assert.ElementsMatch(t, []string{"bob-lab", "bob-code", "alice-lab", "team"}, names(""))
	for sp, err := range e.c.Spaces(context.Background(), SpaceFilter{DomainID: e.domainID, Owner: "alice"}) {
		require.NoError(t, err)
		if sp.Name == "team" {
			assert.Equal(t, types.SharingTypeShared, sp.SharingType)
			assert.Equal(t, types.AppTypeJupyterLab, sp.AppType)
		}
	}
	for _, err := range e.c.Spaces(context.Background(), SpaceFilter{}) {
		var v *ValidationError
		require.ErrorAs(t, err, &v, "a filter without its domain")
	}
}

// Must show (issue 23): DeleteUser removes exactly bob's two spaces with their app, his Classic
// app and his profile; alice's space, her app and the shared space stay.
func TestDeleteUserRemovesExactlyThePersonsStudio(t *testing.T) {
	e := people(t)
	require.NoError(t, e.c.DeleteUser(context.Background(), e.domainID, "bob"))
	assert.Equal(t, map[string]bool{"app alice-lab/default": true, "app team/default": true, "space alice-lab": true, "space team": true, "user alice": true}, e.live(t))
	require.NoError(t, e.c.DeleteUser(context.Background(), e.domainID, "bob"), "a user already gone is nil")
}

// Must show: with a shared space the user owns, an error naming it, and nothing deleted.
func TestDeleteUserRefusesASharedSpaceTheyOwn(t *testing.T) {
	e := people(t)
	before := e.live(t)
	err := e.c.DeleteUser(context.Background(), e.domainID, "alice")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrResourceInUse)
	assert.Contains(t, err.Error(), "team")
	assert.Contains(t, err.Error(), "DeleteSharedSpaces")
	assert.Equal(t, before, e.live(t), "nothing was deleted")
	assert.Zero(t, requests(e.srv, "DeleteApp", "")+requests(e.srv, "DeleteSpace", "")+requests(e.srv, "DeleteUserProfile", ""))

	require.NoError(t, e.c.DeleteUser(context.Background(), e.domainID, "alice", func(o *DeleteUserOptions) { o.DeleteSharedSpaces = true }))
	live := e.live(t)
	assert.False(t, live["space team"] || live["space alice-lab"] || live["user alice"], "%v", live)
	assert.True(t, live["space bob-lab"] && live["app bob-lab/default"] && live["user bob"], "bob's Studio stays: %v", live)
}

// Must show: a crash half way (the context ends while the deletes wait), then a second call
// finishes; KeepProfile keeps the profile.
func TestDeleteUserFinishesWhatACrashLeft(t *testing.T) {
	e := people(t, sagemakerfake.WithDeleteDelay(time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	api := &fullHook{Client: e.srv.Client(fastRetries), h: &hookAPI{before: map[string]func(int){"DeleteApp": func(k int) {
		if k == 2 {
			cancel() // the platform's pod dies after its second delete
		}
	}}}}
	c := New(api, func(o *Options) { o.Now, o.Sleep = e.srv.Now, e.sleep })
	err := c.DeleteUser(ctx, e.domainID, "bob")
	require.ErrorIs(t, err, context.Canceled)
	assert.True(t, e.live(t)["user bob"], "the profile stays while its spaces do")

	require.NoError(t, e.c.DeleteUser(context.Background(), e.domainID, "bob", func(o *DeleteUserOptions) { o.KeepProfile = true }))
	live := e.live(t)
	assert.False(t, live["space bob-lab"] || live["space bob-code"] || live["app bob/datascience"], "%v", live)
	assert.True(t, live["user bob"], "KeepProfile")
	require.NoError(t, e.c.DeleteUser(context.Background(), e.domainID, "bob"))
	assert.False(t, e.live(t)["user bob"])
}

// A partial failure names what remains: an app started again after DeleteUser listed it.
func TestDeleteUserNamesWhatRemains(t *testing.T) {
	e := people(t, sagemakerfake.WithDeleteDelay(time.Second))
	ctx := context.Background()
	var once bool
	api := &fullHook{Client: e.srv.Client(fastRetries), h: &hookAPI{before: map[string]func(int){"DescribeApp bob-lab": func(int) {
		if once {
			return
		}
		once = true
		// bob stops his lab app and starts it again, with another instance type, as DeleteUser
		// comes to it.
		_, err := e.raw().DeleteApp(ctx, &sagemaker.DeleteAppInput{DomainId: aws.String(e.domainID), SpaceName: aws.String("bob-lab"), AppType: types.AppTypeJupyterLab, AppName: aws.String("default")})
		require.NoError(t, err)
		e.srv.Advance(time.Second)
		_, err = e.raw().CreateApp(ctx, &sagemaker.CreateAppInput{DomainId: aws.String(e.domainID), SpaceName: aws.String("bob-lab"), AppType: types.AppTypeJupyterLab,
			AppName: aws.String("default"), ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlM5Xlarge, SageMakerImageArn: aws.String(testImage)}})
		require.NoError(t, err)
	}}}}
	c := New(api, func(o *Options) { o.Now, o.Sleep = e.srv.Now, e.sleep })
	err := c.DeleteUser(ctx, e.domainID, "bob")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrResourceInUse, "the app started again is someone's")
	assert.Contains(t, err.Error(), "space bob-lab")
	assert.Contains(t, err.Error(), "user profile bob")
	live := e.live(t)
	assert.True(t, live["app bob-lab/default"] && live["space bob-lab"] && live["user bob"], "%v", live)
	assert.False(t, live["space bob-code"], "the rest went")
}

func TestDeleteSpaceStopsItsAppAndIsIdempotent(t *testing.T) {
	e := people(t)
	ctx := context.Background()
	require.NoError(t, e.c.DeleteSpace(ctx, e.domainID, "bob-lab"))
	live := e.live(t)
	assert.False(t, live["space bob-lab"] || live["app bob-lab/default"])
	assert.True(t, live["space bob-code"] && live["app bob/datascience"], "nothing else")
	require.NoError(t, e.c.DeleteSpace(ctx, e.domainID, "bob-lab"), "a space already gone is nil")
	var v *ValidationError
	require.ErrorAs(t, e.c.DeleteSpace(ctx, e.domainID, "bad name!"), &v)
}

// onlySpaces is an API with SpacesAPI but not AdminAPI.
type onlySpaces struct{ c *sagemaker.Client }

func (o *onlySpaces) CreateApp(ctx context.Context, in *sagemaker.CreateAppInput, f ...func(*sagemaker.Options)) (*sagemaker.CreateAppOutput, error) {
	return o.c.CreateApp(ctx, in, f...)
}
func (o *onlySpaces) DescribeApp(ctx context.Context, in *sagemaker.DescribeAppInput, f ...func(*sagemaker.Options)) (*sagemaker.DescribeAppOutput, error) {
	return o.c.DescribeApp(ctx, in, f...)
}
func (o *onlySpaces) DeleteApp(ctx context.Context, in *sagemaker.DeleteAppInput, f ...func(*sagemaker.Options)) (*sagemaker.DeleteAppOutput, error) {
	return o.c.DeleteApp(ctx, in, f...)
}
func (o *onlySpaces) ListApps(ctx context.Context, in *sagemaker.ListAppsInput, f ...func(*sagemaker.Options)) (*sagemaker.ListAppsOutput, error) {
	return o.c.ListApps(ctx, in, f...)
}
func (o *onlySpaces) DescribeDomain(ctx context.Context, in *sagemaker.DescribeDomainInput, f ...func(*sagemaker.Options)) (*sagemaker.DescribeDomainOutput, error) {
	return o.c.DescribeDomain(ctx, in, f...)
}
func (o *onlySpaces) DescribeUserProfile(ctx context.Context, in *sagemaker.DescribeUserProfileInput, f ...func(*sagemaker.Options)) (*sagemaker.DescribeUserProfileOutput, error) {
	return o.c.DescribeUserProfile(ctx, in, f...)
}
func (o *onlySpaces) DescribeSpace(ctx context.Context, in *sagemaker.DescribeSpaceInput, f ...func(*sagemaker.Options)) (*sagemaker.DescribeSpaceOutput, error) {
	return o.c.DescribeSpace(ctx, in, f...)
}
func (o *onlySpaces) AddTags(ctx context.Context, in *sagemaker.AddTagsInput, f ...func(*sagemaker.Options)) (*sagemaker.AddTagsOutput, error) {
	return o.c.AddTags(ctx, in, f...)
}
func (o *onlySpaces) ListTags(ctx context.Context, in *sagemaker.ListTagsInput, f ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error) {
	return o.c.ListTags(ctx, in, f...)
}
func (o *onlySpaces) CreateSpace(ctx context.Context, in *sagemaker.CreateSpaceInput, f ...func(*sagemaker.Options)) (*sagemaker.CreateSpaceOutput, error) {
	return o.c.CreateSpace(ctx, in, f...)
}
func (o *onlySpaces) ListSpaces(ctx context.Context, in *sagemaker.ListSpacesInput, f ...func(*sagemaker.Options)) (*sagemaker.ListSpacesOutput, error) {
	return o.c.ListSpaces(ctx, in, f...)
}
func (o *onlySpaces) CreatePresignedDomainUrl(ctx context.Context, in *sagemaker.CreatePresignedDomainUrlInput, f ...func(*sagemaker.Options)) (*sagemaker.CreatePresignedDomainUrlOutput, error) {
	return o.c.CreatePresignedDomainUrl(ctx, in, f...)
}

func TestWithoutAdminAPIAClearAPIError(t *testing.T) {
	e := people(t)
	raw := e.raw()
	c := New(&onlySpaces{raw})
	for _, err := range []error{
		c.DeleteSpace(context.Background(), e.domainID, "bob-lab"),
		c.DeleteUser(context.Background(), e.domainID, "bob"),
	} {
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, err.Error(), "AdminAPI")
	}
	assert.True(t, e.live(t)["space bob-lab"])
}

// Must show: ConflictUpdate grows the storage from 5 to 20 GiB and sets an idle timeout within
// the domain's range with one UpdateSpace, and waits for InService; 20 → 10 GiB, and an idle
// timeout above the domain's maximum, are refused before any UpdateSpace, naming the field.
func TestConflictUpdate(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(5*time.Second))
	ctx := context.Background()
	bounded := &types.UserSettings{JupyterLabAppSettings: &types.JupyterLabAppSettings{AppLifecycleManagement: &types.AppLifecycleManagement{
		IdleSettings: &types.IdleSettings{LifecycleManagement: types.LifecycleManagementEnabled, MinIdleTimeoutInMinutes: aws.Int32(60), MaxIdleTimeoutInMinutes: aws.Int32(480)}}}}
	domainID, err := e.srv.SeedDomain("", &sagemaker.CreateDomainInput{DomainName: aws.String("bounded"), AuthMode: types.AuthModeIam, DefaultUserSettings: bounded})
	require.NoError(t, err)
	require.NoError(t, e.srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("alice")}))
	space := func(gib int32, idle *int32) *sagemaker.CreateSpaceInput {
		in := PrivateSpace(domainID, "alice-lab", "alice", types.AppTypeJupyterLab)
		in.SpaceSettings.SpaceStorageSettings = &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(gib)}}
		if idle != nil {
			in.SpaceSettings.JupyterLabAppSettings = &types.SpaceJupyterLabAppSettings{AppLifecycleManagement: &types.SpaceAppLifecycleManagement{IdleSettings: &types.SpaceIdleSettings{IdleTimeoutInMinutes: idle}}}
		}
		return in
	}
	update := func(o *WaitOptions) { o.OnConflict = ConflictUpdate }
	_, err = e.c.EnsureSpace(ctx, space(5, nil))
	require.NoError(t, err)

	sp, err := e.c.EnsureSpace(ctx, space(20, aws.Int32(120)), update)
	require.NoError(t, err)
	assert.Equal(t, types.SpaceStatusInService, sp.Status)
	assert.Equal(t, 1, requests(e.srv, "UpdateSpace", ""), "one UpdateSpace for both")
	out, err := e.raw().DescribeSpace(ctx, &sagemaker.DescribeSpaceInput{DomainId: aws.String(domainID), SpaceName: aws.String("alice-lab")})
	require.NoError(t, err)
	assert.Equal(t, int32(20), aws.ToInt32(out.SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb))
	assert.Equal(t, int32(120), aws.ToInt32(out.SpaceSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes))
	_, err = e.c.EnsureSpace(ctx, space(20, aws.Int32(120)), update)
	require.NoError(t, err)
	assert.Equal(t, 1, requests(e.srv, "UpdateSpace", ""), "a space that matches is not updated")

	_, err = e.c.EnsureSpace(ctx, space(10, nil), update)
	var conflict *SpaceConflictError
	require.ErrorAs(t, err, &conflict, "storage only grows")
	assert.Equal(t, []string{"SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb"}, conflict.Fields)
	assert.Contains(t, err.Error(), `is "20", asked "10"`)

	_, err = e.c.EnsureSpace(ctx, space(20, aws.Int32(600)), update)
	var invalid *ValidationError
	require.ErrorAs(t, err, &invalid, "above the domain's maximum")
	assert.Equal(t, "SpaceSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes", invalid.Problems[0].Field)
	assert.Contains(t, err.Error(), "at most 480")
	assert.Equal(t, 1, requests(e.srv, "UpdateSpace", ""), "no UpdateSpace for either")

	// Without ConflictUpdate, the settings are not compared, as before.
	_, err = e.c.EnsureSpace(ctx, space(30, nil))
	require.NoError(t, err)
	assert.Equal(t, 1, requests(e.srv, "UpdateSpace", ""))
}

// Must show (issue 22): 100 EnsureSpace calls of one existing space make no CreateSpace.
func TestEnsureSpaceOfAnExistingSpaceCreatesNothing(t *testing.T) {
	e := newEnv(t)
	e.space("lab")
	for range 100 {
		_, err := e.c.EnsureSpace(context.Background(), PrivateSpace(e.domainID, "lab", "Alice", types.AppTypeJupyterLab))
		require.NoError(t, err, "an owner spelled Alice is alice")
	}
	assert.Zero(t, e.calls("CreateSpace"))
	assert.Equal(t, 100, e.calls("DescribeSpace"))
}

// fullHook is a *sagemaker.Client whose DescribeApp and DeleteApp run h's hooks first.
type fullHook struct {
	*sagemaker.Client
	h *hookAPI
}

func (f *fullHook) DescribeApp(ctx context.Context, in *sagemaker.DescribeAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeAppOutput, error) {
	f.h.hook("DescribeApp")
	f.h.hook("DescribeApp " + aws.ToString(in.SpaceName))
	return f.Client.DescribeApp(ctx, in, optFns...)
}

func (f *fullHook) DeleteApp(ctx context.Context, in *sagemaker.DeleteAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeleteAppOutput, error) {
	f.h.hook("DeleteApp")
	return f.Client.DeleteApp(ctx, in, optFns...)
}

// DescribeSpace hooks "DescribeSpace <space> answered" once the call has answered, before the
// caller reads the answer.
func (f *fullHook) DescribeSpace(ctx context.Context, in *sagemaker.DescribeSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeSpaceOutput, error) {
	out, err := f.Client.DescribeSpace(ctx, in, optFns...)
	f.h.hook("DescribeSpace " + aws.ToString(in.SpaceName) + " answered")
	return out, err
}

// DeleteUser takes the turn of its rate before the look that allows a DeleteSpace, not after it:
// a space deleted by someone else and made again, for another owner, while the delete waited for
// its turn is not deleted. Found by the simulation (seed 63578, in one run of 100,000 seeds).
func TestDeleteUserNeverDeletesASpaceMadeAgainWhileItsDeleteWaited(t *testing.T) {
	e := people(t, sagemakerfake.WithDeleteDelay(time.Second))
	ctx := context.Background()
	api := &fullHook{Client: e.srv.Client(fastRetries), h: &hookAPI{before: map[string]func(int){"DescribeSpace bob-code answered": func(k int) {
		if k != 2 {
			return
		}
		// The look that found bob-code InService, its apps stopped, has answered: DeleteUser's
		// DeleteSpace comes next, once the rate gives it a turn. Meanwhile someone deletes
		// bob-code, and alice makes a space of that name.
		_, err := e.raw().DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: aws.String(e.domainID), SpaceName: aws.String("bob-code")})
		assert.NoError(t, err)
		e.srv.Advance(time.Minute)
		_, err = e.raw().CreateSpace(ctx, PrivateSpace(e.domainID, "bob-code", "alice", types.AppTypeCodeEditor))
		assert.NoError(t, err)
		e.srv.Advance(time.Minute)
	}}}}
	c := New(api, func(o *Options) { o.Now, o.Sleep = e.srv.Now, e.sleep })
	err := c.DeleteUser(ctx, e.domainID, "bob", func(o *DeleteUserOptions) {
		o.KeepProfile, o.Batch.Concurrency, o.Batch.CreatesPerSecond = true, 1, 1.0/60
	})
	require.NoError(t, err)
	live := e.live(t)
	assert.True(t, live["space bob-code"], "alice's bob-code stays: %v", live)
	assert.False(t, live["space bob-lab"], "bob's other space went: %v", live)
	sp, err := e.raw().DescribeSpace(ctx, &sagemaker.DescribeSpaceInput{DomainId: aws.String(e.domainID), SpaceName: aws.String("bob-code")})
	require.NoError(t, err)
	assert.Equal(t, "alice", aws.ToString(sp.OwnershipSettings.OwnerUserProfileName))
}

// Each DeleteSpace is one attempt that follows a look: a throttled one is not retried by the SDK
// before the space is looked at again.
func TestDeleteSpaceAttemptsFollowALook(t *testing.T) {
	e := people(t, sagemakerfake.WithDeleteDelay(time.Second))
	e.srv.InjectFault("DeleteSpace", sagemakerfake.Fault{Code: "ThrottlingException", Times: 1})
	require.NoError(t, e.c.DeleteSpace(context.Background(), e.domainID, "bob-code"))
	var ops []string
	for _, q := range e.srv.Requests() {
		if q.Operation == "DeleteSpace" || q.Operation == "DescribeSpace" {
			ops = append(ops, q.Operation)
		}
	}
	first := slices.Index(ops, "DeleteSpace")
	require.GreaterOrEqual(t, first, 0)
	require.Greater(t, len(ops), first+2, "%v", ops)
	assert.Equal(t, []string{"DeleteSpace", "DescribeSpace", "DeleteSpace"}, ops[first:first+3], "a look between the throttled attempt and the next")
}

// Issue 22: EnsureApp in a space that is not yet InService waits for it (the service's
// "storage is not in Available status" is no conflict and no app), then creates the app.
func TestEnsureAppWaitsForItsSpace(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(30*time.Second))
	ctx := context.Background()
	in := e.input("new-lab") // seeds the space: delete it, and create it anew (Pending for 30 s)
	_, err := e.raw().DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: in.DomainId, SpaceName: in.SpaceName})
	require.NoError(t, err)
	e.srv.Advance(30 * time.Second)
	_, err = e.raw().CreateSpace(ctx, PrivateSpace(e.domainID, "new-lab", "alice", types.AppTypeJupyterLab))
	require.NoError(t, err)
	app, err := e.c.EnsureApp(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, types.AppStatusInService, app.Status)
	assert.Positive(t, requests(e.srv, "CreateApp", "ResourceInUse"), "refused while the space was Pending")
}

// Issue 22: a Failed app is deleted by the service; DeleteApp of it ("previously failed and was
// automatically deleted") is nil, and a capacity shortage is ErrInsufficientCapacity and ErrAppFailed.
func TestAFailedAppIsGone(t *testing.T) {
	e := newEnv(t, sagemakerfake.WithStartupDelay(10*time.Second), sagemakerfake.WithFailureRule(sagemakerfake.InsufficientCapacity(types.AppInstanceTypeMlT3Medium)))
	ctx := context.Background()
	_, err := e.c.EnsureApp(ctx, e.input("short"))
	require.ErrorIs(t, err, ErrInsufficientCapacity)
	require.ErrorIs(t, err, ErrAppFailed)
	require.NoError(t, e.c.DeleteApp(ctx, e.id("short")))
	assert.Equal(t, 1, requests(e.srv, "DeleteApp", "ValidationException"), "the service's answer for a failed app")
	results := e.c.DeleteApps(ctx, AppFilter{DomainID: e.domainID})
	assert.Empty(t, results, "nothing to delete: a Failed app is gone")
}
