package sagemakerfake_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

func TestLifecycleOnAdvancedClock(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(2*time.Minute), sagemakerfake.WithDeleteDelay(30*time.Second))
	in := userApp(types.AppTypeJupyterServer, "default", types.AppInstanceTypeSystem)
	start := f.srv.Now()
	if _, err := f.client.CreateApp(ctx(t), in); err != nil {
		t.Fatal(err)
	}
	d := mustStatus(t, f.client, in, types.AppStatusPending)
	if !d.CreationTime.Equal(start) || d.LastHealthCheckTimestamp != nil {
		t.Errorf("Pending app: CreationTime %v (want %v), LastHealthCheckTimestamp %v", d.CreationTime, start, d.LastHealthCheckTimestamp)
	}
	f.srv.Advance(2*time.Minute - time.Millisecond)
	mustStatus(t, f.client, in, types.AppStatusPending)
	f.srv.Advance(time.Millisecond)
	d = mustStatus(t, f.client, in, types.AppStatusInService)
	if want := start.Add(2 * time.Minute); d.LastHealthCheckTimestamp == nil || !d.LastHealthCheckTimestamp.Equal(want) {
		t.Errorf("LastHealthCheckTimestamp %v, want %v", d.LastHealthCheckTimestamp, want)
	}

	if _, err := f.client.DeleteApp(ctx(t), deleteInput(in)); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, f.client, in, types.AppStatusDeleting)
	_, err := f.client.DeleteApp(ctx(t), deleteInput(in))
	var inUse *types.ResourceInUse
	if !errors.As(err, &inUse) {
		t.Errorf("DeleteApp of a Deleting app: %v, want ResourceInUse", err)
	}
	if _, err := f.client.CreateApp(ctx(t), in); !errors.As(err, &inUse) {
		t.Errorf("CreateApp over a Deleting app: %v, want ResourceInUse", err)
	}
	f.srv.Advance(30 * time.Second)
	mustStatus(t, f.client, in, types.AppStatusDeleted)

	// Deleted apps stay visible for 24 hours, and then they are gone.
	f.srv.Advance(24*time.Hour - time.Second)
	mustStatus(t, f.client, in, types.AppStatusDeleted)
	if apps := f.srv.Apps(); len(apps) != 1 || apps[0].Status != types.AppStatusDeleted {
		t.Errorf("Apps() = %+v, want the one Deleted app", apps)
	}
	f.srv.Advance(time.Second)
	_, err = f.client.DescribeApp(ctx(t), describeInput(in))
	var nf *types.ResourceNotFound
	if !errors.As(err, &nf) {
		t.Errorf("DescribeApp 24h after deletion: %v, want ResourceNotFound", err)
	}
	if apps := f.srv.Apps(); len(apps) != 0 {
		t.Errorf("Apps() = %+v after expiry", apps)
	}
}

