package sagemakerapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
		inSpace, private                        bool
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
		{name: "private space app, owner's profile sets one", inSpace: true, private: true, profile: m5, wantCreate: true},
		{name: "private space app, only the domain space default sets one", inSpace: true, private: true, domainSpace: m5},
		{name: "private space app, domain user default sets one", inSpace: true, private: true, domainUser: m5, wantCreate: true},
		{name: "private space app, space sets one", inSpace: true, private: true, space: m5, wantCreate: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := defaultsAPI(tt.domainUser, tt.domainSpace, tt.profile, tt.space)
			if tt.private {
				describeSpace := api.describeSpace
				api.describeSpace = func(in *sagemaker.DescribeSpaceInput) (*sagemaker.DescribeSpaceOutput, error) {
					out, err := describeSpace(in)
					out.SpaceSharingSettings = &types.SpaceSharingSettings{SharingType: types.SharingTypePrivate}
					out.OwnershipSettings = &types.OwnershipSettings{OwnerUserProfileName: aws.String("owner1")}
					return out, err
				}
			}
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
	inSpace(in)
	in.AppType, in.ResourceSpec = types.AppTypeJupyterLab, &types.ResourceSpec{SageMakerImageArn: aws.String(testImageARN)}
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

// The pre-read is an optimisation: a read that fails for any reason but the caller's context
// sends the request as given, for the service to decide.
func TestFailedPreReadSendsTheRequest(t *testing.T) {
	failures := map[string]error{
		"throttled": &smithy.OperationError{ServiceID: "SageMaker", OperationName: "DescribeDomain",
			Err: &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}},
		"5xx":        &smithy.GenericAPIError{Code: "InternalFailure", Message: "boom", Fault: smithy.FaultServer},
		"not found":  &types.ResourceNotFound{Message: aws.String("Domain d-xy7pqhqf3kz1 not found")},
		"validation": &smithy.GenericAPIError{Code: "ValidationException", Message: "1 validation error detected"},
		"transport":  errors.New("connection reset by peer"),
	}
	for name, failure := range failures {
		t.Run(name, func(t *testing.T) {
			api := defaultsAPI("", "", "", "")
			api.describeDomain = func(*sagemaker.DescribeDomainInput) (*sagemaker.DescribeDomainOutput, error) {
				return nil, failure
			}
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := New(api, func(o *Options) { o.Logger = logger })
			for range 2 {
				_, err := c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
				require.NoError(t, err)
			}
			assert.Equal(t, 2, api.count("CreateApp"), "the request went to the service")
			assert.Equal(t, 2, api.count("DescribeDomain"), "a failed read is not cached")
			assert.Contains(t, logs.String(), "level=DEBUG")
			assert.Contains(t, logs.String(), "the service will decide")
		})
	}
}

// A view cached while no level set an instance type must not refuse a request after an admin
// has set one: the Client reads the levels again before it refuses.
func TestRefusalIsNeverMadeOnACachedView(t *testing.T) {
	api := defaultsAPI("", "", "", "")
	c := New(api)
	_, err := c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, 1, api.count("DescribeUserProfile"), "a fresh read refuses at once")
	assert.Equal(t, 1, api.count("DescribeDomain"))

	// An admin sets the profile's default; the Client still holds "none" in its cache.
	api.describeUserProfile = func(*sagemaker.DescribeUserProfileInput) (*sagemaker.DescribeUserProfileOutput, error) {
		return &sagemaker.DescribeUserProfileOutput{UserSettings: kernelGatewaySettings(types.AppInstanceTypeMlM5Large)}, nil
	}
	_, err = c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
	require.NoError(t, err)
	assert.Equal(t, 1, api.count("CreateApp"))
	assert.Equal(t, 2, api.count("DescribeUserProfile"), "read again before refusing")

	// The fresh view is cached again: the next create needs no read at all.
	_, err = c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
	require.NoError(t, err)
	assert.Equal(t, 2, api.count("DescribeUserProfile"))
}

