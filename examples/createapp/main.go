// Command createapp creates a SageMaker Studio app with the sagemakerapp library and reports its
// status. By default it runs against an embedded fake SageMaker (package sagemakerfake), seeded
// with a domain and a user profile, so it needs no AWS account:
//
//	go run ./examples/createapp
//	go run ./examples/createapp -type KernelGateway -instance-type ml.m5.large -tag team=ml
//
// With -aws it uses the AWS account of the default credential chain, and the domain and user
// profile (or space) must exist:
//
//	go run ./examples/createapp -aws -domain d-xxxxxxxxxxxx -user alice -type JupyterLab
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
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "createapp:", err)
		os.Exit(1)
	}
}

// tags collects repeated -tag key=value flags.
type tags [][2]string

func (t *tags) String() string { return fmt.Sprint(*t) }

func (t *tags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return errors.New("want key=value")
	}
	*t = append(*t, [2]string{k, v})
	return nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("createapp", flag.ContinueOnError)
	fs.SetOutput(out)
	useAWS := fs.Bool("aws", false, "use the real AWS account of the default credential chain instead of the embedded fake")
	domainID := fs.String("domain", "d-example12345", "the domain ID")
	user := fs.String("user", "alice", "the user profile that owns the app (unless -space is set)")
	space := fs.String("space", "", "the space that owns the app")
	appType := fs.String("type", string(types.AppTypeJupyterLab), "the app type: "+fmt.Sprint(sagemakerapp.AppTypes()))
	name := fs.String("name", "default", "the app name")
	instanceType := fs.String("instance-type", string(types.AppInstanceTypeMlT3Medium), "the instance type (empty: the profile's or domain's default)")
	image := fs.String("image", "", "a SageMaker image ARN")
	var tagFlags tags
	fs.Var(&tagFlags, "tag", "a tag as key=value (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	var api sagemakerapp.API
	if *useAWS {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return err
		}
		api = sagemaker.NewFromConfig(cfg)
	} else {
		srv, err := startFake(*domainID, *user, *space)
		if err != nil {
			return err
		}
		defer srv.Close()
		api = srv.Client()
		fmt.Fprintln(out, "using the embedded fake SageMaker at", srv.URL())
		// The fake's apps start after two seconds of its own clock; move it along with real time.
		defer advanceWhileRunning(srv)()
	}
	client := sagemakerapp.New(api)

	b := client.NewApp(*domainID, sagemakerapp.AppType(*appType), *name).InstanceType(sagemakerapp.InstanceType(*instanceType))
	if *space != "" {
		b = b.InSpace(*space)
	} else {
		b = b.ForUser(*user)
	}
	if *image != "" {
		b = b.Image(*image)
	}
	for _, t := range tagFlags {
		b = b.Tag(t[0], t[1])
	}

	app, err := b.Create(ctx)
	if err != nil {
		return explain(err)
	}
	fmt.Fprintln(out, "created", app.ARN, "status", app.Status)

	for app.Status == types.AppStatusPending {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
		if app, err = client.DescribeApp(ctx, app.ID); err != nil {
			return explain(err)
		}
		fmt.Fprintln(out, "status", app.Status)
	}
	if app.Status == types.AppStatusFailed {
		return fmt.Errorf("app failed: %s", app.FailureReason)
	}
	return nil
}

// explain turns the library's errors into advice; the error itself names the field or the code.
func explain(err error) error {
	switch {
	case errors.Is(err, sagemakerapp.ErrInvalidInput):
		return fmt.Errorf("the request is invalid, nothing was sent: %w", err)
	case errors.Is(err, sagemakerapp.ErrResourceInUse):
		return fmt.Errorf("an app of that name exists; delete it or pick another -name: %w", err)
	case errors.Is(err, sagemakerapp.ErrResourceNotFound):
		return fmt.Errorf("the domain, user profile or space does not exist: %w", err)
	case errors.Is(err, sagemakerapp.ErrAccessDenied):
		return fmt.Errorf("the credentials may not do this: %w", err)
	}
	return err
}

// startFake starts the embedded fake with the domain and the owner the flags name.
func startFake(domainID, user, space string) (*sagemakerfake.Server, error) {
	srv := sagemakerfake.NewServer()
	_, err := srv.SeedDomain(domainID, &sagemaker.CreateDomainInput{
		DomainName:          aws.String("example"),
		AuthMode:            types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{},
	})
	if err == nil && space != "" {
		err = srv.SeedSpace(&sagemaker.CreateSpaceInput{DomainId: aws.String(domainID), SpaceName: aws.String(space)})
	} else if err == nil {
		err = srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String(user)})
	}
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("seeding the fake: %w", err)
	}
	return srv, nil
}

// advanceWhileRunning moves the fake's clock with real time until the returned stop is called.
func advanceWhileRunning(srv *sagemakerfake.Server) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				srv.Advance(250 * time.Millisecond)
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
