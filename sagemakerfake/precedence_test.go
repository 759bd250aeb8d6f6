package sagemakerfake_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

func resourceSpec(it types.AppInstanceType) *types.ResourceSpec {
	return &types.ResourceSpec{InstanceType: it}
}

func kgSettings(it types.AppInstanceType) *types.KernelGatewayAppSettings {
	return &types.KernelGatewayAppSettings{DefaultResourceSpec: resourceSpec(it)}
}

// The four levels below the request's own ResourceSpec, each with its own instance type so that
// the winner shows in DescribeApp.
const (
	levelSpace        = 1 << iota // the space's SpaceSettings
	levelSpaceDefault             // the domain's DefaultSpaceSettings
	levelOwner                    // the owning user profile's UserSettings
	levelDomainUser               // the domain's DefaultUserSettings
)

var levelInstanceType = map[int]types.AppInstanceType{
	levelSpace:        types.AppInstanceTypeMlC5Large,
	levelSpaceDefault: types.AppInstanceTypeMlM5Large,
	levelOwner:        types.AppInstanceTypeMlR5Large,
	levelDomainUser:   types.AppInstanceTypeMlT3Large,
}

// TestPrecedenceMatrix runs the 32 combinations of facts §2.4 through the SDK: a shared or a
// private space, times every subset of the four levels that may set a KernelGateway instance type.
// A shared space takes SpaceSettings, then the domain's DefaultSpaceSettings, then its
// DefaultUserSettings; a private one SpaceSettings, then its owner's UserSettings, then the
// domain's DefaultUserSettings. Both spaces have an owner with settings, so the test also shows
// that the owner's settings never reach a shared space and DefaultSpaceSettings never a private
// one. The first level that sets an instance type wins; with none, CreateApp is a
// ValidationException. The request's own ResourceSpec wins over every level.
func TestPrecedenceMatrix(t *testing.T) {
	srv := sagemakerfake.Start(t, sagemakerfake.WithStartupDelay(0))
	client := srv.Client()
	for _, sharing := range []types.SharingType{types.SharingTypeShared, types.SharingTypePrivate} {
		order := []int{levelSpace, levelSpaceDefault, levelDomainUser}
		if sharing == types.SharingTypePrivate {
			order = []int{levelSpace, levelOwner, levelDomainUser}
		}
		for set := 0; set < 16; set++ {
			var want types.AppInstanceType
			for _, l := range order {
				if set&l != 0 {
					want = levelInstanceType[l]
					break
				}
			}
			t.Run(fmt.Sprintf("%s/levels=%04b", sharing, set), func(t *testing.T) {
				domainID, space := seedMatrixCase(t, srv, sharing, set)
				in := &sagemaker.CreateAppInput{DomainId: aws.String(domainID), SpaceName: aws.String(space),
					AppType: types.AppTypeKernelGateway, AppName: aws.String("default")}
				_, err := client.CreateApp(ctx(t), in)
				if want == "" {
					wantCode(t, err, "ValidationException")
					if !strings.Contains(errorMessage(err), "No InstanceType was found for KernelGateway app 'default'") {
						t.Errorf("message %q", errorMessage(err))
					}
				} else {
					if err != nil {
						t.Fatalf("CreateApp: %v, want it to resolve %s", err, want)
					}
					if got := describedInstanceType(t, client, in); got != want {
						t.Errorf("DescribeApp reports %s, want %s", got, want)
					}
				}

				// The request's own ResourceSpec wins over every level.
				own := *in
				own.AppName = aws.String("own")
				own.ResourceSpec = resourceSpec(types.AppInstanceTypeMlG5Xlarge)
				if _, err := client.CreateApp(ctx(t), &own); err != nil {
					t.Fatalf("CreateApp with its own instance type: %v", err)
				}
				if got := describedInstanceType(t, client, &own); got != types.AppInstanceTypeMlG5Xlarge {
					t.Errorf("with the request's own ResourceSpec DescribeApp reports %s, want ml.g5.xlarge", got)
				}
			})
		}
	}
}