// A refusal after a re-read that still finds nothing is a refusal, with both reads counted.
func TestRefusalAfterReReadStillRefuses(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	api := defaultsAPI("", "", "", "")
	c := New(api, func(o *Options) { o.Now = clock })
	_, err := c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
	require.ErrorIs(t, err, ErrInvalidInput)
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	_, err = c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, 2, api.count("DescribeUserProfile"))
	assert.Equal(t, 2, api.count("DescribeDomain"))
	assert.Zero(t, api.count("CreateApp"))
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

// 32 concurrent creates that need the same levels share one read of each. The domain read
// blocks until every caller has asked for defaults, so a Client that let each of them read on a
// cache miss would make 32 reads.
func TestConcurrentCreatesReadTheDefaultsOnce(t *testing.T) {
	const callers = 32
	api := defaultsAPI(types.AppInstanceTypeMlM5Large, "", "", "")
	arrived := make(chan struct{}, callers)
	release := make(chan struct{})
	describeDomain := api.describeDomain
	api.describeDomain = func(in *sagemaker.DescribeDomainInput) (*sagemaker.DescribeDomainOutput, error) {
		<-release
		return describeDomain(in)
	}
	// Options.Now is read once as each CreateApp begins its defaults check: a point every caller
	// passes before it looks in the cache.
	c := New(api, func(o *Options) {
		o.Now = func() time.Time {
			select {
			case arrived <- struct{}{}:
			default:
			}
			return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
		}
	})
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := kernelGatewayWithoutInstanceType("alice", false)
			in.AppName = aws.String(fmt.Sprintf("app%d", i))
			_, err := c.CreateApp(context.Background(), in)
			errs <- err
		}()
	}
	for range callers {
		<-arrived
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, callers, api.count("CreateApp"))
	assert.Equal(t, 1, api.count("DescribeDomain"))
	assert.Equal(t, 1, api.count("DescribeUserProfile"))
}

// A caller whose context ends stops waiting for a read that others share, and the others still
// get it.
func TestCallerLeavesASharedReadWhenItsContextEnds(t *testing.T) {
	api := defaultsAPI(types.AppInstanceTypeMlM5Large, "", "", "")
	entered := make(chan struct{})
	release := make(chan struct{})
	describeDomain := api.describeDomain
	api.describeDomain = func(in *sagemaker.DescribeDomainInput) (*sagemaker.DescribeDomainOutput, error) {
		close(entered)
		<-release
		return describeDomain(in)
	}
	c := New(api)
	first := make(chan error, 1)
	go func() {
		_, err := c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
		first <- err
	}()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error, 1)
	go func() {
		_, err := c.CreateApp(ctx, kernelGatewayWithoutInstanceType("alice", false))
		second <- err
	}()
	cancel()
	require.ErrorIs(t, <-second, context.Canceled, "returns while the shared read is still blocked")
	close(release)
	require.NoError(t, <-first)
	assert.Equal(t, 1, api.count("CreateApp"))
	assert.Equal(t, 1, api.count("DescribeDomain"))
}

func TestCacheDropsExpiredEntries(t *testing.T) {
	var d defaultsCache
	t0 := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for i := range 100 {
		d.put(defaultsKey{domainID: "d-a", kind: kindUserProfile, name: fmt.Sprint(i)}, defaultsEntry{read: t0}, time.Minute)
	}
	require.Len(t, d.entries, 100)
	_, ok := d.get(defaultsKey{domainID: "d-a", kind: kindUserProfile, name: "7"}, t0.Add(time.Minute), time.Minute, time.Time{})
	assert.False(t, ok)
	assert.Len(t, d.entries, 99, "an expired entry goes when it is asked for")
	for i := range 100 {
		d.put(defaultsKey{domainID: "d-b", kind: kindUserProfile, name: fmt.Sprint(i)}, defaultsEntry{read: t0.Add(2 * time.Minute)}, time.Minute)
	}
	assert.LessOrEqual(t, len(d.entries), 128, "expired entries nobody asks for go as the map grows")
	for i := range 100 {
		_, ok := d.get(defaultsKey{domainID: "d-b", kind: kindUserProfile, name: fmt.Sprint(i)}, t0.Add(2*time.Minute), time.Minute, time.Time{})
		require.True(t, ok, "fresh entries stay")
	}
}

