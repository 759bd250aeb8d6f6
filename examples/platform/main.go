// Command platform is a small HTTP service that embeds the sagemakerapp library as a platform team
// would: it gives the users of one SageMaker domain their Studio apps through a REST API, with
// Ensure semantics (a PUT is safe to repeat) and the library's errors mapped to HTTP statuses.
// It is a module of its own (examples/platform/go.mod), so that its OpenID Connect and
// OpenTelemetry dependencies stay out of the library's module: run it from its directory.
//
//	PUT    /users/{user}/apps/{type}/{name}              ensure the app; waits until it is InService, then 200
//	GET    /users/{user}/apps/{type}/{name}              the app as SageMaker reports it, 200
//	DELETE /users/{user}/apps/{type}/{name}              delete it, 202 (idempotent: a missing app is no error)
//	POST   /users/{user}/apps/{type}/{name}/launch-url   {"url": …} that signs the user in and opens the app, 200;
//	                                                     with ?redirect=true, 303 See Other to that URL
//	DELETE /users/{user}                                 remove the person: their apps, spaces and user profile;
//	                                                     administrators only; 202, then it runs in the background
//	                                                     (?deleteSharedSpaces=true: their shared spaces too)
//
// It follows Studio as it runs today: a JupyterLab or CodeEditor app runs in the user's private
// space, {user}-jupyterlab or {user}-codeeditor, which PUT ensures first (EnsureSpace), and gets
// the region's SageMaker Distribution image unless the body names one; a space runs one app at a
// time, so a second app of that type for the user is a 409 naming the one that runs. KernelGateway
// and JupyterServer are Studio Classic apps: they run on the user profile, and only in a domain
// that still runs Studio Classic. {type} is one of these four, spelled so (app types are
// case-sensitive on the service): any other, or jupyterlab, is a 400 on every route, before any
// call.
//
// # Who may call
//
// Every route needs an OpenID Connect bearer token (Authorization: Bearer <token>) from the
// issuer that --oidc-issuer names, verified with github.com/coreos/go-oidc: its signature against
// the issuer's JWKS (from the issuer's discovery document), its issuer, its audience (which must
// contain --oidc-audience) and its expiry. The JWKS is read at start; a token that names a key ID
// it does not hold has it read again, but all such reads together at most once every 30 s, and a
// key ID that a read did not find is not looked for again for 5 minutes, so refused tokens cannot
// make the platform hammer its issuer (a key the issuer starts signing with is accepted within
// 30 s).
//
// The caller's SageMaker user profile is bound to a claim that the issuer never gives to two
// people: by default the token's sub (OpenID Connect Core: unique within the issuer and never
// reassigned), whose value is then the user profile's name. --user-claim names another claim the
// issuer guarantees unique and never reassigned (claims that OpenID Connect says are neither,
// such as preferred_username and email, are refused); its value must be lowercase, since user
// profile names are not case-sensitive on SageMaker and Alice and alice would be one profile.
// --user-map instead names a JSON file that maps each sub to a profile name,
// {"<sub>": "alice", …}; the platform refuses to start if two subjects map to one profile in any
// case, and a subject not in it is a 403 (NotAUser). A caller manages only their own private
// space and apps, {user} being themselves. A caller whose --group-claim (groups by default) holds
// --admin-group is an administrator, who may manage anyone's, and who alone may remove a person
// (DELETE /users/{user}; a person cannot remove themselves). A request without a valid token is
// a 401, one for another user's apps a 403; both are JSON with a WWW-Authenticate challenge
// (RFC 6750). --auth none turns this off, for the demo on the embedded fake; it is refused on an
// address that is not loopback. The launch URL (LaunchURL, CreatePresignedDomainUrl) is a
// credential that signs in whoever opens it, for 5 minutes: it is served with Cache-Control:
// no-store, and only to {user} or an administrator. The app must be InService (409 otherwise).
//
// The PUT body is one JSON object, every member optional, names exactly as here (they are
// case-sensitive), each at most once, no null, nothing after the object, at most 64 KiB:
//
//	{"instanceType": "ml.t3.medium", "image": "arn:aws:sagemaker:…:image/…",
//	 "imageVersionAlias": "2.3.1", "lifecycleConfig": "arn:…", "tags": {"team": "ml"},
//	 "storageGiB": 20, "idleTimeoutMinutes": 120, "remoteAccess": "ENABLED", "replace": true}
//
// storageGiB (the EBS volume, a whole number of GiB, 5–16384), idleTimeoutMinutes (a whole number
// of minutes, within the MinIdleTimeoutInMinutes and MaxIdleTimeoutInMinutes that the user
// profile or the domain set) and remoteAccess (ENABLED or DISABLED: whether an IDE on the user's
// machine may connect) are the settings of the user's private space, so only for JupyterLab and
// CodeEditor apps (a 400 for the Studio Classic types). They are ensured with ConflictUpdate: a
// space that has others is changed with one UpdateSpace, and waited for, while its app goes on
// running; a new storage size takes effect when the app next starts (facts §7.2). Storage only
// grows: a smaller storageGiB than the space's is a 409 naming the field, and an idle timeout
// outside the bounds a 400 naming it, both before anything is changed. A member left out is not
// compared: the space keeps what it has.
//
// An app that runs (or starts) with another spec than the body's, such as another instanceType,
// is never changed by default: changing it means stopping the app and starting it again, which
// ends its kernels and terminals. The PUT is then a 409 AppConflict whose "fields" and "members"
// name what differs, and whose message says how to ask: the same PUT with "replace": true, which
// stops the app (DeleteApp), waits until it is gone and starts it with the body's spec
// (ConflictReplace); the space and its files stay.
//
// # Removing a person
//
// DELETE /users/{user} removes a person from the domain with DeleteUser: the apps of their user
// profile and of every space they own, those spaces (with the files on them: there is no undo),
// then the user profile. Only an administrator may ask (403 otherwise). It lists the user's spaces
// first: if they own a shared space, which holds other people's work, the answer is a 409
// SharedSpaces naming each, and nothing is deleted, unless the call says ?deleteSharedSpaces=true.
// Otherwise it answers 202 at once, {"user", "state": "started", "started", "deleteSharedSpaces",
// "spaces"}, and the removal runs in the background, at most --delete-timeout (1 h), at most 4 at
// once (one more is a 503 Busy), each person's spaces 4 at a time; its start and its end (with
// what remains, if it failed) go to the log. A DELETE of a person whose removal runs joins it:
// 202 with "state": "running", and nothing more starts. A removal is idempotent: a person already
// gone is no error, and one cut short (a shutdown, a crash, the timeout, a failure) is finished by
// the same DELETE again. While a person is being removed, a PUT of their apps is a 409
// UserBeingRemoved.
//
// Errors are JSON ({"error": code, "message": …}) with these statuses:
//
//	400  the body is not such an object (InvalidBody, the message names the problem; also for a
//	     space member on a Studio Classic app); invalid input, with "problems": [{"field",
//	     "member", "type", "value", "detail"}] ("member" is the body member at fault, when one is),
//	     nothing sent; an idle timeout outside the bounds of the levels above the space; a {type}
//	     the platform does not serve (UnsupportedAppType); a bad query (InvalidQuery); or a
//	     ValidationException of the service
//	401  no bearer token, or one that is expired, for another audience, from another issuer or
//	     not signed by the issuer's keys
//	403  the caller is not {user} and no administrator, or removes a person and is no
//	     administrator; or a valid token names no user profile of the platform (NotAUser: a sub
//	     not in --user-map, or a claim value not in lowercase)
//	404  the user profile, the domain or the app does not exist
//	409  ResourceInUse; the app exists with another spec (AppConflict: "fields" and "members" name
//	     what differs, and the message how to ask for the restart), or the space runs another app;
//	     the space exists with another owner, sharing or app type, or with more storage than
//	     storageGiB (SpaceConflict); launch-url of an app that is not InService (AppNotInService);
//	     the person owns shared spaces (SharedSpaces, "spaces" names them); a PUT for a person
//	     being removed (UserBeingRemoved)
//	413  the body is larger than 64 KiB
//	429  ResourceLimitExceeded, with the service's quota message; or the caller waits for their
//	     share of --max-waits already (TooManyWaits), with Retry-After
//	503  throttled, SageMaker unavailable, the request was canceled, or --max-waits PUTs are
//	     waiting already, or 4 removals run already (Busy); with Retry-After (seconds)
//	502  the app Failed (its failureReason), the user's space failed, or the platform's
//	     credentials were refused
//	504  the app was not InService within --wait-timeout; repeat the PUT to go on waiting
//
// An error's message names the problem; it never shows the SageMaker endpoint, a dial error or
// the platform's AWS identity, which go to the log (standard error) with the whole error.
//
// # Timeouts
//
// A request's headers must arrive within 10 s and its whole body within --read-timeout (30 s);
// an idle keep-alive connection is closed after 2 minutes. Answers are written within 30 s
// (the server's WriteTimeout), except a PUT's: it waits up to --wait-timeout for the space and
// the app together, so it moves its own write deadline (http.ResponseController) to
// --wait-timeout plus 30 s before it waits. At most --max-waits PUTs wait at once, and one caller
// at most a quarter of them, never more than 8 (at least 1): a person waits for a handful of apps
// at once, and one caller (or one stolen token) must not take every wait from everyone else. An
// administrator's PUTs for others count against the administrator's share; with --auth none the
// share is the path's {user}'s. Concurrent PUTs of one app by one caller with one body share one
// wait, and one slot, and all get its answer.
//
// By default it runs on an embedded fake SageMaker (package sagemakerfake) with the demo domain
// d-example12345 (whose users may set their space's idle timeout from 60 to 480 minutes) and the
// user profiles alice, bob and carol; no AWS account is needed. From
// examples/platform:
//
//	go run . --auth none
//	curl -X PUT localhost:8080/users/alice/apps/JupyterLab/default -d '{"tags": {"team": "ml"}}'
//	curl localhost:8080/users/alice/apps/JupyterLab/default
//	curl -X POST localhost:8080/users/alice/apps/JupyterLab/default/launch-url
//	curl -X DELETE localhost:8080/users/alice/apps/JupyterLab/default
//	curl -X PUT localhost:8080/users/bob/apps/JupyterLab/default -d '{"storageGiB": 20, "idleTimeoutMinutes": 120}'
//	curl -X PUT localhost:8080/users/bob/apps/JupyterLab/default -d '{"instanceType": "ml.t3.large", "replace": true}'
//	curl -X DELETE localhost:8080/users/bob
//
// With an issuer, each call carries the caller's token:
//
//	go run . --oidc-issuer https://idp.example.com/realms/ml --oidc-audience sagemaker-platform --admin-group platform-admins
//	curl -X PUT -H "Authorization: Bearer $TOKEN" localhost:8080/users/alice/apps/JupyterLab/default
//
// A user not in the domain is a 404, as it would be on AWS: the platform does not create user
// profiles. --endpoint-url targets another endpoint, such as the standalone fake, with dummy
// credentials; --aws uses the default AWS configuration, and --domain-id is then required.
//
// --otel stdout writes the spans and metrics of the library (sagemakerapp.EnsureApp,
// sagemakerapp.EnsureSpace, sagemakerapp.WaitForApp, …) and of the SDK (SageMaker.CreateApp, …,
// children of the library's) to standard output as OpenTelemetry JSON: spans as they end, metrics
// every minute and at shutdown.
//
// SIGINT or SIGTERM stops the server gracefully: it stops accepting requests, gives those in
// flight --shutdown-grace to finish, then ends their waits (they answer 503 with Retry-After;
// their PUT can be repeated, since it is idempotent), gives them 5 s to answer, cuts off the
// connections still busy after that (a client that stalls sending a body or reading an answer),
// naming each in the log, and exits 0. Removals still running then are stopped and logged as such:
// a DELETE of the person again, once the platform is back, finishes each.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/examples/internal/sdkclient"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

