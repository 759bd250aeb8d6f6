package main

// Changing a person's Studio with PUT (issue 23): the space's storage, idle timeout and remote
// access, ensured with ConflictUpdate, and an app of another spec restarted only when asked.

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

const idleField = "SpaceSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes"
const ebsField = "SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb"

// aliceSpace is alice's private JupyterLab space as the fake describes it.
func aliceSpace(t *testing.T, srv *sagemakerfake.Server) *sagemaker.DescribeSpaceOutput {
	t.Helper()
	out, err := srv.Client().DescribeSpace(context.Background(), &sagemaker.DescribeSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-jupyterlab")})
	require.NoError(t, err)
	return out
}

func spaceSize(sp *sagemaker.DescribeSpaceOutput) int32 {
	if sp.SpaceSettings == nil || sp.SpaceSettings.SpaceStorageSettings == nil || sp.SpaceSettings.SpaceStorageSettings.EbsStorageSettings == nil {
		return 0
	}
	return aws.ToInt32(sp.SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb)
}

func spaceIdle(sp *sagemaker.DescribeSpaceOutput) int32 {
	s := sp.SpaceSettings
	if s == nil || s.JupyterLabAppSettings == nil || s.JupyterLabAppSettings.AppLifecycleManagement == nil || s.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings == nil {
		return 0
	}
	return aws.ToInt32(s.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes)
}

// Must show (issue 23): storage 5 → 20 GiB with an idle timeout within range (and remote access)
// is one UpdateSpace, while the app goes on running; the same PUT again changes nothing.
func TestPutGrowsTheStorageAndSetsTheIdleTimeoutWithOneUpdateSpace(t *testing.T) {
	srv, h := newService(t)
	first := do(t, h, http.MethodPut, appPath, `{"storageGiB": 5}`)
	require.Equal(t, http.StatusOK, first.status, first.body)
	assert.Equal(t, int32(5), spaceSize(aliceSpace(t, srv)), "created with 5 GiB")

	body := `{"storageGiB": 20, "idleTimeoutMinutes": 120, "remoteAccess": "ENABLED"}`
	a := do(t, h, http.MethodPut, appPath, body)
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Equal(t, "InService", a.body["status"])
	assert.Equal(t, first.body["arn"], a.body["arn"])
	assert.Equal(t, 1, calls(srv, "UpdateSpace"), "one UpdateSpace for all three members")
	sp := aliceSpace(t, srv)
	assert.Equal(t, types.SpaceStatusInService, sp.Status)
	assert.Equal(t, int32(20), spaceSize(sp))
	assert.Equal(t, int32(120), spaceIdle(sp))
	assert.Equal(t, types.FeatureStatusEnabled, sp.SpaceSettings.RemoteAccess)
	assert.Equal(t, 1, createCalls(srv), "the app was not restarted")
	assert.Zero(t, calls(srv, "DeleteApp"))

	again := do(t, h, http.MethodPut, appPath, body)
	require.Equal(t, http.StatusOK, again.status, again.body)
	assert.Equal(t, 1, calls(srv, "UpdateSpace"), "a space that has the settings is not updated")
	assert.Equal(t, 1, calls(srv, "CreateSpace"))
}

// Must show: a smaller size than the space's is a 409 naming the field, and nothing is sent to
// change it; a member left out is not compared.
func TestPutOfSmallerStorageIsAConflictNamingTheField(t *testing.T) {
	srv, h := newService(t)
	require.Equal(t, http.StatusOK, do(t, h, http.MethodPut, appPath, `{"storageGiB": 20}`).status)
	a := do(t, h, http.MethodPut, appPath, `{"storageGiB": 10}`)
	assert.Equal(t, http.StatusConflict, a.status, a.body)
	assert.Equal(t, "SpaceConflict", a.body["error"])
	assert.Equal(t, []any{ebsField}, a.body["fields"])
	assert.Equal(t, []any{"storageGiB"}, a.body["members"])
	assert.Contains(t, a.body["message"], "only grows")
	assert.Zero(t, calls(srv, "UpdateSpace"))
	assert.Equal(t, int32(20), spaceSize(aliceSpace(t, srv)))

	assert.Equal(t, http.StatusOK, do(t, h, http.MethodPut, appPath, `{}`).status, "without storageGiB the size is not compared")
	assert.Zero(t, calls(srv, "UpdateSpace"))
}

// Must show: an idle timeout above the domain's maximum (480) is a 400 naming the field, before
// any write: no space is created, and an existing one is not updated. The model's own bounds
// (60–525600 minutes, 5–16384 GiB) are 400s too, naming the body's member.
func TestPutOfAnIdleTimeoutOutsideTheDomainsBoundsIsABadRequest(t *testing.T) {
	srv, h := newService(t)
	a := do(t, h, http.MethodPut, appPath, `{"idleTimeoutMinutes": 600}`)
	require.Equal(t, http.StatusBadRequest, a.status, a.body)
	assert.Equal(t, "InvalidInput", a.body["error"])
	problems := a.body["problems"].([]any)
	require.Len(t, problems, 1)
	p := problems[0].(map[string]any)
	assert.Equal(t, idleField, p["field"])
	assert.Equal(t, "idleTimeoutMinutes", p["member"])
	assert.Equal(t, "600", p["value"])
	assert.Contains(t, p["detail"], "at most 480")
	assert.Zero(t, calls(srv, "CreateSpace")+calls(srv, "UpdateSpace")+createCalls(srv), "nothing was written")

	require.Equal(t, http.StatusOK, do(t, h, http.MethodPut, appPath, `{"idleTimeoutMinutes": 480}`).status, "the maximum itself is allowed")
	a = do(t, h, http.MethodPut, appPath, `{"idleTimeoutMinutes": 481}`)
	assert.Equal(t, http.StatusBadRequest, a.status, a.body)
	assert.Zero(t, calls(srv, "UpdateSpace"))
	assert.Equal(t, int32(480), spaceIdle(aliceSpace(t, srv)))

	for body, member := range map[string]string{`{"idleTimeoutMinutes": 30}`: "idleTimeoutMinutes", `{"storageGiB": 4}`: "storageGiB", `{"storageGiB": 20000}`: "storageGiB"} {
		a := do(t, h, http.MethodPut, appPath, body)
		require.Equal(t, http.StatusBadRequest, a.status, body)
		assert.Equal(t, member, a.body["problems"].([]any)[0].(map[string]any)["member"], body)
	}
	assert.Zero(t, calls(srv, "UpdateSpace"))
}

// Must show: another instance type than the running app's is a 409 that names the field and says
// how to ask; nothing is stopped. With "replace": true the app is stopped and started again with
// the body's spec, under its ARN, in the same space.
func TestPutOfAnotherInstanceTypeRestartsTheAppOnlyWhenAsked(t *testing.T) {
	srv, h := newService(t)
	first := do(t, h, http.MethodPut, appPath, `{"instanceType": "ml.t3.medium", "storageGiB": 20}`)
	require.Equal(t, http.StatusOK, first.status, first.body)

	a := do(t, h, http.MethodPut, appPath, `{"instanceType": "ml.t3.large", "storageGiB": 20}`)
	assert.Equal(t, http.StatusConflict, a.status, a.body)
	assert.Equal(t, "AppConflict", a.body["error"])
	assert.Equal(t, []any{"ResourceSpec.InstanceType"}, a.body["fields"])
	assert.Equal(t, []any{"instanceType"}, a.body["members"])
	assert.Contains(t, a.body["message"], `"replace": true`)
	assert.Equal(t, "ml.t3.medium", a.body["app"].(map[string]any)["instanceType"], "the app as it runs")
	assert.Zero(t, calls(srv, "DeleteApp"), "nothing was stopped")
	assert.Equal(t, "ml.t3.medium", do(t, h, http.MethodGet, appPath, "").body["instanceType"])

	r := do(t, h, http.MethodPut, appPath, `{"instanceType": "ml.t3.large", "storageGiB": 20, "replace": true}`)
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.Equal(t, "ml.t3.large", r.body["instanceType"])
	assert.Equal(t, "InService", r.body["status"])
	assert.Equal(t, first.body["arn"], r.body["arn"], "the app keeps its ARN")
	assert.Equal(t, 1, calls(srv, "DeleteApp"))
	assert.Equal(t, 2, createCalls(srv))
	assert.Equal(t, 1, calls(srv, "CreateSpace"), "the space stays")
	assert.Zero(t, calls(srv, "DeleteSpace"))
	assert.Equal(t, int32(20), spaceSize(aliceSpace(t, srv)))

	again := do(t, h, http.MethodPut, appPath, `{"instanceType": "ml.t3.large", "storageGiB": 20, "replace": true}`)
	require.Equal(t, http.StatusOK, again.status, again.body)
	assert.Equal(t, 1, calls(srv, "DeleteApp"), "replace restarts only an app of another spec")
}

// A Studio Classic app runs on the user profile, which has no space: space members are a 400
// naming them, before any call. replace applies to it as to any app.
func TestSpaceMembersOfAStudioClassicAppAreABadRequest(t *testing.T) {
	srv, h := newService(t)
	a := do(t, h, http.MethodPut, "/users/alice/apps/KernelGateway/default", `{"storageGiB": 20, "remoteAccess": "ENABLED"}`)
	assert.Equal(t, http.StatusBadRequest, a.status, a.body)
	assert.Equal(t, "InvalidBody", a.body["error"])
	assert.Equal(t, []any{"storageGiB", "remoteAccess"}, a.body["members"])
	assert.Contains(t, a.body["message"], "runs on the user profile")
	assert.Empty(t, srv.Requests())

	const kg = "/users/alice/apps/KernelGateway/default"
	require.Equal(t, http.StatusOK, do(t, h, http.MethodPut, kg, `{"instanceType": "ml.t3.medium"}`).status)
	assert.Equal(t, http.StatusConflict, do(t, h, http.MethodPut, kg, `{"instanceType": "ml.m5.large"}`).status)
	r := do(t, h, http.MethodPut, kg, `{"instanceType": "ml.m5.large", "replace": true}`)
	require.Equal(t, http.StatusOK, r.status, r.body)
	assert.Equal(t, "ml.m5.large", r.body["instanceType"])
}
