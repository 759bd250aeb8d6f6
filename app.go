package sagemakerapp

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// API is the part of the SageMaker client that the library calls. *sagemaker.Client satisfies it;
// so does a test double, or a client wrapped for metrics.
type API interface {
	CreateApp(ctx context.Context, in *sagemaker.CreateAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreateAppOutput, error)
	DescribeApp(ctx context.Context, in *sagemaker.DescribeAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeAppOutput, error)
	DeleteApp(ctx context.Context, in *sagemaker.DeleteAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeleteAppOutput, error)
	ListApps(ctx context.Context, in *sagemaker.ListAppsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListAppsOutput, error)
	DescribeDomain(ctx context.Context, in *sagemaker.DescribeDomainInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeDomainOutput, error)
	DescribeUserProfile(ctx context.Context, in *sagemaker.DescribeUserProfileInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeUserProfileOutput, error)
	DescribeSpace(ctx context.Context, in *sagemaker.DescribeSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeSpaceOutput, error)
	AddTags(ctx context.Context, in *sagemaker.AddTagsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.AddTagsOutput, error)
	ListTags(ctx context.Context, in *sagemaker.ListTagsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error)
}

var _ API = (*sagemaker.Client)(nil)

// Client creates and inspects Studio apps through an API. Every call validates its request first
// and sends nothing the library knows the service would refuse; every error it returns is nil, a
// context error, a *ValidationError (ErrInvalidInput), or wraps an *APIError.
//
// A Client is safe for concurrent use. Build it with New or NewFromConfig; the zero Client has no
// API, and its calls fail with an *APIError that says so.
type Client struct {
	api      API
	opts     Options
	defaults defaultsCache
	polls    domainPolls
	obs      observer
}

// New returns a Client that calls api. optFns change the default Options. Every call the Client
// makes through api carries the user-agent key "sagemakerapp/" + Version, as a per-call option.
func New(api API, optFns ...func(*Options)) *Client {
	c := &Client{}
	for _, fn := range optFns {
		fn(&c.opts)
	}
	c.opts.setDefaults()
	c.api = c.observe(api)
	return c
}

// NewFromConfig returns a Client over sagemaker.NewFromConfig(cfg). To set SDK client options as
// well (an endpoint, a retryer), build the SDK client yourself and pass it to New.
func NewFromConfig(cfg aws.Config, optFns ...func(*Options)) *Client {
	return New(sagemaker.NewFromConfig(cfg), optFns...)
}

// AppID names one app: its domain, exactly one of its user profile or space, its type and name.
// DescribeApp, DeleteApp and the waits take any AppType of the shape of one (ASCII letters and
// digits), so that apps of a type newer than the SDK can still be read; CreateApp checks the
// SDK's enum unless Options.AllowUnknownAppTypes is set.
type AppID struct {
	DomainID        string
	UserProfileName string
	SpaceName       string
	AppType         AppType
	AppName         string
}

// String returns the app's path as its ARN writes it, domain/owner/type/name, with the owner
// marked as a space where it is one: "d-abc123/alice/JupyterLab/default",
// "d-abc123/space:team/JupyterLab/default".
func (id AppID) String() string {
	owner := id.UserProfileName
	if id.SpaceName != "" {
		owner = "space:" + id.SpaceName
	}
	return id.DomainID + "/" + owner + "/" + string(id.AppType) + "/" + id.AppName
}

// App is a Studio app as the service last reported it.
type App struct {
	// ARN is the app's ARN, as the service returned it.
	ARN string
	// ID names the app.
	ID AppID
	// Status is the app's status. After CreateApp it is Pending: the service has accepted the
	// app and starts it in the background.
	Status types.AppStatus
	// FailureReason says why a Failed app failed.
	FailureReason string
	// ResourceSpec is the app's resources. After CreateApp it is the requested spec (nil when the
	// request had none); DescribeApp reports the spec in effect, defaults applied.
	ResourceSpec *types.ResourceSpec
	// CreationTime is when the service created the app; zero after CreateApp, which does not say.
	CreationTime time.Time
	// RecoveryMode reports whether the app runs in recovery mode.
	RecoveryMode bool
	// LastHealthCheckTimestamp and LastUserActivityTimestamp are the service's last health check
	// of the app and the last user activity it saw; zero when it reported none.
	LastHealthCheckTimestamp, LastUserActivityTimestamp time.Time
	// BuiltInLifecycleConfigArn is the built-in lifecycle configuration the app runs, if any.
	BuiltInLifecycleConfigArn string
	// EffectiveTrustedIdentityPropagationStatus reports whether trusted identity propagation is
	// in effect for the app (from the domain's settings).
	EffectiveTrustedIdentityPropagationStatus types.FeatureStatus
}

