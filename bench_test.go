package sagemakerapp

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

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
// the library's own work per CreateApp over an API that answers at once ("library-own-work"), the
// library end to end over the same loopback ("library-e2e"), and the ratios ("ratio": own work as
// a percentage of the raw call, target at most 2%; end to end over raw). Own work: at most 8
// allocations.
func BenchmarkCreateAppOverhead(b *testing.B) {
	ctx := context.Background()
	var raw, own, e2e float64
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
		raw = perOp(b)
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
		own = perOp(b)
	})
	b.Run("library-e2e", func(b *testing.B) {
		c := New(loopbackSDK(b))
		in := typicalInput()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.CreateApp(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		e2e = perOp(b)
	})
	b.Run("ratio", func(b *testing.B) {
		for b.Loop() {
		}
		if raw == 0 {
			b.Skip("run with the other sub-benchmarks")
		}
		b.ReportMetric(100*own/raw, "own-%-of-raw")
		b.ReportMetric(e2e/raw, "e2e/raw")
	})
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
