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
	p := s.profile(domainID, user)
	if p == nil {
		return nil, notFoundError("User profile '%s' does not exist.", s.arn("user-profile/"+domainID+"/"+user))
	}
	user = p.name // names of profiles are not case-sensitive
	if spaceName != "" {
		sp := s.liveSpace(childKey{domainID, spaceName}, now)
		if sp == nil {
			return nil, notFoundError("Space '%s' does not exist.", s.spaceARN(childKey{domainID, spaceName}))
		}
		if sp.private() && !strings.EqualFold(sp.owner(), user) {
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
// app the URL opens (or the space's portal page, or Studio's home page), so that a test (or a
// person) can see where a launch URL leads.
var studioPage = template.Must(template.New("studio").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Title}} - sagemakerfake</title></head>
<body>
<h1>{{.Title}}</h1>
{{if .Refusal}}<p id="refusal">{{.Refusal}}</p>{{else}}<dl>
<dt>Page</dt><dd id="page">{{.Page}}</dd>
<dt>Domain</dt><dd id="domain">{{.DomainID}}</dd>
<dt>User profile</dt><dd id="user">{{.User}}</dd>
<dt>Space</dt><dd id="space">{{.Space}}</dd>
<dt>Landing URI</dt><dd id="landing">{{.Landing}}</dd>{{if .SpaceStatus}}
<dt>Space status</dt><dd id="space-status">{{.SpaceStatus}}</dd>{{end}}
<dt>App type</dt><dd id="app-type">{{.AppType}}</dd>
<dt>App name</dt><dd id="app-name">{{.AppName}}</dd>
<dt>App status</dt><dd id="app-status">{{.AppStatus}}</dd>
<dt>App ARN</dt><dd id="app-arn">{{.AppARN}}</dd>
</dl>{{if .OpenButton}}
<p><button id="open-app" type="button">{{.OpenButton}}</button></p>{{end}}{{if .Note}}
<p id="note">{{.Note}}</p>{{end}}{{end}}
<p>This is sagemakerfake's stand-in for SageMaker Studio; no app runs here.</p>
</body>
</html>
`))

// The pages a presigned URL leads to (studioView.Page).
const (
	pageApp    = "app"    // the app itself, InService
	pageSpace  = "space"  // the space's page in the Studio portal, with a button that opens its app
	pageHome   = "home"   // Studio's home page
	pageRefuse = "refuse" // a 403 or 404
)

type studioView struct {
	Title, Refusal                      string
	Page                                string
	DomainID, User, Space, Landing      string
	SpaceStatus                         string
	AppType, AppName, AppStatus, AppARN string
	OpenButton                          string
	Note                                string
	status                              int
	location                            string // for a redirect (status 302)
}

// serveStudio answers GET StudioPath?token=…: the page for a URL that has not expired on the
// server's clock, a redirect, or 403 for an expired or unknown token and 404 for an app that is
// not running.
func (s *Server) serveStudio(w http.ResponseWriter, r *http.Request) {
	v := s.studioView(r.URL.Query().Get("token"))
	w.Header().Set("Cache-Control", "no-store")
	if v.location != "" {
		w.Header().Set("Location", v.location)
		w.WriteHeader(v.status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(v.status)
	if r.Method != http.MethodHead {
		_ = studioPage.Execute(w, v) // a client that went away is not the server's problem
	}
}

// studioView decides where a redeemed URL leads, as facts §7.5 records Studio doing [L]:
//
//   - SpaceName and no LandingUri (or app:JupyterLab: and app:CodeEditor: with a SpaceName, as
//     AWS's own CLI example for Code Editor sends [D]): the space's app when it is InService, and
//     404 when the space runs no app or its app is not InService yet [L; I for an app that is
//     still Pending].
//   - studio::/jupyterlab/<space> (a path with a leading slash): a redirect to //jupyterlab/<space>,
//     which a browser reads as the host "jupyterlab": a broken page, app or no app [L].
//   - studio::jupyterlab/<space> (or codeeditor/<space>): the space's page in the Studio portal,
//     with its status and a button to open the app, not the app [L].
//   - anything else: Studio's home page.
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
	v := studioView{Title: "SageMaker Studio", Page: pageHome, DomainID: u.domainID, User: u.user, Space: u.space, Landing: u.landing, status: http.StatusOK}
	path, studioPath := strings.CutPrefix(u.landing, "studio::")
	if studioPath && strings.HasPrefix(path, "/") {
		return studioView{status: http.StatusFound, location: "/" + path}
	}
	appType, spaceName, page := landingTarget(u)
	if spaceName == "" {
		v.Note = "The URL opens the Studio home page, not an app."
		return v
	}
	v.Space = spaceName
	sp := s.liveSpace(childKey{u.domainID, spaceName}, now)
	switch {
	case sp == nil:
		return studioView{Title: "404 Not Found", Refusal: "Space " + spaceName + " does not exist.", Page: pageRefuse, status: http.StatusNotFound}
	case sp.private() && !strings.EqualFold(sp.owner(), u.user):
		return studioView{Title: "Access denied", Refusal: "Space " + spaceName + " is private to user profile " + sp.owner() + ".", Page: pageRefuse, status: http.StatusForbidden}
	}
	a := s.appToOpen(sp.key, appType, now)
	if page == pageSpace {
		st, _ := s.spaceStatus(sp, now)
		v.Page, v.SpaceStatus = pageSpace, string(st)
		if t := sp.appType(); t != "" {
			v.OpenButton = "Open " + string(t)
		} else if appType != "" {
			v.OpenButton = "Open " + string(appType)
		}
		v.Note = "The space's page in the Studio portal; the URL does not open the app."
		return v
	}
	if a == nil {
		return studioView{Title: "404 Not Found", Refusal: "Space " + spaceName + " runs no app.", Page: pageRefuse, status: http.StatusNotFound}
	}
	st, _ := s.status(a, now)
	if st != types.AppStatusInService {
		return studioView{Title: "404 Not Found", Refusal: "Space " + spaceName + " runs no app: its " + string(a.key.appType) + " app " + a.key.appName + " is " + string(st) + ".",
			Page: pageRefuse, status: http.StatusNotFound}
	}
	v.Page = pageApp
	v.AppType, v.AppName, v.AppStatus, v.AppARN = string(a.key.appType), a.key.appName, string(st), a.arn
	return v
}

// landingTarget reads the app type, the space and the page that a URL opens:
// studio::jupyterlab/<space> (or codeeditor/<space>) the space's portal page; app:<type>:<path>
// with the request's SpaceName, or the request's SpaceName alone, the space's app. An empty space
// means Studio's home page.
func landingTarget(u *presignedURL) (types.AppType, string, string) {
	if path, ok := strings.CutPrefix(u.landing, "studio::"); ok {
		segs := strings.Split(path, "/")
		if len(segs) >= 2 && segs[1] != "" {
			switch strings.ToLower(segs[0]) {
			case "jupyterlab":
				return types.AppTypeJupyterLab, segs[1], pageSpace
			case "codeeditor":
				return types.AppTypeCodeEditor, segs[1], pageSpace
			}
		}
		return "", "", pageHome
	}
	if rest, ok := strings.CutPrefix(u.landing, "app:"); ok {
		appType, _, _ := strings.Cut(rest, ":")
		return types.AppType(appType), u.space, pageApp
	}
	return "", u.space, pageApp
}

// appToOpen returns the app of the space (of appType, when given) that a URL opens: the live one
// (Pending or InService), or else the latest record. The caller holds s.mu.
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
