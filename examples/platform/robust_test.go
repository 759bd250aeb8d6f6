package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// A body is one JSON object with the documented member names, exactly, and nothing else; every
// refusal names the problem in JSON's terms, and sends nothing.
func TestPutRefusesABodyThatIsNotExactlyOneSpec(t *testing.T) {
	srv, h := newService(t)
	for _, tc := range []struct{ body, message string }{
		{`{}{"instanceType":"ml.g5.48xlarge"}`, "data after its JSON object, which ends at byte 2"},
		{`{"instanceType": "ml.t3.large"} x`, "data after its JSON object"},
		{`{"instanceType": "ml.t3.large"}]`, "data after its JSON object"},
		{`null`, "must be a JSON object, not null"},
		{`[]`, "must be a JSON object, not an array"},
		{`"ml.t3.large"`, "must be a JSON object, not a string"},
		{`{"InstanceType": "ml.t3.large"}`, `the member "InstanceType", which an app spec does not have`},
		{`{"instancetype": "ml.t3.large"}`, `the member "instancetype"`},
		{`{"size": "large"}`, `the member "size"`},
		{`{"instanceType": "ml.t3.large", "instanceType": "ml.g5.48xlarge"}`, `the member "instanceType" twice`},
		{`{"instanceType": null}`, "instanceType must be a JSON string, not null"},
		{`{"instanceType": 3}`, "instanceType must be a JSON string, not a number"},
		{`{"tags": null}`, "tags must be a JSON object, not null"},
		{`{"tags": ["a"]}`, "tags must be a JSON object, not an array"},
		{`{"tags": {"team": 1}}`, "tags.team must be a JSON string, not a number"},
		{`{"tags": {"team": "ml", "team": "ai"}}`, `tags has the member "team" twice`},
		{`{"tags": {"team": "ml"}`, "ends before its JSON object does"},
		{`not json`, "not valid JSON"},
		{`{"storageGiB": "20"}`, "storageGiB must be a JSON number, not a string"},
		{`{"storageGiB": null}`, "storageGiB must be a JSON number, not null"},
		{`{"storageGiB": 20.5}`, "storageGiB must be a whole number, such as 20, not 20.5"},
		{`{"storageGiB": 20.0}`, "storageGiB must be a whole number"},
		{`{"storageGiB": 2e1}`, "storageGiB must be a whole number"},
		{`{"storageGiB": 99999999999}`, "storageGiB 99999999999 is out of range"},
		{`{"idleTimeoutMinutes": true}`, "idleTimeoutMinutes must be a JSON number, not a boolean"},
		{`{"StorageGiB": 20}`, `the member "StorageGiB", which an app spec does not have`},
		{`{"storageGiB": 20, "storageGiB": 30}`, `the member "storageGiB" twice`},
		{`{"remoteAccess": "enabled"}`, "remoteAccess must be ENABLED or DISABLED"},
		{`{"remoteAccess": true}`, "remoteAccess must be a JSON string, not a boolean"},
		{`{"replace": "yes"}`, "replace must be true or false, not a string"},
		{`{"replace": 1}`, "replace must be true or false, not a number"},
		{`{"replace": null}`, "replace must be true or false, not null"},
	} {
		a := do(t, h, http.MethodPut, appPath, tc.body)
		assert.Equal(t, http.StatusBadRequest, a.status, tc.body)
		assert.Equal(t, "InvalidBody", a.body["error"], tc.body)
		msg, _ := a.body["message"].(string)
		assert.Contains(t, msg, tc.message, tc.body)
		for _, goWords := range []string{"Go ", "struct", "json:", "main.", "appSpec", "map[string]string"} {
			assert.NotContains(t, msg, goWords, "a message for people names no Go type: %s", tc.body)
		}
	}
	assert.Empty(t, srv.Requests(), "no refused body sent anything")

	// The same members, spelled right, are a spec; so is whitespace around it.
	a := do(t, h, http.MethodPut, appPath, " \n{\"instanceType\": \"ml.t3.large\", \"tags\": {\"team\": \"ml\"}}\n ")
	assert.Equal(t, http.StatusOK, a.status, a.body)
}

// endless is a body of spaces that never ends, counting what was read of it.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	e.read += int64(len(p))
	return len(p), nil
}

