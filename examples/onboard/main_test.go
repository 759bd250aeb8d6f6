package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
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

// result is what one run of the program left behind. srv is the embedded fake it started, if any
// (closed by then; its state can still be read).
type result struct {
	code           int
	stdout, stderr string
	srv            *sagemakerfake.Server
}

// testProgram returns a program that reads stdin and, on the embedded fake, runs the fake and
// the library's waits and rate limiter on one manual clock that the waits themselves move, so that
// no test sleeps; fakeOpts are added to the embedded fake's. Tests may change its hooks further.
func testProgram(stdin string, fakeOpts ...sagemakerfake.Option) (*program, *result, *bytes.Buffer, *bytes.Buffer) {
	clock := sagemakerfake.NewManualClock(time.Now())
	var stdout, stderr bytes.Buffer
	res := &result{}
	p := &program{
		stdin:       strings.NewReader(stdin),
		stdout:      &stdout,
		stderr:      &stderr,
		fakeOptions: append([]sagemakerfake.Option{sagemakerfake.WithClock(clock)}, fakeOpts...),
		clientOptions: []func(*sagemakerapp.Options){func(o *sagemakerapp.Options) {
			o.Now = clock.Now
			o.Sleep = func(ctx context.Context, d time.Duration) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				clock.Advance(d)
				return nil
			}
		}},
		fakeStarted: func(srv *sagemakerfake.Server) { res.srv = srv },
	}
	return p, res, &stdout, &stderr
}

// runOnClock runs the program as testProgram sets it up.
func runOnClock(t *testing.T, stdin string, args []string, fakeOpts ...sagemakerfake.Option) *result {
	t.Helper()
	p, res, stdout, stderr := testProgram(stdin, fakeOpts...)
	res.code = p.run(context.Background(), args)
	res.stdout, res.stderr = stdout.String(), stderr.String()
	return res
}

// usersCSV returns an input of n users, user001 and on.
func usersCSV(n int) string {
	var b strings.Builder
	b.WriteString("user\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "user%03d\n", i)
	}
	return b.String()
}

// progressLine is a plain progress line of the spaces or the apps.
var progressLine = regexp.MustCompile(`^ +\d+\.\ds  (\d+)/(\d+) (spaces|apps) done: (\d+) InService, (\d+) failed, (\d+) canceled; (\d+) in flight, (\d+) queued$`)

// distributionCPU is the SageMaker Distribution image of us-east-1 (facts §7.3).
const distributionCPU = "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"

// assertPlainProgress checks that stderr has no terminal control codes and that the progress
// lines of what (spaces or apps) count up to total, and returns them.
func assertPlainProgress(t *testing.T, stderr, what string, total int) []string {
	t.Helper()
	assert.NotContains(t, stderr, "\x1b", "no ANSI escape codes when stderr is not a terminal")
	assert.NotContains(t, stderr, "\r", "no bar when stderr is not a terminal")
	var lines []string
	for _, line := range strings.Split(stderr, "\n") {
		if m := progressLine.FindStringSubmatch(line); m != nil && m[3] == what {
			lines = append(lines, line)
		}
	}
	require.NotEmpty(t, lines, stderr)
	assert.LessOrEqual(t, len(lines), plainSteps, "at most a line per twentieth")
	last := progressLine.FindStringSubmatch(lines[len(lines)-1])
	assert.Equal(t, fmt.Sprint(total), last[1], "the last line has every one done: %s", lines[len(lines)-1])
	return lines
}

// The command, as main runs it: the embedded fake on real time (its apps start in a
// second), the users from a file, plain progress on stderr (a test's stderr is no terminal), the
// summary on stdout, exit code 0.
func TestOnboardsEveryUserOnTheEmbeddedFake(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.csv")
	require.NoError(t, os.WriteFile(path, []byte("user\nalice\nbob\ncarol\n"), 0o600))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"--file", path}, &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())

	assert.True(t, strings.HasPrefix(stdout.String(), "3 of 3 apps InService, 0 failed.\n"), stdout.String())
	assert.Regexp(t, `(?m)^InService +3 +the app is running$`, stdout.String())
	assert.NotContains(t, stdout.String(), "REASON", "no failed users, no table of them")
	assert.Contains(t, stderr.String(), "Using an embedded fake SageMaker at http://127.0.0.1:")
	assert.Contains(t, stderr.String(), "Ensuring 3 private spaces (user-jupyterlab) in d-example12345: 16 at a time, at most 20 creates a second.")
	assert.Contains(t, stderr.String(), `Ensuring 3 JupyterLab apps "default" in their spaces in d-example12345: 16 at a time, at most 20 creates a second.`)
	assert.Less(t, strings.Index(stderr.String(), "private spaces"), strings.Index(stderr.String(), "JupyterLab apps"), "the spaces first")
	// EnsureSpaces and EnsureApps coalesce reports that come while one is being printed: at most
	// a line per user done, and the last one has them all.
	for _, what := range []string{"spaces", "apps"} {
		lines := assertPlainProgress(t, stderr.String(), what, 3)
		assert.LessOrEqual(t, len(lines), 3, "at most a line per user done, for 20 users or fewer")
	}
}

