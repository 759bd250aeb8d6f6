package sagemakerfake_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	smithy "github.com/aws/smithy-go"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

const (
	testDomain = "d-test00000001"
	testUser   = "alice"
	testSpace  = "team"
)

// fixture is a started fake with one domain, one user profile and one shared space.
type fixture struct {
	srv    *sagemakerfake.Server
	client *sagemaker.Client
}

// newFixture starts a fake and seeds it: a domain that still runs Studio Classic (its
// DefaultUserSettings set only StudioWebPortal DISABLED, so that the tests of Classic apps can
// create them), a user profile and a shared space.
func newFixture(t *testing.T, opts ...sagemakerfake.Option) *fixture {
	t.Helper()
	return newFixtureWith(t, &types.UserSettings{}, nil, opts...)
}

// newFixtureWith is newFixture with the domain's DefaultUserSettings (to which it adds
// StudioWebPortal DISABLED) and the profile's UserSettings.
func newFixtureWith(t *testing.T, userDefaults *types.UserSettings, profileSettings *types.UserSettings, opts ...sagemakerfake.Option) *fixture {
	t.Helper()
	srv := sagemakerfake.Start(t, opts...)
	if _, err := srv.SeedDomain(testDomain, &sagemaker.CreateDomainInput{
		DomainName:          aws.String("test"),
		AuthMode:            types.AuthModeIam,
		DefaultUserSettings: classic(userDefaults),
	}); err != nil {
		t.Fatalf("SeedDomain: %v", err)
	}
	if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{
		DomainId:        aws.String(testDomain),
		UserProfileName: aws.String(testUser),
		UserSettings:    profileSettings,
	}); err != nil {
		t.Fatalf("SeedUserProfile: %v", err)
	}
	if err := srv.SeedSpace(&sagemaker.CreateSpaceInput{
		DomainId:             aws.String(testDomain),
		SpaceName:            aws.String(testSpace),
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared},
	}); err != nil {
		t.Fatalf("SeedSpace: %v", err)
	}
	return &fixture{srv: srv, client: srv.Client()}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// userApp is a CreateApp input for an app of the fixture's user.
func userApp(appType types.AppType, name string, instanceType types.AppInstanceType) *sagemaker.CreateAppInput {
	in := &sagemaker.CreateAppInput{
		DomainId:        aws.String(testDomain),
		UserProfileName: aws.String(testUser),
		AppType:         appType,
		AppName:         aws.String(name),
	}
	if instanceType != "" {
		in.ResourceSpec = &types.ResourceSpec{InstanceType: instanceType}
	}
	return in
}

func describeInput(in *sagemaker.CreateAppInput) *sagemaker.DescribeAppInput {
	return &sagemaker.DescribeAppInput{
		DomainId: in.DomainId, UserProfileName: in.UserProfileName, SpaceName: in.SpaceName,
		AppType: in.AppType, AppName: in.AppName,
	}
}

func deleteInput(in *sagemaker.CreateAppInput) *sagemaker.DeleteAppInput {
	return &sagemaker.DeleteAppInput{
		DomainId: in.DomainId, UserProfileName: in.UserProfileName, SpaceName: in.SpaceName,
		AppType: in.AppType, AppName: in.AppName,
	}
}

// errorCode returns the API error code of err, or "" when err is not an API error.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func errorMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := errorCode(err); got != code {
		t.Fatalf("got error code %q (%v), want %s", got, err, code)
	}
}

func mustStatus(t *testing.T, c *sagemaker.Client, in *sagemaker.CreateAppInput, want types.AppStatus) *sagemaker.DescribeAppOutput {
	t.Helper()
	out, err := c.DescribeApp(ctx(t), describeInput(in))
	if err != nil {
		t.Fatalf("DescribeApp: %v", err)
	}
	if out.Status != want {
		t.Fatalf("status %s, want %s (failure reason %q)", out.Status, want, aws.ToString(out.FailureReason))
	}
	return out
}

// spaceApp is a CreateApp input for an app in a space of the fixture's domain, in today's shape:
// with the SageMaker Distribution image (and, when instanceType is set, that instance type).
func spaceApp(appType types.AppType, spaceName, name string, instanceType types.AppInstanceType) *sagemaker.CreateAppInput {
	return &sagemaker.CreateAppInput{
		DomainId:     aws.String(testDomain),
		SpaceName:    aws.String(spaceName),
		AppType:      appType,
		AppName:      aws.String(name),
		ResourceSpec: &types.ResourceSpec{InstanceType: instanceType, SageMakerImageArn: aws.String(imageARN)},
	}
}

// seedSpace seeds a space of the fixture's domain: private to owner when owner is not "", shared
// otherwise, for apps of appType when it is not "".
func seedSpace(t *testing.T, srv *sagemakerfake.Server, name, owner string, appType types.AppType) {
	t.Helper()
	in := &sagemaker.CreateSpaceInput{
		DomainId:             aws.String(testDomain),
		SpaceName:            aws.String(name),
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared},
	}
	if owner != "" {
		in.OwnershipSettings = &types.OwnershipSettings{OwnerUserProfileName: aws.String(owner)}
		in.SpaceSharingSettings.SharingType = types.SharingTypePrivate
	}
	if appType != "" {
		in.SpaceSettings = &types.SpaceSettings{AppType: appType}
	}
	if err := srv.SeedSpace(in); err != nil {
		t.Fatalf("SeedSpace %s: %v", name, err)
	}
}

// classic returns a copy of a domain's DefaultUserSettings (or new ones, for nil) with
// StudioWebPortal DISABLED: the domain still runs Studio Classic, the only kind of domain where
// the fake creates JupyterServer and KernelGateway apps (facts §7.1).
func classic(u *types.UserSettings) *types.UserSettings {
	out := types.UserSettings{}
	if u != nil {
		out = *u
	}
	out.StudioWebPortal = types.StudioWebPortalDisabled
	return &out
}
