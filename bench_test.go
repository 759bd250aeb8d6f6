package sagemakerapp

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// instantAPI answers CreateApp at once with one prepared output, so that a benchmark over it
// measures only the library's own work.
type instantAPI struct {
	stubAPI
	out *sagemaker.CreateAppOutput
}

func (a *instantAPI) CreateApp(context.Context, *sagemaker.CreateAppInput, ...func(*sagemaker.Options)) (*sagemaker.CreateAppOutput, error) {
	return a.out, nil
}

var createAppResponse = []byte(`{"AppArn":"arn:aws:sagemaker:us-east-1:123456789012:app/d-xy7pqhqf3kz1/alice-smith/kernelgateway/datascience-kernel"}`)

// loopbackSDK returns a real SDK client against a loopback server that answers every CreateApp.
func loopbackSDK(tb testing.TB) *sagemaker.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-RequestId", "bench")
		_, _ = w.Write(createAppResponse)
	}))
	tb.Cleanup(srv.Close)
	return sagemaker.New(sagemaker.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:   srv.Client(),
	})
}

// BenchmarkCreateAppOverhead reports, in one run: a raw SDK CreateApp over loopback ("raw-sdk"),
// the library's own work per CreateApp over an API that answers at once ("library-own-work"),
// the library's CreateApp end to end against the raw one, alternating over one loopback server
// ("e2e-interleaved", metric library/raw), and own work as a percentage of the raw call ("ratio",
// medians over -count; target at most 2%). Own work: at most 8 allocations.
func BenchmarkCreateAppOverhead(b *testing.B) {
	ctx := context.Background()
	// With b.Loop each sub-benchmark function runs once per -count; the ratios use the medians.
	var raw, own []float64
	perOp := func(b *testing.B) float64 { return float64(b.Elapsed().Nanoseconds()) / float64(b.N) }

	b.Run("raw-sdk", func(b *testing.B) {
		sdk := loopbackSDK(b)
		in := typicalInput()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sdk.CreateApp(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		raw = append(raw, perOp(b))
	})
	b.Run("library-own-work", func(b *testing.B) {
		c := New(&instantAPI{out: &sagemaker.CreateAppOutput{AppArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:app/d-x/u/kernelgateway/a")}})
		in := typicalInput()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.CreateApp(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		own = append(own, perOp(b))
	})
	// End to end, the two calls alternate over one client and server, so that drift on a noisy
	// machine falls on both alike.
	b.Run("e2e-interleaved", func(b *testing.B) {
		sdk := loopbackSDK(b)
		c := New(sdk)
		in := typicalInput()
		var rawTime, libTime time.Duration
		for b.Loop() {
			t0 := time.Now()
			if _, err := sdk.CreateApp(ctx, in); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, err := c.CreateApp(ctx, in); err != nil {
				b.Fatal(err)
			}
			rawTime, libTime = rawTime+t1.Sub(t0), libTime+time.Since(t1)
		}
		b.ReportMetric(float64(libTime)/float64(rawTime), "library/raw")
	})
	b.Run("ratio", func(b *testing.B) {
		for b.Loop() {
		}
		if len(raw) == 0 || len(own) == 0 {
			b.Skip("run with the other sub-benchmarks")
		}
		b.ReportMetric(100*median(own)/median(raw), "own-%-of-raw")
	})
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}

// TestCreateAppOwnWorkAllocations pins the allocation budget of the library's own work per
// CreateApp (at most 8); allocation counts, unlike timings, are exact on any machine.
func TestCreateAppOwnWorkAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	c := New(&instantAPI{out: &sagemaker.CreateAppOutput{AppArn: aws.String("arn:aws:sagemaker:us-east-1:123456789012:app/d-x/u/kernelgateway/a")}})
	in := typicalInput()
	ctx := context.Background()
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := c.CreateApp(ctx, in); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 8 {
		t.Errorf("CreateApp's own work makes %v allocations, budget 8", allocs)
	}
	t.Logf("allocations per CreateApp (own work): %v", allocs)
}