// The columns shape each app: the row's instance type, or --instance-type; the row's tags.
// With --output json, stdout has one object per user and the summary moves to stderr.
func TestColumnsShapeEachAppAndJSONHasOneObjectPerUser(t *testing.T) {
	in := " User , Instance_Type , Tags \n" +
		"# comments and blank lines are skipped\n" +
		"alice,ml.t3.large, team = ml ; cost-center=42;\n" +
		"\n" +
		"bob,,team=data\n" +
		"carol\n"
	r := runOnClock(t, in, []string{"--instance-type", "ml.t3.xlarge", "--output", "json", "--app-name", "lab"})
	require.Equal(t, exitOK, r.code, r.stderr)

	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	for i, want := range []struct {
		user string
		line int
	}{{"alice", 3}, {"bob", 5}, {"carol", 6}} {
		var got map[string]any
		require.NoError(t, json.Unmarshal([]byte(lines[i]), &got), lines[i])
		assert.Equal(t, map[string]any{
			"User":      want.user,
			"Line":      float64(want.line),
			"Status":    "InService",
			"SpaceName": want.user + "-jupyterlab",
			"AppArn":    "arn:aws:sagemaker:us-east-1:123456789012:app/d-example12345/" + want.user + "-jupyterlab/jupyterlab/lab",
		}, got)
	}
	assert.Contains(t, r.stderr, "3 of 3 apps InService, 0 failed.", "the summary is on stderr with --output json")

	require.NotNil(t, r.srv)
	apps := map[string]sagemakerfake.App{}
	for _, a := range r.srv.Apps() {
		assert.Empty(t, a.UserProfileName, "a JupyterLab app runs in a space")
		apps[strings.TrimSuffix(a.SpaceName, "-jupyterlab")] = a
	}
	require.Len(t, apps, 3)
	for user, a := range apps {
		assert.Equal(t, distributionCPU, aws.ToString(a.ResourceSpec.SageMakerImageArn), user)
	}
	assert.Equal(t, types.AppInstanceTypeMlT3Large, apps["alice"].ResourceSpec.InstanceType)
	assert.Equal(t, []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}, {Key: aws.String("cost-center"), Value: aws.String("42")}}, apps["alice"].Tags)
	assert.Equal(t, types.AppInstanceTypeMlT3Xlarge, apps["bob"].ResourceSpec.InstanceType, "--instance-type for a row without one")
	assert.Equal(t, []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}}, apps["bob"].Tags)
	assert.Equal(t, types.AppInstanceTypeMlT3Xlarge, apps["carol"].ResourceSpec.InstanceType)
	assert.Empty(t, apps["carol"].Tags)
}

