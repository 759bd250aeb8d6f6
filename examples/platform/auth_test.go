package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
// that the test made, on 127.0.0.1.
type issuer struct {
	url string
	key *rsa.PrivateKey
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
		writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "issuer-key", Algorithm: "RS256", Use: "sig"}}})
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
	c := map[string]any{"iss": iss.url, "aud": testAudience, "sub": "id-" + user, "preferred_username": user,
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
// profiles, and members of the group admins are administrators.
func newAuthService(t *testing.T, iss *issuer, opts ...sagemakerfake.Option) (*sagemakerfake.Server, http.Handler) {
	t.Helper()
	srv, _ := newService(t, opts...)
	require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(testDomain), UserProfileName: aws.String("bob")}))
	transport := &http.Transport{Proxy: nil}
	t.Cleanup(transport.CloseIdleConnections)
	auth, err := newOIDCAuth(context.Background(), oidcConfig{issuer: iss.url, audience: testAudience,
		userClaim: "preferred_username", groupClaim: "groups", adminGroup: "admins"}, &http.Client{Transport: transport, Timeout: 10 * time.Second}, nopLogger())
	require.NoError(t, err)
	client := sagemakerapp.New(srv.Client(), func(o *sagemakerapp.Options) {
		o.Now = srv.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
	})
	return srv, newHandler(client, handlerConfig{domainID: testDomain, region: srv.Region(), auth: auth})
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
	delete(noUser, "preferred_username")

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
		{"no user claim", "Bearer " + sign(t, iss.key, "issuer-key", noUser), true, "preferred_username"},
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

	cancel()
	assert.Equal(t, 0, <-exit)
	assert.Contains(t, logs.String(), "authenticating callers with OpenID Connect")
}
