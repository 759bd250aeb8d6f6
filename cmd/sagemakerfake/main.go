// Command sagemakerfake serves a fake Amazon SageMaker for Studio apps (domains, user profiles,
// spaces, apps and presigned URLs that open them) on the real awsJson 1.1 protocol, so that any AWS client can use it: the AWS
// CLI, boto3, the Go SDK or another SDK. It is the in-process fake of package
// github.com/studioapp/sagemakerapp/sagemakerfake on the wall clock; that package's documentation
// says what is modelled and what is not.
//
// Usage:
//
//	sagemakerfake [-addr 127.0.0.1:8770] [-region us-east-1] [-account 123456789012]
//	              [-startup-delay 2s] [-seed seed.json] [-rand-seed N] [-allow-remote]
//	              [-read-timeout 30s]
//
// The flags are:
//
//	-addr           address to listen on; a port of 0 picks a free one. An address that is not
//	                loopback is refused unless -allow-remote is given: the fake checks no
//	                credentials.
//	-region         region named in ARNs (default us-east-1); the partition follows from it
//	-account        12-digit account ID named in ARNs (default 123456789012)
//	-startup-delay  how long new apps and spaces stay Pending, and deleted ones Deleting
//	                (default 2s)
//	-seed FILE      domains, user profiles and spaces to create at start
//	-rand-seed N    seed of the random source behind generated IDs, so that a run can be
//	                repeated; by default every start hands out different domain IDs
//	-allow-remote   allow a non-loopback -addr
//	-read-timeout   how long a request, headers and body, may take to arrive (default 30s);
//	                a client that stalls mid-request has its connection closed then
//
// The server holds no connection forever: besides -read-timeout, request headers must arrive
// within 10 s (or -read-timeout, if shorter), an answer is written within a minute, and an idle
// keep-alive connection is closed after 2 minutes. A request body is at most 1 MiB
// (sagemakerfake.MaxBodyBytes).
//
// The server runs on the wall clock: apps become InService by themselves after the startup delay.
// Every request is logged to standard error with log/slog, and so is the address once the
// server listens ("msg=listening addr=127.0.0.1:8770"). SIGINT or SIGTERM stops the server after
// the requests in flight have been answered. A script that starts the server in the background
// should start the built binary (go build -o bin/ ./cmd/sagemakerfake, then bin/sagemakerfake) and
// stop it by its PID: killing "go run" stops the go tool but leaves the server it started running.
//
// The seed file is one JSON object with three optional lists, named exactly so, and nothing
// after it (anything else is an error that names the problem). Each entry is the body of the Create request
// as an AWS client sends it; a domain entry may also carry "DomainId" to fix the domain's ID. This
// domain still runs Studio Classic ("StudioWebPortal": "DISABLED"), so that JupyterServer and
// KernelGateway apps can be created in it too; in any other domain the fake, as the service,
// refuses them ("This AppType has been deprecated"):
//
//	{
//	  "Domains": [{"DomainId": "d-example12345", "DomainName": "example", "AuthMode": "IAM",
//	               "DefaultUserSettings": {"StudioWebPortal": "DISABLED", "JupyterLabAppSettings": {
//	                   "DefaultResourceSpec": {"InstanceType": "ml.t3.medium"}}}}],
//	  "UserProfiles": [{"DomainId": "d-example12345", "UserProfileName": "alice"}],
//	  "Spaces": [{"DomainId": "d-example12345", "SpaceName": "team",
//	              "SpaceSharingSettings": {"SharingType": "Shared"}}]
//	}
//
// With the server running, for example, alice's private space and a JupyterLab app in it (with
// an image, as the service requires; the space must be InService first, so wait the startup
// delay), and a URL that opens it (the space's name and no landing URI: the form that opens the
// app in Studio), which points at a page that the server itself serves:
//
//	export AWS_ENDPOINT_URL=http://127.0.0.1:8770 AWS_REGION=us-east-1
//	aws sagemaker create-space --domain-id d-example12345 --space-name alice-lab \
//	    --ownership-settings OwnerUserProfileName=alice --space-sharing-settings SharingType=Private \
//	    --space-settings AppType=JupyterLab
//	sleep 2 # the new space is Pending for the startup delay
//	aws sagemaker create-app --domain-id d-example12345 --space-name alice-lab \
//	    --app-type JupyterLab --app-name default \
//	    --resource-spec InstanceType=ml.t3.medium,SageMakerImageArn=arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu
//	aws sagemaker create-presigned-domain-url --domain-id d-example12345 \
//	    --user-profile-name alice --space-name alice-lab
//	aws sagemaker list-apps
//
// (An AWS CLI older than AWS_ENDPOINT_URL support takes --endpoint-url on each command.) The
// presigned URL opens the space's app with --space-name and no landing URI, as on AWS, where the
// landing URI studio::/jupyterlab/<space> redirects to a host that does not exist. A Studio
// Classic app (KernelGateway, JupyterServer) is created only in a domain that still runs Studio
// Classic: seed one with "DefaultUserSettings": {"StudioWebPortal": "DISABLED"}.
//
// Any credentials do: the fake does not check signatures.
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
	"sync"
	"syscall"
	"time"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sagemakerfake:", err)
		os.Exit(2)
	}
}

// The server's timeouts; -read-timeout sets the read timeout.
const (
	readHeaderTimeout  = 10 * time.Second
	defaultReadTimeout = 30 * time.Second
	writeTimeout       = time.Minute
	idleTimeout        = 2 * time.Minute
)

