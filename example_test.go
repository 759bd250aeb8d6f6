package sagemakerapp_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// fakeWithUser starts an in-process fake SageMaker with one domain and one user profile, on a
// clock that only Advance moves; the caller closes it.
func fakeWithUser() (*sagemakerfake.Server, string) {
	srv, err := sagemakerfake.Run(sagemakerfake.WithClock(sagemakerfake.NewManualClock(time.Now())))
	if err != nil {
		panic(err)
	}
	domainID, err := srv.SeedDomain("d-example12345", &sagemaker.CreateDomainInput{
		DomainName:          aws.String("example"),
		AuthMode:            types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{},
	})
	if err == nil {
		err = seedAlice(srv, domainID)
	}
	if err != nil {
		panic(err)
	}
	return srv, domainID
}

// seedAlice seeds user profile alice and her private spaces: alice-lab for JupyterLab,
// alice-code for CodeEditor, and alice-broken and alice-slow for JupyterLab too (a space runs one
// app at a time).
func seedAlice(srv *sagemakerfake.Server, domainID string) error {
	if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("alice")}); err != nil {
		return err
	}
	for name, appType := range map[string]types.AppType{
		"alice-lab": types.AppTypeJupyterLab, "alice-code": types.AppTypeCodeEditor,
		"alice-broken": types.AppTypeJupyterLab, "alice-slow": types.AppTypeJupyterLab,
	} {
		if err := srv.SeedSpace(sagemakerapp.PrivateSpace(domainID, name, "alice", appType)); err != nil {
			return err
		}
	}
	return nil
}

// image is the SageMaker Distribution image of the fake's region.
func image(srv *sagemakerfake.Server) string {
	arn, err := sagemakerapp.DistributionImage(srv.Region(), false)
	if err != nil {
		panic(err)
	}
	return arn
}

// Studio as it runs today: a JupyterLab app runs in a space, here alice's private space, which
// EnsureSpace makes sure of first; the builder assembles the app's request, with an image; the
// client validates it and creates the app, which starts Pending. Here the client talks to the
// in-process fake, which holds alice's space already; in production it would come from
// sagemakerapp.NewFromConfig(cfg), as in the package's program above.
func Example() {
	srv, domainID := fakeWithUser()
	defer srv.Close()
	ctx := context.Background()
	client := sagemakerapp.New(srv.Client())

	space, err := client.EnsureSpace(ctx, sagemakerapp.PrivateSpace(domainID, "alice-lab", "alice", types.AppTypeJupyterLab))
	if err != nil {
		fmt.Println("space:", err)
		return
	}
	fmt.Println(space.Name, space.Status, space.Owner)

	app, err := client.NewApp(domainID, types.AppTypeJupyterLab, "default").
		InSpace(space.Name).
		InstanceType(types.AppInstanceTypeMlT3Medium).
		Image(image(srv)). // the SageMaker Distribution image of the region
		Tag("team", "ml").
		Create(ctx)
	if err != nil {
		fmt.Println("create:", err)
		return
	}
	fmt.Println(app.ARN)
	fmt.Println(app.Status)

	srv.Advance(5 * time.Second) // the fake's clock: the app has started
	app, err = client.DescribeApp(ctx, app.ID)
	if err != nil {
		fmt.Println("describe:", err)
		return
	}
	fmt.Println(app.Status, app.ResourceSpec.InstanceType)
	// Output:
	// alice-lab InService alice
	// arn:aws:sagemaker:us-east-1:123456789012:app/d-example12345/alice-lab/jupyterlab/default
	// Pending
	// InService ml.t3.medium
}

// Validate reports every problem of a request at once, each with the SDK member path, before
// anything is sent.
func ExampleValidate() {
	err := sagemakerapp.Validate(&sagemaker.CreateAppInput{
		DomainId:  aws.String("d-example12345"),
		AppType:   types.AppTypeJupyterLab,
		AppName:   aws.String("my_app"),
		SpaceName: aws.String("alice-jupyterlab"),
		ResourceSpec: &types.ResourceSpec{
			InstanceType:      "ml.t3.meduim", // a typo
			SageMakerImageArn: aws.String("arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"),
		},
		Tags: []types.Tag{{Key: aws.String("aws:owner"), Value: aws.String("alice")}},
	})
	fmt.Println(errors.Is(err, sagemakerapp.ErrInvalidInput))
	var ve *sagemakerapp.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Println(p.Field, p.Type)
		}
	}
	// Output:
	// true
	// AppName Invalid
	// Tags[0].Key Forbidden
	// ResourceSpec.InstanceType NotSupported
}

