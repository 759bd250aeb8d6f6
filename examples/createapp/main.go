// Command createapp creates a SageMaker Studio app with the sagemakerapp library, in the spirit of
// `aws sagemaker create-app` and with its flag names, and prints a URL that opens it. Run with no
// flags, it starts an embedded fake SageMaker (package sagemakerfake) that holds a demo domain,
// d-example12345, with the user profile alice and the shared space team, and shows Studio as it
// runs today: it ensures alice's private space alice-jupyterlab, a JupyterLab app in it with the
// region's SageMaker Distribution image, waits until the app is InService, and prints the space,
// the app and its launch URL. No AWS account is needed.
//
//	go run ./examples/createapp
//	go run ./examples/createapp --app-type CodeEditor --instance-type ml.t3.large --tag team=ml
//	go run ./examples/createapp --dry-run --app-name 'bad_name'     # validate only
//	go run ./examples/createapp --dry-run --resource-spec InstanceType=ml.t3.large --tags Key=team,Value=ml Key=env,Value=dev
//	go run ./examples/createapp --endpoint-url http://127.0.0.1:8770 --domain-id d-example12345 \
//	    --owner alice --app-type JupyterLab --app-name default --ensure --wait-timeout 5m
//	go run ./examples/createapp --aws --profile dev --region eu-west-1 --domain-id d-xxxxxxxxxxxx \
//	    --owner alice --app-type JupyterLab --app-name default --ensure
//	go run ./examples/createapp --aws --region eu-west-1 --domain-id d-xxxxxxxxxxxx \
//	    --user-profile-name alice --app-type KernelGateway --app-name datascience \
//	    --instance-type ml.m5.large   # Studio Classic: only in a domain that still runs it
//
// JupyterLab and CodeEditor apps run in a space (--space-name), one app per space, and need an
// image: --image-arn defaults to the SageMaker Distribution image of the region (its GPU build for
// a GPU instance type; --image-arn= with an empty value sends none, for a space whose settings give
// one). --owner USER first ensures a private space of that user (named USER-jupyterlab or
// USER-codeeditor unless --space-name is given). KernelGateway and JupyterServer are Studio
// Classic apps: they run on a user profile (--user-profile-name), and are created only in a domain
// that still runs Studio Classic (the service answers "This AppType has been deprecated" in the
// others).
//
// --resource-spec and --tags take the AWS CLI's shorthand and JSON forms; --instance-type,
// --image-arn and the other ResourceSpec flags, and --tag key=value, are the same in short. A tag
// key given twice is refused. While a call fails and the library retries it (no connection,
// throttling, a fault of the service), a progress line after a few seconds says what fails;
// --wait-timeout bounds each wait, the space's and the app's.
//
// --storage-gib and --idle-timeout set the private space --owner ensures (EnsureSpace with
// ConflictUpdate: a space with other settings is changed in place with UpdateSpace; storage only
// grows, and the idle timeout is checked against the bounds the domain and the user profile set,
// both before anything is changed).
//
// --delete-user USER removes a person instead (DeleteUser): it lists the apps of the user profile
// and of every space the user owns, those spaces and the profile, asks for the user's name to be
// typed as a confirmation (--yes skips it; without a terminal and without --yes it refuses, exit
// 2), removes them, and prints what it removed, or what remains when it could not remove all (the
// same command again finishes it). A shared space the user owns stops it before anything is
// deleted, unless --delete-shared-spaces. On the embedded fake, alice has her private space
// alice-jupyterlab for it to remove:
//
//	go run ./examples/createapp --delete-user alice
//	go run ./examples/createapp --aws --region eu-west-1 --domain-id d-xxxxxxxxxxxx --delete-user alice --yes
//
// Run it with --help for every flag. The exit code is 0 on success; 2 for invalid input or a bad
// flag (each problem printed as "field: reason"; nothing was sent), or --delete-user with neither
// a terminal nor --yes; 130 when interrupted by
// SIGINT (Ctrl-C) and 143 by SIGTERM, after a message that names what was waited for, its last
// status and the AWS CLI command that shows it; and 1 for a service error (printed with the
// service's code and request ID), a timeout, a removal that was not confirmed or that a shared
// space stopped, or any other failure. These are the codes of the built
// program: `go run` exits 1 for any code but 0.
package main

import (
	"context"
	"encoding/json"
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
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/schemas"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/examples/internal/sdkclient"
	"github.com/studioapp/sagemakerapp/examples/internal/studio"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1   // a service error, a failed app, a timeout
	exitInvalid     = 2   // invalid input (nothing was sent) or a bad command line
	exitInterrupted = 130 // interrupted: 128 and the signal's number (SIGINT; SIGTERM gives 143)
)

// The embedded fake's demo state, and how fast its spaces and apps start.
const (
	demoDomainID     = "d-example12345"
	demoRegion       = "us-east-1"
	demoUser         = "alice"
	demoSpace        = "team" // a shared space
	demoStartupDelay = 1500 * time.Millisecond
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		// A second signal ends the program at once, as it would without us.
		signal.Stop(signals)
		cancel(interruption{sig})
	}()
	code := (&program{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}).run(ctx, os.Args[1:])
	os.Exit(code)
}

