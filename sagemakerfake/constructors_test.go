package sagemakerfake_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	smithy "github.com/aws/smithy-go"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// run starts a fake with Run and closes it with t.Cleanup.
func run(t *testing.T, opts ...sagemakerfake.Option) *sagemakerfake.Server {
	t.Helper()
	srv, err := sagemakerfake.Run(opts...)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func TestRunRefusesBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  sagemakerfake.Option
		want string
	}{
		{"short account", sagemakerfake.WithAccount("42"), "12-digit"},
		{"empty region", sagemakerfake.WithRegion(""), "region is empty"},
		{"negative startup delay", sagemakerfake.WithStartupDelay(-time.Second), "negative"},
		{"negative delete delay", sagemakerfake.WithDeleteDelay(-time.Second), "negative"},
		{"negative request log", sagemakerfake.WithRequestLog(-1), "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			srv, err := sagemakerfake.Run(sagemakerfake.WithListener(ln), tc.opt)
			if err == nil || srv != nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, %v; want no server and an error containing %q", srv, err, tc.want)
			}
			// The listener was handed over, so a failed Run closes it.
			if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
				t.Errorf("Accept on the listener after a failed Run: %v, want net.ErrClosed", err)
			}
		})
	}
}

// TestRunUsesRealTime shows that a program's fake needs nobody to move its clock: an app starts
// by itself, as a program that polls expects.
func TestRunUsesRealTime(t *testing.T) {
	srv := run(t, sagemakerfake.WithStartupDelay(50*time.Millisecond))
	if now := srv.Now(); time.Since(now) > time.Minute || time.Until(now) > time.Second {
		t.Errorf("Now() = %v, the wall clock %v", now, time.Now())
	}
	domainID, err := srv.SeedDomain("", &sagemaker.CreateDomainInput{DomainName: aws.String("d"), AuthMode: types.AuthModeIam, DefaultUserSettings: classic(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String(testUser)}); err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	in := &sagemaker.CreateAppInput{DomainId: aws.String(domainID), UserProfileName: aws.String(testUser), AppType: types.AppTypeJupyterServer, AppName: aws.String("default")}
	if _, err := c.CreateApp(ctx(t), in); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := c.DescribeApp(ctx(t), describeInput(in))
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == types.AppStatusInService {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the app is still %s after 10s on a 50ms startup delay", d.Status)
		}
		time.Sleep(10 * time.Millisecond) // polling, as the program this test stands for does
	}
	defer func() {
		if recover() == nil {
			t.Error("Advance on a server on real time did not panic")
		}
	}()
	srv.Advance(time.Second)
}

func TestAdvanceNeedsAManualClock(t *testing.T) {
	srv := sagemakerfake.Start(t, sagemakerfake.WithClock(sagemakerfake.SystemClock{}))
	defer func() {
		if recover() == nil {
			t.Error("Advance on a server with the system clock did not panic")
		}
	}()
	srv.Advance(1)
}

// TestRunAcceptsAManualClock shows the way to a program's fake whose time only Advance moves.
func TestRunAcceptsAManualClock(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := run(t, sagemakerfake.WithClock(sagemakerfake.NewManualClock(start)))
	srv.Advance(time.Hour)
	if got := srv.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Errorf("Now() = %v, want %v", got, start.Add(time.Hour))
	}
}

// TestGeneratedIDs: every Run hands out its own domain IDs, unless WithRandSeed fixes them; Start
// is repeatable.
func TestGeneratedIDs(t *testing.T) {
	newDomain := func(srv *sagemakerfake.Server) string {
		t.Helper()
		id, err := srv.SeedDomain("", &sagemaker.CreateDomainInput{DomainName: aws.String("d"), AuthMode: types.AuthModeIam, DefaultUserSettings: classic(nil)})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	if a, b := newDomain(run(t)), newDomain(run(t)); a == b {
		t.Errorf("two runs both made domain %s first", a)
	}
	if a, b := newDomain(run(t, sagemakerfake.WithRandSeed(7))), newDomain(run(t, sagemakerfake.WithRandSeed(7))); a != b {
		t.Errorf("the same seed made domains %s and %s", a, b)
	}
	if a, b := newDomain(sagemakerfake.Start(t)), newDomain(sagemakerfake.Start(t)); a != b {
		t.Errorf("two tests' fakes made domains %s and %s", a, b)
	}
}

// TestARNPartitions derives the partition of every ARN from the region, for every partition.
func TestARNPartitions(t *testing.T) {
	for region, partition := range map[string]string{
		"us-east-1":       "aws",
		"ap-southeast-7":  "aws",
		"cn-north-1":      "aws-cn",
		"us-gov-west-1":   "aws-us-gov",
		"us-iso-east-1":   "aws-iso",
		"us-isob-east-1":  "aws-iso-b",
		"eu-isoe-west-1":  "aws-iso-e",
		"us-isof-south-1": "aws-iso-f",
		"eusc-de-east-1":  "aws-eusc",
	} {
		t.Run(region, func(t *testing.T) {
			srv := sagemakerfake.Start(t, sagemakerfake.WithRegion(region), sagemakerfake.WithStartupDelay(0))
			if _, err := srv.SeedDomain(testDomain, &sagemaker.CreateDomainInput{DomainName: aws.String("d"), AuthMode: types.AuthModeIam, DefaultUserSettings: classic(nil)}); err != nil {
				t.Fatal(err)
			}
			if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(testUser)}); err != nil {
				t.Fatal(err)
			}
			out, err := srv.Client().CreateApp(ctx(t), userApp(types.AppTypeJupyterServer, "default", ""))
			if err != nil {
				t.Fatal(err)
			}
			want := "arn:" + partition + ":sagemaker:" + region + ":123456789012:app/" + testDomain + "/" + testUser + "/jupyterserver/default"
			if got := aws.ToString(out.AppArn); got != want {
				t.Errorf("AppArn %s, want %s", got, want)
			}
			// The ARN names the resource for the other operations too.
			if _, err := srv.Client().ListTags(ctx(t), &sagemaker.ListTagsInput{ResourceArn: out.AppArn}); err != nil {
				t.Errorf("ListTags of %s: %v", want, err)
			}
		})
	}
}