// A malformed input is refused whole, with exit code 2, every problem on its line, and nothing
// sent. The fake is a separate one (--endpoint-url), so that its request log can show that.
func TestInvalidInputListsEveryProblemAndSendsNothing(t *testing.T) {
	tests := []struct {
		name, in string
		args     []string
		want     []string // lines of stderr, after the two spaces of indentation
	}{{
		name: "every kind of problem at once",
		in: "user,instance_type,tags,email\n" +
			"alice,ml.t3.large,team=ml;cost\n" + // 2
			"bob,,aws:owner=me\n" + // 3
			"alice\n" + // 4
			",ml.t3.medium\n" + // 5
			"carol,ml.nope.large,a=1;a=2\n" + // 6
			"d\"ave\n" + // 7
			"bad_user\n" + // 8
			"eve,ml.t3.medium,k=v,x,y\n" + // 9
			"frank,,=v\n", // 10
		want: []string{
			`line 1: unknown column "email": want user, instance_type and tags`,
			`line 2: tags: "cost" is not key=value (write key= for an empty value)`,
			`line 3: tags: Tags[0].Key: Forbidden "aws:owner": `,
			`line 4: user "alice" repeats line 2`,
			`line 5: user is empty`,
			`line 6: tags: key "a" is given twice`,
			`line 6: instance_type: ResourceSpec.InstanceType: NotSupported "ml.nope.large": `,
			`line 7: CSV: bare " in non-quoted-field`,
			`line 8: user: OwnershipSettings.OwnerUserProfileName: Invalid "bad_user": `,
			`line 8: user: SpaceName: Invalid "bad_user-jupyterlab": `,
			`line 9: 5 fields, but the header has 4`,
			`line 10: tags: "=v" has an empty key`,
		},
	}, {
		name: "no user column",
		in:   "name,tags\nalice,\n",
		want: []string{`line 1: unknown column "name": `, `line 1: the header has no "user" column`},
	}, {
		name: "empty input",
		in:   "",
		want: []string{`the input is empty: want a header row with a "user" column, then a row per user`},
	}, {
		name: "a header and no users",
		in:   "user\n# nobody yet\n",
		want: []string{`the input has a header and no users`},
	}, {
		name: "a problem of a flag is reported once, not per user",
		in:   usersCSV(3),
		args: []string{"--app-type", "Bogus", "--instance-type", "ml.nope.large"},
		want: []string{`--app-type: AppType: NotSupported "Bogus": `, `--instance-type: ResourceSpec.InstanceType: NotSupported "ml.nope.large": `},
	}, {
		name: "the flags are checked without users too",
		in:   "",
		args: []string{"--app-name", "bad_name"},
		want: []string{`the input is empty: `, `--app-name: AppName: Invalid "bad_name": `},
	}, {
		name: "a missing file",
		args: []string{"--file", filepath.Join(t.TempDir(), "nobody.csv")},
		want: []string{`--file: open `},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := sagemakerfake.Start(t)
			p, _, stdout, stderr := testProgram(tt.in)
			args := append([]string{"--endpoint-url", srv.URL(), "--domain-id", "d-platform1"}, tt.args...)
			code := p.run(context.Background(), args)
			assert.Equal(t, exitInvalid, code)
			assert.Empty(t, stdout.String())
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			require.Equal(t, "onboard: invalid input, nothing was sent:", lines[0], stderr.String())
			require.Len(t, lines[1:], len(tt.want), "every problem, once:\n%s", stderr.String())
			for i, want := range tt.want {
				assert.True(t, strings.HasPrefix(lines[1+i], "  "+want), "got %q, want %q", lines[1+i], want)
			}
			assert.Empty(t, srv.Requests(), "nothing was sent")
		})
	}
}

// Invalid input on the embedded fake: the fake is not even started.
func TestInvalidInputStartsNoFake(t *testing.T) {
	r := runOnClock(t, "user\nbad_user\n", nil)
	assert.Equal(t, exitInvalid, r.code)
	assert.Nil(t, r.srv, "no fake was started")
	assert.NotContains(t, r.stderr, "embedded fake")
	assert.Contains(t, r.stderr, `  line 2: user: OwnershipSettings.OwnerUserProfileName: Invalid "bad_user": `)
}

func TestBadFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--output", "xml"}, `onboard: --output "xml": want text or json`},
		{[]string{"--concurrency", "0"}, `onboard: --concurrency 0: want 1 or more`},
		{[]string{"--creates-per-second", "0"}, `onboard: --creates-per-second 0: want a positive rate, or a negative one for no limit`},
		{[]string{"--timeout", "0s"}, `onboard: --timeout 0s: want a positive duration`},
		{[]string{"users.csv"}, `onboard: unexpected argument "users.csv"`},
		{[]string{"--user-profile-name", "alice"}, `onboard: flag provided but not defined: -user-profile-name`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runOnClock(t, usersCSV(1), tt.args)
			assert.Equal(t, exitInvalid, r.code)
			assert.Contains(t, r.stderr, tt.want)
			assert.Contains(t, r.stderr, "Run 'onboard --help' for usage.")
			assert.Nil(t, r.srv)
		})
	}
}

func TestHelp(t *testing.T) {
	r := runOnClock(t, "", []string{"--help"})
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "Usage: onboard")
	for _, name := range []string{"file", "domain-id", "app-type", "app-name", "instance-type", "concurrency",
		"creates-per-second", "timeout", "endpoint-url", "aws", "output", "region", "image-arn"} {
		assert.Contains(t, r.stdout, "\n  --"+name, "the help lists --%s", name)
	}
	// The flag package takes a back-quoted word of the usage for the argument's name.
	assert.Contains(t, r.stdout, "\n  --concurrency number\n")
	assert.NotContains(t, r.stdout, "--concurrency once")
}

