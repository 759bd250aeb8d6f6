package sagemakerapp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateAppSendsTheRequestAndReturnsAPendingApp(t *testing.T) {
	api := &stubAPI{createApp: createdARN}
	c := New(api)
	in := typicalInput()
	app, err := c.CreateApp(context.Background(), in)
	require.NoError(t, err)

	assert.Equal(t, 1, api.count("CreateApp"))
	assert.Same(t, in, api.last["CreateApp"], "the caller's input is sent as is")
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:123456789012:app/d-xy7pqhqf3kz1/alice-smith/kernelgateway/datascience-kernel", app.ARN)
	assert.Equal(t, AppID{DomainID: "d-xy7pqhqf3kz1", UserProfileName: "alice-smith", AppType: types.AppTypeKernelGateway, AppName: "datascience-kernel"}, app.ID)
	assert.Equal(t, types.AppStatusPending, app.Status)
	require.NotNil(t, app.ResourceSpec)
	assert.Equal(t, *in.ResourceSpec, *app.ResourceSpec)
	assert.NotSame(t, in.ResourceSpec, app.ResourceSpec, "the App does not alias the request")
}

func TestCreateAppSendsNothingInvalid(t *testing.T) {
	api := &stubAPI{createApp: createdARN}
	c := New(api)
	in := typicalInput()
	in.AppName = aws.String("not_valid")
	app, err := c.CreateApp(context.Background(), in)
	assert.Nil(t, app)
	require.ErrorIs(t, err, ErrInvalidInput)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "AppName", ve.Problems[0].Field)
	assert.Zero(t, api.count("CreateApp"), "an invalid request sends nothing")

	_, err = c.CreateApp(context.Background(), nil)
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Zero(t, api.count("CreateApp"))
}

func TestAllowUnknownInstanceTypesOption(t *testing.T) {
	in := typicalInput()
	in.ResourceSpec.InstanceType = "ml.g9.96xlarge"

	_, err := New(&stubAPI{createApp: createdARN}).CreateApp(context.Background(), in)
	require.ErrorIs(t, err, ErrInvalidInput)

	api := &stubAPI{createApp: createdARN}
	_, err = New(api, func(o *Options) { o.AllowUnknownInstanceTypes = true }).CreateApp(context.Background(), in)
	require.NoError(t, err)
	assert.Equal(t, 1, api.count("CreateApp"))
}

func TestClientWithoutAPIFailsCleanly(t *testing.T) {
	var c Client
	_, err := c.CreateApp(context.Background(), typicalInput())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, errNoAPI)
	_, err = c.DescribeApp(context.Background(), AppID{DomainID: "d-a", UserProfileName: "u", AppType: types.AppTypeJupyterLab, AppName: "a"})
	assert.ErrorIs(t, err, errNoAPI)
	assert.ErrorIs(t, c.DeleteApp(context.Background(), AppID{DomainID: "d-a", UserProfileName: "u", AppType: types.AppTypeJupyterLab, AppName: "a"}), errNoAPI)
	_, err = (AppBuilder{}).Create(context.Background())
	assert.ErrorIs(t, err, ErrInvalidInput, "the zero builder's request is invalid before it lacks a client")
}

func TestBuilderAssemblesTheRequest(t *testing.T) {
	c := New(&stubAPI{})
	in, err := c.NewApp("d-abc123", types.AppTypeJupyterLab, "default").
		InSpace("alice-space").
		InstanceType(types.AppInstanceTypeMlT3Large).
		Image(testImageARN).
		ImageVersion(testImageVersionARN).
		ImageVersionAlias("2.6.1").
		LifecycleConfig(testLifecycleARN).
		TrainingPlan(testTrainingPlanARN).
		RecoveryMode(true).
		Tag("team", "ml").
		Tag("env", "dev").
		Input()
	require.NoError(t, err)
	assert.Equal(t, &sagemaker.CreateAppInput{
		DomainId:     aws.String("d-abc123"),
		AppType:      types.AppTypeJupyterLab,
		AppName:      aws.String("default"),
		SpaceName:    aws.String("alice-space"),
		RecoveryMode: aws.Bool(true),
		ResourceSpec: &types.ResourceSpec{
			InstanceType:               types.AppInstanceTypeMlT3Large,
			SageMakerImageArn:          aws.String(testImageARN),
			SageMakerImageVersionArn:   aws.String(testImageVersionARN),
			SageMakerImageVersionAlias: aws.String("2.6.1"),
			LifecycleConfigArn:         aws.String(testLifecycleARN),
			TrainingPlanArn:            aws.String(testTrainingPlanARN),
		},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}, {Key: aws.String("env"), Value: aws.String("dev")}},
	}, in)
}

