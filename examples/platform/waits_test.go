package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// heldService is a platform with --max-waits maxWaits over a fake whose apps take a minute to
// start, and whose client's waits block until release is called (at cleanup at the latest): a
// PUT that reaches its wait stays there, and signals waiting once it does.
func heldService(t *testing.T, maxWaits int) (srv *sagemakerfake.Server, h http.Handler, waiting <-chan struct{}, release func()) {
	t.Helper()
	srv = sagemakerfake.Start(t, sagemakerfake.WithStartupDelay(time.Minute))
	seed(t, srv)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("bob")}))
	w, released := make(chan struct{}, 64), make(chan struct{})
	release = sync.OnceFunc(func() { close(released) })
	t.Cleanup(release)
	client := sagemakerapp.New(srv.Client(), func(o *sagemakerapp.Options) {
		o.Now = srv.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case w <- struct{}{}:
			default:
			}
			select {
			case <-released:
				srv.Advance(d)
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
	return srv, newHandler(client, handlerConfig{domainID: testDomain, region: srv.Region(), maxWaits: maxWaits}), w, release
}

// put sends a PUT of spec to path in the background; its answer arrives on the channel.
func put(h http.Handler, path, spec string) <-chan answer {
	out := make(chan answer, 1)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, path, strings.NewReader(spec)))
		out <- answer{status: rec.Code, header: rec.Header()}
	}()
	return out
}

// One person cannot hold every wait: with --max-waits 4, alice's four concurrent PUTs of one app
// share one wait, her PUT of another app is a 429 once she holds her share (one of four), and bob
// still gets his wait and his app.
func TestOneCallerCannotHoldEveryWait(t *testing.T) {
	srv, h, waiting, release := heldService(t, 4)
	const spec = `{"instanceType": "ml.m5.large"}`
	alicesApp := "/users/alice/apps/KernelGateway/default"

	var alices []<-chan answer
	for range 4 {
		alices = append(alices, put(h, alicesApp, spec))
	}
	<-waiting // alice's app is Pending and her PUTs wait for it

	other := do(t, h, http.MethodPut, "/users/alice/apps/KernelGateway/other", spec)
	assert.Equal(t, http.StatusTooManyRequests, other.status, "alice holds her share")
	assert.Equal(t, "TooManyWaits", other.body["error"])
	assert.Equal(t, "5", other.header.Get("Retry-After"))

	bobs := put(h, "/users/bob/apps/KernelGateway/default", spec)
	var bob answer
	select {
	case <-waiting: // bob's PUT waits too: it was let in
		release()
		bob = <-bobs
	case bob = <-bobs:
		release()
	}
	t.Logf("bob's answer while alice holds her share: %d", bob.status)
	assert.Equal(t, http.StatusOK, bob.status, "bob gets his app")
	for i, a := range alices {
		assert.Equal(t, http.StatusOK, (<-a).status, "alice's PUT %d", i)
	}
	assert.Equal(t, 2, createCalls(srv), "one CreateApp for alice's four PUTs, one for bob's")
	assert.Equal(t, http.StatusOK, do(t, h, http.MethodPut, "/users/alice/apps/KernelGateway/other", spec).status, "alice's share is free again")
}

// PUTs of one app that differ in their body do not share a wait: each is its own request.
func TestPutsWithAnotherBodyDoNotShareAWait(t *testing.T) {
	_, h, waiting, release := heldService(t, 8) // a share of two
	app := "/users/alice/apps/KernelGateway/default"
	first := put(h, app, `{"instanceType": "ml.m5.large"}`)
	<-waiting
	second := put(h, app, `{"instanceType": "ml.m5.large", "tags": {"team": "ml"}}`)
	<-waiting
	third := do(t, h, http.MethodPut, app, `{"instanceType": "ml.m5.xlarge"}`)
	assert.Equal(t, http.StatusTooManyRequests, third.status, "two bodies, two waits: alice's share of two")
	release()
	assert.Equal(t, http.StatusOK, (<-first).status)
	assert.Equal(t, http.StatusOK, (<-second).status, "the same spec with a tag more adopts the app")
}

// A caller that leaves stops only their own wait for a shared one; the wait itself ends when the
// last PUT that wants it has left, and its slot is free again.
func TestASharedWaitEndsWhenItsLastPutLeaves(t *testing.T) {
	_, h, waiting, release := heldService(t, 4)
	app := "/users/alice/apps/KernelGateway/default"
	const spec = `{"instanceType": "ml.m5.large"}`
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, ctx := range []context.Context{ctx1, ctx2} {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, app, strings.NewReader(spec)).WithContext(ctx))
			statuses[i] = rec.Code
		})
	}
	<-waiting
	cancel1()
	cancel2()
	wg.Wait()
	assert.Equal(t, []int{http.StatusServiceUnavailable, http.StatusServiceUnavailable}, statuses, "each answers Canceled")
	second := put(h, "/users/alice/apps/KernelGateway/other", spec)
	<-waiting // let in: the canceled wait gave its slot back
	assert.Empty(t, second, "and waits")
	// The PUT ends before the test does (goleak, in TestMain, counts what is left running).
	release()
	assert.Equal(t, http.StatusOK, (<-second).status)
}

func TestCallerShare(t *testing.T) {
	for maxWaits, want := range map[int]int{1: 1, 3: 1, 4: 1, 8: 2, 32: 8, 256: 8} {
		assert.Equal(t, want, callerShare(maxWaits), "--max-waits %d", maxWaits)
	}
}
