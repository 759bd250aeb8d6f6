package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const testDomain = "d-platformtest"

// newService starts a fake with a domain and the user alice, and returns it with the platform's
// handler over it. The client's waits move the fake's clock, so no test sleeps.
func newService(t *testing.T, opts ...sagemakerfake.Option) (*sagemakerfake.Server, http.Handler) {
	t.Helper()
	srv := sagemakerfake.Start(t, opts...)
	seed(t, srv)
	client := sagemakerapp.New(srv.Client(), func(o *sagemakerapp.Options) {
		o.Now = srv.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
	})
	return srv, newHandler(client, handlerConfig{domainID: testDomain, region: srv.Region()})
}

// seed gives srv the test's domain and the user alice. The domain runs Studio Classic still, gives
// JupyterLab apps ml.t3.medium and bounds a JupyterLab space's idle timeout to 60–480 minutes.
func seed(t *testing.T, srv *sagemakerfake.Server) {
	t.Helper()
	_, err := srv.SeedDomain(testDomain, &sagemaker.CreateDomainInput{
		DomainName: aws.String("platform"), AuthMode: types.AuthModeIam,
		// A domain that still runs Studio Classic, for the tests' KernelGateway apps (facts §7.1).
		DefaultUserSettings: &types.UserSettings{StudioWebPortal: types.StudioWebPortalDisabled, JupyterLabAppSettings: &types.JupyterLabAppSettings{
			DefaultResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium},
			// A user may choose their space's idle timeout between 60 and 480 minutes (facts §7.6).
			AppLifecycleManagement: &types.AppLifecycleManagement{IdleSettings: &types.IdleSettings{
				LifecycleManagement: types.LifecycleManagementEnabled, MinIdleTimeoutInMinutes: aws.Int32(60), MaxIdleTimeoutInMinutes: aws.Int32(480),
			}},
		}},
	})
	require.NoError(t, err)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("alice")}))
}

// distributionCPU is the SageMaker Distribution image of us-east-1, the fake's region (facts §7.3).
const distributionCPU = "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"

// fetch GETs url directly (never through a proxy) and returns the status and the page.
func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), "the URL is on the loopback fake: %s", url)
	transport := &http.Transport{Proxy: nil}
	defer transport.CloseIdleConnections()
	resp, err := (&http.Client{Transport: transport, Timeout: 30 * time.Second}).Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// answer is a decoded response.
type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func do(t *testing.T, h http.Handler, method, path, body string) answer {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	a := answer{status: rec.Code, header: rec.Header()}
	if rec.Body.Len() > 0 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a.body), rec.Body.String())
	}
	return a
}

func calls(srv *sagemakerfake.Server, op string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Operation == op {
			n++
		}
	}
	return n
}

func createCalls(srv *sagemakerfake.Server) int { return calls(srv, "CreateApp") }

const appPath = "/users/alice/apps/JupyterLab/default"

