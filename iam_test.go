package sagemakerapp_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// The README's table of IAM actions says, for each action a call uses beyond its own, what the
// call does without it. These tests hold the table to the code: each refuses one action (the
// fake answers AccessDeniedException, as IAM does) and checks what the README says.

// deny makes the fake refuse every call of each op as IAM refuses an action the caller lacks.
func deny(srv *sagemakerfake.Server, ops ...string) {
	for _, op := range ops {
		srv.InjectFault(op, sagemakerfake.Fault{Code: "AccessDeniedException",
			Message: "User: arn:aws:sts::123456789012:assumed-role/platform/x is not authorized to perform: sagemaker:" + op})
	}
}

// callsOf counts the requests of op that the fake received, answered or not.
func callsOf(srv *sagemakerfake.Server, op string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Operation == op {
			n++
		}
	}
	return n
}

// A CreateApp whose answer is lost is retried, answered ResourceInUse, and recognised as the
// call's own with DescribeApp and ListTags. Without ListTags it cannot be recognised: the call
// reports ErrResourceInUse for the app it made.
func TestIAMLostAnswerRecoveryNeedsListTags(t *testing.T) {
	for _, withListTags := range []bool{true, false} {
		env := newDocEnv(t)
		if !withListTags {
			deny(env.srv, "ListTags")
		}
		env.srv.InjectFault("CreateApp", sagemakerfake.Fault{DropAfterCommit: true, Times: 1})
		app, err := env.client.CreateApp(t.Context(), env.input())
		require.GreaterOrEqual(t, callsOf(env.srv, "ListTags"), 1, "the recovery reads the tags")
		require.Len(t, env.srv.Apps(), 1, "the first attempt created the app")
		if withListTags {
			require.NoError(t, err)
			require.Equal(t, env.srv.Apps()[0].ARN, app.ARN)
		} else {
			require.ErrorIs(t, err, sagemakerapp.ErrResourceInUse)
			require.NotErrorIs(t, err, sagemakerapp.ErrAccessDenied, "the caller sees the retry's answer")
		}
	}
}

// An app that needs a default (a KernelGateway app's instance type, a JupyterLab app's image)
// makes the client read the levels first and refuse before the call when none gives it. Without
// the Describe actions the request is sent, and the service's refusal is ErrServiceValidation.
func TestIAMDefaultsReadsDenied(t *testing.T) {
	kernelGateway := func(env *docEnv) *sagemaker.CreateAppInput {
		return &sagemaker.CreateAppInput{DomainId: aws.String(docClassicDomainID), AppType: types.AppTypeKernelGateway,
			AppName: aws.String("datascience"), UserProfileName: aws.String("alice")}
	}
	noImage := func(env *docEnv) *sagemaker.CreateAppInput {
		in := env.input()
		in.ResourceSpec.SageMakerImageArn = nil
		return in
	}
	for _, c := range []struct {
		name   string
		in     func(*docEnv) *sagemaker.CreateAppInput
		denied []string
	}{
		{"KernelGateway, no DescribeUserProfile", kernelGateway, []string{"DescribeUserProfile"}},
		{"KernelGateway, no DescribeDomain", kernelGateway, []string{"DescribeDomain"}},
		{"JupyterLab, no DescribeSpace", noImage, []string{"DescribeSpace"}},
		{"JupyterLab, no DescribeUserProfile of the owner", noImage, []string{"DescribeUserProfile"}},
		{"JupyterLab, no DescribeDomain", noImage, []string{"DescribeDomain"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := newDocEnv(t)
			_, err := env.client.CreateApp(t.Context(), c.in(env))
			require.ErrorIs(t, err, sagemakerapp.ErrInvalidInput, "with the reads: refused before the call")
			require.Zero(t, callsOf(env.srv, "CreateApp"))

			env = newDocEnv(t)
			deny(env.srv, c.denied...)
			_, err = env.client.CreateApp(t.Context(), c.in(env))
			require.ErrorIs(t, err, sagemakerapp.ErrServiceValidation, "without them: sent, and refused by the service")
			require.Equal(t, 1, callsOf(env.srv, "CreateApp"))
		})
	}
}

