package sagemakerapp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// memTracer is an in-memory smithy-go TracerProvider. A span started on a context that carries
// a span is its child: StartSpan puts the new span on the returned context (smithy-go's span
// lineage, as the OpenTelemetry adapter does), and a span started on that context reads it there.
type memTracer struct {
	mu    sync.Mutex
	spans []*memSpan
}

func (m *memTracer) Tracer(scope string, _ ...tracing.TracerOption) tracing.Tracer {
	return memScopedTracer{m: m, scope: scope}
}

type memScopedTracer struct {
	m     *memTracer
	scope string
}

func (t memScopedTracer) StartSpan(ctx context.Context, name string, opts ...tracing.SpanOption) (context.Context, tracing.Span) {
	var o tracing.SpanOptions
	for _, fn := range opts {
		fn(&o)
	}
	s := &memSpan{name: name, scope: t.scope, props: map[any]any{}}
	for k, v := range o.Properties.Values() {
		s.props[k] = v
	}
	if p, ok := tracing.GetSpan(ctx); ok {
		s.parent, _ = p.(*memSpan)
	}
	t.m.mu.Lock()
	t.m.spans = append(t.m.spans, s)
	t.m.mu.Unlock()
	return tracing.WithSpan(ctx, s), s
}

// named returns the spans called name, in the order they started.
func (m *memTracer) named(name string) []*memSpan {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*memSpan
	for _, s := range m.spans {
		if s.name == name {
			out = append(out, s)
		}
	}
	return out
}

type memSpan struct {
	name, scope string
	parent      *memSpan

	mu     sync.Mutex
	props  map[any]any
	status tracing.SpanStatus
	ended  bool
}

func (s *memSpan) Name() string                            { return s.name }
func (s *memSpan) Context() tracing.SpanContext            { return tracing.SpanContext{} }
func (s *memSpan) AddEvent(string, ...tracing.EventOption) {}
func (s *memSpan) SetStatus(st tracing.SpanStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = st
}
func (s *memSpan) SetProperty(k, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.props[k] = v
}
func (s *memSpan) End() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = true
}

func (s *memSpan) prop(k string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.props[k]
}

func (s *memSpan) isEnded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

// memMeter is an in-memory smithy-go MeterProvider: every value recorded, with its attributes.
type memMeter struct {
	mu     sync.Mutex
	points []memPoint
}

type memPoint struct {
	scope, name string
	value       float64
	attrs       map[any]any
}

func (m *memMeter) Meter(scope string, _ ...metrics.MeterOption) metrics.Meter {
	return memScopedMeter{m: m, scope: scope}
}

type memScopedMeter struct {
	metrics.NopMeter // the instruments neither the SDK nor the library records to
	m                *memMeter
	scope            string
}

func (s memScopedMeter) Int64Counter(name string, _ ...metrics.InstrumentOption) (metrics.Int64Counter, error) {
	return memInt{s, name}, nil
}

func (s memScopedMeter) Int64Histogram(name string, _ ...metrics.InstrumentOption) (metrics.Int64Histogram, error) {
	return memInt{s, name}, nil
}

func (s memScopedMeter) Float64Histogram(name string, _ ...metrics.InstrumentOption) (metrics.Float64Histogram, error) {
	return memFloat{s, name}, nil
}

func (s memScopedMeter) record(name string, v float64, opts []metrics.RecordMetricOption) {
	var o metrics.RecordMetricOptions
	for _, fn := range opts {
		fn(&o)
	}
	attrs := map[any]any{}
	for k, v := range o.Properties.Values() {
		attrs[k] = v
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.points = append(s.m.points, memPoint{scope: s.scope, name: name, value: v, attrs: attrs})
}

type memInt struct {
	s    memScopedMeter
	name string
}

func (i memInt) Add(_ context.Context, v int64, opts ...metrics.RecordMetricOption) {
	i.s.record(i.name, float64(v), opts)
}

func (i memInt) Record(_ context.Context, v int64, opts ...metrics.RecordMetricOption) {
	i.s.record(i.name, float64(v), opts)
}

type memFloat struct {
	s    memScopedMeter
	name string
}

func (f memFloat) Record(_ context.Context, v float64, opts ...metrics.RecordMetricOption) {
	f.s.record(f.name, v, opts)
}

// values returns the values recorded to name whose attributes include attrs (key, value, …).
func (m *memMeter) values(name string, attrs ...string) []float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []float64
next:
	for _, p := range m.points {
		if p.name != name {
			continue
		}
		for i := 0; i+1 < len(attrs); i += 2 {
			if p.attrs[attrs[i]] != attrs[i+1] {
				continue next
			}
		}
		out = append(out, p.value)
	}
	return out
}

