package redisrate_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/studioapp/sagemakerapp/limiter/redisrate"
)

// The replicas of a service each make a Limiter on the same key; here miniredis stands in for
// the Redis they share. The burst of 2 lets the first two attempts go at once.
func Example() {
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