// Waits of one Client on one domain share ListApps rounds. Without ListApps each describes its
// app, and both still end InService.
func TestIAMWaitsWithoutListApps(t *testing.T) {
	env := newDocEnv(t, sagemakerfake.WithStartupDelay(time.Minute))
	deny(env.srv, "ListApps")
	results := env.client.EnsureApps(t.Context(), []*sagemaker.CreateAppInput{env.input(),
		must(env.base().InSpace("bob-jupyterlab").Input())})
	for _, r := range results {
		require.NoError(t, r.Err)
		require.Equal(t, types.AppStatusInService, r.App.Status)
	}
	require.Positive(t, callsOf(env.srv, "ListApps"), "EnsureApps tried to list")
	require.Positive(t, callsOf(env.srv, "DescribeApp"))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Ensure of an app that is there already adds the request's tags that it lacks: ListTags, then
// AddTags. Without ListTags, Ensure of a found app with tags is ErrAccessDenied; without tags it
// needs neither.
func TestIAMEnsureOfAFoundAppWithTags(t *testing.T) {
	env := newDocEnv(t)
	deny(env.srv, "ListTags", "AddTags")
	_, err := env.builder().Create(t.Context())
	require.NoError(t, err)

	_, err = env.builder().Tag("team", "ml").Ensure(t.Context())
	require.ErrorIs(t, err, sagemakerapp.ErrAccessDenied)

	app, err := env.builder().Ensure(t.Context())
	require.NoError(t, err)
	require.Equal(t, types.AppStatusInService, app.Status)
}

// Ensure of a space app whose space runs another app names that app (ListApps of the space).
// Without ListApps it cannot tell, and runs until WaitOptions.Timeout.
func TestIAMEnsureInABusySpaceWithoutListApps(t *testing.T) {
	for _, withListApps := range []bool{true, false} {
		env := newDocEnv(t)
		_, err := env.builder().Create(t.Context())
		require.NoError(t, err)
		if !withListApps {
			deny(env.srv, "ListApps")
		}
		other := env.client.NewApp(docDomainID, types.AppTypeJupyterLab, "other").InSpace("alice-jupyterlab").
			InstanceType(types.AppInstanceTypeMlT3Medium).Image(env.image)
		_, err = other.Ensure(t.Context(), func(o *sagemakerapp.WaitOptions) { o.Timeout = 2 * time.Minute })
		if withListApps {
			var conflict *sagemakerapp.AppConflictError
			require.ErrorAs(t, err, &conflict)
			require.Equal(t, "default", conflict.Existing.ID.AppName)
		} else {
			require.ErrorIs(t, err, sagemakerapp.ErrWaitTimeout)
		}
	}
}

// Ensure with ConflictReplace deletes an app that runs with another spec. Without DeleteApp the
// Ensure is ErrAccessDenied and nothing is replaced.
func TestIAMConflictReplaceWithoutDeleteApp(t *testing.T) {
	env := newDocEnv(t)
	_, err := env.builder().Create(t.Context())
	require.NoError(t, err)
	deny(env.srv, "DeleteApp")
	_, err = env.builder().InstanceType(types.AppInstanceTypeMlT3Large).Ensure(t.Context(), func(o *sagemakerapp.WaitOptions) {
		o.OnConflict = sagemakerapp.ConflictReplace
	})
	require.ErrorIs(t, err, sagemakerapp.ErrAccessDenied)
	require.Equal(t, types.AppInstanceTypeMlT3Medium, env.srv.Apps()[0].ResourceSpec.InstanceType)
}

// DeleteApp of a Pending app waits it out with DescribeApp. Without DescribeApp it returns the
// service's ErrResourceInUse.
func TestIAMDeleteOfAPendingAppWithoutDescribeApp(t *testing.T) {
	env := newDocEnv(t, sagemakerfake.WithStartupDelay(time.Minute))
	app, err := env.builder().Create(t.Context())
	require.NoError(t, err)
	deny(env.srv, "DescribeApp")
	err = env.client.DeleteApp(t.Context(), app.ID)
	require.ErrorIs(t, err, sagemakerapp.ErrResourceInUse)
}

// DeleteApps lists the apps first: without ListApps nothing is deleted and the one Result holds
// ErrAccessDenied.
func TestIAMDeleteAppsWithoutListApps(t *testing.T) {
	env := newDocEnv(t)
	_, err := env.builder().Create(t.Context())
	require.NoError(t, err)
	deny(env.srv, "ListApps")
	results := env.client.DeleteApps(t.Context(), sagemakerapp.AppFilter{DomainID: docDomainID})
	require.Len(t, results, 1)
	require.ErrorIs(t, results[0].Err, sagemakerapp.ErrAccessDenied)
	require.Zero(t, callsOf(env.srv, "DeleteApp"))
}

// LaunchURL of an app in a private space reads the space's owner with DescribeSpace, unless
// LaunchOptions.UserProfileName names the user.
func TestIAMLaunchURLWithoutDescribeSpace(t *testing.T) {
	env := newDocEnv(t)
	app, err := env.builder().Ensure(t.Context())
	require.NoError(t, err)
	deny(env.srv, "DescribeSpace")
	_, err = env.client.LaunchURL(t.Context(), app.ID)
	require.ErrorIs(t, err, sagemakerapp.ErrAccessDenied)
	url, err := env.client.LaunchURL(t.Context(), app.ID, func(o *sagemakerapp.LaunchOptions) { o.UserProfileName = "alice" })
	require.NoError(t, err)
	require.Contains(t, url, env.srv.URL())
}

// EnsureSpace creates, then describes: DescribeSpace is not optional.
func TestIAMEnsureSpaceWithoutDescribeSpace(t *testing.T) {
	env := newDocEnv(t)
	deny(env.srv, "DescribeSpace")
	_, err := env.client.EnsureSpace(context.Background(), sagemakerapp.PrivateSpace(docDomainID, "alice-codeeditor2", "alice", types.AppTypeCodeEditor))
	require.ErrorIs(t, err, sagemakerapp.ErrAccessDenied)
}

// A space named as a user profile is refused by CreateSpace with ResourceInUse. EnsureSpace knows
// the service's text for it; for another text, it asks DescribeUserProfile whether a profile
// holds the name. Without DescribeUserProfile it takes the name for a space on its way, and
// retries until WaitOptions.Timeout.
func TestIAMEnsureSpaceNamedAsAProfileWithoutDescribeUserProfile(t *testing.T) {
	for _, withDescribe := range []bool{true, false} {
		env := newDocEnv(t)
		env.srv.InjectFault("CreateSpace", sagemakerfake.Fault{Code: "ResourceInUse", Message: "Resource already exists"})
		if !withDescribe {
			deny(env.srv, "DescribeUserProfile")
		}
		_, err := env.client.EnsureSpace(t.Context(), sagemakerapp.PrivateSpace(docDomainID, "bob", "alice", types.AppTypeJupyterLab),
			func(o *sagemakerapp.WaitOptions) { o.Timeout = 2 * time.Minute })
		if withDescribe {
			require.ErrorIs(t, err, sagemakerapp.ErrResourceInUse)
			require.ErrorContains(t, err, "user profiles and spaces share one namespace")
		} else {
			require.ErrorIs(t, err, sagemakerapp.ErrWaitTimeout)
		}
	}
}

// Spaces needs ListSpaces: without it, the one error yielded is ErrAccessDenied.
func TestIAMSpacesWithoutListSpaces(t *testing.T) {
	env := newDocEnv(t)
	deny(env.srv, "ListSpaces")
	n := 0
	for sp, err := range env.client.Spaces(t.Context(), sagemakerapp.SpaceFilter{DomainID: docDomainID}) {
		n++
		require.Nil(t, sp)
		require.ErrorIs(t, err, sagemakerapp.ErrAccessDenied)
	}
	require.Equal(t, 1, n)
}

// DeleteUser without DeleteUserProfile deletes the person's apps and spaces, and its error is
// ErrAccessDenied naming the profile as what remains; with KeepProfile it needs neither
// DeleteUserProfile nor DescribeUserProfile.
func TestIAMDeleteUserWithoutDeleteUserProfile(t *testing.T) {
	env := newDocEnv(t)
	deny(env.srv, "DeleteUserProfile", "DescribeUserProfile")
	err := env.client.DeleteUser(t.Context(), docDomainID, "bob", func(o *sagemakerapp.DeleteUserOptions) { o.KeepProfile = true })
	require.NoError(t, err)
	require.Zero(t, callsOf(env.srv, "DeleteUserProfile"))
	env.srv.ClearFaults("DescribeUserProfile")
	err = env.client.DeleteUser(t.Context(), docDomainID, "bob")
	require.ErrorIs(t, err, sagemakerapp.ErrAccessDenied)
	require.Contains(t, err.Error(), "remaining: user profile bob")
	for sp, err := range env.client.Spaces(t.Context(), sagemakerapp.SpaceFilter{DomainID: docDomainID, Owner: "bob"}) {
		require.NoError(t, err)
		require.Equal(t, types.SpaceStatusDeleting, sp.Status, "bob's space is on its way out")
	}
}

// EnsureSpace with ConflictUpdate calls UpdateSpace only for a space that differs: without it,
// ErrAccessDenied, and the space is unchanged. It reads the idle timeout's bounds with
// DescribeDomain (and the owner's DescribeUserProfile): without them the request goes, and the
// service decides.
func TestIAMConflictUpdateWithoutUpdateSpaceOrTheReads(t *testing.T) {
	env := newDocEnv(t)
	update := func(o *sagemakerapp.WaitOptions) { o.OnConflict = sagemakerapp.ConflictUpdate }
	in := sagemakerapp.PrivateSpace(docDomainID, "alice-jupyterlab", "alice", types.AppTypeJupyterLab)
	_, err := env.client.EnsureSpace(t.Context(), in, update)
	require.NoError(t, err, "a space that matches needs no UpdateSpace")
	deny(env.srv, "UpdateSpace", "DescribeDomain", "DescribeUserProfile")
	in.SpaceSettings.SpaceStorageSettings = &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(20)}}
	in.SpaceSettings.JupyterLabAppSettings = &types.SpaceJupyterLabAppSettings{AppLifecycleManagement: &types.SpaceAppLifecycleManagement{
		IdleSettings: &types.SpaceIdleSettings{IdleTimeoutInMinutes: aws.Int32(120)}}}
	_, err = env.client.EnsureSpace(t.Context(), in, update)
	require.ErrorIs(t, err, sagemakerapp.ErrAccessDenied)
	require.Equal(t, 1, callsOf(env.srv, "UpdateSpace"), "the bounds could not be read, and the update went")
}