// The scenario through the program: a quota that lets 150 of 200 apps start gives 150
// InService and 50 over the quota; the summary says so, lists the 50 with the service's code,
// and the exit code is 1. Progress, on a stderr that is no terminal, is plain lines.
func TestQuotaLets150Of200Start(t *testing.T) {
	r := runOnClock(t, usersCSV(200), nil, sagemakerfake.WithQuota(types.AppTypeJupyterLab, types.AppInstanceTypeMlT3Medium, 150))
	assert.Equal(t, exitFailure, r.code, r.stderr)

	assert.True(t, strings.HasPrefix(r.stdout, "150 of 200 apps InService, 50 failed.\n"), r.stdout)
	assert.Regexp(t, `(?m)^InService +150 +the app is running$`, r.stdout)
	assert.Regexp(t, `(?m)^quota +50 +over an account quota \(ResourceLimitExceeded\)$`, r.stdout)
	assert.Regexp(t, `(?m)^USER +LINE +REASON +DETAIL$`, r.stdout)
	rows := regexp.MustCompile(`(?m)^user\d{3} +\d+ +quota +ResourceLimitExceeded: The account-level service limit .*$`).FindAllString(r.stdout, -1)
	assert.Len(t, rows, 50, "a row for each user over the quota:\n%s", r.stdout)
	assert.NotRegexp(t, `(?m)^(no-profile|conflict|space-failed|app-failed|invalid|timeout|interrupted|other) `, r.stdout, "no other kind")

	require.NotNil(t, r.srv)
	assert.Len(t, r.srv.Apps(), 150, "the fake holds the 150 apps the quota allowed")

	lines := assertPlainProgress(t, r.stderr, "spaces", 200)
	assert.Regexp(t, `200/200 spaces done: 200 InService, 0 failed, 0 canceled; 0 in flight, 0 queued$`, lines[len(lines)-1], "the quota is of apps")
	lines = assertPlainProgress(t, r.stderr, "apps", 200)
	assert.Regexp(t, `200/200 apps done: 150 InService, 50 failed, 0 canceled; 0 in flight, 0 queued$`, lines[len(lines)-1])
}