// TestLifecycleNameReuse: a name is free again once its app is Deleted. Within 24 hours, creating
// it again is a restart of the same app, which keeps its ARN and its CreationTime (facts §7.4, the
// cautious reading); once the record has expired, it is a new app with a new CreationTime.
func TestLifecycleNameReuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   func() *sagemaker.CreateAppInput
	}{
		{"JupyterLab in a space", func() *sagemaker.CreateAppInput {
			return spaceApp(types.AppTypeJupyterLab, testSpace, "default", types.AppInstanceTypeMlT3Medium)
		}},
		{"JupyterServer of a user profile", func() *sagemaker.CreateAppInput {
			return userApp(types.AppTypeJupyterServer, "default", types.AppInstanceTypeSystem)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, sagemakerfake.WithStartupDelay(time.Second))
			in := tc.in()
			first, err := f.client.CreateApp(ctx(t), in)
			if err != nil {
				t.Fatal(err)
			}
			stop := func() {
				t.Helper()
				f.srv.Advance(time.Second)
				if _, err := f.client.DeleteApp(ctx(t), deleteInput(in)); err != nil {
					t.Fatal(err)
				}
				f.srv.Advance(time.Hour)
			}
			stop()
			before := mustStatus(t, f.client, in, types.AppStatusDeleted)
			again, err := f.client.CreateApp(ctx(t), in)
			if err != nil {
				t.Fatalf("CreateApp over a Deleted app: %v", err)
			}
			after := mustStatus(t, f.client, in, types.AppStatusPending)
			if aws.ToString(again.AppArn) != aws.ToString(first.AppArn) || aws.ToString(after.AppArn) != aws.ToString(first.AppArn) {
				t.Errorf("restart: ARN %q, described %q; want the first %q", aws.ToString(again.AppArn), aws.ToString(after.AppArn), aws.ToString(first.AppArn))
			}
			if !after.CreationTime.Equal(*before.CreationTime) {
				t.Errorf("restart within 24 hours: CreationTime %v, want the first app's %v", after.CreationTime, before.CreationTime)
			}
			f.srv.Advance(time.Second)
			if d := mustStatus(t, f.client, in, types.AppStatusInService); d.LastHealthCheckTimestamp == nil || !d.LastHealthCheckTimestamp.Equal(f.srv.Now()) {
				t.Errorf("the restarted app started at %v, want %v (its own start, not the first one's)", d.LastHealthCheckTimestamp, f.srv.Now())
			}
			if n := len(f.srv.Apps()); n != 1 {
				t.Errorf("%d apps stored, want 1", n)
			}

			stop()
			f.srv.Advance(24 * time.Hour) // the Deleted record expires
			if _, err := f.client.CreateApp(ctx(t), in); err != nil {
				t.Fatal(err)
			}
			late := mustStatus(t, f.client, in, types.AppStatusPending)
			if !late.CreationTime.Equal(f.srv.Now()) || !late.CreationTime.After(*before.CreationTime) {
				t.Errorf("a create after 24 hours: CreationTime %v, want a new one, %v", late.CreationTime, f.srv.Now())
			}
		})
	}
}

func TestDeleteRefusals(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithFailureRule(func(a sagemakerfake.App) string {
		if a.AppName == "broken" {
			return "InternalFailure"
		}
		return ""
	}))
	pending := userApp(types.AppTypeJupyterServer, "starting", "")
	broken := userApp(types.AppTypeJupyterServer, "broken", "")
	for _, in := range []*sagemaker.CreateAppInput{pending, broken} {
		if _, err := f.client.CreateApp(ctx(t), in); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.client.DeleteApp(ctx(t), deleteInput(pending))
	var inUse *types.ResourceInUse
	if !errors.As(err, &inUse) {
		t.Errorf("DeleteApp of a Pending app: %v, want ResourceInUse", err)
	}
	f.srv.Advance(time.Minute)
	mustStatus(t, f.client, broken, types.AppStatusFailed)
	_, err = f.client.DeleteApp(ctx(t), deleteInput(broken))
	if errorCode(err) != "ValidationException" || !strings.Contains(errorMessage(err), "previously failed and was automatically deleted") {
		t.Errorf("DeleteApp of a Failed app: %v", err)
	}
	// A Failed app's name can be used again.
	if _, err := f.client.CreateApp(ctx(t), broken); err != nil {
		t.Errorf("CreateApp over a Failed app: %v", err)
	}
}

