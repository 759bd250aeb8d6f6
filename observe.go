package sagemakerapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/middleware"
	"github.com/aws/smithy-go/tracing"
)

// Version is the version of this module. Every call a Client makes carries "sagemakerapp/" +
// Version in its User-Agent header, after the SDK's own entries, so that the library's calls can
// be told from others in CloudTrail (the event's userAgent) and in the service's logs.
const Version = "0.3.0"

// Observability: the spans and metrics of the library's own work (the package doc lists them).
// Everything goes through smithy-go's tracing and metrics interfaces, the ones the SDK itself
// reports to, so that one adapter (smithy-go's smithyoteltracing and smithyotelmetrics for
// OpenTelemetry) lights both and the core module depends on no telemetry SDK. With the no-op
// providers, which are the default, nothing here allocates or records.

// scope names the library to tracer and meter providers.
const scope = "github.com/studioapp/sagemakerapp"

// The spans of the library's own work. Each is the parent of the SDK's spans of the calls it makes
// ("SageMaker.CreateApp", "SageMaker.DescribeApp", …): a span is started with the tracer and its
// context passed down.
const (
	spanCreateApp         = "sagemakerapp.CreateApp"
	spanWaitForApp        = "sagemakerapp.WaitForApp"
	spanWaitForAppDeleted = "sagemakerapp.WaitForAppDeleted"
	spanEnsureApp         = "sagemakerapp.EnsureApp"
	spanEnsureApps        = "sagemakerapp.EnsureApps"
	spanEnsureSpace       = "sagemakerapp.EnsureSpace"
	spanEnsureSpaces      = "sagemakerapp.EnsureSpaces"
)

// Span attributes.
const (
	attrApp             = "sagemakerapp.app"              // domain/owner/type/name, as AppID.String
	attrAppType         = "sagemakerapp.app_type"         // the app's type
	attrSpace           = "sagemakerapp.space"            // domain/name of a space
	attrOutcome         = "sagemakerapp.outcome"          // what an Ensure did: an Outcome
	attrRecoveryRan     = "sagemakerapp.recovery.ran"     // CreateApp looked for the app a lost answer may have made
	attrRecoveryClaimed = "sagemakerapp.recovery.claimed" // … and found it, and returned it as its own
	attrBatchSize       = "sagemakerapp.batch.size"       // inputs of EnsureApps or EnsureSpaces
	attrBatchFailed     = "sagemakerapp.batch.failed"     // of them, those that ended with an error
)

// The metrics, and their attributes.
const (
	metricTimeToInService = "sagemakerapp.app.time_to_in_service" // histogram, s; app_type
	metricPolls           = "sagemakerapp.polls"                  // counter; kind=describe|list
	metricLimiterWait     = "sagemakerapp.create_limiter.wait"    // histogram, s
	metricThrottles       = "sagemakerapp.throttles"              // counter; rpc.method
	metricEnsureOutcomes  = "sagemakerapp.ensure.outcomes"        // counter; outcome

	metricAttrAppType   = "app_type"
	metricAttrKind      = "kind"
	metricAttrOperation = "rpc.method"
	metricAttrOutcome   = "outcome"
)

// observer holds a Client's tracer and instruments. The zero observer, which a Client with no-op
// providers has, does nothing.
type observer struct {
	tracer tracing.Tracer // nil: no spans

	// Each instrument is nil when metrics are off, or when the meter could not make it.
	timeToInService metrics.Float64Histogram
	polls           metrics.Int64Counter
	limiterWait     metrics.Float64Histogram
	throttles       metrics.Int64Counter
	outcomes        metrics.Int64Counter

	// perAttempt: the API is a *sagemaker.Client, whose attempts a middleware watches, so that
	// a throttled attempt the SDK retried counts too; any other API's calls are counted by their
	// final error, as its retries are out of sight.
	perAttempt bool
}