const (
	demoDomainID = "d-example12345"
	demoRegion   = "us-east-1"
)

var demoUsers = []string{"alice", "bob", "carol"}

// The server's timeouts (see the package documentation); --read-timeout sets readTimeout.
const (
	readHeaderTimeout  = 10 * time.Second
	defaultReadTimeout = 30 * time.Second
	writeTimeout       = 30 * time.Second // every route but PUT, which moves its own deadline
	idleTimeout        = 2 * time.Minute
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run serves until ctx ends and returns the exit code: 0 after a clean shutdown or --help, 2 for
// a bad command line, 1 for any other failure. --otel writes to stdout; everything else, the log
// and the help, to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return (&program{stdout: stdout, stderr: stderr}).run(ctx, args)
}

// program holds the hooks that tests use; the zero hooks mean the real thing.
type program struct {
	stdout, stderr io.Writer
	fakeOptions    []sagemakerfake.Option          // appended to the embedded fake's options
	onListen       func(url string)                // called once the server listens
	writeTimeout   time.Duration                   // the server's WriteTimeout; zero means writeTimeout
	answerWait     time.Duration                   // how long a shutdown lets ended waits answer; zero means answerWait
	wrapHandler    func(http.Handler) http.Handler // wraps the platform's handler, to see requests arrive
}

