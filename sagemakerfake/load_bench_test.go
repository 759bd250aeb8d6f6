package sagemakerfake_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// The mixed load of BenchmarkServeMixedLoad: loadClients clients at once, each sending loadBatch
// requests per iteration. Of every ten requests of a client, one is a CreateApp, two are ListApps
// (one page of the domain, newest first, and one page filtered by space) and seven DescribeApp.
const (
	loadClients  = 16
	loadBatch    = 64
	loadListPage = 50
)

// loadCreates is how many CreateApp calls one iteration sends.
var loadCreates = loadClients * ((loadBatch + 9) / 10)

// loadEnv is a fake, filled with JupyterLab apps in shared spaces (one app per space, today's
// shape), beside a static handler that answers the fake's own bodies.
type loadEnv struct {
	srv          *sagemakerfake.Server
	fake, static *sagemaker.Client
	spaces       int          // spaces seeded: ld00000 and on
	created      atomic.Int64 // apps created in the fake: one in each of the first spaces
	staticN      atomic.Int64 // names for the static handler's creates, which it ignores

	mu     sync.Mutex
	bodies map[string][]byte // the static handler's answers, by operation (ListApps1: filtered)
}

func loadSpace(i int64) string { return fmt.Sprintf("ld%05d", i) }

func newLoadEnv(b *testing.B) *loadEnv {
	b.Helper()
	// As cmd/sagemakerfake serves: no request log; apps start at once so that DescribeApp reads
	// InService.
	srv := sagemakerfake.Start(b, sagemakerfake.WithStartupDelay(0), sagemakerfake.WithRequestLog(0), sagemakerfake.WithHistoryLimit(0))
	if _, err := srv.SeedDomain(testDomain, &sagemaker.CreateDomainInput{DomainName: aws.String("load"), AuthMode: types.AuthModeIam, DefaultUserSettings: classic(nil)}); err != nil {
		b.Fatal(err)
	}
	env := &loadEnv{srv: srv, fake: srv.Client(), bodies: map[string][]byte{}}
	static := httptest.NewServer(http.HandlerFunc(env.serveStatic))
	b.Cleanup(static.Close)
	// Both clients are configured alike and share one connection pool; only the endpoint differs.
	env.static = srv.Client(func(o *sagemaker.Options) { o.BaseEndpoint = aws.String(static.URL) })
	return env
}

// serveStatic answers every request with the fake's body for its operation.
func (e *loadEnv) serveStatic(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "SageMaker.")
	if op == "ListApps" && bytes.Contains(body, []byte("SpaceNameEquals")) {
		op = "ListApps1"
	}
	e.mu.Lock()
	out := e.bodies[op]
	e.mu.Unlock()
	w.Header().Set("X-Amzn-RequestId", "00000000-0000-0000-0000-000000000000")
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

// ensureSpaces seeds spaces until there are n.
func (e *loadEnv) ensureSpaces(b *testing.B, n int) {
	b.Helper()
	for ; e.spaces < n; e.spaces++ {
		if err := e.srv.SeedSpace(&sagemaker.CreateSpaceInput{
			DomainId:             aws.String(testDomain),
			SpaceName:            aws.String(loadSpace(int64(e.spaces))),
			SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared},
			SpaceSettings:        &types.SpaceSettings{AppType: types.AppTypeJupyterLab},
		}); err != nil {
			b.Fatal(err)
		}
	}
}

func createInput(space string) *sagemaker.CreateAppInput {
	return &sagemaker.CreateAppInput{
		DomainId: aws.String(testDomain), SpaceName: aws.String(space),
		AppType: types.AppTypeJupyterLab, AppName: aws.String("default"),
		ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium, SageMakerImageArn: aws.String(imageARN)},
	}
}

func describeSpaceApp(space string) *sagemaker.DescribeAppInput {
	return &sagemaker.DescribeAppInput{DomainId: aws.String(testDomain), SpaceName: aws.String(space), AppType: types.AppTypeJupyterLab, AppName: aws.String("default")}
}

// grow creates apps in the fake, loadClients at once, until it holds n; then it captures the
// fake's answers for the static handler.
func (e *loadEnv) grow(b *testing.B, n int) {
	b.Helper()
	e.ensureSpaces(b, n)
	var next atomic.Int64
	next.Store(e.created.Load())
	var wg sync.WaitGroup
	errs := make(chan error, loadClients)
	for range loadClients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				if _, err := e.fake.CreateApp(b.Context(), createInput(loadSpace(i))); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	e.created.Store(int64(n))
	e.capture(b)
}

// capture records the fake's answers to one request of each kind, for the static handler.
func (e *loadEnv) capture(b *testing.B) {
	b.Helper()
	last := loadSpace(e.created.Load() - 1)
	ask := func(op, body string) []byte {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.Header.Set("X-Amz-Target", "SageMaker."+op)
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", op, w.Code, w.Body)
		}
		return w.Body.Bytes()
	}
	bodies := map[string][]byte{
		"CreateApp":   []byte(`{"AppArn":"arn:aws:sagemaker:us-east-1:123456789012:app/` + testDomain + `/` + last + `/jupyterlab/default"}`),
		"DescribeApp": ask("DescribeApp", `{"DomainId":"`+testDomain+`","SpaceName":"`+last+`","AppType":"JupyterLab","AppName":"default"}`),
		"ListApps":    ask("ListApps", `{"DomainIdEquals":"`+testDomain+`","SortOrder":"Descending","MaxResults":`+strconv.Itoa(loadListPage)+`}`),
		"ListApps1":   ask("ListApps", `{"DomainIdEquals":"`+testDomain+`","SpaceNameEquals":"`+last+`"}`),
	}
	e.mu.Lock()
	e.bodies = bodies
	e.mu.Unlock()
}

