package sagemakerfake

import (
	cryptorand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// StudioPath is the path of the page that the URLs of CreatePresignedDomainUrl open on the
// fake's own server, as in <URL>/studio/open?token=….
const StudioPath = "/studio/open"

// presignedURL is one URL that CreatePresignedDomainUrl handed out.
type presignedURL struct {
	domainID string
	user     string
	space    string // the request's SpaceName, or ""
	landing  string // the request's LandingUri, or ""
	expires  time.Time
}

// landingAppTypes are the app types that a LandingUri of the form app:<type>:<path> may name
// (the model's documentation of LandingUri).
var landingAppTypes = map[string]bool{
	string(types.AppTypeJupyterServer):    true,
	string(types.AppTypeJupyterLab):       true,
	string(types.AppTypeRStudioServerPro): true,
	string(types.AppTypeCodeEditor):       true,
	"Canvas":                              true,
}

// checkLandingURI applies the forms of LandingUri: studio::<path> or app:<type>:<path> (the
// model's documentation). A JupyterLab or CodeEditor app link without a SpaceName is refused with
// the service's words (facts §7.5: seen live for app:JupyterLab:<space>; CodeEditor is assumed to
// be answered alike). Its length (at most 1023) is the model's and was checked before.
func checkLandingURI(uri, spaceName string) *Error {
	if uri == "" {
		return nil
	}
	if strings.HasPrefix(uri, "studio::") {
		return nil
	}
	rest, ok := strings.CutPrefix(uri, "app:")
	appType, _, hasPath := strings.Cut(rest, ":")
	if !ok || !hasPath {
		return validationError("Provided LandingUri '%s' is invalid: use studio::<relative/path> or app:<AppType>:<relative/path>.", uri)
	}
	if !landingAppTypes[appType] {
		return validationError("Provided app type %s is invalid for provided url type app.", appType)
	}
	if spaceOnly(types.AppType(appType)) && spaceName == "" {
		return validationError("Provided app type %s is invalid for provided url type app for personal apps", appType)
	}
	return nil
}

func (s *Server) opCreatePresignedDomainURL(in map[string]any, now time.Time) (any, *Error) {
	domainID, user, spaceName := str(in, "DomainId"), str(in, "UserProfileName"), str(in, "SpaceName")
	d := s.domains[domainID]
	if d == nil {
		return nil, notFoundError("Domain '%s' does not exist.", s.arn("domain/"+domainID))
	}
	if mode := str(d.req, "AuthMode"); mode != string(types.AuthModeIam) {
		// AWS documents the rule ("only when the authentication mode equals IAM"), not its text.
		return nil, validationError("CreatePresignedDomainUrl is supported only for domains with AuthMode IAM; domain '%s' has AuthMode %s.", domainID, mode)
	}
	if s.profiles[childKey{domainID, user}] == nil {
		return nil, notFoundError("User profile '%s' does not exist.", s.arn("user-profile/"+domainID+"/"+user))
	}
	if spaceName != "" {
		sp := s.liveSpace(childKey{domainID, spaceName}, now)
		if sp == nil {
			return nil, notFoundError("Space '%s' does not exist.", s.spaceARN(childKey{domainID, spaceName}))
		}
		if sp.private() && sp.owner() != user {
			// Assumed: a private space is its owner's alone (facts §7.2); AWS gives no text.
			return nil, validationError("Space '%s' is private to user profile '%s'; user profile '%s' cannot open it.", spaceName, sp.owner(), user)
		}
	}
	landing := str(in, "LandingUri")
	if err := checkLandingURI(landing, spaceName); err != nil {
		return nil, err
	}
	expiresIn := 300 // the model's default
	if n, ok := in["ExpiresInSeconds"].(json.Number); ok {
		if v, err := strconv.Atoi(string(n)); err == nil { // bounded to 5..300 by the model check
			expiresIn = v
		}
	}
	var b [16]byte
	_, _ = cryptorand.Read(b[:]) // never fails on supported platforms
	tok := hex.EncodeToString(b[:])
	u := &presignedURL{domainID: domainID, user: user, space: spaceName, landing: landing,
		expires: now.Add(time.Duration(expiresIn) * time.Second)}
	return presignAnswer{store: &s.presign, tok: tok, u: u, now: now, url: s.url + StudioPath + "?token=" + tok}, nil
}

// studioPage is what the fake shows at a presigned URL: the domain, the user, the space and the
// app the URL opens, so that a test (or a person) can see where a launch URL leads.
var studioPage = template.Must(template.New("studio").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Title}} - sagemakerfake</title></head>
<body>
<h1>{{.Title}}</h1>
{{if .Refusal}}<p id="refusal">{{.Refusal}}</p>{{else}}<dl>
<dt>Domain</dt><dd id="domain">{{.DomainID}}</dd>
<dt>User profile</dt><dd id="user">{{.User}}</dd>
<dt>Space</dt><dd id="space">{{.Space}}</dd>
<dt>Landing URI</dt><dd id="landing">{{.Landing}}</dd>
<dt>App type</dt><dd id="app-type">{{.AppType}}</dd>
<dt>App name</dt><dd id="app-name">{{.AppName}}</dd>
<dt>App status</dt><dd id="app-status">{{.AppStatus}}</dd>
<dt>App ARN</dt><dd id="app-arn">{{.AppARN}}</dd>
</dl>{{if .Note}}
<p id="note">{{.Note}}</p>{{end}}{{end}}
<p>This is sagemakerfake's stand-in for SageMaker Studio; no app runs here.</p>
</body>
</html>
`))

type studioView struct {
	Title, Refusal                      string
	DomainID, User, Space, Landing      string
	AppType, AppName, AppStatus, AppARN string
	Note                                string
	status                              int
}

// serveStudio answers GET StudioPath?token=…: the page for a URL that has not expired on the
// server's clock, or 403 for an expired or unknown token.
func (s *Server) serveStudio(w http.ResponseWriter, r *http.Request) {
	v := s.studioView(r.URL.Query().Get("token"))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(v.status)
	if r.Method != http.MethodHead {
		_ = studioPage.Execute(w, v) // a client that went away is not the server's problem
	}
}

func (s *Server) studioView(tok string) studioView {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	u := s.presign.get(tok)
	switch {
	case u == nil:
		return studioView{Title: "Invalid sign-in link", Refusal: "This URL is not one the fake handed out.", status: http.StatusForbidden}
	case !now.Before(u.expires):
		return studioView{Title: "Sign-in link expired", Refusal: "This URL expired at " + u.expires.UTC().Format(time.RFC3339) + ".", status: http.StatusForbidden}
	}
	v := studioView{Title: "SageMaker Studio", DomainID: u.domainID, User: u.user, Space: u.space, Landing: u.landing, status: http.StatusOK}
	appType, spaceName := landingTarget(u)
	if spaceName == "" {
		v.Note = "The URL opens the Studio home page, not an app."
		return v
	}
	v.Space = spaceName
	sp := s.liveSpace(childKey{u.domainID, spaceName}, now)
	switch {
	case sp == nil:
		v.Note = "Space " + spaceName + " does not exist."
		return v
	case sp.private() && sp.owner() != u.user:
		return studioView{Title: "Access denied", Refusal: "Space " + spaceName + " is private to user profile " + sp.owner() + ".", status: http.StatusForbidden}
	}
	if a := s.appToOpen(sp.key, appType, now); a != nil {
		st, _ := s.status(a, now)
		v.AppType, v.AppName, v.AppStatus, v.AppARN = string(a.key.appType), a.key.appName, string(st), a.arn
	} else {
		v.AppType = string(appType)
		v.Note = "Space " + spaceName + " runs no app."
		if appType != "" {
			v.Note = "Space " + spaceName + " runs no " + string(appType) + " app."
		}
	}
	return v
}

// landingTarget reads the app type and the space that a URL opens: studio::/jupyterlab/<space>
// (or /codeeditor/<space>), app:<type>:<path> with the request's SpaceName, or the request's
// SpaceName alone. An empty space means Studio's home page.
func landingTarget(u *presignedURL) (types.AppType, string) {
	if path, ok := strings.CutPrefix(u.landing, "studio::"); ok {
		segs := strings.Split(strings.Trim(path, "/"), "/")
		if len(segs) >= 2 && segs[1] != "" {
			switch strings.ToLower(segs[0]) {
			case "jupyterlab":
				return types.AppTypeJupyterLab, segs[1]
			case "codeeditor":
				return types.AppTypeCodeEditor, segs[1]
			}
		}
		return "", u.space
	}
	if rest, ok := strings.CutPrefix(u.landing, "app:"); ok {
		appType, _, _ := strings.Cut(rest, ":")
		return types.AppType(appType), u.space
	}
	return "", u.space
}

// appToOpen returns the app of the space (of appType, when given) that a URL opens: the live one,
// or else the latest record. The caller holds s.mu.
func (s *Server) appToOpen(key childKey, appType types.AppType, now time.Time) *app {
	var live, latest *app
	for k := range s.bySpace[key] {
		a := s.liveApp(k, now)
		if a == nil || (appType != "" && a.key.appType != appType) {
			continue
		}
		if latest == nil || a.launched.After(latest.launched) || (a.launched.Equal(latest.launched) && a.seq > latest.seq) {
			latest = a
		}
		if st, _ := s.status(a, now); st != types.AppStatusDeleted && st != types.AppStatusFailed {
			live = a
		}
	}
	if live != nil {
		return live
	}
	return latest
}
