package sagemakerfake_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// The rules of facts §7 added in round two (issues 22 and 23), through the Go SDK; the standalone
// server's tests drive the wire-visible ones with the AWS CLI and boto3 too.

func wantMessage(t *testing.T, err error, code, contains string) {
	t.Helper()
	wantCode(t, err, code)
	if msg := errorMessage(err); !strings.Contains(msg, contains) {
		t.Errorf("message %q, want it to contain %q", msg, contains)
	}
}

// TestClassicAppsOnlyInAStudioClassicDomain: JupyterServer and KernelGateway apps are refused in a
// domain that runs today's Studio, with the service's words and the app type, and created in one
// whose DefaultUserSettings.StudioWebPortal is DISABLED. The refusal is CreateApp's alone.
func TestClassicAppsOnlyInAStudioClassicDomain(t *testing.T) {
	srv := sagemakerfake.Start(t, sagemakerfake.WithStartupDelay(0))
	c := srv.Client()
	for id, settings := range map[string]*types.UserSettings{
		"d-default00001": {},
		"d-enabled00001": {StudioWebPortal: types.StudioWebPortalEnabled},
		"d-classic00001": {StudioWebPortal: types.StudioWebPortalDisabled},
	} {
		if _, err := srv.SeedDomain(id, &sagemaker.CreateDomainInput{DomainName: aws.String("d"), AuthMode: types.AuthModeIam, DefaultUserSettings: settings}); err != nil {
			t.Fatal(err)
		}
		if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(id), UserProfileName: aws.String(testUser)}); err != nil {
			t.Fatal(err)
		}
	}
	create := func(domainID string, appType types.AppType) error {
		in := &sagemaker.CreateAppInput{DomainId: aws.String(domainID), UserProfileName: aws.String(testUser), AppType: appType,
			AppName: aws.String("default"), ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeSystem}}
		_, err := c.CreateApp(ctx(t), in)
		return err
	}
	for _, domainID := range []string{"d-default00001", "d-enabled00001"} {
		for _, appType := range []types.AppType{types.AppTypeJupyterServer, types.AppTypeKernelGateway} {
			wantMessage(t, create(domainID, appType), "ValidationException",
				"Invalid request provided: Invalid AppType ["+string(appType)+"]. This AppType has been deprecated.")
		}
		// Describe and delete are not refused on that ground: there is simply no such app.
		_, err := c.DescribeApp(ctx(t), &sagemaker.DescribeAppInput{DomainId: aws.String(domainID), UserProfileName: aws.String(testUser),
			AppType: types.AppTypeKernelGateway, AppName: aws.String("default")})
		wantCode(t, err, "ResourceNotFound")
		_, err = c.DeleteApp(ctx(t), &sagemaker.DeleteAppInput{DomainId: aws.String(domainID), UserProfileName: aws.String(testUser),
			AppType: types.AppTypeJupyterServer, AppName: aws.String("default")})
		wantCode(t, err, "ResourceNotFound")
	}
	// A domain that does not exist is still ResourceNotFound.
	wantCode(t, create("d-nothere00001", types.AppTypeKernelGateway), "ResourceNotFound")
	for _, appType := range []types.AppType{types.AppTypeJupyterServer, types.AppTypeKernelGateway} {
		if err := create("d-classic00001", appType); err != nil {
			t.Errorf("%s in a Studio Classic domain: %v", appType, err)
		}
	}
	apps, err := c.ListApps(ctx(t), &sagemaker.ListAppsInput{DomainIdEquals: aws.String("d-classic00001")})
	if err != nil || len(apps.Apps) != 2 {
		t.Fatalf("ListApps: %+v, %v", apps, err)
	}
	for _, a := range apps.Apps {
		if _, err := c.DeleteApp(ctx(t), &sagemaker.DeleteAppInput{DomainId: a.DomainId, UserProfileName: a.UserProfileName, AppType: a.AppType, AppName: a.AppName}); err != nil {
			t.Errorf("DeleteApp %s: %v", a.AppType, err)
		}
	}
}