// Each kind of failure has its row, matched by the library's types and sentinels; running again is
// safe (what the first run made is adopted). Against a fake of its own, through --endpoint-url:
// dave has no user profile, bob's app is there with another instance type, carol's fails, erin's
// space name is held by a shared space, and frank's space runs another app.
func TestEachFailureKindHasItsRow(t *testing.T) {
	srv := sagemakerfake.Start(t, sagemakerfake.WithFailureRule(func(a sagemakerfake.App) string {
		if a.SpaceName == "carol-jupyterlab" {
			return "the image would not start"
		}
		return ""
	}))
	ctx := context.Background()
	_, err := srv.SeedDomain("d-platform1", &sagemaker.CreateDomainInput{
		DomainName: aws.String("platform"), AuthMode: types.AuthModeIam,
		// A domain that still runs Studio Classic, for the tests' Classic apps (facts §7.1).
		DefaultUserSettings: &types.UserSettings{StudioWebPortal: types.StudioWebPortalDisabled},
	})
	require.NoError(t, err)
	for _, u := range []string{"alice", "bob", "carol", "erin", "frank"} { // no profile for dave
		require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String("d-platform1"), UserProfileName: aws.String(u)}))
	}
	for _, u := range []string{"bob", "frank"} {
		require.NoError(t, srv.SeedSpace(sagemakerapp.PrivateSpace("d-platform1", u+"-jupyterlab", u, types.AppTypeJupyterLab)))
	}
	require.NoError(t, srv.SeedSpace(&sagemaker.CreateSpaceInput{DomainId: aws.String("d-platform1"), SpaceName: aws.String("erin-jupyterlab"),
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared}}))
	for space, name := range map[string]string{"bob-jupyterlab": "default", "frank-jupyterlab": "other"} {
		_, err = srv.Client().CreateApp(ctx, &sagemaker.CreateAppInput{
			DomainId: aws.String("d-platform1"), SpaceName: aws.String(space), AppType: types.AppTypeJupyterLab, AppName: aws.String(name),
			ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Large, SageMakerImageArn: aws.String(distributionCPU)},
		})
		require.NoError(t, err)
	}

	run := func(args ...string) (int, string, string) {
		p, _, stdout, stderr := testProgram("user\nalice\nbob\ncarol\ndave\nerin\nfrank\n")
		p.clientOptions = []func(*sagemakerapp.Options){func(o *sagemakerapp.Options) {
			o.Now = srv.Now
			o.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
		}}
		code := p.run(context.Background(), append([]string{"--endpoint-url", srv.URL(), "--domain-id", "d-platform1",
			"--instance-type", "ml.t3.medium"}, args...))
		return code, stdout.String(), stderr.String()
	}

	code, stdout, stderr := run()
	assert.Equal(t, exitFailure, code, stderr)
	assert.NotContains(t, stderr, "embedded fake")
	assert.True(t, strings.HasPrefix(stdout, "1 of 6 apps InService, 5 failed.\n"), stdout)
	for _, row := range []string{
		`^InService +1 `, `^no-profile +1 `, `^conflict +3 `, `^app-failed +1 `,
		`^bob +3 +conflict +the app is (Pending|InService) with another ResourceSpec\.InstanceType$`,
		`^carol +4 +app-failed +Failed: the image would not start$`,
		`^dave +5 +no-profile +ResourceNotFound: no user profile dave in domain d-platform1 \(onboard does not create user profiles\)$`,
		`^erin +6 +conflict +space erin-jupyterlab exists with another OwnershipSettings\.OwnerUserProfileName, SpaceSharingSettings\.SharingType`,
		`^frank +7 +conflict +space frank-jupyterlab runs another app, JupyterLab "other" \((Pending|InService)\)$`,
	} {
		assert.Regexp(t, `(?m)`+row, stdout)
	}
	assert.NotRegexp(t, `(?m)^(alice |other )`, stdout, "only failed users have a row, and none is other")

	// Again, as JSON: alice's space and app are adopted; the failures are the same, with the
	// service's code and request ID where it answered.
	code, stdout, stderr = run("--output", "json")
	assert.Equal(t, exitFailure, code, stderr)
	byUser := map[string]userJSON{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var u userJSON
		require.NoError(t, json.Unmarshal([]byte(line), &u), line)
		byUser[u.User] = u
	}
	require.Len(t, byUser, 6, stdout)
	assert.Equal(t, "InService", byUser["alice"].Status)
	assert.Equal(t, "alice-jupyterlab", byUser["alice"].SpaceName)
	assert.Nil(t, byUser["alice"].Error)
	for user, kind := range map[string]string{"bob": kindConflict, "carol": kindAppFailed, "dave": kindNoProfile, "erin": kindConflict, "frank": kindConflict} {
		require.NotNil(t, byUser[user].Error, user)
		assert.Equal(t, "Failed", byUser[user].Status, user)
		assert.Equal(t, kind, byUser[user].Error.Kind, user)
	}
	assert.Equal(t, "ResourceNotFound", byUser["dave"].Error.Code)
	assert.NotEmpty(t, byUser["dave"].Error.RequestID)
	assert.Contains(t, byUser["carol"].AppArn, "app/d-platform1/carol-jupyterlab/jupyterlab/default")
	assert.Contains(t, stderr, "1 of 6 apps InService, 5 failed.")
	creates := 0
	for _, r := range srv.Requests() {
		if r.Operation == "CreateApp" && strings.Contains(string(r.Body), "alice-jupyterlab") {
			creates++
		}
	}
	assert.Equal(t, 1, creates, "alice's app was adopted the second time")
}

// An interrupt cancels the context: no new app starts, the summary of what is known is printed,
// and the exit code is 1. Here the interrupt comes at the first pause of the batch (a wait's poll
// or the rate limiter), so that it falls while apps are in flight and others are queued.
func TestInterruptStopsNewAppsAndPrintsWhatIsKnown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, res, stdout, stderr := testProgram(usersCSV(10))
	p.clientOptions = append(p.clientOptions, func(o *sagemakerapp.Options) {
		o.Sleep = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
	})
	code := p.run(ctx, []string{"--concurrency", "2"})
	assert.Equal(t, exitFailure, code, stderr.String())

	out := stdout.String()
	assert.True(t, strings.HasPrefix(out, "0 of 10 apps InService, 10 failed.\nInterrupted: "), out)
	assert.Regexp(t, `(?m)^interrupted +10 `, out)
	assert.Len(t, regexp.MustCompile(`(?m)^user\d{3} +\d+ +interrupted +not InService when interrupted$`).FindAllString(out, -1), 10, out)
	require.NotNil(t, res.srv)
	assert.Empty(t, res.srv.Apps(), "the interrupt came while the spaces were ensured: no app was created")
	spaces := 0
	for _, r := range res.srv.Requests() {
		if r.Operation == "CreateSpace" {
			spaces++
		}
	}
	assert.LessOrEqual(t, spaces, 2, "no space started after the interrupt beyond the 2 in flight")
}

