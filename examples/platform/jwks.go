package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

// The limits on reading the issuer's keys again. A token that names a key ID the platform does not
// know may be signed with a key the issuer has just published (a rotation), so it is worth one
// read of the JWKS; but anyone who can reach the platform can send such tokens, and each must not
// cost the issuer a request. Any read takes every key the issuer publishes, so one read per
// interval serves every key ID published before it.
const (
	// jwksMinInterval: all reads of the JWKS together, at most one per 30 s (two a minute, whatever
	// the platform is sent). A key the issuer starts signing with is accepted at most 30 s after
	// its first token arrives; issuers publish new keys well before they sign with them.
	jwksMinInterval = 30 * time.Second
	// jwksKeyInterval: a key ID that a read did not find is not looked for again for 5 minutes.
	jwksKeyInterval = 5 * time.Minute
	// maxJWKSBytes bounds the answer of the jwks_uri; a key set is a few KiB.
	maxJWKSBytes = 1 << 20
)

// supportedAlgs are the signature algorithms go-oidc's verifiers support; the issuer's discovery
// document narrows them down.
var supportedAlgs = []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA}

// keySet is the issuer's JSON Web Key Set for go-oidc's verifiers (an oidc.KeySet), read at start
// and read again only within the limits above: go-oidc's own RemoteKeySet reads it again for every
// token that no key it holds verifies, which lets anyone make the platform hammer its issuer.
type keySet struct {
	url    string
	client *http.Client
	log    *slog.Logger
	now    func() time.Time // time.Now; tests move it

	mu       sync.Mutex
	keys     []jose.JSONWebKey
	lastRead time.Time            // when the last read started
	looked   map[string]time.Time // key IDs that a read was started for, and when
	reading  chan struct{}        // closed when the read in flight ends; nil when none is
	reads    int                  // reads started, for the log
}

func newKeySet(url string, client *http.Client, log *slog.Logger) *keySet {
	return &keySet{url: url, client: client, log: log, now: time.Now, looked: map[string]time.Time{}}
}

// load reads the keys, at start: an issuer whose keys cannot be read cannot verify a token.
func (ks *keySet) load(ctx context.Context) error {
	ks.mu.Lock()
	ks.lastRead = ks.now()
	ks.reads++
	ks.mu.Unlock()
	keys, err := ks.fetch(ctx)
	if err != nil {
		return err
	}
	ks.mu.Lock()
	ks.keys = keys
	ks.mu.Unlock()
	return nil
}

// VerifySignature verifies jwt against the keys held, and when none verifies it and the token's
// key ID is not among them, reads the keys again if the limits allow, or joins the read in flight.
func (ks *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	jws, kid, err := parseJWT(jwt)
	if err != nil {
		return nil, err
	}
	ks.mu.Lock()
	keys := ks.keys
	ks.mu.Unlock()
	if payload, known, err := verifyWith(jws, keys, kid); err == nil || known {
		// A key of that ID is held: reading the set again cannot make a forged signature valid.
		return payload, err
	}
	done, why := ks.reread(kid)
	if done == nil {
		return nil, errors.New(why)
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	ks.mu.Lock()
	keys = ks.keys
	ks.mu.Unlock()
	payload, _, err := verifyWith(jws, keys, kid)
	return payload, err
}

// reread returns a channel closed when a read of the keys ends (the one in flight, or a new one
// the limits allow for kid), or nil and why there is none.
func (ks *keySet) reread(kid string) (<-chan struct{}, string) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if ks.reading != nil {
		return ks.reading, ""
	}
	now := ks.now()
	for k, at := range ks.looked { // a few entries at most: one per read
		if now.Sub(at) >= jwksKeyInterval {
			delete(ks.looked, k)
		}
	}
	if at, ok := ks.looked[kid]; ok {
		return nil, "key ID " + strconv.Quote(kid) + " was not in the issuer's keys " + now.Sub(at).Round(time.Second).String() + " ago; it is looked for again after " + jwksKeyInterval.String()
	}
	if since := now.Sub(ks.lastRead); since < jwksMinInterval {
		return nil, "key ID " + strconv.Quote(kid) + " is not in the issuer's keys, read " + since.Round(time.Second).String() + " ago; they are read again at most every " + jwksMinInterval.String()
	}
	ks.lastRead = now
	ks.looked[kid] = now
	ks.reads++
	ks.reading = make(chan struct{})
	go func(done chan struct{}) {
		// Not the caller's context: other callers may wait for this read, and the client's
		// Timeout bounds it.
		keys, err := ks.fetch(context.Background())
		ks.mu.Lock()
		if err == nil {
			ks.keys = keys
		}
		ks.reading = nil
		reads := ks.reads
		ks.mu.Unlock()
		if err != nil {
			ks.log.Warn("reading the issuer's keys again failed; the keys held stay", "url", ks.url, "error", err)
		} else {
			ks.log.Info("read the issuer's keys again, for a key ID they did not hold", "key_id", kid, "keys", len(keys), "reads", reads)
		}
		close(done)
	}(ks.reading)
	return ks.reading, ""
}

