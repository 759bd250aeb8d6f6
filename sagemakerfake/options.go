package sagemakerfake

import (
	"log/slog"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// Option configures a Server. Options are applied in order by NewServer and Start.
type Option func(*config)

// FailureRule decides whether a newly created app fails to start. It sees the app as CreateApp
// stored it (status Pending) and returns the FailureReason, or "" to let the app start. A failing
// app becomes Failed, instead of InService, once the startup delay has passed. Rules run in the
// order they were given and the first reason wins; they run with the server's lock held, so a rule
// must not call the Server.
type FailureRule func(app App) string

type quotaKey struct {
	appType      types.AppType
	instanceType types.AppInstanceType
}

type config struct {
	region       string
	account      string
	startupDelay time.Duration
	deleteDelay  time.Duration
	deleteSet    bool
	clock        Clock
	quotas       map[quotaKey]int
	rules        []FailureRule
	logger       *slog.Logger
	listener     net.Listener
	randSeed     uint64
	requestLog   int
}

func defaultConfig() config {
	return config{
		region:       "us-east-1",
		account:      "123456789012",
		startupDelay: 2 * time.Second,
		quotas:       map[quotaKey]int{},
		randSeed:     1,
		requestLog:   10000,
	}
}

// WithRegion sets the region that ARNs name and that Client signs for. The default is us-east-1.
func WithRegion(region string) Option {
	return func(c *config) { c.region = region }
}

// WithAccount sets the 12-digit account ID that ARNs name. The default is 123456789012.
func WithAccount(account string) Option {
	return func(c *config) { c.account = account }
}

// WithStartupDelay sets how long a new app stays Pending before it is InService (or Failed). The
// default is 2s; 0 makes apps InService as soon as they are created.
func WithStartupDelay(d time.Duration) Option {
	return func(c *config) { c.startupDelay = max(d, 0) }
}

// WithDeleteDelay sets how long a deleted app stays Deleting before it is Deleted. The default is
// the startup delay.
func WithDeleteDelay(d time.Duration) Option {
	return func(c *config) { c.deleteDelay, c.deleteSet = max(d, 0), true }
}

// WithClock replaces the server's clock. By default a Server has its own ManualClock, which
// Server.Advance moves; pass SystemClock{} for real time, or a ManualClock shared with other code
// under test.
func WithClock(clock Clock) Option {
	return func(c *config) { c.clock = clock }
}

// WithQuota limits how many apps of one app type on one instance type may run (be Pending or
// InService) at once; CreateApp past the limit fails with ResourceLimitExceeded in the service's
// words. The instance type is the one the app resolves to, after defaults and the translation of
// system to ml.t3.medium for KernelGateway apps. A limit of 0 refuses every such app, as a quota
// of 0 does in a new account.
func WithQuota(appType types.AppType, instanceType types.AppInstanceType, limit int) Option {
	return func(c *config) { c.quotas[quotaKey{appType, instanceType}] = max(limit, 0) }
}

// WithFailureRule adds a rule that can make new apps fail; see FailureRule. The built-in rule (an
// image of the server's own account that is not attached as a custom image) always runs first.
func WithFailureRule(rule FailureRule) Option {
	return func(c *config) { c.rules = append(c.rules, rule) }
}

// WithLogger makes the server log every request (operation, status, error code, request ID and
// duration) at level Info. By default nothing is logged.
func WithLogger(logger *slog.Logger) Option {
	return func(c *config) { c.logger = logger }
}

// WithListener makes NewServer serve on l instead of a new listener on a free port of 127.0.0.1.
// The server closes l when it is closed.
func WithListener(l net.Listener) Option {
	return func(c *config) { c.listener = l }
}

// WithRandSeed seeds the random source behind generated IDs and the Probability of faults, so a
// run can be repeated exactly. The default seed is 1.
func WithRandSeed(seed uint64) Option {
	return func(c *config) { c.randSeed = seed }
}

// WithRequestLog sets how many requests Server.Requests keeps (the most recent ones); 0 keeps
// none. The default is 10000.
func WithRequestLog(limit int) Option {
	return func(c *config) { c.requestLog = max(limit, 0) }
}