// run is the whole program: it parses args, does the work and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return (&program{stdout: stdout, stderr: stderr}).run(ctx, args)
}

// program holds the program's outputs, the hooks that tests use to put the embedded fake, the
// SDK's retries and the waits on a clock they control (the zero hooks mean real time), and what
// the run has learnt, for its messages.
type program struct {
	stdin          io.Reader // where --delete-user reads its confirmation; nil: none
	stdout, stderr io.Writer
	terminalIn     func() bool // whether stdin is a terminal to ask on; nil: look at stdin

	fakeOptions   []sagemakerfake.Option        // appended to the embedded fake's options
	clientOptions []func(*sagemakerapp.Options) // appended to the library client's options
	sdkOptions    []func(*sagemaker.Options)    // appended to the SDK client's options
	now           func() time.Time              // for the elapsed time of the progress lines
	beforeClose   func()                        // called before the embedded fake is closed

	f            *flags
	embedded     bool   // the embedded fake serves the run
	region       string // the SDK client's region
	tracker      *tracker
	prog         *progress
	stage        stage
	spaceEnsured string // the space this run ensured, for the messages of what fails after it
}

// stage is what the run is doing, for the message of an interruption.
type stage int

const (
	stageNone    stage = iota // nothing sent yet
	stageSpace                // ensuring the space
	stageApp                  // creating, ensuring or waiting for the app
	stageLaunch               // making the launch URL
	stageConfirm              // --delete-user: asking for the confirmation, nothing deleted yet
	stageRemove               // --delete-user: removing the user
)

// flags are the command line, parsed.
type flags struct {
	domainID, userProfileName, spaceName, owner, appType, appName string
	instanceType, imageARN, imageVersionAlias, lifecycleARN       string
	imageVersionARN, trainingPlanARN                              string // from --resource-spec only
	launchUser                                                    string
	resourceSpec                                                  resourceSpecFlag
	tags                                                          tagList
	wait, ensure, dryRun, useAWS                                  bool
	waitTimeout                                                   time.Duration
	output, endpointURL, region, profile                          string
	storageGiB                                                    int             // --storage-gib, when set
	idleTimeout                                                   minutesFlag     // --idle-timeout, when set
	deleteUser                                                    string          // --delete-user: remove this person instead
	yes, deleteSharedSpaces                                       bool            // with --delete-user
	set                                                           map[string]bool // the flags given explicitly
}