// cached is a key set of the keys ks holds, that never reads them: for the diagnosis of a token
// already refused, which must not cost the issuer anything.
func (ks *keySet) cached() oidc.KeySet { return cachedKeys{ks} }

type cachedKeys struct{ ks *keySet }

func (c cachedKeys) VerifySignature(_ context.Context, jwt string) ([]byte, error) {
	jws, kid, err := parseJWT(jwt)
	if err != nil {
		return nil, err
	}
	c.ks.mu.Lock()
	keys := c.ks.keys
	c.ks.mu.Unlock()
	payload, _, err := verifyWith(jws, keys, kid)
	return payload, err
}

// verifyWith verifies jws with the keys of ID kid (every key, for a token without one), and
// reports whether keys holds a key of that ID.
func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey, kid string) (payload []byte, known bool, err error) {
	for _, key := range keys {
		if kid != "" && key.KeyID != kid {
			continue
		}
		known = kid != ""
		if payload, err := jws.Verify(&key); err == nil {
			return payload, true, nil
		}
	}
	return nil, known, errors.New("no key of the issuer verifies the signature")
}

// fetch reads the JWKS. Keys that go-jose cannot read (a type it does not know, such as Ed448)
// and encryption keys are skipped, as RFC 7517 section 5 says to; a set with no key left is an
// error, and the keys held before stay.
func (ks *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ks.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := ks.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ks.url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", ks.url, resp.Status)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("%s answered more than %d bytes", ks.url, maxJWKSBytes)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("%s is not a JSON Web Key Set: %w", ks.url, err)
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var key jose.JSONWebKey
		if err := key.UnmarshalJSON(raw); err != nil || key.Use == "enc" || !key.Valid() {
			continue
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s holds no signing key that the platform can use", ks.url)
	}
	return keys, nil
}

// parseJWT parses a compact JWS with one of supportedAlgs (the verifier has checked the issuer's
// already) and returns its key ID.
func parseJWT(jwt string) (*jose.JSONWebSignature, string, error) {
	algs := make([]jose.SignatureAlgorithm, len(supportedAlgs))
	for i, a := range supportedAlgs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSignedCompact(jwt, algs)
	if err != nil {
		return nil, "", fmt.Errorf("malformed JWT: %w", err)
	}
	kid := ""
	if len(jws.Signatures) > 0 {
		kid = jws.Signatures[0].Header.KeyID
	}
	return jws, kid, nil
}

// issuerAlgs are the algorithms of the issuer's discovery document that go-oidc supports, as its
// Provider would take them; none means go-oidc's default, RS256.
func issuerAlgs(advertised []string) []string {
	var algs []string
	for _, a := range advertised {
		if slices.Contains(supportedAlgs, a) {
			algs = append(algs, a)
		}
	}
	return algs
}
