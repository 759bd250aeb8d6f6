package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// result is what one run of the program left behind.
type result struct {
	code           int
	stdout, stderr string
}

// runOnClock runs the program with the embedded fake and the waits on a manual clock that the
// waits themselves move, so that no test sleeps; fakeOpts are added to the embedded fake's.
func runOnClock(t *testing.T, args []string, fakeOpts ...sagemakerfake.Option) result {
	t.Helper()
	clock := sagemakerfake.NewManualClock(time.Now())
	var stdout, stderr bytes.Buffer
	p := &program{
		stdout:      &stdout,
		stderr:      &stderr,
		fakeOptions: append([]sagemakerfake.Option{sagemakerfake.WithClock(clock)}, fakeOpts...),
		clientOptions: []func(*sagemakerapp.Options){func(o *sagemakerapp.Options) {
			o.Now = clock.Now
			o.Sleep = func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() }
		}},
		now: clock.Now,
	}
	code := p.run(context.Background(), args)
	return result{code, stdout.String(), stderr.String()}
}

// startFake starts a fake for --endpoint-url, seeded as a platform's domain would be, and returns
// it with the hooks that put the program's waits on its clock.
func startFake(t *testing.T) (*sagemakerfake.Server, func(args ...string) result) {
	t.Helper()
	srv := sagemakerfake.Start(t)
	_, err := srv.SeedDomain("d-platform1", &sagemaker.CreateDomainInput{
		DomainName: aws.String("platform"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{},
	})
	require.NoError(t, err)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String("d-platform1"), UserProfileName: aws.String("bob")}))
	run := func(args ...string) result {
		var stdout, stderr bytes.Buffer
		p := &program{
			stdout: &stdout,
			stderr: &stderr,
			clientOptions: []func(*sagemakerapp.Options){func(o *sagemakerapp.Options) {
				o.Now = srv.Now
				o.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
			}},
			now: srv.Now,
		}
		code := p.run(context.Background(), append([]string{"--endpoint-url", srv.URL()}, args...))
		return result{code, stdout.String(), stderr.String()}
	}
	return srv, run
}

// The first command: no flags, the embedded fake on real time, progress on stderr, the
// ARN and InService on stdout. This is the one test that runs the program exactly as main does.
func TestNoFlagsCreatesTheDemoAppOnTheEmbeddedFake(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, nil, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())

	assert.Regexp(t, `(?m)^AppArn +arn:aws:sagemaker:us-east-1:123456789012:app/d-example12345/alice/jupyterlab/default$`, stdout.String())
	assert.Regexp(t, `(?m)^Status +InService$`, stdout.String())
	assert.Regexp(t, `(?m)^InstanceType +ml\.t3\.medium$`, stdout.String(), "the domain's default, applied by the service")

	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	require.GreaterOrEqual(t, len(lines), 4, stderr.String())
	assert.Contains(t, lines[0], "embedded fake SageMaker")
	assert.Equal(t, 1, strings.Count(stderr.String(), "embedded fake"), "said once")
	assert.Regexp(t, `^ +0\.\ds  Pending$`, lines[2])
	assert.Regexp(t, `^ +\d+\.\ds  InService$`, lines[len(lines)-1])
	assert.NotContains(t, stderr.String(), "\r", "no spinner when stderr is not a terminal")
}

func TestFlagsShapeTheRequest(t *testing.T) {
	r := runOnClock(t, []string{
		"--app-type", "KernelGateway", "--app-name=notebook", "--instance-type", "ml.m5.large",
		"--tag", "team=ml", "--tag=cost-center=42", "--output", "json",
	})
	require.Equal(t, exitOK, r.code, r.stderr)
	var app map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &app), r.stdout)
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:123456789012:app/d-example12345/alice/kernelgateway/notebook", app["AppArn"])
	assert.Equal(t, "InService", app["Status"])
	assert.Equal(t, "KernelGateway", app["AppType"])
	assert.Equal(t, map[string]any{"InstanceType": "ml.m5.large"}, app["ResourceSpec"])
	assert.NotContains(t, app, "SpaceName", "unset members are left out")
	assert.Contains(t, r.stderr, "Pending")
}

func TestSpaceApp(t *testing.T) {
	r := runOnClock(t, []string{"--space-name", "team", "--app-type", "CodeEditor"})
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "app/d-example12345/team/codeeditor/default")
	assert.Contains(t, r.stderr, `CodeEditor app "default" for space team`)
}

