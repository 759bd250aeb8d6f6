// Command onboard gives a list of users their SageMaker Studio apps at once, as Studio runs them
// today: it reads the users from a CSV file or standard input, ensures each user's private space
// with the sagemakerapp library's EnsureSpaces, then the app in it with EnsureApps (each created,
// or adopted if it is already there with the same settings), shows the progress, and ends with a
// summary of what is InService and why the rest is not. Each user's space is named
// user-jupyterlab (or user-codeeditor), since user profiles and spaces share one namespace in a
// domain, and a space runs one app at a time; the app gets --image-arn, by default the region's
// SageMaker Distribution image. With --app-type KernelGateway or JupyterServer (Studio Classic,
// created only in a domain that still runs it) the apps run on the user profiles, with no space
// and no default image. Run with no
// --endpoint-url and no --aws, it starts an embedded fake SageMaker (package sagemakerfake) that
// holds the demo domain d-example12345 and a user profile for every user it reads, so no AWS
// account is needed.
//
//	printf 'user\nalice\nbob\n' | go run ./examples/onboard
//	go run ./examples/onboard --file users.csv --app-type CodeEditor --instance-type ml.t3.large
//	go run ./examples/onboard --file users.csv --output json > results.jsonl
//	go run ./examples/onboard --endpoint-url http://127.0.0.1:8770 --domain-id d-example12345 --file users.csv
//	go run ./examples/onboard --aws --region eu-west-1 --domain-id d-xxxxxxxxxxxx --file users.csv \
//	    --concurrency 16 --creates-per-second 2
//
// # Input
//
// The input is CSV (RFC 4180, as encoding/csv reads it) with a header row. The columns, in any
// order, are:
//
//	user           required: the user profile that owns the space and the app
//	instance_type  optional: the app's instance type, such as ml.t3.large; empty means --instance-type,
//	               and without that the space's, user profile's or domain's default
//	tags           optional: the app's tags as key=value pairs separated by semicolons, such as
//	               team=ml;cost-center=42 (a value may contain '='; a key may not)
//
// For example:
//
//	user,instance_type,tags
//	alice,ml.t3.large,team=ml;cost-center=42
//	bob,,team=ml
//	carol
//
// Header names are matched without regard to case or surrounding spaces, and fields are trimmed
// of surrounding spaces; lines starting with '#' and blank lines are skipped; a row may leave out
// trailing empty fields but not have more fields than the header. An unknown column is refused,
// so that a misspelt instance_type cannot go unnoticed. --file reads a file; without it, or with
// --file -, standard input is read when it is not a terminal.
//
// The whole input is checked before anything is sent: the CSV syntax, the header, every tag pair,
// users that repeat, and every request as the library validates it (the user profile name, the
// instance type and its app type, the tags, the space). If anything is wrong, every problem is
// printed with its line number (or its flag, for --domain-id, --app-type, --app-name,
// --instance-type and --image-arn), nothing is sent and the exit code is 2.
//
// # Flags
//
// Every app gets the same --domain-id (on the embedded fake, d-example12345 unless given),
// --app-type (JupyterLab), --app-name (default) and --image-arn (for JupyterLab and CodeEditor,
// the SageMaker Distribution image of the region, its GPU build for a GPU instance type;
// --image-arn= sends none, for spaces whose settings give one); --instance-type is the default
// for rows without one. --concurrency (16) spaces, then apps, are ensured at once, with at most
// --creates-per-second (2, the library's default; 20 on the embedded fake, which has no limit; a
// negative rate means none) CreateSpace or CreateApp calls a second across the batch, and each
// space and app may take --timeout (15m) to be InService. --endpoint-url sends the requests to another endpoint, such as the standalone fake
// (go run ./cmd/sagemakerfake), with dummy credentials; --aws uses the default AWS configuration,
// and --region sets the region for either. --help lists every flag.
//
// # Output
//
// Progress goes to standard error, for the spaces and then the apps: a progress bar when
// standard error is a terminal, and otherwise plain lines ("12.0s  45/200 apps done: 40
// InService, 5 failed, 0 canceled; 16 in flight, 139 queued"), at most one each time another
// twentieth is done (one per user done at most, for 20 or fewer; reports that come while one is
// printed are coalesced). The summary goes to standard output: the count of users InService and
// of those that failed by kind (no-profile, quota, conflict, space-failed, app-failed, invalid,
// timeout, interrupted, other), then one row per failed user with the reason (for a service
// error its code and message). A user whose space or app the service refused as not found, or as
// invalid, is looked up with DescribeUserProfile, and is no-profile when the domain has none: on
// AWS, onboard does not create user profiles. With --output json, standard output has one JSON
// object per user instead, in input order, one per line ({"User", "Line", "SpaceName", "Status",
// "AppArn", "Error": {"Kind", "Code", "Message", "RequestId"}}, where
// Status is InService or Failed and only a failed one has Error), and the summary goes to
// standard error.
//
// # Exit codes
//
// 0 when every user's app is InService; 1 when some are not (a missing user profile, a service
// error, a quota, a conflict, a failed space or app, a timeout, an interrupt); 2 for invalid input, in the flags or the file,
// when nothing was sent. An interrupt (Ctrl-C) stops new apps from starting and ends the waits;
// the summary of what is known is printed and the exit code is 1. Onboarding is idempotent: run
// it again to finish the rest (spaces and apps already there are adopted).
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"golang.org/x/sync/errgroup"
	"golang.org/x/term"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/examples/internal/sdkclient"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // some users' apps are not InService, or the run failed
	exitInvalid = 2 // invalid input (flags or file); nothing was sent
)

