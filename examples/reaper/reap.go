package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"golang.org/x/sync/errgroup"

	"github.com/studioapp/sagemakerapp"
)

// Rule is an idle limit for the apps of one type, or of every type, whose instance type matches a
// pattern: an app that has been idle (no user activity) for longer than Limit is stopped.
type Rule struct {
	// AppType is the app type the rule is for; "" means every type.
	AppType sagemakerapp.AppType
	// Pattern is a path.Match pattern over the app's instance type, such as "ml.g5.*".
	Pattern string
	// Limit is how long an app may be idle before it is stopped; it must be positive.
	Limit time.Duration
}

// DefaultRules stop GPU apps of the g5 family after an hour and t3 apps after eight hours, of
// every app type; apps of other instance types are never stopped.
var DefaultRules = []Rule{
	{Pattern: "ml.g5.*", Limit: time.Hour},
	{Pattern: "ml.t3.*", Limit: 8 * time.Hour},
}

// ParseRule reads a rule written as [AppType:]pattern=duration, such as "JupyterLab:ml.g5.*=1h" or
// "ml.t3.*=8h" (the form of the --limit flag); the app type may be "*" for every type, and the
// duration is a Go duration ("90m", "1h30m").
func ParseRule(s string) (Rule, error) {
	spec, limit, ok := strings.Cut(s, "=")
	if !ok {
		return Rule{}, fmt.Errorf("limit %q: want [AppType:]pattern=duration, such as JupyterLab:ml.g5.*=1h", s)
	}
	var r Rule
	if appType, pattern, typed := strings.Cut(spec, ":"); typed {
		if appType != "*" {
			if !slices.Contains(sagemakerapp.AppTypes(), sagemakerapp.AppType(appType)) {
				return Rule{}, fmt.Errorf("limit %q: unknown app type %q", s, appType)
			}
			r.AppType = sagemakerapp.AppType(appType)
		}
		spec = pattern
	}
	if spec == "" {
		return Rule{}, fmt.Errorf("limit %q: the instance-type pattern is empty (use * for every type)", s)
	}
	if _, err := path.Match(spec, ""); err != nil {
		return Rule{}, fmt.Errorf("limit %q: bad instance-type pattern %q", s, spec)
	}
	r.Pattern = spec
	d, err := time.ParseDuration(limit)
	if err != nil || d <= 0 {
		return Rule{}, fmt.Errorf("limit %q: the limit must be a positive duration, such as 90m or 8h", s)
	}
	r.Limit = d
	return r, nil
}

// String writes r as ParseRule reads it, with the limit in its shortest form ("8h", "1h30m").
func (r Rule) String() string {
	s := r.Pattern + "=" + shortDuration(r.Limit)
	if r.AppType != "" {
		s = string(r.AppType) + ":" + s
	}
	return s
}

// shortDuration writes d as time.Duration.String does, without its trailing zero units.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func (r Rule) matches(appType sagemakerapp.AppType, instanceType string) bool {
	if r.AppType != "" && r.AppType != appType {
		return false
	}
	ok, _ := path.Match(r.Pattern, instanceType) // the pattern was checked when the rule was made
	return ok
}

// Policy is what Reap stops: the first of Rules that matches an app sets its limit, and an app
// that no rule matches is never stopped.
type Policy struct {
	Rules []Rule
	// Now is the clock idle times are measured on; nil means time.Now.
	Now func() time.Time
	// Concurrency is how many apps are described at once; zero means 8.
	Concurrency int
}

func (p *Policy) match(appType sagemakerapp.AppType, instanceType string) (Rule, bool) {
	for _, r := range p.Rules {
		if r.matches(appType, instanceType) {
			return r, true
		}
	}
	return Rule{}, false
}

// Decision is an app past its limit: stopped, or in a dry run, to be stopped.
type Decision struct {
	App          *sagemakerapp.App // as DescribeApp reported it, right before the stop
	InstanceType string
	Idle         time.Duration // since the app's LastUserActivityTimestamp
	Rule         Rule          // the rule whose limit it is past
	Err          error         // the DeleteApp that stops it failed; nil in a dry run
}

