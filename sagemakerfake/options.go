package sagemakerfake

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// Option configures a Server. Options are applied in order by Run and Start.
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
	historyLimit int
	// startupDelayFunc and deleteDelayFunc, when set, decide each app's delays (delays.go).
	startupDelayFunc, deleteDelayFunc func(App) time.Duration
	faultFunc                         func(Call) *Fault
}

// defaultConfig is the configuration of Start; Run changes the clock and the seed.
func defaultConfig() config {
	return config{
		region:       "us-east-1",
		account:      "123456789012",
		startupDelay: 2 * time.Second,
		quotas:       map[quotaKey]int{},
		randSeed:     1,
		requestLog:   10000,
		historyLimit: DefaultHistoryLimit,
	}
}

// check reports an option value that the server cannot work with.
func (c *config) check() error {
	switch {
	case !isAccountID(c.account):
		return fmt.Errorf("account %q is not a 12-digit AWS account ID", c.account)
	case c.region == "":
		return errors.New("region is empty")
	case c.startupDelay < 0:
		return fmt.Errorf("startup delay %v is negative", c.startupDelay)
	case c.deleteDelay < 0:
		return fmt.Errorf("delete delay %v is negative", c.deleteDelay)
	case c.requestLog < 0:
		return fmt.Errorf("request log limit %d is negative", c.requestLog)
	case c.historyLimit < 0:
		return fmt.Errorf("history limit %d is negative", c.historyLimit)
	}
	return nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// WithRegion sets the region that ARNs name and that Client signs for. The default is us-east-1.
func WithRegion(region string) Option {
	return func(c *config) { c.region = region }
}

// WithAccount sets the 12-digit account ID that ARNs name. The default is 123456789012.
func WithAccount(account string) Option {
	return func(c *config) { c.account = account }
}

// WithStartupDelay sets how long a new app stays Pending before it is InService (or Failed), and a
// space created by CreateSpace before it is InService. The default is 2s; 0 makes apps and spaces
// InService as soon as they are created. A negative delay is an error.
func WithStartupDelay(d time.Duration) Option {
	return func(c *config) { c.startupDelay = d }
}

// WithDeleteDelay sets how long a deleted app stays Deleting before it is Deleted, and a deleted
// space Deleting before it is gone. The default is the startup delay. A negative delay is an
// error.
func WithDeleteDelay(d time.Duration) Option {
	return func(c *config) { c.deleteDelay, c.deleteSet = d, true }
}

// WithClock replaces the server's clock. A Server from Start has its own ManualClock, which
// Server.Advance moves, and one from Run has SystemClock{}; pass SystemClock{} to Start for real
// time, or a ManualClock (perhaps shared with other code under test) to Run for a clock that only
// Advance moves.
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

// WithLogger makes the server log every request when it is answered (operation, status, error
// code, request ID and duration) at level Info, and when it arrives (operation and request ID) at
// level Debug. By default nothing is logged.
func WithLogger(logger *slog.Logger) Option {
	return func(c *config) { c.logger = logger }
}

// WithListener makes the server serve on l instead of a new listener on a free port of
// 127.0.0.1. The server closes l when it is closed, or at once if it fails to start.
func WithListener(l net.Listener) Option {
	return func(c *config) { c.listener = l }
}

// WithRandSeed seeds the random source behind generated IDs and the Probability of faults, so a
// run can be repeated exactly. A server from Start has the seed 1 by default, one from Run a random
// seed.
func WithRandSeed(seed uint64) Option {
	return func(c *config) { c.randSeed = seed }
}

// WithRequestLog sets how many requests Server.Requests keeps (the most recent ones, each with at
// most MaxLoggedBodyBytes of its body); 0 keeps none. The default is 10000. A negative limit is an
// error.
func WithRequestLog(limit int) Option {
	return func(c *config) { c.requestLog = limit }
}

// InsufficientCapacity returns a FailureRule for a capacity shortage, the way the service shows
// one (facts §7.4 [L]): CreateApp succeeds, and the app goes Failed after the startup delay with a
// FailureReason such as "EC2InsufficientCapacityError: Instance type 'ml.g5.12xlarge' is
// temporarily unavailable. Please try again later or choose a different instance type." (the text
// after "temporarily unavailable" is the fake's [I]). It fails apps whose resolved instance type is
// one of instanceTypes, or every app when none is given. Give it to WithFailureRule.
func InsufficientCapacity(instanceTypes ...types.AppInstanceType) FailureRule {
	return func(a App) string {
		it := a.ResourceSpec.InstanceType
		if len(instanceTypes) > 0 && !slices.Contains(instanceTypes, it) {
			return ""
		}
		return "EC2InsufficientCapacityError: Instance type '" + string(it) + "' is temporarily unavailable. Please try again later or choose a different instance type."
	}
}