func TestPutEnsuresTheAppAndIsIdempotent(t *testing.T) {
	srv, h := newService(t)
	body := `{"instanceType": "ml.t3.large", "tags": {"team": "ml", "cost-center": "42"}}`
	first := do(t, h, http.MethodPut, appPath, body)
	require.Equal(t, http.StatusOK, first.status, first.body)
	assert.Equal(t, "InService", first.body["status"])
	assert.Equal(t, "ml.t3.large", first.body["instanceType"])
	assert.Equal(t, distributionCPU, first.body["image"], "the region's distribution image")
	assert.Equal(t, "alice-jupyterlab", first.body["space"], "alice's private space")
	assert.Equal(t, "alice", first.body["user"])
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:123456789012:app/d-platformtest/alice-jupyterlab/jupyterlab/default", first.body["arn"])

	second := do(t, h, http.MethodPut, appPath, body)
	require.Equal(t, http.StatusOK, second.status, second.body)
	assert.Equal(t, first.body["arn"], second.body["arn"])
	assert.Equal(t, 1, createCalls(srv), "the second PUT adopted the app")
	sp, err := srv.Client().DescribeSpace(context.Background(), &sagemaker.DescribeSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-jupyterlab")})
	require.NoError(t, err)
	assert.Equal(t, types.SharingTypePrivate, sp.SpaceSharingSettings.SharingType)
	assert.Equal(t, "alice", aws.ToString(sp.OwnershipSettings.OwnerUserProfileName))
	assert.Equal(t, types.AppTypeJupyterLab, sp.SpaceSettings.AppType)

	apps := srv.Apps()
	require.Len(t, apps, 1)
	assert.Equal(t, "alice-jupyterlab", apps[0].SpaceName)
	assert.ElementsMatch(t, []types.Tag{
		{Key: aws.String("cost-center"), Value: aws.String("42")},
		{Key: aws.String("team"), Value: aws.String("ml")},
	}, apps[0].Tags)
}

func TestPutWithAnEmptyBodyTakesTheDefaults(t *testing.T) {
	_, h := newService(t)
	a := do(t, h, http.MethodPut, appPath, "")
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Equal(t, "ml.t3.medium", a.body["instanceType"], "the domain's default")
}

func TestPutOfAnotherSpecIsAConflict(t *testing.T) {
	_, h := newService(t)
	require.Equal(t, http.StatusOK, do(t, h, http.MethodPut, appPath, `{"instanceType": "ml.t3.large"}`).status)
	a := do(t, h, http.MethodPut, appPath, `{"instanceType": "ml.t3.xlarge"}`)
	assert.Equal(t, http.StatusConflict, a.status)
	assert.Equal(t, "AppConflict", a.body["error"])
	assert.Equal(t, []any{"ResourceSpec.InstanceType"}, a.body["fields"])
	assert.Equal(t, "ml.t3.large", a.body["app"].(map[string]any)["instanceType"], "the app as found")
}

func TestPutOfAnInvalidAppListsEveryProblemAndSendsNothing(t *testing.T) {
	srv, h := newService(t)
	a := do(t, h, http.MethodPut, "/users/alice/apps/JupyterLab/bad_name", `{"instanceType": "ml.nope.large", "tags": {"aws:owner": "me"}}`)
	require.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, "InvalidInput", a.body["error"])
	var fields []string
	for _, p := range a.body["problems"].([]any) {
		p := p.(map[string]any)
		fields = append(fields, p["field"].(string))
		assert.NotEmpty(t, p["type"])
		assert.NotEmpty(t, p["detail"])
	}
	assert.ElementsMatch(t, []string{"AppName", "Tags[0].Key", "ResourceSpec.InstanceType"}, fields)
	assert.Empty(t, srv.Requests(), "nothing was sent, not even the space")
}

func TestPutOfABodyThatIsNoSpec(t *testing.T) {
	_, h := newService(t)
	for _, body := range []string{`{"instanceType": 3}`, `{"size": "large"}`, `not json`, `{"tags": ["a"]}`} {
		a := do(t, h, http.MethodPut, appPath, body)
		assert.Equal(t, http.StatusBadRequest, a.status, body)
		assert.Equal(t, "InvalidBody", a.body["error"], body)
	}
}

// dave has no user profile: his private space cannot be made (the owner must exist), and the
// platform does not create user profiles.
func TestPutForAnUnknownUserIsNotFound(t *testing.T) {
	srv, h := newService(t)
	a := do(t, h, http.MethodPut, "/users/dave/apps/JupyterLab/default", "")
	assert.Equal(t, http.StatusNotFound, a.status)
	assert.Equal(t, "ResourceNotFound", a.body["error"])
	assert.NotEmpty(t, a.body["requestId"])
	assert.Zero(t, createCalls(srv))
}

// KernelGateway is a Studio Classic app: on the user profile, no space, no default image.
func TestPutOfAStudioClassicAppRunsOnTheUserProfile(t *testing.T) {
	srv, h := newService(t)
	a := do(t, h, http.MethodPut, "/users/alice/apps/KernelGateway/default", `{"instanceType": "ml.m5.large"}`)
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:123456789012:app/d-platformtest/alice/kernelgateway/default", a.body["arn"])
	assert.Equal(t, "alice", a.body["user"])
	assert.NotContains(t, a.body, "space")
	assert.NotContains(t, a.body, "image")
	assert.Zero(t, calls(srv, "CreateSpace"))
}

// A space runs one app at a time: a second JupyterLab app for alice is a 409 that names the one
// that runs.
func TestPutOfASecondAppInTheSpaceIsAConflictNamingTheApp(t *testing.T) {
	srv, h := newService(t)
	require.Equal(t, http.StatusOK, do(t, h, http.MethodPut, appPath, "").status)
	a := do(t, h, http.MethodPut, "/users/alice/apps/JupyterLab/second", "")
	assert.Equal(t, http.StatusConflict, a.status, a.body)
	assert.Equal(t, "AppConflict", a.body["error"])
	assert.Contains(t, a.body["message"], "runs another app")
	assert.Equal(t, "default", a.body["app"].(map[string]any)["name"], "the app that runs")
	assert.Len(t, srv.Apps(), 1)
}

