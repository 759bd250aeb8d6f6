package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// rsaKeys are the test's signing keys: the issuer's, and another that no JWKS holds. Made once,
// since a 2048-bit key takes a while on a loaded machine.
var rsaKeys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	issuer, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return issuer, other
})

const testAudience = "sagemaker-platform"

// issuer is a local OpenID Connect issuer: a discovery document and a JWKS holding one RSA key
// that the test made, on 127.0.0.1. It counts the fetches of its JWKS, and the test may publish
// more keys.
type issuer struct {
	url     string
	key     *rsa.PrivateKey
	fetches atomic.Int64

	mu    sync.Mutex
	extra []jose.JSONWebKey // published beside the issuer's key
}

// publish adds key to the JWKS under kid.
func (iss *issuer) publish(key *rsa.PrivateKey, kid string) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.extra = append(iss.extra, jose.JSONWebKey{Key: &key.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"})
}

func startIssuer(t *testing.T) *issuer {
	t.Helper()
	key, _ := rsaKeys()
	iss := &issuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer": iss.url, "jwks_uri": iss.url + "/keys",
			"authorization_endpoint": iss.url + "/auth", "token_endpoint": iss.url + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		iss.fetches.Add(1)
		iss.mu.Lock()
		keys := append([]jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "issuer-key", Algorithm: "RS256", Use: "sig"}}, iss.extra...)
		iss.mu.Unlock()
		writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: keys})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss.url = srv.URL
	require.True(t, strings.HasPrefix(iss.url, "http://127.0.0.1:"))
	return iss
}

// claims are a token's claims for user, valid for an hour, for the platform.
func (iss *issuer) claims(user string, groups ...string) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": iss.url, "aud": testAudience, "sub": user, "preferred_username": user,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	if groups != nil {
		c["groups"] = groups
	}
	return c
}

// sign makes a compact JWS of claims, signed by key under the key ID kid.
func sign(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	require.NoError(t, err)
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	jws, err := signer.Sign(payload)
	require.NoError(t, err)
	raw, err := jws.CompactSerialize()
	require.NoError(t, err)
	return raw
}

func (iss *issuer) token(t *testing.T, user string, groups ...string) string {
	return sign(t, iss.key, "issuer-key", iss.claims(user, groups...))
}

// newAuthService is newService behind OIDC authentication by iss: alice and bob are user
// profiles, each the sub of their token, and members of the group admins are administrators.
func newAuthService(t *testing.T, iss *issuer, opts ...sagemakerfake.Option) (*sagemakerfake.Server, http.Handler) {
	t.Helper()
	srv, h, _ := newAuthServiceWith(t, iss, nil, opts...)
	return srv, h
}

// newAuthServiceWith is newAuthService with users as --user-map, that also returns the
// authenticator.
func newAuthServiceWith(t *testing.T, iss *issuer, users map[string]string, opts ...sagemakerfake.Option) (*sagemakerfake.Server, http.Handler, *oidcAuth) {
	t.Helper()
	srv, _ := newService(t, opts...)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("bob")}))
	transport := &http.Transport{Proxy: nil}
	t.Cleanup(transport.CloseIdleConnections)
	auth, err := newOIDCAuth(context.Background(), oidcConfig{issuer: iss.url, audience: testAudience,
		userClaim: "sub", users: users, groupClaim: "groups", adminGroup: "admins"}, &http.Client{Transport: transport, Timeout: 10 * time.Second}, nopLogger())
	require.NoError(t, err)
	client := sagemakerapp.New(srv.Client(), func(o *sagemakerapp.Options) {
		o.Now = srv.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
	})
	return srv, newHandler(client, handlerConfig{domainID: testDomain, region: srv.Region(), auth: auth}), auth
}

// doAs is do with an Authorization header ("" for none).
func doAs(t *testing.T, h http.Handler, authorization, method, path, body string) answer {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code, header: rec.Header()}
	if rec.Body.Len() > 0 {
		require.Equal(t, "application/json", rec.Header().Get("Content-Type"), rec.Body.String())
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a.body), rec.Body.String())
	}
	return a
}