// errNoAPI is wrapped in an *APIError, whose text already names the package.
var errNoAPI = errors.New("the Client has no API; build it with New or NewFromConfig")

// CreateApp validates in (see Validate), reads the instance-type defaults when the app needs them
// (a KernelGateway app without an instance type: see the package doc), and calls CreateApp with
// optFns, the SDK's per-call options. An invalid request returns a *ValidationError and sends
// nothing. The returned App is Pending and shares no memory with in. Every attempt the SDK makes,
// retries included, first waits for Options.CreateLimiter, if set.
//
// CreateApp has no client token, and the SDK retries it after throttling, server faults and
// lost responses. When a retry is answered ResourceInUse after an earlier attempt whose outcome
// is unknown (its answer was lost, or was a 5xx), that attempt may have created the app: CreateApp
// then describes it and claims it only if it is Pending or InService, has the requested spec and
// exactly the requested tags, and was created within the attempts' window on the service's clock
// (measured from the Date of the service's answers; Options.ClockSkew where none was seen). A
// throttled attempt is a definite refusal and never leads to a claim. What stays best-effort
// without a client token: another caller's CreateApp of the same app with the same spec and tags
// within about two seconds before an attempt of this call whose answer was lost (the Date header
// is precise to a second) cannot be told from this call's own, and both are told success; and a
// restart (an app of that name Deleted less than 24 hours ago keeps its CreationTime) cannot be
// told from another's, so it is reported as ErrResourceInUse. EnsureApp, which compares what it
// finds with what it asked for, is right in both cases, and reports a claimed app as adopted. Attempts are watched by a middleware added
// through the per-call options; an API that ignores them (a test double) gets no recovery.
func (c *Client) CreateApp(ctx context.Context, in *sagemaker.CreateAppInput, optFns ...func(*sagemaker.Options)) (*App, error) {
	app, _, err := c.createApp(ctx, in, optFns, createHooks{})
	return app, err
}

// createHooks are what a caller of createApp adds to each attempt: limiters to wait for, a
// function called before an attempt waits for them, and one called as it is sent, after the
// limiters let it go.
type createHooks struct {
	limiters   []CreateLimiter
	beforeWait func()
	onSend     func()
}

// createApp is CreateApp, which also reports whether the outcome of an attempt is unknown: the
// request may have created the app although the call failed, or the app returned was claimed by
// the lost-answer recovery rather than proved this call's.
func (c *Client) createApp(ctx context.Context, in *sagemaker.CreateAppInput, optFns []func(*sagemaker.Options), hooks createHooks) (_ *App, _ bool, err error) {
	if ps := validateCreateApp(in, c.validateConfig()); ps != nil {
		return nil, false, &ValidationError{Problems: ps}
	}
	if c.api == nil {
		return nil, false, &APIError{Operation: "CreateApp", Err: errNoAPI}
	}
	if err := c.checkDefaults(ctx, in, optFns); err != nil {
		return nil, false, err
	}
	ctx, sp := c.obs.startCreate(ctx, in)
	defer func() { sp.end(err) }()
	att := &createAttempts{now: c.now, beforeWait: hooks.beforeWait, onSend: hooks.onSend, obs: &c.obs}
	if c.opts.CreateLimiter != nil {
		att.limiters = append(att.limiters, c.opts.CreateLimiter)
	}
	att.limiters = append(att.limiters, hooks.limiters...)
	out, err := c.api.CreateApp(ctx, in, append(optFns[:len(optFns):len(optFns)], att.option)...)
	if err != nil {
		err = mapError(ctx, "CreateApp", err)
		sum := att.summary()
		if errors.Is(err, ErrResourceInUse) && sum.unknownFrom != (time.Time{}) {
			app := c.recoverLostCreate(ctx, in, sum, optFns)
			sp.recovery(app != nil)
			if app != nil {
				return app, true, nil // claimed, not proved: another caller may have made it just before
			}
		}
		return nil, sum.unknownFrom != (time.Time{}), err
	}
	return &App{
		ARN:          aws.ToString(out.AppArn),
		ID:           appIDOf(in),
		Status:       types.AppStatusPending,
		ResourceSpec: cloneResourceSpec(in.ResourceSpec),
		RecoveryMode: aws.ToBool(in.RecoveryMode),
	}, false, nil
}