func (p *program) run(ctx context.Context, args []string) int {
	f, fs, err := parseFlags(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(p.stdout, fs)
		return exitOK
	case err != nil:
		return p.usageError(err)
	}
	p.f = f
	p.embedded = !f.useAWS && f.endpointURL == ""
	if f.deleteUser != "" {
		if code := p.checkRemoval(); code != exitOK {
			return code // before anything is sent
		}
	} else if p.embedded {
		f.applyDemoDefaults()
	}
	if f.owner == "" && (f.set["storage-gib"] || f.set["idle-timeout"]) {
		return p.usageError(errors.New("--storage-gib and --idle-timeout set the private space that --owner ensures: give --owner USER"))
	}
	if f.owner != "" && f.spaceName == "" {
		f.spaceName = studio.PrivateSpaceName(f.owner, sagemakerapp.AppType(f.appType))
	}

	// Every write to stderr goes through one lock: the progress ticker writes as well.
	terminal := isTerminal(p.stderr)
	p.stderr = &lockedWriter{w: p.stderr}
	p.tracker = newTracker(p.clock)

	// The SDK client is built before anything is checked, since the region it resolves picks the
	// default image; building it sends nothing.
	var api sagemakerapp.API
	p.region = demoRegion
	sdkOpts := append([]func(*sagemaker.Options){p.tracker.sdkOption}, p.sdkOptions...)
	if !p.embedded {
		client, closeIdle, err := sdkclient.NewClient(ctx, sdkclient.Config{
			UseAWS: f.useAWS, Region: f.region, EndpointURL: f.endpointURL, Profile: f.profile, Options: sdkOpts,
		})
		if err != nil {
			return p.fail(ctx, err)
		}
		defer closeIdle()
		api, p.region = client, client.Options().Region
	}
	if f.deleteUser != "" {
		return p.removeUser(ctx, api, sdkOpts, terminal)
	}
	if err := f.defaultImage(p.region); err != nil {
		return p.usageError(err)
	}

	// The library validates the requests as CreateSpace and CreateApp would, before anything
	// starts; no client is needed for that.
	var spaceIn *sagemaker.CreateSpaceInput
	if f.owner != "" {
		spaceIn = sagemakerapp.PrivateSpace(f.domainID, f.spaceName, f.owner, sagemakerapp.AppType(f.appType))
		if err := f.spaceSettings(spaceIn); err != nil {
			return p.usageError(err)
		}
	}
	in, err := f.builder(sagemakerapp.New(nil, p.clientOptions...)).Input()
	if err == nil && spaceIn != nil {
		err = sagemakerapp.ValidateSpace(spaceIn)
	}
	if err != nil {
		return p.fail(ctx, err)
	}
	if f.dryRun {
		body, err := requestJSON(in)
		if err != nil {
			return p.fail(ctx, err)
		}
		_, _ = p.stdout.Write(body)
		return exitOK
	}

	wait := []func(*sagemakerapp.WaitOptions){func(o *sagemakerapp.WaitOptions) { o.Timeout = f.waitTimeout }}
	if p.embedded {
		srv, err := p.startFake()
		if err != nil {
			return p.fail(ctx, err)
		}
		defer srv.Close()
		if p.beforeClose != nil {
			defer p.beforeClose()
		}
		api = srv.Client(sdkOpts...)
		fmt.Fprintf(p.stderr, "Using an embedded fake SageMaker at %s (demo domain %s, user %s, shared space %s); no AWS account is used.\n",
			srv.URL(), demoDomainID, demoUser, demoSpace)
		// The fake's spaces and apps start in a second or two: poll it more often than AWS would be.
		wait = append(wait, func(o *sagemakerapp.WaitOptions) { o.MinDelay, o.MaxDelay = 250*time.Millisecond, time.Second })
	}
	client := sagemakerapp.New(api, p.clientOptions...)
	p.prog = p.startProgress(p.tracker, terminal)
	defer p.prog.stop()

	var space *sagemakerapp.Space
	if spaceIn != nil {
		p.stage = stageSpace
		fmt.Fprintf(p.stderr, "Ensuring private space %s of user %s for %s apps in %s\n", f.spaceName, f.owner, f.appType, f.domainID)
		p.prog.beginStep(false)
		// A space that has other settings than --storage-gib and --idle-timeout ask for is changed
		// in place (UpdateSpace), and waited for; storage never shrinks (a SpaceConflictError).
		space, err = client.EnsureSpace(ctx, spaceIn, append(slices.Clone(wait), func(o *sagemakerapp.WaitOptions) { o.OnConflict = sagemakerapp.ConflictUpdate })...)
		p.prog.endStep()
		if err != nil {
			return p.fail(ctx, err)
		}
		p.spaceEnsured = space.Name
	}
	p.stage = stageApp
	app, err := p.createApp(ctx, f, f.builder(client), wait)
	if err != nil {
		return p.fail(ctx, err)
	}
	// A launch URL only for an app that runs: a space with no running app answers it with a 404.
	var launchURL string
	if app.Status == types.AppStatusInService {
		p.stage = stageLaunch
		launchURL, err = client.LaunchURL(ctx, app.ID, func(o *sagemakerapp.LaunchOptions) { o.UserProfileName = f.launchUser })
		var invalid *sagemakerapp.ValidationError
		switch {
		case errors.As(err, &invalid) && f.launchUser == "":
			// A shared space opens for any user of the domain: the URL needs one named.
			fmt.Fprintf(p.stderr, "No launch URL: space %s is not a private space with an owner; give --launch-user to sign a user in.\n", app.ID.SpaceName)
		case err != nil:
			_ = printResult(p.stdout, f.output, space, app, "") // what was made, before the error
			fmt.Fprintln(p.stderr, "createapp: the app is InService, but its launch URL could not be made:")
			return p.fail(ctx, err)
		}
	}
	if err := printResult(p.stdout, f.output, space, app, launchURL); err != nil {
		return p.fail(ctx, err)
	}
	if p.embedded && launchURL != "" {
		fmt.Fprintln(p.stderr, "The launch URL opens the fake's page for the app while the fake runs; the embedded fake stops as createapp exits (run the standalone fake, go run ./cmd/sagemakerfake, to open one in a browser).")
	}
	return exitOK
}

// usageError prints a problem with the command line and returns its exit code.
func (p *program) usageError(err error) int {
	fmt.Fprintf(p.stderr, "createapp: %v\nRun 'createapp --help' for usage.\n", err)
	return exitInvalid
}

// createApp creates the app, and waits for it with --wait; with --ensure it ensures it.
func (p *program) createApp(ctx context.Context, f *flags, b sagemakerapp.AppBuilder, wait []func(*sagemakerapp.WaitOptions)) (*sagemakerapp.App, error) {
	if !f.ensure && !f.wait {
		return b.Create(ctx)
	}
	verb := "Creating"
	if f.ensure {
		verb = "Ensuring"
	}
	fmt.Fprintf(p.stderr, "%s %s\n", verb, p.appName())

	p.prog.beginStep(true)
	defer p.prog.endStep()
	wait = append(wait, p.prog.waitOption)
	if f.ensure {
		return b.Ensure(ctx, wait...)
	}
	return b.CreateAndWait(ctx, wait...)
}