func TestRequestsWithoutAValidTokenAreUnauthorized(t *testing.T) {
	iss := startIssuer(t)
	srv, h := newAuthService(t, iss)
	_, otherKey := rsaKeys()
	expired := iss.claims("alice")
	expired["exp"] = time.Now().Add(-time.Minute).Unix()
	wrongAudience := iss.claims("alice")
	wrongAudience["aud"] = "another-service"
	wrongIssuer := iss.claims("alice")
	wrongIssuer["iss"] = "http://127.0.0.1:1/another-issuer"
	noUser := iss.claims("alice")
	delete(noUser, "sub")

	for _, tc := range []struct {
		name, authorization string
		invalidToken        bool   // the challenge says invalid_token
		message             string // in the body's message
	}{
		{"no token", "", false, "Authorization: Bearer"},
		{"another scheme", "Basic YWxpY2U6c2VjcmV0", false, "Authorization: Bearer"},
		{"an empty token", "Bearer ", true, "no token"},
		{"not a JWT", "Bearer not-a-jwt", true, "not a JWT signed by one of the issuer's keys"},
		{"expired", "Bearer " + sign(t, iss.key, "issuer-key", expired), true, "expired"},
		{"another audience", "Bearer " + sign(t, iss.key, "issuer-key", wrongAudience), true, "another audience"},
		{"another issuer", "Bearer " + sign(t, iss.key, "issuer-key", wrongIssuer), true, "another issuer"},
		{"signed by another key, same key ID", "Bearer " + sign(t, otherKey, "issuer-key", iss.claims("alice")), true, "not a JWT signed by one of the issuer's keys"},
		{"signed by another key, unknown key ID", "Bearer " + sign(t, otherKey, "other-key", iss.claims("alice")), true, "not a JWT signed by one of the issuer's keys"},
		{"no user claim", "Bearer " + sign(t, iss.key, "issuer-key", noUser), true, "no sub claim"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{http.MethodPut, http.MethodGet, http.MethodDelete} {
				a := doAs(t, h, tc.authorization, method, appPath, "")
				assert.Equal(t, http.StatusUnauthorized, a.status, a.body)
				challenge := a.header.Get("WWW-Authenticate")
				assert.True(t, strings.HasPrefix(challenge, `Bearer realm="sagemaker-platform"`), challenge)
				assert.Equal(t, tc.invalidToken, strings.Contains(challenge, `error="invalid_token"`), challenge)
				assert.Contains(t, a.body["message"], tc.message)
			}
			a := doAs(t, h, tc.authorization, http.MethodPost, appPath+"/launch-url", "")
			assert.Equal(t, http.StatusUnauthorized, a.status, "the launch URL is protected too")
		})
	}
	assert.Empty(t, srv.Requests(), "nothing reached SageMaker")
}

func TestACallerManagesOnlyTheirOwnApps(t *testing.T) {
	iss := startIssuer(t)
	srv, h := newAuthService(t, iss)
	alice, bob := "Bearer "+iss.token(t, "alice", "ml-users"), "Bearer "+iss.token(t, "bob")
	bobsApp := "/users/bob/apps/JupyterLab/default"

	for _, tc := range []struct{ method, path string }{
		{http.MethodPut, bobsApp}, {http.MethodGet, bobsApp}, {http.MethodDelete, bobsApp}, {http.MethodPost, bobsApp + "/launch-url"},
	} {
		a := doAs(t, h, alice, tc.method, tc.path, "")
		assert.Equal(t, http.StatusForbidden, a.status, "%s %s: %v", tc.method, tc.path, a.body)
		assert.Equal(t, "Forbidden", a.body["error"])
		assert.Contains(t, a.body["message"], "alice may manage only their own")
		assert.Contains(t, a.header.Get("WWW-Authenticate"), `error="insufficient_scope"`)
	}
	assert.Empty(t, srv.Requests(), "a forbidden request sends nothing")

	a := doAs(t, h, alice, http.MethodPut, appPath, "")
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Equal(t, "alice-jupyterlab", a.body["space"])
	assert.Equal(t, http.StatusOK, doAs(t, h, alice, http.MethodGet, appPath, "").status)
	assert.Equal(t, http.StatusForbidden, doAs(t, h, bob, http.MethodDelete, appPath, "").status, "bob cannot delete alice's app")
	assert.Equal(t, "InService", doAs(t, h, alice, http.MethodGet, appPath, "").body["status"])
}