// The embedded fake's demo state, and how fast it goes.
const (
	demoDomainID         = "d-example12345"
	demoRegion           = "us-east-1"
	demoStartupDelay     = time.Second
	demoCreatesPerSecond = 20.0 // the fake has no rate limit; the demo need not wait for AWS's
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first interrupt, a second one ends the program at once, as it would without us.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program: it parses args, reads the users from the file or standard input,
// ensures their apps and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return (&program{stdin: os.Stdin, stdout: stdout, stderr: stderr}).run(ctx, args)
}

// program holds the program's inputs and outputs and the hooks that tests use to put the
// embedded fake and the waits on a clock they control. The zero hooks mean the real thing.
type program struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	fakeOptions   []sagemakerfake.Option        // appended to the embedded fake's options
	clientOptions []func(*sagemakerapp.Options) // appended to the library client's options
	fakeStarted   func(*sagemakerfake.Server)   // called once the embedded fake is seeded
	forceBar      bool                          // draw the bar even when stderr is no terminal
}

// flags are the command line, parsed.
type flags struct {
	file                        string
	domainID, appType, appName  string
	instanceType, imageARN      string
	concurrency                 int
	createsPerSecond            float64
	timeout                     time.Duration
	output, endpointURL, region string
	useAWS                      bool
	set                         map[string]bool // the flags given explicitly
}

