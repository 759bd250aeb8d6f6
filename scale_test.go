package sagemakerapp

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/stretchr/testify/assert"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// scaleRun is what one EnsureApps at the defaults did, on the exact time of a synctest bubble.
type scaleRun struct {
	n, domains   int
	elapsed      time.Duration
	reads        int // DescribeApp + ListApps attempts
	creates      int // CreateApp attempts
	timeouts     int
	errs         int
	readsPerApp  float64
	bound        time.Duration // 1.1 × (N / CreatesPerSecond + 5 min)
	allocsPerApp float64
}

// runScale ensures n apps (JupyterLab in private spaces with an image) spread over domains, that
// start in five minutes, with EnsureApps at its default options, in a synctest bubble.
// With separate, each app is ensured by an EnsureApp of its own Client instead, all at once.
func runScale(t *testing.T, n, domains int, separate bool) scaleRun {
	var run scaleRun
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, sagemakerfake.WithStartupDelay(5*time.Minute), sagemakerfake.WithRequestLog(0))
		envs := []*env{e}
		for d := 1; d < domains; d++ {
			other := &env{srv: e.srv}
			other.seed(t)
			envs = append(envs, other)
		}
		ins := make([]*sagemaker.CreateAppInput, n)
		for i := range ins {
			ins[i] = envs[i%domains].input(fmt.Sprintf("app%05d", i))
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		var results []Result
		if separate {
			results = make([]Result, n)
			var wg sync.WaitGroup
			for i, in := range ins {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c := New(e.srv.Client(fastRetries, e.countAttempts)) // a Client each: nothing shared
					app, err := c.EnsureApp(context.Background(), in)
					results[i] = Result{App: app, Err: err}
				}()
			}
			wg.Wait()
		} else {
			results = e.c.EnsureApps(context.Background(), ins)
		}
		run = scaleRun{n: n, domains: domains, elapsed: time.Since(start),
			reads: e.calls("DescribeApp") + e.calls("ListApps"), creates: e.calls("CreateApp")}
		runtime.ReadMemStats(&after)
		run.allocsPerApp = float64(after.Mallocs-before.Mallocs) / float64(n) // the fake's included
		for _, r := range results {
			switch {
			case errors.Is(r.Err, ErrWaitTimeout):
				run.timeouts++
			case r.Err != nil:
				run.errs++
			}
		}
		run.readsPerApp = float64(run.reads) / float64(n)
		run.bound = time.Duration(1.1 * (float64(n)/DefaultCreatesPerSecond + 300) * float64(time.Second))
	})
	how := "EnsureApps"
	if separate {
		how = "separate EnsureApp calls"
	}
	t.Logf("%s, %d apps over %d domain(s): %v simulated (bound %v), %.3f reads per app (%d), %d CreateApp, %d timeouts, %d other errors, %.0f allocations per app (client and fake)",
		how, run.n, run.domains, run.elapsed.Round(time.Second), run.bound.Round(time.Second), run.readsPerApp, run.reads, run.creates, run.timeouts, run.errs, run.allocsPerApp)
	return run
}

// EnsureApps at its defaults goes at the create rate, not at Concurrency per start-up time: N
// apps that start in five minutes finish within 1.1 × (N / 2 per second + 5 min) of simulated
// time, none times out, and the reads per app stay at most 0.35 in one domain, flat in N, and at
// most 0.6 over 10 domains (DESIGN.md's targets: each domain's rounds are its own).
func TestEnsureAppsAtScale(t *testing.T) {
	sizes := []struct{ n, domains int }{{100, 1}, {1000, 1}, {1000, 10}}
	if !testing.Short() {
		sizes = append(sizes, struct{ n, domains int }{5000, 1})
	}
	var first float64
	for _, s := range sizes {
		run := runScale(t, s.n, s.domains, false)
		assert.Zero(t, run.timeouts+run.errs, "%d apps", s.n)
		assert.LessOrEqual(t, run.elapsed, run.bound, "%d apps", s.n)
		limit := 0.35
		if s.domains > 1 {
			limit = 0.6
		}
		assert.LessOrEqual(t, run.readsPerApp, limit, "%d apps over %d domains", s.n, s.domains)
		assert.Equal(t, s.n, run.creates, "one CreateApp per app")
		if first == 0 {
			first = run.readsPerApp
		}
		if s.domains == 1 {
			assert.LessOrEqual(t, run.readsPerApp, 1.2*first, "flat in N")
		}
	}
}

// Beside the batch, the same apps ensured by separate EnsureApp calls (a Client each, all at
// once, no limiter) read about 24 times per app: the reference the batch's reads are measured
// against.
func TestSeparateEnsuresReadPerApp(t *testing.T) {
	run := runScale(t, 100, 1, true)
	batch := runScale(t, 100, 1, false)
	assert.Zero(t, run.timeouts+run.errs)
	assert.Greater(t, run.readsPerApp, 20*batch.readsPerApp, "the batch reads at most a twentieth of separate waits")
}
