package sagemakerapp

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func kernelGatewaySettings(t InstanceType) *types.UserSettings {
	return &types.UserSettings{KernelGatewayAppSettings: &types.KernelGatewayAppSettings{DefaultResourceSpec: &types.ResourceSpec{InstanceType: t}}}
}

// defaultsAPI answers the Describe calls with the given instance types ("" for none).
func defaultsAPI(domainUser, domainSpace, profile, space InstanceType) *stubAPI {
	return &stubAPI{
		createApp: createdARN,
		describeDomain: func(*sagemaker.DescribeDomainInput) (*sagemaker.DescribeDomainOutput, error) {
			return &sagemaker.DescribeDomainOutput{
				DefaultUserSettings: kernelGatewaySettings(domainUser),
				DefaultSpaceSettings: &types.DefaultSpaceSettings{KernelGatewayAppSettings: &types.KernelGatewayAppSettings{
					DefaultResourceSpec: &types.ResourceSpec{InstanceType: domainSpace}}},
			}, nil
		},
		describeUserProfile: func(*sagemaker.DescribeUserProfileInput) (*sagemaker.DescribeUserProfileOutput, error) {
			return &sagemaker.DescribeUserProfileOutput{UserSettings: kernelGatewaySettings(profile)}, nil
		},
		describeSpace: func(*sagemaker.DescribeSpaceInput) (*sagemaker.DescribeSpaceOutput, error) {
			return &sagemaker.DescribeSpaceOutput{SpaceSettings: &types.SpaceSettings{KernelGatewayAppSettings: &types.KernelGatewayAppSettings{
				DefaultResourceSpec: &types.ResourceSpec{InstanceType: space}}}}, nil
		},
	}
}

func kernelGatewayWithoutInstanceType(owner string, space bool) *sagemaker.CreateAppInput {
	in := typicalInput()
	in.ResourceSpec.InstanceType = ""
	if space {
		in.UserProfileName, in.SpaceName = nil, aws.String(owner)
	} else {
		in.UserProfileName = aws.String(owner)
	}
	return in
}

func TestInstanceTypePrecedence(t *testing.T) {
	const m5 = types.AppInstanceTypeMlM5Large
	tests := []struct {
		name                                    string
		domainUser, domainSpace, profile, space InstanceType
		inSpace                                 bool
		wantCreate                              bool
	}{
		{name: "user app, no level sets one"},
		{name: "user app, profile sets one", profile: m5, wantCreate: true},
		{name: "user app, domain sets one", domainUser: m5, wantCreate: true},
		{name: "user app, only the space defaults set one", domainSpace: m5, space: m5},
		{name: "space app, no level sets one", inSpace: true, profile: m5},
		{name: "space app, space sets one", inSpace: true, space: m5, wantCreate: true},
		{name: "space app, domain space default sets one", inSpace: true, domainSpace: m5, wantCreate: true},
		{name: "space app, domain user default sets one", inSpace: true, domainUser: m5, wantCreate: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := defaultsAPI(tt.domainUser, tt.domainSpace, tt.profile, tt.space)
			in := kernelGatewayWithoutInstanceType("owner1", tt.inSpace)
			_, err := New(api).CreateApp(context.Background(), in)
			if tt.wantCreate {
				require.NoError(t, err)
				assert.Equal(t, 1, api.count("CreateApp"))
				assert.Empty(t, api.last["CreateApp"].(*sagemaker.CreateAppInput).ResourceSpec.InstanceType,
					"the request is sent as given: the service applies the default")
				return
			}
			assert.Zero(t, api.count("CreateApp"), "fails fast, before CreateApp")
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "ResourceSpec.InstanceType", fe.Field)
			assert.Equal(t, FieldRequired, fe.Type)
			assert.Contains(t, fe.Detail, "d-xy7pqhqf3kz1", "names the domain it looked at")
			assert.Contains(t, fe.Detail, "owner1", "names the profile or space it looked at")
		})
	}
}

func TestDefaultsAreReadOnlyWhenNeeded(t *testing.T) {
	api := defaultsAPI("", "", "", "")
	c := New(api)
	in := typicalInput()
	in.AppType, in.ResourceSpec = types.AppTypeJupyterLab, nil
	_, err := c.CreateApp(context.Background(), in)
	require.NoError(t, err)
	_, err = c.CreateApp(context.Background(), typicalInput())
	require.NoError(t, err)
	assert.Zero(t, api.count("DescribeDomain")+api.count("DescribeUserProfile")+api.count("DescribeSpace"))
}