// parseFlags parses the command line with the standard flag package, which takes --name as well
// as -name, and "--name value" as well as "--name=value"; --tags also takes the AWS CLI's list,
// "--tags Key=a,Value=1 Key=b,Value=2".
func parseFlags(args []string) (*flags, *flag.FlagSet, error) {
	f := &flags{set: map[string]bool{}}
	fs := flag.NewFlagSet("createapp", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run prints errors and usage itself
	fs.StringVar(&f.domainID, "domain-id", "", "the domain `ID` (embedded fake: "+demoDomainID+")")
	fs.StringVar(&f.userProfileName, "user-profile-name", "", "the user `profile` of a Studio Classic app (KernelGateway, JupyterServer: only in a domain that still runs Studio Classic; embedded fake: "+demoUser+")")
	fs.StringVar(&f.spaceName, "space-name", "", "the `space` of the app; JupyterLab and CodeEditor apps run in one (the embedded fake has the shared space "+demoSpace+")")
	fs.StringVar(&f.owner, "owner", "", "ensure a private space of this `user` first, named user-jupyterlab or user-codeeditor unless --space-name is given (embedded fake: "+demoUser+" for JupyterLab and CodeEditor)")
	fs.StringVar(&f.appType, "app-type", "", "the app `type`: "+joinValues(sagemakerapp.AppTypes())+" (embedded fake: JupyterLab)")
	fs.StringVar(&f.appName, "app-name", "", "the app `name` (embedded fake: default)")
	fs.Var(&f.resourceSpec, "resource-spec", "the app's ResourceSpec, a `spec` as the AWS CLI takes it: shorthand Name=value,Name=value (InstanceType=ml.t3.medium,SageMakerImageArn=arn:…) or JSON {\"InstanceType\":\"ml.t3.medium\"}; the members are "+strings.Join(resourceSpecMembers, ", ")+", each also settable by its own flag but not by both")
	fs.StringVar(&f.instanceType, "instance-type", "", "the instance `type`, such as ml.t3.medium; without it the space's, user profile's or domain's default applies")
	fs.StringVar(&f.imageARN, "image-arn", "", "a SageMaker image `ARN`; for JupyterLab and CodeEditor the default is the region's SageMaker Distribution image (GPU build for a GPU instance type), and --image-arn= sends none")
	fs.StringVar(&f.imageVersionAlias, "image-version-alias", "", "the image version `alias`, such as 2.3.1")
	fs.StringVar(&f.lifecycleARN, "lifecycle-config-arn", "", "a Studio lifecycle configuration `ARN`")
	fs.StringVar(&f.launchUser, "launch-user", "", "the user `profile` that the launch URL signs in (default: the app's user, or the owner of its private space; a shared space needs it)")
	fs.Var(tagFlag{&f.tags}, "tag", "a tag as `key=value`; repeat for more tags")
	fs.Var(tagsFlag{&f.tags}, "tags", "tags as the AWS CLI takes them: shorthand `Key=k,Value=v` [Key=k,Value=v …] or JSON [{\"Key\":\"k\",\"Value\":\"v\"}]; a key may be given once, here or in --tag")
	fs.BoolVar(&f.wait, "wait", false, "wait until the app is InService, showing each status change, then print its launch URL (default true on the embedded fake)")
	fs.BoolVar(&f.ensure, "ensure", false, "make the app exist and be InService: create it, or adopt it if it is there with this spec (safe to repeat)")
	fs.DurationVar(&f.waitTimeout, "wait-timeout", sagemakerapp.DefaultWaitTimeout, "how long each wait (the space's, then the app's) may take, a `duration` such as 90s or 20m")
	fs.BoolVar(&f.dryRun, "dry-run", false, "validate the requests and print the CreateApp request as JSON; send nothing")
	fs.StringVar(&f.output, "output", "text", "the output `format`: text or json")
	fs.StringVar(&f.endpointURL, "endpoint-url", "", "send requests to this `URL`, such as a standalone fake; with dummy credentials unless --aws is given")
	fs.StringVar(&f.region, "region", "", "the AWS `region` (default: us-east-1 with --endpoint-url, the AWS configuration's with --aws)")
	fs.BoolVar(&f.useAWS, "aws", false, "use the default AWS configuration (environment, ~/.aws, SSO, instance role)")
	fs.StringVar(&f.profile, "profile", "", "with --aws, the `name` of the AWS configuration's profile to use (default: AWS_PROFILE, or default)")
	fs.IntVar(&f.storageGiB, "storage-gib", 0, "the EBS storage of the space --owner ensures, in `GiB` (5 to 16384); a space with less is grown (UpdateSpace), and storage never shrinks")
	fs.Var(&f.idleTimeout, "idle-timeout", "the idle timeout of the space --owner ensures: a `duration` of whole minutes such as 2h or 90m, or a number of minutes; within the bounds the domain and the user profile set")
	fs.StringVar(&f.deleteUser, "delete-user", "", "remove this `user` from --domain-id instead of creating an app: the apps of their user profile and of every space they own, those spaces with their files, then the user profile (asks first, unless --yes)")
	fs.BoolVar(&f.yes, "yes", false, "with --delete-user, do not ask for a confirmation (needed where there is no terminal to ask on)")
	fs.BoolVar(&f.deleteSharedSpaces, "delete-shared-spaces", false, "with --delete-user, delete the shared spaces the user owns too (they hold other people's work; without this flag such a space stops the removal before anything is deleted)")
	fs.Usage = func() {} // never called with io.Discard as output; run prints the usage
	if err := fs.Parse(expandTags(args, fs)); err != nil {
		return nil, fs, err
	}
	if fs.NArg() > 0 {
		return nil, fs, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	var bad []string
	if f.output != "text" && f.output != "json" {
		bad = append(bad, fmt.Sprintf("--output %q: want text or json", f.output))
	}
	if f.waitTimeout <= 0 {
		bad = append(bad, fmt.Sprintf("--wait-timeout %s: want a positive duration, such as 90s or 20m", f.waitTimeout))
	}
	if f.profile != "" && !f.useAWS {
		bad = append(bad, "--profile needs --aws: without it createapp reads no AWS configuration")
	}
	if f.set["storage-gib"] && (f.storageGiB <= 0 || f.storageGiB > math.MaxInt32) {
		bad = append(bad, fmt.Sprintf("--storage-gib %d: want a number of GiB, such as 20", f.storageGiB))
	}
	bad = append(bad, f.checkRemovalFlags()...)
	if first, again := f.tags.duplicate(); first != nil {
		bad = append(bad, fmt.Sprintf("tag key %q is given twice (%s, then %s): tag keys must be unique on a resource, and the AWS CLI refuses a repeated one", again.key, first.from, again.from))
	}
	bad = append(bad, f.mergeResourceSpec()...)
	if len(bad) > 0 {
		return nil, fs, errors.New(strings.Join(bad, "\ncreateapp: "))
	}
	return f, fs, nil
}

// mergeResourceSpec moves the members of --resource-spec to the flags of the same members, and
// returns a problem for each member given both ways.
func (f *flags) mergeResourceSpec() []string {
	var bad []string
	for _, m := range []struct {
		member, flag string
		value        *string
	}{
		{"InstanceType", "instance-type", &f.instanceType},
		{"SageMakerImageArn", "image-arn", &f.imageARN},
		{"SageMakerImageVersionAlias", "image-version-alias", &f.imageVersionAlias},
		{"LifecycleConfigArn", "lifecycle-config-arn", &f.lifecycleARN},
		{"SageMakerImageVersionArn", "", &f.imageVersionARN},
		{"TrainingPlanArn", "", &f.trainingPlanARN},
	} {
		v, ok := f.resourceSpec.members[m.member]
		switch {
		case !ok:
		case m.flag != "" && f.set[m.flag]:
			bad = append(bad, fmt.Sprintf("%s is given in --resource-spec and as --%s: give it once", m.member, m.flag))
		default:
			*m.value = v
			if m.flag != "" {
				f.set[m.flag] = true
			}
		}
	}
	return bad
}

// applyDemoDefaults fills in what the embedded fake's demo needs and the flags left out: a
// JupyterLab or CodeEditor app goes in alice's private space, a Studio Classic app on her user
// profile, and a launch URL of the shared space signs her in.
func (f *flags) applyDemoDefaults() {
	if f.domainID == "" {
		f.domainID = demoDomainID
	}
	if f.appType == "" {
		f.appType = string(types.AppTypeJupyterLab)
	}
	if f.appName == "" {
		f.appName = "default"
	}
	if f.userProfileName == "" && f.spaceName == "" && f.owner == "" {
		if studio.SpaceApp(sagemakerapp.AppType(f.appType)) {
			f.owner = demoUser
		} else {
			f.userProfileName = demoUser
		}
	}
	if f.launchUser == "" && f.owner == "" && f.userProfileName == "" {
		f.launchUser = demoUser
	}
	if !f.set["wait"] {
		f.wait = true
	}
}

// defaultImage sets --image-arn to the SageMaker Distribution image of region for a JupyterLab or
// CodeEditor app that names none: the service refuses those apps without an image (facts §7.3).
// An --image-arn given, even empty, is kept, and so is an image version ARN of --resource-spec,
// which names its image.
func (f *flags) defaultImage(region string) error {
	if f.set["image-arn"] || f.imageVersionARN != "" || !studio.SpaceApp(sagemakerapp.AppType(f.appType)) {
		return nil
	}
	if region == "" {
		return errors.New("no region for the default --image-arn: give --region, or set one in the AWS configuration")
	}
	image, err := studio.DefaultImage(region, sagemakerapp.InstanceType(f.instanceType))
	if err != nil {
		return fmt.Errorf("no SageMaker Distribution image is known for region %s: give --image-arn", region)
	}
	f.imageARN = image
	return nil
}

// builder turns the flags into a request. The library checks it: an empty or invalid value is a
// problem that Input or the terminal call reports, with every other one.
func (f *flags) builder(client *sagemakerapp.Client) sagemakerapp.AppBuilder {
	b := client.NewApp(f.domainID, sagemakerapp.AppType(f.appType), f.appName)
	if f.userProfileName != "" {
		b = b.ForUser(f.userProfileName)
	}
	if f.spaceName != "" {
		b = b.InSpace(f.spaceName)
	}
	if f.instanceType != "" {
		b = b.InstanceType(sagemakerapp.InstanceType(f.instanceType))
	}
	if f.imageARN != "" {
		b = b.Image(f.imageARN)
	}
	if f.imageVersionARN != "" {
		b = b.ImageVersion(f.imageVersionARN)
	}
	if f.imageVersionAlias != "" {
		b = b.ImageVersionAlias(f.imageVersionAlias)
	}
	if f.lifecycleARN != "" {
		b = b.LifecycleConfig(f.lifecycleARN)
	}
	if f.trainingPlanARN != "" {
		b = b.TrainingPlan(f.trainingPlanARN)
	}
	for _, t := range f.tags {
		b = b.Tag(t.key, t.value)
	}
	return b
}

// startFake starts the embedded fake on real time and seeds the demo domain, user and shared
// space. The domain gives JupyterLab, CodeEditor and KernelGateway apps a default instance type,
// so that none needs --instance-type; the image comes from --image-arn.
func (p *program) startFake() (*sagemakerfake.Server, error) {
	opts := append([]sagemakerfake.Option{sagemakerfake.WithRegion(demoRegion), sagemakerfake.WithStartupDelay(demoStartupDelay)}, p.fakeOptions...)
	srv, err := sagemakerfake.Run(opts...)
	if err != nil {
		return nil, err
	}
	medium := &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}
	_, err = srv.SeedDomain(demoDomainID, &sagemaker.CreateDomainInput{
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
	if err == nil {
		err = srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(demoDomainID), UserProfileName: aws.String(demoUser)})
	}
	if err == nil {
		err = srv.SeedSpace(&sagemaker.CreateSpaceInput{
			DomainId:             aws.String(demoDomainID),
			SpaceName:            aws.String(demoSpace),
			SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared},
		})
	}
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("seeding the embedded fake: %w", err)
	}
	return srv, nil
}