// TestUserProfileNamesAreNotCaseSensitive: "Alice" names the profile alice wherever a profile is
// looked up, every answer spells it as it was created, and the namespace it shares with spaces
// ignores case, with the service's full text.
func TestUserProfileNamesAreNotCaseSensitive(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(0))
	c := f.client
	d, err := c.DescribeUserProfile(ctx(t), &sagemaker.DescribeUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("Alice")})
	if err != nil || aws.ToString(d.UserProfileName) != testUser || !strings.HasSuffix(aws.ToString(d.UserProfileArn), "/"+testUser) || d.Status != types.UserProfileStatusInService {
		t.Fatalf("DescribeUserProfile Alice: %+v, %v", d, err)
	}
	_, err = c.CreateUserProfile(ctx(t), &sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("ALICE")})
	wantMessage(t, err, "ResourceInUse", "user-profile/"+testDomain+"/alice' already exists")
	_, err = c.CreateSpace(ctx(t), &sagemaker.CreateSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("Alice"),
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared}})
	wantMessage(t, err, "ResourceInUse", "User Profile already exists with the same name 'alice'. User Profile and Space name must be unique in a domain.")
	_, err = c.CreateUserProfile(ctx(t), &sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("TEAM")})
	wantMessage(t, err, "ResourceInUse", "Space already exists with the same name 'team'. User Profile and Space name must be unique in a domain.")

	// A space's owner, as the request spells it, is answered as the profile is named.
	space := privateSpaceInput("alice-lab")
	space.OwnershipSettings.OwnerUserProfileName = aws.String("Alice")
	if _, err := c.CreateSpace(ctx(t), space); err != nil {
		t.Fatal(err)
	}
	ds, err := c.DescribeSpace(ctx(t), &sagemaker.DescribeSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-lab")})
	if err != nil || aws.ToString(ds.OwnershipSettings.OwnerUserProfileName) != testUser {
		t.Errorf("DescribeSpace: owner %q, %v", aws.ToString(ds.OwnershipSettings.OwnerUserProfileName), err)
	}
	ls, err := c.ListSpaces(ctx(t), &sagemaker.ListSpacesInput{DomainIdEquals: aws.String(testDomain), SpaceNameContains: aws.String("alice-lab")})
	if err != nil || len(ls.Spaces) != 1 || aws.ToString(ls.Spaces[0].OwnershipSettingsSummary.OwnerUserProfileName) != testUser {
		t.Errorf("ListSpaces: %+v, %v", ls, err)
	}

	// An app of the profile, and a URL, in any case; DescribeApp, ListApps and DeleteApp too.
	app := &sagemaker.CreateAppInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("ALICE"), AppType: types.AppTypeKernelGateway,
		AppName: aws.String("kg"), ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}}
	out, err := c.CreateApp(ctx(t), app)
	if err != nil || !strings.Contains(aws.ToString(out.AppArn), "/alice/kernelgateway/kg") {
		t.Fatalf("CreateApp as ALICE: %v, %v", out, err)
	}
	da, err := c.DescribeApp(ctx(t), &sagemaker.DescribeAppInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("Alice"), AppType: types.AppTypeKernelGateway, AppName: aws.String("kg")})
	if err != nil || aws.ToString(da.UserProfileName) != testUser || aws.ToString(da.AppArn) != aws.ToString(out.AppArn) {
		t.Errorf("DescribeApp as Alice: %+v, %v", da, err)
	}
	la, err := c.ListApps(ctx(t), &sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), UserProfileNameEquals: aws.String("aLiCe")})
	if err != nil || len(la.Apps) != 1 || aws.ToString(la.Apps[0].UserProfileName) != testUser {
		t.Errorf("ListApps UserProfileNameEquals aLiCe: %+v, %v", la, err)
	}
	_, err = c.CreateApp(ctx(t), app)
	wantCode(t, err, "ResourceInUse")
	if _, err := c.CreatePresignedDomainUrl(ctx(t), &sagemaker.CreatePresignedDomainUrlInput{DomainId: aws.String(testDomain),
		UserProfileName: aws.String("Alice"), SpaceName: aws.String("alice-lab")}); err != nil {
		t.Errorf("CreatePresignedDomainUrl as Alice for alice's private space: %v", err)
	}
	if _, err := c.DeleteApp(ctx(t), &sagemaker.DeleteAppInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("Alice"), AppType: types.AppTypeKernelGateway, AppName: aws.String("kg")}); err != nil {
		t.Errorf("DeleteApp as Alice: %v", err)
	}
	// Deleting "ALICE" is refused while alice owns a space, and then deletes alice.
	_, err = c.DeleteUserProfile(ctx(t), &sagemaker.DeleteUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("ALICE")})
	wantMessage(t, err, "ResourceInUse", "because Space(s) are associated with it.")
	if _, err := c.DeleteSpace(ctx(t), &sagemaker.DeleteSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-lab")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUserProfile(ctx(t), &sagemaker.DeleteUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("ALICE")}); err != nil {
		t.Errorf("DeleteUserProfile ALICE: %v", err)
	}
	_, err = c.DescribeUserProfile(ctx(t), &sagemaker.DescribeUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser)})
	wantCode(t, err, "ResourceNotFound")
}