func (m *memMeter) sum(name string, attrs ...string) float64 {
	var s float64
	for _, v := range m.values(name, attrs...) {
		s += v
	}
	return s
}

// requests counts the fake's requests of op; with code, only those answered with that error.
func requests(srv *sagemakerfake.Server, op, code string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Operation == op && (code == "" || r.ErrorCode == code) {
			n++
		}
	}
	return n
}

// advancingLimiter is a CreateLimiter that makes every caller wait d on the fake's clock.
type advancingLimiter struct {
	srv *sagemakerfake.Server
	d   time.Duration
}

func (l *advancingLimiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.srv.Advance(l.d)
	return nil
}

// observedEnv is newEnv with tr and mt wired into both the library's Options and the SDK
// client's, and with optFns applied to the Client's Options after them.
func observedEnv(t *testing.T, tr *memTracer, mt *memMeter, optFns ...func(*Options)) *env {
	t.Helper()
	e := newEnv(t)
	sdk := e.srv.Client(fastRetries, e.countAttempts, func(o *sagemaker.Options) { o.TracerProvider, o.MeterProvider = tr, mt })
	e.c = New(sdk, append([]func(*Options){func(o *Options) {
		o.Now, o.Sleep = e.srv.Now, e.sleep
		o.TracerProvider, o.MeterProvider = tr, mt
	}}, optFns...)...)
	return e
}

// One Ensure: the library's spans are the parents of the SDK's, with the outcome and the
// recovery on them, and each metric has the value the fake's request log and clock give.
func TestObservabilityOfOneEnsure(t *testing.T) {
	tr, mt := &memTracer{}, &memMeter{}
	lim := &advancingLimiter{d: 3 * time.Second}
	e := observedEnv(t, tr, mt, func(o *Options) { o.CreateLimiter = lim })
	lim.srv = e.srv
	e.srv.InjectFault("CreateApp", sagemakerfake.Fault{Code: "ThrottlingException", Times: 1})

	t0 := e.srv.Now()
	app, err := e.c.EnsureApp(context.Background(), e.input("obs"))
	require.NoError(t, err)
	require.Equal(t, types.AppStatusInService, app.Status)
	elapsed := e.srv.Now().Sub(t0)

	ensures := tr.named("sagemakerapp.EnsureApp")
	require.Len(t, ensures, 1)
	ensure := ensures[0]
	assert.Nil(t, ensure.parent, "the Ensure is a root span here")
	assert.Equal(t, scope, ensure.scope)
	assert.True(t, ensure.isEnded())
	assert.Equal(t, string(OutcomeCreated), ensure.prop(attrOutcome))
	assert.Equal(t, e.id("obs").String(), ensure.prop(attrApp))
	assert.Equal(t, "JupyterLab", ensure.prop(attrAppType))

	creates := tr.named("sagemakerapp.CreateApp")
	require.Len(t, creates, 1)
	assert.Same(t, ensure, creates[0].parent, "the library's CreateApp is a child of the Ensure")
	assert.Equal(t, false, creates[0].prop(attrRecoveryRan), "a throttled attempt is a definite refusal: no recovery")
	assert.True(t, creates[0].isEnded())

	sdkCreates := tr.named("SageMaker.CreateApp")
	require.Len(t, sdkCreates, 1, "one CreateApp call, its two attempts inside it")
	assert.Same(t, creates[0], sdkCreates[0].parent, "the SDK's CreateApp span is a child of the library's CreateApp")
	describes := tr.named("SageMaker.DescribeApp")
	require.NotEmpty(t, describes)
	assert.Len(t, describes, requests(e.srv, "DescribeApp", ""))
	for _, d := range describes {
		assert.Same(t, ensure, d.parent, "every SDK DescribeApp span is a child of the Ensure")
	}
	assert.Len(t, tr.named("SageMaker.ListTags"), 0, "a created app needs no tag reconciliation")

	// Metrics, against the fake's request log and clock.
	assert.Equal(t, float64(requests(e.srv, "DescribeApp", "")), mt.sum(metricPolls, metricAttrKind, "describe"), "describe polls are the DescribeApp calls")
	assert.Empty(t, mt.values(metricPolls, metricAttrKind, "list"), "one wait alone shares no ListApps")
	require.Equal(t, 1, requests(e.srv, "CreateApp", "ThrottlingException"))
	assert.Equal(t, 1.0, mt.sum(metricThrottles, metricAttrOperation, "CreateApp"), "the throttled attempt the SDK retried is counted")
	assert.Equal(t, 1.0, mt.sum(metricThrottles), "nothing else was throttled")
	assert.Equal(t, []float64{3, 3}, mt.values(metricLimiterWait), "each of the two attempts waited 3 s for the limiter")
	assert.Equal(t, []float64{1}, mt.values(metricEnsureOutcomes, metricAttrOutcome, "created"))
	assert.Equal(t, []float64{elapsed.Seconds()}, mt.values(metricTimeToInService, metricAttrAppType, "JupyterLab"),
		"the create began at once, so the time to InService is the whole Ensure on the fake's clock")
	assert.GreaterOrEqual(t, elapsed, 6*time.Second)

	// The SDK's own metrics reach the same meter, under the SDK's scope.
	mt.mu.Lock()
	sdkPoints := 0
	for _, p := range mt.points {
		if p.scope == "github.com/aws/aws-sdk-go-v2/service/sagemaker" {
			sdkPoints++
		}
	}
	mt.mu.Unlock()
	assert.Positive(t, sdkPoints)
}