// Service faults come back as sentinels for errors.Is and an *APIError for errors.As, which still
// reaches the SDK's own error types.
func Example_errors() {
	srv, domainID := fakeWithUser()
	defer srv.Close()
	ctx := context.Background()
	client := sagemakerapp.New(srv.Client())

	build := client.NewApp(domainID, types.AppTypeCodeEditor, "default").InSpace("alice-code").
		InstanceType(types.AppInstanceTypeMlT3Medium).Image(image(srv))
	if _, err := build.Create(ctx); err != nil {
		fmt.Println("first create:", err)
		return
	}
	_, err := build.Create(ctx) // the same app again
	fmt.Println(errors.Is(err, sagemakerapp.ErrResourceInUse))

	var apiErr *sagemakerapp.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Operation, apiErr.Code, apiErr.StatusCode)
	}
	var inUse *types.ResourceInUse
	fmt.Println(errors.As(err, &inUse))

	_, err = client.DescribeApp(ctx, sagemakerapp.AppID{DomainID: domainID, SpaceName: "alice-code", AppType: types.AppTypeCodeEditor, AppName: "missing"})
	fmt.Println(errors.Is(err, sagemakerapp.ErrResourceNotFound))
	// Output:
	// true
	// CreateApp ResourceInUse 400
	// true
	// true
}

// A builder is a template: each setter returns a changed copy, so one base serves many apps.
func ExampleAppBuilder_template() {
	client := sagemakerapp.New(nil) // Input needs no API
	base := client.NewApp("d-example12345", types.AppTypeJupyterLab, "default").
		InstanceType(types.AppInstanceTypeMlT3Medium).
		Image("arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu").
		Tag("team", "ml")
	for _, user := range []string{"alice", "bob"} {
		in, err := base.InSpace(user+"-lab").Tag("owner", user).Input()
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(*in.SpaceName, len(in.Tags), *in.Tags[1].Value)
	}
	// Output:
	// alice-lab 2 alice
	// bob-lab 2 bob
}

// A KernelGateway app with no instance type anywhere fails before the call, naming the levels the
// client looked at. KernelGateway is a Studio Classic app, created only in a domain that still runs
// Studio Classic: here one whose DefaultUserSettings.StudioWebPortal is DISABLED.
func ExampleClient_CreateApp_defaults() {
	srv, err := sagemakerfake.Run(sagemakerfake.WithClock(sagemakerfake.NewManualClock(time.Now())))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	domainID, err := srv.SeedDomain("d-classic12345", &sagemaker.CreateDomainInput{
		DomainName: aws.String("classic"), AuthMode: types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{StudioWebPortal: types.StudioWebPortalDisabled},
	})
	if err == nil {
		err = srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("alice")})
	}
	if err != nil {
		panic(err)
	}
	client := sagemakerapp.New(srv.Client())

	_, err = client.CreateApp(context.Background(), &sagemaker.CreateAppInput{
		DomainId:        aws.String(domainID),
		AppType:         types.AppTypeKernelGateway,
		AppName:         aws.String("datascience"),
		UserProfileName: aws.String("alice"),
	})
	var fe *sagemakerapp.FieldError
	if errors.As(err, &fe) {
		fmt.Println(fe.Field, fe.Type)
	}
	fmt.Println(len(srv.Apps()))
	// Output:
	// ResourceSpec.InstanceType Required
	// 0
}