func TestBuilderIsATemplate(t *testing.T) {
	c := New(&stubAPI{})
	// KernelGateway: a Studio Classic app, on a user profile or in a space.
	base := c.NewApp("d-abc123", types.AppTypeKernelGateway, "default").Tag("team", "ml").Tag("env", "prod")
	alice, err := base.ForUser("alice").Tag("env", "dev").Input()
	require.NoError(t, err)
	bob, err := base.ForUser("bob").Tag("owner", "bob").Input()
	require.NoError(t, err)
	shared, err := base.InSpace("shared").Input()
	require.NoError(t, err)

	assert.Equal(t, "alice", *alice.UserProfileName)
	assert.Equal(t, "bob", *bob.UserProfileName)
	assert.Nil(t, shared.UserProfileName)
	assert.Equal(t, "shared", *shared.SpaceName)
	assert.Equal(t, []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}, {Key: aws.String("env"), Value: aws.String("dev")}}, alice.Tags, "a repeated key replaces the value in place")
	assert.Equal(t, []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}, {Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("owner"), Value: aws.String("bob")}}, bob.Tags)

	// Changing a request leaves the builder alone.
	*alice.Tags[0].Value = "changed"
	*alice.AppName = "changed"
	again, err := base.ForUser("alice").Input()
	require.NoError(t, err)
	assert.Equal(t, "ml", *again.Tags[0].Value)
	assert.Equal(t, "default", *again.AppName)
	assert.Nil(t, again.ResourceSpec, "no ResourceSpec when none of its members was set")
}

func TestBuilderReportsEveryProblemAtTheEnd(t *testing.T) {
	api := &stubAPI{createApp: createdARN}
	b := New(api).NewApp("D-bad", types.AppTypeJupyterServer, "").
		ForUser("alice").InSpace("shared").
		InstanceType(types.AppInstanceTypeMlT3Medium).
		Tag("aws:owner", "x")
	in, err := b.Input()
	require.NotNil(t, in, "the invalid request is returned for inspection")
	assert.Equal(t, []problem{
		{"DomainId", FieldInvalid}, {"AppName", FieldRequired}, {"SpaceName", FieldForbidden},
		{"Tags[0].Key", FieldForbidden}, {"ResourceSpec.InstanceType", FieldNotSupported},
	}, problemsOf(t, err))
	_, err = b.Create(context.Background())
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Zero(t, api.count("CreateApp"))
}

