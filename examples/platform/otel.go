package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	smithy "github.com/aws/smithy-go"
	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	otelmetric "go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The platform reports the library's spans and metrics, and the SDK's, through smithy-go's
// tracing and metrics interfaces (sagemakerapp.Options, sagemaker.Options), which this file
// adapts to OpenTelemetry. smithy-go publishes such adapters as modules of their own
// (smithyoteltracing, smithyotelmetrics), but no version of them can be had where this project is
// built, so the platform carries its own: a few dozen lines, each a direct call of the OTel API.

// telemetry is what --otel builds: the providers to give the SDK client, and shutdown, which
// flushes what the exporters hold.
type telemetry struct {
	tracer   tracing.TracerProvider
	meter    metrics.MeterProvider
	shutdown func(context.Context) error
}

// metricInterval is how often --otel stdout writes the metrics; they are written at shutdown too.
const metricInterval = time.Minute

// newTelemetry builds the telemetry of --otel: "none" (the SDK's no-op providers) or "stdout",
// JSON spans and metrics written to w.
func newTelemetry(kind string, w io.Writer) (*telemetry, error) {
	switch kind {
	case "none":
		return &telemetry{tracer: tracing.NopTracerProvider{}, meter: metrics.NopMeterProvider{}, shutdown: func(context.Context) error { return nil }}, nil
	case "stdout":
	default:
		return nil, fmt.Errorf("--otel must be none or stdout, not %q", kind)
	}
	spans, err := stdouttrace.New(stdouttrace.WithWriter(w))
	if err != nil {
		return nil, err
	}
	values, err := stdoutmetric.New(stdoutmetric.WithWriter(w))
	if err != nil {
		return nil, err
	}
	res := resource.NewSchemaless(attribute.String("service.name", "sagemaker-platform"))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spans), sdktrace.WithResource(res))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(values, sdkmetric.WithInterval(metricInterval))))
	return &telemetry{
		tracer: otelTracerProvider{tp},
		meter:  otelMeterProvider{mp},
		shutdown: func(ctx context.Context) error {
			return errors.Join(tp.Shutdown(ctx), mp.Shutdown(ctx))
		},
	}, nil
}

// attrs turns smithy properties into OTel attributes; a key or value of another type is
// written as text.
func attrs(p smithy.Properties) []attribute.KeyValue {
	values := p.Values()
	out := make([]attribute.KeyValue, 0, len(values))
	for k, v := range values {
		out = append(out, attr(k, v))
	}
	return out
}

func attr(k, v any) attribute.KeyValue {
	key := attribute.Key(fmt.Sprint(k))
	switch v := v.(type) {
	case string:
		return key.String(v)
	case bool:
		return key.Bool(v)
	case int:
		return key.Int(v)
	case int64:
		return key.Int64(v)
	case float64:
		return key.Float64(v)
	case []string:
		return key.StringSlice(v)
	}
	return key.String(fmt.Sprint(v))
}

// otelTracerProvider is a smithy-go TracerProvider over an OTel one.
type otelTracerProvider struct{ tp trace.TracerProvider }

func (p otelTracerProvider) Tracer(scope string, _ ...tracing.TracerOption) tracing.Tracer {
	return otelTracer{p.tp.Tracer(scope)}
}

type otelTracer struct{ t trace.Tracer }

var spanKinds = map[tracing.SpanKind]trace.SpanKind{
	tracing.SpanKindInternal: trace.SpanKindInternal,
	tracing.SpanKindClient:   trace.SpanKindClient,
	tracing.SpanKindServer:   trace.SpanKindServer,
	tracing.SpanKindProducer: trace.SpanKindProducer,
	tracing.SpanKindConsumer: trace.SpanKindConsumer,
}

// StartSpan starts an OTel span whose parent is the OTel span of ctx, so that the SDK's spans,
// started on the context the library passes down, are children of the library's.
func (t otelTracer) StartSpan(ctx context.Context, name string, opts ...tracing.SpanOption) (context.Context, tracing.Span) {
	var o tracing.SpanOptions
	for _, fn := range opts {
		fn(&o)
	}
	ctx, s := t.t.Start(ctx, name, trace.WithSpanKind(spanKinds[o.Kind]), trace.WithAttributes(attrs(o.Properties)...))
	return ctx, otelSpan{s: s, name: name}
}

type otelSpan struct {
	s    trace.Span
	name string
}

func (s otelSpan) Name() string { return s.name }

func (s otelSpan) Context() tracing.SpanContext {
	sc := s.s.SpanContext()
	return tracing.SpanContext{TraceID: sc.TraceID().String(), SpanID: sc.SpanID().String(), IsRemote: sc.IsRemote()}
}

