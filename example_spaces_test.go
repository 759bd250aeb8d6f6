package sagemakerapp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// Studio as it runs today: a person gets a JupyterLab app by a private space they own, the app in
// that space with the SageMaker Distribution image of the region, and a URL that opens it. The
// same three calls work against the service; here the fake plays it, with apps and spaces that
// start in 100 ms.
func Example_spaces() {
	srv, err := sagemakerfake.Run(sagemakerfake.WithRegion("us-east-1"), sagemakerfake.WithStartupDelay(100*time.Millisecond))
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	domainID, err := srv.SeedDomain("d-example12345", &sagemaker.CreateDomainInput{
		DomainName: aws.String("example"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{},
	})
	if err == nil {
		err = srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("alice")})
	}
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	client := sagemakerapp.New(srv.Client())
	pace := func(o *sagemakerapp.WaitOptions) { o.MinDelay, o.MaxDelay = 20*time.Millisecond, 50*time.Millisecond }

	// 1. Alice's private space for JupyterLab.
	space, err := client.EnsureSpace(ctx, sagemakerapp.PrivateSpace(domainID, "alice-space", "alice", types.AppTypeJupyterLab), pace)
	if err != nil {
		fmt.Println("space:", err)
		return
	}
	fmt.Println("space", space.Name, space.Status, "owned by", space.Owner, space.SharingType)

	// 2. The app in the space, with the region's distribution image.
	image, err := sagemakerapp.DistributionImage("us-east-1", false)
	if err != nil {
		panic(err)
	}
	app, err := client.NewApp(domainID, types.AppTypeJupyterLab, "default").InSpace(space.Name).
		InstanceType(types.AppInstanceTypeMlT3Medium).Image(image).Ensure(ctx, pace)
	if err != nil {
		fmt.Println("app:", err)
		return
	}
	fmt.Println("app", app.ID, app.Status, aws.ToString(app.ResourceSpec.SageMakerImageArn))

	// 3. A URL that signs alice in (she owns the space) and opens the app; hand it only to her.
	url, err := client.LaunchURL(ctx, app.ID, func(o *sagemakerapp.LaunchOptions) { o.ExpiresIn = time.Minute })
	if err != nil {
		fmt.Println("launch:", err)
		return
	}
	fmt.Println("url on the fake:", strings.HasPrefix(url, srv.URL()+sagemakerfake.StudioPath))
	resp, err := http.Get(url)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	fmt.Println("page:", resp.StatusCode, strings.Contains(string(page), "alice-space"), strings.Contains(string(page), "JupyterLab"))
	// Output:
	// space alice-space InService owned by alice Private
	// app d-example12345/space:alice-space/JupyterLab/default InService arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu
	// url on the fake: true
	// page: 200 true true
}
