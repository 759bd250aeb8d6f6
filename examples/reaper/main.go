// Command reaper stops idle Studio apps: those whose last user activity (DescribeApp's
// LastUserActivityTimestamp) is older than a limit chosen per app type and instance type, by
// default GPU apps of the g5 family after an hour and t3 apps after eight hours. Studio's own
// idle shutdown is set per domain or profile, not per instance size, and misses apps that an open
// kernel or terminal keeps busy; the reaper looks at user activity only. Stopping is DeleteApp:
// a space and its storage stay, and the user starts the app again when they come back.
//
// Run with no flags, it starts an embedded fake SageMaker (package sagemakerfake) whose demo
// domain, d-example12345, runs six apps with staged activity, and stops the three past their
// limits: no AWS account is needed.
//
//	go run ./examples/reaper --dry-run                     # list what would be stopped, and why
//	go run ./examples/reaper --limit 'JupyterLab:ml.g5.*=3h' --limit 'ml.t3.*=8h'
//	go run ./examples/reaper --aws --region eu-west-1 --domain-id d-xxxxxxxxxxxx --dry-run
//
// --limit is [AppType:]pattern=duration, the pattern a path.Match glob over the instance type;
// the first --limit that matches an app sets its limit, and the flags replace the defaults. Apps
// that no limit matches, apps that are not InService and apps that report no activity are kept.
//
// The summary gives, per instance type of the apps stopped, two numbers of instance-hours: "idle
// so far", the sum of their idle times (what waiting for their users has cost), and "saved per
// day", 24 for each app, which stopping them saves every day their users would have left them
// running idle. The platform can call Reap on a schedule instead of running the command. The exit
// code is 0 on success, 2 for a bad command line and 1 for any failure (the listing, or the
// description or stop of an app).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/examples/internal/sdkclient"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitInvalid = 2
)