func (s otelSpan) AddEvent(name string, opts ...tracing.EventOption) {
	var o tracing.EventOptions
	for _, fn := range opts {
		fn(&o)
	}
	s.s.AddEvent(name, trace.WithAttributes(attrs(o.Properties)...))
}

func (s otelSpan) SetStatus(status tracing.SpanStatus) {
	switch status {
	case tracing.SpanStatusOK:
		s.s.SetStatus(codes.Ok, "")
	case tracing.SpanStatusError:
		s.s.SetStatus(codes.Error, "")
	}
}

func (s otelSpan) SetProperty(k, v any) { s.s.SetAttributes(attr(k, v)) }

func (s otelSpan) End() { s.s.End() }

// otelMeterProvider is a smithy-go MeterProvider over an OTel one.
type otelMeterProvider struct{ mp otelmetric.MeterProvider }

func (p otelMeterProvider) Meter(scope string, _ ...metrics.MeterOption) metrics.Meter {
	return otelMeter{p.mp.Meter(scope)}
}

type otelMeter struct{ m otelmetric.Meter }

func instrumentOptions(opts []metrics.InstrumentOption) (unit, desc string) {
	var o metrics.InstrumentOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o.UnitLabel, o.Description
}

// recordOptions turns a smithy-go measurement's options into OTel's attributes.
func recordOptions(opts []metrics.RecordMetricOption) otelmetric.MeasurementOption {
	var o metrics.RecordMetricOptions
	for _, fn := range opts {
		fn(&o)
	}
	return otelmetric.WithAttributes(attrs(o.Properties)...)
}

type int64Add func(context.Context, int64, ...otelmetric.AddOption)

func (f int64Add) Add(ctx context.Context, v int64, opts ...metrics.RecordMetricOption) {
	f(ctx, v, recordOptions(opts))
}

type int64Record func(context.Context, int64, ...otelmetric.RecordOption)

func (f int64Record) Record(ctx context.Context, v int64, opts ...metrics.RecordMetricOption) {
	f(ctx, v, recordOptions(opts))
}

func (f int64Record) Sample(ctx context.Context, v int64, opts ...metrics.RecordMetricOption) {
	f(ctx, v, recordOptions(opts))
}

type float64Add func(context.Context, float64, ...otelmetric.AddOption)

func (f float64Add) Add(ctx context.Context, v float64, opts ...metrics.RecordMetricOption) {
	f(ctx, v, recordOptions(opts))
}

type float64Record func(context.Context, float64, ...otelmetric.RecordOption)

func (f float64Record) Record(ctx context.Context, v float64, opts ...metrics.RecordMetricOption) {
	f(ctx, v, recordOptions(opts))
}

func (f float64Record) Sample(ctx context.Context, v float64, opts ...metrics.RecordMetricOption) {
	f(ctx, v, recordOptions(opts))
}