// The lost-response recovery shows on the CreateApp span: it ran, and claimed the app.
func TestObservabilityCreateAppRecovery(t *testing.T) {
	tr, mt := &memTracer{}, &memMeter{}
	e := observedEnv(t, tr, mt)
	e.srv.InjectFault("CreateApp", sagemakerfake.Fault{DropAfterCommit: true, Times: 1})
	_, err := e.c.CreateApp(context.Background(), e.input("lost"))
	require.NoError(t, err, "the app the lost attempt made is claimed")
	creates := tr.named("sagemakerapp.CreateApp")
	require.Len(t, creates, 1)
	assert.Nil(t, creates[0].parent)
	assert.Equal(t, true, creates[0].prop(attrRecoveryRan))
	assert.Equal(t, true, creates[0].prop(attrRecoveryClaimed))
	describes := tr.named("SageMaker.DescribeApp")
	require.Len(t, describes, 1, "the recovery described the app")
	assert.Same(t, creates[0], describes[0].parent)
	assert.Empty(t, mt.values(metricPolls), "the recovery's DescribeApp is not a wait's poll")
}

// EnsureApps: one span for the batch, a child EnsureApp span per app; the shared ListApps
// rounds and the DescribeApp calls are the polls counted; every outcome is counted.
func TestObservabilityOfABatch(t *testing.T) {
	tr, mt := &memTracer{}, &memMeter{}
	e := observedEnv(t, tr, mt)
	ins := []*sagemaker.CreateAppInput{e.input("b1"), e.input("b2"), e.input("b3")}
	for _, r := range e.c.EnsureApps(context.Background(), ins, func(o *BatchOptions) { o.CreatesPerSecond = -1 }) {
		require.NoError(t, r.Err)
	}
	batches := tr.named("sagemakerapp.EnsureApps")
	require.Len(t, batches, 1)
	assert.True(t, batches[0].isEnded())
	assert.Equal(t, 3, batches[0].prop(attrBatchSize))
	assert.Equal(t, 0, batches[0].prop(attrBatchFailed))
	ensures := tr.named("sagemakerapp.EnsureApp")
	require.Len(t, ensures, 3)
	for _, s := range ensures {
		assert.Same(t, batches[0], s.parent)
		assert.Equal(t, string(OutcomeCreated), s.prop(attrOutcome))
	}
	lists := tr.named("SageMaker.ListApps")
	require.NotEmpty(t, lists)
	assert.Same(t, batches[0], lists[0].parent, "the batch's first look, one ListApps of the domain, is its own")
	for _, l := range lists[1:] {
		assert.Same(t, batches[0], l.parent.parent, "a shared round is made within one of the batch's Ensures")
	}
	assert.Equal(t, float64(requests(e.srv, "DescribeApp", "")), mt.sum(metricPolls, metricAttrKind, "describe"))
	assert.Equal(t, float64(requests(e.srv, "ListApps", "")), mt.sum(metricPolls, metricAttrKind, "list"))
	assert.Positive(t, requests(e.srv, "ListApps", ""), "three waits on one domain share ListApps rounds")
	assert.Equal(t, []float64{1, 1, 1}, mt.values(metricEnsureOutcomes, metricAttrOutcome, "created"))
	assert.Len(t, mt.values(metricTimeToInService, metricAttrAppType, "JupyterLab"), 3)
}