func (p *program) run(ctx context.Context, args []string) int {
	f, fs, err := parseFlags(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(p.stdout, fs)
		return exitOK
	case err != nil:
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(p.stderr, "onboard: "+line)
		}
		fmt.Fprintln(p.stderr, "Run 'onboard --help' for usage.")
		return exitInvalid
	}
	embedded := !f.useAWS && f.endpointURL == ""
	if embedded {
		if f.domainID == "" {
			f.domainID = demoDomainID
		}
		if !f.set["creates-per-second"] {
			f.createsPerSecond = demoCreatesPerSecond
		}
	}

	// The SDK client is built first, since the region it resolves picks the default image;
	// building it sends nothing.
	var (
		api    sagemakerapp.API
		region = demoRegion
		wait   = sagemakerapp.WaitOptions{Timeout: f.timeout}
	)
	if !embedded {
		client, closeIdle, err := sdkclient.New(ctx, f.useAWS, f.region, f.endpointURL)
		if err != nil {
			fmt.Fprintln(p.stderr, "onboard:", err)
			return exitFailure
		}
		defer closeIdle()
		api, region = client, client.Options().Region
	}

	// Everything is checked before anything is sent: the file, then each request as the library
	// will validate it. No client is needed for that.
	users, problems := p.readUsers(f.file)
	pl, more := buildInputs(sagemakerapp.New(nil, p.clientOptions...), f, region, users)
	problems = append(problems, more...)
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b problem) int { return cmp.Compare(a.line, b.line) })
		fmt.Fprintln(p.stderr, "onboard: invalid input, nothing was sent:")
		for _, pr := range problems {
			fmt.Fprintln(p.stderr, "  "+pr.String())
		}
		return exitInvalid
	}

	if embedded {
		srv, err := p.startFake(f.domainID, users)
		if err != nil {
			fmt.Fprintln(p.stderr, "onboard:", err)
			return exitFailure
		}
		defer srv.Close()
		sm := srv.Client()
		// The fake's Close closes its clients' idle connections only after its http.Server's
		// Shutdown, which waits 5 s for a connection that was dialed and never used: close them
		// first (deferred calls run last in, first out) to spare that wait.
		if c, ok := sm.Options().HTTPClient.(interface{ CloseIdleConnections() }); ok {
			defer c.CloseIdleConnections()
		}
		api = sm
		fmt.Fprintf(p.stderr, "Using an embedded fake SageMaker at %s (domain %s, %d user profiles seeded); no AWS account is used.\n",
			srv.URL(), f.domainID, len(users))
		// The fake's spaces and apps start in a second: poll it more often than AWS would be.
		wait.MinDelay, wait.MaxDelay = 250*time.Millisecond, time.Second
	}
	client := sagemakerapp.New(api, p.clientOptions...)
	batch := func(o *sagemakerapp.BatchOptions) {
		o.Concurrency = f.concurrency
		o.CreatesPerSecond = f.createsPerSecond
		o.Wait = wait
	}
	rate := fmt.Sprintf("at most %g creates a second", f.createsPerSecond)
	if f.createsPerSecond < 0 {
		rate = "no limit on creates"
	}

	// First each user's private space, for a JupyterLab or CodeEditor app; then the apps, of the
	// users whose space is InService.
	errs := make([]error, len(users)) // what stopped a user before the app step
	apps := pl.apps
	if pl.spaces != nil {
		fmt.Fprintf(p.stderr, "Ensuring %d private spaces (user-%s) in %s: %d at a time, %s.\n",
			len(pl.spaces), strings.ToLower(f.appType), f.domainID, f.concurrency, rate)
		prog := p.newProgress("spaces", len(pl.spaces))
		spaces := client.EnsureSpaces(ctx, pl.spaces, batch, func(o *sagemakerapp.BatchOptions) { o.OnProgress = prog.update })
		prog.finish()
		apps = nil
		for i, r := range spaces {
			switch {
			case r.Err != nil:
				errs[i] = r.Err
			case ctx.Err() != nil: // interrupted: no app starts
				errs[i] = ctx.Err()
			default:
				apps = append(apps, pl.apps[i])
			}
		}
	}
	var appResults []sagemakerapp.Result
	if len(apps) > 0 {
		where := "in their spaces"
		if pl.spaces == nil {
			where = "on their user profiles (Studio Classic)"
		}
		fmt.Fprintf(p.stderr, "Ensuring %d %s apps %q %s in %s: %d at a time, %s.\n",
			len(apps), f.appType, f.appName, where, f.domainID, f.concurrency, rate)
		prog := p.newProgress("apps", len(apps))
		appResults = client.EnsureApps(ctx, apps, batch, func(o *sagemakerapp.BatchOptions) { o.OnProgress = prog.update })
		prog.finish()
	}

	// One Result per user, in input order: the space's error, or the app's Result.
	results := make([]sagemakerapp.Result, len(users))
	next := 0
	for i := range users {
		if errs[i] != nil {
			results[i].Err = errs[i]
			continue
		}
		results[i] = appResults[next]
		next++
	}
	outcomes := classify(users, results, f.timeout)
	if pl.spaces != nil {
		for i := range outcomes {
			outcomes[i].space = aws.ToString(pl.spaces[i].SpaceName)
		}
	}
	p.findMissingProfiles(ctx, api, f, outcomes)
	if err := writeReport(p.stdout, p.stderr, f.output, outcomes); err != nil {
		fmt.Fprintln(p.stderr, "onboard:", err)
		return exitFailure
	}
	for _, o := range outcomes {
		if o.kind != kindInService {
			return exitFailure
		}
	}
	return exitOK
}