func TestBuilderCreate(t *testing.T) {
	api := &stubAPI{createApp: createdARN}
	app, err := New(api).NewApp("d-abc123", types.AppTypeKernelGateway, "default").ForUser("alice").InstanceType(InstanceTypeSystem).Create(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:123456789012:app/d-abc123/alice/kernelgateway/default", app.ARN)
	sent := api.last["CreateApp"].(*sagemaker.CreateAppInput)
	assert.Equal(t, InstanceTypeSystem, sent.ResourceSpec.InstanceType)
	assert.Zero(t, api.count("DescribeDomain"), "an app with an instance type needs no defaults")
}

func TestDescribeApp(t *testing.T) {
	created := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	api := &stubAPI{describeApp: func(in *sagemaker.DescribeAppInput) (*sagemaker.DescribeAppOutput, error) {
		return &sagemaker.DescribeAppOutput{
			AppArn:   aws.String("arn:aws:sagemaker:us-east-1:123456789012:app/d-abc123/shared/jupyterlab/default"),
			DomainId: in.DomainId, SpaceName: in.SpaceName, AppType: in.AppType, AppName: in.AppName,
			Status: types.AppStatusFailed, FailureReason: aws.String("InternalFailure"), CreationTime: &created,
			ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium},
		}, nil
	}}
	id := AppID{DomainID: "d-abc123", SpaceName: "shared", AppType: types.AppTypeJupyterLab, AppName: "default"}
	app, err := New(api).DescribeApp(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, id, app.ID)
	assert.Equal(t, types.AppStatusFailed, app.Status)
	assert.Equal(t, "InternalFailure", app.FailureReason)
	assert.Equal(t, created, app.CreationTime)
	assert.Equal(t, types.AppInstanceTypeMlT3Medium, app.ResourceSpec.InstanceType)
	sent := api.last["DescribeApp"].(*sagemaker.DescribeAppInput)
	assert.Nil(t, sent.UserProfileName, "an empty owner is not sent")

	_, err = New(api).DescribeApp(context.Background(), AppID{DomainID: "d-abc123", AppType: types.AppTypeJupyterLab, AppName: "x"})
	assert.Equal(t, []problem{{"UserProfileName", FieldRequired}}, problemsOf(t, err))
	assert.Equal(t, 1, api.count("DescribeApp"), "an invalid AppID sends nothing")
}

func TestDeleteApp(t *testing.T) {
	api := &stubAPI{}
	id := AppID{DomainID: "d-abc123", UserProfileName: "alice", AppType: types.AppTypeJupyterLab, AppName: "default"}
	require.NoError(t, New(api).DeleteApp(context.Background(), id))
	sent := api.last["DeleteApp"].(*sagemaker.DeleteAppInput)
	assert.Equal(t, "alice", aws.ToString(sent.UserProfileName))
	assert.Equal(t, types.AppTypeJupyterLab, sent.AppType)

	api.deleteApp = func(*sagemaker.DeleteAppInput) (*sagemaker.DeleteAppOutput, error) {
		return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	}
	err := New(api).DeleteApp(context.Background(), id)
	assert.ErrorIs(t, err, ErrAccessDenied)
	var ge *smithy.GenericAPIError
	assert.ErrorAs(t, err, &ge)
}

// The service's answers for an app that is gone already are success: DeleteApp is idempotent.
func TestDeleteAppOfAGoneAppSucceeds(t *testing.T) {
	id := AppID{DomainID: "d-abc123", UserProfileName: "alice", AppType: types.AppTypeJupyterLab, AppName: "default"}
	for name, answer := range map[string]error{
		"not found":      &types.ResourceNotFound{Message: aws.String("App does not exist")},
		"deleted":        &smithy.GenericAPIError{Code: "ValidationException", Message: "App 'arn:aws:sagemaker:…' has already been deleted."},
		"failed earlier": &smithy.GenericAPIError{Code: "ValidationException", Message: "App 'arn:aws:sagemaker:…' previously failed and was automatically deleted."},
	} {
		api := &stubAPI{deleteApp: func(*sagemaker.DeleteAppInput) (*sagemaker.DeleteAppOutput, error) { return nil, answer }}
		assert.NoError(t, New(api).DeleteApp(context.Background(), id), name)
	}
	other := &stubAPI{deleteApp: func(*sagemaker.DeleteAppInput) (*sagemaker.DeleteAppOutput, error) {
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "1 validation error detected"}
	}}
	assert.ErrorIs(t, New(other).DeleteApp(context.Background(), id), ErrServiceValidation, "other validation errors stay errors")
}