const usage = `Usage: sagemakerfake [flags]

Serves a fake Amazon SageMaker for Studio apps (domains, user profiles, spaces, apps, and
presigned URLs that open them) on the awsJson 1.1 protocol, for the AWS CLI, boto3 or any SDK.
New apps and spaces are Pending for -startup-delay, then InService. Any credentials do: the fake
checks no signatures, so it listens only on a loopback address unless -allow-remote is given.
It logs every request to standard error, and its address once it listens.

Example: a domain with the user alice from a seed file, then alice's private space and a
JupyterLab app in it (with an image, as the service requires), with the AWS CLI:

  cat > seed.json <<'JSON'
  {"Domains": [{"DomainId": "d-example12345", "DomainName": "example", "AuthMode": "IAM",
                "DefaultUserSettings": {}}],
   "UserProfiles": [{"DomainId": "d-example12345", "UserProfileName": "alice"}]}
  JSON
  sagemakerfake -seed seed.json &
  export AWS_ENDPOINT_URL=http://127.0.0.1:8770 AWS_REGION=us-east-1 \
      AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake
  aws sagemaker create-space --domain-id d-example12345 --space-name alice-lab \
      --ownership-settings OwnerUserProfileName=alice \
      --space-sharing-settings SharingType=Private --space-settings AppType=JupyterLab
  sleep 2   # a new space is Pending for -startup-delay; CreateApp needs it InService
  aws sagemaker create-app --domain-id d-example12345 --space-name alice-lab \
      --app-type JupyterLab --app-name default --resource-spec \
      InstanceType=ml.t3.medium,SageMakerImageArn=arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu
  aws sagemaker list-apps

The seed file is one JSON object with the optional lists Domains, UserProfiles and Spaces, each
entry the body of the Create request (a domain may carry "DomainId"); nothing may follow it.

Flags:
`

// run serves until ctx is done. It returns an error for bad flags or a failed start, and
// flag.ErrHelp after -help.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("sagemakerfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8770", "address to listen on (a port of 0 picks a free one)")
	region := fs.String("region", "us-east-1", "region named in ARNs")
	account := fs.String("account", "123456789012", "12-digit account ID named in ARNs")
	startupDelay := fs.Duration("startup-delay", 2*time.Second, "how long new apps and spaces stay Pending and deleted ones Deleting")
	seedFile := fs.String("seed", "", "JSON `file` of domains, user profiles and spaces to create at start")
	randSeed := fs.Uint64("rand-seed", 0, "seed of the random source behind generated IDs (default: a new one at every start)")
	allowRemote := fs.Bool("allow-remote", false, "allow an -addr that is not a loopback address")
	readTimeout := fs.Duration("read-timeout", defaultReadTimeout, "how long a request, headers and body, may take to arrive; a stalled one has its connection closed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if !*allowRemote && !isLoopback(*addr) {
		return fmt.Errorf("refusing to listen on %s, which is not a loopback address: the fake checks no credentials (pass -allow-remote to do it anyway)", *addr)
	}
	if *readTimeout <= 0 {
		return fmt.Errorf("-read-timeout must be positive, not %v", *readTimeout)
	}
	var seed []byte
	if *seedFile != "" {
		var err error
		if seed, err = os.ReadFile(*seedFile); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	opts := []sagemakerfake.Option{
		// The fake's own server has no read timeout; this command serves the fake (an
		// http.Handler) with its own server instead, and gives the fake a listener that accepts
		// nothing but names the real address, which the fake's presigned URLs point at.
		sagemakerfake.WithListener(newAddrListener(ln.Addr())),
		sagemakerfake.WithRegion(*region),
		sagemakerfake.WithAccount(*account),
		sagemakerfake.WithStartupDelay(*startupDelay),
		sagemakerfake.WithLogger(logger),
		sagemakerfake.WithRequestLog(0),   // nobody can read it, and a long run would only grow it
		sagemakerfake.WithHistoryLimit(0), // nor History, which is Go's only
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "rand-seed" {
			opts = append(opts, sagemakerfake.WithRandSeed(*randSeed))
		}
	})
	srv, err := sagemakerfake.Run(opts...) // checks the account, the region and the delay
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer srv.Close() // after the server below has stopped: it waits for requests in flight
	if seed != nil {
		if err := srv.LoadSeed(seed); err != nil {
			_ = ln.Close()
			return fmt.Errorf("%s: %w", *seedFile, err)
		}
	}
	server := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: min(readHeaderTimeout, *readTimeout),
		ReadTimeout:       *readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- server.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String(), "url", srv.URL(), "region", *region, "account", *account)
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		_ = server.Close() // a client that stalls mid-request must not keep the exit waiting
	}
	<-served
	return nil
}

// addrListener is the listener the fake is given: it accepts no connection, and names addr.
// Accept waits until Close, which the fake's Close calls.
type addrListener struct {
	addr   net.Addr
	closed chan struct{}
	once   sync.Once
}

func newAddrListener(addr net.Addr) *addrListener {
	return &addrListener{addr: addr, closed: make(chan struct{})}
}

func (l *addrListener) Accept() (net.Conn, error) {
	<-l.closed
	return nil, net.ErrClosed
}

func (l *addrListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *addrListener) Addr() net.Addr { return l.addr }

// isLoopback reports whether addr (host:port) names only this machine. An empty host, which
// listens on every interface, does not.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