func TestWaitFalseStopsAtPending(t *testing.T) {
	r := runOnClock(t, []string{"--wait=false"})
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^Status +Pending$`, r.stdout)
	assert.NotContains(t, r.stderr, "Pending", "no progress without a wait")
}

func TestInvalidInputPrintsEveryProblemAndSendsNothing(t *testing.T) {
	srv, run := startFake(t)
	r := run("--domain-id", "d-platform1", "--user-profile-name", "bob", "--app-type", "JupyterLab",
		"--app-name", "bad_name", "--tag", "aws:owner=me", "--instance-type", "ml.nope.large")
	assert.Equal(t, exitInvalid, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "nothing was sent")
	for _, field := range []string{"AppName", "Tags[0].Key", "ResourceSpec.InstanceType"} {
		assert.Regexp(t, `(?m)^  `+regexp.QuoteMeta(field)+`: \w+`, r.stderr)
	}
	for _, req := range srv.Requests() {
		assert.NotEqual(t, "CreateApp", req.Operation, "an invalid request is never sent")
	}
}

func TestMissingRequiredFlagsAreInvalidInput(t *testing.T) {
	_, run := startFake(t)
	r := run() // outside the embedded fake there are no demo defaults
	assert.Equal(t, exitInvalid, r.code)
	for _, field := range []string{"DomainId", "AppType", "AppName", "UserProfileName"} {
		assert.Regexp(t, `(?m)^  `+field+`: `, r.stderr)
	}
}

func TestServiceErrorPrintsCodeAndRequestID(t *testing.T) {
	r := runOnClock(t, []string{"--user-profile-name", "nobody"}) // the embedded fake has alice only
	assert.Equal(t, exitFailure, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "createapp: ResourceNotFound: ")
	assert.Regexp(t, `operation CreateApp, HTTP 400, request ID \S+`, r.stderr)
}

func TestQuotaIsAServiceError(t *testing.T) {
	r := runOnClock(t, nil, sagemakerfake.WithQuota(types.AppTypeJupyterLab, types.AppInstanceTypeMlT3Medium, 0))
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "createapp: ResourceLimitExceeded: ")
	assert.Regexp(t, `request ID \S+`, r.stderr)
}

func TestFailedAppReportsTheReason(t *testing.T) {
	fail := sagemakerfake.WithFailureRule(func(sagemakerfake.App) string { return "the image would not start" })
	r := runOnClock(t, nil, fail)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "createapp: the app is Failed: the image would not start")
}

func TestDryRunPrintsTheRequestAndStartsNothing(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--dry-run", "--tag", "team=ml", "--image-version-alias", "2.3.1"}, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Empty(t, stderr.String(), "no fake was started, nothing was sent")
	var req map[string]any
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &req), stdout.String())
	assert.Equal(t, map[string]any{
		"DomainId":        "d-example12345",
		"UserProfileName": "alice",
		"AppType":         "JupyterLab",
		"AppName":         "default",
		"ResourceSpec":    map[string]any{"SageMakerImageVersionAlias": "2.3.1"},
		"Tags":            []any{map[string]any{"Key": "team", "Value": "ml"}},
	}, req)
}

func TestDryRunOfAnInvalidRequest(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--dry-run", "--space-name", "team", "--user-profile-name", "alice"}, &stdout, &stderr)
	assert.Equal(t, exitInvalid, code)
	assert.Empty(t, stdout.String())
	assert.Regexp(t, `(?m)^  SpaceName: Forbidden`, stderr.String())
}

func TestEnsureTwiceAdoptsTheApp(t *testing.T) {
	srv, run := startFake(t)
	args := []string{"--domain-id", "d-platform1", "--user-profile-name", "bob", "--app-type", "JupyterLab",
		"--app-name", "default", "--instance-type", "ml.t3.large", "--ensure"}
	first := run(args...)
	require.Equal(t, exitOK, first.code, first.stderr)
	second := run(args...)
	require.Equal(t, exitOK, second.code, second.stderr)

	for _, r := range []result{first, second} {
		assert.Regexp(t, `(?m)^AppArn +arn:aws:sagemaker:us-east-1:123456789012:app/d-platform1/bob/jupyterlab/default$`, r.stdout)
		assert.Regexp(t, `(?m)^Status +InService$`, r.stdout)
	}
	assert.Len(t, srv.Apps(), 1)
	creates := 0
	for _, req := range srv.Requests() {
		if req.Operation == "CreateApp" {
			creates++
		}
	}
	assert.Equal(t, 1, creates, "the second --ensure found the app and created nothing")
}

func TestEnsureOfAnotherSpecNamesTheDifference(t *testing.T) {
	_, run := startFake(t)
	base := []string{"--domain-id", "d-platform1", "--user-profile-name", "bob", "--app-type", "JupyterLab", "--app-name", "default", "--ensure"}
	require.Equal(t, exitOK, run(append(base, "--instance-type", "ml.t3.large")...).code)
	r := run(append(base, "--instance-type", "ml.t3.xlarge")...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "another spec")
	assert.Contains(t, r.stderr, "ResourceSpec.InstanceType")
}

func TestCreateOfAnExistingAppIsResourceInUse(t *testing.T) {
	_, run := startFake(t)
	args := []string{"--domain-id", "d-platform1", "--user-profile-name", "bob", "--app-type", "JupyterLab", "--app-name", "default"}
	require.Equal(t, exitOK, run(args...).code)
	r := run(args...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "createapp: ResourceInUse: ")
	assert.Contains(t, r.stderr, "--ensure")
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"--output", "yaml"},
		{"--tag", "novalue"},
		{"--no-such-flag"},
		{"stray"},
		{"--wait=maybe"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, &stdout, &stderr)
		assert.Equal(t, exitInvalid, code, args)
		assert.Contains(t, stderr.String(), "createapp --help", args)
		assert.Empty(t, stdout.String(), args)
	}
}

func TestHelpShowsAnExampleForEachMode(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run(context.Background(), []string{"--help"}, &stdout, &stderr))
	help := stdout.String()
	for _, want := range []string{
		"\n    createapp\n", "--dry-run --domain-id", "--endpoint-url http://127.0.0.1:8770", "--aws --region",
		"--tag key=value", "--output format", "Exit codes",
	} {
		assert.Contains(t, help, want)
	}
	_, fs, err := parseFlags(nil)
	require.NoError(t, err)
	fs.VisitAll(func(f *flag.Flag) { assert.Contains(t, help, "\n  --"+f.Name) })
}

// --aws reads the default AWS configuration; here it comes from the environment alone, and
// --endpoint-url keeps the requests on the fake.
func TestAWSConfigurationWithAnEndpoint(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	srv, run := startFake(t)
	r := run("--aws", "--domain-id", "d-platform1", "--user-profile-name", "bob", "--app-type", "JupyterLab", "--app-name", "default")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^Status +Pending$`, r.stdout, "no --wait outside the embedded fake")
	assert.Len(t, srv.Apps(), 1)
}