// fakeRealTime starts a fake on real time whose apps start in 100 ms, with the domain and user of
// fakeWithUser; the caller closes it.
func fakeRealTime(opts ...sagemakerfake.Option) (*sagemakerfake.Server, string) {
	srv, err := sagemakerfake.Run(append([]sagemakerfake.Option{sagemakerfake.WithStartupDelay(100 * time.Millisecond)}, opts...)...)
	if err != nil {
		panic(err)
	}
	domainID, err := srv.SeedDomain("d-example12345", &sagemaker.CreateDomainInput{
		DomainName: aws.String("example"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{},
	})
	if err == nil {
		err = seedAlice(srv, domainID)
	}
	if err != nil {
		panic(err)
	}
	return srv, domainID
}

// quick makes the waits of the examples poll every few milliseconds, as the fake's apps start in
// 100 ms; against the service, the defaults (2 s growing to 20 s, 15 minutes at most) suit.
func quick(o *sagemakerapp.WaitOptions) {
	o.MinDelay, o.MaxDelay = 20*time.Millisecond, 50*time.Millisecond
}

// WaitForApp polls until the app is InService; OnStatus sees each status change.
func ExampleClient_WaitForApp() {
	srv, domainID := fakeRealTime()
	defer srv.Close()
	ctx := context.Background()
	client := sagemakerapp.New(srv.Client())

	app, err := client.NewApp(domainID, types.AppTypeJupyterLab, "default").InSpace("alice-lab").
		InstanceType(types.AppInstanceTypeMlT3Medium).Image(image(srv)).Create(ctx)
	if err != nil {
		fmt.Println("create:", err)
		return
	}
	app, err = client.WaitForApp(ctx, app.ID, quick, func(o *sagemakerapp.WaitOptions) {
		o.Timeout = 10 * time.Minute
		o.OnStatus = func(a *sagemakerapp.App) { fmt.Println("status:", a.Status) }
	})
	if err != nil {
		fmt.Println("wait:", err)
		return
	}
	fmt.Println(app.Status, app.ResourceSpec.InstanceType)
	// Output:
	// status: Pending
	// status: InService
	// InService ml.t3.medium
}

// A wait ends with a typed error: ErrAppFailed (an *AppFailedError with the service's reason) for
// an app that failed, ErrWaitTimeout (also context.DeadlineExceeded) for one that took too long.
func ExampleClient_WaitForApp_errors() {
	srv, domainID := fakeRealTime(sagemakerfake.WithFailureRule(func(a sagemakerfake.App) string {
		if a.AppName == "broken" {
			return "InternalFailure"
		}
		return ""
	}))
	defer srv.Close()
	ctx := context.Background()
	client := sagemakerapp.New(srv.Client())

	_, err := client.NewApp(domainID, types.AppTypeJupyterLab, "broken").InSpace("alice-broken").
		InstanceType(types.AppInstanceTypeMlT3Medium).Image(image(srv)).CreateAndWait(ctx, quick)
	var failed *sagemakerapp.AppFailedError
	if errors.As(err, &failed) {
		fmt.Println(errors.Is(err, sagemakerapp.ErrAppFailed), failed.App.Status, failed.App.FailureReason)
	}

	_, err = client.NewApp(domainID, types.AppTypeJupyterLab, "slow").InSpace("alice-slow").
		InstanceType(types.AppInstanceTypeMlT3Medium).Image(image(srv)).CreateAndWait(ctx, quick, func(o *sagemakerapp.WaitOptions) {
		o.Timeout = 30 * time.Millisecond
	})
	fmt.Println(errors.Is(err, sagemakerapp.ErrWaitTimeout), errors.Is(err, context.DeadlineExceeded))
	// Output:
	// true Failed InternalFailure
	// true true
}

// Ensure makes the app exist and be InService: it creates a missing app, adopts one that is
// there with the same spec (adding the tags it lacks), and refuses one with another spec.
func ExampleAppBuilder_Ensure() {
	srv, domainID := fakeRealTime()
	defer srv.Close()
	ctx := context.Background()
	client := sagemakerapp.New(srv.Client())
	app := client.NewApp(domainID, types.AppTypeCodeEditor, "default").InSpace("alice-code").
		InstanceType(types.AppInstanceTypeMlT3Medium).Image(image(srv))

	first, err := app.Ensure(ctx, quick)
	if err != nil {
		fmt.Println("ensure:", err)
		return
	}
	second, err := app.Tag("team", "ml").Ensure(ctx, quick) // the same app: adopted, tag added
	if err != nil {
		fmt.Println("ensure:", err)
		return
	}
	fmt.Println(first.Status, second.ARN == first.ARN, len(srv.Apps()[0].Tags))

	_, err = app.InstanceType(types.AppInstanceTypeMlM5Large).Ensure(ctx, quick)
	var conflict *sagemakerapp.AppConflictError
	if errors.As(err, &conflict) {
		fmt.Println(errors.Is(err, sagemakerapp.ErrResourceInUse), conflict.Fields, conflict.Existing.ResourceSpec.InstanceType)
	}
	// Output:
	// InService true 1
	// true [ResourceSpec.InstanceType] ml.t3.medium
}