// A conflict is the outcome on the span and in the counter, and the span is marked failed.
func TestObservabilityOfAConflict(t *testing.T) {
	tr, mt := &memTracer{}, &memMeter{}
	e := observedEnv(t, tr, mt)
	_, err := e.c.EnsureApp(context.Background(), e.input("c"))
	require.NoError(t, err)
	other := e.input("c")
	other.ResourceSpec.InstanceType = types.AppInstanceTypeMlT3Large
	_, err = e.c.EnsureApp(context.Background(), other)
	var conflict *AppConflictError
	require.ErrorAs(t, err, &conflict)
	ensures := tr.named("sagemakerapp.EnsureApp")
	require.Len(t, ensures, 2)
	assert.Equal(t, string(OutcomeConflict), ensures[1].prop(attrOutcome))
	assert.Equal(t, tracing.SpanStatusError, ensures[1].status)
	assert.Equal(t, "*sagemakerapp.AppConflictError", ensures[1].prop("exception.type"))
	assert.Equal(t, []float64{1}, mt.values(metricEnsureOutcomes, metricAttrOutcome, "conflict"))
	assert.Len(t, mt.values(metricTimeToInService), 1, "only the app this Client created has a time to InService")
}

// The waits and EnsureSpace have their spans, parents of the SDK's.
func TestObservabilityOfWaitsAndSpaces(t *testing.T) {
	tr, mt := &memTracer{}, &memMeter{}
	e := observedEnv(t, tr, mt)
	ctx := context.Background()

	sp, err := e.c.EnsureSpace(ctx, PrivateSpace(e.domainID, "obs-space", "alice", types.AppTypeJupyterLab))
	require.NoError(t, err)
	spaces := tr.named("sagemakerapp.EnsureSpace")
	require.Len(t, spaces, 1)
	assert.Equal(t, e.domainID+"/"+sp.Name, spaces[0].prop(attrSpace))
	sdkCreateSpace := tr.named("SageMaker.CreateSpace")
	require.Len(t, sdkCreateSpace, 1)
	assert.Same(t, spaces[0], sdkCreateSpace[0].parent)

	rs := e.c.EnsureSpaces(ctx, []*sagemaker.CreateSpaceInput{PrivateSpace(e.domainID, "obs-space-2", "alice", types.AppTypeJupyterLab)})
	require.NoError(t, rs[0].Err)
	batches := tr.named("sagemakerapp.EnsureSpaces")
	require.Len(t, batches, 1)
	require.Len(t, tr.named("sagemakerapp.EnsureSpace"), 2)
	assert.Same(t, batches[0], tr.named("sagemakerapp.EnsureSpace")[1].parent)

	app, err := e.builder("w").CreateAndWait(ctx)
	require.NoError(t, err)
	waits := tr.named("sagemakerapp.WaitForApp")
	require.Len(t, waits, 1, "CreateAndWait's wait has its span")
	assert.Len(t, mt.values(metricTimeToInService), 1, "CreateAndWait created the app: its time to InService is recorded")

	_, err = e.c.WaitForApp(ctx, app.ID)
	require.NoError(t, err)
	require.Len(t, tr.named("sagemakerapp.WaitForApp"), 2)
	assert.Len(t, mt.values(metricTimeToInService), 1, "a wait for an app it did not create records none")
	last := tr.named("SageMaker.DescribeApp")
	assert.Same(t, tr.named("sagemakerapp.WaitForApp")[1], last[len(last)-1].parent)

	require.NoError(t, e.c.DeleteApp(ctx, app.ID))
	require.NoError(t, e.c.WaitForAppDeleted(ctx, app.ID))
	deleted := tr.named("sagemakerapp.WaitForAppDeleted")
	require.Len(t, deleted, 1)
	assert.True(t, deleted[0].isEnded())
	last = tr.named("SageMaker.DescribeApp")
	assert.Same(t, deleted[0], last[len(last)-1].parent)
}