// seedMatrixCase seeds a domain with a user profile and a space it owns, setting the levels in set
// through the seeding API and the SDK's input types, and returns the domain ID and the space name.
func seedMatrixCase(t *testing.T, srv *sagemakerfake.Server, sharing types.SharingType, set int) (string, string) {
	t.Helper()
	domain := &sagemaker.CreateDomainInput{DomainName: aws.String("matrix"), AuthMode: types.AuthModeIam, DefaultUserSettings: classic(nil)}
	if set&levelDomainUser != 0 {
		domain.DefaultUserSettings.KernelGatewayAppSettings = kgSettings(levelInstanceType[levelDomainUser])
	}
	if set&levelSpaceDefault != 0 {
		domain.DefaultSpaceSettings = &types.DefaultSpaceSettings{KernelGatewayAppSettings: kgSettings(levelInstanceType[levelSpaceDefault])}
	}
	domainID, err := srv.SeedDomain("", domain)
	if err != nil {
		t.Fatalf("SeedDomain: %v", err)
	}
	profile := &sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("owner")}
	if set&levelOwner != 0 {
		profile.UserSettings = &types.UserSettings{KernelGatewayAppSettings: kgSettings(levelInstanceType[levelOwner])}
	}
	if err := srv.SeedUserProfile(profile); err != nil {
		t.Fatalf("SeedUserProfile: %v", err)
	}
	space := &sagemaker.CreateSpaceInput{
		DomainId:             aws.String(domainID),
		SpaceName:            aws.String("space"),
		OwnershipSettings:    &types.OwnershipSettings{OwnerUserProfileName: aws.String("owner")},
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: sharing},
	}
	if set&levelSpace != 0 {
		space.SpaceSettings = &types.SpaceSettings{KernelGatewayAppSettings: kgSettings(levelInstanceType[levelSpace])}
	}
	if err := srv.SeedSpace(space); err != nil {
		t.Fatalf("SeedSpace: %v", err)
	}
	return domainID, "space"
}

func describedInstanceType(t *testing.T, c *sagemaker.Client, in *sagemaker.CreateAppInput) types.AppInstanceType {
	t.Helper()
	d, err := c.DescribeApp(ctx(t), describeInput(in))
	if err != nil {
		t.Fatalf("DescribeApp: %v", err)
	}
	if d.ResourceSpec == nil {
		return ""
	}
	return d.ResourceSpec.InstanceType
}