// Saving sums, for one instance type, the apps stopped (or, in a dry run, to be stopped).
type Saving struct {
	InstanceType string
	Apps         int
	// IdleHours is the instance-hours those apps had run idle when the reaper looked: the sum
	// of their idle times, what waiting for the user cost so far.
	IdleHours float64
	// HoursPerDay is the instance-hours a day that stopping them saves (24 an app), for as long
	// as their users would have left them idle.
	HoursPerDay float64
}

// Report is what one Reap did.
type Report struct {
	DomainID string
	DryRun   bool
	At       time.Time // the time idle times are measured from
	// Checked counts the InService apps looked at (described).
	Checked int
	// NoActivity counts the apps a rule matched that report no LastUserActivityTimestamp: they
	// are kept, as their idle time is unknown.
	NoActivity int
	// Stopped lists the apps past their limits, longest idle first: stopped, or in a dry run to
	// be stopped.
	Stopped []Decision
	// Spared lists the apps that were past their limits at the first look but not when the reaper
	// came to stop them: used again, restarted (Pending), or gone. They were not stopped.
	Spared []*sagemakerapp.App
	// Savings sums Stopped per instance type, in the order of instance type names; an app whose
	// stop failed is not counted.
	Savings []Saving
	// Errors are the DescribeApp failures of apps that could not be judged (they were kept).
	Errors []error
}

// verdict is what the reaper's decision says of one app.
type verdict uint8

const (
	keepNotInService verdict = iota // not InService: nothing to stop (Pending: someone just started it)
	keepNoRule                      // no rule matches its type and instance type
	keepNoActivity                  // a rule matches, but its idle time is unknown
	keepWithinLimit                 // used within its rule's limit
	stop                            // idle past its rule's limit
)

// judge is the reaper's decision on one app as a look at at saw it: a pure function, with no call
// and no clock, so that the rule "stop only what is idle past its limit when stopped" is read here.
func (p *Policy) judge(app *sagemakerapp.App, at time.Time) (Decision, verdict) {
	if app.Status != types.AppStatusInService {
		return Decision{}, keepNotInService
	}
	var instanceType string
	if app.ResourceSpec != nil {
		instanceType = string(app.ResourceSpec.InstanceType)
	}
	rule, ok := p.match(app.ID.AppType, instanceType)
	switch {
	case !ok:
		return Decision{}, keepNoRule
	case app.LastUserActivityTimestamp.IsZero():
		return Decision{}, keepNoActivity
	}
	idle := at.Sub(app.LastUserActivityTimestamp)
	if idle <= rule.Limit {
		return Decision{}, keepWithinLimit
	}
	return Decision{App: app, InstanceType: instanceType, Idle: idle, Rule: rule}, stop
}