// TestCreatedUserProfileIsPendingFirst: CreateUserProfile makes a profile Pending for the startup
// delay, and CreateSpace with it as the owner is refused with the service's text until it is
// InService. A seeded profile is InService at once.
func TestCreatedUserProfileIsPendingFirst(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Minute))
	c := f.client
	out, err := c.CreateUserProfile(ctx(t), &sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("Bob")})
	if err != nil {
		t.Fatal(err)
	}
	status := func() types.UserProfileStatus {
		t.Helper()
		d, err := c.DescribeUserProfile(ctx(t), &sagemaker.DescribeUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.UserProfileName) != "Bob" {
			t.Errorf("UserProfileName %q, want the spelling it was created with, Bob", aws.ToString(d.UserProfileName))
		}
		return d.Status
	}
	if st := status(); st != types.UserProfileStatusPending {
		t.Errorf("a new profile is %s, want Pending", st)
	}
	space := privateSpaceInput("bob-lab")
	space.OwnershipSettings.OwnerUserProfileName = aws.String("bob")
	_, err = c.CreateSpace(ctx(t), space)
	wantMessage(t, err, "ResourceInUse", "Unable to create Space [arn:aws:sagemaker:us-east-1:123456789012:space/"+testDomain+"/bob-lab] because UserProfile ["+aws.ToString(out.UserProfileArn)+"] is not in InService")
	f.srv.Advance(time.Minute)
	if st := status(); st != types.UserProfileStatusInService {
		t.Errorf("after the startup delay the profile is %s, want InService", st)
	}
	if _, err := c.CreateSpace(ctx(t), space); err != nil {
		t.Errorf("CreateSpace once the owner is InService: %v", err)
	}
	d, err := c.DescribeUserProfile(ctx(t), &sagemaker.DescribeUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser)})
	if err != nil || d.Status != types.UserProfileStatusInService {
		t.Errorf("the seeded profile: %+v, %v", d, err)
	}
}

// TestCreateAppNeedsTheSpaceInService: in a space that is Pending (just created) or Updating
// (after UpdateSpace), CreateApp is ResourceInUse "... because storage is not in Available status".
func TestCreateAppNeedsTheSpaceInService(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Minute))
	c := f.client
	if _, err := c.CreateSpace(ctx(t), privateSpaceInput("alice-lab")); err != nil {
		t.Fatal(err)
	}
	in := spaceApp(types.AppTypeJupyterLab, "alice-lab", "default", types.AppInstanceTypeMlT3Medium)
	_, err := c.CreateApp(ctx(t), in)
	wantMessage(t, err, "ResourceInUse", "Unable to create app [arn:aws:sagemaker:us-east-1:123456789012:app/"+testDomain+"/alice-lab/jupyterlab/default] because storage is not in Available status")
	f.srv.Advance(time.Minute)
	if _, err := c.UpdateSpace(ctx(t), &sagemaker.UpdateSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-lab"),
		SpaceSettings: &types.SpaceSettings{JupyterLabAppSettings: &types.SpaceJupyterLabAppSettings{DefaultResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Large}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateApp(ctx(t), in)
	wantMessage(t, err, "ResourceInUse", "because storage is not in Available status")
	f.srv.Advance(time.Minute)
	if _, err := c.CreateApp(ctx(t), in); err != nil {
		t.Errorf("CreateApp once the space is InService again: %v", err)
	}
}

// TestDeleteUserProfileWhileItOwnsOrRuns: DeleteUserProfile is ResourceInUse, in the service's
// words, while the profile has an app that is not Deleted or Failed, or owns a space; a shared
// space it does not own does not block it.
func TestDeleteUserProfileWhileItOwnsOrRuns(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(0), sagemakerfake.WithDeleteDelay(time.Minute))
	c := f.client
	del := &sagemaker.DeleteUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser)}
	arn := "arn:aws:sagemaker:us-east-1:123456789012:user-profile/" + testDomain + "/" + testUser
	seedSpace(t, f.srv, "alice-lab", testUser, types.AppTypeJupyterLab)
	_, err := c.DeleteUserProfile(ctx(t), del)
	wantMessage(t, err, "ResourceInUse", "Unable to delete UserProfile ["+arn+"] because Space(s) are associated with it.")
	if _, err := c.DeleteSpace(ctx(t), &sagemaker.DeleteSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-lab")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteUserProfile(ctx(t), del)
	wantMessage(t, err, "ResourceInUse", "because Space(s) are associated with it.") // Deleting still counts
	f.srv.Advance(time.Minute)

	app := userApp(types.AppTypeKernelGateway, "kg", types.AppInstanceTypeMlT3Medium)
	if _, err := c.CreateApp(ctx(t), app); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteUserProfile(ctx(t), del)
	wantMessage(t, err, "ResourceInUse", "Unable to delete UserProfile ["+arn+"] because App(s) are associated with it.")
	if _, err := c.DeleteApp(ctx(t), deleteInput(app)); err != nil {
		t.Fatal(err)
	}
	f.srv.Advance(time.Minute)
	// The fixture's shared space has no owner, and does not block it.
	if _, err := c.DeleteUserProfile(ctx(t), del); err != nil {
		t.Errorf("DeleteUserProfile once its space is gone and its app Deleted: %v", err)
	}
}