func TestDefaultsAreCachedForTheTTL(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }

	api := defaultsAPI(types.AppInstanceTypeMlM5Large, "", "", "")
	c := New(api, func(o *Options) { o.Now = clock })
	create := func() {
		t.Helper()
		_, err := c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
		require.NoError(t, err)
	}
	create()
	create()
	assert.Equal(t, 1, api.count("DescribeDomain"))
	assert.Equal(t, 1, api.count("DescribeUserProfile"))

	advance(DefaultDefaultsTTL - time.Second)
	create()
	assert.Equal(t, 1, api.count("DescribeDomain"), "still fresh")

	advance(time.Second)
	create()
	assert.Equal(t, 2, api.count("DescribeDomain"), "read again once the TTL has passed")
	assert.Equal(t, 2, api.count("DescribeUserProfile"))

	_, err := c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("bob", false))
	require.NoError(t, err)
	assert.Equal(t, 2, api.count("DescribeDomain"), "the domain is cached across its users")
	assert.Equal(t, 3, api.count("DescribeUserProfile"), "each profile is read once")
}

func TestNegativeTTLReadsEveryTime(t *testing.T) {
	api := defaultsAPI(types.AppInstanceTypeMlM5Large, "", "", "")
	c := New(api, func(o *Options) { o.DefaultsTTL = -1 })
	for range 3 {
		_, err := c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
		require.NoError(t, err)
	}
	assert.Equal(t, 3, api.count("DescribeDomain"))
}

func TestAccessDeniedOnDefaultsLetsTheServiceDecide(t *testing.T) {
	api := defaultsAPI("", "", "", "")
	api.describeDomain = func(*sagemaker.DescribeDomainInput) (*sagemaker.DescribeDomainOutput, error) {
		return nil, &smithy.OperationError{ServiceID: "SageMaker", OperationName: "DescribeDomain",
			Err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform sagemaker:DescribeDomain"}}
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := New(api, func(o *Options) { o.Logger = logger })

	for range 2 {
		_, err := c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
		require.NoError(t, err)
	}
	assert.Equal(t, 2, api.count("CreateApp"), "the request went to the service")
	assert.Equal(t, 1, api.count("DescribeDomain"), "the denial is cached too")
	assert.Contains(t, logs.String(), "level=DEBUG")
	assert.Contains(t, logs.String(), "operation=DescribeDomain")
	assert.Contains(t, logs.String(), "AccessDeniedException")
}

func TestOtherFailuresReadingDefaultsAreReturned(t *testing.T) {
	api := defaultsAPI(types.AppInstanceTypeMlM5Large, "", "", "")
	fail := true
	api.describeUserProfile = func(*sagemaker.DescribeUserProfileInput) (*sagemaker.DescribeUserProfileOutput, error) {
		if fail {
			return nil, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
		}
		return &sagemaker.DescribeUserProfileOutput{}, nil
	}
	c := New(api)
	_, err := c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
	require.ErrorIs(t, err, ErrThrottled)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "DescribeUserProfile", apiErr.Operation)
	assert.Zero(t, api.count("CreateApp"))

	fail = false
	_, err = c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
	require.NoError(t, err, "a failure is not cached")
	assert.Equal(t, 2, api.count("DescribeUserProfile"))
}

func TestCanceledContextWhileReadingDefaults(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	api := defaultsAPI("", "", "", "")
	api.describeDomain = func(*sagemaker.DescribeDomainInput) (*sagemaker.DescribeDomainOutput, error) {
		cancel()
		return nil, ctx.Err()
	}
	_, err := New(api).CreateApp(ctx, kernelGatewayWithoutInstanceType("alice", false))
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, api.count("CreateApp"))
}

func TestConcurrentCreatesShareTheCache(t *testing.T) {
	api := defaultsAPI(types.AppInstanceTypeMlM5Large, "", "", "")
	c := New(api)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := kernelGatewayWithoutInstanceType("alice", false)
			in.AppName = aws.String("app" + string(rune('a'+i)))
			_, err := c.CreateApp(context.Background(), in)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, 16, api.count("CreateApp"))
	assert.LessOrEqual(t, api.count("DescribeDomain"), 16)
	assert.GreaterOrEqual(t, api.count("DescribeDomain"), 1)
}