// imageLevels answers the Describe calls with a JupyterLab and a CodeEditor image at the levels
// named (space, domainSpace, owner, domainUser), and a KernelGateway instance type at every
// level, which must not count for an image. The space is private to "owner1" when private.
func imageLevels(private bool, levels ...string) *stubAPI {
	set := map[string]bool{}
	for _, l := range levels {
		set[l] = true
	}
	image := func(level string) *types.ResourceSpec {
		spec := &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlM5Large}
		if set[level] {
			spec.SageMakerImageArn = aws.String("arn:aws:sagemaker:us-east-1:123456789012:image/" + level)
		}
		return spec
	}
	kg := &types.KernelGatewayAppSettings{DefaultResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlM5Large}}
	user := func(level string) *types.UserSettings {
		return &types.UserSettings{KernelGatewayAppSettings: kg,
			JupyterLabAppSettings: &types.JupyterLabAppSettings{DefaultResourceSpec: image(level)},
			CodeEditorAppSettings: &types.CodeEditorAppSettings{DefaultResourceSpec: image(level)}}
	}
	return &stubAPI{
		createApp: createdARN,
		describeDomain: func(*sagemaker.DescribeDomainInput) (*sagemaker.DescribeDomainOutput, error) {
			return &sagemaker.DescribeDomainOutput{
				DefaultUserSettings: user("domainUser"),
				DefaultSpaceSettings: &types.DefaultSpaceSettings{KernelGatewayAppSettings: kg,
					JupyterLabAppSettings: &types.JupyterLabAppSettings{DefaultResourceSpec: image("domainSpace")}},
			}, nil
		},
		describeUserProfile: func(*sagemaker.DescribeUserProfileInput) (*sagemaker.DescribeUserProfileOutput, error) {
			return &sagemaker.DescribeUserProfileOutput{UserSettings: user("owner")}, nil
		},
		describeSpace: func(*sagemaker.DescribeSpaceInput) (*sagemaker.DescribeSpaceOutput, error) {
			out := &sagemaker.DescribeSpaceOutput{SpaceSettings: &types.SpaceSettings{KernelGatewayAppSettings: kg,
				JupyterLabAppSettings: &types.SpaceJupyterLabAppSettings{DefaultResourceSpec: image("space")},
				CodeEditorAppSettings: &types.SpaceCodeEditorAppSettings{DefaultResourceSpec: image("space")}},
				SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared}}
			if private {
				out.SpaceSharingSettings.SharingType = types.SharingTypePrivate
				out.OwnershipSettings = &types.OwnershipSettings{OwnerUserProfileName: aws.String("owner1")}
			}
			return out, nil
		},
	}
}

func spaceAppWithoutImage(appType AppType) *sagemaker.CreateAppInput {
	return &sagemaker.CreateAppInput{DomainId: aws.String("d-xy7pqhqf3kz1"), SpaceName: aws.String("team"), AppType: appType,
		AppName: aws.String("default"), ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}}
}

