package sagemakerfake_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// staticHandler answers CreateApp and DescribeApp with fixed bodies: the floor that any server
// reached through the SDK over loopback costs.
func staticHandler() http.Handler {
	created := []byte(`{"AppArn":"arn:aws:sagemaker:us-east-1:123456789012:app/` + testDomain + `/alice/jupyterserver/x"}`)
	described := []byte(`{"AppArn":"arn:aws:sagemaker:us-east-1:123456789012:app/` + testDomain + `/alice/jupyterserver/x","AppName":"x",` +
		`"AppType":"JupyterServer","CreationTime":1700000000.123,"DomainId":"` + testDomain + `","LastHealthCheckTimestamp":1700000000.123,` +
		`"LastUserActivityTimestamp":1700000000.123,"ResourceSpec":{"InstanceType":"system"},"Status":"InService","UserProfileName":"alice"}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Amzn-RequestId", "00000000-0000-0000-0000-000000000000")
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		body := described
		if r.Header.Get("X-Amz-Target") == "SageMaker.CreateApp" {
			body = created
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
}

type benchClients struct {
	static, fake *sagemaker.Client
	n            int
}

func newBenchClients(b *testing.B) *benchClients {
	static := httptest.NewServer(staticHandler())
	b.Cleanup(static.Close)
	srv := sagemakerfake.Start(b, sagemakerfake.WithStartupDelay(0), sagemakerfake.WithRequestLog(0))
	if _, err := srv.SeedDomain(testDomain, &sagemaker.CreateDomainInput{DomainName: aws.String("bench"), AuthMode: types.AuthModeIam, DefaultUserSettings: classic(nil)}); err != nil {
		b.Fatal(err)
	}
	if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser)}); err != nil {
		b.Fatal(err)
	}
	// Both clients are configured alike; only the endpoint differs.
	return &benchClients{
		fake:   srv.Client(),
		static: srv.Client(func(o *sagemaker.Options) { o.BaseEndpoint = aws.String(static.URL) }),
	}
}

// createDescribe is one iteration: CreateApp of a new app, then DescribeApp of it.
func (c *benchClients) createDescribe(b *testing.B, client *sagemaker.Client) {
	c.n++
	in := &sagemaker.CreateAppInput{
		DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser),
		AppType: types.AppTypeJupyterServer, AppName: aws.String("app" + strconv.Itoa(c.n)),
		ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeSystem},
		Tags:         []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}},
	}
	if _, err := client.CreateApp(b.Context(), in); err != nil {
		b.Fatal(err)
	}
	out, err := client.DescribeApp(b.Context(), describeInput(in))
	if err != nil || out.Status != types.AppStatusInService {
		b.Fatalf("DescribeApp: %v %v", out, err)
	}
}

// BenchmarkFakeCreateDescribe measures CreateApp+DescribeApp through the SDK against the fake and
// against a static handler. The ratio sub-benchmark interleaves the two in one loop, so that a
// noisy machine slows both alike, and reports fake/static throughput (the target is ≥ 0.85).
func BenchmarkFakeCreateDescribe(b *testing.B) {
	b.Run("static", func(b *testing.B) {
		c := newBenchClients(b)
		for b.Loop() {
			c.createDescribe(b, c.static)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
	b.Run("fake", func(b *testing.B) {
		c := newBenchClients(b)
		for b.Loop() {
			c.createDescribe(b, c.fake)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
	b.Run("ratio", func(b *testing.B) {
		c := newBenchClients(b)
		var static, fake time.Duration
		for b.Loop() {
			t0 := time.Now()
			c.createDescribe(b, c.static)
			t1 := time.Now()
			c.createDescribe(b, c.fake)
			t2 := time.Now()
			static += t1.Sub(t0)
			fake += t2.Sub(t1)
		}
		b.ReportMetric(float64(b.N)/static.Seconds(), "static-ops/s")
		b.ReportMetric(float64(b.N)/fake.Seconds(), "fake-ops/s")
		b.ReportMetric(static.Seconds()/fake.Seconds(), "fake/static")
	})
}