// recoverLostCreate returns the app in names if an attempt of the CreateApp call that sum
// describes made it: the app is Pending or InService, has the requested spec and tags, and was
// created within the attempts' window on the service's clock. Otherwise, or if it cannot tell, it
// returns nil.
func (c *Client) recoverLostCreate(ctx context.Context, in *sagemaker.CreateAppInput, sum attemptSummary, optFns []func(*sagemaker.Options)) *App {
	app, err := c.DescribeApp(ctx, appIDOf(in), optFns...)
	if err != nil || (app.Status != types.AppStatusPending && app.Status != types.AppStatusInService) ||
		specDiff(in, app.ResourceSpec) != nil || !sum.window(c.opts.ClockSkew).contains(app.CreationTime) {
		return nil
	}
	if same, err := c.hasExactlyTags(ctx, app.ARN, in.Tags, optFns); err != nil || !same {
		return nil
	}
	c.logger().LogAttrs(ctx, slog.LevelDebug, "sagemakerapp: CreateApp was answered ResourceInUse for the app an earlier attempt created",
		slog.String("app", app.ARN))
	return app
}

// createAttempts watches the attempts the SDK's retryer makes of one CreateApp, through a
// middleware right after the retry middleware: it holds each attempt to the create limiters and
// records what each attempt's outcome says.
type createAttempts struct {
	limiters   []CreateLimiter
	beforeWait func()
	onSend     func()
	now        func() time.Time
	obs        *observer // records the limiters' waits

	mu  sync.Mutex
	sum attemptSummary
}

// attemptSummary is what the attempts of one CreateApp call showed.
type attemptSummary struct {
	n           int
	unknownFrom time.Time     // when the first attempt whose outcome is unknown began; zero if none
	last        time.Time     // when the last attempt ended
	skew        time.Duration // the service's clock minus ours, from the Date of an answer
	skewKnown   bool
}

// timeWindow is a span of the service's clock.
type timeWindow struct{ from, to time.Time }

func (w timeWindow) contains(t time.Time) bool {
	return !t.IsZero() && !t.Before(w.from) && !t.After(w.to)
}

// dateResolution is the precision of an HTTP Date header, from which the skew is measured.
const dateResolution = time.Second

// window is when, on the service's clock, an attempt whose outcome is unknown may have created
// the app: from the first such attempt to the end of the last attempt, widened by the precision of
// the measured skew, or by fallback when the service's clock was not seen.
func (s attemptSummary) window(fallback time.Duration) timeWindow {
	if s.skewKnown {
		return timeWindow{s.unknownFrom.Add(s.skew - 2*dateResolution), s.last.Add(s.skew + 2*dateResolution)}
	}
	return timeWindow{s.unknownFrom.Add(-fallback), s.last.Add(fallback)}
}

func (a *createAttempts) summary() attemptSummary {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sum
}

func (a *createAttempts) option(o *sagemaker.Options) {
	o.APIOptions = append(o.APIOptions, a.addMiddleware)
}

func (a *createAttempts) addMiddleware(stack *middleware.Stack) error {
	m := middleware.FinalizeMiddlewareFunc("sagemakerapp.CreateAttempts", a.handle)
	if _, ok := stack.Finalize.Get("Retry"); ok {
		return stack.Finalize.Insert(m, "Retry", middleware.After)
	}
	return stack.Finalize.Add(m, middleware.Before)
}

func (a *createAttempts) handle(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	waitFrom := a.now()
	if a.beforeWait != nil && len(a.limiters) > 0 {
		a.beforeWait()
	}
	for _, l := range a.limiters {
		if err := l.Wait(ctx); err != nil {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, err
		}
	}
	if len(a.limiters) > 0 {
		a.obs.limiterWaited(ctx, a.now().Sub(waitFrom))
	}
	if a.onSend != nil {
		a.onSend()
	}
	start := a.now()
	out, md, err := next.HandleFinalize(ctx, in)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sum.n++
	a.sum.last = a.now()
	if skew, ok := awsmiddleware.GetAttemptSkew(md); ok {
		a.sum.skew, a.sum.skewKnown = skew, true
	}
	if a.sum.unknownFrom.IsZero() && outcomeUnknown(err) {
		a.sum.unknownFrom = start
	}
	return out, md, err
}