func TestAnAdministratorManagesAnyonesApps(t *testing.T) {
	iss := startIssuer(t)
	_, h := newAuthService(t, iss)
	admin := "Bearer " + iss.token(t, "carol", "ml-users", "admins")
	bobsApp := "/users/bob/apps/KernelGateway/default"
	a := doAs(t, h, admin, http.MethodPut, bobsApp, `{"instanceType": "ml.t3.medium"}`)
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Equal(t, "bob", a.body["user"])
	assert.Equal(t, http.StatusOK, doAs(t, h, admin, http.MethodGet, bobsApp, "").status)
	assert.Equal(t, http.StatusAccepted, doAs(t, h, admin, http.MethodDelete, bobsApp, "").status)

	// Issuers send one group as a string, too.
	oneGroup := iss.claims("dave")
	oneGroup["groups"] = "admins"
	assert.Equal(t, http.StatusOK, doAs(t, h, "Bearer "+sign(t, iss.key, "issuer-key", oneGroup), http.MethodGet, bobsApp, "").status)
	// A group of another name is no administrator's.
	assert.Equal(t, http.StatusForbidden, doAs(t, h, "Bearer "+iss.token(t, "dave", "admins-not"), http.MethodGet, bobsApp, "").status)
}

// An issuer that cannot be reached stops the program at start, with the cause in the log.
func TestRunWithAnUnreachableIssuerFails(t *testing.T) {
	var logs syncBuffer
	code := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--oidc-issuer", "http://127.0.0.1:1", "--oidc-audience", testAudience}, nil, &logs)
	assert.Equal(t, 1, code)
	assert.Contains(t, logs.String(), "discovery document of http://127.0.0.1:1")
}