// findMissingProfiles tells which failed users have no user profile in the domain. A missing
// owner makes CreateSpace fail, and a missing profile CreateApp, but the service's answer (a
// ResourceNotFound or a ValidationException, in words that may name the space or the app) does not
// say which resource is missing: DescribeUserProfile does. Such users become kindNoProfile; any
// other answer, or a failed look, leaves the outcome as it is.
func (p *program) findMissingProfiles(ctx context.Context, api sagemakerapp.API, f *flags, outs []outcome) {
	var g errgroup.Group
	g.SetLimit(f.concurrency)
	for i := range outs {
		o := &outs[i]
		if o.err == nil || (!errors.Is(o.err, sagemakerapp.ErrResourceNotFound) && !errors.Is(o.err, sagemakerapp.ErrServiceValidation)) {
			continue
		}
		g.Go(func() error {
			_, err := api.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{
				DomainId: aws.String(f.domainID), UserProfileName: aws.String(o.user.name)})
			var notFound *types.ResourceNotFound
			if errors.As(err, &notFound) {
				o.kind = kindNoProfile
				o.message = fmt.Sprintf("no user profile %s in domain %s (onboard does not create user profiles)", o.user.name, f.domainID)
			}
			return nil
		})
	}
	_ = g.Wait() // the looks return no error
}

// parseFlags parses the command line with the standard flag package, which takes --name as well
// as -name, and "--name value" as well as "--name=value".
func parseFlags(args []string) (*flags, *flag.FlagSet, error) {
	f := &flags{set: map[string]bool{}}
	fs := flag.NewFlagSet("onboard", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run prints errors and usage itself
	fs.StringVar(&f.file, "file", "", "read the users from the CSV file at `path`; - or none reads standard input (when it is not a terminal)")
	fs.StringVar(&f.domainID, "domain-id", "", "the domain `ID` (embedded fake: "+demoDomainID+")")
	fs.StringVar(&f.appType, "app-type", string(types.AppTypeJupyterLab), "the app `type` of every user's app: "+joinValues(sagemakerapp.AppTypes()))
	fs.StringVar(&f.appName, "app-name", "default", "the app `name` of every user's app")
	fs.StringVar(&f.instanceType, "instance-type", "", "the instance `type` for rows without an instance_type; without either, the space's, user profile's or domain's default applies")
	fs.StringVar(&f.imageARN, "image-arn", "", "the SageMaker image `ARN` of JupyterLab and CodeEditor apps; the default is the region's SageMaker Distribution image (its GPU build for a GPU instance type), and --image-arn= sends none")
	fs.IntVar(&f.concurrency, "concurrency", sagemakerapp.DefaultBatchConcurrency, "the `number` of spaces, then apps, ensured at once")
	fs.Float64Var(&f.createsPerSecond, "creates-per-second", sagemakerapp.DefaultCreatesPerSecond,
		"the most CreateApp calls a second, across all users; a negative `rate` means no limit (embedded fake: 20)")
	fs.DurationVar(&f.timeout, "timeout", sagemakerapp.DefaultWaitTimeout, "how long each app may take to be InService, such as 90s or 20m (`duration`)")
	fs.StringVar(&f.output, "output", "text", "the output `format`: text (a summary) or json (one object per user)")
	fs.StringVar(&f.endpointURL, "endpoint-url", "", "send requests to this `URL`, such as a standalone fake; with dummy credentials unless --aws is given")
	fs.StringVar(&f.region, "region", "", "the AWS `region` (default: us-east-1 with --endpoint-url, the AWS configuration's with --aws)")
	fs.BoolVar(&f.useAWS, "aws", false, "use the default AWS configuration (environment, ~/.aws, SSO, instance role)")
	fs.Usage = func() {} // never called with io.Discard as output; run prints the usage
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	if fs.NArg() > 0 {
		return nil, fs, fmt.Errorf("unexpected argument %q (the users are read from --file or standard input)", fs.Arg(0))
	}
	var bad []string
	if f.output != "text" && f.output != "json" {
		bad = append(bad, fmt.Sprintf("--output %q: want text or json", f.output))
	}
	if f.concurrency < 1 {
		bad = append(bad, fmt.Sprintf("--concurrency %d: want 1 or more", f.concurrency))
	}
	if f.createsPerSecond == 0 || math.IsNaN(f.createsPerSecond) {
		bad = append(bad, fmt.Sprintf("--creates-per-second %v: want a positive rate, or a negative one for no limit", f.createsPerSecond))
	}
	if f.timeout <= 0 {
		bad = append(bad, fmt.Sprintf("--timeout %v: want a positive duration", f.timeout))
	}
	if len(bad) > 0 {
		return nil, fs, errors.New(strings.Join(bad, "\n"))
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return f, fs, nil
}

// readUsers reads the users from the file that --file names, or from standard input.
func (p *program) readUsers(path string) ([]user, []problem) {
	var r io.Reader
	switch path {
	case "", "-":
		if isTerminal(p.stdin) {
			return nil, []problem{{text: "no input: give --file PATH, or pipe the CSV to standard input (see --help)"}}
		}
		r = p.stdin
	default:
		file, err := os.Open(path)
		if err != nil {
			return nil, []problem{{text: "--file: " + err.Error()}}
		}
		defer file.Close()
		r = file
	}
	return readCSV(r)
}

// isTerminal reports whether v is a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// startFake starts the embedded fake on real time and seeds the domain and a user profile for
// every user. The domain gives JupyterLab, CodeEditor and KernelGateway apps a default instance
// type, so that no row needs one.
func (p *program) startFake(domainID string, users []user) (*sagemakerfake.Server, error) {
	srv, err := sagemakerfake.Run(append([]sagemakerfake.Option{sagemakerfake.WithStartupDelay(demoStartupDelay)}, p.fakeOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("starting the embedded fake: %w", err)
	}
	medium := &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}
	_, err = srv.SeedDomain(domainID, &sagemaker.CreateDomainInput{
		DomainName: aws.String("example"),
		AuthMode:   types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{
			// The demo domain still runs Studio Classic, so that its JupyterServer and KernelGateway
			// apps can be created too (facts §7.1: elsewhere the service refuses them).
			StudioWebPortal:          types.StudioWebPortalDisabled,
			JupyterLabAppSettings:    &types.JupyterLabAppSettings{DefaultResourceSpec: medium},
			CodeEditorAppSettings:    &types.CodeEditorAppSettings{DefaultResourceSpec: medium},
			KernelGatewayAppSettings: &types.KernelGatewayAppSettings{DefaultResourceSpec: medium},
		},
	})
	for _, u := range users {
		if err != nil {
			break
		}
		err = srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String(u.name)})
	}
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("seeding the embedded fake: %w", err)
	}
	if p.fakeStarted != nil {
		p.fakeStarted(srv)
	}
	return srv, nil
}