// TestCapacityShortageFailsTheAppLater: with InsufficientCapacity, CreateApp succeeds and the app
// goes Failed after the startup delay with an EC2InsufficientCapacityError reason; the service
// deleted it, so DeleteApp answers its ValidationException; a Failed app does not block
// DeleteSpace; ListApps shows it as Failed for 24 hours.
func TestCapacityShortageFailsTheAppLater(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Minute),
		sagemakerfake.WithFailureRule(sagemakerfake.InsufficientCapacity(types.AppInstanceTypeMlG512xlarge)))
	c := f.client
	seedSpace(t, f.srv, "alice-gpu", testUser, types.AppTypeJupyterLab)
	in := spaceApp(types.AppTypeJupyterLab, "alice-gpu", "default", types.AppInstanceTypeMlG512xlarge)
	if _, err := c.CreateApp(ctx(t), in); err != nil {
		t.Fatalf("CreateApp short of capacity must succeed: %v", err)
	}
	small := spaceApp(types.AppTypeJupyterLab, testSpace, "default", types.AppInstanceTypeMlT3Medium)
	if _, err := c.CreateApp(ctx(t), small); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, c, in, types.AppStatusPending)
	f.srv.Advance(time.Minute)
	d := mustStatus(t, c, in, types.AppStatusFailed)
	if r := aws.ToString(d.FailureReason); !strings.HasPrefix(r, "EC2InsufficientCapacityError: Instance type 'ml.g5.12xlarge' is temporarily unavailable") {
		t.Errorf("FailureReason %q", r)
	}
	mustStatus(t, c, small, types.AppStatusInService) // another instance type starts
	_, err := c.DeleteApp(ctx(t), deleteInput(in))
	wantMessage(t, err, "ValidationException", "App [default] previously failed and was automatically deleted. For tracking purposes, apps are available in the ListApps API results for only 24 hours after failure.")
	if _, err := c.DeleteSpace(ctx(t), &sagemaker.DeleteSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-gpu")}); err != nil {
		t.Errorf("DeleteSpace of a space whose app Failed: %v", err)
	}
	listed := func() []types.AppDetails {
		t.Helper()
		out, err := c.ListApps(ctx(t), &sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), SpaceNameEquals: aws.String("alice-gpu")})
		if err != nil {
			t.Fatal(err)
		}
		return out.Apps
	}
	if apps := listed(); len(apps) != 1 || apps[0].Status != types.AppStatusFailed {
		t.Errorf("ListApps after the failure: %+v", apps)
	}
	f.srv.Advance(24*time.Hour - time.Second)
	if apps := listed(); len(apps) != 1 {
		t.Errorf("ListApps just before 24 hours: %+v", apps)
	}
	f.srv.Advance(time.Second)
	if apps := listed(); len(apps) != 0 {
		t.Errorf("ListApps 24 hours after the failure: %+v", apps)
	}
}

