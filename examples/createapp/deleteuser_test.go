package main

// A person's whole Studio from the command line (issue 23): --storage-gib and --idle-timeout for
// the space --owner ensures, and --delete-user.

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// bobsLab is the command that ensures bob's private JupyterLab space and its app on the fake of
// startFake.
var bobsLab = []string{"--domain-id", "d-platform1", "--owner", "bob", "--app-type", "JupyterLab", "--app-name", "default", "--ensure"}

func describeSpace(t *testing.T, srv *sagemakerfake.Server, name string) *sagemaker.DescribeSpaceOutput {
	t.Helper()
	out, err := srv.Client().DescribeSpace(context.Background(), &sagemaker.DescribeSpaceInput{DomainId: aws.String("d-platform1"), SpaceName: aws.String(name)})
	require.NoError(t, err)
	return out
}

// The space grows from 5 to 20 GiB and gets a 2-hour idle timeout with one UpdateSpace, while its
// app runs on; a smaller size is refused before anything is changed, and so is an idle timeout
// above the domain's maximum (480 minutes), naming the member and the flag.
func TestStorageAndIdleTimeoutChangeTheSpace(t *testing.T) {
	srv, run := startFake(t)
	r := run(append(bobsLab, "--storage-gib", "5")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	ebs := func() int32 {
		return aws.ToInt32(describeSpace(t, srv, "bob-jupyterlab").SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb)
	}
	assert.Equal(t, int32(5), ebs())

	r = run(append(bobsLab, "--storage-gib", "20", "--idle-timeout", "2h")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, 1, countOps(srv, "UpdateSpace"))
	sp := describeSpace(t, srv, "bob-jupyterlab")
	assert.Equal(t, int32(20), ebs())
	assert.Equal(t, int32(120), aws.ToInt32(sp.SpaceSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes))
	assert.Equal(t, 1, countOps(srv, "CreateApp"), "the app was adopted, not restarted")
	assert.Regexp(t, `(?m)^Status +InService$`, r.stdout)

	r = run(append(bobsLab, "--storage-gib", "10")...)
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "has more storage than --storage-gib 10 asks for, and a space's storage only grows")
	assert.Equal(t, 1, countOps(srv, "UpdateSpace"))

	r = run(append(bobsLab, "--idle-timeout", "600")...)
	assert.Equal(t, exitInvalid, r.code, r.stderr)
	assert.Contains(t, r.stderr, "invalid input, nothing was created or changed")
	assert.Contains(t, r.stderr, `SpaceSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes: Invalid "600": must be at most 480`)
	assert.Contains(t, r.stderr, "(--idle-timeout)")
	assert.Equal(t, 1, countOps(srv, "UpdateSpace"))
	assert.Equal(t, int32(20), ebs())
}

// The space flags are checked before anything is sent.
func TestSpaceFlagsAreCheckedBeforeAnythingIsSent(t *testing.T) {
	srv, run := startFake(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--domain-id", "d-platform1", "--space-name", "team", "--app-type", "JupyterLab", "--app-name", "default", "--storage-gib", "20"}, "give --owner USER"},
		{append(bobsLab, "--idle-timeout", "90s"), "want whole minutes"},
		{append(bobsLab, "--idle-timeout", "0"), "want whole minutes"},
		{append(bobsLab, "--storage-gib", "0"), "--storage-gib 0: want a number of GiB"},
		{append(bobsLab, "--storage-gib", "4"), `EbsVolumeSizeInGb: Invalid "4": must be between 5 and 16384 (--storage-gib)`},
		{append(bobsLab, "--idle-timeout", "30m"), `IdleTimeoutInMinutes: Invalid "30": must be between 60 and 525600 minutes (--idle-timeout)`},
		{[]string{"--domain-id", "d-platform1", "--owner", "bob", "--app-type", "KernelGateway", "--app-name", "default", "--idle-timeout", "2h"}, "not of a space for KernelGateway apps"},
	} {
		r := run(tc.args...)
		assert.Equal(t, exitInvalid, r.code, "%v: %s", tc.args, r.stderr)
		assert.Contains(t, r.stderr, tc.want, tc.args)
	}
	assert.Empty(t, srv.Requests())
}