// On a terminal the progress is a bar from the progress-bar library, drawn on stderr and ended
// with a newline before the summary. (Tests have no terminal: forceBar draws it on a buffer.)
func TestProgressBarOnATerminal(t *testing.T) {
	p, _, stdout, stderr := testProgram(usersCSV(3))
	p.forceBar = true
	code := p.run(context.Background(), nil)
	require.Equal(t, exitOK, code, stderr.String())

	errOut := stderr.String()
	assert.Contains(t, errOut, "\r", "the bar redraws its line")
	assert.Contains(t, errOut, "spaces: 3 InService, 0 failed, 0 in flight 100% |", "the full bar of the spaces with its counts")
	assert.Contains(t, errOut, "apps: 3 InService, 0 failed, 0 in flight 100% |", "the full bar of the apps with its counts")
	assert.Contains(t, errOut, "(3/3)")
	assert.True(t, strings.HasSuffix(errOut, "\n"), "the bar's line is ended")
	assert.NotContains(t, errOut, " done: ", "no plain lines beside the bar")
	assert.True(t, strings.HasPrefix(stdout.String(), "3 of 3 apps InService, 0 failed.\n"), stdout.String())
}

// --aws reads the default AWS configuration; here it comes from the environment alone, and
// --endpoint-url keeps the requests on a fake of the test's.
func TestAWSConfigurationWithAnEndpoint(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	srv := sagemakerfake.Start(t)
	_, err := srv.SeedDomain("d-platform1", &sagemaker.CreateDomainInput{
		DomainName: aws.String("platform"), AuthMode: types.AuthModeIam,
		// A domain that still runs Studio Classic, for the tests' Classic apps (facts §7.1).
		DefaultUserSettings: &types.UserSettings{StudioWebPortal: types.StudioWebPortalDisabled},
	})
	require.NoError(t, err)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String("d-platform1"), UserProfileName: aws.String("bob")}))

	p, _, stdout, stderr := testProgram("user,instance_type\nbob,ml.t3.medium\n")
	p.clientOptions = []func(*sagemakerapp.Options){func(o *sagemakerapp.Options) {
		o.Now = srv.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
	}}
	code := p.run(context.Background(), []string{"--aws", "--endpoint-url", srv.URL(), "--domain-id", "d-platform1"})
	require.Equal(t, exitOK, code, stderr.String())
	assert.True(t, strings.HasPrefix(stdout.String(), "1 of 1 apps InService, 0 failed.\n"), stdout.String())
	assert.Contains(t, stderr.String(), "at most 2 creates a second", "the library's default rate outside the embedded fake")
	require.Len(t, srv.Apps(), 1)
	assert.Equal(t, "bob-jupyterlab", srv.Apps()[0].SpaceName)
	assert.Equal(t, distributionCPU, aws.ToString(srv.Apps()[0].ResourceSpec.SageMakerImageArn), "the image of the configuration's region")
}

// KernelGateway is a Studio Classic app: it runs on the user profile, with no space and no
// default image.
func TestStudioClassicAppsRunOnTheUserProfiles(t *testing.T) {
	r := runOnClock(t, "user\nalice\nbob\n", []string{"--app-type", "KernelGateway"})
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.True(t, strings.HasPrefix(r.stdout, "2 of 2 apps InService, 0 failed.\n"), r.stdout)
	assert.NotContains(t, r.stderr, "private spaces")
	assert.Contains(t, r.stderr, `Ensuring 2 KernelGateway apps "default" on their user profiles (Studio Classic) in d-example12345`)
	require.NotNil(t, r.srv)
	users := map[string]bool{}
	for _, a := range r.srv.Apps() {
		users[a.UserProfileName] = true
		assert.Empty(t, a.SpaceName)
		assert.Nil(t, a.ResourceSpec.SageMakerImageArn, "no image is added to a Studio Classic app")
	}
	assert.Equal(t, map[string]bool{"alice": true, "bob": true}, users)
	for _, req := range r.srv.Requests() {
		assert.NotEqual(t, "CreateSpace", req.Operation)
	}
}