func TestFailureRules(t *testing.T) {
	var seen sagemakerfake.App
	f := newFixtureWith(t,
		&types.UserSettings{KernelGatewayAppSettings: &types.KernelGatewayAppSettings{
			CustomImages: []types.CustomImage{{ImageName: aws.String("domain-image"), AppImageConfigName: aws.String("cfg")}},
		}},
		&types.UserSettings{KernelGatewayAppSettings: &types.KernelGatewayAppSettings{
			CustomImages: []types.CustomImage{{ImageName: aws.String("profile-image"), AppImageConfigName: aws.String("cfg")}},
		}},
		sagemakerfake.WithFailureRule(func(a sagemakerfake.App) string {
			seen = a
			if a.ResourceSpec.InstanceType == types.AppInstanceTypeMlP4d24xlarge {
				return "InsufficientCapacity: no ml.p4d.24xlarge capacity"
			}
			return ""
		}))
	own := "arn:aws:sagemaker:us-east-1:123456789012:"
	for _, tc := range []struct {
		app, image, versionARN string
		instance               types.AppInstanceType
		wantReason             string
	}{
		{"sagemaker-image", imageARN, "", types.AppInstanceTypeMlT3Medium, ""},
		{"profile-image", own + "image/profile-image", "", types.AppInstanceTypeMlT3Medium, ""},
		{"domain-image", own + "image/domain-image", "", types.AppInstanceTypeMlT3Medium, ""},
		{"profile-image-version", "", own + "image-version/profile-image/2", types.AppInstanceTypeMlT3Medium, ""},
		{"unattached-image", own + "image/geospatial", "", types.AppInstanceTypeMlT3Medium,
			"Unable to launch App [arn:aws:sagemaker:us-east-1:123456789012:app/" + testDomain + "/alice/kernelgateway/unattached-image] with Image [geospatial] because it is not present in list of custom images in AppSettings. Please update AppSettings to add Image [geospatial] in list of custom images."},
		{"unattached-image-version", "", own + "image-version/geospatial/1", types.AppInstanceTypeMlT3Medium, "with Image [geospatial] because it is not present"},
		{"rule-of-the-test", "", "", types.AppInstanceTypeMlP4d24xlarge, "InsufficientCapacity: no ml.p4d.24xlarge capacity"},
	} {
		t.Run(tc.app, func(t *testing.T) {
			in := userApp(types.AppTypeKernelGateway, tc.app, tc.instance)
			if tc.image != "" {
				in.ResourceSpec.SageMakerImageArn = aws.String(tc.image)
			}
			if tc.versionARN != "" {
				in.ResourceSpec.SageMakerImageVersionArn = aws.String(tc.versionARN)
			}
			if _, err := f.client.CreateApp(ctx(t), in); err != nil {
				t.Fatal(err)
			}
			f.srv.Advance(time.Minute)
			want := types.AppStatusInService
			if tc.wantReason != "" {
				want = types.AppStatusFailed
			}
			d := mustStatus(t, f.client, in, want)
			if !strings.Contains(aws.ToString(d.FailureReason), tc.wantReason) || (tc.wantReason == "") != (d.FailureReason == nil) {
				t.Errorf("FailureReason %q, want %q", aws.ToString(d.FailureReason), tc.wantReason)
			}
		})
	}
	if seen.AppType != types.AppTypeKernelGateway || seen.Status != types.AppStatusPending || seen.UserProfileName != testUser || !strings.HasPrefix(seen.ARN, "arn:aws:sagemaker:") {
		t.Errorf("the rule saw %+v", seen)
	}
}