// The program with an issuer, over HTTP: the challenge reaches a client that sends no token,
// and alice's token gets her app.
func TestRunAuthenticatesWithTheIssuer(t *testing.T) {
	iss := startIssuer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	var logs syncBuffer
	p := &program{stderr: &logs, fakeOptions: []sagemakerfake.Option{sagemakerfake.WithStartupDelay(0)}, onListen: func(u string) { urls <- u }}
	exit := make(chan int, 1)
	go func() {
		exit <- p.run(ctx, []string{"--addr", "127.0.0.1:0", "--oidc-issuer", iss.url, "--oidc-audience", testAudience, "--admin-group", "admins"})
	}()
	var base string
	select {
	case base = <-urls:
	case code := <-exit:
		t.Fatalf("the program exited with %d: %s", code, logs.String())
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()

	resp, err := client.Get(base + "/users/alice/apps/KernelGateway/default")
	require.NoError(t, err)
	var body errorBody
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, `Bearer realm="sagemaker-platform"`, resp.Header.Get("WWW-Authenticate"))
	assert.Equal(t, "Unauthorized", body.Error)

	req, err := http.NewRequest(http.MethodPut, base+"/users/alice/apps/KernelGateway/default", strings.NewReader(`{"instanceType": "ml.t3.medium"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+iss.token(t, "alice"))
	resp, err = client.Do(req)
	require.NoError(t, err)
	var app appView
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&app))
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "InService", app.Status)

	// By default the user profile is the token's sub: preferred_username alice is not alice.
	impostor := iss.claims("alice")
	impostor["sub"] = "mallory"
	req, err = http.NewRequest(http.MethodDelete, base+"/users/alice/apps/KernelGateway/default", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+sign(t, iss.key, "issuer-key", impostor))
	resp, err = client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "a token of another subject named alice")

	cancel()
	assert.Equal(t, 0, <-exit)
	assert.Contains(t, logs.String(), "authenticating callers with OpenID Connect")
}

// Tokens the platform refuses do not make it fetch the issuer's keys: not one with a key ID the
// issuer never published, not one signed by another key under the issuer's key ID, not one from
// another issuer. Before, each such token cost two fetches (the verifier's, then the diagnosis's).
func TestRefusedTokensDoNotDriveTheIssuer(t *testing.T) {
	iss := startIssuer(t)
	_, h := newAuthService(t, iss)
	_, otherKey := rsaKeys()
	alice := "Bearer " + iss.token(t, "alice")
	require.Equal(t, http.StatusNotFound, doAs(t, h, alice, http.MethodGet, appPath, "").status, "a valid token works")

	wrongIssuer := iss.claims("alice")
	wrongIssuer["iss"] = "http://127.0.0.1:1/another-issuer"
	for _, tc := range []struct {
		name  string
		token func(i int) string
	}{
		{"unknown key IDs", func(i int) string { return sign(t, otherKey, fmt.Sprintf("forged-%d", i), iss.claims("alice")) }},
		{"another key under the issuer's key ID", func(int) string { return sign(t, otherKey, "issuer-key", iss.claims("alice")) }},
		{"no key ID", func(int) string { return sign(t, otherKey, "", iss.claims("alice")) }},
		{"another issuer, unknown key ID", func(i int) string { return sign(t, otherKey, fmt.Sprintf("other-%d", i), wrongIssuer) }},
	} {
		before := iss.fetches.Load()
		for i := range 50 {
			a := doAs(t, h, "Bearer "+tc.token(i), http.MethodGet, appPath, "")
			require.Equal(t, http.StatusUnauthorized, a.status, tc.name)
			assert.Contains(t, a.body["message"], "not a JWT signed by one of the issuer's keys", tc.name)
		}
		fetched := iss.fetches.Load() - before
		t.Logf("%s: %d JWKS fetches for 50 refused tokens", tc.name, fetched)
		assert.Zero(t, fetched, tc.name)
	}
	assert.Equal(t, http.StatusNotFound, doAs(t, h, alice, http.MethodGet, appPath, "").status, "a valid token still works")
}

// A key the issuer starts signing with is read within jwksMinInterval of its first token; reads
// that tokens cause are at most one per interval however many tokens come, and a key ID that a
// read did not find is not looked for again for jwksKeyInterval.
func TestTheIssuersKeysAreReadAgainAtMostOncePerInterval(t *testing.T) {
	iss := startIssuer(t)
	_, h, auth := newAuthServiceWith(t, iss, nil)
	var mu sync.Mutex
	now := time.Now()
	auth.keys.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	_, newKey := rsaKeys()
	iss.publish(newKey, "rotated")
	rotated := "Bearer " + sign(t, newKey, "rotated", iss.claims("alice"))
	forged := func(kid string) string {
		return "Bearer " + sign(t, newKey, kid, iss.claims("alice")) // a key the issuer never published under kid
	}
	start := iss.fetches.Load()
	reads := func() int64 { return iss.fetches.Load() - start }

	assert.Equal(t, http.StatusUnauthorized, doAs(t, h, rotated, http.MethodGet, appPath, "").status, "the keys were read at start, a moment ago")
	assert.Zero(t, reads())
	advance(jwksMinInterval)
	assert.Equal(t, http.StatusNotFound, doAs(t, h, rotated, http.MethodGet, appPath, "").status, "the new key is read, and the token accepted")
	assert.Equal(t, int64(1), reads())

	for i := range 50 {
		require.Equal(t, http.StatusUnauthorized, doAs(t, h, forged(fmt.Sprintf("forged-%d", i)), http.MethodGet, appPath, "").status)
	}
	assert.Equal(t, int64(1), reads(), "none within the interval")
	advance(jwksMinInterval)
	for i := range 50 {
		require.Equal(t, http.StatusUnauthorized, doAs(t, h, forged(fmt.Sprintf("forged-%d", i)), http.MethodGet, appPath, "").status)
	}
	assert.Equal(t, int64(2), reads(), "one for fifty unknown key IDs after the interval")
	advance(jwksMinInterval)
	require.Equal(t, http.StatusUnauthorized, doAs(t, h, forged("forged-0"), http.MethodGet, appPath, "").status)
	assert.Equal(t, int64(2), reads(), "a key ID a read did not find is not looked for again at once")
	require.Equal(t, http.StatusUnauthorized, doAs(t, h, forged("forged-1"), http.MethodGet, appPath, "").status)
	assert.Equal(t, int64(3), reads(), "another one is, once the interval is over")
	assert.Equal(t, http.StatusNotFound, doAs(t, h, rotated, http.MethodGet, appPath, "").status, "the keys read are kept")
}

// The caller's user profile is their token's sub, not the preferred_username that OpenID Connect
// says must not be taken for unique: a token with another sub and preferred_username alice is not
// alice's.
func TestTheUserProfileIsBoundToTheSubject(t *testing.T) {
	iss := startIssuer(t)
	srv, h := newAuthService(t, iss)
	impostor := iss.claims("alice")
	impostor["sub"] = "mallory"
	a := doAs(t, h, "Bearer "+sign(t, iss.key, "issuer-key", impostor), http.MethodPut, appPath, "")
	assert.Equal(t, http.StatusForbidden, a.status, a.body)
	assert.Contains(t, a.body["message"], "mallory may manage only their own")
	assert.Empty(t, srv.Requests())

	// User profile names are not case-sensitive on the service: a subject that differs from
	// alice only in case must not reach alice's profile, whatever path it names.
	upper := iss.claims("alice")
	upper["sub"] = "Alice"
	for _, path := range []string{appPath, "/users/Alice/apps/JupyterLab/default"} {
		a = doAs(t, h, "Bearer "+sign(t, iss.key, "issuer-key", upper), http.MethodGet, path, "")
		assert.Equal(t, http.StatusForbidden, a.status, path)
		assert.Equal(t, "NotAUser", a.body["error"], path)
		assert.Contains(t, a.body["message"], "takes only lowercase ones", path)
	}
	assert.Empty(t, srv.Requests(), "nothing reached SageMaker")
}

// With --user-map, each subject's user profile is the one the map names; a subject not in it is
// no user of the platform.
func TestAUserMapNamesEachSubjectsProfile(t *testing.T) {
	iss := startIssuer(t)
	_, h, _ := newAuthServiceWith(t, iss, map[string]string{"00uAbCdEf": "alice", "00uabcdef": "bob"})
	as := func(sub string) string {
		c := iss.claims("whoever")
		c["sub"] = sub
		return "Bearer " + sign(t, iss.key, "issuer-key", c)
	}
	assert.Equal(t, http.StatusNotFound, doAs(t, h, as("00uAbCdEf"), http.MethodGet, appPath, "").status, "alice's, though she has no app yet")
	assert.Equal(t, http.StatusForbidden, doAs(t, h, as("00uabcdef"), http.MethodGet, appPath, "").status, "bob's subject differs in case only, and is bob")
	assert.Equal(t, http.StatusNotFound, doAs(t, h, as("00uabcdef"), http.MethodGet, "/users/bob/apps/JupyterLab/default", "").status)
	a := doAs(t, h, as("alice"), http.MethodGet, appPath, "")
	assert.Equal(t, http.StatusForbidden, a.status, "a subject not in the map, though it is named like a profile")
	assert.Equal(t, "NotAUser", a.body["error"])
	assert.Contains(t, a.header.Get("WWW-Authenticate"), `error="insufficient_scope"`)
}

func TestLoadUserMapRefusesTwoSubjectsOfOneProfile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := dir + "/" + name
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	users, err := loadUserMap(write("ok.json", `{"00uAbC": "alice", "00uabc": "bob", "f81d4fae-7dec": "carol-1"}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"00uAbC": "alice", "00uabc": "bob", "f81d4fae-7dec": "carol-1"}, users)

	for _, tc := range []struct{ content, message string }{
		{`{"00uAbC": "alice", "00uXyZ": "Alice"}`, `subjects "00uAbC" and "00uXyZ" map to "alice" and "Alice", one user profile`},
		{`{"00uAbC": "alice", "00uAbC": "bob"}`, `the member "00uAbC" twice`},
		{`{"00uAbC": "alice_1"}`, `maps to "alice_1", which is no user profile name`},
		{`{"00uAbC": "-alice"}`, "which is no user profile name"},
		{`{"00uAbC": 7}`, "must be a JSON string, not a number"},
		{`{"": "alice"}`, "a subject is empty"},
		{`["alice"]`, "must be a JSON object, not an array"},
	} {
		_, err := loadUserMap(write("bad.json", tc.content))
		require.Error(t, err, tc.content)
		assert.Contains(t, err.Error(), tc.message, tc.content)
	}
	_, err = loadUserMap(dir + "/missing.json")
	assert.Error(t, err)
}