// A space of alice's name that is not her private one is not taken over.
func TestPutWhereTheSpaceIsAnotherKindIsASpaceConflict(t *testing.T) {
	srv, h := newService(t)
	require.NoError(t, srv.SeedSpace(&sagemaker.CreateSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("alice-codeeditor"),
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared}}))
	a := do(t, h, http.MethodPut, "/users/alice/apps/CodeEditor/default", `{"instanceType": "ml.t3.medium"}`)
	assert.Equal(t, http.StatusConflict, a.status, a.body)
	assert.Equal(t, "SpaceConflict", a.body["error"])
	assert.Contains(t, a.body["fields"], "SpaceSharingSettings.SharingType")
	assert.Zero(t, createCalls(srv))
}

// The launch URL opens the caller's app: the fake's page at it names alice's space and app. It
// is refused for an app that does not run.
func TestLaunchURLOpensTheCallersApp(t *testing.T) {
	_, h := newService(t)
	missing := do(t, h, http.MethodPost, appPath+"/launch-url", "")
	assert.Equal(t, http.StatusNotFound, missing.status, missing.body)

	require.Equal(t, http.StatusOK, do(t, h, http.MethodPut, appPath, "").status)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, appPath+"/launch-url", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"), "a credential is never cached")
	var launch launchView
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &launch))
	require.Contains(t, launch.URL, sagemakerfake.StudioPath)
	status, page := fetch(t, launch.URL)
	assert.Equal(t, http.StatusOK, status, page)
	for _, want := range []string{`<dd id="user">alice</dd>`, `<dd id="space">alice-jupyterlab</dd>`,
		`<dd id="app-type">JupyterLab</dd>`, `<dd id="app-name">default</dd>`, `<dd id="app-status">InService</dd>`} {
		assert.Contains(t, page, want)
	}

	require.Equal(t, http.StatusAccepted, do(t, h, http.MethodDelete, appPath, "").status)
	stopped := do(t, h, http.MethodPost, appPath+"/launch-url", "")
	assert.Equal(t, http.StatusConflict, stopped.status)
	assert.Equal(t, "AppNotInService", stopped.body["error"])
	assert.Equal(t, "Deleting", stopped.body["app"].(map[string]any)["status"])
}

func TestPutOverTheQuotaIsTooManyRequests(t *testing.T) {
	_, h := newService(t, sagemakerfake.WithQuota(types.AppTypeJupyterLab, types.AppInstanceTypeMlT3Medium, 0))
	a := do(t, h, http.MethodPut, appPath, "")
	assert.Equal(t, http.StatusTooManyRequests, a.status)
	assert.Equal(t, "ResourceLimitExceeded", a.body["error"])
	assert.Contains(t, a.body["message"], "ml.t3.medium", "the service's quota message")
}

func TestPutOfAnAppThatFailsIsBadGateway(t *testing.T) {
	_, h := newService(t, sagemakerfake.WithFailureRule(func(sagemakerfake.App) string { return "the image would not start" }))
	a := do(t, h, http.MethodPut, appPath, "")
	assert.Equal(t, http.StatusBadGateway, a.status)
	assert.Equal(t, "AppFailed", a.body["error"])
	assert.Equal(t, "the image would not start", a.body["message"])
	assert.Equal(t, "Failed", a.body["app"].(map[string]any)["status"])
}

func TestGetDescribesTheApp(t *testing.T) {
	_, h := newService(t)
	missing := do(t, h, http.MethodGet, appPath, "")
	assert.Equal(t, http.StatusNotFound, missing.status)
	assert.Equal(t, "ResourceNotFound", missing.body["error"])

	require.Equal(t, http.StatusOK, do(t, h, http.MethodPut, appPath, "").status)
	a := do(t, h, http.MethodGet, appPath, "")
	require.Equal(t, http.StatusOK, a.status)
	assert.Equal(t, "InService", a.body["status"])
	assert.Equal(t, "alice", a.body["user"])
	assert.NotEmpty(t, a.body["created"])
}