// observe sets the Client's observer up from its Options and api, and returns the API the Client
// calls: api, wrapped so that every call carries the user-agent key and is watched for throttling.
func (c *Client) observe(api API) API {
	tp, mp := c.opts.TracerProvider, c.opts.MeterProvider
	sdk, isSDK := api.(*sagemaker.Client)
	isSDK = isSDK && sdk != nil
	if isSDK && (tp == nil || mp == nil) {
		so := sdk.Options()
		if tp == nil {
			tp = so.TracerProvider
		}
		if mp == nil {
			mp = so.MeterProvider
		}
	}
	o := &c.obs
	switch tp.(type) {
	case nil, tracing.NopTracerProvider, *tracing.NopTracerProvider:
	default:
		o.tracer = tp.Tracer(scope)
	}
	switch mp.(type) {
	case nil, metrics.NopMeterProvider, *metrics.NopMeterProvider:
	default:
		o.instruments(mp.Meter(scope), c.logger())
	}
	o.perAttempt = isSDK
	if api == nil {
		return nil
	}
	a := &callAPI{api: api, obs: o, perAttempt: isSDK && o.throttles != nil}
	a.opt, a.countAttempts = a.option, o.countThrottledAttempts
	a.only = []func(*sagemaker.Options){a.opt}
	if s, ok := api.(SpacesAPI); ok {
		sa := &spacesCallAPI{callAPI: a, spaces: s}
		if ad, ok := api.(AdminAPI); ok {
			return &adminCallAPI{spacesCallAPI: sa, admin: ad}
		}
		return sa
	}
	return a
}

// instruments makes the instruments from m. One the meter refuses is left out, and logged.
func (o *observer) instruments(m metrics.Meter, log *slog.Logger) {
	unit := func(u, desc string) metrics.InstrumentOption {
		return func(io *metrics.InstrumentOptions) { io.UnitLabel, io.Description = u, desc }
	}
	var errs []error
	keep := func(err error) { errs = append(errs, err) }
	var err error
	// A meter that fails may return a nil instrument, which leaves that metric off.
	o.timeToInService, err = m.Float64Histogram(metricTimeToInService,
		unit("s", "Time from the CreateApp an Ensure or CreateAndWait made to the app's InService, by app type."))
	keep(err)
	o.polls, err = m.Int64Counter(metricPolls, unit("{call}", "Looks of waits at their apps, by kind: describe (DescribeApp) or list (a ListApps page shared by the waits of a domain)."))
	keep(err)
	o.limiterWait, err = m.Float64Histogram(metricLimiterWait, unit("s", "Time CreateApp attempts waited for the create limiters (Options.CreateLimiter, BatchOptions.CreatesPerSecond)."))
	keep(err)
	o.throttles, err = m.Int64Counter(metricThrottles, unit("{attempt}", "Calls, or attempts of the SDK's retries, the service throttled, by operation."))
	keep(err)
	o.outcomes, err = m.Int64Counter(metricEnsureOutcomes, unit("{app}", "Ensures of apps (EnsureApp, each app of EnsureApps) by what they did: created, adopted, recreated, replaced, conflict, failed."))
	keep(err)
	if err := errors.Join(errs...); err != nil {
		log.LogAttrs(context.Background(), slog.LevelDebug, "sagemakerapp: the meter refused an instrument; it is left out", slog.Any("error", err))
	}
}

// span is a span of the library's own work. The zero span, when tracing is off, does nothing;
// its methods take typed values so that nothing is boxed for it.
type span struct{ s tracing.Span }

// start starts a span named name as a child of ctx's span, and returns the context that carries it.
func (o *observer) start(ctx context.Context, name string) (context.Context, span) {
	if o.tracer == nil {
		return ctx, span{}
	}
	ctx, s := o.tracer.StartSpan(ctx, name)
	return ctx, span{s}
}

// startApp starts a span about the app id.
func (o *observer) startApp(ctx context.Context, name string, id AppID) (context.Context, span) {
	ctx, sp := o.start(ctx, name)
	if sp.s != nil {
		sp.setString(attrApp, id.String())
		sp.setString(attrAppType, string(id.AppType))
	}
	return ctx, sp
}

