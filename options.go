package sagemakerapp

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/smithy-go/metrics"
	"github.com/aws/smithy-go/tracing"
)

// DefaultDefaultsTTL is how long a Client keeps the instance-type defaults it read from a domain,
// user profile or space, unless Options.DefaultsTTL says otherwise.
const DefaultDefaultsTTL = 5 * time.Minute

// Options configure a Client. The zero value is ready to use: silent, defaults cached for
// DefaultDefaultsTTL, only app types and instance types the SDK knows.
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

	// AllowUnknownAppTypes lets CreateApp send app types that the SDK does not list, for a
	// service that offers them before the SDK is upgraded. See AllowUnknownAppTypes. DescribeApp,
	// DeleteApp and the waits take such app types without it.
	AllowUnknownAppTypes bool

	// Now returns the current time, for the defaults cache, the deadlines of waits and the age
	// of apps. Nil means time.Now.
	Now func() time.Time

	// Sleep pauses a wait or a retry of Ensure for d, or until ctx ends; it returns nil, or
	// ctx.Err() when ctx ended first. Nil means a timer. Tests replace Now and Sleep together with a fake clock (for
	// sagemakerfake, the server's Now and Advance), so that no test sleeps for real.
	Sleep func(ctx context.Context, d time.Duration) error

	// ClockSkew is how far the service's clock may be from Now, for telling an app this Client
	// created from one that existed before (see Client.CreateApp), used only when no answer of the
	// service gave its time (an HTTP Date): the skew measured from one is used instead. Zero means
	// DefaultClockSkew.
	ClockSkew time.Duration

	// CreateLimiter, if set, is waited for before every CreateApp attempt the Client makes,
	// the SDK's retries included, from CreateApp, EnsureApp and EnsureApps alike: a
	// *rate.Limiter (golang.org/x/time/rate) holds one process to a rate; a limiter shared
	// through Redis (package limiter/redisrate of this repository) holds several replicas to
	// one. Nil means none beyond the per-batch BatchOptions.CreatesPerSecond.
	CreateLimiter CreateLimiter

	// TracerProvider receives the spans of the library's own work (an Ensure, a wait, a
	// CreateApp with its recovery: see the package doc, "Observability"), each the parent of the
	// SDK's spans of the calls it makes. Nil means the SDK client's own
	// (sagemaker.Options.TracerProvider) when the API given to New is a *sagemaker.Client, so that
	// one adapter, such as smithy-go's smithyoteltracing, traces both; and no spans for any other
	// API. Set it to another provider only with the SDK client's set alike: spans of one trace
	// must come from one adapter.
	TracerProvider tracing.TracerProvider

	// MeterProvider receives the library's metrics (time to InService, polls, create-limiter
	// waits, throttles, Ensure outcomes: see the package doc). Nil means the SDK client's own
	// (sagemaker.Options.MeterProvider) when the API given to New is a *sagemaker.Client, and no
	// metrics for any other API.
	MeterProvider metrics.MeterProvider
}

// CreateLimiter holds CreateApp calls to a rate: Wait blocks until one call may go, and returns
// an error only when ctx ends first (or the limiter itself fails, which fails the attempt).
// *rate.Limiter satisfies it.
type CreateLimiter interface {
	Wait(ctx context.Context) error
}

// DefaultClockSkew is the default of Options.ClockSkew.
const DefaultClockSkew = 5 * time.Second

func (o *Options) setDefaults() {
	if o.DefaultsTTL == 0 {
		o.DefaultsTTL = DefaultDefaultsTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.ClockSkew <= 0 {
		o.ClockSkew = DefaultClockSkew
	}
}

// sleep waits for d on a timer, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// now is Options.Now, or time.Now on a Client that New did not make.
func (c *Client) now() time.Time {
	if c.opts.Now == nil {
		return time.Now()
	}
	return c.opts.Now()
}

// sleep is Options.Sleep, or a timer on a Client that New did not make.
func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.opts.Sleep == nil {
		return sleep(ctx, d)
	}
	return c.opts.Sleep(ctx, d)
}