// A 50 MB body is a 413, and no more than the limit of it is read.
func TestPutOfA50MBBodyIsTooLarge(t *testing.T) {
	srv, h := newService(t)
	body := &endless{}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPut, appPath, io.LimitReader(body, 50<<20))
	req.ContentLength = 50 << 20
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), `"error":"BodyTooLarge"`)
	assert.Contains(t, rec.Body.String(), "larger than 64 KiB")
	assert.Less(t, body.read, int64(1<<20), "the handler stopped reading at the limit")
	assert.Empty(t, srv.Requests())
}

// startProgram runs the program with args on 127.0.0.1 and the embedded fake, and returns its URL;
// the program is stopped, and its exit code checked, at cleanup.
func startProgram(t *testing.T, p *program, args ...string) string {
	t.Helper()
	base, _ := startProgramUntil(t, p, nil, args...)
	return base
}

// startProgramUntil is startProgram that also stops the program when stop is closed; the
// channel it returns is closed once the program has exited.
func startProgramUntil(t *testing.T, p *program, stop <-chan struct{}, args ...string) (string, <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	if p.stderr == nil {
		p.stderr = io.Discard
	}
	p.onListen = func(u string) { urls <- u }
	p.fakeOptions = append([]sagemakerfake.Option{sagemakerfake.WithStartupDelay(0)}, p.fakeOptions...)
	exited := make(chan struct{})
	var code int
	go func() {
		defer close(exited)
		code = p.run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...))
	}()
	if stop != nil {
		go func() {
			select {
			case <-stop:
				cancel()
			case <-exited:
			}
		}()
	}
	t.Cleanup(func() {
		cancel()
		<-exited
		assert.Equal(t, 0, code, "the program's exit code")
	})
	select {
	case u := <-urls:
		return u, exited
	case <-exited:
		t.Fatalf("the program exited with %d", code)
		return "", exited
	}
}

// A request whose body stalls has its connection closed once --read-timeout has passed: the
// server does not hold it. The client's own deadline is only a guard against a hang.
func TestAStalledBodyIsCutOffAtTheReadTimeout(t *testing.T) {
	base := startProgram(t, &program{}, "--auth", "none", "--read-timeout", "200ms")
	conns := make([]net.Conn, 5)
	for i := range conns {
		c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		_, err = fmt.Fprintf(c, "PUT %s HTTP/1.1\r\nHost: platform\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{\"tags\": {", appPath)
		require.NoError(t, err)
		conns[i] = c
	}
	for _, c := range conns {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(30*time.Second))) // a guard, far past 200ms
		answer, err := io.ReadAll(c)
		require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the server held a stalled connection open")
		// The handler could not read the body, and says so, before the connection closes.
		assert.Contains(t, string(answer), "400 Bad Request")
		assert.Contains(t, string(answer), "the body could not be read")
	}
}

func TestAuthNoneIsRefusedOffLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "example.com:8080"} {
		var logs syncBuffer
		code := run(context.Background(), []string{"--auth", "none", "-addr", addr}, nil, &logs)
		assert.Equal(t, 2, code, addr)
		assert.Contains(t, logs.String(), "--auth none lets anyone manage any user's apps, and is refused on "+addr, addr)
	}
	var logs syncBuffer
	assert.Equal(t, 2, run(context.Background(), []string{"-addr", "127.0.0.1:0"}, nil, &logs), "--auth oidc needs an issuer")
	assert.Contains(t, logs.String(), "needs --oidc-issuer and --oidc-audience")
	assert.Equal(t, 2, run(context.Background(), []string{"--auth", "ldap"}, nil, &logs))
	assert.Contains(t, logs.String(), `--auth must be oidc or none, not "ldap"`)
}

func TestHelpShowsTheRoutesAndAnExample(t *testing.T) {
	var help syncBuffer
	assert.Equal(t, 0, run(context.Background(), []string{"--help"}, nil, &help))
	for _, want := range []string{
		"PUT    /users/{user}/apps/{type}/{name}",
		"POST   /users/{user}/apps/{type}/{name}/launch-url",
		"?redirect=true",
		"Examples:",
		"platform --auth none",
		"curl -X PUT -H \"Authorization: Bearer $TOKEN\"",
		"-oidc-issuer URL",
		"-max-waits",
		"DELETE /users/{user} ",
		"?deleteSharedSpaces=true",
		`"replace": true`,
		"-delete-timeout",
	} {
		assert.Contains(t, help.String(), want)
	}
}

