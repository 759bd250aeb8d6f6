package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// realm names the platform in its WWW-Authenticate challenges.
const realm = "sagemaker-platform"

// caller is who sent a request, as its bearer token says.
type caller struct {
	user  string // the SageMaker user profile the caller is; "" with --auth none
	admin bool   // may manage any user's space and apps
}

// authError is a refused request: 401 when the caller is not known, 403 when the caller may not
// do this. Its message is for the caller and names the problem; what only an operator should
// see (the verifier's own error) goes to the log.
type authError struct {
	status  int
	code    string // the JSON error code
	message string
	// oauthErr is RFC 6750's error code for the challenge: "" for a request with no token,
	// invalid_token or insufficient_scope. description is fixed text: it never carries a
	// value from the request, so it needs no quoting.
	oauthErr    string
	description string
}

// challenge is the WWW-Authenticate header of the answer (RFC 6750, section 3).
func (e *authError) challenge() string {
	c := `Bearer realm="` + realm + `"`
	if e.oauthErr != "" {
		c += `, error="` + e.oauthErr + `", error_description="` + e.description + `"`
	}
	return c
}

// authenticator tells who sent a request; it returns an *authError when it cannot.
type authenticator interface {
	authenticate(r *http.Request) (caller, *authError)
}

// noAuth is --auth none: every caller may manage every user's apps. It exists for the demo on
// the embedded fake, and is refused on an address that is not loopback.
type noAuth struct{}

func (noAuth) authenticate(*http.Request) (caller, *authError) { return caller{admin: true}, nil }

// oidcConfig configures --auth oidc.
type oidcConfig struct {
	issuer     string // the issuer URL, exactly as the tokens' iss claim has it
	audience   string // the token's aud must contain it: the platform's client ID at the issuer
	userClaim  string // names the caller's SageMaker user profile
	groupClaim string // a list of the caller's groups
	adminGroup string // a member of this group may manage anyone's apps; "" means nobody may
}

// oidcAuth verifies OpenID Connect bearer tokens with go-oidc: the signature against the
// issuer's JWKS (fetched from its discovery document and refreshed when a token names an
// unknown key), the issuer, the audience and the expiry.
type oidcAuth struct {
	cfg      oidcConfig
	verifier *oidc.IDTokenVerifier
	// diagnose checks the signature alone. It runs only on a token the verifier refused, to
	// tell the caller which check failed; the verifier alone decides.
	diagnose *oidc.IDTokenVerifier
	log      *slog.Logger
}

// newOIDCAuth reads the issuer's discovery document through client and returns the
// authenticator. It fails when the issuer cannot be reached or names another issuer.
func newOIDCAuth(ctx context.Context, cfg oidcConfig, client *http.Client, log *slog.Logger) (*oidcAuth, error) {
	ctx = oidc.ClientContext(ctx, client)
	provider, err := oidc.NewProvider(ctx, cfg.issuer)
	if err != nil {
		return nil, fmt.Errorf("reading the OpenID Connect discovery document of %s: %w", cfg.issuer, err)
	}
	return &oidcAuth{
		cfg:      cfg,
		verifier: provider.VerifierContext(ctx, &oidc.Config{ClientID: cfg.audience}),
		diagnose: provider.VerifierContext(ctx, &oidc.Config{SkipClientIDCheck: true, SkipIssuerCheck: true, SkipExpiryCheck: true}),
		log:      log,
	}, nil
}

var errNoBearer = &authError{status: http.StatusUnauthorized, code: "Unauthorized",
	message: "this platform needs an OpenID Connect token from its issuer: send Authorization: Bearer <token>"}

func invalidToken(message string) *authError {
	return &authError{status: http.StatusUnauthorized, code: "InvalidToken", message: message,
		oauthErr: "invalid_token", description: "the bearer token was not accepted"}
}

func (a *oidcAuth) authenticate(r *http.Request) (caller, *authError) {
	scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") { // none, or another scheme such as Basic
		return caller{}, errNoBearer
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return caller{}, invalidToken("the Authorization header has no token after Bearer")
	}
	token, err := a.verifier.Verify(r.Context(), raw)
	if err != nil {
		a.log.LogAttrs(r.Context(), slog.LevelInfo, "bearer token refused", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
		return caller{}, invalidToken(a.why(r.Context(), raw, err))
	}
	var claims map[string]any
	if err := token.Claims(&claims); err != nil { // Verify decoded them already
		return caller{}, invalidToken("the token's claims are not a JSON object")
	}
	user, _ := claims[a.cfg.userClaim].(string)
	if user == "" {
		return caller{}, invalidToken("the token has no " + a.cfg.userClaim + " claim to name the caller's user profile")
	}
	return caller{user: user, admin: a.cfg.adminGroup != "" && slices.Contains(groups(claims[a.cfg.groupClaim]), a.cfg.adminGroup)}, nil
}

// why names the check that a token failed, for the caller: the token is theirs, so telling them
// that it has expired or is for another audience gives nothing away.
func (a *oidcAuth) why(ctx context.Context, raw string, err error) string {
	var expired *oidc.TokenExpiredError
	if errors.As(err, &expired) {
		return "the token expired at " + expired.Expiry.UTC().Format(time.RFC3339) + "; get a new one from the issuer"
	}
	token, derr := a.diagnose.Verify(ctx, raw)
	switch {
	case derr != nil:
		return "the token is not a JWT signed by one of the issuer's keys"
	case token.Issuer != a.cfg.issuer:
		return "the token is from another issuer; this platform accepts tokens of " + a.cfg.issuer
	case !slices.Contains(token.Audience, a.cfg.audience):
		return "the token is for another audience; its aud must contain " + a.cfg.audience
	default: // not before, or a claim go-oidc could not read
		return "the token is not valid yet, or its claims could not be read"
	}
}

// groups reads a group claim: a list of strings, or one string, as issuers send either.
func groups(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, g := range v {
			if s, ok := g.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// mayManage reports whether c may manage the space and apps of user: their own, or anyone's
// for an administrator.
func (c caller) mayManage(user string) bool { return c.admin || c.user == user }

// forbidden is the answer to a caller that manages another user's apps.
func forbidden(c caller) *authError {
	return &authError{status: http.StatusForbidden, code: "Forbidden",
		message:  c.user + " may manage only their own space and apps; an administrator may manage anyone's",
		oauthErr: "insufficient_scope", description: "the caller may manage only their own apps"}
}

// isLoopback reports whether addr (host:port) listens only on this machine. An empty host, which
// listens on every interface, does not; neither does a name other than localhost.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