func joinValues[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// usage prints the help: the input format, examples, then every flag.
func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `Usage: onboard [flags] [--file users.csv | < users.csv]

Ensures a SageMaker Studio app for every user of a CSV file, many at once, with a progress bar and
a summary. A JupyterLab or CodeEditor app runs in the user's private space (user-jupyterlab or
user-codeeditor), ensured first, with --image-arn (default: the region's SageMaker Distribution
image); KernelGateway and JupyterServer (Studio Classic, only in a domain that still runs it)
run on the user profile. Safe to run again: spaces and apps already there with the same settings
are adopted.

With no --endpoint-url and no --aws, an embedded fake SageMaker is started, holding the demo
domain d-example12345 and a user profile for every user read. No AWS account is used.

Input: CSV with a header row. Columns: user (required), instance_type (optional; empty means
--instance-type), tags (optional, key=value pairs separated by ';'). For example:
  user,instance_type,tags
  alice,ml.t3.large,team=ml;cost-center=42
  bob,,team=ml

Examples:
  printf 'user\nalice\nbob\n' | onboard
  onboard --file users.csv --app-type CodeEditor --output json
  onboard --endpoint-url http://127.0.0.1:8770 --domain-id d-example12345 --file users.csv
  onboard --aws --region eu-west-1 --domain-id d-xxxxxxxxxxxx --file users.csv --creates-per-second 2

Flags (--name value and --name=value both work):
`)
	fs.VisitAll(func(f *flag.Flag) { // in lexical order
		arg, text := flag.UnquoteUsage(f)
		if _, ok := f.Value.(interface{ IsBoolFlag() bool }); ok {
			arg = ""
		}
		fmt.Fprintf(w, "  --%s\n        %s", strings.TrimSpace(f.Name+" "+arg), text)
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprint(w, `
Exit codes: 0 every app InService; 1 some are not (each is listed with the reason), or the run
was interrupted; 2 invalid input in the flags or the file (every problem is listed with its line;
nothing was sent).
`)
}
