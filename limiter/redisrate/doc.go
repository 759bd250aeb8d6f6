// Package redisrate is a CreateApp rate limit that the replicas of a service share through Redis,
// for sagemakerapp's Options.CreateLimiter.
//
// SageMaker throttles CreateApp per account and region. A sagemakerapp Client gates every
// CreateApp attempt, the SDK's retries included, through its CreateLimiter; a *rate.Limiter
// there holds one process to its rate, but N replicas, each with its own, send N times that rate
// and are throttled. A Limiter from this package keeps its allowance in one Redis key
// (redis_rate's GCRA over go-redis), so the replicas together send the rate configured:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	lim, err := redisrate.New(rdb, "sagemaker:CreateApp:123456789012:us-east-1", 4, 2)
//	if err != nil {
//		return err
//	}
//	client := sagemakerapp.NewFromConfig(cfg, func(o *sagemakerapp.Options) {
//		o.CreateLimiter = lim
//	})
//
// # When to use it
//
// Use it when more than one process creates apps in the same account and region and the count
// of processes changes (autoscaled replicas, a batch job beside a service), and a Redis is
// already there to share. Every process must use the same key, rate and burst.
//
// Without Redis, two alternatives do well enough in many setups:
//
//   - Split the rate by replica count: each replica's Client gets
//     rate.NewLimiter(rate.Limit(total/replicas), 1) from golang.org/x/time/rate. Exact while the
//     replica count is fixed and known; too slow after a scale-down, too fast after a scale-up.
//   - Let the SDK adapt: the SDK's adaptive retry mode (retry.NewAdaptiveMode from
//     github.com/aws/aws-sdk-go-v2/aws/retry, set as the SDK client's Retryer) slows each client
//     down once it is throttled. It needs throttling to learn, so some attempts are refused, and
//     each replica learns on its own.
//
// # When Redis is down
//
// Wait fails closed by default: it returns an error that is ErrRedis and the attempt is not
// sent, so an outage is visible and no replica sends unmetered. Options.FailOpen lets attempts go
// instead, through Options.Fallback: by default a local limiter at the Limiter's own rate and
// burst, so N replicas send at most N times the rate; give it this replica's share to stay near
// the shared rate. Options.OnError sees every Redis error either way. See Options.FailOpen for
// the trade-off.
//
// A Redis that accepts connections and never answers, or answers slowly, holds no one: Wait
// returns when its context ends (within the time it takes to wake a goroutine, not a network
// timeout), whatever the go-redis client's own timeouts, and so do the waiters queued behind it.
// One Redis call may take at most Options.CallTimeout (DefaultCallTimeout, 1 s): after that, Redis
// counts as unavailable, as above.
//
// # Testing
//
// Tests run against github.com/alicebob/miniredis/v2, on its clock: Options.Sleep moves the
// clock that miniredis's TIME reads (SetTime), or, inside a testing/synctest bubble, miniredis's
// Dial keeps the server in the bubble and the bubble's clock is everyone's.
package redisrate