// By default the Client traces and meters to the SDK client's own providers; an API that is not
// a *sagemaker.Client gives none unless Options name them.
func TestObservabilityDefaults(t *testing.T) {
	t.Run("the SDK client's providers", func(t *testing.T) {
		tr, mt := &memTracer{}, &memMeter{}
		e := newEnv(t)
		sdk := e.srv.Client(fastRetries, func(o *sagemaker.Options) { o.TracerProvider, o.MeterProvider = tr, mt })
		c := New(sdk, func(o *Options) { o.Now, o.Sleep = e.srv.Now, e.sleep })
		_, err := c.EnsureApp(context.Background(), e.input("d"))
		require.NoError(t, err)
		require.Len(t, tr.named("sagemakerapp.EnsureApp"), 1)
		assert.Same(t, tr.named("sagemakerapp.EnsureApp")[0], tr.named("SageMaker.DescribeApp")[0].parent)
		assert.Equal(t, []float64{1}, mt.values(metricEnsureOutcomes, metricAttrOutcome, "created"))
	})
	t.Run("Options win over the SDK client's", func(t *testing.T) {
		ours, theirs := &memTracer{}, &memTracer{}
		e := newEnv(t)
		sdk := e.srv.Client(fastRetries, func(o *sagemaker.Options) { o.TracerProvider = theirs })
		c := New(sdk, func(o *Options) { o.Now, o.Sleep, o.TracerProvider = e.srv.Now, e.sleep, ours })
		_, err := c.EnsureApp(context.Background(), e.input("o"))
		require.NoError(t, err)
		assert.Len(t, ours.named("sagemakerapp.EnsureApp"), 1)
		assert.Empty(t, theirs.named("sagemakerapp.EnsureApp"))
		assert.NotEmpty(t, theirs.named("SageMaker.DescribeApp"), "the SDK still traces to its own")
	})
	t.Run("another API", func(t *testing.T) {
		api := &stubAPI{describeApp: func(*sagemaker.DescribeAppInput) (*sagemaker.DescribeAppOutput, error) {
			return &sagemaker.DescribeAppOutput{Status: types.AppStatusInService, AppArn: aws.String("arn")}, nil
		}}
		id := AppID{DomainID: "d-abc123", UserProfileName: "alice", AppType: types.AppTypeKernelGateway, AppName: "k"}
		_, err := New(api).WaitForApp(context.Background(), id)
		require.NoError(t, err, "no providers: nothing to record, and nothing breaks")

		tr, mt := &memTracer{}, &memMeter{}
		_, err = New(api, func(o *Options) { o.TracerProvider, o.MeterProvider = tr, mt }).WaitForApp(context.Background(), id)
		require.NoError(t, err)
		assert.Len(t, tr.named("sagemakerapp.WaitForApp"), 1)
		assert.Equal(t, []float64{1}, mt.values(metricPolls, metricAttrKind, "describe"))
	})
}