const usage = `Usage: platform [flags]

A REST API that gives the users of one SageMaker domain their Studio apps:

  PUT    /users/{user}/apps/{type}/{name}              ensure the app, wait until InService; 200
  GET    /users/{user}/apps/{type}/{name}              the app as SageMaker reports it; 200
  DELETE /users/{user}/apps/{type}/{name}              delete it; 202
  POST   /users/{user}/apps/{type}/{name}/launch-url   {"url": ...} that opens the app; 200
                                                       (?redirect=true: 303 to that URL)
  DELETE /users/{user}                                 remove the person: apps, spaces, user profile;
                                                       administrators only; 202, then in the background
                                                       (409 if they own a shared space, unless
                                                       ?deleteSharedSpaces=true)

{type} is JupyterLab or CodeEditor (in the user's private space {user}-jupyterlab or
{user}-codeeditor) or KernelGateway or JupyterServer (Studio Classic, on the user profile, in a
domain that still runs Studio Classic), spelled exactly so; any other type is a 400. The PUT body
is optional: {"instanceType": "ml.t3.medium", "image": "arn:...", "imageVersionAlias": "2.3.1",
"lifecycleConfig": "arn:...", "tags": {"team": "ml"}}, and for the private space of a JupyterLab
or CodeEditor app "storageGiB": 20 (it only grows), "idleTimeoutMinutes": 120 (within the
domain's bounds) and "remoteAccess": "ENABLED" or "DISABLED", changed in place when the space has
others. An app that runs with another spec (another instanceType, say) is a 409 naming what
differs; "replace": true restarts it with the body's spec.

Every call needs an OpenID Connect bearer token of --oidc-issuer for --oidc-audience; the
token's sub (or --user-claim, or the profile --user-map gives its sub) is the caller's user
profile, who manages only their own apps, and members of --admin-group manage anyone's. --auth none, on a loopback address only, lets anyone manage
any user's apps: for the demo on the embedded fake.

Examples:

  # the demo: an embedded fake SageMaker with domain d-example12345 and users alice, bob, carol
  platform --auth none
  curl -X PUT localhost:8080/users/alice/apps/JupyterLab/default -d '{"tags": {"team": "ml"}}'
  curl -X POST localhost:8080/users/alice/apps/JupyterLab/default/launch-url
  curl -X PUT localhost:8080/users/alice/apps/JupyterLab/default -d '{"storageGiB": 20, "idleTimeoutMinutes": 120}'
  curl -X PUT localhost:8080/users/alice/apps/JupyterLab/default -d '{"instanceType": "ml.t3.large", "replace": true}'
  curl -X DELETE localhost:8080/users/alice

  # a real domain, with an issuer
  platform --aws --domain-id d-xxxxxxxxxxxx --oidc-issuer https://idp.example.com/realms/ml \
      --oidc-audience sagemaker-platform --admin-group platform-admins
  curl -X PUT -H "Authorization: Bearer $TOKEN" localhost:8080/users/alice/apps/JupyterLab/default

Flags:
`

