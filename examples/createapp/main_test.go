package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
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
		DomainName: aws.String("platform"), AuthMode: types.AuthModeIam,
		// A domain that still runs Studio Classic, for the tests' Classic apps (facts §7.1), and
		// lets a user set their JupyterLab space's idle timeout from 60 to 480 minutes (§7.6).
		DefaultUserSettings: &types.UserSettings{StudioWebPortal: types.StudioWebPortalDisabled, JupyterLabAppSettings: &types.JupyterLabAppSettings{
			AppLifecycleManagement: &types.AppLifecycleManagement{IdleSettings: &types.IdleSettings{
				LifecycleManagement: types.LifecycleManagementEnabled, MinIdleTimeoutInMinutes: aws.Int32(60), MaxIdleTimeoutInMinutes: aws.Int32(480),
			}},
		}},
	})
	require.NoError(t, err)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String("d-platform1"), UserProfileName: aws.String("bob")}))
	run := func(args ...string) result { return runAgainst(srv, nil, args...) }
	return srv, run
}

// runAgainst runs the program with --endpoint-url srv and its waits on srv's clock; stdin, when
// set, is a terminal that answers with it.
func runAgainst(srv *sagemakerfake.Server, stdin io.Reader, args ...string) result {
	var stdout, stderr bytes.Buffer
	p := &program{
		stdin:  stdin,
		stdout: &stdout,
		stderr: &stderr,
		clientOptions: []func(*sagemakerapp.Options){func(o *sagemakerapp.Options) {
			o.Now = srv.Now
			o.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
		}},
		now:        srv.Now,
		terminalIn: func() bool { return stdin != nil },
	}
	code := p.run(context.Background(), append([]string{"--endpoint-url", srv.URL()}, args...))
	return result{code, stdout.String(), stderr.String()}
}

// distributionCPU is the SageMaker Distribution image of us-east-1, the region of the demo and of
// --endpoint-url by default (facts §7.3).
const distributionCPU = "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"

// launchURLLine finds the LaunchUrl line of the text output.
var launchURLLine = regexp.MustCompile(`(?m)^LaunchUrl +(\S+)$`)

// fetch GETs url directly (never through a proxy) and returns the status and the page.
func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), "the URL is on the loopback fake: %s", url)
	transport := &http.Transport{Proxy: nil}
	defer transport.CloseIdleConnections()
	resp, err := (&http.Client{Transport: transport, Timeout: 30 * time.Second}).Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// The first command: no flags, the embedded fake on real time. It ensures alice's private
// space, a JupyterLab app in it with the region's distribution image, waits, and prints the
// space, the app InService and a launch URL; opening that URL, while the fake still runs, shows
// the fake's page for that app. This is the one test that runs the program as main does (the
// hook only fetches the URL before the fake closes).
func TestNoFlagsEnsuresAlicesSpaceAndAppAndPrintsALaunchURL(t *testing.T) {
	t.Parallel() // on real time, beside the other test that is
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	var status int
	var page string
	p := &program{stdout: &stdout, stderr: &stderr}
	p.beforeClose = func() {
		m := launchURLLine.FindStringSubmatch(stdout.String())
		if m == nil {
			return
		}
		status, page = fetch(t, m[1])
	}
	code := p.run(ctx, nil)
	require.Equal(t, exitOK, code, stderr.String())

	out := stdout.String()
	assert.Regexp(t, `(?m)^SpaceArn +arn:aws:sagemaker:us-east-1:123456789012:space/d-example12345/alice-jupyterlab$`, out)
	assert.Regexp(t, `(?m)^SpaceStatus +InService$`, out)
	assert.Regexp(t, `(?m)^SpaceOwner +alice$`, out)
	assert.Regexp(t, `(?m)^SharingType +Private$`, out)
	assert.Regexp(t, `(?m)^AppArn +arn:aws:sagemaker:us-east-1:123456789012:app/d-example12345/alice-jupyterlab/jupyterlab/default$`, out)
	assert.Regexp(t, `(?m)^Status +InService$`, out)
	assert.Regexp(t, `(?m)^InstanceType +ml\.t3\.medium$`, out, "the domain's default, applied by the service")
	assert.Regexp(t, `(?m)^SageMakerImageArn +`+regexp.QuoteMeta(distributionCPU)+`$`, out)
	require.Regexp(t, `(?m)^LaunchUrl +http://127\.0\.0\.1:\d+`+regexp.QuoteMeta(sagemakerfake.StudioPath)+`\?token=\w+$`, out)

	assert.Equal(t, http.StatusOK, status, page)
	for _, want := range []string{
		`<dd id="space">alice-jupyterlab</dd>`, `<dd id="user">alice</dd>`, `<dd id="app-type">JupyterLab</dd>`,
		`<dd id="app-name">default</dd>`, `<dd id="app-status">InService</dd>`,
		`<dd id="app-arn">arn:aws:sagemaker:us-east-1:123456789012:app/d-example12345/alice-jupyterlab/jupyterlab/default</dd>`,
	} {
		assert.Contains(t, page, want, "the page names the app")
	}

	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	require.GreaterOrEqual(t, len(lines), 6, stderr.String())
	assert.Contains(t, lines[0], "embedded fake SageMaker")
	assert.Equal(t, "Ensuring private space alice-jupyterlab of user alice for JupyterLab apps in d-example12345", lines[1])
	assert.Equal(t, `Creating JupyterLab app "default" in space alice-jupyterlab of d-example12345`, lines[2])
	assert.Regexp(t, `^ +0\.\ds  Pending$`, lines[3])
	assert.Regexp(t, `^ +\d+\.\ds  InService$`, lines[4])
	assert.Contains(t, lines[5], "the embedded fake stops as createapp exits")
	assert.NotContains(t, stderr.String(), "\r", "no spinner when stderr is not a terminal")
}