// startCreate starts the span of a CreateApp of in; recovery sets whether it ran.
func (o *observer) startCreate(ctx context.Context, in *sagemaker.CreateAppInput) (context.Context, span) {
	ctx, sp := o.startApp(ctx, spanCreateApp, appIDOf(in))
	sp.setBool(attrRecoveryRan, false)
	return ctx, sp
}

func (sp span) setString(k, v string) {
	if sp.s != nil {
		sp.s.SetProperty(k, v)
	}
}

func (sp span) setBool(k string, v bool) {
	if sp.s != nil {
		sp.s.SetProperty(k, v)
	}
}

func (sp span) setInt(k string, v int) {
	if sp.s != nil {
		sp.s.SetProperty(k, v)
	}
}

// end ends the span; an error marks it failed, with the attributes the SDK's spans use.
func (sp span) end(err error) {
	if sp.s == nil {
		return
	}
	if err != nil {
		sp.s.SetStatus(tracing.SpanStatusError)
		sp.s.SetProperty("exception.type", fmt.Sprintf("%T", err))
		sp.s.SetProperty("exception.message", err.Error())
	}
	sp.s.End()
}

// recovery records on a CreateApp span that the lost-response recovery ran, and whether it
// claimed the app.
func (sp span) recovery(claimed bool) {
	sp.setBool(attrRecoveryRan, true)
	sp.setBool(attrRecoveryClaimed, claimed)
}

// ensured ends an Ensure's span with its outcome, counts the outcome, and, for an app this call
// created (since is when its CreateApp began; zero for any other outcome), records the time to
// InService.
func (o *observer) ensured(ctx context.Context, sp span, id AppID, since time.Time, now time.Time, outcome Outcome, err error) {
	sp.setString(attrOutcome, string(outcome))
	if o.outcomes != nil {
		o.outcomes.Add(ctx, 1, attr(metricAttrOutcome, string(outcome)))
	}
	if err == nil {
		o.inService(ctx, id, since, now)
	}
	sp.end(err)
}

// inService records the time to InService of an app created at since; a zero since (an app the
// call found) records nothing.
func (o *observer) inService(ctx context.Context, id AppID, since, now time.Time) {
	if o.timeToInService == nil || since.IsZero() {
		return
	}
	o.timeToInService.Record(ctx, now.Sub(since).Seconds(), attr(metricAttrAppType, string(id.AppType)))
}

// The kinds of poll, as attributes made once.
var (
	pollDescribe = attr(metricAttrKind, "describe")
	pollList     = attr(metricAttrKind, "list")
)

// poll counts one look of a wait: kind is pollDescribe or pollList.
func (o *observer) poll(ctx context.Context, kind metrics.RecordMetricOption) {
	if o.polls != nil {
		o.polls.Add(ctx, 1, kind)
	}
}

// limiterWaited records how long a CreateApp attempt waited for its create limiters.
func (o *observer) limiterWaited(ctx context.Context, d time.Duration) {
	if o != nil && o.limiterWait != nil {
		o.limiterWait.Record(ctx, d.Seconds())
	}
}

// throttled counts err if it says the service throttled operation.
func (o *observer) throttled(ctx context.Context, operation string, err error) {
	if o.throttles != nil && errors.Is(mapError(ctx, operation, err), ErrThrottled) {
		o.throttles.Add(ctx, 1, attr(metricAttrOperation, operation))
	}
}

// batchDone sets the size and the failures of a batch on its span, and ends it.
func (sp span) batchDone(n int, errs func(int) error) {
	if sp.s == nil {
		return
	}
	failed := 0
	for i := range n {
		if errs(i) != nil {
			failed++
		}
	}
	sp.setInt(attrBatchSize, n)
	sp.setInt(attrBatchFailed, failed)
	sp.s.End()
}

// endApps ends the span of an EnsureApps call.
func (sp span) endApps(results []Result) {
	sp.batchDone(len(results), func(i int) error { return results[i].Err })
}

// endSpaces ends the span of an EnsureSpaces call.
func (sp span) endSpaces(results []SpaceResult) {
	sp.batchDone(len(results), func(i int) error { return results[i].Err })
}