// Over an API that is not a *sagemaker.Client, whose attempts are out of sight, a throttled call
// is counted once.
func TestObservabilityThrottlesOfAnotherAPI(t *testing.T) {
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	api := &stubAPI{describeApp: func(*sagemaker.DescribeAppInput) (*sagemaker.DescribeAppOutput, error) { return nil, throttled }}
	mt := &memMeter{}
	c := New(api, func(o *Options) { o.MeterProvider = mt })
	id := AppID{DomainID: "d-abc123", UserProfileName: "alice", AppType: types.AppTypeKernelGateway, AppName: "k"}
	_, err := c.DescribeApp(context.Background(), id)
	require.ErrorIs(t, err, ErrThrottled)
	_, err = c.DescribeApp(context.Background(), id)
	require.ErrorIs(t, err, ErrThrottled)
	assert.Equal(t, []float64{1, 1}, mt.values(metricThrottles, metricAttrOperation, "DescribeApp"))

	api.describeApp = func(*sagemaker.DescribeAppInput) (*sagemaker.DescribeAppOutput, error) {
		return nil, errors.New("boom")
	}
	_, err = c.DescribeApp(context.Background(), id)
	require.Error(t, err)
	assert.Len(t, mt.values(metricThrottles), 2, "another error is no throttle")
}

// The wrapper the Client calls through keeps SpacesAPI reachable, and an API without it stays
// without it.
func TestCallAPIKeepsSpacesAPI(t *testing.T) {
	srv := sagemakerfake.Start(t)
	_, ok := New(srv.Client()).api.(SpacesAPI)
	assert.True(t, ok, "a *sagemaker.Client is still a SpacesAPI through the wrapper")
	_, ok = New(&stubAPI{}).api.(SpacesAPI)
	assert.False(t, ok, "an API without the spaces methods does not gain them")
	assert.Nil(t, New(nil).api, "no API stays no API")
}

// Every call the library makes carries sagemakerapp/<Version> in its User-Agent, as the fake
// receives it; a call of the SDK client alone does not.
func TestUserAgentOnEveryCall(t *testing.T) {
	srv, err := sagemakerfake.NewHandler(sagemakerfake.WithClock(sagemakerfake.NewManualClock(time.Now())))
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	agents := map[string][]string{} // by operation
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "SageMaker.")
		mu.Lock()
		agents[op] = append(agents[op], r.Header.Get("User-Agent"))
		mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	sdk := srv.Client(fastRetries, func(o *sagemaker.Options) { o.BaseEndpoint, o.HTTPClient = aws.String(ts.URL), ts.Client() })
	sleep := func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
	c := New(sdk, func(o *Options) { o.Now, o.Sleep = srv.Now, sleep })

	domainID, err := srv.SeedDomain("", &sagemaker.CreateDomainInput{
		DomainName: aws.String("ua"), AuthMode: types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{ExecutionRole: aws.String("arn:aws:iam::123456789012:role/studio")},
	})
	require.NoError(t, err)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("alice")}))

	ctx := context.Background()
	_, err = c.EnsureSpace(ctx, PrivateSpace(domainID, "alice-lab", "alice", types.AppTypeJupyterLab))
	require.NoError(t, err)
	app, err := c.NewApp(domainID, types.AppTypeJupyterLab, "default").InSpace("alice-lab").
		InstanceType(types.AppInstanceTypeMlT3Medium).Image(testImage).Tag("team", "ml").Ensure(ctx)
	require.NoError(t, err)
	_, err = c.LaunchURL(ctx, app.ID)
	require.NoError(t, err)
	require.NoError(t, c.DeleteApp(ctx, app.ID))
	_, err = sdk.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: aws.String(domainID)})
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	want := "sagemakerapp/" + Version
	for _, op := range []string{"CreateSpace", "DescribeSpace", "CreateApp", "DescribeApp", "CreatePresignedDomainUrl", "DeleteApp"} {
		require.NotEmpty(t, agents[op], op)
		for _, ua := range agents[op] {
			assert.Contains(t, ua, want, op)
			assert.Contains(t, ua, "aws-sdk-go-v2/", "the SDK's own entries stay: %s", op)
		}
	}
	require.Len(t, agents["DescribeDomain"], 1)
	assert.NotContains(t, agents["DescribeDomain"][0], want, "the SDK client called alone carries no key of ours")
}