// loadResult is what one or more batches measured.
type loadResult struct {
	requests int
	elapsed  time.Duration
	describe []time.Duration // the latency of every DescribeApp
}

func (r *loadResult) add(o loadResult) {
	r.requests += o.requests
	r.elapsed += o.elapsed
	r.describe = append(r.describe, o.describe...)
}

func (r *loadResult) opsPerSec() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r *loadResult) p99() time.Duration {
	if len(r.describe) == 0 {
		return 0
	}
	slices.Sort(r.describe)
	return r.describe[(len(r.describe)*99)/100]
}

// batch sends one iteration of the mixed load through c, the fake's client or the static one.
func (e *loadEnv) batch(b *testing.B, c *sagemaker.Client, fake bool, iter int) loadResult {
	b.Helper()
	known := e.created.Load() // the apps whose CreateApp has been answered
	lat := make([][]time.Duration, loadClients)
	var wg sync.WaitGroup
	errs := make(chan error, loadClients)
	start := time.Now()
	for w := range loadClients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(iter), uint64(w)))
			for i := range loadBatch {
				var err error
				switch i % 10 {
				case 0:
					n := e.staticN.Add(1)
					if fake {
						n = e.created.Add(1) - 1
					}
					_, err = c.CreateApp(b.Context(), createInput(loadSpace(n)))
				case 1:
					_, err = c.ListApps(b.Context(), &sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), SortOrder: types.SortOrderDescending,
						SortBy: types.AppSortKeyCreationTime, MaxResults: aws.Int32(loadListPage)})
				case 2:
					_, err = c.ListApps(b.Context(), &sagemaker.ListAppsInput{DomainIdEquals: aws.String(testDomain), SpaceNameEquals: aws.String(loadSpace(rng.Int64N(known)))})
				default:
					t0 := time.Now()
					var out *sagemaker.DescribeAppOutput
					out, err = c.DescribeApp(b.Context(), describeSpaceApp(loadSpace(rng.Int64N(known))))
					lat[w] = append(lat[w], time.Since(t0))
					if err == nil && out.Status != types.AppStatusInService {
						err = fmt.Errorf("DescribeApp: status %s", out.Status)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	r := loadResult{requests: loadClients * loadBatch, elapsed: time.Since(start)}
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	for _, l := range lat {
		r.describe = append(r.describe, l...)
	}
	return r
}

// BenchmarkServeMixedLoad serves a mixed load (16 clients at once; of every ten requests one
// CreateApp, two ListApps, seven DescribeApp) over loopback HTTP, from the fake and from a static
// handler that answers the fake's own bodies, at 1,000 and at 10,000 stored apps (JupyterLab apps
// in spaces; each iteration's creates add 112 more). It reports requests per second and the p99
// latency of DescribeApp; the ratio sub-benchmark interleaves the two servers batch by batch, so
// that a noisy machine slows both alike, and reports fake/static throughput (the target is ≥ 0.85)
// and fake/static DescribeApp p99 (the target is ≤ 2).
func BenchmarkServeMixedLoad(b *testing.B) {
	env := newLoadEnv(b)
	for _, size := range []int{1000, 10000} {
		env.grow(b, size)
		b.Run(fmt.Sprintf("apps=%d", size), func(b *testing.B) {
			b.Run("static", func(b *testing.B) {
				var r loadResult
				b.ResetTimer()
				for i := range b.N {
					r.add(env.batch(b, env.static, false, i))
				}
				b.ReportMetric(r.opsPerSec(), "req/s")
				b.ReportMetric(float64(r.p99().Microseconds()), "describe-p99-µs")
			})
			b.Run("fake", func(b *testing.B) {
				env.ensureSpaces(b, int(env.created.Load())+b.N*loadCreates)
				var r loadResult
				b.ResetTimer()
				for i := range b.N {
					r.add(env.batch(b, env.fake, true, i))
				}
				b.ReportMetric(r.opsPerSec(), "req/s")
				b.ReportMetric(float64(r.p99().Microseconds()), "describe-p99-µs")
			})
			b.Run("ratio", func(b *testing.B) {
				env.ensureSpaces(b, int(env.created.Load())+b.N*loadCreates)
				var static, fake loadResult
				b.ResetTimer()
				for i := range b.N {
					static.add(env.batch(b, env.static, false, i))
					fake.add(env.batch(b, env.fake, true, i))
				}
				b.ReportMetric(static.opsPerSec(), "static-req/s")
				b.ReportMetric(fake.opsPerSec(), "fake-req/s")
				b.ReportMetric(fake.opsPerSec()/static.opsPerSec(), "fake/static")
				b.ReportMetric(float64(fake.p99())/float64(static.p99()), "p99-fake/static")
			})
		})
	}
}