func (p *program) run(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("platform", flag.ContinueOnError)
	fs.SetOutput(p.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8080", "the `address` to listen on")
	useAWS := fs.Bool("aws", false, "use the default AWS configuration instead of the embedded fake")
	endpointURL := fs.String("endpoint-url", "", "send SageMaker requests to this `URL`, such as a standalone fake, with dummy credentials unless --aws is given")
	regionFlag := fs.String("region", "", "the AWS `region` (default: us-east-1 with --endpoint-url, the AWS configuration's with --aws)")
	domainID := fs.String("domain-id", "", "the SageMaker domain `ID` whose users the platform serves (embedded fake: "+demoDomainID+")")
	waitTimeout := fs.Duration("wait-timeout", 10*time.Minute, "how long a PUT waits for its space and app to be InService")
	deleteTimeout := fs.Duration("delete-timeout", defaultDeleteTimeout, "how long the removal of a person (DELETE /users/{user}, in the background) may take")
	maxWaits := fs.Int("max-waits", defaultMaxWaits, "how many PUTs may wait at once (one more is a 503 with Retry-After); one caller may hold a quarter of them, at most 8 (one more is a 429)")
	readTimeout := fs.Duration("read-timeout", defaultReadTimeout, "how long a request's headers and body may take to arrive")
	grace := fs.Duration("shutdown-grace", 10*time.Second, "how long a shutdown lets requests in flight finish")
	authKind := fs.String("auth", "oidc", "how callers are authenticated: `oidc` (bearer tokens) or none (loopback only: anyone manages any user's apps)")
	var oidcCfg oidcConfig
	fs.StringVar(&oidcCfg.issuer, "oidc-issuer", "", "the OpenID Connect issuer `URL`, as its tokens' iss claim has it")
	fs.StringVar(&oidcCfg.audience, "oidc-audience", "", "the `audience` a token's aud must contain: the platform's client ID at the issuer")
	fs.StringVar(&oidcCfg.userClaim, "user-claim", "sub", "the token `claim` whose (lowercase) value is the caller's SageMaker user profile: one the issuer never gives to two people")
	userMap := fs.String("user-map", "", "a JSON `file` mapping each token's sub to its SageMaker user profile, {\"<sub>\": \"alice\", ...}, instead of --user-claim")
	fs.StringVar(&oidcCfg.groupClaim, "group-claim", "groups", "the token `claim` that lists the caller's groups")
	fs.StringVar(&oidcCfg.adminGroup, "admin-group", "", "members of this `group` may manage anyone's apps (default: nobody)")
	otelKind := fs.String("otel", "none", "where the library's and the SDK's spans and metrics go: none, or stdout (OpenTelemetry JSON)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	bad := func(format string, args ...any) int {
		fmt.Fprintf(p.stderr, "platform: "+format+"\n", args...)
		return 2
	}
	if fs.NArg() > 0 {
		return bad("unexpected arguments %q (every setting is a flag; see --help)", fs.Args())
	}
	embedded := !*useAWS && *endpointURL == ""
	if *domainID == "" {
		if !embedded {
			return bad("--domain-id is required with --aws or --endpoint-url")
		}
		*domainID = demoDomainID
	}
	if *maxWaits <= 0 {
		return bad("--max-waits must be at least 1, not %d", *maxWaits)
	}
	if *readTimeout <= 0 || *waitTimeout <= 0 || *deleteTimeout <= 0 {
		return bad("--read-timeout, --wait-timeout and --delete-timeout must be positive")
	}
	switch *authKind {
	case "none":
		if !isLoopback(*addr) {
			return bad("--auth none lets anyone manage any user's apps, and is refused on %s, which is not a loopback address: use --auth oidc, or listen on 127.0.0.1", *addr)
		}
	case "oidc":
		if oidcCfg.issuer == "" || oidcCfg.audience == "" {
			return bad("--auth oidc (the default) needs --oidc-issuer and --oidc-audience; for the local demo on the embedded fake, give --auth none")
		}
		if oidcCfg.userClaim == "" {
			return bad("--user-claim must name a claim")
		}
		if slices.Contains(unstableClaims, oidcCfg.userClaim) {
			return bad("--user-claim %s names a claim that OpenID Connect does not make unique or stable (Core, section 5.7): "+
				"another person can get the same value, and act as its user profile; use sub (the default), a claim your issuer "+
				"guarantees unique and never reassigned, or --user-map", oidcCfg.userClaim)
		}
		if *userMap != "" {
			claimSet := false
			fs.Visit(func(f *flag.Flag) { claimSet = claimSet || f.Name == "user-claim" })
			if claimSet {
				return bad("--user-map and --user-claim exclude each other: the map names each sub's user profile")
			}
			users, err := loadUserMap(*userMap)
			if err != nil {
				return bad("--user-map: %v", err)
			}
			oidcCfg.users = users
		}
	default:
		return bad("--auth must be oidc or none, not %q", *authKind)
	}
	if p.stdout == nil {
		p.stdout = io.Discard
	}
	tel, err := newTelemetry(*otelKind, p.stdout)
	if err != nil {
		return bad("%v", err)
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.shutdown(flushCtx)
	}()
	logger := slog.New(slog.NewTextHandler(p.stderr, nil))

	var auth authenticator = noAuth{}
	if *authKind == "oidc" {
		transport := http.DefaultTransport.(*http.Transport).Clone()
		defer transport.CloseIdleConnections()
		a, err := newOIDCAuth(ctx, oidcCfg, &http.Client{Transport: transport, Timeout: 10 * time.Second}, logger)
		if err != nil {
			logger.Error("setting up authentication", "error", err)
			return 1
		}
		auth = a
		identity := "claim " + oidcCfg.userClaim
		if oidcCfg.users != nil {
			identity = fmt.Sprintf("%s: %d subjects", *userMap, len(oidcCfg.users))
		}
		logger.Info("authenticating callers with OpenID Connect", "issuer", oidcCfg.issuer, "audience", oidcCfg.audience,
			"user_profile", identity, "admin_group", oidcCfg.adminGroup)
	} else {
		logger.Warn("--auth none: every caller may manage every user's apps")
	}

	var (
		api    sagemakerapp.API
		region = demoRegion
		wait   []func(*sagemakerapp.WaitOptions)
	)
	observe := func(o *sagemaker.Options) { o.TracerProvider, o.MeterProvider = tel.tracer, tel.meter }
	if embedded {
		srv, err := p.startFake()
		if err != nil {
			logger.Error("starting the embedded fake", "error", err)
			return 1
		}
		defer srv.Close()
		api = srv.Client(observe)
		logger.Info("using an embedded fake SageMaker; no AWS account is used", "url", srv.URL(), "domain", demoDomainID, "users", demoUsers)
		// The fake's apps start in a second or two: poll it more often than AWS would be.
		wait = append(wait, func(o *sagemakerapp.WaitOptions) { o.MinDelay, o.MaxDelay = 250*time.Millisecond, time.Second })
	} else {
		client, closeIdle, err := sdkclient.New(ctx, *useAWS, *regionFlag, *endpointURL)
		if err != nil {
			logger.Error("building the SageMaker client", "error", err)
			return 1
		}
		defer closeIdle()
		client = sagemaker.New(client.Options(), observe)
		api, region = client, client.Options().Region
	}
	// The removals of people run in the background, past the requests that started them: they end
	// with the program, once the server has shut down, and the program waits for them to stop.
	removeCtx, stopRemovals := context.WithCancel(context.Background())
	rm := newRemovals(removeCtx, *deleteTimeout, logger)
	defer func() {
		stopRemovals()
		rm.wait()
	}()
	handler := newHandler(sagemakerapp.New(api), handlerConfig{domainID: *domainID, region: region, auth: auth,
		waitTimeout: *waitTimeout, wait: wait, maxWaits: *maxWaits, removals: rm, log: logger})
	if p.wrapHandler != nil {
		handler = p.wrapHandler(handler)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Error("listening", "error", err)
		return 1
	}
	server := newServer(handler, *readTimeout, logger)
	if p.writeTimeout > 0 {
		server.WriteTimeout = p.writeTimeout
	}
	last := answerWait
	if p.answerWait > 0 {
		last = p.answerWait
	}
	if err := serve(ctx, ln, server, shutdownTimes{*grace, last}, logger, p.onListen); err != nil {
		logger.Error("serving", "error", err)
		return 1
	}
	return 0
}

// newServer returns the platform's http.Server: headers within readHeaderTimeout, the whole
// request within readTimeout (a body that stalls has its connection closed then), answers
// within writeTimeout except a PUT's, which moves its own write deadline past its wait, and idle
// keep-alive connections closed after idleTimeout.
func newServer(handler http.Handler, readTimeout time.Duration, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: min(readHeaderTimeout, readTimeout),
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10, // a bearer token is a few KiB
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// answerWait is how long a shutdown lets the requests whose waits it ended answer (their 503),
// after the grace, before it cuts off what is left.
const answerWait = 5 * time.Second

// shutdownTimes are serve's two stages of a shutdown: grace for requests in flight to finish,
// then answer for those whose waits were ended to answer.
type shutdownTimes struct{ grace, answer time.Duration }

// serve serves with server on ln until ctx ends, then shuts down: requests in flight get grace
// to finish, after which their contexts are canceled, so that a PUT waiting for an app answers
// 503 and its caller can repeat it; connections still busy after that (a client that stalls
// sending its body or reading its answer) are cut off and named in the log. A shutdown is clean,
// and serve returns nil, even when it had to cut such stragglers off: nothing the platform does
// is lost with them (a PUT is idempotent, and its app goes on starting). It returns an error only
// when serving failed.
func serve(ctx context.Context, ln net.Listener, server *http.Server, times shutdownTimes, logger *slog.Logger, onListen func(string)) error {
	base, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	server.BaseContext = func(net.Listener) context.Context { return base }
	conns := trackConns(server)
	served := make(chan error, 1)
	go func() { served <- server.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	logger.Info("listening", "url", url, "routes", strings.Join([]string{"PUT|GET|DELETE /users/{user}/apps/{type}/{name}", "POST /users/{user}/apps/{type}/{name}/launch-url", "DELETE /users/{user}"}, ", "))
	if onListen != nil {
		onListen(url)
	}

	select {
	case err := <-served: // Serve failed on its own
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", times.grace)
	graceCtx, cancel := context.WithTimeout(context.Background(), times.grace)
	err := server.Shutdown(graceCtx)
	cancel()
	if err != nil { // requests still in flight: end their waits and let them answer
		cancelRequests()
		lastCtx, cancel := context.WithTimeout(context.Background(), times.answer)
		err = server.Shutdown(lastCtx)
		cancel()
	}
	if err != nil {
		stragglers := conns.busy()
		logger.Warn("shutdown cut off connections that had not finished", "count", len(stragglers), "connections", strings.Join(stragglers, "; "))
		_ = server.Close()
	}
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return nil
}

// connTracker knows the server's connections that are not idle, and the request each serves, so
// that a shutdown can name the ones it cuts off.
type connTracker struct {
	mu    sync.Mutex
	conns map[net.Conn]string // the request in flight ("" before the first) of each busy connection
}

// connKey is the context key under which a request finds its connection.
type connKey struct{}

// trackConns makes server report its connections' states and requests to a new tracker.
func trackConns(server *http.Server) *connTracker {
	t := &connTracker{conns: map[net.Conn]string{}}
	server.ConnState = func(c net.Conn, state http.ConnState) {
		t.mu.Lock()
		defer t.mu.Unlock()
		switch state {
		case http.StateNew, http.StateActive:
			if _, ok := t.conns[c]; !ok {
				t.conns[c] = ""
			}
		default: // idle, hijacked or closed: nothing in flight
			delete(t.conns, c)
		}
	}
	server.ConnContext = func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, connKey{}, c) }
	next := server.Handler
	server.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := r.Context().Value(connKey{}).(net.Conn); ok {
			t.mu.Lock()
			t.conns[c] = r.Method + " " + r.URL.Path
			t.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
	return t
}

// busy names the connections that are not idle: the client's address and the request in flight.
func (t *connTracker) busy() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.conns))
	for c, req := range t.conns {
		if req == "" {
			req = "no request yet"
		}
		out = append(out, c.RemoteAddr().String()+" ("+req+")")
	}
	slices.Sort(out)
	return out
}