// TestPrecedencePerAppType applies the same levels to each app type's own member of the settings
// (facts §2.3), and the service's translations: system on KernelGateway is ml.t3.medium, and a
// JupyterServer app always runs on system.
func TestPrecedencePerAppType(t *testing.T) {
	lab := func(it types.AppInstanceType) *types.JupyterLabAppSettings {
		return &types.JupyterLabAppSettings{DefaultResourceSpec: resourceSpec(it)}
	}
	code := func(it types.AppInstanceType) *types.CodeEditorAppSettings {
		return &types.CodeEditorAppSettings{DefaultResourceSpec: resourceSpec(it)}
	}
	for _, tc := range []struct {
		name          string
		domainUser    *types.UserSettings
		domainSpace   *types.DefaultSpaceSettings
		profile       *types.UserSettings
		spaceSettings *types.SpaceSettings
		sharing       types.SharingType // "" for an app of the user profile
		appType       types.AppType
		given         types.AppInstanceType
		want          types.AppInstanceType
		wantErr       string
	}{
		{name: "the app's own", domainUser: &types.UserSettings{KernelGatewayAppSettings: kgSettings("ml.m5.large")}, profile: &types.UserSettings{KernelGatewayAppSettings: kgSettings("ml.c5.large")},
			appType: types.AppTypeKernelGateway, given: "ml.r5.large", want: "ml.r5.large"},
		{name: "profile over domain", domainUser: &types.UserSettings{KernelGatewayAppSettings: kgSettings("ml.m5.large")}, profile: &types.UserSettings{KernelGatewayAppSettings: kgSettings("ml.c5.large")},
			appType: types.AppTypeKernelGateway, want: "ml.c5.large"},
		{name: "domain when the profile has none", domainUser: &types.UserSettings{KernelGatewayAppSettings: kgSettings("ml.m5.large")}, profile: &types.UserSettings{},
			appType: types.AppTypeKernelGateway, want: "ml.m5.large"},
		{name: "the domain's space defaults do not reach a user's app", domainSpace: &types.DefaultSpaceSettings{KernelGatewayAppSettings: kgSettings("ml.m5.large")},
			appType: types.AppTypeKernelGateway, wantErr: "it is not set in the request's ResourceSpec, nor in the user profile's UserSettings.KernelGatewayAppSettings.DefaultResourceSpec, nor in the domain's DefaultUserSettings.KernelGatewayAppSettings.DefaultResourceSpec."},
		{name: "system is ml.t3.medium for KernelGateway", appType: types.AppTypeKernelGateway, given: "system", want: "ml.t3.medium"},
		{name: "system default is ml.t3.medium", domainUser: &types.UserSettings{KernelGatewayAppSettings: kgSettings("system")}, appType: types.AppTypeKernelGateway, want: "ml.t3.medium"},
		{name: "another app type's default does not count", domainUser: &types.UserSettings{JupyterLabAppSettings: lab("ml.m5.large")},
			appType: types.AppTypeKernelGateway, wantErr: "No InstanceType was found for KernelGateway app 'app'"},
		{name: "JupyterLab in a private space from the domain", sharing: types.SharingTypePrivate, domainUser: &types.UserSettings{JupyterLabAppSettings: lab("ml.m5.xlarge")},
			appType: types.AppTypeJupyterLab, want: "ml.m5.xlarge"},
		{name: "JupyterLab without an instance type at any level is allowed", sharing: types.SharingTypeShared, appType: types.AppTypeJupyterLab, want: ""},
		{name: "JupyterServer without a spec runs on system", appType: types.AppTypeJupyterServer, want: "system"},
		{name: "JupyterServer with a default spec without an instance type runs on system",
			domainUser: &types.UserSettings{JupyterServerAppSettings: &types.JupyterServerAppSettings{DefaultResourceSpec: &types.ResourceSpec{SageMakerImageArn: aws.String(imageARN)}}},
			appType:    types.AppTypeJupyterServer, want: "system"},
		{name: "JupyterLab in a shared space from SpaceJupyterLabAppSettings", sharing: types.SharingTypeShared,
			domainSpace:   &types.DefaultSpaceSettings{JupyterLabAppSettings: lab("ml.m5.large")},
			spaceSettings: &types.SpaceSettings{JupyterLabAppSettings: &types.SpaceJupyterLabAppSettings{DefaultResourceSpec: resourceSpec("ml.c5.xlarge")}},
			appType:       types.AppTypeJupyterLab, want: "ml.c5.xlarge"},
		{name: "JupyterLab in a shared space from DefaultSpaceSettings", sharing: types.SharingTypeShared,
			domainSpace: &types.DefaultSpaceSettings{JupyterLabAppSettings: lab("ml.m5.large")}, domainUser: &types.UserSettings{JupyterLabAppSettings: lab("ml.g5.xlarge")},
			appType: types.AppTypeJupyterLab, want: "ml.m5.large"},
		{name: "CodeEditor in a shared space skips DefaultSpaceSettings, which has no CodeEditor member", sharing: types.SharingTypeShared,
			domainSpace: &types.DefaultSpaceSettings{KernelGatewayAppSettings: kgSettings("ml.m5.large")}, domainUser: &types.UserSettings{CodeEditorAppSettings: code("ml.g5.xlarge")},
			appType: types.AppTypeCodeEditor, want: "ml.g5.xlarge"},
		{name: "CodeEditor in a private space from its owner", sharing: types.SharingTypePrivate,
			profile: &types.UserSettings{CodeEditorAppSettings: code("ml.c5.large")}, domainUser: &types.UserSettings{CodeEditorAppSettings: code("ml.g5.xlarge")},
			appType: types.AppTypeCodeEditor, want: "ml.c5.large"},
		{name: "CodeEditor in a private space from SpaceCodeEditorAppSettings", sharing: types.SharingTypePrivate,
			spaceSettings: &types.SpaceSettings{CodeEditorAppSettings: &types.SpaceCodeEditorAppSettings{DefaultResourceSpec: resourceSpec("ml.m5.xlarge")}},
			profile:       &types.UserSettings{CodeEditorAppSettings: code("ml.c5.large")},
			appType:       types.AppTypeCodeEditor, want: "ml.m5.xlarge"},
		{name: "a shared space names every level it looked at", sharing: types.SharingTypeShared, profile: &types.UserSettings{KernelGatewayAppSettings: kgSettings("ml.c5.large")},
			appType: types.AppTypeKernelGateway,
			wantErr: "nor in the space's SpaceSettings.KernelGatewayAppSettings.DefaultResourceSpec, nor in the domain's DefaultSpaceSettings.KernelGatewayAppSettings.DefaultResourceSpec, nor in the domain's DefaultUserSettings.KernelGatewayAppSettings.DefaultResourceSpec."},
		{name: "a private space names every level it looked at", sharing: types.SharingTypePrivate, domainSpace: &types.DefaultSpaceSettings{KernelGatewayAppSettings: kgSettings("ml.m5.large")},
			appType: types.AppTypeKernelGateway,
			wantErr: "nor in the space's SpaceSettings.KernelGatewayAppSettings.DefaultResourceSpec, nor in the owner's UserSettings.KernelGatewayAppSettings.DefaultResourceSpec, nor in the domain's DefaultUserSettings.KernelGatewayAppSettings.DefaultResourceSpec."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := sagemakerfake.Start(t)
			if _, err := srv.SeedDomain(testDomain, &sagemaker.CreateDomainInput{DomainName: aws.String("d"), AuthMode: types.AuthModeIam,
				DefaultUserSettings: classic(tc.domainUser), DefaultSpaceSettings: tc.domainSpace}); err != nil {
				t.Fatal(err)
			}
			if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser), UserSettings: tc.profile}); err != nil {
				t.Fatal(err)
			}
			in := userApp(tc.appType, "app", tc.given)
			if tc.sharing != "" {
				if err := srv.SeedSpace(&sagemaker.CreateSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String(testSpace), SpaceSettings: tc.spaceSettings,
					OwnershipSettings:    &types.OwnershipSettings{OwnerUserProfileName: aws.String(testUser)},
					SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: tc.sharing}}); err != nil {
					t.Fatal(err)
				}
				in.UserProfileName, in.SpaceName = nil, aws.String(testSpace)
			}
			if tc.appType == types.AppTypeJupyterLab || tc.appType == types.AppTypeCodeEditor {
				if in.ResourceSpec == nil {
					in.ResourceSpec = &types.ResourceSpec{}
				}
				in.ResourceSpec.SageMakerImageArn = aws.String(imageARN) // today's shape: an app in a space with an image
			}
			c := srv.Client()
			_, err := c.CreateApp(ctx(t), in)
			if tc.wantErr != "" {
				wantCode(t, err, "ValidationException")
				if !strings.Contains(errorMessage(err), tc.wantErr) {
					t.Errorf("message %q\nwant it to contain %q", errorMessage(err), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := describedInstanceType(t, c, in); got != tc.want {
				t.Errorf("resolved instance type %q, want %q", got, tc.want)
			}
			if apps := srv.Apps(); len(apps) != 1 || apps[0].ResourceSpec.InstanceType != tc.want {
				t.Errorf("Apps() = %+v, want the one app on %q", apps, tc.want)
			}
		})
	}
}