func updateSpace(spaceName string, settings *types.SpaceSettings) *sagemaker.UpdateSpaceInput {
	return &sagemaker.UpdateSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String(spaceName), SpaceSettings: settings}
}

func ebs(gb int32) *types.SpaceStorageSettings {
	return &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(gb)}}
}

// TestUpdateSpace: UpdateSpace merges SpaceSettings into the space's, makes it Updating for the
// startup delay and then InService; the app type cannot change, storage only grows, and a second
// size change within 6 hours is refused; a space that is not InService cannot be updated.
func TestUpdateSpace(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Minute))
	c := f.client
	seedSpace(t, f.srv, "alice-lab", testUser, types.AppTypeJupyterLab) // no size: the default, 5 GB
	describe := func() *sagemaker.DescribeSpaceOutput {
		t.Helper()
		d, err := c.DescribeSpace(ctx(t), &sagemaker.DescribeSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-lab")})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	created := describe().LastModifiedTime
	f.srv.Advance(time.Second)
	updatedAt := f.srv.Now()
	if _, err := c.UpdateSpace(ctx(t), updateSpace("alice-lab", &types.SpaceSettings{SpaceStorageSettings: ebs(20), RemoteAccess: types.FeatureStatusEnabled})); err != nil {
		t.Fatal(err)
	}
	d := describe()
	if d.Status != types.SpaceStatusUpdating || !d.LastModifiedTime.Equal(updatedAt) || d.LastModifiedTime.Equal(*created) {
		t.Errorf("after UpdateSpace: status %s, LastModifiedTime %v", d.Status, d.LastModifiedTime)
	}
	if d.SpaceSettings.AppType != types.AppTypeJupyterLab || d.SpaceSettings.RemoteAccess != types.FeatureStatusEnabled ||
		aws.ToInt32(d.SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb) != 20 {
		t.Errorf("SpaceSettings after UpdateSpace: %+v", d.SpaceSettings)
	}
	_, err := c.UpdateSpace(ctx(t), updateSpace("alice-lab", &types.SpaceSettings{RemoteAccess: types.FeatureStatusDisabled}))
	wantMessage(t, err, "ResourceInUse", "because it is in Updating status")
	f.srv.Advance(time.Minute)
	if st := describe().Status; st != types.SpaceStatusInService {
		t.Fatalf("a minute after UpdateSpace the space is %s", st)
	}

	_, err = c.UpdateSpace(ctx(t), updateSpace("alice-lab", &types.SpaceSettings{AppType: types.AppTypeCodeEditor}))
	wantMessage(t, err, "ValidationException", "You can't edit the app type of a space")
	_, err = c.UpdateSpace(ctx(t), updateSpace("alice-lab", &types.SpaceSettings{SpaceStorageSettings: ebs(10)}))
	wantMessage(t, err, "ValidationException", "smaller than the current size of space 'alice-lab', 20 GB")
	_, err = c.UpdateSpace(ctx(t), updateSpace("alice-lab", &types.SpaceSettings{SpaceStorageSettings: ebs(30)}))
	wantMessage(t, err, "ValidationException", "VolumeModificationRateExceeded")
	// The same size, the same app type and a display name change nothing of the volume.
	if _, err := c.UpdateSpace(ctx(t), &sagemaker.UpdateSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-lab"),
		SpaceDisplayName: aws.String("Alice's lab"), SpaceSettings: &types.SpaceSettings{AppType: types.AppTypeJupyterLab, SpaceStorageSettings: ebs(20)}}); err != nil {
		t.Errorf("UpdateSpace without a size change: %v", err)
	}
	f.srv.Advance(6*time.Hour - time.Minute)
	if d := describe(); aws.ToString(d.SpaceDisplayName) != "Alice's lab" || d.SpaceSettings.RemoteAccess != types.FeatureStatusEnabled {
		t.Errorf("after the display name change: %+v", d)
	}
	if _, err := c.UpdateSpace(ctx(t), updateSpace("alice-lab", &types.SpaceSettings{SpaceStorageSettings: ebs(30)})); err != nil {
		t.Errorf("a second size change 6 hours after the first: %v", err)
	}

	_, err = c.UpdateSpace(ctx(t), updateSpace("nothere", &types.SpaceSettings{}))
	wantCode(t, err, "ResourceNotFound")
	if _, err := c.CreateSpace(ctx(t), privateSpaceInput("alice-new")); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateSpace(ctx(t), updateSpace("alice-new", &types.SpaceSettings{SpaceStorageSettings: ebs(40)}))
	wantMessage(t, err, "ResourceInUse", "because it is in Pending status")
	// The model has no member for the owner, the sharing or anything else of CreateSpace's.
	f.srv.Advance(time.Minute)
	status, _, body := post(t, f.srv.URL(), "POST", "SageMaker.UpdateSpace",
		[]byte(`{"DomainId":"`+testDomain+`","SpaceName":"alice-lab","OwnershipSettings":{"OwnerUserProfileName":"bob"},"SpaceSharingSettings":{"SharingType":"Shared"}}`))
	if status != 200 {
		t.Fatalf("UpdateSpace with members it does not have: %d %v", status, body)
	}
	f.srv.Advance(time.Minute)
	if d := describe(); aws.ToString(d.OwnershipSettings.OwnerUserProfileName) != testUser || d.SpaceSharingSettings.SharingType != types.SharingTypePrivate {
		t.Errorf("UpdateSpace changed the owner or the sharing: %+v %+v", d.OwnershipSettings, d.SpaceSharingSettings)
	}
}