func (m otelMeter) Int64Counter(name string, opts ...metrics.InstrumentOption) (metrics.Int64Counter, error) {
	unit, desc := instrumentOptions(opts)
	c, err := m.m.Int64Counter(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	if err != nil {
		return nil, err
	}
	return int64Add(c.Add), nil
}

func (m otelMeter) Int64UpDownCounter(name string, opts ...metrics.InstrumentOption) (metrics.Int64UpDownCounter, error) {
	unit, desc := instrumentOptions(opts)
	c, err := m.m.Int64UpDownCounter(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	if err != nil {
		return nil, err
	}
	return int64Add(c.Add), nil
}

func (m otelMeter) Int64Gauge(name string, opts ...metrics.InstrumentOption) (metrics.Int64Gauge, error) {
	unit, desc := instrumentOptions(opts)
	g, err := m.m.Int64Gauge(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	if err != nil {
		return nil, err
	}
	return int64Record(g.Record), nil
}

func (m otelMeter) Int64Histogram(name string, opts ...metrics.InstrumentOption) (metrics.Int64Histogram, error) {
	unit, desc := instrumentOptions(opts)
	h, err := m.m.Int64Histogram(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	if err != nil {
		return nil, err
	}
	return int64Record(h.Record), nil
}

func (m otelMeter) Float64Counter(name string, opts ...metrics.InstrumentOption) (metrics.Float64Counter, error) {
	unit, desc := instrumentOptions(opts)
	c, err := m.m.Float64Counter(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	if err != nil {
		return nil, err
	}
	return float64Add(c.Add), nil
}

func (m otelMeter) Float64UpDownCounter(name string, opts ...metrics.InstrumentOption) (metrics.Float64UpDownCounter, error) {
	unit, desc := instrumentOptions(opts)
	c, err := m.m.Float64UpDownCounter(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	if err != nil {
		return nil, err
	}
	return float64Add(c.Add), nil
}

func (m otelMeter) Float64Gauge(name string, opts ...metrics.InstrumentOption) (metrics.Float64Gauge, error) {
	unit, desc := instrumentOptions(opts)
	g, err := m.m.Float64Gauge(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	if err != nil {
		return nil, err
	}
	return float64Record(g.Record), nil
}

func (m otelMeter) Float64Histogram(name string, opts ...metrics.InstrumentOption) (metrics.Float64Histogram, error) {
	unit, desc := instrumentOptions(opts)
	h, err := m.m.Float64Histogram(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	if err != nil {
		return nil, err
	}
	return float64Record(h.Record), nil
}

// registration is an asynchronous instrument's callback, which Stop unregisters.
type registration struct{ r otelmetric.Registration }

func (r registration) Stop() { _ = r.r.Unregister() }

// int64Observer passes a smithy-go callback's observations to OTel's observer of one instrument.
type int64Observer struct {
	o    otelmetric.Observer
	inst otelmetric.Int64Observable
}

func (o int64Observer) Observe(_ context.Context, v int64, opts ...metrics.RecordMetricOption) {
	o.o.ObserveInt64(o.inst, v, recordOptions(opts))
}

type float64Observer struct {
	o    otelmetric.Observer
	inst otelmetric.Float64Observable
}

func (o float64Observer) Observe(_ context.Context, v float64, opts ...metrics.RecordMetricOption) {
	o.o.ObserveFloat64(o.inst, v, recordOptions(opts))
}

func (m otelMeter) int64Async(inst otelmetric.Int64Observable, err error, cb metrics.Int64Callback) (metrics.AsyncInstrument, error) {
	if err != nil {
		return nil, err
	}
	r, err := m.m.RegisterCallback(func(ctx context.Context, o otelmetric.Observer) error {
		cb(ctx, int64Observer{o: o, inst: inst})
		return nil
	}, inst)
	if err != nil {
		return nil, err
	}
	return registration{r}, nil
}

func (m otelMeter) float64Async(inst otelmetric.Float64Observable, err error, cb metrics.Float64Callback) (metrics.AsyncInstrument, error) {
	if err != nil {
		return nil, err
	}
	r, err := m.m.RegisterCallback(func(ctx context.Context, o otelmetric.Observer) error {
		cb(ctx, float64Observer{o: o, inst: inst})
		return nil
	}, inst)
	if err != nil {
		return nil, err
	}
	return registration{r}, nil
}

func (m otelMeter) Int64AsyncCounter(name string, cb metrics.Int64Callback, opts ...metrics.InstrumentOption) (metrics.AsyncInstrument, error) {
	unit, desc := instrumentOptions(opts)
	inst, err := m.m.Int64ObservableCounter(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	return m.int64Async(inst, err, cb)
}

func (m otelMeter) Int64AsyncUpDownCounter(name string, cb metrics.Int64Callback, opts ...metrics.InstrumentOption) (metrics.AsyncInstrument, error) {
	unit, desc := instrumentOptions(opts)
	inst, err := m.m.Int64ObservableUpDownCounter(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	return m.int64Async(inst, err, cb)
}

func (m otelMeter) Int64AsyncGauge(name string, cb metrics.Int64Callback, opts ...metrics.InstrumentOption) (metrics.AsyncInstrument, error) {
	unit, desc := instrumentOptions(opts)
	inst, err := m.m.Int64ObservableGauge(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	return m.int64Async(inst, err, cb)
}

func (m otelMeter) Float64AsyncCounter(name string, cb metrics.Float64Callback, opts ...metrics.InstrumentOption) (metrics.AsyncInstrument, error) {
	unit, desc := instrumentOptions(opts)
	inst, err := m.m.Float64ObservableCounter(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	return m.float64Async(inst, err, cb)
}

func (m otelMeter) Float64AsyncUpDownCounter(name string, cb metrics.Float64Callback, opts ...metrics.InstrumentOption) (metrics.AsyncInstrument, error) {
	unit, desc := instrumentOptions(opts)
	inst, err := m.m.Float64ObservableUpDownCounter(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	return m.float64Async(inst, err, cb)
}

func (m otelMeter) Float64AsyncGauge(name string, cb metrics.Float64Callback, opts ...metrics.InstrumentOption) (metrics.AsyncInstrument, error) {
	unit, desc := instrumentOptions(opts)
	inst, err := m.m.Float64ObservableGauge(name, otelmetric.WithUnit(unit), otelmetric.WithDescription(desc))
	return m.float64Async(inst, err, cb)
}
