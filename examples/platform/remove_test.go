package main

// Removing a person (issue 23): DELETE /users/{user}, for administrators, answered at once and run
// in the background with DeleteUser.

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// platform is one run of the platform over a fake: its handler, its removals, and its log.
type platform struct {
	h    http.Handler
	rm   *removals
	stop context.CancelFunc // ends the removals, as a shutdown does
	logs *syncBuffer
}

// startPlatform serves srv's test domain behind iss's tokens (alice and bob are users, the group
// admins are administrators). sleep, if set, is the client's Sleep; by default the waits move the
// fake's clock. The removals end and are waited for at cleanup.
func startPlatform(t *testing.T, srv *sagemakerfake.Server, iss *issuer, sleep func(context.Context, time.Duration) error) *platform {
	t.Helper()
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
	}
	transport := &http.Transport{Proxy: nil}
	t.Cleanup(transport.CloseIdleConnections)
	auth, err := newOIDCAuth(context.Background(), oidcConfig{issuer: iss.url, audience: testAudience,
		userClaim: "sub", groupClaim: "groups", adminGroup: "admins"}, &http.Client{Transport: transport, Timeout: 10 * time.Second}, nopLogger())
	require.NoError(t, err)
	client := sagemakerapp.New(srv.Client(), func(o *sagemakerapp.Options) { o.Now, o.Sleep = srv.Now, sleep })
	p := &platform{logs: &syncBuffer{}}
	log := slog.New(slog.NewTextHandler(p.logs, nil))
	ctx, stop := context.WithCancel(context.Background())
	p.rm, p.stop = newRemovals(ctx, time.Hour, log), stop
	t.Cleanup(func() { stop(); p.rm.wait() })
	p.h = newHandler(client, handlerConfig{domainID: testDomain, region: srv.Region(), auth: auth, removals: p.rm, log: log})
	return p
}

// people is a fake whose domain has alice and bob, and an issuer for their tokens.
func people(t *testing.T, opts ...sagemakerfake.Option) (*sagemakerfake.Server, *issuer) {
	t.Helper()
	srv := sagemakerfake.Start(t, opts...)
	seed(t, srv)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("bob")}))
	return srv, startIssuer(t)
}

// studioOf gives each of users, through p, a JupyterLab app in their private space, bob also a
// CodeEditor one in his second space and a Studio Classic KernelGateway app on his profile.
func studioOf(t *testing.T, p *platform, admin string, users ...string) {
	t.Helper()
	for _, u := range users {
		paths := []string{"/users/" + u + "/apps/JupyterLab/default"}
		if u == "bob" {
			paths = append(paths, "/users/bob/apps/CodeEditor/default", "/users/bob/apps/KernelGateway/datascience")
		}
		for _, path := range paths {
			body := `{"instanceType": "ml.t3.medium"}`
			a := doAs(t, p.h, admin, http.MethodPut, path, body)
			require.Equal(t, http.StatusOK, a.status, "%s: %v", path, a.body)
		}
	}
}

// live is what the fake holds that is not gone: "app <space or user>/<name>", "space <name>",
// "user <name>".
func live(t *testing.T, srv *sagemakerfake.Server) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, a := range srv.Apps() {
		if a.Status != types.AppStatusDeleted && a.Status != types.AppStatusFailed {
			out["app "+a.SpaceName+a.UserProfileName+"/"+a.AppName] = true
		}
	}
	for sp, err := range sagemakerapp.New(srv.Client()).Spaces(context.Background(), sagemakerapp.SpaceFilter{DomainID: testDomain}) {
		require.NoError(t, err)
		out["space "+sp.Name] = true
	}
	for _, u := range []string{"alice", "bob", "carol", "dave", "erin"} {
		if _, err := srv.Client().DescribeUserProfile(context.Background(), &sagemaker.DescribeUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(u)}); err == nil {
			out["user "+u] = true
		}
	}
	return out
}

var alicesStudio = map[string]bool{"app alice-jupyterlab/default": true, "space alice-jupyterlab": true, "user alice": true}