// KernelGateway stays a Studio Classic app on the user profile: no space, no default image; its
// launch URL opens Studio Classic.
func TestStudioClassicAppOnTheUserProfile(t *testing.T) {
	r := runOnClock(t, []string{
		"--app-type", "KernelGateway", "--app-name=notebook", "--instance-type", "ml.m5.large",
		"--tag", "team=ml", "--tag=cost-center=42", "--output", "json",
	})
	require.Equal(t, exitOK, r.code, r.stderr)
	var app map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &app), r.stdout)
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:123456789012:app/d-example12345/alice/kernelgateway/notebook", app["AppArn"])
	assert.Equal(t, "alice", app["UserProfileName"])
	assert.Equal(t, "InService", app["Status"])
	assert.Equal(t, "KernelGateway", app["AppType"])
	assert.Equal(t, map[string]any{"InstanceType": "ml.m5.large"}, app["ResourceSpec"], "no image is added to a Studio Classic app")
	assert.NotContains(t, app, "SpaceName", "unset members are left out")
	assert.NotContains(t, app, "Space", "no space was ensured")
	assert.Contains(t, app["AuthorizedUrl"], sagemakerfake.StudioPath)
	assert.NotContains(t, r.stderr, "private space")
	assert.Contains(t, r.stderr, "Pending")
}

// A CodeEditor app on a GPU instance type: alice's private space for CodeEditor, and the GPU build
// of the distribution image.
func TestCodeEditorOnAGPUGetsTheGPUImageInItsOwnSpace(t *testing.T) {
	r := runOnClock(t, []string{"--app-type", "CodeEditor", "--instance-type", "ml.g5.xlarge", "--output", "json"})
	require.Equal(t, exitOK, r.code, r.stderr)
	var out resultJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out), r.stdout)
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:123456789012:app/d-example12345/alice-codeeditor/codeeditor/default", out.AppArn)
	assert.Equal(t, "alice-codeeditor", out.SpaceName)
	require.NotNil(t, out.ResourceSpec)
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-gpu", out.ResourceSpec.SageMakerImageArn)
	assert.Equal(t, "ml.g5.xlarge", out.ResourceSpec.InstanceType)
	require.NotNil(t, out.Space)
	assert.Equal(t, "alice-codeeditor", out.Space.SpaceName)
	assert.Equal(t, "InService", out.Space.Status)
	assert.Equal(t, "alice", out.Space.OwnershipSettings.OwnerUserProfileName)
	assert.Equal(t, "Private", out.Space.SpaceSharingSettings.SharingType)
	assert.Equal(t, "CodeEditor", out.Space.SpaceSettings.AppType)
	assert.NotEmpty(t, out.AuthorizedUrl)
}