func attr(k, v string) metrics.RecordMetricOption {
	return func(o *metrics.RecordMetricOptions) { o.Properties.Set(k, v) }
}

// userAgent adds the library's key to the User-Agent of a call.
var userAgent = awsmiddleware.AddUserAgentKeyValue("sagemakerapp", Version)

// callAPI is the API a Client calls through: it adds to every call the per-call option that puts
// the library's user-agent key on it (and, for a *sagemaker.Client, counts its throttled
// attempts), so that this is done in one place for every call, whichever path makes it.
type callAPI struct {
	api        API
	obs        *observer
	perAttempt bool // throttled attempts are counted by a middleware

	// Made once, so that a call allocates none of them.
	opt           func(*sagemaker.Options)   // a.option
	only          []func(*sagemaker.Options) // {opt}, for a call without options of its own
	countAttempts func(*middleware.Stack) error
}

// spacesCallAPI is a callAPI over an API that is a SpacesAPI as well, so that the Client's
// type assertion for SpacesAPI still finds it.
type spacesCallAPI struct {
	*callAPI
	spaces SpacesAPI
}

// adminCallAPI is a spacesCallAPI over an API that is an AdminAPI as well, so that the Client's
// type assertion for AdminAPI still finds it.
type adminCallAPI struct {
	*spacesCallAPI
	admin AdminAPI
}

var (
	_ API            = (*callAPI)(nil)
	_ SpacesAPI      = (*spacesCallAPI)(nil)
	_ spacesAdminAPI = (*adminCallAPI)(nil)
)

func (a *adminCallAPI) UpdateSpace(ctx context.Context, in *sagemaker.UpdateSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.UpdateSpaceOutput, error) {
	out, err := a.admin.UpdateSpace(ctx, in, a.with(optFns)...)
	a.done(ctx, "UpdateSpace", err)
	return out, err
}

func (a *adminCallAPI) DeleteSpace(ctx context.Context, in *sagemaker.DeleteSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeleteSpaceOutput, error) {
	out, err := a.admin.DeleteSpace(ctx, in, a.with(optFns)...)
	a.done(ctx, "DeleteSpace", err)
	return out, err
}

func (a *adminCallAPI) DeleteUserProfile(ctx context.Context, in *sagemaker.DeleteUserProfileInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeleteUserProfileOutput, error) {
	out, err := a.admin.DeleteUserProfile(ctx, in, a.with(optFns)...)
	a.done(ctx, "DeleteUserProfile", err)
	return out, err
}

func (a *callAPI) option(o *sagemaker.Options) {
	o.APIOptions = append(o.APIOptions, userAgent)
	if a.perAttempt {
		o.APIOptions = append(o.APIOptions, a.countAttempts)
	}
}

// with returns optFns and the Client's own option after them, never changing optFns' array.
func (a *callAPI) with(optFns []func(*sagemaker.Options)) []func(*sagemaker.Options) {
	if len(optFns) == 0 {
		return a.only
	}
	return append(optFns[:len(optFns):len(optFns)], a.opt)
}

// done counts a throttled call, when no middleware counted its attempts.
func (a *callAPI) done(ctx context.Context, operation string, err error) {
	if err != nil && !a.perAttempt {
		a.obs.throttled(ctx, operation, err)
	}
}

// countThrottledAttempts adds a middleware right after the SDK's retry middleware, which sees
// each attempt's error, and counts the throttled ones.
func (o *observer) countThrottledAttempts(stack *middleware.Stack) error {
	m := middleware.FinalizeMiddlewareFunc("sagemakerapp.Throttles", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleFinalize(ctx, in)
		if err != nil {
			o.throttled(ctx, middleware.GetOperationName(ctx), err)
		}
		return out, md, err
	})
	if _, ok := stack.Finalize.Get("Retry"); ok {
		return stack.Finalize.Insert(m, "Retry", middleware.After)
	}
	return stack.Finalize.Add(m, middleware.Before)
}

func (a *callAPI) CreateApp(ctx context.Context, in *sagemaker.CreateAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreateAppOutput, error) {
	out, err := a.api.CreateApp(ctx, in, a.with(optFns)...)
	a.done(ctx, "CreateApp", err)
	return out, err
}