// bobsStudio gives bob, on the fake of startFake, his private JupyterLab space with its app
// running and a Studio Classic app on his profile, and carol a private space of her own.
func bobsStudio(t *testing.T, srv *sagemakerfake.Server, run func(...string) result) {
	t.Helper()
	require.Equal(t, exitOK, run(bobsLab...).code)
	r := run("--domain-id", "d-platform1", "--user-profile-name", "bob", "--app-type", "KernelGateway", "--app-name", "datascience", "--instance-type", "ml.t3.medium", "--ensure")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String("d-platform1"), UserProfileName: aws.String("carol")}))
	require.NoError(t, srv.SeedSpace(sagemakerapp.PrivateSpace("d-platform1", "carol-jupyterlab", "carol", types.AppTypeJupyterLab)))
}

// left is what the fake holds that is not gone.
func left(t *testing.T, srv *sagemakerfake.Server) []string {
	t.Helper()
	var out []string
	for _, a := range srv.Apps() {
		if a.Status != types.AppStatusDeleted && a.Status != types.AppStatusFailed {
			out = append(out, "app "+a.SpaceName+a.UserProfileName+"/"+a.AppName)
		}
	}
	for sp, err := range sagemakerapp.New(srv.Client()).Spaces(context.Background(), sagemakerapp.SpaceFilter{DomainID: "d-platform1"}) {
		require.NoError(t, err)
		out = append(out, "space "+sp.Name)
	}
	for _, u := range []string{"bob", "carol"} {
		if _, err := srv.Client().DescribeUserProfile(context.Background(), &sagemaker.DescribeUserProfileInput{DomainId: aws.String("d-platform1"), UserProfileName: aws.String(u)}); err == nil {
			out = append(out, "user "+u)
		}
	}
	return out
}