// outcomeUnknown reports whether an attempt that ended in err may have created the app: its answer
// was lost or cut short (no response, or a success whose body did not arrive whole), or the
// service failed (5xx). A 4xx answer (throttling, validation, ResourceInUse) is a definite refusal,
// and so is a connection that was never made.
func outcomeUnknown(err error) bool {
	if err == nil {
		return false
	}
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.Response != nil {
		status := resp.HTTPStatusCode()
		return status >= 500 || status < 400
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	return true
}

// validateConfig is the validation the Client's options ask for; a nil Client asks for the
// defaults.
func (c *Client) validateConfig() *validateConfig {
	if c == nil {
		return &validateConfig{}
	}
	return &validateConfig{
		allowUnknownInstanceTypes: c.opts.AllowUnknownInstanceTypes,
		allowUnknownAppTypes:      c.opts.AllowUnknownAppTypes,
	}
}

func appIDOf(in *sagemaker.CreateAppInput) AppID {
	return AppID{
		DomainID:        aws.ToString(in.DomainId),
		UserProfileName: aws.ToString(in.UserProfileName),
		SpaceName:       aws.ToString(in.SpaceName),
		AppType:         in.AppType,
		AppName:         aws.ToString(in.AppName),
	}
}

// cloneResourceSpec returns a deep copy of s, so that an App never aliases a caller's request.
func cloneResourceSpec(s *types.ResourceSpec) *types.ResourceSpec {
	if s == nil {
		return nil
	}
	return &types.ResourceSpec{
		InstanceType:               s.InstanceType,
		LifecycleConfigArn:         clonePtr(s.LifecycleConfigArn),
		SageMakerImageArn:          clonePtr(s.SageMakerImageArn),
		SageMakerImageVersionAlias: clonePtr(s.SageMakerImageVersionAlias),
		SageMakerImageVersionArn:   clonePtr(s.SageMakerImageVersionArn),
		TrainingPlanArn:            clonePtr(s.TrainingPlanArn),
	}
}

// DescribeApp returns the app that id names, with optFns as the SDK's per-call options. A
// missing app is ErrResourceNotFound. The app type need not be one the SDK knows (see
// AppID.AppType).
func (c *Client) DescribeApp(ctx context.Context, id AppID, optFns ...func(*sagemaker.Options)) (*App, error) {
	if err := id.validate(); err != nil {
		return nil, err
	}
	if c.api == nil {
		return nil, &APIError{Operation: "DescribeApp", Err: errNoAPI}
	}
	out, err := c.api.DescribeApp(ctx, &sagemaker.DescribeAppInput{
		DomainId:        aws.String(id.DomainID),
		AppType:         id.AppType,
		AppName:         aws.String(id.AppName),
		UserProfileName: nonEmpty(id.UserProfileName),
		SpaceName:       nonEmpty(id.SpaceName),
	}, optFns...)
	if err != nil {
		return nil, mapError(ctx, "DescribeApp", err)
	}
	return appFromDescribe(id, out), nil
}

func appFromDescribe(id AppID, out *sagemaker.DescribeAppOutput) *App {
	return &App{
		ARN:                       aws.ToString(out.AppArn),
		ID:                        id,
		Status:                    out.Status,
		FailureReason:             aws.ToString(out.FailureReason),
		ResourceSpec:              out.ResourceSpec,
		CreationTime:              aws.ToTime(out.CreationTime),
		RecoveryMode:              aws.ToBool(out.RecoveryMode),
		LastHealthCheckTimestamp:  aws.ToTime(out.LastHealthCheckTimestamp),
		LastUserActivityTimestamp: aws.ToTime(out.LastUserActivityTimestamp),
		BuiltInLifecycleConfigArn: aws.ToString(out.BuiltInLifecycleConfigArn),
		EffectiveTrustedIdentityPropagationStatus: out.EffectiveTrustedIdentityPropagationStatus,
	}
}

// DeleteApp stops and deletes the app that id names, with optFns as the SDK's per-call options.
// The app moves to Deleting, then Deleted; WaitForAppDeleted waits for that. DeleteApp is
// idempotent: an app that is already Deleting, Deleted, Failed (the service deletes a failed app
// itself) or not found is success. A Pending app cannot be deleted yet: DeleteApp waits, at the
// default WaitOptions (within their Timeout and ctx), for it to leave Pending, and then deletes it.
// That is, it deletes whatever app of that name is there once it is InService; to stop only an
// app as you saw it, use DeleteApps, which never deletes an app started again after its listing.
func (c *Client) DeleteApp(ctx context.Context, id AppID, optFns ...func(*sagemaker.Options)) error {
	if err := id.validate(); err != nil {
		return err
	}
	if c.api == nil {
		return &APIError{Operation: "DeleteApp", Err: errNoAPI}
	}
	k, act := deleteKnown{mode: deleteAny}, deleteAction{kind: actDelete}
	var w *waiter
	for {
		var o deleteObs
		switch act.kind {
		case actSucceed:
			return nil
		case actFail:
			return act.err
		case actDelete:
			o = deleteObs{answer: true, err: c.deleteOnce(ctx, id, optFns)}
		case actLook:
			if w == nil { // the first look: Pending, or Deleting already
				opts := newWaitOptions(nil)
				opts.ClientOptions = optFns
				w = c.newWaiter(id, opts, "out of Pending")
				w.lookNow() // the delete was the first look: the next comes after a pause
				var cancel context.CancelFunc
				ctx, cancel = w.bound(ctx)
				defer cancel()
			}
			app, err, final := w.next(ctx)
			if final != nil {
				return final
			}
			o = deleteObs{app: app, notFound: errors.Is(err, ErrResourceNotFound), err: err}
		}
		k, act = decideDelete(k, o)
	}
}

// deleteOnce makes one DeleteApp of the app id, without waiting for anything.
func (c *Client) deleteOnce(ctx context.Context, id AppID, optFns []func(*sagemaker.Options)) error {
	_, err := c.api.DeleteApp(ctx, &sagemaker.DeleteAppInput{
		DomainId:        aws.String(id.DomainID),
		AppType:         id.AppType,
		AppName:         aws.String(id.AppName),
		UserProfileName: nonEmpty(id.UserProfileName),
		SpaceName:       nonEmpty(id.SpaceName),
	}, optFns...)
	return mapError(ctx, "DeleteApp", err)
}

// isGone reports whether err says that the app is deleted already: ResourceNotFound, or the
// ValidationExceptions the service answers DeleteApp with for a deleted or failed app. The
// service gives these no code of their own, so the message is read, here and only here.
func isGone(err error) bool {
	if errors.Is(err, ErrResourceNotFound) {
		return true
	}
	var e *APIError
	return errors.As(err, &e) && e.Code == "ValidationException" &&
		(strings.Contains(e.Message, "has already been deleted") || strings.Contains(e.Message, "previously failed and was automatically deleted"))
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// validate applies the CreateApp rules for the members an AppID holds, except that the app type
// need only have the shape of one: reading or deleting an app of a type newer than the SDK works.
func (id AppID) validate() error {
	var ps problems
	domainIDRule.required(&ps, field("DomainId"), &id.DomainID)
	nameRule.required(&ps, field("AppName"), &id.AppName)
	validateAppType(&ps, id.AppType, true)
	validateOwner(&ps, nonEmpty(id.UserProfileName), nonEmpty(id.SpaceName))
	if ps != nil {
		return &ValidationError{Problems: ps}
	}
	return nil
}

// ParseAppARN splits an app ARN,
// arn:<partition>:sagemaker:<region>:<account>:app/<domain>/<owner>/<app type>/<app name>, into an
// AppID. The app-type segment is matched without regard to case, as real ARNs write it in lower
// case.
//
// The owner segment names a user profile or a space, and the ARN does not say which: ParseAppARN
// puts it in UserProfileName. For a space app, move it to SpaceName, or look the app up with
// ListApps, which reports the owner's kind.
func ParseAppARN(arn string) (AppID, error) {
	bad := func(detail string) (AppID, error) {
		return AppID{}, &ValidationError{Problems: []*FieldError{{Field: "AppArn", Type: FieldInvalid, Value: arn, Detail: detail}}}
	}
	if !matchAppARN(arn) {
		return bad("must match the pattern ^" + patternAppARN + "$")
	}
	_, resource, _ := strings.Cut(arn, ":app/")
	parts := strings.Split(resource, "/")
	if len(parts) != 4 {
		return bad("must have four segments after app/: domain, user profile or space, app type, app name")
	}
	var appType AppType
	for _, t := range types.AppType("").Values() {
		if strings.EqualFold(string(t), parts[2]) {
			appType = t
		}
	}
	if appType == "" {
		return bad("names an app type the SDK does not know: " + parts[2])
	}
	id := AppID{DomainID: parts[0], UserProfileName: parts[1], AppType: appType, AppName: parts[3]}
	if err := id.validate(); err != nil {
		return AppID{}, err
	}
	return id, nil
}

// logger returns the configured logger; the default one discards everything.
func (c *Client) logger() *slog.Logger {
	if c.opts.Logger == nil {
		return discardLogger
	}
	return c.opts.Logger
}

var discardLogger = slog.New(slog.DiscardHandler)
