package sagemakerapp

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// AppBuilder assembles a CreateApp request step by step. It is an immutable value: every setter
// has a value receiver and returns a changed copy (slices are cloned, never shared), so a builder
// can serve as a template for many apps, from many goroutines:
//
//	base := client.NewApp(domainID, types.AppTypeJupyterLab, "default").Image(image).Tag("team", "ml")
//	alice, err := base.InSpace("alice-jupyterlab").Create(ctx)
//	bob, err := base.InSpace("bob-jupyterlab").InstanceType(types.AppInstanceTypeMlT3Large).Create(ctx)
//
// (JupyterLab apps run in spaces, here each user's private space, and need an image, such as
// DistributionImage's.)
//
// Setters never fail; every problem is reported at once by Input or the terminal call. The zero
// AppBuilder has no Client: Input works, and Create reports the request's problems or, for a
// valid request, an *APIError saying that there is no Client.
type AppBuilder struct {
	client       *Client
	domainID     string
	appType      AppType
	appName      string
	userProfile  optional[string]
	space        optional[string]
	recoveryMode optional[bool]
	spec         specBuilder
	tags         []types.Tag
}

// optional is a value that is either set (possibly to its zero value) or not.
type optional[T any] struct {
	v  T
	ok bool
}

func some[T any](v T) optional[T] { return optional[T]{v: v, ok: true} }

// ptr returns a fresh pointer to the value, or nil when it is not set.
func (o optional[T]) ptr() *T {
	if !o.ok {
		return nil
	}
	v := o.v
	return &v
}

// specBuilder holds the ResourceSpec members a builder sets. It mirrors the members the builder
// has setters for, so that a member the SDK adds to ResourceSpec changes nothing here.
type specBuilder struct {
	instanceType    InstanceType
	image           optional[string]
	imageVersion    optional[string]
	alias           optional[string]
	lifecycleConfig optional[string]
	trainingPlan    optional[string]
}

func (s *specBuilder) isSet() bool {
	return s.instanceType != "" || s.image.ok || s.imageVersion.ok || s.alias.ok || s.lifecycleConfig.ok || s.trainingPlan.ok
}

// NewApp starts a request for an app of type appType named appName in domain domainID. Name its
// owner with ForUser or InSpace.
func (c *Client) NewApp(domainID string, appType AppType, appName string) AppBuilder {
	return AppBuilder{client: c, domainID: domainID, appType: appType, appName: appName}
}

// ForUser makes the app a user profile's: for app types that run on a user profile, such as the
// Studio Classic KernelGateway and JupyterServer (created only in domains that still run Studio
// Classic), Canvas and TensorBoard. JupyterLab and CodeEditor apps run in a space: InSpace.
func (b AppBuilder) ForUser(userProfileName string) AppBuilder {
	b.userProfile = some(userProfileName)
	return b
}

// InSpace makes the app a space's, as JupyterLab and CodeEditor apps must be (see PrivateSpace
// and EnsureSpace for one user's own space).
func (b AppBuilder) InSpace(spaceName string) AppBuilder {
	b.space = some(spaceName)
	return b
}

// InstanceType sets ResourceSpec.InstanceType. Without it, the user profile's or space's default
// applies, then the domain's (see the package doc).
func (b AppBuilder) InstanceType(t InstanceType) AppBuilder {
	b.spec.instanceType = t
	return b
}

// Image sets ResourceSpec.SageMakerImageArn.
func (b AppBuilder) Image(arn string) AppBuilder {
	b.spec.image = some(arn)
	return b
}

// ImageVersion sets ResourceSpec.SageMakerImageVersionArn; it wins over Image.
func (b AppBuilder) ImageVersion(arn string) AppBuilder {
	b.spec.imageVersion = some(arn)
	return b
}

// ImageVersionAlias sets ResourceSpec.SageMakerImageVersionAlias, such as "2.3.1".
func (b AppBuilder) ImageVersionAlias(alias string) AppBuilder {
	b.spec.alias = some(alias)
	return b
}

// LifecycleConfig sets ResourceSpec.LifecycleConfigArn.
func (b AppBuilder) LifecycleConfig(arn string) AppBuilder {
	b.spec.lifecycleConfig = some(arn)
	return b
}

// TrainingPlan sets ResourceSpec.TrainingPlanArn (JupyterLab and CodeEditor apps; "None" clears
// it on any app type).
func (b AppBuilder) TrainingPlan(arn string) AppBuilder {
	b.spec.trainingPlan = some(arn)
	return b
}