func idleBounds(lo, hi int32) *types.AppLifecycleManagement {
	idle := &types.IdleSettings{LifecycleManagement: types.LifecycleManagementEnabled}
	if lo > 0 {
		idle.MinIdleTimeoutInMinutes = aws.Int32(lo)
	}
	if hi > 0 {
		idle.MaxIdleTimeoutInMinutes = aws.Int32(hi)
	}
	return &types.AppLifecycleManagement{IdleSettings: idle}
}

func spaceIdle(minutes int32) *types.SpaceAppLifecycleManagement {
	return &types.SpaceAppLifecycleManagement{IdleSettings: &types.SpaceIdleSettings{IdleTimeoutInMinutes: aws.Int32(minutes)}}
}

// TestIdleTimeoutWithinTheLevels: a space's idle timeout must lie within the min and max of the
// levels above it (facts §7.6 and the §2.4 levels), on CreateSpace and on UpdateSpace: for a
// private space the owner's UserSettings before the domain's DefaultUserSettings, for a shared one
// the domain's DefaultSpaceSettings (JupyterLab only) before its DefaultUserSettings.
func TestIdleTimeoutWithinTheLevels(t *testing.T) {
	f := newFixtureWith(t,
		&types.UserSettings{
			JupyterLabAppSettings: &types.JupyterLabAppSettings{AppLifecycleManagement: idleBounds(60, 240)},
			CodeEditorAppSettings: &types.CodeEditorAppSettings{AppLifecycleManagement: idleBounds(120, 480)},
		},
		&types.UserSettings{JupyterLabAppSettings: &types.JupyterLabAppSettings{AppLifecycleManagement: idleBounds(0, 600)}},
		sagemakerfake.WithStartupDelay(0))
	if _, err := f.srv.SeedDomain("d-shared000001", &sagemaker.CreateDomainInput{DomainName: aws.String("s"), AuthMode: types.AuthModeIam,
		DefaultUserSettings:  &types.UserSettings{JupyterLabAppSettings: &types.JupyterLabAppSettings{AppLifecycleManagement: idleBounds(60, 240)}},
		DefaultSpaceSettings: &types.DefaultSpaceSettings{JupyterLabAppSettings: &types.JupyterLabAppSettings{AppLifecycleManagement: idleBounds(90, 0)}},
	}); err != nil {
		t.Fatal(err)
	}
	c := f.client
	lab := func(domainID, name string, private bool, minutes int32) error {
		in := &sagemaker.CreateSpaceInput{DomainId: aws.String(domainID), SpaceName: aws.String(name),
			SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared},
			SpaceSettings: &types.SpaceSettings{AppType: types.AppTypeJupyterLab,
				JupyterLabAppSettings: &types.SpaceJupyterLabAppSettings{AppLifecycleManagement: spaceIdle(minutes)}}}
		if private {
			in.SpaceSharingSettings.SharingType = types.SharingTypePrivate
			in.OwnershipSettings = &types.OwnershipSettings{OwnerUserProfileName: aws.String(testUser)}
		}
		_, err := c.CreateSpace(ctx(t), in)
		return err
	}
	const field = "SpaceSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes"
	// Private: the owner's max (600) comes before the domain's (240); the min is the domain's (60).
	if err := lab(testDomain, "p1", true, 500); err != nil {
		t.Errorf("500 minutes under the owner's max of 600: %v", err)
	}
	wantMessage(t, lab(testDomain, "p2", true, 700), "ValidationException",
		field+" 700 is above the maximum of 600 minutes that the owner's UserSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.MaxIdleTimeoutInMinutes sets.")
	// Shared in the fixture's domain: no DefaultSpaceSettings, so the domain's DefaultUserSettings.
	wantMessage(t, lab(testDomain, "s1", false, 300), "ValidationException", "above the maximum of 240 minutes that the domain's DefaultUserSettings")
	if err := lab(testDomain, "s2", false, 240); err != nil {
		t.Errorf("240 minutes, the domain's max: %v", err)
	}
	// Shared in the other domain: DefaultSpaceSettings' min (90) first, then DefaultUserSettings' max.
	wantMessage(t, lab("d-shared000001", "s3", false, 60), "ValidationException", "below the minimum of 90 minutes that the domain's DefaultSpaceSettings")
	wantMessage(t, lab("d-shared000001", "s4", false, 241), "ValidationException", "above the maximum of 240 minutes that the domain's DefaultUserSettings")
	// CodeEditor is bounded by the CodeEditor settings; DefaultSpaceSettings has none.
	_, err := c.CreateSpace(ctx(t), &sagemaker.CreateSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("code"),
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared},
		SpaceSettings: &types.SpaceSettings{AppType: types.AppTypeCodeEditor,
			CodeEditorAppSettings: &types.SpaceCodeEditorAppSettings{AppLifecycleManagement: spaceIdle(100)}}})
	wantMessage(t, err, "ValidationException", "SpaceSettings.CodeEditorAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes 100 is below the minimum of 120")
	// UpdateSpace is checked the same way.
	_, err = c.UpdateSpace(ctx(t), updateSpace("s2", &types.SpaceSettings{JupyterLabAppSettings: &types.SpaceJupyterLabAppSettings{AppLifecycleManagement: spaceIdle(241)}}))
	wantMessage(t, err, "ValidationException", field+" 241 is above the maximum of 240")
	if _, err := c.UpdateSpace(ctx(t), updateSpace("s2", &types.SpaceSettings{JupyterLabAppSettings: &types.SpaceJupyterLabAppSettings{AppLifecycleManagement: spaceIdle(120)}})); err != nil {
		t.Errorf("UpdateSpace to 120 minutes: %v", err)
	}
}