func TestParseAppARN(t *testing.T) {
	tests := []struct {
		arn     string
		want    AppID
		wantErr bool
	}{
		{arn: "arn:aws:sagemaker:us-east-1:123456789012:app/d-abc123/alice/kernelgateway/default",
			want: AppID{DomainID: "d-abc123", UserProfileName: "alice", AppType: types.AppTypeKernelGateway, AppName: "default"}},
		{arn: "arn:aws-cn:sagemaker:cn-north-1:123456789012:app/d-abc123/shared/CodeEditor/default",
			want: AppID{DomainID: "d-abc123", UserProfileName: "shared", AppType: types.AppTypeCodeEditor, AppName: "default"}},
		{arn: "arn:aws:sagemaker:us-east-1:123456789012:app/d-abc123/alice/jupyterlab", wantErr: true},
		{arn: "arn:aws:sagemaker:us-east-1:123456789012:app/d-abc123/alice/notebook/default", wantErr: true},
		{arn: "arn:aws:sagemaker:us-east-1:123456789012:app/D-ABC/alice/jupyterlab/default", wantErr: true},
		{arn: "arn:aws:sagemaker:us-east-1:123456789012:domain/d-abc123", wantErr: true},
		{arn: "None", wantErr: true},
		{arn: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseAppARN(tt.arn)
		if tt.wantErr {
			assert.ErrorIs(t, err, ErrInvalidInput, tt.arn)
			continue
		}
		require.NoError(t, err, tt.arn)
		assert.Equal(t, tt.want, got)
	}
}

func TestMapErrorKeepsNilAndWrapsOthers(t *testing.T) {
	ctx := context.Background()
	assert.NoError(t, mapError(ctx, "CreateApp", nil))
	err := mapError(ctx, "CreateApp", errors.New("boom"))
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "CreateApp", apiErr.Operation)
	assert.Empty(t, apiErr.Code)
}

func TestCallsPassTheSDKPerCallOptions(t *testing.T) {
	api := &stubAPI{createApp: createdARN}
	c := New(api)
	ctx := context.Background()
	region := func(o *sagemaker.Options) { o.Region = "eu-west-1" }
	id := AppID{DomainID: "d-abc123", UserProfileName: "alice", AppType: types.AppTypeJupyterLab, AppName: "default"}

	_, err := c.CreateApp(ctx, typicalInput(), region)
	require.NoError(t, err)
	_, err = c.DescribeApp(ctx, id, region)
	require.NoError(t, err)
	require.NoError(t, c.DeleteApp(ctx, id, region))
	for _, op := range []string{"CreateApp", "DescribeApp", "DeleteApp"} {
		assert.Equal(t, "eu-west-1", api.lastOptions(op).Region, op)
	}

	// The reads of the defaults that CreateApp makes belong to the same call.
	api2 := defaultsAPI(types.AppInstanceTypeMlM5Large, "", "", "")
	_, err = New(api2).CreateApp(ctx, kernelGatewayWithoutInstanceType("alice", false), region)
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", api2.lastOptions("DescribeUserProfile").Region)
}

func TestZeroClientErrorNamesThePackageOnce(t *testing.T) {
	var c Client
	_, err := c.CreateApp(context.Background(), typicalInput())
	assert.Equal(t, "sagemakerapp: CreateApp: the Client has no API; build it with New or NewFromConfig", err.Error())
}

// An app type newer than the SDK can still be read and deleted; only CreateApp checks the enum,
// and Options.AllowUnknownAppTypes lifts that check too.
func TestUnknownAppTypes(t *testing.T) {
	const newType AppType = "DataWrangler"
	api := &stubAPI{createApp: createdARN, describeApp: func(in *sagemaker.DescribeAppInput) (*sagemaker.DescribeAppOutput, error) {
		return &sagemaker.DescribeAppOutput{AppArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:app/d-abc123/alice/datawrangler/default"),
			AppType: in.AppType, Status: types.AppStatusInService}, nil
	}}
	ctx := context.Background()
	id := AppID{DomainID: "d-abc123", UserProfileName: "alice", AppType: newType, AppName: "default"}
	app, err := New(api).DescribeApp(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, types.AppStatusInService, app.Status)
	assert.Equal(t, newType, api.last["DescribeApp"].(*sagemaker.DescribeAppInput).AppType)
	require.NoError(t, New(api).DeleteApp(ctx, id))

	for _, bad := range []AppType{"", "Data Wrangler", "data/wrangler", "9Lives"} {
		id.AppType = bad
		_, err = New(api).DescribeApp(ctx, id)
		assert.ErrorIs(t, err, ErrInvalidInput, "%q is not shaped like an app type", bad)
	}

	in := typicalInput()
	in.AppType, in.ResourceSpec = newType, nil
	_, err = New(api).CreateApp(ctx, in)
	assert.Equal(t, []problem{{"AppType", FieldNotSupported}}, problemsOf(t, err))
	assert.Zero(t, api.count("CreateApp"))
	_, err = New(api, func(o *Options) { o.AllowUnknownAppTypes = true }).CreateApp(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, 1, api.count("CreateApp"))

	assert.Error(t, Validate(in))
	assert.NoError(t, Validate(in, AllowUnknownAppTypes()))
	in.AppType = "not an app type"
	assert.Equal(t, []problem{{"AppType", FieldInvalid}}, problemsOf(t, Validate(in, AllowUnknownAppTypes())))
}