// Only an administrator removes a person: alice may remove neither bob nor herself (403), nobody
// without a token (401), and none of it sends anything. An administrator's DELETE answers 202 at
// once, naming bob's spaces, and the removal then takes bob's apps, spaces and profile, and nothing
// of alice's.
func TestOnlyAnAdministratorRemovesAPerson(t *testing.T) {
	srv, iss := people(t)
	p := startPlatform(t, srv, iss, nil)
	admin := "Bearer " + iss.token(t, "carol", "admins")
	studioOf(t, p, admin, "alice", "bob")
	sent := len(srv.Requests())

	for _, tc := range []struct{ authorization, path string }{
		{"Bearer " + iss.token(t, "alice"), "/users/bob"},
		{"Bearer " + iss.token(t, "alice"), "/users/alice"},
		{"Bearer " + iss.token(t, "bob", "ml-users"), "/users/bob"},
	} {
		a := doAs(t, p.h, tc.authorization, http.MethodDelete, tc.path, "")
		assert.Equal(t, http.StatusForbidden, a.status, tc.path)
		assert.Equal(t, "Forbidden", a.body["error"])
		assert.Contains(t, a.body["message"], "only an administrator")
		assert.Contains(t, a.header.Get("WWW-Authenticate"), `error="insufficient_scope"`)
	}
	assert.Equal(t, http.StatusUnauthorized, doAs(t, p.h, "", http.MethodDelete, "/users/bob", "").status)
	assert.Len(t, srv.Requests(), sent, "a refused DELETE sends nothing")
	assert.Equal(t, map[string]bool{"app bob-jupyterlab/default": true, "app bob-codeeditor/default": true, "app bob/datascience": true,
		"space bob-jupyterlab": true, "space bob-codeeditor": true, "user bob": true, "app alice-jupyterlab/default": true,
		"space alice-jupyterlab": true, "user alice": true}, live(t, srv))

	a := doAs(t, p.h, admin, http.MethodDelete, "/users/bob", "")
	require.Equal(t, http.StatusAccepted, a.status, a.body)
	assert.Equal(t, "bob", a.body["user"])
	assert.Equal(t, "started", a.body["state"])
	assert.Equal(t, false, a.body["deleteSharedSpaces"])
	assert.ElementsMatch(t, []any{"bob-jupyterlab", "bob-codeeditor"}, a.body["spaces"])
	p.rm.wait()
	assert.Equal(t, alicesStudio, live(t, srv), "bob's apps, spaces and profile are gone; alice's stay")
	assert.Equal(t, 1, calls(srv, "DeleteUserProfile"))
	assert.Contains(t, p.logs.String(), "msg=\"removing user\" user=bob by=carol")
	assert.Contains(t, p.logs.String(), "msg=\"user removed\" user=bob")

	// A person gone already is no error: the removal finds nothing to do.
	again := doAs(t, p.h, admin, http.MethodDelete, "/users/bob", "")
	require.Equal(t, http.StatusAccepted, again.status, again.body)
	assert.Equal(t, []any{}, again.body["spaces"])
	p.rm.wait()
	assert.Equal(t, 1, calls(srv, "DeleteUserProfile"), "nothing more was deleted")
	assert.Equal(t, alicesStudio, live(t, srv))
}

// A person who owns a shared space is a 409 that names it, answered before the 202, and nothing is
// deleted; ?deleteSharedSpaces=true removes it with the rest.
func TestRemovingAPersonWhoOwnsASharedSpaceIsAConflict(t *testing.T) {
	srv, iss := people(t)
	p := startPlatform(t, srv, iss, nil)
	admin := "Bearer " + iss.token(t, "carol", "admins")
	studioOf(t, p, admin, "alice", "bob")
	require.NoError(t, srv.SeedSpace(&sagemaker.CreateSpaceInput{DomainId: aws.String(testDomain), SpaceName: aws.String("team"),
		OwnershipSettings:    &types.OwnershipSettings{OwnerUserProfileName: aws.String("bob")},
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared},
		SpaceSettings:        &types.SpaceSettings{AppType: types.AppTypeJupyterLab}}))
	before := live(t, srv)

	a := doAs(t, p.h, admin, http.MethodDelete, "/users/bob", "")
	assert.Equal(t, http.StatusConflict, a.status, a.body)
	assert.Equal(t, "SharedSpaces", a.body["error"])
	assert.Equal(t, []any{"team"}, a.body["spaces"])
	assert.Contains(t, a.body["message"], "?deleteSharedSpaces=true")
	assert.Contains(t, a.body["message"], "nothing was deleted")
	assert.Nil(t, p.rm.running("bob"), "no removal started")
	assert.Zero(t, calls(srv, "DeleteApp")+calls(srv, "DeleteSpace")+calls(srv, "DeleteUserProfile"))
	assert.Equal(t, before, live(t, srv))

	a = doAs(t, p.h, admin, http.MethodDelete, "/users/bob?deleteSharedSpaces=true", "")
	require.Equal(t, http.StatusAccepted, a.status, a.body)
	assert.Equal(t, true, a.body["deleteSharedSpaces"])
	assert.ElementsMatch(t, []any{"bob-jupyterlab", "bob-codeeditor", "team"}, a.body["spaces"])
	p.rm.wait()
	assert.Equal(t, alicesStudio, live(t, srv))
}

