package redisrate_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/limiter/redisrate"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// Each replica of a service makes its own Limiter on the same key and sets it as its Client's
// CreateLimiter; every CreateApp attempt of any replica, the SDK's retries included, then draws
// from one allowance. Here miniredis stands in for the Redis the replicas share, and
// sagemakerfake for SageMaker.
func Example() {
	m, err := miniredis.Run()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	srv, domainID, err := fakeWithUser()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	defer rdb.Close()
	lim, err := redisrate.New(rdb, "sagemaker:CreateApp:123456789012:us-east-1", 4, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	client := sagemakerapp.New(srv.Client(), func(o *sagemakerapp.Options) { o.CreateLimiter = lim })

	app, err := client.NewApp(domainID, types.AppTypeKernelGateway, "datascience").
		ForUser("alice").
		InstanceType(types.AppInstanceTypeMlT3Medium).
		Create(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(app.ID.AppName, app.Status)
	// Output:
	// datascience Pending
}

// fakeWithUser starts a fake SageMaker with a domain and user profile alice, for Studio Classic
// apps such as KernelGateway.
func fakeWithUser() (*sagemakerfake.Server, string, error) {
	srv, err := sagemakerfake.Run()
	if err != nil {
		return nil, "", err
	}
	domainID, err := srv.SeedDomain("", &sagemaker.CreateDomainInput{
		DomainName: aws.String("example"), AuthMode: types.AuthModeIam,
		// A domain that still runs Studio Classic, for the KernelGateway app (facts §7.1).
		DefaultUserSettings: &types.UserSettings{ExecutionRole: aws.String("arn:aws:iam::123456789012:role/studio"), StudioWebPortal: types.StudioWebPortalDisabled},
	})
	if err == nil {
		err = srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String("alice")})
	}
	if err != nil {
		srv.Close()
		return nil, "", err
	}
	return srv, domainID, nil
}

// Wait lets the burst go at once; a third attempt within the second would sleep until the
// shared allowance has room.
func ExampleLimiter_Wait() {
	m, err := miniredis.Run()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	defer rdb.Close()

	lim, err := redisrate.New(rdb, "sagemaker:CreateApp:123456789012:us-east-1", 4, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 2 {
		fmt.Println("attempt", i+1, lim.Wait(context.Background()))
	}
	// Output:
	// attempt 1 <nil>
	// attempt 2 <nil>
}

// A service that must keep creating apps through a Redis outage fails open to a local limiter at
// its share of the rate (here one of three replicas), and counts the outage in OnError.
func ExampleOptions_failOpen() {
	m, err := miniredis.Run()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	defer rdb.Close()

	const perSecond, replicas = 4.0, 3
	lim, err := redisrate.New(rdb, "sagemaker:CreateApp:123456789012:us-east-1", perSecond, 2, func(o *redisrate.Options) {
		o.FailOpen = true
		o.Fallback = rate.NewLimiter(rate.Limit(perSecond/replicas), 1)
		o.OnError = func(err error) { fmt.Println("redis down:", errors.Is(err, redisrate.ErrRedis)) }
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	m.SetError("LOADING Redis is loading the dataset in memory")
	fmt.Println("attempt:", lim.Wait(context.Background()))
	// Output:
	// redis down: true
	// attempt: <nil>
}