// TestListUserProfiles pages like ListSpaces, filters by a part of the name in any case, and
// reports each profile's status and the name it was created with.
func TestListUserProfiles(t *testing.T) {
	f := newFixture(t, sagemakerfake.WithStartupDelay(time.Minute))
	c := f.client
	for _, name := range []string{"Bob", "carol", "dave"} {
		f.srv.Advance(time.Second)
		if _, err := c.CreateUserProfile(ctx(t), &sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	p := sagemaker.NewListUserProfilesPaginator(c, &sagemaker.ListUserProfilesInput{DomainIdEquals: aws.String(testDomain), MaxResults: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range out.UserProfiles {
			names = append(names, aws.ToString(u.UserProfileName)+"/"+string(u.Status))
		}
	}
	if got := strings.Join(names, ","); pages != 2 || got != "alice/InService,Bob/Pending,carol/Pending,dave/Pending" {
		t.Errorf("%d pages: %s", pages, got)
	}
	out, err := c.ListUserProfiles(ctx(t), &sagemaker.ListUserProfilesInput{UserProfileNameContains: aws.String("BO"), SortOrder: types.SortOrderDescending})
	if err != nil || len(out.UserProfiles) != 1 || aws.ToString(out.UserProfiles[0].UserProfileName) != "Bob" {
		t.Errorf("ListUserProfiles containing BO: %+v, %v", out, err)
	}
	_, err = c.ListUserProfiles(ctx(t), &sagemaker.ListUserProfilesInput{NextToken: aws.String("bogus")})
	wantCode(t, err, "ValidationException")
}