// TestMountedServerCloses serves requests through ServeHTTP, as a Server mounted on another mux
// does, while Close runs: under the race detector, a request that starts as Close waits must not
// race it. After Close every request is refused with 503 and has no effect.
func TestMountedServerCloses(t *testing.T) {
	listApps := func(srv *sagemakerfake.Server) int {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
		req.Header.Set("X-Amz-Target", "SageMaker.ListApps")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	for range 20 {
		srv := sagemakerfake.Start(t)
		var wg sync.WaitGroup
		begin := make(chan struct{})
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-begin
				for range 10 {
					if code := listApps(srv); code != http.StatusOK && code != http.StatusServiceUnavailable {
						t.Errorf("status %d while closing", code)
					}
				}
			}()
		}
		close(begin)
		srv.Close()
		wg.Wait()
		if code := listApps(srv); code != http.StatusServiceUnavailable {
			t.Fatalf("status %d after Close, want 503", code)
		}
	}
}

func TestRequestLogBoundsBodies(t *testing.T) {
	f := newFixture(t)
	pad := strings.Repeat("x", 3*sagemakerfake.MaxLoggedBodyBytes)
	status, _, _ := post(t, f.srv.URL(), "POST", "SageMaker.DescribeDomain", []byte(`{"DomainId":"`+testDomain+`","Pad":"`+pad+`"}`))
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	reqs := f.srv.Requests()
	last := reqs[len(reqs)-1]
	if len(last.Body) != sagemakerfake.MaxLoggedBodyBytes || last.BodySize != len(pad)+len(`{"DomainId":"`+testDomain+`","Pad":""}`) ||
		!strings.HasPrefix(string(last.Body), `{"DomainId":"`+testDomain) {
		t.Errorf("logged %d bytes of a body of %d: %.40q", len(last.Body), last.BodySize, last.Body)
	}
}

// TestErrorsCarryTheirCode: the functions that answer without the wire return an *Error with the
// code, which also satisfies smithy.APIError.
func TestErrorsCarryTheirCode(t *testing.T) {
	srv := sagemakerfake.Start(t)
	_, domainErr := srv.SeedDomain("D-BAD", &sagemaker.CreateDomainInput{DomainName: aws.String("x"), AuthMode: types.AuthModeIam, DefaultUserSettings: &types.UserSettings{}})
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"CheckCreateAppInput", sagemakerfake.CheckCreateAppInput(userApp(types.AppTypeJupyterServer, "bad_name", "")), sagemakerfake.CodeValidation},
		{"SeedDomain", domainErr, sagemakerfake.CodeValidation},
		{"SeedUserProfile", srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String("d-missing0001"), UserProfileName: aws.String("u")}), sagemakerfake.CodeResourceNotFound},
		{"SeedSpace", srv.SeedSpace(&sagemaker.CreateSpaceInput{DomainId: aws.String("d-missing0001"), SpaceName: aws.String("s")}), sagemakerfake.CodeResourceNotFound},
		{"LoadSeed", srv.LoadSeed([]byte(`{"Domains": [{"DomainId": 7, "DomainName": "x", "AuthMode": "IAM", "DefaultUserSettings": {}}]}`)), sagemakerfake.CodeSerialization},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fe *sagemakerfake.Error
			if !errors.As(tc.err, &fe) || fe.Code != tc.code || fe.StatusCode != http.StatusBadRequest || fe.Message == "" {
				t.Fatalf("error %v (%T), want an *Error with code %s", tc.err, tc.err, tc.code)
			}
			var ae smithy.APIError
			if !errors.As(tc.err, &ae) || ae.ErrorCode() != tc.code || ae.ErrorFault() != smithy.FaultClient || ae.ErrorMessage() != fe.Message {
				t.Errorf("as a smithy.APIError: %v", ae)
			}
		})
	}
	if err := sagemakerfake.CheckCreateAppInput(userApp(types.AppTypeJupyterServer, "fine", "")); err != nil {
		t.Errorf("a valid input: %v", err)
	}
}

// A connection that never sends a request (a client pool can hold one it dialed but did not use)
// must not hold Close up: http.Server.Shutdown would count it busy for five seconds.
func TestCloseDoesNotWaitForAnUnusedConnection(t *testing.T) {
	srv, err := sagemakerfake.Run()
	if err != nil {
		t.Fatal(err)
	}
	unused, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer unused.Close()
	// A request made after the dial is accepted after it: once it is answered, the unused
	// connection has been accepted too and waits in StateNew.
	if _, err := srv.Client().ListApps(context.Background(), &sagemaker.ListAppsInput{}); err != nil {
		t.Fatal(err)
	}

	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		t.Fatal("Close waits for a connection that has sent no request")
	}
}
