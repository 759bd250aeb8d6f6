package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// closedPort returns the URL of a port on 127.0.0.1 that nothing listens on: one the system
// gave a listener, closed again.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	return url
}

// noSleepRetryer is the SDK's standard retryer with no pause between attempts and no retry
// quota, so that the SDK's retries take no real time; the library's pauses are on the test's
// clock.
func noSleepRetryer(o *sagemaker.Options) {
	o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
		so.RateLimiter = ratelimit.None
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}

// runOn runs the program against an endpoint of the test's, with the library's waits, the
// progress lines and the SDK's retries on clock, which the waits move.
func runOn(t *testing.T, ctx context.Context, now func() time.Time, advance func(time.Duration), args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	p := &program{
		stdout:     &stdout,
		stderr:     &stderr,
		sdkOptions: []func(*sagemaker.Options){noSleepRetryer},
		clientOptions: []func(*sagemakerapp.Options){func(o *sagemakerapp.Options) {
			o.Now = now
			o.Sleep = func(ctx context.Context, d time.Duration) error { advance(d); return ctx.Err() }
		}},
		now: now,
	}
	code := p.run(ctx, args)
	return result{code, stdout.String(), stderr.String()}
}

// onlyEnvCredentials makes the AWS configuration the environment's alone: no files, no instance
// role (so nothing dials 169.254.169.254), and the given keys.
func onlyEnvCredentials(t *testing.T, keyID, secret string) {
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret,
		"AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_ROLE_ARN": "",
	} {
		t.Setenv(k, v)
	}
}

// The case: --ensure against a port where nothing listens. The wait retries, a progress
// line after a few seconds names the endpoint and the error, and at --wait-timeout the program
// gives up with exit code 1, naming the endpoint and what to check, and never the SDK's chain.
func TestEnsureAgainstAClosedPortSaysWhatFailsThenGivesUp(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		what string
	}{
		{"endpoint", nil, `JupyterLab app "default" in space lab of d-platform1`},
		{"aws", []string{"--aws"}, `JupyterLab app "default" in space lab of d-platform1`},
		{"owner's space first", []string{"--owner", "bob", "--space-name="}, "space bob-jupyterlab of d-platform1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			onlyEnvCredentials(t, "AKIDTEST", "test")
			endpoint := closedPort(t)
			clock := sagemakerfake.NewManualClock(time.Now())
			args := append([]string{"--endpoint-url", endpoint, "--domain-id", "d-platform1", "--space-name", "lab",
				"--app-type", "JupyterLab", "--app-name", "default", "--ensure", "--wait-timeout", "5s"}, tt.args...)
			r := runOn(t, context.Background(), clock.Now, clock.Advance, args...)

			assert.Equal(t, exitFailure, r.code)
			assert.Empty(t, r.stdout)
			progress := strings.Index(r.stderr, "retrying: ")
			gaveUp := strings.Index(r.stderr, "createapp: gave up after 5s (--wait-timeout) waiting for "+tt.what+"; no status of it was seen.")
			require.GreaterOrEqual(t, progress, 0, "a progress line:\n%s", r.stderr)
			require.Greater(t, gaveUp, progress, "the progress line comes before the end:\n%s", r.stderr)
			assert.Regexp(t, `(?m)^ +\d+\.\ds  retrying: (DescribeApp|DescribeSpace): cannot reach `+endpoint+`: connection refused \(nothing listens there\)$`, r.stderr)
			assert.Contains(t, r.stderr, "The last call failed: ")
			assert.Contains(t, r.stderr, "Check that --endpoint-url "+endpoint+" is right and that a server listens there")
			assert.NotContains(t, r.stderr, "operation error", "the SDK's chain is not shown")
			assert.NotContains(t, r.stderr, "sagemakerapp:", "nor the library's text")
			if tt.name == "owner's space first" {
				assert.Contains(t, r.stderr, "To see whether it exists:\n    aws sagemaker describe-space --domain-id d-platform1 --space-name bob-jupyterlab --region us-east-1 --endpoint-url "+endpoint+"\n")
			} else {
				assert.Contains(t, r.stderr, "This run did not send CreateApp.", "DescribeApp never answered, so Ensure never got to CreateApp")
			}
		})
	}
}

// The same on the real clock and the SDK's own retryer, as main runs it: no injected time at all.
// The run is bounded by --wait-timeout; nothing is asserted on how long it took.
func TestEnsureAgainstAClosedPortOnTheRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a 5s --wait-timeout")
	}
	t.Parallel()
	endpoint := closedPort(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--endpoint-url", endpoint, "--domain-id", "d-platform1", "--space-name", "lab",
		"--app-type", "JupyterLab", "--app-name", "default", "--ensure", "--wait-timeout", "5s"}, &stdout, &stderr)
	assert.Equal(t, exitFailure, code)
	out := stderr.String()
	progress := strings.Index(out, "retrying: DescribeApp: cannot reach "+endpoint+": connection refused")
	gaveUp := strings.Index(out, "createapp: gave up after 5s (--wait-timeout)")
	require.GreaterOrEqual(t, progress, 0, out)
	assert.Greater(t, gaveUp, progress, out)
	assert.Contains(t, out, "Check that --endpoint-url "+endpoint+" is right")
}