func (a *callAPI) DescribeApp(ctx context.Context, in *sagemaker.DescribeAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeAppOutput, error) {
	out, err := a.api.DescribeApp(ctx, in, a.with(optFns)...)
	a.done(ctx, "DescribeApp", err)
	return out, err
}

func (a *callAPI) DeleteApp(ctx context.Context, in *sagemaker.DeleteAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeleteAppOutput, error) {
	out, err := a.api.DeleteApp(ctx, in, a.with(optFns)...)
	a.done(ctx, "DeleteApp", err)
	return out, err
}

func (a *callAPI) ListApps(ctx context.Context, in *sagemaker.ListAppsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListAppsOutput, error) {
	out, err := a.api.ListApps(ctx, in, a.with(optFns)...)
	a.done(ctx, "ListApps", err)
	return out, err
}

func (a *callAPI) DescribeDomain(ctx context.Context, in *sagemaker.DescribeDomainInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeDomainOutput, error) {
	out, err := a.api.DescribeDomain(ctx, in, a.with(optFns)...)
	a.done(ctx, "DescribeDomain", err)
	return out, err
}

func (a *callAPI) DescribeUserProfile(ctx context.Context, in *sagemaker.DescribeUserProfileInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeUserProfileOutput, error) {
	out, err := a.api.DescribeUserProfile(ctx, in, a.with(optFns)...)
	a.done(ctx, "DescribeUserProfile", err)
	return out, err
}

func (a *callAPI) DescribeSpace(ctx context.Context, in *sagemaker.DescribeSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeSpaceOutput, error) {
	out, err := a.api.DescribeSpace(ctx, in, a.with(optFns)...)
	a.done(ctx, "DescribeSpace", err)
	return out, err
}

func (a *callAPI) AddTags(ctx context.Context, in *sagemaker.AddTagsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.AddTagsOutput, error) {
	out, err := a.api.AddTags(ctx, in, a.with(optFns)...)
	a.done(ctx, "AddTags", err)
	return out, err
}

func (a *callAPI) ListTags(ctx context.Context, in *sagemaker.ListTagsInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListTagsOutput, error) {
	out, err := a.api.ListTags(ctx, in, a.with(optFns)...)
	a.done(ctx, "ListTags", err)
	return out, err
}

func (a *spacesCallAPI) CreateSpace(ctx context.Context, in *sagemaker.CreateSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreateSpaceOutput, error) {
	out, err := a.spaces.CreateSpace(ctx, in, a.with(optFns)...)
	a.done(ctx, "CreateSpace", err)
	return out, err
}

func (a *spacesCallAPI) ListSpaces(ctx context.Context, in *sagemaker.ListSpacesInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListSpacesOutput, error) {
	out, err := a.spaces.ListSpaces(ctx, in, a.with(optFns)...)
	a.done(ctx, "ListSpaces", err)
	return out, err
}

func (a *spacesCallAPI) CreatePresignedDomainUrl(ctx context.Context, in *sagemaker.CreatePresignedDomainUrlInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreatePresignedDomainUrlOutput, error) {
	out, err := a.spaces.CreatePresignedDomainUrl(ctx, in, a.with(optFns)...)
	a.done(ctx, "CreatePresignedDomainUrl", err)
	return out, err
}

// ensureSpaceTraced is ensureSpace in an EnsureSpace span: EnsureSpace and EnsureSpaces call it.
func (c *Client) ensureSpaceTraced(ctx context.Context, api SpacesAPI, in *sagemaker.CreateSpaceInput, opts WaitOptions, beforeCreate func(context.Context) error) (*Space, error) {
	ctx, sp := c.obs.start(ctx, spanEnsureSpace)
	if sp.s != nil {
		sp.setString(attrSpace, aws.ToString(in.DomainId)+"/"+aws.ToString(in.SpaceName))
	}
	s, err := c.ensureSpace(ctx, api, in, opts, beforeCreate)
	sp.end(err)
	return s, err
}
