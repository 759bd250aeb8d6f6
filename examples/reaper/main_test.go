package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// The demo apps past the default limits, and those within them or matched by no rule.
var (
	pastLimits = map[string]string{ // app ID → idle time as printed
		"d-example12345/space:alice-gpu/JupyterLab/default":  "2h00m",
		"d-example12345/space:carol-code/CodeEditor/default": "9h00m",
		"d-example12345/erin/KernelGateway/datascience":      "1h30m",
	}
	withinLimits = []string{
		"d-example12345/space:bob-gpu/JupyterLab/default",
		"d-example12345/space:dave-lab/JupyterLab/default",
		"d-example12345/space:frank-cpu/JupyterLab/default",
	}
)

// demo starts a fake on a manual clock with the demo domain, its six apps InService and their
// activity staged, and returns it with a library client whose waits move that clock.
func demo(t *testing.T) (*sagemakerfake.Server, *sagemakerapp.Client) {
	t.Helper()
	srv := sagemakerfake.Start(t)
	client := sagemakerapp.New(srv.Client(), clockOptions(srv))
	require.NoError(t, seedDemo(context.Background(), srv, client, func(*sagemakerapp.WaitOptions) {}))
	return srv, client
}

func clockOptions(srv *sagemakerfake.Server) func(*sagemakerapp.Options) {
	return func(o *sagemakerapp.Options) {
		o.Now = srv.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
	}
}

// statuses returns the status of each app of the fake by its ID as the library writes it.
func statuses(srv *sagemakerfake.Server) map[string]types.AppStatus {
	out := map[string]types.AppStatus{}
	for _, a := range srv.Apps() {
		id := sagemakerapp.AppID{DomainID: a.DomainID, UserProfileName: a.UserProfileName, SpaceName: a.SpaceName, AppType: a.AppType, AppName: a.AppName}
		out[id.String()] = a.Status
	}
	return out
}

// deleteCalls counts the DeleteApp requests the fake has logged. The log records a request after
// its answer is written, so right after a call it may lack that call: it is used only to show
// that none was made.
func deleteCalls(srv *sagemakerfake.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Operation == "DeleteApp" {
			n++
		}
	}
	return n
}

// countCalls counts the calls of op that an SDK client makes, as it makes them.
func countCalls(op string, n *atomic.Int32) func(*sagemaker.Options) {
	return func(o *sagemaker.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countCalls",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if middleware.GetOperationName(ctx) == op {
						n.Add(1)
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.Before)
		})
	}
}

func TestReapStopsExactlyTheAppsPastTheirLimits(t *testing.T) {
	srv, _ := demo(t)
	var deletes atomic.Int32
	client := sagemakerapp.New(srv.Client(countCalls("DeleteApp", &deletes)), clockOptions(srv))
	rep, err := Reap(context.Background(), client, srv.Client(countCalls("DeleteApp", &deletes)), demoDomainID, Policy{Rules: DefaultRules, Now: srv.Now}, false)
	require.NoError(t, err)
	assert.Equal(t, 6, rep.Checked)
	assert.Empty(t, rep.Errors)
	got := map[string]string{}
	for _, d := range rep.Stopped {
		require.NoError(t, d.Err)
		got[d.App.ID.String()] = hoursMinutes(d.Idle)
	}
	assert.Equal(t, pastLimits, got)
	assert.EqualValues(t, 3, deletes.Load())
	st := statuses(srv)
	for id := range pastLimits {
		assert.Equal(t, types.AppStatusDeleting, st[id], id)
	}
	for _, id := range withinLimits {
		assert.Equal(t, types.AppStatusInService, st[id], id)
	}
	// Timestamps travel as epoch seconds in floating point: idle times are exact to a millisecond.
	want := []Saving{
		{InstanceType: "ml.g5.xlarge", Apps: 2, IdleHours: 3.5, HoursPerDay: 48},
		{InstanceType: "ml.t3.large", Apps: 1, IdleHours: 9, HoursPerDay: 24},
	}
	require.Len(t, rep.Savings, len(want))
	for i, s := range rep.Savings {
		assert.InDelta(t, want[i].IdleHours, s.IdleHours, 1.0/3600, s.InstanceType)
		s.IdleHours = want[i].IdleHours
		assert.Equal(t, want[i], s)
	}

	// The next run finds nothing more to stop: the stopped apps are no longer InService.
	rep, err = Reap(context.Background(), client, srv.Client(countCalls("DeleteApp", &deletes)), demoDomainID, Policy{Rules: DefaultRules, Now: srv.Now}, false)
	require.NoError(t, err)
	assert.Empty(t, rep.Stopped)
	assert.EqualValues(t, 3, deletes.Load())
	assert.Equal(t, 3, rep.Checked)
}