func TestRunRefusesAUserClaimThatIsNotStable(t *testing.T) {
	for _, claim := range []string{"preferred_username", "email", "name"} {
		var logs syncBuffer
		code := run(context.Background(), []string{"--oidc-issuer", "http://127.0.0.1:1", "--oidc-audience", testAudience, "--user-claim", claim}, nil, &logs)
		assert.Equal(t, 2, code, claim)
		assert.Contains(t, logs.String(), "--user-claim "+claim+" names a claim that OpenID Connect does not make unique or stable", claim)
	}
	var logs syncBuffer
	code := run(context.Background(), []string{"--oidc-issuer", "http://127.0.0.1:1", "--oidc-audience", testAudience, "--user-claim", "oid", "--user-map", "users.json"}, nil, &logs)
	assert.Equal(t, 2, code)
	assert.Contains(t, logs.String(), "--user-map and --user-claim exclude each other")
	code = run(context.Background(), []string{"--oidc-issuer", "http://127.0.0.1:1", "--oidc-audience", testAudience, "--user-map", t.TempDir() + "/none.json"}, nil, &logs)
	assert.Equal(t, 2, code)
	assert.Contains(t, logs.String(), "--user-map: open")
}

// Path tricks reach no one else's apps: a path that is not clean is redirected to its clean form
// before any handler runs, an escaped slash stays part of one segment (and is then no caller's
// name and no valid app name), and a name in another case is not the caller's. Nothing reaches
// SageMaker.
func TestPathTricksReachNoOneElsesApps(t *testing.T) {
	iss := startIssuer(t)
	srv, h := newAuthService(t, iss)
	alice := "Bearer " + iss.token(t, "alice")
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/users/alice/../bob/apps/JupyterLab/default", http.StatusTemporaryRedirect},
		{http.MethodGet, "/users/alice/./apps/JupyterLab/default/../../../../bob/apps/JupyterLab/default", http.StatusTemporaryRedirect},
		{http.MethodGet, "//users/bob/apps/JupyterLab/default", http.StatusTemporaryRedirect},
		{http.MethodGet, "/users/alice%2F..%2Fbob/apps/JupyterLab/default", http.StatusForbidden},
		{http.MethodDelete, "/users/bob%2Fapps%2FJupyterLab%2Fdefault/apps/JupyterLab/default", http.StatusForbidden},
		{http.MethodGet, "/users/Alice/apps/JupyterLab/default", http.StatusForbidden},
		{http.MethodGet, "/users/alice/apps/JupyterLab/default%2F..%2F..%2F..%2Fbob", http.StatusBadRequest},
		{http.MethodPut, "/users/alice/apps/JupyterLab/..%2F..%2Fbob", http.StatusBadRequest},
		{http.MethodGet, "/users/alice/apps/JupyterLab%00/default", http.StatusBadRequest},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(tc.method, "http://platform"+tc.path, nil)
		req.Header.Set("Authorization", alice)
		h.ServeHTTP(rec, req)
		assert.Equal(t, tc.status, rec.Code, "%s %s: %s", tc.method, tc.path, rec.Body.String())
		if rec.Code == http.StatusTemporaryRedirect {
			assert.NotContains(t, rec.Header().Get("Location"), "/users/alice/", "%s: redirected to the clean path, where the check runs", tc.path)
		}
	}
	assert.Empty(t, srv.Requests(), "nothing reached SageMaker")
}