// The App a call returns shares no memory with the caller's request.
func TestCreatedAppDoesNotAliasTheInput(t *testing.T) {
	in := typicalInput()
	in.RecoveryMode = aws.Bool(true)
	app, err := New(&stubAPI{createApp: createdARN}).CreateApp(context.Background(), in)
	require.NoError(t, err)
	*in.ResourceSpec.SageMakerImageArn = "changed"
	in.ResourceSpec.InstanceType = types.AppInstanceTypeMlG548xlarge
	*in.AppName = "changed"
	assert.Equal(t, testImageARN, aws.ToString(app.ResourceSpec.SageMakerImageArn))
	assert.Equal(t, types.AppInstanceTypeMlT3Medium, app.ResourceSpec.InstanceType)
	assert.Equal(t, "datascience-kernel", app.ID.AppName)
	assert.True(t, app.RecoveryMode)
}

func TestDescribeAppCarriesEveryMember(t *testing.T) {
	created := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	health, activity := created.Add(time.Minute), created.Add(2*time.Minute)
	api := &stubAPI{describeApp: func(in *sagemaker.DescribeAppInput) (*sagemaker.DescribeAppOutput, error) {
		return &sagemaker.DescribeAppOutput{
			AppArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:app/d-abc123/alice/jupyterlab/default"),
			Status: types.AppStatusInService, CreationTime: &created, RecoveryMode: aws.Bool(true),
			LastHealthCheckTimestamp: &health, LastUserActivityTimestamp: &activity,
			BuiltInLifecycleConfigArn:                 aws.String("arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/builtin"),
			EffectiveTrustedIdentityPropagationStatus: types.FeatureStatusEnabled,
		}, nil
	}}
	app, err := New(api).DescribeApp(context.Background(), AppID{DomainID: "d-abc123", UserProfileName: "alice", AppType: types.AppTypeJupyterLab, AppName: "default"})
	require.NoError(t, err)
	assert.True(t, app.RecoveryMode)
	assert.Equal(t, health, app.LastHealthCheckTimestamp)
	assert.Equal(t, activity, app.LastUserActivityTimestamp)
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:123456789012:studio-lifecycle-config/builtin", app.BuiltInLifecycleConfigArn)
	assert.Equal(t, types.FeatureStatusEnabled, app.EffectiveTrustedIdentityPropagationStatus)
}

// The builder is a value: the zero one works, and a copy taken before a setter is unchanged by it.
func TestBuilderIsAValue(t *testing.T) {
	var zero AppBuilder
	in, err := zero.ForUser("alice").Input()
	require.Error(t, err)
	assert.Equal(t, "alice", aws.ToString(in.UserProfileName))

	base := New(&stubAPI{}).NewApp("d-abc123", types.AppTypeJupyterLab, "default").InSpace("alice-space")
	copied := base
	_ = base.Image(testImageARN).InstanceType(types.AppInstanceTypeMlT3Large).Tag("a", "b")
	in, err = copied.Input()
	require.NoError(t, err)
	assert.Nil(t, in.ResourceSpec)
	assert.Nil(t, in.Tags)

	in, err = base.TrainingPlan("None").Input()
	require.NoError(t, err)
	assert.Equal(t, &types.ResourceSpec{TrainingPlanArn: aws.String("None")}, in.ResourceSpec, "a spec with only a string member set is sent")
}