// Must show (the platform's part): a removal cut short (here the platform stops while it waits for
// bob's apps to stop, as a crash or a shutdown would) leaves what it did not reach, says so in the
// log, and the same DELETE, on the platform started again, finishes it.
func TestARemovalCutShortIsFinishedByTheNextDelete(t *testing.T) {
	srv, iss := people(t)
	var armed atomic.Bool
	var crash func()
	first := startPlatform(t, srv, iss, func(ctx context.Context, d time.Duration) error {
		// The crash comes at the first pause after a DeleteApp was sent: while bob's apps stop.
		if armed.Load() && calls(srv, "DeleteApp") > 0 {
			crash()
			<-ctx.Done()
			return ctx.Err()
		}
		srv.Advance(d)
		return ctx.Err()
	})
	crash = first.stop
	admin := "Bearer " + iss.token(t, "carol", "admins")
	studioOf(t, first, admin, "alice", "bob")

	armed.Store(true)
	require.Equal(t, http.StatusAccepted, doAs(t, first.h, admin, http.MethodDelete, "/users/bob", "").status)
	first.rm.wait()
	left := live(t, srv)
	assert.True(t, left["user bob"], "the profile goes last, and was not reached: %v", left)
	assert.True(t, left["space bob-jupyterlab"] || left["space bob-codeeditor"], "bob's spaces remain: %v", left)
	assert.Positive(t, calls(srv, "DeleteApp"), "the removal had begun")
	assert.Contains(t, first.logs.String(), "removing user stopped by the shutdown; DELETE the user again to finish")

	second := startPlatform(t, srv, iss, nil)
	a := doAs(t, second.h, admin, http.MethodDelete, "/users/bob", "")
	require.Equal(t, http.StatusAccepted, a.status, a.body)
	assert.Equal(t, "started", a.body["state"])
	second.rm.wait()
	assert.Equal(t, alicesStudio, live(t, srv))
	assert.Contains(t, second.logs.String(), "msg=\"user removed\" user=bob")
}

// A DELETE of a person whose removal runs joins it: 202 "running", the same start, and nothing
// more is listed or deleted; meanwhile a PUT for that person is a 409. The removal runs once.
func TestADeleteWhileTheRemovalRunsJoinsIt(t *testing.T) {
	srv, iss := people(t)
	var held atomic.Bool
	release := make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce)
	p := startPlatform(t, srv, iss, func(ctx context.Context, d time.Duration) error {
		if held.Load() {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		srv.Advance(d)
		return ctx.Err()
	})
	admin := "Bearer " + iss.token(t, "carol", "admins")
	studioOf(t, p, admin, "bob")
	listed := calls(srv, "ListSpaces")

	held.Store(true)
	first := doAs(t, p.h, admin, http.MethodDelete, "/users/bob", "")
	require.Equal(t, http.StatusAccepted, first.status, first.body)
	assert.Equal(t, "started", first.body["state"])
	second := doAs(t, p.h, admin, http.MethodDelete, "/users/Bob?deleteSharedSpaces=true", "")
	require.Equal(t, http.StatusAccepted, second.status, second.body)
	assert.Equal(t, "running", second.body["state"], "profile names are not case-sensitive: Bob is bob")
	assert.Equal(t, first.body["started"], second.body["started"])
	assert.Equal(t, false, second.body["deleteSharedSpaces"], "the removal that runs, as it was asked")

	put := doAs(t, p.h, admin, http.MethodPut, "/users/bob/apps/JupyterLab/default", "")
	assert.Equal(t, http.StatusConflict, put.status, put.body)
	assert.Equal(t, "UserBeingRemoved", put.body["error"])

	releaseOnce()
	p.rm.wait()
	assert.Equal(t, listed+2, calls(srv, "ListSpaces"), "the first DELETE's check and its removal's listing; the joined one listed nothing")
	assert.Equal(t, 1, calls(srv, "DeleteUserProfile"))
	assert.Equal(t, map[string]bool{"user alice": true}, live(t, srv))
}

