package sagemakerapp

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// DefaultDefaultsTTL is how long a Client keeps the instance-type defaults it read from a domain,
// user profile or space, unless Options.DefaultsTTL says otherwise.
const DefaultDefaultsTTL = 5 * time.Minute

// Options configure a Client. The zero value is ready to use: silent, defaults cached for
// DefaultDefaultsTTL, only instance types the SDK knows.
type Options struct {
	// Logger receives debug records of what the Client decided without failing: a skipped
	// instance-type check, say. Nil is silent.
	Logger *slog.Logger

	// DefaultsTTL is how long defaults read from the service stay cached, per domain and per user
	// profile or space. Zero means DefaultDefaultsTTL; a negative value reads them on every call
	// that needs them.
	DefaultsTTL time.Duration

	// AllowUnknownInstanceTypes lets instance types that the SDK does not list pass validation,
	// for a service that offers them before the SDK is upgraded. See AllowUnknownInstanceTypes.
	AllowUnknownInstanceTypes bool

	// Now returns the current time, for the defaults cache. Nil means time.Now.
	Now func() time.Time
}

func (o *Options) setDefaults() {
	if o.DefaultsTTL == 0 {
		o.DefaultsTTL = DefaultDefaultsTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// AppBuilder assembles a CreateApp request step by step. Its methods have value receivers and
// return a changed copy, so a builder can serve as a template for many apps:
//
//	base := client.NewApp(domainID, types.AppTypeJupyterLab, "default").Tag("team", "ml")
//	alice, err := base.ForUser("alice").Create(ctx)
//	bob, err := base.ForUser("bob").InstanceType(types.AppInstanceTypeMlT3Large).Create(ctx)
//
// Setters never fail; every problem is reported at once by Input or the terminal call. The zero
// AppBuilder has no Client: Input works, Create fails with an *APIError.
type AppBuilder struct {
	client       *Client
	domainID     string
	appType      AppType
	appName      string
	userProfile  *string
	space        *string
	spec         types.ResourceSpec
	recoveryMode *bool
	tags         []types.Tag
}

// NewApp starts a request for an app of type appType named appName in domain domainID. Name its
// owner with ForUser or InSpace.
func (c *Client) NewApp(domainID string, appType AppType, appName string) *AppBuilder {
	return &AppBuilder{client: c, domainID: domainID, appType: appType, appName: appName}
}

// ForUser makes the app a user profile's.
func (b AppBuilder) ForUser(userProfileName string) *AppBuilder {
	b.userProfile = &userProfileName
	return &b
}

// InSpace makes the app a space's.
func (b AppBuilder) InSpace(spaceName string) *AppBuilder {
	b.space = &spaceName
	return &b
}

// InstanceType sets ResourceSpec.InstanceType. Without it, the user profile's or space's default
// applies, then the domain's.
func (b AppBuilder) InstanceType(t InstanceType) *AppBuilder {
	b.spec.InstanceType = t
	return &b
}

// Image sets ResourceSpec.SageMakerImageArn.
func (b AppBuilder) Image(arn string) *AppBuilder {
	b.spec.SageMakerImageArn = &arn
	return &b
}

// ImageVersion sets ResourceSpec.SageMakerImageVersionArn; it wins over Image.
func (b AppBuilder) ImageVersion(arn string) *AppBuilder {
	b.spec.SageMakerImageVersionArn = &arn
	return &b
}

// ImageVersionAlias sets ResourceSpec.SageMakerImageVersionAlias, such as "2.3.1".
func (b AppBuilder) ImageVersionAlias(alias string) *AppBuilder {
	b.spec.SageMakerImageVersionAlias = &alias
	return &b
}

// LifecycleConfig sets ResourceSpec.LifecycleConfigArn.
func (b AppBuilder) LifecycleConfig(arn string) *AppBuilder {
	b.spec.LifecycleConfigArn = &arn
	return &b
}

// TrainingPlan sets ResourceSpec.TrainingPlanArn (JupyterLab and CodeEditor apps only).
func (b AppBuilder) TrainingPlan(arn string) *AppBuilder {
	b.spec.TrainingPlanArn = &arn
	return &b
}

// RecoveryMode sets RecoveryMode: whether the app starts in recovery mode.
func (b AppBuilder) RecoveryMode(on bool) *AppBuilder {
	b.recoveryMode = &on
	return &b
}

// Tag adds a tag. A key set again replaces its value and keeps its place, so a template's tag can
// be overridden.
func (b AppBuilder) Tag(key, value string) *AppBuilder {
	tags := slices.Clone(b.tags)
	i := slices.IndexFunc(tags, func(t types.Tag) bool { return aws.ToString(t.Key) == key })
	if i < 0 {
		tags = append(tags, types.Tag{Key: &key, Value: &value})
	} else {
		tags[i].Value = &value
	}
	b.tags = tags
	return &b
}

// Input returns the request the builder describes, validated as Client.CreateApp would validate
// it before any call (without the defaults, which need a call). The request is a fresh copy; on a
// problem it is returned along with the *ValidationError, for inspection.
func (b AppBuilder) Input() (*sagemaker.CreateAppInput, error) {
	in := b.input()
	cfg := validateConfig{}
	if b.client != nil {
		cfg.allowUnknownInstanceTypes = b.client.opts.AllowUnknownInstanceTypes
	}
	if ps := validateCreateApp(in, &cfg); ps != nil {
		return in, &ValidationError{Problems: ps}
	}
	return in, nil
}

func (b AppBuilder) input() *sagemaker.CreateAppInput {
	// Every pointer is fresh, so that changing the request never changes the builder.
	in := &sagemaker.CreateAppInput{
		DomainId:        aws.String(b.domainID),
		AppType:         b.appType,
		AppName:         aws.String(b.appName),
		UserProfileName: clonePtr(b.userProfile),
		SpaceName:       clonePtr(b.space),
		RecoveryMode:    clonePtr(b.recoveryMode),
	}
	if b.tags != nil {
		in.Tags = make([]types.Tag, len(b.tags))
		for i, t := range b.tags {
			in.Tags[i] = types.Tag{Key: clonePtr(t.Key), Value: clonePtr(t.Value)}
		}
	}
	if b.spec != (types.ResourceSpec{}) {
		in.ResourceSpec = &types.ResourceSpec{
			InstanceType:               b.spec.InstanceType,
			SageMakerImageArn:          clonePtr(b.spec.SageMakerImageArn),
			SageMakerImageVersionArn:   clonePtr(b.spec.SageMakerImageVersionArn),
			SageMakerImageVersionAlias: clonePtr(b.spec.SageMakerImageVersionAlias),
			LifecycleConfigArn:         clonePtr(b.spec.LifecycleConfigArn),
			TrainingPlanArn:            clonePtr(b.spec.TrainingPlanArn),
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

// Create validates the request and creates the app with Client.CreateApp.
func (b AppBuilder) Create(ctx context.Context) (*App, error) {
	if b.client == nil {
		if _, err := b.Input(); err != nil {
			return nil, err
		}
		return nil, &APIError{Operation: "CreateApp", Err: errNoAPI}
	}
	return b.client.CreateApp(ctx, b.input())
}
