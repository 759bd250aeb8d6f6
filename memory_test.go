package sagemakerapp

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// manyWaits ensures n apps that start in five minutes with one EnsureApps over real loopback HTTP,
// and measures the heap in use (after a GC) at the moment all n are waiting, and the connections
// the client dialled. The fake's clock is moved only by the round leader's sleeps, so every wait
// is in flight at once.
func manyWaits(tb testing.TB, n int) (heapMB float64, dials int64) {
	e := &env{}
	e.srv = sagemakerfake.Start(tb, sagemakerfake.WithStartupDelay(5*time.Minute), sagemakerfake.WithRequestLog(0))
	e.seed(tb)
	var dialled atomic.Int64
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport := &http.Transport{
		MaxIdleConnsPerHost: 64,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialled.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
	}
	tb.Cleanup(transport.CloseIdleConnections)
	api := e.srv.Client(fastRetries, func(o *sagemaker.Options) { o.HTTPClient = &http.Client{Transport: transport} })
	ins := make([]*sagemaker.CreateAppInput, n)
	for i := range ins {
		ins[i] = e.input(fmt.Sprintf("app%05d", i))
	}
	var once sync.Once
	var c *Client
	waiting := func() int {
		c.polls.mu.Lock()
		defer c.polls.mu.Unlock()
		if d := c.polls.byDomain[e.domainID]; d != nil {
			return len(d.waits)
		}
		return 0
	}
	c = New(api, func(o *Options) {
		o.Now = e.srv.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			// The first round's sleep holds the fake's clock until every app waits, then measures.
			once.Do(func() {
				for i := 0; waiting() < n && i < 60_000; i++ {
					time.Sleep(time.Millisecond) // synchronisation only: the creates are under way
				}
				if waiting() == n {
					runtime.GC()
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					heapMB = float64(m.HeapInuse) / (1 << 20)
					if path := os.Getenv("SAGEMAKERAPP_HEAP_PROFILE"); path != "" {
						if f, err := os.Create(path); err == nil {
							_ = pprof.WriteHeapProfile(f)
							_ = f.Close()
						}
					}
				}
			})
			return e.sleep(ctx, d)
		}
	})
	results := c.EnsureApps(context.Background(), ins, func(o *BatchOptions) { o.CreatesPerSecond = -1 })
	for _, r := range results {
		require.NoError(tb, r.Err)
	}
	// The fake, in the same process, now holds every space and app, as it did at the peak, and
	// no wait runs: what the peak held beyond this is the waits'.
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	heapMB -= float64(m.HeapInuse) / (1 << 20)
	runtime.KeepAlive(ins)
	return heapMB, dialled.Load()
}

// 10,000 concurrent waits in one process hold at most 50 MB of heap, over real loopback HTTP,
// and start with no burst of connections: the batch's Concurrency bounds the calls in flight.
func TestTenThousandWaitsMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("10,000 apps over loopback HTTP")
	}
	heapMB, dials := manyWaits(t, 10_000)
	t.Logf("10,000 waits: %.1f MB of heap in use beyond the fake's own, %d connections dialled", heapMB, dials)
	assert.Positive(t, heapMB, "measured while all 10,000 waited")
	assert.LessOrEqual(t, heapMB, 50.0)
	assert.LessOrEqual(t, dials, int64(64), "no burst of connections: at most the pool's size, not one per wait")
}

func BenchmarkTenThousandWaits(b *testing.B) {
	for range b.N {
		heapMB, dials := manyWaits(b, 10_000)
		b.ReportMetric(heapMB, "heap-MB")
		b.ReportMetric(float64(dials), "dials")
	}
}