// runOn runs the command against srv (--endpoint-url) with its waits and idle times on srv's
// clock.
func runOn(srv *sagemakerfake.Server, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	p := &program{stdout: &out, stderr: &errOut, clientOptions: []func(*sagemakerapp.Options){clockOptions(srv)}, now: srv.Now}
	code = p.run(context.Background(), append([]string{"--endpoint-url", srv.URL(), "--domain-id", demoDomainID}, args...))
	return code, out.String(), errOut.String()
}

func TestDryRunListsTheSameAppsAndStopsNone(t *testing.T) {
	srv, _ := demo(t)
	code, out, errOut := runOn(srv, "--dry-run")
	require.Equal(t, exitOK, code, errOut)
	assert.Zero(t, deleteCalls(srv))
	for id, st := range statuses(srv) {
		assert.Equal(t, types.AppStatusInService, st, id)
	}
	assert.Contains(t, out, "Would stop 3 apps")
	lines := strings.Split(out, "\n")
	for id, idle := range pastLimits {
		line := lineWith(lines, id)
		require.NotEmpty(t, line, "%s is listed", id)
		assert.Contains(t, line, idle)
		assert.Contains(t, line, "would stop")
	}
	for _, id := range withinLimits {
		assert.NotContains(t, out, id)
	}
	assert.Regexp(t, `ml\.g5\.xlarge\s+2\s+3\.5 h\s+48 h`, out)
	assert.Regexp(t, `ml\.t3\.large\s+1\s+9\.0 h\s+24 h`, out)

	// Without --dry-run, the same three are stopped.
	code, out, errOut = runOn(srv)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "Stopped 3 apps")
	st := statuses(srv)
	for id := range pastLimits {
		assert.Equal(t, types.AppStatusDeleting, st[id], id)
	}
}

func lineWith(lines []string, s string) string {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func TestLimitFlagsReplaceTheDefaults(t *testing.T) {
	srv, _ := demo(t)
	// JupyterLab on g5 may idle 3h now; the KernelGateway g5 app matches no limit; t3 as before.
	code, out, errOut := runOn(srv, "--dry-run", "--limit", "JupyterLab:ml.g5.*=3h", "--limit", "*:ml.t3.*=8h")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "limits JupyterLab:ml.g5.*=3h, ml.t3.*=8h.")
	assert.Contains(t, out, "Would stop 1 apps")
	assert.Contains(t, out, "d-example12345/space:carol-code/CodeEditor/default")
	assert.NotContains(t, out, "alice-gpu")
	assert.NotContains(t, out, "erin")

	code, out, _ = runOn(srv, "--dry-run", "--limit", "*=20m")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "Would stop 6 apps", "every app is idle more than 20 minutes")
}

func TestParseRule(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Rule
	}{
		{"JupyterLab:ml.g5.*=1h", Rule{AppType: types.AppTypeJupyterLab, Pattern: "ml.g5.*", Limit: time.Hour}},
		{"ml.t3.*=8h", Rule{Pattern: "ml.t3.*", Limit: 8 * time.Hour}},
		{"*:ml.p4d.24xlarge=90m", Rule{Pattern: "ml.p4d.24xlarge", Limit: 90 * time.Minute}},
		{"*=24h", Rule{Pattern: "*", Limit: 24 * time.Hour}},
	} {
		got, err := ParseRule(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		again, err := ParseRule(got.String())
		require.NoError(t, err)
		assert.Equal(t, got, again, "String is read back")
	}
	for _, bad := range []string{"ml.g5.*", "ml.g5.*=", "ml.g5.*=0s", "ml.g5.*=-1h", "ml.g5.*=soon", "Jupyter:ml.g5.*=1h", "JupyterLab:=1h", "ml.[g5=1h"} {
		_, err := ParseRule(bad)
		assert.Error(t, err, bad)
	}
}

func TestBadCommandLine(t *testing.T) {
	srv := sagemakerfake.Start(t)
	code, _, errOut := runOn(srv, "--limit", "ml.g5.*=never")
	assert.Equal(t, exitInvalid, code)
	assert.Contains(t, errOut, "positive duration")
	var out, stderr bytes.Buffer
	p := &program{stdout: &out, stderr: &stderr}
	assert.Equal(t, exitInvalid, p.run(context.Background(), []string{"--aws"}), "--aws needs --domain-id")
	assert.Contains(t, stderr.String(), "--domain-id")
	assert.Zero(t, len(srv.Requests()))
}