// fail prints err for people and returns the exit code: the library's kinds first, then the
// failures of reaching AWS (a profile, credentials, the endpoint), then the service's error.
func (p *program) fail(ctx context.Context, err error) int {
	var (
		invalid       *sagemakerapp.ValidationError
		conflict      *sagemakerapp.AppConflictError
		spaceConflict *sagemakerapp.SpaceConflictError
		failed        *sagemakerapp.AppFailedError
		spaceFailed   *sagemakerapp.SpaceFailedError
		apiErr        *sagemakerapp.APIError
	)
	switch {
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return p.interrupted(ctx)
	case errors.As(err, &invalid):
		switch {
		case p.spaceEnsured != "": // the image rule needs the levels, read after the space was made
			fmt.Fprintf(p.stderr, "createapp: invalid input, CreateApp was not sent (space %s is ensured and stays):\n", p.spaceEnsured)
		case p.stage == stageSpace: // the idle timeout's bounds are read from the levels above the space
			fmt.Fprintln(p.stderr, "createapp: invalid input, nothing was created or changed:")
		default:
			fmt.Fprintln(p.stderr, "createapp: invalid input, nothing was sent:")
		}
		for _, problem := range invalid.Problems {
			fmt.Fprintln(p.stderr, "  "+p.problemText(problem))
		}
		return exitInvalid
	case errors.As(err, &conflict) && conflict.Existing.ID.AppName != "" && (slices.Contains(conflict.Fields, "AppName") || slices.Contains(conflict.Fields, "AppType")):
		fmt.Fprintf(p.stderr, "createapp: space %s runs another app, %s %q (%s); a space runs one app at a time: stop it (DeleteApp) or use another space\n",
			conflict.Existing.ID.SpaceName, conflict.Existing.ID.AppType, conflict.Existing.ID.AppName, conflict.Existing.Status)
	case errors.As(err, &conflict):
		fmt.Fprintf(p.stderr, "createapp: the app exists (%s) with another spec; these members differ: %s\n",
			conflict.Existing.Status, strings.Join(conflict.Fields, ", "))
	case errors.As(err, &spaceConflict) && slices.Contains(spaceConflict.Fields, "SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb"):
		fmt.Fprintf(p.stderr, "createapp: space %s has more storage than --storage-gib %d asks for, and a space's storage only grows: nothing was changed (SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb)\n",
			spaceConflict.Existing.Name, p.f.storageGiB)
	case errors.As(err, &spaceConflict):
		fmt.Fprintf(p.stderr, "createapp: space %s exists with other settings; these members differ: %s\n",
			spaceConflict.Existing.Name, strings.Join(spaceConflict.Fields, ", "))
	case errors.As(err, &failed):
		fmt.Fprintf(p.stderr, "createapp: the app is %s: %s\n", failed.App.Status, failed.App.FailureReason)
	case errors.As(err, &spaceFailed):
		fmt.Fprintf(p.stderr, "createapp: space %s is %s: %s\n", spaceFailed.Space.Name, spaceFailed.Space.Status, spaceFailed.Space.FailureReason)
	case errors.Is(err, sagemakerapp.ErrWaitTimeout):
		p.explainTimeout()
	case p.explainSDK(err):
	case errors.As(err, &apiErr) && apiErr.Code != "":
		fmt.Fprintf(p.stderr, "createapp: %s: %s\n  operation %s, HTTP %d, request ID %s\n",
			apiErr.Code, apiErr.Message, apiErr.Operation, apiErr.StatusCode, apiErr.RequestID)
		if errors.Is(err, sagemakerapp.ErrResourceInUse) && apiErr.Operation == "CreateApp" {
			fmt.Fprintln(p.stderr, "  (--ensure adopts an app that exists with the same spec)")
		}
	default:
		fmt.Fprintln(p.stderr, "createapp:", err)
	}
	return exitFailure
}

