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
	"os"
	"regexp"
	"slices"
	"strconv"
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
	issuer    string // the issuer URL, exactly as the tokens' iss claim has it
	audience  string // the token's aud must contain it: the platform's client ID at the issuer
	userClaim string // names the caller's SageMaker user profile: sub, or a claim as stable and unique
	// users, when set (--user-map), names the user profile of each subject (the sub claim)
	// instead: a subject not in it is no user of the platform.
	users      map[string]string
	groupClaim string // a list of the caller's groups
	adminGroup string // a member of this group may manage anyone's apps; "" means nobody may
}

// oidcAuth verifies OpenID Connect bearer tokens with go-oidc: the signature against the
// issuer's JWKS (read at start from its discovery document's jwks_uri, and again within the
// limits of keySet when a token names a key ID it does not hold), the issuer, the audience and
// the expiry.
type oidcAuth struct {
	cfg      oidcConfig
	keys     *keySet
	verifier *oidc.IDTokenVerifier
	// diagnose checks the signature alone, against the keys held: it never reads them. It runs
	// only on a token the verifier refused, to tell the caller which check failed; the verifier
	// alone decides.
	diagnose *oidc.IDTokenVerifier
	log      *slog.Logger
}

// newOIDCAuth reads the issuer's discovery document and keys through client and returns the
// authenticator. It fails when the issuer cannot be reached, names another issuer, or has no
// keys the platform can use.
func newOIDCAuth(ctx context.Context, cfg oidcConfig, client *http.Client, log *slog.Logger) (*oidcAuth, error) {
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.issuer)
	if err != nil {
		return nil, fmt.Errorf("reading the OpenID Connect discovery document of %s: %w", cfg.issuer, err)
	}
	var meta struct {
		JWKSURL string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := provider.Claims(&meta); err != nil || meta.JWKSURL == "" {
		return nil, fmt.Errorf("the OpenID Connect discovery document of %s names no jwks_uri", cfg.issuer)
	}
	keys := newKeySet(meta.JWKSURL, client, log)
	if err := keys.load(ctx); err != nil {
		return nil, fmt.Errorf("reading the keys of %s: %w", cfg.issuer, err)
	}
	algs := issuerAlgs(meta.Algs)
	return &oidcAuth{
		cfg:      cfg,
		keys:     keys,
		verifier: oidc.NewVerifier(cfg.issuer, keys, &oidc.Config{ClientID: cfg.audience, SupportedSigningAlgs: algs}),
		diagnose: oidc.NewVerifier(cfg.issuer, keys.cached(), &oidc.Config{SkipClientIDCheck: true, SkipIssuerCheck: true, SkipExpiryCheck: true, SupportedSigningAlgs: algs}),
		log:      log,
	}, nil
}

// unstableClaims are the claims that OpenID Connect Core (section 5.7) says a relying party must
// not take for unique or stable: an IdP may give them to two people, or to someone else later.
// --user-claim refuses them.
var unstableClaims = []string{"preferred_username", "email", "name", "nickname", "given_name", "family_name",
	"middle_name", "phone_number", "upn", "unique_name"}

// loadUserMap reads --user-map: one JSON object from each subject (the sub claim) to its user
// profile name. Every name must be one SageMaker accepts, and no two subjects may share a name,
// in any case: user profile names are not case-sensitive on the service (facts 7.2), so Alice and
// alice are one profile.
func loadUserMap(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	members, berr := object(dec, path)
	if berr != nil {
		return nil, berr
	}
	users := make(map[string]string, len(members))
	bySubject := map[string]string{} // lowercase profile name: the subject mapped to it
	var problems []error
	for _, m := range members {
		profile, berr := str(path+": "+strconv.Quote(m.name), m.value)
		switch {
		case berr != nil:
			problems = append(problems, berr)
		case m.name == "":
			problems = append(problems, errors.New(path+": a subject is empty"))
		case !profileName.MatchString(profile):
			problems = append(problems, fmt.Errorf("%s: subject %q maps to %q, which is no user profile name (letters, digits and inner hyphens, at most 63)", path, m.name, profile))
		default:
			if other, dup := bySubject[strings.ToLower(profile)]; dup {
				problems = append(problems, fmt.Errorf("%s: subjects %q and %q map to %q and %q, one user profile: its names are not case-sensitive", path, other, m.name, users[other], profile))
				continue
			}
			bySubject[strings.ToLower(profile)] = m.name
			users[m.name] = profile
		}
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	return users, nil
}

// profileName is the pattern of a user profile name (UserProfileName in the service model).
var profileName = regexp.MustCompile(`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`)

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
	user, aerr := a.profileOf(token.Subject, claims)
	if aerr != nil {
		a.log.LogAttrs(r.Context(), slog.LevelInfo, "token of no user", slog.String("path", r.URL.Path), slog.String("sub", token.Subject))
		return caller{}, aerr
	}
	return caller{user: user, admin: a.cfg.adminGroup != "" && slices.Contains(groups(claims[a.cfg.groupClaim]), a.cfg.adminGroup)}, nil
}

// profileOf names the user profile of a verified token: the one --user-map gives its subject,
// or the value of --user-claim. A claim's value must be lowercase: SageMaker's user profile
// names are not case-sensitive (facts 7.2), so two IdP users whose names differ only in case
// would otherwise act as one profile.
func (a *oidcAuth) profileOf(subject string, claims map[string]any) (string, *authError) {
	if a.cfg.users != nil {
		if user, ok := a.cfg.users[subject]; ok {
			return user, nil
		}
		return "", notAUser("the token's subject has no user profile on this platform; its operator maps subjects to user profiles")
	}
	user, _ := claims[a.cfg.userClaim].(string)
	if user == "" {
		return "", invalidToken("the token has no " + a.cfg.userClaim + " claim to name the caller's user profile")
	}
	if strings.ToLower(user) != user {
		return "", notAUser("the token's " + a.cfg.userClaim + " claim names no user profile this platform serves: profile names " +
			"are not case-sensitive on SageMaker, so the platform takes only lowercase ones; its operator can map subjects to profiles instead")
	}
	return user, nil
}

// notAUser is the answer to a valid token whose caller has no user profile on the platform.
func notAUser(message string) *authError {
	return &authError{status: http.StatusForbidden, code: "NotAUser", message: message,
		oauthErr: "insufficient_scope", description: "the caller has no user profile on this platform"}
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

// notAnAdmin is the answer to a caller who is no administrator, on a route for administrators
// only (removing a person).
func notAnAdmin(c caller) *authError {
	return &authError{status: http.StatusForbidden, code: "Forbidden",
		message:  "only an administrator (a member of the platform's admin group) may remove a person; " + c.user + " is not one",
		oauthErr: "insufficient_scope", description: "the caller is no administrator"}
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