func TestListingFailureIsExitOne(t *testing.T) {
	srv, _ := demo(t)
	srv.InjectFault("ListApps", sagemakerfake.Fault{Code: "AccessDeniedException"})
	code, _, errOut := runOn(srv, "--dry-run")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "AccessDenied")
}

// restartBeforeStop is an API under which alice starts her GPU app again right before the reaper's
// first DeleteApp of it: she stops it and starts it again, so that it is Pending when the stop
// arrives (defect 9 of issue 21).
type restartBeforeStop struct {
	sagemakerapp.API
	srv  *sagemakerfake.Server
	once sync.Once
}

func (r *restartBeforeStop) DeleteApp(ctx context.Context, in *sagemaker.DeleteAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeleteAppOutput, error) {
	if aws.ToString(in.SpaceName) == "alice-gpu" {
		r.once.Do(func() {
			var app sagemakerfake.App
			for _, a := range r.srv.Apps() {
				if a.SpaceName == "alice-gpu" {
					app = a
				}
			}
			raw := r.srv.Client()
			_, err := raw.DeleteApp(ctx, &sagemaker.DeleteAppInput{DomainId: in.DomainId, SpaceName: in.SpaceName, AppType: in.AppType, AppName: in.AppName})
			if err != nil {
				panic(err)
			}
			r.srv.Advance(10 * time.Minute) // Deleted
			spec := app.ResourceSpec
			_, err = raw.CreateApp(ctx, &sagemaker.CreateAppInput{DomainId: in.DomainId, SpaceName: in.SpaceName, AppType: in.AppType,
				AppName: in.AppName, ResourceSpec: &spec, Tags: app.Tags})
			if err != nil {
				panic(err)
			}
		})
	}
	return r.API.DeleteApp(ctx, in, optFns...)
}

// Defect 9 of issue 21: an app restarted between the reaper's look and its stop was killed as soon
// as it was InService, and reported with the old instance type and idle time. The reaper stops only
// what is idle when it stops it.
func TestReapNeverStopsAnAppStartedAgain(t *testing.T) {
	srv, _ := demo(t)
	api := &restartBeforeStop{API: srv.Client(), srv: srv}
	rep, err := reapWith(context.Background(), srv, api)
	require.NoError(t, err)
	srv.Advance(time.Hour)
	st := statuses(srv)
	assert.Equal(t, types.AppStatusInService, st["d-example12345/space:alice-gpu/JupyterLab/default"], "alice's app, started again, runs")
	for _, d := range rep.Stopped {
		assert.NotEqual(t, "alice-gpu", d.App.ID.SpaceName, "alice's app is not reported stopped")
	}
	assert.Equal(t, types.AppStatusDeleted, st["d-example12345/space:carol-code/CodeEditor/default"], "the others past their limits are stopped")
}

func reapWith(ctx context.Context, srv *sagemakerfake.Server, api sagemakerapp.API) (Report, error) {
	return Reap(ctx, sagemakerapp.New(api, clockOptions(srv)), api, demoDomainID, Policy{Rules: DefaultRules, Now: srv.Now}, false)
}

// activeAgain is an API under which alice uses her GPU app again between the reaper's first look
// and its second, right before the stop.
type activeAgain struct {
	sagemakerapp.API
	srv   *sagemakerfake.Server
	looks atomic.Int32
}

func (a *activeAgain) DescribeApp(ctx context.Context, in *sagemaker.DescribeAppInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeAppOutput, error) {
	if aws.ToString(in.SpaceName) == "alice-gpu" && a.looks.Add(1) == 2 {
		key := sagemakerfake.AppKey{DomainID: aws.ToString(in.DomainId), SpaceName: "alice-gpu", AppType: in.AppType, AppName: aws.ToString(in.AppName)}
		if err := a.srv.SetLastUserActivity(key, a.srv.Now()); err != nil {
			panic(err)
		}
	}
	return a.API.DescribeApp(ctx, in, optFns...)
}

// An app used again between the reaper's first look and its stop is spared, and reported so.
func TestReapSparesAnAppUsedAgain(t *testing.T) {
	srv, _ := demo(t)
	api := &activeAgain{API: srv.Client(), srv: srv}
	rep, err := reapWith(context.Background(), srv, api)
	require.NoError(t, err)
	require.Len(t, rep.Spared, 1)
	assert.Equal(t, "alice-gpu", rep.Spared[0].ID.SpaceName)
	assert.Len(t, rep.Stopped, len(pastLimits)-1)
	assert.Equal(t, types.AppStatusInService, statuses(srv)["d-example12345/space:alice-gpu/JupyterLab/default"])
}