// At most --max-waits PUTs wait at once; one more is a 503 with Retry-After, and the slot is
// free again once the wait is over.
func TestPutsBeyondTheWaitCapAreBusy(t *testing.T) {
	srv := sagemakerfake.Start(t, sagemakerfake.WithStartupDelay(time.Minute))
	seed(t, srv)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("bob")}))
	waiting, release := make(chan struct{}, 1), make(chan struct{})
	client := sagemakerapp.New(srv.Client(), func(o *sagemakerapp.Options) {
		o.Now = srv.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case waiting <- struct{}{}:
			default:
			}
			select {
			case <-release:
				srv.Advance(d)
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
	h := newHandler(client, handlerConfig{domainID: testDomain, region: srv.Region(), maxWaits: 1})

	const spec = `{"instanceType": "ml.m5.large"}`
	first := make(chan answer, 1)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/users/alice/apps/KernelGateway/default", strings.NewReader(spec)))
		first <- answer{status: rec.Code}
	}()
	select {
	case <-waiting: // the first PUT holds the only slot
	case a := <-first:
		t.Fatalf("the first PUT answered %d without waiting", a.status)
	}
	busy := do(t, h, http.MethodPut, "/users/bob/apps/KernelGateway/default", spec)
	assert.Equal(t, http.StatusServiceUnavailable, busy.status)
	assert.Equal(t, "Busy", busy.body["error"])
	assert.Equal(t, "5", busy.header.Get("Retry-After"))
	assert.Equal(t, http.StatusOK, do(t, h, http.MethodGet, "/users/alice/apps/KernelGateway/default", "").status, "a GET does not wait")
	close(release)
	assert.Equal(t, http.StatusOK, (<-first).status)
	assert.Equal(t, http.StatusOK, do(t, h, http.MethodPut, "/users/alice/apps/KernelGateway/other", spec).status, "the slot is free again")
}

func TestLaunchURLRedirectsOnRequest(t *testing.T) {
	_, h := newService(t)
	require.Equal(t, http.StatusOK, do(t, h, http.MethodPut, appPath, "").status)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, appPath+"/launch-url?redirect=true", nil))
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Header().Get("Location"), sagemakerfake.StudioPath)
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	status, page := fetch(t, rec.Header().Get("Location"))
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `<dd id="space">alice-jupyterlab</dd>`)

	bad := do(t, h, http.MethodPost, appPath+"/launch-url?redirect=maybe", "")
	assert.Equal(t, http.StatusBadRequest, bad.status)
	assert.Equal(t, "InvalidQuery", bad.body["error"])
}

// SageMaker out of reach is a 503 that names the problem, not the endpoint or the dial error.
func TestUnreachableSageMakerShowsNoEndpoint(t *testing.T) {
	srv, _ := newService(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	endpoint := "http://" + closed.Addr().String()
	require.NoError(t, closed.Close()) // nothing listens there now
	client := sagemakerapp.New(srv.Client(func(o *sagemaker.Options) { o.BaseEndpoint = aws.String(endpoint) }))
	h := newHandler(client, handlerConfig{domainID: testDomain, region: srv.Region()})
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/users/alice/apps/KernelGateway/default", nil))
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
		assert.Contains(t, rec.Body.String(), "SageMaker could not be reached")
		for _, secret := range []string{closed.Addr().String(), "dial", "connection refused", "127.0.0.1"} {
			assert.NotContains(t, rec.Body.String(), secret)
		}
	}
}

// A PUT answers after waiting longer than the server's WriteTimeout, which bounds every other
// route: it moves its own write deadline past its wait. The app starts in 300ms of real time, far
// longer than the 20ms WriteTimeout here; without the move, the client would get no answer.
func TestAPutThatWaitsOutlastsTheWriteTimeout(t *testing.T) {
	p := &program{writeTimeout: 20 * time.Millisecond, fakeOptions: []sagemakerfake.Option{sagemakerfake.WithStartupDelay(300 * time.Millisecond)}}
	base := startProgram(t, p, "--auth", "none")
	client := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 60 * time.Second}
	defer client.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodPut, base+"/users/alice/apps/KernelGateway/default", strings.NewReader(`{"instanceType": "ml.t3.medium"}`))
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err, "the PUT's answer was written")
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Contains(t, string(body), `"status":"InService"`)
}