// At most maxRemovals run at once: one more is a 503 with Retry-After, which starts nothing.
func TestRemovalsBeyondTheCapAreBusy(t *testing.T) {
	srv, iss := people(t)
	users := []string{"alice", "bob", "carol", "dave", "erin"}
	for _, u := range users[2:] {
		require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String(u)}))
	}
	release := make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce)
	p := startPlatform(t, srv, iss, func(ctx context.Context, d time.Duration) error {
		select { // every removal waits here once its profile's delete is sent
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		srv.Advance(d)
		return ctx.Err()
	})
	admin := "Bearer " + iss.token(t, "root", "admins")
	for _, u := range users[:maxRemovals] {
		require.Equal(t, http.StatusAccepted, doAs(t, p.h, admin, http.MethodDelete, "/users/"+u, "").status, u)
	}
	a := doAs(t, p.h, admin, http.MethodDelete, "/users/"+users[maxRemovals], "")
	assert.Equal(t, http.StatusServiceUnavailable, a.status, a.body)
	assert.Equal(t, "Busy", a.body["error"])
	assert.Equal(t, "5", a.header.Get("Retry-After"))
	assert.Nil(t, p.rm.running(users[maxRemovals]))
	releaseOnce()
	p.rm.wait()
	assert.Equal(t, map[string]bool{"user " + users[maxRemovals]: true}, live(t, srv))
}

// The route's input is checked before anything is sent: one query parameter, deleteSharedSpaces,
// true or false; a {user} that is a user profile name.
func TestARemovalsQueryAndUserAreChecked(t *testing.T) {
	srv, iss := people(t)
	p := startPlatform(t, srv, iss, nil)
	admin := "Bearer " + iss.token(t, "carol", "admins")
	for path, code := range map[string]string{
		"/users/bob?deleteSharedSpaces=maybe":                         "InvalidQuery",
		"/users/bob?force=true":                                       "InvalidQuery",
		"/users/bob?deleteSharedSpaces=true&deleteSharedSpaces=false": "InvalidQuery",
		"/users/bob_1": "InvalidInput",
		"/users/-bob":  "InvalidInput",
	} {
		a := doAs(t, p.h, admin, http.MethodDelete, path, "")
		assert.Equal(t, http.StatusBadRequest, a.status, path)
		assert.Equal(t, code, a.body["error"], path)
	}
	assert.Empty(t, srv.Requests())
}

// The program over HTTP with --auth none: DELETE /users/{user} answers 202; a shutdown while the
// removal still runs (the fake takes an hour to delete an app) stops it, logs it, and exits 0
// with no goroutine left (TestMain's goleak).
func TestRunStopsARemovalAtShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	var logs syncBuffer
	p := &program{stderr: &logs, fakeOptions: []sagemakerfake.Option{sagemakerfake.WithStartupDelay(0), sagemakerfake.WithDeleteDelay(time.Hour)},
		onListen: func(u string) { urls <- u }}
	exit := make(chan int, 1)
	go func() {
		exit <- p.run(ctx, []string{"--addr", "127.0.0.1:0", "--auth", "none", "--shutdown-grace", "1ms"})
	}()
	base := <-urls
	client := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	send := func(method, path, body string) int {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusOK, send(http.MethodPut, "/users/bob/apps/JupyterLab/default", `{"storageGiB": 10}`))
	require.Equal(t, http.StatusAccepted, send(http.MethodDelete, "/users/bob", ""))
	cancel()
	assert.Equal(t, 0, <-exit)
	assert.Contains(t, logs.String(), "msg=\"removing user\" user=bob")
	assert.Contains(t, logs.String(), "removing user stopped by the shutdown")
}