func TestThrottlingAndOutagesAreServiceUnavailableWithRetryAfter(t *testing.T) {
	for _, code := range []string{"ThrottlingException", "ServiceUnavailable", "InternalFailure"} {
		t.Run(code, func(t *testing.T) {
			srv, h := newService(t)
			srv.InjectFault("DescribeApp", sagemakerfake.Fault{Code: code})
			a := do(t, h, http.MethodGet, appPath, "")
			assert.Equal(t, http.StatusServiceUnavailable, a.status)
			assert.Equal(t, code, a.body["error"])
			assert.Equal(t, "5", a.header.Get("Retry-After"))
		})
	}
}

func TestDeleteIsIdempotent(t *testing.T) {
	srv, h := newService(t)
	require.Equal(t, http.StatusOK, do(t, h, http.MethodPut, appPath, "").status)
	assert.Equal(t, http.StatusAccepted, do(t, h, http.MethodDelete, appPath, "").status)
	assert.Equal(t, "Deleting", do(t, h, http.MethodGet, appPath, "").body["status"])
	assert.Equal(t, http.StatusAccepted, do(t, h, http.MethodDelete, appPath, "").status, "Deleting already")
	srv.Advance(time.Minute)
	assert.Equal(t, "Deleted", do(t, h, http.MethodGet, appPath, "").body["status"])
	assert.Equal(t, http.StatusAccepted, do(t, h, http.MethodDelete, "/users/alice/apps/JupyterLab/never", "").status, "missing")
}

func TestOtherMethodsAreNotAllowed(t *testing.T) {
	_, h := newService(t)
	a := do(t, h, http.MethodPost, appPath, "")
	assert.Equal(t, http.StatusMethodNotAllowed, a.status)
	assert.Contains(t, a.header.Get("Allow"), "PUT")
	assert.Equal(t, http.StatusNotFound, do(t, h, http.MethodGet, "/users/alice/apps", "").status)
}

// Every kind of error maps to its status, told apart by errors.Is and errors.As: errors built by
// hand, as a test double would, match as the SDK's do.
func TestErrorKindsMapToStatuses(t *testing.T) {
	app := &sagemakerapp.App{ID: sagemakerapp.AppID{DomainID: testDomain, UserProfileName: "alice", AppType: types.AppTypeJupyterLab, AppName: "default"}}
	apiErr := func(code string, status int) error {
		return fmt.Errorf("wrapped: %w", &sagemakerapp.APIError{Operation: "CreateApp", Code: code, Message: code + " message", RequestID: "req-1", StatusCode: status})
	}
	for _, tc := range []struct {
		err        error
		status     int
		code       string
		retryAfter bool
	}{
		{&sagemakerapp.ValidationError{Problems: []*sagemakerapp.FieldError{{Field: "AppName", Type: sagemakerapp.FieldInvalid}}}, 400, "InvalidInput", false},
		{apiErr("ValidationException", 400), 400, "ValidationException", false},
		{apiErr("ResourceInUse", 400), 409, "ResourceInUse", false},
		{&sagemakerapp.AppConflictError{Existing: app, Fields: []string{"ResourceSpec.InstanceType"}}, 409, "AppConflict", false},
		{&sagemakerapp.SpaceConflictError{Existing: &sagemakerapp.Space{Name: "alice-jupyterlab"}, Fields: []string{"SpaceSharingSettings.SharingType"}}, 409, "SpaceConflict", false},
		{&sagemakerapp.SpaceFailedError{Space: &sagemakerapp.Space{Name: "alice-jupyterlab", Status: types.SpaceStatusFailed}}, 502, "SpaceFailed", false},
		{apiErr("ResourceLimitExceeded", 400), 429, "ResourceLimitExceeded", false},
		{apiErr("ResourceNotFound", 400), 404, "ResourceNotFound", false},
		{apiErr("ThrottlingException", 400), 503, "ThrottlingException", true},
		{apiErr("ServiceUnavailable", 503), 503, "ServiceUnavailable", true},
		{&sagemakerapp.APIError{Operation: "CreateApp", Err: fmt.Errorf(`Post "https://api.sagemaker.internal:443/": %w`,
			&net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 443}, Err: errors.New("connect: connection refused")})}, 503, "ServiceUnavailable", true}, // no answer
		{fmt.Errorf("wait: %w", context.DeadlineExceeded), 504, "Timeout", false},
		{errors.New("json: cannot unmarshal *types.ResourceSpec"), 500, "InternalError", false},
		{context.Canceled, 503, "Canceled", true},
		{&sagemakerapp.AppFailedError{App: app}, 502, "AppFailed", false},
		{apiErr("AccessDeniedException", 400), 502, "AccessDeniedException", false},
		{fmt.Errorf("wait: %w", sagemakerapp.ErrWaitTimeout), 504, "Timeout", false},
		{apiErr("SomethingNew", 400), 500, "SomethingNew", false},
	} {
		rec := httptest.NewRecorder()
		s := &service{log: nopLogger()}
		s.writeError(rec, httptest.NewRequest(http.MethodPut, appPath, nil), tc.err)
		assert.Equal(t, tc.status, rec.Code, tc.err)
		var body errorBody
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		assert.Equal(t, tc.code, body.Error, tc.err)
		assert.Equal(t, tc.retryAfter, rec.Header().Get("Retry-After") != "", tc.err)
		for _, secret := range []string{"sagemaker.internal", "10.1.2.3", "dial", "*types", "json:"} {
			assert.NotContains(t, body.Message, secret, "the answer shows none of the error's own text: %v", tc.err)
		}
	}
}