// {type} is one of the four the usage names, spelled as the service spells it: any other type, or
// one of those in another case, is a 400 on every route, and nothing reaches SageMaker.
func TestAnAppTypeThePlatformDoesNotServeIsABadRequest(t *testing.T) {
	srv, h := newService(t)
	for _, tc := range []struct{ appType, message string }{
		{"Canvas", "does not serve Canvas apps"},
		{"RStudioServerPro", "does not serve RStudioServerPro apps"},
		{"RSessionGateway", "does not serve RSessionGateway apps"},
		{"TensorBoard", "does not serve TensorBoard apps"},
		{"DetailedProfiler", "does not serve DetailedProfiler apps"},
		{"Notebook", "must be JupyterLab, CodeEditor, KernelGateway or JupyterServer"},
		{"jupyterlab", "jupyterlab is spelled JupyterLab: app types are case-sensitive"},
		{"JUPYTERLAB", "is spelled JupyterLab"},
		{"codeEditor", "is spelled CodeEditor"},
		{"kernelgateway", "is spelled KernelGateway"},
	} {
		path := "/users/alice/apps/" + tc.appType + "/default"
		for _, r := range []struct{ method, path string }{
			{http.MethodPut, path}, {http.MethodGet, path}, {http.MethodDelete, path}, {http.MethodPost, path + "/launch-url"},
		} {
			a := do(t, h, r.method, r.path, "")
			assert.Equal(t, http.StatusBadRequest, a.status, "%s %s", r.method, r.path)
			assert.Equal(t, "UnsupportedAppType", a.body["error"], "%s %s", r.method, r.path)
			assert.Contains(t, a.body["message"], tc.message, "%s %s", r.method, r.path)
		}
	}
	assert.Empty(t, srv.Requests(), "nothing was sent to SageMaker")
	for _, appType := range servedTypes {
		assert.Empty(t, unservedType(string(appType)), appType)
	}
}

// openFDs counts this process's open file descriptors (Linux), or -1 where /proc is not there.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// A client that stalls sending its body does not turn a clean shutdown into a failure: after the
// grace and the time to answer, its connection is cut off and named in the log, the program
// exits 0, and its file descriptors and goroutines are back to what they were.
func TestAShutdownThatCutsOffAStalledClientExitsZero(t *testing.T) {
	fdsBefore := openFDs(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	var logs syncBuffer
	arrived := make(chan struct{}, 1)
	p := &program{stderr: &logs, answerWait: 50 * time.Millisecond,
		fakeOptions: []sagemakerfake.Option{sagemakerfake.WithStartupDelay(0)}, onListen: func(u string) { urls <- u },
		wrapHandler: func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived <- struct{}{}
				h.ServeHTTP(w, r)
			})
		}}
	exit := make(chan int, 1)
	go func() {
		exit <- p.run(ctx, []string{"--addr", "127.0.0.1:0", "--auth", "none", "--shutdown-grace", "1ms", "--read-timeout", "1h"})
	}()
	base := <-urls

	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer c.Close()
	_, err = fmt.Fprintf(c, "PUT %s HTTP/1.1\r\nHost: platform\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{\"tags\": {", appPath)
	require.NoError(t, err)
	<-arrived // the PUT's handler runs, and will wait for a body that never comes
	cancel()
	code := <-exit
	t.Logf("exit code after a shutdown that cut off a stalled client: %d", code)
	assert.Equal(t, 0, code, logs.String())
	assert.Contains(t, logs.String(), "shutdown cut off connections that had not finished")
	assert.Contains(t, logs.String(), c.LocalAddr().String(), "the log names the straggler")
	assert.NotContains(t, logs.String(), "level=ERROR")

	require.NoError(t, c.SetReadDeadline(time.Now().Add(30*time.Second))) // a guard against a hang
	_, err = io.ReadAll(c)
	require.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the connection was closed")
	require.NoError(t, c.Close())
	if fdsBefore >= 0 {
		assert.Equal(t, fdsBefore, openFDs(t), "file descriptors are back to their start")
	}
}