// The embedded fake's demo domain, and how fast its apps start.
const (
	demoDomainID     = "d-example12345"
	demoStartupDelay = 200 * time.Millisecond
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := (&program{stdout: os.Stdout, stderr: os.Stderr}).run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// program holds the outputs and the hooks that tests use to put the fake, the waits and the idle
// times on a clock they control. The zero hooks mean real time.
type program struct {
	stdout, stderr io.Writer

	fakeOptions   []sagemakerfake.Option        // appended to the embedded fake's options
	clientOptions []func(*sagemakerapp.Options) // appended to the library client's options
	now           func() time.Time              // the clock idle times are measured on
}

// flags are the command line, parsed.
type flags struct {
	domainID, endpointURL, region string
	limits                        limitList
	dryRun, useAWS                bool
}

// limitList is the repeatable --limit flag.
type limitList []Rule

func (l *limitList) String() string {
	s := make([]string, len(*l))
	for i, r := range *l {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}

func (l *limitList) Set(v string) error {
	r, err := ParseRule(v)
	if err != nil {
		return err
	}
	*l = append(*l, r)
	return nil
}

func parseFlags(args []string) (*flags, *flag.FlagSet, error) {
	f := &flags{}
	fs := flag.NewFlagSet("reaper", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.domainID, "domain-id", "", "the domain `ID` (embedded fake: "+demoDomainID+")")
	fs.Var(&f.limits, "limit", "an idle limit as `[AppType:]pattern=duration`, such as 'JupyterLab:ml.g5.*=1h'; repeat for more; the first match wins; replaces the defaults 'ml.g5.*=1h' and 'ml.t3.*=8h'")
	fs.BoolVar(&f.dryRun, "dry-run", false, "list the apps that would be stopped, and why; stop none")
	fs.StringVar(&f.endpointURL, "endpoint-url", "", "send requests to this `URL`, such as a standalone fake; with dummy credentials unless --aws is given")
	fs.StringVar(&f.region, "region", "", "the AWS `region` (default: us-east-1 with --endpoint-url, the AWS configuration's with --aws)")
	fs.BoolVar(&f.useAWS, "aws", false, "use the default AWS configuration (environment, ~/.aws, SSO, instance role)")
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	if fs.NArg() > 0 {
		return nil, fs, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return f, fs, nil
}

func (p *program) run(ctx context.Context, args []string) int {
	f, fs, err := parseFlags(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(p.stdout, "Usage: reaper [flags]\n\nStops Studio apps idle past a limit per app type and instance type.\n\nFlags:")
		fs.SetOutput(p.stdout)
		fs.PrintDefaults()
		return exitOK
	case err != nil:
		fmt.Fprintf(p.stderr, "reaper: %v\nRun 'reaper --help' for usage.\n", err)
		return exitInvalid
	}
	embedded := !f.useAWS && f.endpointURL == ""
	if embedded && f.domainID == "" {
		f.domainID = demoDomainID
	}
	if f.domainID == "" {
		fmt.Fprintln(p.stderr, "reaper: --domain-id is required with --aws or --endpoint-url")
		return exitInvalid
	}
	policy := Policy{Rules: DefaultRules, Now: p.now}
	if len(f.limits) > 0 {
		policy.Rules = f.limits
	}

	var api sagemakerapp.API
	if embedded {
		srv, err := p.startDemo(ctx)
		if err != nil {
			fmt.Fprintf(p.stderr, "reaper: %v\n", err)
			return exitFailure
		}
		defer srv.Close()
		api = srv.Client()
		if policy.Now == nil {
			policy.Now = srv.Now
		}
		fmt.Fprintf(p.stderr, "Using an embedded fake SageMaker at %s (demo domain %s, six apps with staged activity); no AWS account is used.\n",
			srv.URL(), demoDomainID)
	} else {
		client, closeIdle, err := sdkclient.New(ctx, f.useAWS, f.region, f.endpointURL)
		if err != nil {
			fmt.Fprintf(p.stderr, "reaper: %v\n", err)
			return exitFailure
		}
		defer closeIdle()
		api = client
	}

	rep, err := Reap(ctx, sagemakerapp.New(api, p.clientOptions...), api, f.domainID, policy, f.dryRun)
	if err != nil {
		fmt.Fprintf(p.stderr, "reaper: listing the apps of %s: %v\n", f.domainID, err)
		return exitFailure
	}
	printReport(p.stdout, rep, policy.Rules)
	code := exitOK
	for _, err := range rep.Errors {
		fmt.Fprintf(p.stderr, "reaper: %v\n", err)
		code = exitFailure
	}
	for _, d := range rep.Stopped {
		if d.Err != nil {
			fmt.Fprintf(p.stderr, "reaper: stopping %s: %v\n", d.App.ID, d.Err)
			code = exitFailure
		}
	}
	return code
}

// printReport writes what Reap did, or in a dry run would do, and the summary.
func printReport(w io.Writer, rep Report, rules []Rule) {
	limits := make([]string, len(rules))
	for i, r := range rules {
		limits[i] = r.String()
	}
	fmt.Fprintf(w, "Domain %s at %s: %d InService apps checked; limits %s.\n",
		rep.DomainID, rep.At.UTC().Format(time.RFC3339), rep.Checked, strings.Join(limits, ", "))
	if rep.NoActivity > 0 {
		fmt.Fprintf(w, "%d apps report no user activity and are kept.\n", rep.NoActivity)
	}
	verb := "Stopped"
	if rep.DryRun {
		verb = "Dry run, nothing stopped. Would stop"
	}
	for _, app := range rep.Spared {
		fmt.Fprintf(w, "Spared %s: past its limit at the first look, but used again, started again or gone when it came to be stopped.\n", app.ID)
	}
	if len(rep.Stopped) == 0 {
		fmt.Fprintln(w, "No app is idle past its limit.")
		return
	}
	fmt.Fprintf(w, "%s %d apps idle past their limits:\n", verb, len(rep.Stopped))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "APP\tINSTANCE TYPE\tIDLE\tLIMIT\tRULE\tSTATUS")
	for _, d := range rep.Stopped {
		status := "stopped"
		switch {
		case rep.DryRun:
			status = "would stop"
		case d.Err != nil:
			status = "stop failed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.App.ID, d.InstanceType, hoursMinutes(d.Idle), hoursMinutes(d.Rule.Limit), d.Rule, status)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "Instance-hours by instance type (idle so far: the sum of the apps' idle times; saved per day: 24 an app, while its user would have left it idle):")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTANCE TYPE\tAPPS\tIDLE SO FAR\tSAVED PER DAY")
	for _, s := range rep.Savings {
		fmt.Fprintf(tw, "%s\t%d\t%.1f h\t%.0f h\n", s.InstanceType, s.Apps, s.IdleHours, s.HoursPerDay)
	}
	_ = tw.Flush()
}

// hoursMinutes writes d to the minute, as 1h05m.
func hoursMinutes(d time.Duration) string {
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// demoApp is one app of the demo domain: in a private space of user (or, for a Studio Classic
// KernelGateway app, on the user's profile), idle for idle when the reaper runs.
type demoApp struct {
	user, space  string
	appType      sagemakerapp.AppType
	instanceType sagemakerapp.InstanceType
	idle         time.Duration
}

// demoApps are the demo domain's apps: three past the default limits (ml.g5.* 1h, ml.t3.* 8h),
// three within them or matched by none.
var demoApps = []demoApp{
	{"alice", "alice-gpu", types.AppTypeJupyterLab, types.AppInstanceTypeMlG5Xlarge, 2 * time.Hour}, // past 1h
	{"bob", "bob-gpu", types.AppTypeJupyterLab, types.AppInstanceTypeMlG52xlarge, 30 * time.Minute}, // within 1h
	{"carol", "carol-code", types.AppTypeCodeEditor, types.AppInstanceTypeMlT3Large, 9 * time.Hour}, // past 8h
	{"dave", "dave-lab", types.AppTypeJupyterLab, types.AppInstanceTypeMlT3Medium, 7 * time.Hour},   // within 8h
	{"erin", "", types.AppTypeKernelGateway, types.AppInstanceTypeMlG5Xlarge, 90 * time.Minute},     // past 1h
	{"frank", "frank-cpu", types.AppTypeJupyterLab, types.AppInstanceTypeMlM5Large, 30 * time.Hour}, // no limit
}

func (d demoApp) input() (*sagemaker.CreateAppInput, error) {
	in := &sagemaker.CreateAppInput{
		DomainId: aws.String(demoDomainID), AppType: d.appType,
		ResourceSpec: &types.ResourceSpec{InstanceType: d.instanceType},
	}
	if d.space == "" {
		in.UserProfileName, in.AppName = aws.String(d.user), aws.String("datascience")
		return in, nil
	}
	image, err := sagemakerapp.DistributionImage("us-east-1", strings.HasPrefix(string(d.instanceType), "ml.g"))
	if err != nil {
		return nil, err
	}
	in.SpaceName, in.AppName = aws.String(d.space), aws.String("default")
	in.ResourceSpec.SageMakerImageArn = aws.String(image)
	return in, nil
}

// startDemo starts the embedded fake on real time with the demo domain; see seedDemo.
func (p *program) startDemo(ctx context.Context) (*sagemakerfake.Server, error) {
	srv, err := sagemakerfake.Run(append([]sagemakerfake.Option{sagemakerfake.WithStartupDelay(demoStartupDelay)}, p.fakeOptions...)...)
	if err != nil {
		return nil, err
	}
	client := sagemakerapp.New(srv.Client(), p.clientOptions...)
	if err := seedDemo(ctx, srv, client, func(o *sagemakerapp.WaitOptions) { o.MinDelay, o.MaxDelay = 50*time.Millisecond, 200*time.Millisecond }); err != nil {
		srv.Close()
		return nil, fmt.Errorf("seeding the embedded fake: %w", err)
	}
	return srv, nil
}

// seedDemo seeds the demo domain, its users and their private spaces into srv, ensures the demo
// apps with client (waiting as wait says) and stages each app's last activity its idle time
// before the server's clock.
func seedDemo(ctx context.Context, srv *sagemakerfake.Server, client *sagemakerapp.Client, wait func(*sagemakerapp.WaitOptions)) error {
	if _, err := srv.SeedDomain(demoDomainID, &sagemaker.CreateDomainInput{
		DomainName: aws.String("example"), AuthMode: types.AuthModeIam,
		// The demo domain still runs Studio Classic, so that erin's KernelGateway app can be
		// created (facts §7.1: elsewhere the service refuses it).
		DefaultUserSettings: &types.UserSettings{StudioWebPortal: types.StudioWebPortalDisabled},
	}); err != nil {
		return err
	}
	ins := make([]*sagemaker.CreateAppInput, len(demoApps))
	for i, d := range demoApps {
		if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(demoDomainID), UserProfileName: aws.String(d.user)}); err != nil {
			return err
		}
		if d.space != "" {
			if err := srv.SeedSpace(sagemakerapp.PrivateSpace(demoDomainID, d.space, d.user, d.appType)); err != nil {
				return err
			}
		}
		in, err := d.input()
		if err != nil {
			return err
		}
		ins[i] = in
	}
	for i, r := range client.EnsureApps(ctx, ins, func(o *sagemakerapp.BatchOptions) { o.CreatesPerSecond = -1; wait(&o.Wait) }) {
		if r.Err != nil {
			return fmt.Errorf("demo app %d: %w", i, r.Err)
		}
	}
	now := srv.Now()
	for i, d := range demoApps {
		in := ins[i]
		key := sagemakerfake.AppKey{DomainID: demoDomainID, UserProfileName: aws.ToString(in.UserProfileName), SpaceName: d.space,
			AppType: d.appType, AppName: aws.ToString(in.AppName)}
		if err := srv.SetLastUserActivity(key, now.Add(-d.idle)); err != nil {
			return err
		}
	}
	return nil
}