// The image rule is the instance-type rule with another member: the same levels, per app type.
func TestImagePrecedence(t *testing.T) {
	tests := []struct {
		name     string
		appType  AppType
		private  bool
		levels   []string
		wantSent bool
		wantRead []string // the levels named in a refusal
	}{
		{name: "shared JupyterLab, no level", appType: types.AppTypeJupyterLab, levels: []string{"owner"},
			wantRead: []string{"space team's SpaceSettings.JupyterLabAppSettings", "DefaultSpaceSettings.JupyterLabAppSettings", "DefaultUserSettings.JupyterLabAppSettings"}},
		{name: "shared JupyterLab, space", appType: types.AppTypeJupyterLab, levels: []string{"space"}, wantSent: true},
		{name: "shared JupyterLab, domain space default", appType: types.AppTypeJupyterLab, levels: []string{"domainSpace"}, wantSent: true},
		{name: "shared JupyterLab, domain user default", appType: types.AppTypeJupyterLab, levels: []string{"domainUser"}, wantSent: true},
		{name: "private JupyterLab, owner", appType: types.AppTypeJupyterLab, private: true, levels: []string{"owner"}, wantSent: true},
		{name: "private JupyterLab, only the domain space default", appType: types.AppTypeJupyterLab, private: true, levels: []string{"domainSpace"},
			wantRead: []string{"space team's SpaceSettings.JupyterLabAppSettings", "owner owner1's UserSettings.JupyterLabAppSettings", "DefaultUserSettings.JupyterLabAppSettings"}},
		{name: "private CodeEditor, space", appType: types.AppTypeCodeEditor, private: true, levels: []string{"space"}, wantSent: true},
		{name: "shared CodeEditor, no DefaultSpaceSettings member", appType: types.AppTypeCodeEditor, levels: []string{"domainSpace"},
			wantRead: []string{"space team's SpaceSettings.CodeEditorAppSettings", "DefaultUserSettings.CodeEditorAppSettings"}},
		{name: "shared CodeEditor, domain user default", appType: types.AppTypeCodeEditor, levels: []string{"domainUser"}, wantSent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := imageLevels(tt.private, tt.levels...)
			_, err := New(api).CreateApp(context.Background(), spaceAppWithoutImage(tt.appType))
			if tt.wantSent {
				require.NoError(t, err)
				assert.Equal(t, 1, api.count("CreateApp"))
				assert.Nil(t, api.last["CreateApp"].(*sagemaker.CreateAppInput).ResourceSpec.SageMakerImageArn, "sent as given: the service applies the default")
				return
			}
			assert.Zero(t, api.count("CreateApp"), "refused before the call")
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "ResourceSpec.SageMakerImageArn", fe.Field)
			assert.Equal(t, FieldRequired, fe.Type)
			for _, level := range tt.wantRead {
				assert.Contains(t, fe.Detail, level)
			}
			if tt.appType == types.AppTypeCodeEditor {
				assert.NotContains(t, fe.Detail, "DefaultSpaceSettings", "DefaultSpaceSettings has no CodeEditor member")
			}
		})
	}
}

// The instance type and the image share the cache: a KernelGateway app and a JupyterLab app of one
// space read the space and the domain once between them.
func TestImageAndInstanceTypeShareTheReads(t *testing.T) {
	api := imageLevels(false, "domainUser")
	c := New(api)
	_, err := c.CreateApp(context.Background(), spaceAppWithoutImage(types.AppTypeJupyterLab))
	require.NoError(t, err)
	kg := spaceAppWithoutImage(types.AppTypeKernelGateway)
	kg.ResourceSpec = nil
	kg.AppName = aws.String("kg")
	_, err = c.CreateApp(context.Background(), kg)
	require.NoError(t, err)
	assert.Equal(t, 1, api.count("DescribeSpace"))
	assert.Equal(t, 1, api.count("DescribeDomain"))
	assert.Equal(t, 2, api.count("CreateApp"))
}

// A refusal of an image is never made on a cached view, as for the instance type.
func TestImageRefusalIsNeverMadeOnACachedView(t *testing.T) {
	api := imageLevels(false)
	c := New(api)
	_, err := c.CreateApp(context.Background(), spaceAppWithoutImage(types.AppTypeJupyterLab))
	require.ErrorIs(t, err, ErrInvalidInput)
	// An admin sets the space's default image.
	fresh := imageLevels(false, "space")
	api.describeSpace = fresh.describeSpace
	_, err = c.CreateApp(context.Background(), spaceAppWithoutImage(types.AppTypeJupyterLab))
	require.NoError(t, err)
	assert.Equal(t, 2, api.count("DescribeSpace"), "read again before refusing")
}

// A failed read of the levels sends the request, for the service to decide.
func TestImageFailedPreReadSendsTheRequest(t *testing.T) {
	api := imageLevels(false)
	api.describeSpace = func(*sagemaker.DescribeSpaceInput) (*sagemaker.DescribeSpaceOutput, error) {
		return nil, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	}
	_, err := New(api).CreateApp(context.Background(), spaceAppWithoutImage(types.AppTypeJupyterLab))
	require.NoError(t, err)
	assert.Equal(t, 1, api.count("CreateApp"))
}