// RecoveryMode sets RecoveryMode: whether the app starts in recovery mode.
func (b AppBuilder) RecoveryMode(on bool) AppBuilder {
	b.recoveryMode = some(on)
	return b
}

// Tag adds a tag. A key set again replaces its value and keeps its place, so a template's tag can
// be overridden.
func (b AppBuilder) Tag(key, value string) AppBuilder {
	tags := slices.Clone(b.tags)
	i := slices.IndexFunc(tags, func(t types.Tag) bool { return aws.ToString(t.Key) == key })
	if i < 0 {
		tags = append(tags, types.Tag{Key: &key, Value: &value})
	} else {
		tags[i].Value = &value
	}
	b.tags = tags
	return b
}

// Input returns the request the builder describes, validated as Client.CreateApp validates it
// before any call (without the instance-type defaults, which need a call). The request is a
// fresh copy that shares no memory with the builder; on a problem it is returned along with the
// *ValidationError, for inspection.
func (b AppBuilder) Input() (*sagemaker.CreateAppInput, error) {
	in := b.input()
	if ps := validateCreateApp(in, b.client.validateConfig()); ps != nil {
		return in, &ValidationError{Problems: ps}
	}
	return in, nil
}

func (b AppBuilder) input() *sagemaker.CreateAppInput {
	in := &sagemaker.CreateAppInput{
		DomainId:        aws.String(b.domainID),
		AppType:         b.appType,
		AppName:         aws.String(b.appName),
		UserProfileName: b.userProfile.ptr(),
		SpaceName:       b.space.ptr(),
		RecoveryMode:    b.recoveryMode.ptr(),
	}
	if b.tags != nil {
		in.Tags = make([]types.Tag, len(b.tags))
		for i, t := range b.tags {
			in.Tags[i] = types.Tag{Key: clonePtr(t.Key), Value: clonePtr(t.Value)}
		}
	}
	if s := &b.spec; s.isSet() {
		in.ResourceSpec = &types.ResourceSpec{
			InstanceType:               s.instanceType,
			SageMakerImageArn:          s.image.ptr(),
			SageMakerImageVersionArn:   s.imageVersion.ptr(),
			SageMakerImageVersionAlias: s.alias.ptr(),
			LifecycleConfigArn:         s.lifecycleConfig.ptr(),
			TrainingPlanArn:            s.trainingPlan.ptr(),
		}
	}
	return in
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Create validates the request and creates the app with Client.CreateApp. The app is Pending;
// CreateAndWait or Ensure wait for it to be InService.
func (b AppBuilder) Create(ctx context.Context) (*App, error) {
	if b.client == nil {
		return nil, b.noClient()
	}
	return b.client.CreateApp(ctx, b.input())
}

// CreateAndWait creates the app with Client.CreateApp and waits for it to be InService, as
// Client.WaitForApp does; WaitOptions.Timeout bounds both. An app that exists already is
// ErrResourceInUse: use Ensure to adopt it.
func (b AppBuilder) CreateAndWait(ctx context.Context, optFns ...func(*WaitOptions)) (*App, error) {
	if b.client == nil {
		return nil, b.noClient()
	}
	in := b.input()
	w := b.client.newWaiter(appIDOf(in), newWaitOptions(optFns), "InService")
	w.judged.since = w.judged.graceFrom
	ctx, cancel := w.bound(ctx)
	defer cancel()
	w.join()
	defer w.leave()
	app, err := b.client.CreateApp(ctx, in, w.opts.ClientOptions...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, w.contextError(ctx, err)
		}
		return nil, err
	}
	w.seen.observe(app)
	w.look.described = app
	w.lookNow() // the create was the first look
	return b.client.waitInService(ctx, w)
}

// Ensure makes the app exist and be InService with Client.EnsureApp: created if missing or
// Failed or Deleted, adopted (tags added) if there with this spec, an *AppConflictError if there
// with another.
func (b AppBuilder) Ensure(ctx context.Context, optFns ...func(*WaitOptions)) (*App, error) {
	if b.client == nil {
		return nil, b.noClient()
	}
	return b.client.EnsureApp(ctx, b.input(), optFns...)
}

// noClient is the error of a terminal call on a builder without a Client: the request's problems
// if it has any, else an *APIError.
func (b AppBuilder) noClient() error {
	if _, err := b.Input(); err != nil {
		return err
	}
	return &APIError{Operation: "CreateApp", Err: errNoAPI}
}