// --delete-user with --yes removes bob's apps, his space and his profile, prints each, and leaves
// carol's space; a second run finds nothing to remove.
func TestDeleteUserRemovesThePersonAndSaysWhat(t *testing.T) {
	srv, run := startFake(t)
	bobsStudio(t, srv, run)
	r := run("--domain-id", "d-platform1", "--delete-user", "bob", "--yes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, `Removed user bob of d-platform1:
  app KernelGateway "datascience" on the user profile (InService)
  app JupyterLab "default" in space bob-jupyterlab (InService)
  space bob-jupyterlab (private), with the files on its storage
  user profile bob
`, r.stdout)
	assert.Contains(t, r.stderr, "Removing user bob of d-platform1 deletes:\n  app KernelGateway")
	assert.NotContains(t, r.stderr, "Type bob", "--yes does not ask")
	assert.ElementsMatch(t, []string{"space carol-jupyterlab", "user carol"}, left(t, srv))

	r = run("--domain-id", "d-platform1", "--delete-user", "bob", "--yes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Nothing to remove: user bob of d-platform1 has no user profile, space or app.\n", r.stdout)
	assert.Equal(t, 1, countOps(srv, "DeleteUserProfile"))
}

// Without --yes, the user's name must be typed on the terminal; anything else deletes nothing.
// Without a terminal and without --yes, it refuses before sending anything: exit 2.
func TestDeleteUserAsksForTheUsersName(t *testing.T) {
	srv, run := startFake(t)
	r := run("--domain-id", "d-platform1", "--delete-user", "bob")
	assert.Equal(t, exitInvalid, r.code, r.stderr)
	assert.Contains(t, r.stderr, "there is no terminal to ask on, so nothing was sent: give --yes")
	assert.Empty(t, srv.Requests())

	bobsStudio(t, srv, run)
	for _, answer := range []string{"yes\n", "Bob\n", ""} {
		r = runAgainst(srv, strings.NewReader(answer), "--domain-id", "d-platform1", "--delete-user", "bob")
		assert.Equal(t, exitFailure, r.code, "%q: %s", answer, r.stderr)
		assert.Contains(t, r.stderr, "There is no undo. Type bob to remove them: ")
		assert.Contains(t, r.stderr, "Not confirmed: nothing was deleted.")
	}
	assert.Zero(t, countOps(srv, "DeleteApp")+countOps(srv, "DeleteSpace")+countOps(srv, "DeleteUserProfile"))

	r = runAgainst(srv, strings.NewReader("bob\n"), "--domain-id", "d-platform1", "--delete-user", "bob")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Removed user bob of d-platform1:")
	assert.ElementsMatch(t, []string{"space carol-jupyterlab", "user carol"}, left(t, srv))
}

// A shared space the user owns stops the removal before anything is deleted, naming it;
// --delete-shared-spaces deletes it with the rest.
func TestDeleteUserRefusesASharedSpaceTheyOwn(t *testing.T) {
	srv, run := startFake(t)
	bobsStudio(t, srv, run)
	require.NoError(t, srv.SeedSpace(&sagemaker.CreateSpaceInput{DomainId: aws.String("d-platform1"), SpaceName: aws.String("team"),
		OwnershipSettings:    &types.OwnershipSettings{OwnerUserProfileName: aws.String("bob")},
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared}}))
	r := run("--domain-id", "d-platform1", "--delete-user", "bob", "--yes")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "space team (shared: other people's work)")
	assert.Contains(t, r.stderr, "bob owns the shared space(s) team, which hold other people's work: nothing was deleted; give --delete-shared-spaces")
	assert.Zero(t, countOps(srv, "DeleteApp")+countOps(srv, "DeleteSpace")+countOps(srv, "DeleteUserProfile"))

	r = run("--domain-id", "d-platform1", "--delete-user", "bob", "--yes", "--delete-shared-spaces")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "space team (shared: other people's work)")
	assert.ElementsMatch(t, []string{"space carol-jupyterlab", "user carol"}, left(t, srv))
}

// A removal that cannot delete everything says what remains and how to finish; the same command
// again finishes it.
func TestDeleteUserThatFailsSaysWhatRemains(t *testing.T) {
	srv, run := startFake(t)
	bobsStudio(t, srv, run)
	srv.InjectFault("DeleteSpace", sagemakerfake.Fault{Code: "AccessDeniedException", Message: "not allowed to delete spaces"})
	r := run("--domain-id", "d-platform1", "--delete-user", "bob", "--yes")
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, "not allowed to delete spaces")
	assert.Contains(t, r.stderr, "What remains of user bob of d-platform1:\n  space bob-jupyterlab (private), with the files on its storage\n  user profile bob\n")
	assert.Contains(t, r.stderr, "Run the same command again to finish")
	assert.Empty(t, r.stdout)

	srv.ClearFaults("DeleteSpace")
	r = run("--domain-id", "d-platform1", "--delete-user", "bob", "--yes")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Removed user bob of d-platform1:\n  space bob-jupyterlab (private), with the files on its storage\n  user profile bob\n", r.stdout)
	assert.ElementsMatch(t, []string{"space carol-jupyterlab", "user carol"}, left(t, srv))
}

// --delete-user takes only the flags of who, where and how; its own flags need it; its user is
// checked as DeleteUser checks it. Nothing is sent.
func TestDeleteUserFlagsAreChecked(t *testing.T) {
	srv, run := startFake(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--domain-id", "d-platform1", "--delete-user", "bob", "--yes", "--app-type", "JupyterLab", "--tag", "a=b"}, "--delete-user removes a person and makes no app: --app-type, --tag is not for it"},
		{[]string{"--domain-id", "d-platform1", "--delete-user=", "--yes"}, "--delete-user needs the name of the user profile to remove"},
		{[]string{"--domain-id", "d-platform1", "--owner", "bob", "--yes"}, "--yes is for --delete-user"},
		{[]string{"--domain-id", "d-platform1", "--owner", "bob", "--delete-shared-spaces"}, "--delete-shared-spaces is for --delete-user"},
		{[]string{"--domain-id", "d-platform1", "--delete-user", "bob_1", "--yes"}, `UserProfileName: Invalid "bob_1": must be up to 63 letters, digits and hyphens, and start and end with a letter or digit (--delete-user)`},
		{[]string{"--domain-id", "platform1", "--delete-user", "bob", "--yes"}, `DomainId: Invalid "platform1"`},
	} {
		r := run(tc.args...)
		assert.Equal(t, exitInvalid, r.code, "%v: %s", tc.args, r.stderr)
		assert.Contains(t, r.stderr, tc.want, tc.args)
	}
	assert.Empty(t, srv.Requests())
}

// The demo: on the embedded fake, alice has her private space, and --delete-user alice removes it
// and her profile.
func TestDeleteUserOnTheEmbeddedFake(t *testing.T) {
	r := runOnClock(t, []string{"--delete-user", "alice", "--yes"})
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "Removed user alice of d-example12345:\n  space alice-jupyterlab (private), with the files on its storage\n  user profile alice\n", r.stdout)
	assert.Contains(t, r.stderr, "embedded fake SageMaker")
}