// resultJSON is what --output json prints: the App in the shape and member names of DescribeApp's
// answer, as `aws sagemaker describe-app` prints it, leaving out what is not set; with Space, the
// space createapp ensured, in DescribeSpace's names; and AuthorizedUrl, CreatePresignedDomainUrl's
// answer.
type resultJSON struct {
	AppArn          string           `json:"AppArn"`
	DomainId        string           `json:"DomainId"`
	UserProfileName string           `json:"UserProfileName,omitempty"`
	SpaceName       string           `json:"SpaceName,omitempty"`
	AppType         string           `json:"AppType"`
	AppName         string           `json:"AppName"`
	Status          string           `json:"Status"`
	FailureReason   string           `json:"FailureReason,omitempty"`
	ResourceSpec    *resourceSpecOut `json:"ResourceSpec,omitempty"`
	CreationTime    *time.Time       `json:"CreationTime,omitempty"`
	RecoveryMode    bool             `json:"RecoveryMode,omitempty"`
	Space           *spaceJSON       `json:"Space,omitempty"`
	AuthorizedUrl   string           `json:"AuthorizedUrl,omitempty"`
}

type resourceSpecOut struct {
	InstanceType               string `json:"InstanceType,omitempty"`
	SageMakerImageArn          string `json:"SageMakerImageArn,omitempty"`
	SageMakerImageVersionArn   string `json:"SageMakerImageVersionArn,omitempty"`
	SageMakerImageVersionAlias string `json:"SageMakerImageVersionAlias,omitempty"`
	LifecycleConfigArn         string `json:"LifecycleConfigArn,omitempty"`
	TrainingPlanArn            string `json:"TrainingPlanArn,omitempty"`
}