// Without a wait, CreateApp alone fails when no connection is made: the message names the
// endpoint and the operation, and says how to see whether the app exists after all.
func TestCreateAgainstAClosedPort(t *testing.T) {
	endpoint := closedPort(t)
	clock := sagemakerfake.NewManualClock(time.Now())
	r := runOn(t, context.Background(), clock.Now, clock.Advance, "--endpoint-url", endpoint, "--domain-id", "d-platform1",
		"--space-name", "lab", "--app-type", "JupyterLab", "--app-name", "default")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "createapp: cannot reach SageMaker at "+endpoint+" (CreateApp): connection refused (nothing listens there)\n")
	assert.Contains(t, r.stderr, "Check that --endpoint-url "+endpoint+" is right")
	assert.Contains(t, r.stderr, "aws sagemaker describe-app --domain-id d-platform1 --space-name lab --app-type JupyterLab --app-name default --region us-east-1 --endpoint-url "+endpoint)
	assert.NotContains(t, r.stderr, "operation error")
}

// Throttling that passes: the progress says so while it lasts, and the app is then made.
func TestThrottlingIsShownWhileItIsRetried(t *testing.T) {
	srv, _ := startFake(t)
	srv.InjectFault("DescribeApp", sagemakerfake.Fault{Code: "ThrottlingException", Times: 12})
	r := runOn(t, context.Background(), srv.Now, srv.Advance, "--endpoint-url", srv.URL(), "--domain-id", "d-platform1",
		"--owner", "bob", "--app-type", "JupyterLab", "--app-name", "default", "--instance-type", "ml.t3.large", "--ensure")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^ +\d+\.\ds  retrying: DescribeApp: throttled by SageMaker \(ThrottlingException: Rate exceeded, HTTP 400\)$`, r.stderr)
	assert.Regexp(t, `(?m)^Status +InService$`, r.stdout)
}

// No credentials in the AWS configuration: nothing is sent, and the message says how to give
// some; it is not taken for an endpoint that cannot be reached.
func TestNoCredentials(t *testing.T) {
	onlyEnvCredentials(t, "", "")
	endpoint := closedPort(t)
	clock := sagemakerfake.NewManualClock(time.Now())
	r := runOn(t, context.Background(), clock.Now, clock.Advance, "--aws", "--endpoint-url", endpoint, "--domain-id", "d-platform1",
		"--space-name", "lab", "--app-type", "JupyterLab", "--app-name", "default", "--ensure", "--wait-timeout", "5s")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "createapp: no AWS credentials could be loaded, so nothing was sent: ")
	assert.Contains(t, r.stderr, "aws configure")
	assert.Contains(t, r.stderr, "--profile NAME")
	assert.NotContains(t, r.stderr, "cannot reach")
	assert.NotContains(t, r.stderr, "operation error")
}

func TestUnknownProfile(t *testing.T) {
	onlyEnvCredentials(t, "", "")
	for _, tt := range []struct {
		name string
		env  string
		args []string
	}{
		{"flag", "", []string{"--profile", "nope"}},
		{"environment", "nope", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_PROFILE", tt.env)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"--aws", "--domain-id", "d-platform1", "--space-name", "lab",
				"--app-type", "JupyterLab", "--app-name", "default"}, tt.args...), &stdout, &stderr)
			assert.Equal(t, exitFailure, code)
			assert.Contains(t, stderr.String(), `createapp: the AWS profile "nope" is not in your AWS configuration (`)
			assert.Contains(t, stderr.String(), "aws configure list-profiles")
		})
	}
}

// Ctrl-C while the app is Pending: the message names the app, its last status and the AWS CLI
// commands that show and delete it, and the exit code is 130 (143 for SIGTERM).
func TestInterruptDuringTheWaitSaysWhatIsLeftAndHowToSeeIt(t *testing.T) {
	for _, tt := range []struct {
		sig  os.Signal
		name string
		code int
	}{
		{os.Interrupt, "SIGINT", 130},
		{syscall.SIGTERM, "SIGTERM", 143},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := startFake(t)
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			advance := func(d time.Duration) {
				srv.Advance(d)
				if len(srv.Apps()) > 0 { // the first pause of the app's wait: the signal comes
					cancel(interruption{tt.sig})
				}
			}
			r := runOn(t, ctx, srv.Now, advance, "--endpoint-url", srv.URL(), "--domain-id", "d-platform1", "--owner", "bob",
				"--app-type", "JupyterLab", "--app-name", "default", "--instance-type", "ml.t3.large", "--ensure")
			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, `createapp: interrupted (`+tt.name+`) while waiting for JupyterLab app "default" in space bob-jupyterlab of d-platform1; its last status was Pending.`)
			assert.Contains(t, r.stderr, "aws sagemaker describe-app --domain-id d-platform1 --space-name bob-jupyterlab --app-type JupyterLab --app-name default --region us-east-1 --endpoint-url "+srv.URL()+"\n")
			assert.Contains(t, r.stderr, "aws sagemaker delete-app --domain-id d-platform1 --space-name bob-jupyterlab")
			assert.Len(t, srv.Apps(), 1, "the app was left as it was")
			assert.Zero(t, countOps(srv, "DeleteApp"))
		})
	}
}

// The handler itself, with a context already cancelled by a signal, at each stage of a run.
func TestInterruptedMessages(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(interruption{os.Interrupt})
	for _, tt := range []struct {
		name      string
		stage     stage
		embedded  bool
		sent      bool
		want, not []string
	}{
		{"before anything", stageNone, false, false, []string{"createapp: interrupted (SIGINT) before anything was sent.\n"}, []string{"aws sagemaker"}},
		{"space", stageSpace, false, false, []string{
			"createapp: interrupted (SIGINT) while ensuring space bob-jupyterlab of d-1; no status of it was seen.",
			"aws sagemaker describe-space --domain-id d-1 --space-name bob-jupyterlab --region eu-west-1 --profile dev\n",
		}, nil},
		{"app, CreateApp not sent", stageApp, false, false, []string{"no status of it was seen, and this run did not send CreateApp."}, []string{"aws sagemaker"}},
		{"app, CreateApp sent", stageApp, false, true, []string{
			"no status of it was seen, and CreateApp was sent: the app may exist.",
			"aws sagemaker describe-app --domain-id d-1 --space-name bob-jupyterlab --app-type JupyterLab --app-name default --region eu-west-1 --profile dev\n",
		}, nil},
		{"embedded", stageApp, true, true, []string{"The embedded fake stops with createapp: nothing of this run remains."}, []string{"aws sagemaker"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			p := &program{stderr: &stderr, stage: tt.stage, embedded: tt.embedded, region: "eu-west-1", tracker: newTracker(time.Now),
				f: &flags{domainID: "d-1", spaceName: "bob-jupyterlab", appType: "JupyterLab", appName: "default", profile: "dev", useAWS: true}}
			p.tracker.createSent = tt.sent
			assert.Equal(t, exitInterrupted, p.interrupted(ctx))
			for _, want := range tt.want {
				assert.Contains(t, stderr.String(), want)
			}
			for _, not := range tt.not {
				assert.NotContains(t, stderr.String(), not)
			}
		})
	}
}

// The progress notes, on a clock the test moves: a failure retried for a few seconds is noted,
// then not again until noteEvery has passed; a call without an answer is noted after hangFor;
// an error the library does not retry is never noted as retried.
func TestProgressNotes(t *testing.T) {
	clock := sagemakerfake.NewManualClock(time.Now())
	var stderr bytes.Buffer
	p := &program{stderr: &stderr, now: clock.Now}
	tr := newTracker(clock.Now)
	pr := &progress{p: p, t: tr, stepStart: clock.Now()}
	refused := &attemptError{op: "DescribeApp", endpoint: "http://127.0.0.1:9", err: syscall.ECONNREFUSED}
	lines := func() []string { return strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n") }

	tr.lastErr, tr.failingSince = refused, clock.Now()
	clock.Advance(quietFor - time.Second)
	pr.note()
	assert.Empty(t, stderr.String(), "a blip is not noted")
	clock.Advance(time.Second)
	pr.note()
	assert.Equal(t, []string{"   3.0s  retrying: DescribeApp: cannot reach http://127.0.0.1:9: connection refused (nothing listens there)"}, lines())
	clock.Advance(noteEvery - time.Second)
	pr.note()
	assert.Len(t, lines(), 1, "not again so soon")
	clock.Advance(time.Second)
	pr.note()
	assert.Len(t, lines(), 2)

	stderr.Reset()
	pr.lastNote = time.Time{}
	tr.lastErr = &attemptError{op: "DescribeApp", err: &sagemakerapp.APIError{Code: "AccessDeniedException", StatusCode: 400}}
	pr.note()
	assert.Empty(t, stderr.String(), "not retried, so not noted as retried")

	tr.lastErr = nil
	tr.endpoint = "https://api.sagemaker.eu-west-1.amazonaws.com"
	tr.inFlight[&attempt{op: "CreateApp"}] = attemptStart{"CreateApp", clock.Now()}
	clock.Advance(hangFor)
	pr.note()
	assert.Contains(t, stderr.String(), "  no answer yet from https://api.sagemaker.eu-west-1.amazonaws.com to CreateApp, after 10s\n")
}