// TestDescribeAppReportsWhatTheServiceReports covers the members of DescribeApp that come from the
// app's defaults and its domain rather than from the request.
func TestDescribeAppReportsWhatTheServiceReports(t *testing.T) {
	const (
		profileLCC = "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/profile"
		domainLCC  = "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/domain"
	)
	srv := sagemakerfake.Start(t, sagemakerfake.WithStartupDelay(time.Minute))
	c := srv.Client()
	seed := func(id string, tip types.FeatureStatus) {
		t.Helper()
		in := &sagemaker.CreateDomainInput{DomainName: aws.String("d"), AuthMode: types.AuthModeIam,
			DefaultUserSettings: &types.UserSettings{
				StudioWebPortal:       types.StudioWebPortalDisabled, // for the JupyterServer app
				JupyterLabAppSettings: &types.JupyterLabAppSettings{BuiltInLifecycleConfigArn: aws.String(domainLCC)},
				CodeEditorAppSettings: &types.CodeEditorAppSettings{BuiltInLifecycleConfigArn: aws.String(domainLCC)},
			}}
		if tip != "" {
			in.DomainSettings = &types.DomainSettings{TrustedIdentityPropagationSettings: &types.TrustedIdentityPropagationSettings{Status: tip}}
		}
		if _, err := srv.SeedDomain(id, in); err != nil {
			t.Fatal(err)
		}
		if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(id), UserProfileName: aws.String(testUser),
			UserSettings: &types.UserSettings{JupyterLabAppSettings: &types.JupyterLabAppSettings{BuiltInLifecycleConfigArn: aws.String(profileLCC)}}}); err != nil {
			t.Fatal(err)
		}
	}
	seed("d-tipenabled01", types.FeatureStatusEnabled)
	seed("d-tipnotset001", "")
	// JupyterServer is a Studio Classic app of the user; JupyterLab and CodeEditor run in the
	// user's private space, so the owner's settings apply to them.
	create := func(domainID string, appType types.AppType) *sagemaker.CreateAppInput {
		t.Helper()
		in := &sagemaker.CreateAppInput{DomainId: aws.String(domainID), UserProfileName: aws.String(testUser), AppType: appType, AppName: aws.String("default")}
		if appType != types.AppTypeJupyterServer {
			if err := srv.SeedSpace(&sagemaker.CreateSpaceInput{DomainId: aws.String(domainID), SpaceName: aws.String("private"),
				OwnershipSettings:    &types.OwnershipSettings{OwnerUserProfileName: aws.String(testUser)},
				SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypePrivate}}); err != nil {
				t.Fatal(err)
			}
			in.UserProfileName, in.SpaceName = nil, aws.String("private")
			in.ResourceSpec = &types.ResourceSpec{SageMakerImageArn: aws.String(imageARN)}
		}
		if _, err := c.CreateApp(ctx(t), in); err != nil {
			t.Fatal(err)
		}
		return in
	}
	server := create("d-tipenabled01", types.AppTypeJupyterServer)
	labApp := create("d-tipenabled01", types.AppTypeJupyterLab)
	codeApp := create("d-tipnotset001", types.AppTypeCodeEditor)

	d := mustStatus(t, c, server, types.AppStatusPending)
	if d.ResourceSpec == nil || d.ResourceSpec.InstanceType != types.AppInstanceTypeSystem {
		t.Errorf("JupyterServer app created without a spec: ResourceSpec %+v, want InstanceType system", d.ResourceSpec)
	}
	if d.EffectiveTrustedIdentityPropagationStatus != types.FeatureStatusEnabled || d.BuiltInLifecycleConfigArn != nil {
		t.Errorf("JupyterServer app: TIP %q, BuiltInLifecycleConfigArn %v; want ENABLED and none", d.EffectiveTrustedIdentityPropagationStatus, d.BuiltInLifecycleConfigArn)
	}
	if d.LastHealthCheckTimestamp != nil || d.LastUserActivityTimestamp != nil {
		t.Errorf("a Pending app has health check %v, user activity %v", d.LastHealthCheckTimestamp, d.LastUserActivityTimestamp)
	}
	d = mustStatus(t, c, labApp, types.AppStatusPending)
	if aws.ToString(d.BuiltInLifecycleConfigArn) != profileLCC {
		t.Errorf("JupyterLab app: BuiltInLifecycleConfigArn %q, want the profile's %q", aws.ToString(d.BuiltInLifecycleConfigArn), profileLCC)
	}
	d = mustStatus(t, c, codeApp, types.AppStatusPending)
	if aws.ToString(d.BuiltInLifecycleConfigArn) != domainLCC || d.EffectiveTrustedIdentityPropagationStatus != types.FeatureStatusDisabled {
		t.Errorf("CodeEditor app: BuiltInLifecycleConfigArn %q, TIP %q; want the domain's %q and DISABLED",
			aws.ToString(d.BuiltInLifecycleConfigArn), d.EffectiveTrustedIdentityPropagationStatus, domainLCC)
	}

	// The timestamps of the last health check and user activity appear once the app is InService
	// and keep their last values through Deleting and Deleted.
	started := srv.Now().Add(time.Minute)
	srv.Advance(time.Hour)
	d = mustStatus(t, c, server, types.AppStatusInService)
	if d.LastHealthCheckTimestamp == nil || !d.LastHealthCheckTimestamp.Equal(started) || d.LastUserActivityTimestamp == nil || !d.LastUserActivityTimestamp.Equal(started) {
		t.Errorf("InService: health check %v, user activity %v; want %v", d.LastHealthCheckTimestamp, d.LastUserActivityTimestamp, started)
	}
	if _, err := c.DeleteApp(ctx(t), deleteInput(server)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []types.AppStatus{types.AppStatusDeleting, types.AppStatusDeleted} {
		d = mustStatus(t, c, server, want)
		if d.LastHealthCheckTimestamp == nil || !d.LastHealthCheckTimestamp.Equal(started) || d.LastUserActivityTimestamp == nil || !d.LastUserActivityTimestamp.Equal(started) {
			t.Errorf("%s: health check %v, user activity %v; want %v kept", want, d.LastHealthCheckTimestamp, d.LastUserActivityTimestamp, started)
		}
		srv.Advance(time.Hour)
	}
}