type spaceJSON struct {
	SpaceArn          string `json:"SpaceArn"`
	SpaceName         string `json:"SpaceName"`
	Status            string `json:"Status"`
	OwnershipSettings struct {
		OwnerUserProfileName string `json:"OwnerUserProfileName,omitempty"`
	} `json:"OwnershipSettings"`
	SpaceSharingSettings struct {
		SharingType string `json:"SharingType,omitempty"`
	} `json:"SpaceSharingSettings"`
	SpaceSettings struct {
		AppType string `json:"AppType,omitempty"`
	} `json:"SpaceSettings"`
}

// printResult prints the space (when createapp ensured one), the app and the launch URL (when
// there is one): with --output json as resultJSON, with text one "name value" line per member
// that is set.
func printResult(w io.Writer, output string, space *sagemakerapp.Space, app *sagemakerapp.App, launchURL string) error {
	if output == "json" {
		out := resultJSON{
			AppArn: app.ARN, DomainId: app.ID.DomainID, UserProfileName: app.ID.UserProfileName,
			SpaceName: app.ID.SpaceName, AppType: string(app.ID.AppType), AppName: app.ID.AppName,
			Status: string(app.Status), FailureReason: app.FailureReason, RecoveryMode: app.RecoveryMode,
			AuthorizedUrl: launchURL,
		}
		if rs := app.ResourceSpec; rs != nil {
			out.ResourceSpec = &resourceSpecOut{
				InstanceType:               string(rs.InstanceType),
				SageMakerImageArn:          aws.ToString(rs.SageMakerImageArn),
				SageMakerImageVersionArn:   aws.ToString(rs.SageMakerImageVersionArn),
				SageMakerImageVersionAlias: aws.ToString(rs.SageMakerImageVersionAlias),
				LifecycleConfigArn:         aws.ToString(rs.LifecycleConfigArn),
				TrainingPlanArn:            aws.ToString(rs.TrainingPlanArn),
			}
		}
		if !app.CreationTime.IsZero() {
			out.CreationTime = &app.CreationTime
		}
		if space != nil {
			s := &spaceJSON{SpaceArn: space.ARN, SpaceName: space.Name, Status: string(space.Status)}
			s.OwnershipSettings.OwnerUserProfileName = space.Owner
			s.SpaceSharingSettings.SharingType = string(space.SharingType)
			s.SpaceSettings.AppType = string(space.AppType)
			out.Space = s
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(name, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s\t%s\n", name, value)
		}
	}
	if space != nil {
		line("SpaceArn", space.ARN)
		line("SpaceStatus", string(space.Status))
		line("SpaceOwner", space.Owner)
		line("SharingType", string(space.SharingType))
	}
	line("AppArn", app.ARN)
	line("Status", string(app.Status))
	line("FailureReason", app.FailureReason)
	if rs := app.ResourceSpec; rs != nil {
		line("InstanceType", string(rs.InstanceType))
		line("SageMakerImageArn", aws.ToString(rs.SageMakerImageArn))
		line("SageMakerImageVersionAlias", aws.ToString(rs.SageMakerImageVersionAlias))
		line("LifecycleConfigArn", aws.ToString(rs.LifecycleConfigArn))
	}
	if !app.CreationTime.IsZero() {
		line("CreationTime", app.CreationTime.Format(time.RFC3339))
	}
	line("LaunchUrl", launchURL)
	return tw.Flush()
}

// requestJSON returns the body that the SDK sends for in, encoded by the SDK's own awsJson codec
// (the one sagemaker.New installs), indented. It is what `aws sagemaker create-app
// --cli-input-json` takes, and it leaves out unset members, which encoding/json on the SDK's
// struct would print as null.
func requestJSON(in *sagemaker.CreateAppInput) ([]byte, error) {
	req := smithyhttp.NewStackRequest().(*smithyhttp.Request)
	op := smithy.NewOperationSchema(schemas.CreateApp, schemas.CreateAppRequest, nil)
	if err := awsjson.New11(schemas.SageMaker).SerializeRequest(context.Background(), op, in, req); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(req.GetStream())
	if err != nil {
		return nil, err
	}
	var out strings.Builder
	var indented json.RawMessage
	if err := json.Unmarshal(body, &indented); err != nil {
		return nil, err
	}
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(indented); err != nil {
		return nil, err
	}
	return []byte(out.String()), nil
}

func joinValues[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// usage prints the help: an example for each mode, then every flag.
func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `Usage: createapp [flags]

Creates a SageMaker Studio app with the sagemakerapp library, like 'aws sagemaker create-app',
and prints a launch URL that opens it (CreatePresignedDomainUrl) once it is InService.

JupyterLab and CodeEditor apps run in a space (--space-name), one app per space, and need an
image: --image-arn defaults to the region's SageMaker Distribution image. --owner USER first
ensures a private space of that user (USER-jupyterlab or USER-codeeditor unless --space-name is
given). KernelGateway and JupyterServer are Studio Classic apps, on a user profile
(--user-profile-name), created only in a domain that still runs Studio Classic.

With no --endpoint-url and no --aws, an embedded fake SageMaker is started, holding the demo
domain d-example12345 with user profile alice and shared space team; alice's private space and
the app are ensured there and waited for. No AWS account is used.

--storage-gib N and --idle-timeout (2h, 90m or minutes) set the private space that --owner
ensures; a space that has other settings is changed in place (UpdateSpace) and waited for.
Storage only grows, and the idle timeout must lie within the bounds the domain and the user
profile set: both are checked before anything is changed.

--delete-user USER removes a person from --domain-id instead: the apps of their user profile and
of every space they own, those spaces with the files on them, then the user profile. It lists
them, asks you to type the user's name to confirm (--yes does not ask, and is needed where there
is no terminal), and prints what it removed, or what remains if it failed: the same command again
finishes it. A shared space the user owns stops it before anything is deleted, unless
--delete-shared-spaces; --wait-timeout bounds the whole removal.

While a call fails and is retried (no connection, throttling), a line after a few seconds says
what fails; --wait-timeout bounds each wait. Ctrl-C stops waiting and says how to see the app.

Examples:
  Embedded fake (the demo):
    createapp
    createapp --app-type CodeEditor --instance-type ml.t3.large --tag team=ml --output json
    createapp --space-name team --app-type CodeEditor
  Validate only, send nothing (exit code 2 and every problem if invalid):
    createapp --dry-run --domain-id d-example12345 --space-name alice-jupyterlab \
        --app-type JupyterLab --app-name default --tag team=ml
  The AWS CLI's forms of --resource-spec and --tags, shorthand or JSON:
    createapp --dry-run --resource-spec InstanceType=ml.t3.large,SageMakerImageVersionAlias=2.3.1 \
        --tags Key=team,Value=ml Key=env,Value=dev
    createapp --dry-run --resource-spec '{"InstanceType":"ml.t3.large"}' --tags '[{"Key":"team","Value":"ml"}]'
  Another endpoint, such as the standalone fake (go run ./cmd/sagemakerfake), dummy credentials:
    createapp --endpoint-url http://127.0.0.1:8770 --domain-id d-example12345 \
        --owner alice --app-type JupyterLab --app-name default --ensure --wait-timeout 2m
  AWS, with the default AWS configuration (or --profile NAME):
    createapp --aws --region eu-west-1 --domain-id d-xxxxxxxxxxxx --owner alice \
        --app-type JupyterLab --app-name default --instance-type ml.t3.medium --ensure
  A private space with 20 GiB of storage and an idle timeout of 2 hours, then its app:
    createapp --aws --region eu-west-1 --domain-id d-xxxxxxxxxxxx --owner alice \
        --app-type JupyterLab --app-name default --storage-gib 20 --idle-timeout 2h --ensure
  Remove a person: their apps, spaces and user profile (asks first):
    createapp --delete-user alice                        # the demo: alice on the embedded fake
    createapp --aws --region eu-west-1 --domain-id d-xxxxxxxxxxxx --delete-user alice
  A Studio Classic app, on a user profile, in a domain that still runs Studio Classic:
    createapp --aws --region eu-west-1 --domain-id d-xxxxxxxxxxxx --user-profile-name alice \
        --app-type KernelGateway --app-name datascience --instance-type ml.m5.large

Flags (--name value and --name=value both work):
`)
	fs.VisitAll(func(f *flag.Flag) { // in lexical order
		name := f.Name
		arg, text := flag.UnquoteUsage(f)
		if isBoolFlag(f) {
			arg = ""
		}
		fmt.Fprintf(w, "  --%s\n        %s", strings.TrimSpace(name+" "+arg), text)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprint(w, `
Exit codes: 0 success; 2 invalid input (each problem as "field: reason"; nothing was sent) or a
bad flag, or --delete-user with neither a terminal nor --yes; 130 interrupted by Ctrl-C (SIGINT;
143 for SIGTERM), after saying what was left and how to see it; 1 a service error (its code and
request ID are printed), a timeout, a removal not confirmed or refused for a shared space, or any
other failure. Under 'go run' every failure exits 1 (go run prints "exit status N"); build the program
(go build -o createapp ./examples/createapp) to see these codes.
`)
}