// The demo's shared space: the app goes in it, and the launch URL signs alice in, since a shared
// space has no owner to sign in.
func TestSharedSpaceApp(t *testing.T) {
	r := runOnClock(t, []string{"--space-name", "team", "--app-type", "CodeEditor"})
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "app/d-example12345/team/codeeditor/default")
	assert.NotContains(t, r.stdout, "SpaceArn", "createapp ensured no space")
	assert.Regexp(t, `(?m)^SageMakerImageArn +`+regexp.QuoteMeta(distributionCPU)+`$`, r.stdout)
	assert.Regexp(t, launchURLLine, r.stdout)
	assert.Contains(t, r.stderr, `CodeEditor app "default" in space team`)
}

func TestWaitFalseStopsAtPendingWithoutALaunchURL(t *testing.T) {
	r := runOnClock(t, []string{"--wait=false"})
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^SpaceStatus +InService$`, r.stdout, "the space is ensured before the app")
	assert.Regexp(t, `(?m)^Status +Pending$`, r.stdout)
	assert.NotRegexp(t, launchURLLine, r.stdout, "a space with no running app has no URL to open")
	assert.NotContains(t, r.stderr, "Pending", "no progress without a wait")
}

// --image-arn= sends no image: the library then looks at every level that could give one, finds
// none in the demo, and refuses the app before CreateApp, naming each level. The space it had
// ensured is said to stay.
func TestEmptyImageARNSendsNoneAndTheImageRuleRefusesIt(t *testing.T) {
	r := runOnClock(t, []string{"--image-arn="})
	assert.Equal(t, exitInvalid, r.code)
	assert.Contains(t, r.stderr, "CreateApp was not sent (space alice-jupyterlab is ensured and stays)")
	assert.Regexp(t, `(?m)^  ResourceSpec\.SageMakerImageArn: Required: `, r.stderr)
}

func TestInvalidInputPrintsEveryProblemAndSendsNothing(t *testing.T) {
	srv, run := startFake(t)
	r := run("--domain-id", "d-platform1", "--owner", "bob", "--app-type", "JupyterLab",
		"--app-name", "bad_name", "--tag", "aws:owner=me", "--instance-type", "ml.nope.large")
	assert.Equal(t, exitInvalid, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "nothing was sent")
	for _, field := range []string{"AppName", "Tags[0].Key", "ResourceSpec.InstanceType"} {
		assert.Regexp(t, `(?m)^  `+regexp.QuoteMeta(field)+`: \w+`, r.stderr)
	}
	assert.Empty(t, srv.Requests(), "an invalid request is never sent, nor is its space created")
}

// JupyterLab on a user profile is Studio Classic's shape; the library refuses it before the call
// and says to use a space.
func TestJupyterLabOnAUserProfileIsRefusedBeforeTheCall(t *testing.T) {
	srv, run := startFake(t)
	r := run("--domain-id", "d-platform1", "--user-profile-name", "bob", "--app-type", "JupyterLab", "--app-name", "default")
	assert.Equal(t, exitInvalid, r.code)
	assert.Regexp(t, `(?m)^  UserProfileName: Forbidden "bob": .*--space-name`, r.stderr)
	assert.Empty(t, srv.Requests())
}

func TestMissingRequiredFlagsAreInvalidInput(t *testing.T) {
	_, run := startFake(t)
	r := run() // outside the embedded fake there are no demo defaults
	assert.Equal(t, exitInvalid, r.code)
	for _, field := range []string{"DomainId", "AppType", "AppName", "UserProfileName"} {
		assert.Regexp(t, `(?m)^  `+field+`: `, r.stderr)
	}
}

// An owner that has no user profile: CreateSpace answers ResourceNotFound, printed with the
// service's code and request ID.
func TestServiceErrorPrintsCodeAndRequestID(t *testing.T) {
	r := runOnClock(t, []string{"--owner", "nobody"}) // the embedded fake has alice only
	assert.Equal(t, exitFailure, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "createapp: ResourceNotFound: ")
	assert.Regexp(t, `operation CreateSpace, HTTP 400, request ID \S+`, r.stderr)
}

func TestQuotaIsAServiceError(t *testing.T) {
	r := runOnClock(t, nil, sagemakerfake.WithQuota(types.AppTypeJupyterLab, types.AppInstanceTypeMlT3Medium, 0))
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "createapp: ResourceLimitExceeded: ")
	assert.Regexp(t, `operation CreateApp, .*request ID \S+`, r.stderr)
}

func TestFailedAppReportsTheReason(t *testing.T) {
	fail := sagemakerfake.WithFailureRule(func(sagemakerfake.App) string { return "the image would not start" })
	r := runOnClock(t, nil, fail)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "createapp: the app is Failed: the image would not start")
	assert.NotRegexp(t, launchURLLine, r.stdout)
}

// The demo's shared space is not alice's private one: EnsureSpace names what differs and changes
// nothing.
func TestOwnerOfASharedSpaceIsASpaceConflict(t *testing.T) {
	r := runOnClock(t, []string{"--owner", "alice", "--space-name", "team"})
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "createapp: space team exists with other settings; these members differ: ")
	assert.Contains(t, r.stderr, "SpaceSharingSettings.SharingType")
}

func TestDryRunPrintsTheRequestAndStartsNothing(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--dry-run", "--tag", "team=ml", "--image-version-alias", "2.3.1"}, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Empty(t, stderr.String(), "no fake was started, nothing was sent")
	var req map[string]any
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &req), stdout.String())
	assert.Equal(t, map[string]any{
		"DomainId":     "d-example12345",
		"SpaceName":    "alice-jupyterlab",
		"AppType":      "JupyterLab",
		"AppName":      "default",
		"ResourceSpec": map[string]any{"SageMakerImageArn": distributionCPU, "SageMakerImageVersionAlias": "2.3.1"},
		"Tags":         []any{map[string]any{"Key": "team", "Value": "ml"}},
	}, req)
}

func TestDryRunOfAnInvalidRequest(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--dry-run", "--space-name", "team", "--user-profile-name", "alice"}, &stdout, &stderr)
	assert.Equal(t, exitInvalid, code)
	assert.Empty(t, stdout.String())
	assert.Regexp(t, `(?m)^  SpaceName: Forbidden`, stderr.String())
}

func TestDryRunOfAnUnknownRegionAsksForAnImage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--dry-run", "--endpoint-url", "http://127.0.0.1:1", "--region", "xx-nowhere-1",
		"--domain-id", "d-platform1", "--space-name", "s", "--app-type", "JupyterLab", "--app-name", "default"}, &stdout, &stderr)
	assert.Equal(t, exitInvalid, code)
	assert.Contains(t, stderr.String(), "no SageMaker Distribution image is known for region xx-nowhere-1: give --image-arn")
}

func countOps(srv *sagemakerfake.Server, op string) int {
	n := 0
	for _, req := range srv.Requests() {
		if req.Operation == op {
			n++
		}
	}
	return n
}

func TestEnsureTwiceAdoptsTheSpaceAndTheApp(t *testing.T) {
	srv, run := startFake(t)
	args := []string{"--domain-id", "d-platform1", "--owner", "bob", "--app-type", "JupyterLab",
		"--app-name", "default", "--instance-type", "ml.t3.large", "--ensure"}
	first := run(args...)
	require.Equal(t, exitOK, first.code, first.stderr)
	second := run(args...)
	require.Equal(t, exitOK, second.code, second.stderr)

	for _, r := range []result{first, second} {
		assert.Regexp(t, `(?m)^SpaceArn +arn:aws:sagemaker:us-east-1:123456789012:space/d-platform1/bob-jupyterlab$`, r.stdout)
		assert.Regexp(t, `(?m)^AppArn +arn:aws:sagemaker:us-east-1:123456789012:app/d-platform1/bob-jupyterlab/jupyterlab/default$`, r.stdout)
		assert.Regexp(t, `(?m)^Status +InService$`, r.stdout)
		assert.Regexp(t, `(?m)^SageMakerImageArn +`+regexp.QuoteMeta(distributionCPU)+`$`, r.stdout)
		assert.Regexp(t, launchURLLine, r.stdout)
	}
	assert.Len(t, srv.Apps(), 1)
	assert.Equal(t, 1, countOps(srv, "CreateApp"), "the second --ensure found the app and created nothing")
	out, err := srv.Client().ListSpaces(context.Background(), &sagemaker.ListSpacesInput{DomainIdEquals: aws.String("d-platform1")})
	require.NoError(t, err)
	assert.Len(t, out.Spaces, 1, "one space, adopted the second time")
}

func TestEnsureOfAnotherSpecNamesTheDifference(t *testing.T) {
	_, run := startFake(t)
	base := []string{"--domain-id", "d-platform1", "--owner", "bob", "--app-type", "JupyterLab", "--app-name", "default", "--ensure"}
	require.Equal(t, exitOK, run(append(base, "--instance-type", "ml.t3.large")...).code)
	r := run(append(base, "--instance-type", "ml.t3.xlarge")...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "another spec")
	assert.Contains(t, r.stderr, "ResourceSpec.InstanceType")
}

// A space runs one app at a time: a second app in bob's space is refused, naming the one there.
func TestASecondAppInTheSpaceNamesTheOneThatRuns(t *testing.T) {
	srv, run := startFake(t)
	base := []string{"--domain-id", "d-platform1", "--owner", "bob", "--app-type", "JupyterLab", "--instance-type", "ml.t3.large", "--ensure"}
	require.Equal(t, exitOK, run(append(base, "--app-name", "default")...).code)
	r := run(append(base, "--app-name", "second")...)
	assert.Equal(t, exitFailure, r.code, r.stderr)
	assert.Contains(t, r.stderr, `createapp: space bob-jupyterlab runs another app, JupyterLab "default" (InService)`)
	assert.Len(t, srv.Apps(), 1)
}

func TestCreateOfAnExistingAppIsResourceInUse(t *testing.T) {
	_, run := startFake(t)
	args := []string{"--domain-id", "d-platform1", "--owner", "bob", "--app-type", "JupyterLab", "--app-name", "default", "--instance-type", "ml.t3.large"}
	require.Equal(t, exitOK, run(args...).code)
	r := run(args...)
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "createapp: ResourceInUse: ")
	assert.Contains(t, r.stderr, "--ensure")
}

// A shared space outside the demo: no one to sign in by default, so the URL is left out with a
// note, and the app's creation still succeeds; --launch-user names the user.
func TestSharedSpaceNeedsALaunchUser(t *testing.T) {
	srv, run := startFake(t)
	require.NoError(t, srv.SeedSpace(&sagemaker.CreateSpaceInput{
		DomainId: aws.String("d-platform1"), SpaceName: aws.String("lab"),
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared},
	}))
	args := []string{"--domain-id", "d-platform1", "--space-name", "lab", "--app-type", "CodeEditor", "--app-name", "default", "--instance-type", "ml.t3.large", "--ensure"}
	r := run(args...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^Status +InService$`, r.stdout)
	assert.NotRegexp(t, launchURLLine, r.stdout)
	assert.Contains(t, r.stderr, "No launch URL: space lab is not a private space with an owner; give --launch-user")

	r = run(append(args, "--launch-user", "bob")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	m := launchURLLine.FindStringSubmatch(r.stdout)
	require.NotNil(t, m, r.stdout)
	status, page := fetch(t, m[1])
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `<dd id="user">bob</dd>`)
	assert.Contains(t, page, `<dd id="app-type">CodeEditor</dd>`)
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
		"\n    createapp\n", "--dry-run --domain-id", "--endpoint-url http://127.0.0.1:8770", "--aws --region", "--owner alice",
		"--tag key=value", "--output format", "Exit codes",
		"--tags Key=k,Value=v\n", "--resource-spec spec\n", "--wait-timeout duration\n", "--profile name\n",
		"--tags Key=team,Value=ml Key=env,Value=dev", "130 interrupted", "go build -o createapp ./examples/createapp",
		"--storage-gib 20 --idle-timeout 2h", "createapp --delete-user alice", "--delete-user user\n", "--idle-timeout duration\n",
		"neither a terminal nor --yes",
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
	r := run("--aws", "--domain-id", "d-platform1", "--owner", "bob", "--app-type", "JupyterLab", "--app-name", "default")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^Status +Pending$`, r.stdout, "no --wait outside the embedded fake")
	assert.Regexp(t, `(?m)^SageMakerImageArn +`+regexp.QuoteMeta(distributionCPU)+`$`, r.stdout, "the image of the configuration's region")
	require.Len(t, srv.Apps(), 1)
	assert.Equal(t, "bob-jupyterlab", srv.Apps()[0].SpaceName)
}