// The program as main runs it: the embedded fake, a real listener, a clean shutdown.
func TestRunServesOnTheEmbeddedFakeAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	var logs syncBuffer
	p := &program{stderr: &logs, fakeOptions: []sagemakerfake.Option{sagemakerfake.WithStartupDelay(0)}, onListen: func(u string) { urls <- u }}
	exit := make(chan int, 1)
	go func() { exit <- p.run(ctx, []string{"--addr", "127.0.0.1:0", "--auth", "none"}) }()
	base := <-urls

	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodPut, base+"/users/bob/apps/JupyterLab/default", strings.NewReader(`{"tags": {"team": "ml"}}`))
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	var app appView
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&app))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "InService", app.Status)
	assert.Equal(t, "bob-jupyterlab", app.Space)
	assert.Equal(t, "ml.t3.medium", app.InstanceType)
	assert.Equal(t, distributionCPU, app.Image)

	resp, err = client.Post(base+"/users/bob/apps/JupyterLab/default/launch-url", "", nil)
	require.NoError(t, err)
	var launch launchView
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&launch))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	status, page := fetch(t, launch.URL)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `<dd id="space">bob-jupyterlab</dd>`)

	cancel()
	assert.Equal(t, 0, <-exit)
	assert.Contains(t, logs.String(), "embedded fake")
	assert.Contains(t, logs.String(), "shutting down")
	_, err = client.Get(base + "/users/bob/apps/JupyterLab/default")
	assert.Error(t, err, "the listener is closed")
}

// A shutdown ends the waits of requests still in flight after the grace period; they answer 503
// with Retry-After, and the program exits cleanly.
func TestShutdownEndsWaitingRequests(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	created := make(chan struct{}, 1)
	var logs syncBuffer
	p := &program{
		stderr: &logs,
		fakeOptions: []sagemakerfake.Option{
			sagemakerfake.WithStartupDelay(time.Hour), // the app stays Pending: the PUT waits
			sagemakerfake.WithFailureRule(func(sagemakerfake.App) string { created <- struct{}{}; return "" }),
		},
		onListen: func(u string) { urls <- u },
	}
	exit := make(chan int, 1)
	go func() {
		exit <- p.run(ctx, []string{"--addr", "127.0.0.1:0", "--auth", "none", "--shutdown-grace", "1ms"})
	}()
	base := <-urls

	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	answered := make(chan *http.Response, 1)
	go func() {
		// A Studio Classic app, so that the PUT waits on the app itself (a space app's PUT would
		// wait on the space first, which starts as slowly).
		req, _ := http.NewRequest(http.MethodPut, base+"/users/alice/apps/KernelGateway/default", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			resp = nil
		}
		answered <- resp
	}()
	<-created // the app is Pending and the PUT is waiting for it
	cancel()
	resp := <-answered
	require.NotNil(t, resp)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))
	assert.Equal(t, 0, <-exit)
}

func TestDomainIDIsRequiredOutsideTheEmbeddedFake(t *testing.T) {
	var logs syncBuffer
	assert.Equal(t, 2, run(context.Background(), []string{"--endpoint-url", "http://127.0.0.1:1"}, io.Discard, &logs))
	assert.Contains(t, logs.String(), "--domain-id is required")
	assert.Equal(t, 2, run(context.Background(), []string{"--no-such-flag"}, io.Discard, &logs))
}

// syncBuffer is a bytes.Buffer that the server's goroutines and the test may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func nopLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