func TestQuota(t *testing.T) {
	f := newFixture(t,
		sagemakerfake.WithStartupDelay(0),
		sagemakerfake.WithQuota(types.AppTypeKernelGateway, types.AppInstanceTypeMlT3Medium, 2),
		sagemakerfake.WithQuota(types.AppTypeKernelGateway, types.AppInstanceTypeMlG548xlarge, 0))
	// system resolves to ml.t3.medium and counts against its quota.
	apps := []*sagemaker.CreateAppInput{
		userApp(types.AppTypeKernelGateway, "k1", types.AppInstanceTypeMlT3Medium),
		userApp(types.AppTypeKernelGateway, "k2", types.AppInstanceTypeSystem),
		userApp(types.AppTypeKernelGateway, "k3", types.AppInstanceTypeMlT3Medium),
	}
	for _, in := range apps[:2] {
		if _, err := f.client.CreateApp(ctx(t), in); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.client.CreateApp(ctx(t), apps[2])
	var rle *types.ResourceLimitExceeded
	if !errors.As(err, &rle) {
		t.Fatalf("third app: %v, want ResourceLimitExceeded", err)
	}
	want := "The account-level service limit 'Studio KernelGateway Apps running on ml.t3.medium instance' is 2 Apps, with current utilization of 2 Apps and a request delta of 1 Apps. " +
		"Please use AWS Service Quotas to request an increase for this quota. If AWS Service Quotas is not available, contact AWS support to request an increase for this quota."
	if aws.ToString(rle.Message) != want {
		t.Errorf("message %q\nwant %q", aws.ToString(rle.Message), want)
	}
	// Other app types and instance types are not limited by it.
	if _, err := f.client.CreateApp(ctx(t), spaceApp(types.AppTypeJupyterLab, testSpace, "lab", types.AppInstanceTypeMlT3Medium)); err != nil {
		t.Errorf("JupyterLab on ml.t3.medium: %v", err)
	}
	// A deleted app frees its place.
	if _, err := f.client.DeleteApp(ctx(t), deleteInput(apps[0])); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.CreateApp(ctx(t), apps[2]); err != nil {
		t.Errorf("after a delete: %v", err)
	}
	_, err = f.client.CreateApp(ctx(t), userApp(types.AppTypeKernelGateway, "big", types.AppInstanceTypeMlG548xlarge))
	if !errors.As(err, &rle) || !strings.Contains(aws.ToString(rle.Message), "is 0 Apps, with current utilization of 0 Apps") {
		t.Errorf("a quota of 0: %v", err)
	}
}

func TestDescribeAppEchoesRequest(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(0), sagemakerfake.WithRegion("eu-west-1"), sagemakerfake.WithAccount("210987654321"))
	in := userApp(types.AppTypeJupyterLab, "lab", types.AppInstanceTypeMlT3Large)
	in.UserProfileName, in.SpaceName = nil, aws.String(testSpace)
	in.RecoveryMode = aws.Bool(true)
	in.ResourceSpec.SageMakerImageArn = aws.String(imageARN)
	in.ResourceSpec.SageMakerImageVersionAlias = aws.String("3.0.1")
	out, err := f.client.CreateApp(ctx(t), in)
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:sagemaker:eu-west-1:210987654321:app/" + testDomain + "/team/jupyterlab/lab"; aws.ToString(out.AppArn) != want {
		t.Errorf("AppArn %q, want %q", aws.ToString(out.AppArn), want)
	}
	d := mustStatus(t, f.client, in, types.AppStatusInService)
	if aws.ToString(d.SpaceName) != testSpace || d.UserProfileName != nil || !aws.ToBool(d.RecoveryMode) ||
		aws.ToString(d.ResourceSpec.SageMakerImageArn) != imageARN || aws.ToString(d.ResourceSpec.SageMakerImageVersionAlias) != "3.0.1" ||
		d.ResourceSpec.InstanceType != types.AppInstanceTypeMlT3Large || d.FailureReason != nil {
		t.Errorf("DescribeApp = %+v, spec %+v", d, d.ResourceSpec)
	}
	apps := f.srv.Apps()
	if len(apps) != 1 || apps[0].ARN != aws.ToString(out.AppArn) || aws.ToString(apps[0].ResourceSpec.SageMakerImageVersionAlias) != "3.0.1" {
		t.Fatalf("Apps() = %+v", apps)
	}
	// Apps returns copies: changing one does not change the server.
	*apps[0].ResourceSpec.SageMakerImageArn = "changed"
	*apps[0].RecoveryMode = false
	if again := f.srv.Apps(); aws.ToString(again[0].ResourceSpec.SageMakerImageArn) != imageARN || !aws.ToBool(again[0].RecoveryMode) {
		t.Errorf("Apps() shares memory with the server: %+v", again[0])
	}
}
