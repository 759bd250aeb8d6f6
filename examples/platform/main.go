// Command platform is a small HTTP service that embeds the sagemakerapp library as a platform team
// would: it gives the users of one SageMaker domain their Studio apps through a REST API, with
// Ensure semantics (a PUT is safe to repeat) and the library's errors mapped to HTTP statuses.
//
//	PUT    /users/{user}/apps/{type}/{name}              ensure the app; waits until it is InService, then 200
//	GET    /users/{user}/apps/{type}/{name}              the app as SageMaker reports it, 200
//	DELETE /users/{user}/apps/{type}/{name}              delete it, 202 (idempotent: a missing app is no error)
//	POST   /users/{user}/apps/{type}/{name}/launch-url   {"url": …} that signs the user in and opens the app, 200
//
// It follows Studio as it runs today: a JupyterLab or CodeEditor app runs in the user's private
// space, {user}-jupyterlab or {user}-codeeditor, which PUT ensures first (EnsureSpace), and gets
// the region's SageMaker Distribution image unless the body names one; a space runs one app at a
// time, so a second app of that type for the user is a 409 naming the one that runs. KernelGateway
// and JupyterServer are Studio Classic apps and run on the user profile.
//
// The launch URL (LaunchURL, CreatePresignedDomainUrl) is a credential: it signs in whoever opens
// it, for 5 minutes. This example hands it to any caller that names {user}; a real platform must
// first authenticate the caller as {user}, which this example does not do (it listens on
// 127.0.0.1 by default). The app must be InService (409 otherwise).
//
// The PUT body is JSON, every member optional:
//
//	{"instanceType": "ml.t3.medium", "image": "arn:aws:sagemaker:…:image/…",
//	 "imageVersionAlias": "2.3.1", "lifecycleConfig": "arn:…", "tags": {"team": "ml"}}
//
// Errors are JSON ({"error": code, "message": …}) with these statuses:
//
//	400  invalid input, with "problems": [{"field", "type", "value", "detail"}], nothing sent;
//	     or a ValidationException of the service
//	404  the user profile, the domain or the app does not exist
//	409  ResourceInUse; the app exists with another spec, or the space runs another app
//	     ("fields" names what differs); the space exists with another owner, sharing or app type
//	     (SpaceConflict); launch-url of an app that is not InService (AppNotInService)
//	429  ResourceLimitExceeded, with the service's quota message
//	503  throttled, SageMaker unavailable, or the request was canceled; with Retry-After (seconds)
//	502  the app Failed (its failureReason), the user's space failed, or the platform's
//	     credentials were refused
//	504  the app was not InService within --wait-timeout; repeat the PUT to go on waiting
//
// By default it runs on an embedded fake SageMaker (package sagemakerfake) with the demo domain
// d-example12345 and the user profiles alice, bob and carol; no AWS account is needed:
//
//	go run ./examples/platform
//	curl -X PUT localhost:8080/users/alice/apps/JupyterLab/default -d '{"tags": {"team": "ml"}}'
//	curl localhost:8080/users/alice/apps/JupyterLab/default
//	curl -X POST localhost:8080/users/alice/apps/JupyterLab/default/launch-url
//	curl -X DELETE localhost:8080/users/alice/apps/JupyterLab/default
//
// A user not in the domain is a 404, as it would be on AWS: the platform does not create user
// profiles. --endpoint-url targets another endpoint, such as the standalone fake, with dummy
// credentials; --aws uses the default AWS configuration, and --domain-id is then required.
//
// SIGINT or SIGTERM stops the server gracefully: it stops accepting requests, gives those in
// flight --shutdown-grace to finish, then ends their waits (they answer 503 with Retry-After;
// their PUT can be repeated, since it is idempotent) and exits.
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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

// run serves until ctx ends and returns the exit code: 0 after a clean shutdown, 2 for a bad
// command line, 1 for any other failure.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	return (&program{stderr: stderr}).run(ctx, args)
}

// program holds the hooks that tests use; the zero hooks mean the real thing.
type program struct {
	stderr      io.Writer
	fakeOptions []sagemakerfake.Option // appended to the embedded fake's options
	onListen    func(url string)       // called once the server listens
}

func (p *program) run(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("platform", flag.ContinueOnError)
	fs.SetOutput(p.stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "the `address` to listen on")
	useAWS := fs.Bool("aws", false, "use the default AWS configuration instead of the embedded fake")
	endpointURL := fs.String("endpoint-url", "", "send SageMaker requests to this `URL`, such as a standalone fake, with dummy credentials unless --aws is given")
	regionFlag := fs.String("region", "", "the AWS `region` (default: us-east-1 with --endpoint-url, the AWS configuration's with --aws)")
	domainID := fs.String("domain-id", "", "the SageMaker domain `ID` whose users the platform serves (embedded fake: "+demoDomainID+")")
	waitTimeout := fs.Duration("wait-timeout", 10*time.Minute, "how long a PUT waits for its app to be InService")
	grace := fs.Duration("shutdown-grace", 10*time.Second, "how long a shutdown lets requests in flight finish")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	embedded := !*useAWS && *endpointURL == ""
	if *domainID == "" {
		if !embedded {
			fmt.Fprintln(p.stderr, "platform: --domain-id is required with --aws or --endpoint-url")
			return 2
		}
		*domainID = demoDomainID
	}
	logger := slog.New(slog.NewTextHandler(p.stderr, nil))

	var (
		api    sagemakerapp.API
		region = demoRegion
	)
	wait := []func(*sagemakerapp.WaitOptions){func(o *sagemakerapp.WaitOptions) { o.Timeout = *waitTimeout }}
	if embedded {
		srv, err := p.startFake()
		if err != nil {
			logger.Error("starting the embedded fake", "error", err)
			return 1
		}
		defer srv.Close()
		api = srv.Client()
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
		api, region = client, client.Options().Region
	}
	handler := newHandler(sagemakerapp.New(api), *domainID, region, logger, wait...)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Error("listening", "error", err)
		return 1
	}
	if err := serve(ctx, ln, handler, *grace, logger, p.onListen); err != nil {
		logger.Error("serving", "error", err)
		return 1
	}
	return 0
}

// serve serves handler on ln until ctx ends, then shuts down: requests in flight get grace to
// finish, after which their contexts are canceled, so that a PUT waiting for an app answers 503
// and its caller can repeat it.
func serve(ctx context.Context, ln net.Listener, handler http.Handler, grace time.Duration, logger *slog.Logger, onListen func(string)) error {
	base, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	server := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- server.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	logger.Info("listening", "url", url)
	if onListen != nil {
		onListen(url)
	}

	select {
	case err := <-served: // Serve failed on its own
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "grace", grace)
	graceCtx, cancel := context.WithTimeout(context.Background(), grace)
	err := server.Shutdown(graceCtx)
	cancel()
	if err != nil { // requests still in flight: end their waits and let them answer
		cancelRequests()
		lastCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = server.Shutdown(lastCtx)
		cancel()
	}
	if err != nil {
		_ = server.Close()
	}
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	return err
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
			JupyterLabAppSettings:    &types.JupyterLabAppSettings{DefaultResourceSpec: medium},
			CodeEditorAppSettings:    &types.CodeEditorAppSettings{DefaultResourceSpec: medium},
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