// Reap stops, in the domain, the InService apps whose LastUserActivityTimestamp is older than the
// limit policy sets for their app type and instance type, and reports what it stopped and the
// instance-hours that saves per instance type; with dryRun it stops nothing and reports what it
// would stop. It lists the domain's apps (Client.Apps) and describes each InService one, as
// ListApps reports no activity. Each app past its limit is described again right before it is
// stopped, and stopped only if it is still InService and still idle past its limit then (the
// decision is judge's); the stop is one DeleteApp through api, which never waits for an app: an app
// started again meanwhile (Pending) is refused by the service and spared, never stopped once it is
// up. The app's space and its storage stay, and the user starts the app again when they come back.
// It does not wait for the apps to be gone. It is meant to be called on a schedule; an error is a
// failure to list the apps, and the failures of single apps are in the Report.
func Reap(ctx context.Context, client *sagemakerapp.Client, api sagemakerapp.API, domainID string, policy Policy, dryRun bool) (Report, error) {
	now := time.Now
	if policy.Now != nil {
		now = policy.Now
	}
	rep := Report{DomainID: domainID, DryRun: dryRun, At: now()}
	var live []*sagemakerapp.App
	for app, err := range client.Apps(ctx, sagemakerapp.AppFilter{DomainID: domainID}) {
		if err != nil {
			return rep, err
		}
		if app.Status == types.AppStatusInService {
			live = append(live, app)
		}
	}

	described := make([]*sagemakerapp.App, len(live))
	errs := make([]error, len(live))
	g, gctx := errgroup.WithContext(ctx)
	limit := policy.Concurrency
	if limit <= 0 {
		limit = 8
	}
	g.SetLimit(limit)
	for i, app := range live {
		g.Go(func() error {
			described[i], errs[i] = client.DescribeApp(gctx, app.ID)
			return nil
		})
	}
	_ = g.Wait() // the goroutines return no error: each app's is kept in errs
	if err := ctx.Err(); err != nil {
		return rep, err
	}

	for i, app := range described {
		switch {
		case errors.Is(errs[i], sagemakerapp.ErrResourceNotFound):
			continue // gone since the listing
		case errs[i] != nil:
			rep.Errors = append(rep.Errors, errs[i])
			continue
		}
		d, v := policy.judge(app, rep.At)
		switch v {
		case keepNotInService:
			continue
		case keepNoActivity:
			rep.NoActivity++
		case stop:
			rep.Stopped = append(rep.Stopped, d)
		}
		rep.Checked++
	}
	sortDecisions(rep.Stopped)
	if !dryRun {
		var stopped []Decision
		for _, d := range rep.Stopped {
			d, ok := stopIdle(ctx, client, api, &policy, d, now)
			if ok {
				stopped = append(stopped, d)
			} else {
				rep.Spared = append(rep.Spared, d.App)
			}
		}
		rep.Stopped = stopped
		sortDecisions(rep.Stopped)
	}
	rep.Savings = savings(rep.Stopped)
	return rep, nil
}

// stopIdle stops the app of d if a look right before the stop still finds it idle past its limit:
// it returns the decision of that look (with the stop's error, if the DeleteApp failed) and true,
// or d and false when the app is spared.
func stopIdle(ctx context.Context, client *sagemakerapp.Client, api sagemakerapp.API, policy *Policy, d Decision, now func() time.Time) (Decision, bool) {
	fresh, err := client.DescribeApp(ctx, d.App.ID)
	switch {
	case errors.Is(err, sagemakerapp.ErrResourceNotFound):
		return d, false
	case err != nil:
		d.Err = err
		return d, true
	}
	nd, v := policy.judge(fresh, now())
	if v != stop {
		d.App = fresh
		return d, false
	}
	id := fresh.ID
	_, err = api.DeleteApp(ctx, &sagemaker.DeleteAppInput{DomainId: &id.DomainID, AppType: id.AppType, AppName: &id.AppName,
		UserProfileName: nonEmpty(id.UserProfileName), SpaceName: nonEmpty(id.SpaceName)},
		func(o *sagemaker.Options) { o.RetryMaxAttempts = 1 }) // a retry would not follow a look
	var inUse *types.ResourceInUse
	if errors.As(err, &inUse) {
		return nd, false // Pending (started again this instant) or Deleting: not the idle app any more
	}
	if err != nil {
		nd.Err = fmt.Errorf("DeleteApp: %w", err)
	}
	return nd, true
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// sortDecisions orders ds longest idle first, then by app.
func sortDecisions(ds []Decision) {
	slices.SortStableFunc(ds, func(a, b Decision) int {
		if c := cmp.Compare(b.Idle, a.Idle); c != 0 {
			return c
		}
		return strings.Compare(a.App.ID.String(), b.App.ID.String())
	})
}

// savings sums the decisions that did not fail per instance type.
func savings(ds []Decision) []Saving {
	byType := map[string]*Saving{}
	var out []Saving
	for _, d := range ds {
		if d.Err != nil {
			continue
		}
		s := byType[d.InstanceType]
		if s == nil {
			s = &Saving{InstanceType: d.InstanceType}
			byType[d.InstanceType] = s
		}
		s.Apps++
		s.IdleHours += d.Idle.Hours()
		s.HoursPerDay += 24
	}
	for _, s := range byType {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Saving) int { return strings.Compare(a.InstanceType, b.InstanceType) })
	return out
}
