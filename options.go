package sagemakerapp

import (
	"log/slog"
	"time"
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