// demoIdle is the demo domain's idle shutdown: on, after an hour by default, and a user may choose
// 60 to 480 minutes for their own space (idleTimeoutMinutes; facts §7.6).
func demoIdle() *types.AppLifecycleManagement {
	return &types.AppLifecycleManagement{IdleSettings: &types.IdleSettings{
		LifecycleManagement: types.LifecycleManagementEnabled, IdleTimeoutInMinutes: aws.Int32(60),
		MinIdleTimeoutInMinutes: aws.Int32(60), MaxIdleTimeoutInMinutes: aws.Int32(480),
	}}
}

// startFake starts the embedded fake on real time and seeds the demo domain and users.
func (p *program) startFake() (*sagemakerfake.Server, error) {
	srv, err := sagemakerfake.Run(append([]sagemakerfake.Option{sagemakerfake.WithRegion(demoRegion), sagemakerfake.WithStartupDelay(1500 * time.Millisecond)}, p.fakeOptions...)...)
	if err != nil {
		return nil, err
	}
	medium := &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}
	_, err = srv.SeedDomain(demoDomainID, &sagemaker.CreateDomainInput{
		DomainName: aws.String("platform-demo"),
		AuthMode:   types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{
			// The demo domain still runs Studio Classic, so that its JupyterServer and KernelGateway
			// apps can be created too (facts §7.1: elsewhere the service refuses them).
			StudioWebPortal:          types.StudioWebPortalDisabled,
			JupyterLabAppSettings:    &types.JupyterLabAppSettings{DefaultResourceSpec: medium, AppLifecycleManagement: demoIdle()},
			CodeEditorAppSettings:    &types.CodeEditorAppSettings{DefaultResourceSpec: medium, AppLifecycleManagement: demoIdle()},
			KernelGatewayAppSettings: &types.KernelGatewayAppSettings{DefaultResourceSpec: medium},
		},
	})
	for _, user := range demoUsers {
		if err == nil {
			err = srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(demoDomainID), UserProfileName: aws.String(user)})
		}
	}
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("seeding the embedded fake: %w", err)
	}
	return srv, nil
}
