package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/examples/internal/studio"
)

// retryAfter is what a 503 answer asks the caller to wait before repeating the request.
const retryAfter = 5 * time.Second

// writeSlack is how long past its wait's Timeout a PUT may take to write its answer: the time
// for the last call in flight to return and the answer to be sent.
const writeSlack = 30 * time.Second

// appSpec is the body of PUT /users/{user}/apps/{type}/{name}. Every member is optional: without
// instanceType the space's, user profile's or domain's default applies; without image a
// JupyterLab or CodeEditor app gets the region's SageMaker Distribution image. storageGiB,
// idleTimeoutMinutes and remoteAccess are the settings of the user's private space (space apps
// only), changed in place (ConflictUpdate) when the space has others; replace lets a PUT restart
// an app that runs with another spec.
type appSpec struct {
	InstanceType      string            `json:"instanceType,omitempty"`      // such as ml.t3.medium
	Image             string            `json:"image,omitempty"`             // a SageMaker image ARN
	ImageVersionAlias string            `json:"imageVersionAlias,omitempty"` // such as 2.3.1
	LifecycleConfig   string            `json:"lifecycleConfig,omitempty"`   // a Studio lifecycle configuration ARN
	Tags              map[string]string `json:"tags,omitempty"`
	// The space's EBS volume, in GiB (5 to 16384); it can grow, never shrink.
	StorageGiB *int32 `json:"storageGiB,omitempty"`
	// The space's idle timeout, in minutes, within the bounds the domain and the user profile set.
	IdleTimeoutMinutes *int32 `json:"idleTimeoutMinutes,omitempty"`
	// ENABLED or DISABLED: whether an IDE on the user's machine may connect to the space.
	RemoteAccess string `json:"remoteAccess,omitempty"`
	// Replace restarts an app that runs (or starts) with another spec: DeleteApp, then CreateApp
	// with this one (ConflictReplace). Without it that app is a 409 that names what differs.
	Replace bool `json:"replace,omitempty"`
}

// spaceMembers names the members of s that set the space, in the body's names.
func (s appSpec) spaceMembers() []string {
	var out []string
	if s.StorageGiB != nil {
		out = append(out, "storageGiB")
	}
	if s.IdleTimeoutMinutes != nil {
		out = append(out, "idleTimeoutMinutes")
	}
	if s.RemoteAccess != "" {
		out = append(out, "remoteAccess")
	}
	return out
}

// applyTo sets the space members of s in space, a private space for apps of appType.
func (s appSpec) applyTo(space *sagemaker.CreateSpaceInput, appType sagemakerapp.AppType) {
	settings := space.SpaceSettings
	if s.StorageGiB != nil {
		settings.SpaceStorageSettings = &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(*s.StorageGiB)}}
	}
	if s.IdleTimeoutMinutes != nil {
		idle := &types.SpaceAppLifecycleManagement{IdleSettings: &types.SpaceIdleSettings{IdleTimeoutInMinutes: aws.Int32(*s.IdleTimeoutMinutes)}}
		switch appType {
		case types.AppTypeJupyterLab:
			settings.JupyterLabAppSettings = &types.SpaceJupyterLabAppSettings{AppLifecycleManagement: idle}
		case types.AppTypeCodeEditor:
			settings.CodeEditorAppSettings = &types.SpaceCodeEditorAppSettings{AppLifecycleManagement: idle}
		}
	}
	if s.RemoteAccess != "" {
		settings.RemoteAccess = types.FeatureStatus(s.RemoteAccess)
	}
}

// appView is an app as the service answers it.
type appView struct {
	ARN               string     `json:"arn"`
	User              string     `json:"user"`
	Space             string     `json:"space,omitempty"` // the user's private space, for JupyterLab and CodeEditor
	Type              string     `json:"type"`
	Name              string     `json:"name"`
	Status            string     `json:"status"`
	FailureReason     string     `json:"failureReason,omitempty"`
	InstanceType      string     `json:"instanceType,omitempty"`
	Image             string     `json:"image,omitempty"`
	ImageVersionAlias string     `json:"imageVersionAlias,omitempty"`
	LifecycleConfig   string     `json:"lifecycleConfig,omitempty"`
	Created           *time.Time `json:"created,omitempty"`
}

// errorBody is every error answer: a code, a message for people, and the detail the code has.
type errorBody struct {
	Error     string    `json:"error"`               // InvalidInput, AppConflict, or the service's code
	Message   string    `json:"message"`             // for people; may change
	RequestID string    `json:"requestId,omitempty"` // SageMaker's request ID, for AWS support
	Problems  []problem `json:"problems,omitempty"`  // InvalidInput: every problem with the request
	Fields    []string  `json:"fields,omitempty"`    // AppConflict, SpaceConflict: the members that differ
	Members   []string  `json:"members,omitempty"`   // the body members of those fields, where they come from one
	App       *appView  `json:"app,omitempty"`       // AppConflict and AppFailed: the app as found
	Spaces    []string  `json:"spaces,omitempty"`    // SharedSpaces: the shared spaces the user owns
}

// problem is one *sagemakerapp.FieldError.
type problem struct {
	Field  string `json:"field"`            // the SDK member path, such as "Tags[0].Key"
	Member string `json:"member,omitempty"` // the body member it comes from, such as "tags", when it comes from one
	Type   string `json:"type"`             // Required, Invalid, NotSupported, Duplicate, TooLong, TooMany, Forbidden
	Value  string `json:"value,omitempty"`
	Detail string `json:"detail"`
}

// bodyMember names the PUT body member that sets the SDK member at path, or "" when none does
// (the path's names, such as AppName, come from the URL).
func bodyMember(path string) string {
	switch {
	case path == "ResourceSpec.InstanceType":
		return "instanceType"
	case path == "ResourceSpec.SageMakerImageArn":
		return "image"
	case path == "ResourceSpec.SageMakerImageVersionAlias":
		return "imageVersionAlias"
	case path == "ResourceSpec.LifecycleConfigArn":
		return "lifecycleConfig"
	case strings.HasPrefix(path, "Tags"):
		return "tags"
	case path == "SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb":
		return "storageGiB"
	case strings.HasSuffix(path, ".AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes") && strings.HasPrefix(path, "SpaceSettings."):
		return "idleTimeoutMinutes"
	case path == "SpaceSettings.RemoteAccess":
		return "remoteAccess"
	}
	return ""
}

// bodyMembers is bodyMember of each path that has one.
func bodyMembers(paths []string) []string {
	var out []string
	for _, p := range paths {
		if m := bodyMember(p); m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// launchView is the answer of POST …/launch-url.
type launchView struct {
	URL string `json:"url"` // signs the user in and opens the app; a credential, valid for 5 minutes
}

// service is the platform's HTTP API over one SageMaker domain.
type service struct {
	client      *sagemakerapp.Client
	domainID    string
	region      string // picks the default image
	wait        []func(*sagemakerapp.WaitOptions)
	waitTimeout time.Duration // bounds a PUT: its space's wait and its app's together
	waits       *waits        // the PUTs that wait, within --max-waits and each caller's share
	removals    *removals     // the removals of people (DELETE /users/{user}) running in the background
	auth        authenticator
	log         *slog.Logger
}

// handlerConfig configures newHandler.
type handlerConfig struct {
	domainID string
	region   string // picks the default image of a space app
	// auth tells who the caller is; nil means noAuth.
	auth authenticator
	// waitTimeout bounds a PUT, its space's wait and its app's together; zero means
	// sagemakerapp.DefaultWaitTimeout. wait configures the waits further.
	waitTimeout time.Duration
	wait        []func(*sagemakerapp.WaitOptions)
	// maxWaits caps the PUTs that wait at once; zero means defaultMaxWaits.
	maxWaits int
	// removals runs the removals of people in the background, and ends them when its context
	// ends; nil means removals on context.Background with defaultDeleteTimeout, which nothing
	// ends (tests that remove people pass their own, and wait for it).
	removals *removals
	log      *slog.Logger // one line per failed call; nil discards them
}

// defaultMaxWaits is how many PUTs may wait at once unless --max-waits says otherwise. A waiting
// PUT holds a connection, a goroutine and a share of the domain's polls; the library's shared
// polling keeps the polls of many waits to one ListApps round.
const defaultMaxWaits = 256

// newHandler returns the platform's HTTP API for the apps of the user profiles of cfg.domainID:
//
//	PUT    /users/{user}/apps/{type}/{name}              ensure the app (body: appSpec); 200 and the app once InService
//	GET    /users/{user}/apps/{type}/{name}              the app as SageMaker reports it
//	DELETE /users/{user}/apps/{type}/{name}              delete it (202; idempotent)
//	POST   /users/{user}/apps/{type}/{name}/launch-url   a URL that signs the user in and opens the app
//	DELETE /users/{user}                                 remove the person (administrators only; 202, then in the background)
//
// A JupyterLab or CodeEditor app runs in the user's private space, {user}-jupyterlab or
// {user}-codeeditor, which PUT ensures first; a KernelGateway or JupyterServer app (Studio
// Classic, in a domain that still runs it) on the user profile. Every route first authenticates the caller with cfg.auth, who
// may manage only {user}'s apps when {user} is the caller, or anyone's as an administrator.
func newHandler(client *sagemakerapp.Client, cfg handlerConfig) http.Handler {
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	if cfg.auth == nil {
		cfg.auth = noAuth{}
	}
	if cfg.waitTimeout <= 0 {
		cfg.waitTimeout = sagemakerapp.DefaultWaitTimeout
	}
	if cfg.maxWaits <= 0 {
		cfg.maxWaits = defaultMaxWaits
	}
	if cfg.removals == nil {
		cfg.removals = newRemovals(context.Background(), defaultDeleteTimeout, cfg.log)
	}
	timeout := cfg.waitTimeout
	s := &service{client: client, domainID: cfg.domainID, region: cfg.region, waitTimeout: timeout,
		wait:  append([]func(*sagemakerapp.WaitOptions){func(o *sagemakerapp.WaitOptions) { o.Timeout = timeout }}, cfg.wait...),
		waits: newWaits(cfg.maxWaits), removals: cfg.removals, auth: cfg.auth, log: cfg.log}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /users/{user}/apps/{type}/{name}", s.authorized(s.put))
	mux.HandleFunc("GET /users/{user}/apps/{type}/{name}", s.authorized(s.get))
	mux.HandleFunc("DELETE /users/{user}/apps/{type}/{name}", s.authorized(s.delete))
	mux.HandleFunc("POST /users/{user}/apps/{type}/{name}/launch-url", s.authorized(s.launchURL))
	mux.HandleFunc("DELETE /users/{user}", s.adminOnly(s.deleteUser))
	return mux
}

// authorized runs h for a caller who may manage {user}'s apps, and answers anyone else 401 (not
// known) or 403 (known, but not {user} and no administrator), before the body is read; then a
// {type} that the platform does not serve is a 400, before any call.
func (s *service) authorized(h http.HandlerFunc) http.HandlerFunc {
	return s.guarded(h, func(c caller, r *http.Request) *authError {
		if !c.mayManage(r.PathValue("user")) {
			return forbidden(c)
		}
		return nil
	}, true)
}

// adminOnly runs h for an administrator, and answers anyone else 401 (not known) or 403 (known,
// and no administrator), before anything else is read.
func (s *service) adminOnly(h http.HandlerFunc) http.HandlerFunc {
	return s.guarded(h, func(c caller, _ *http.Request) *authError {
		if !c.admin {
			return notAnAdmin(c)
		}
		return nil
	}, false)
}

// guarded authenticates the caller, lets may refuse them, checks {type} when appRoute is set, and
// runs h with the caller in the request's context.
func (s *service) guarded(h http.HandlerFunc, may func(caller, *http.Request) *authError, appRoute bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, aerr := s.auth.authenticate(r)
		if aerr == nil {
			aerr = may(c, r)
		}
		if aerr != nil {
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request refused", slog.String("method", r.Method),
				slog.String("path", r.URL.Path), slog.Int("status", aerr.status), slog.String("caller", c.user))
			w.Header().Set("WWW-Authenticate", aerr.challenge())
			writeJSON(w, aerr.status, errorBody{Error: aerr.code, Message: aerr.message})
			return
		}
		if appRoute {
			if msg := unservedType(r.PathValue("type")); msg != "" {
				writeJSON(w, http.StatusBadRequest, errorBody{Error: "UnsupportedAppType", Message: msg})
				return
			}
		}
		h(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	}
}

// servedTypes are the app types the platform serves, as its usage says: JupyterLab and CodeEditor
// in the user's private space, KernelGateway and JupyterServer (Studio Classic) on the profile.
var servedTypes = []sagemakerapp.AppType{types.AppTypeJupyterLab, types.AppTypeCodeEditor, types.AppTypeKernelGateway, types.AppTypeJupyterServer}

// unservedType says why {type} is not one the platform serves, or "" when it is. App types are
// case-sensitive on the service: jupyterlab would reach it, and be refused there, so it is
// refused here, with the right spelling.
func unservedType(appType string) string {
	for _, t := range servedTypes {
		switch {
		case appType == string(t):
			return ""
		case strings.EqualFold(appType, string(t)):
			return "{type} " + appType + " is spelled " + string(t) + ": app types are case-sensitive"
		}
	}
	return "{type} must be JupyterLab, CodeEditor, KernelGateway or JupyterServer; this platform does not serve " + appType + " apps"
}

// callerKey is the context key of the authenticated caller of a request.
type callerKey struct{}

// waitOwner names whose share of the waits a PUT draws on: the authenticated caller, or, with
// --auth none (where anyone is anyone), the user in the path.
func waitOwner(r *http.Request) string {
	if c, _ := r.Context().Value(callerKey{}).(caller); c.user != "" {
		return c.user
	}
	return r.PathValue("user")
}

// put ensures the app: for a JupyterLab or CodeEditor app, the user's private space first, then
// the app in it; it is created, or adopted when it is there with the same spec, and the answer
// comes once it is InService. The wait ends with the request: a caller that gives up can repeat
// the PUT, which is idempotent.
//
// The space's members of the body (storageGiB, idleTimeoutMinutes, remoteAccess) are ensured with
// ConflictUpdate: a space that has others is changed with one UpdateSpace and waited for, except
// that storage never shrinks (409) and an idle timeout outside the bounds of the domain and the
// user profile is a 400, both before any write. An app that runs with another spec is a 409 that
// says how to ask for the restart ("replace": true), and is restarted (ConflictReplace) only then.
//
// The PUT's whole time, its space's wait and its app's, is bounded by waitTimeout (a context
// deadline, besides each wait's own Timeout); its write deadline, which the server's WriteTimeout
// sets short for every other route, is moved to waitTimeout + writeSlack, so that the answer of
// a long wait can still be written, and a PUT that somehow outlasts even that has its connection
// closed rather than held. At most maxWaits PUTs wait at once (one more is a 503 with
// Retry-After), one caller at most their share of them (callerShare; one more is a 429 with
// Retry-After), and the concurrent PUTs of one caller for one app with one body share one wait.
func (s *service) put(w http.ResponseWriter, r *http.Request) {
	spec, berr := decodeSpec(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if berr != nil {
		code := "InvalidBody"
		if berr.status == http.StatusRequestEntityTooLarge {
			code = "BodyTooLarge"
		}
		writeJSON(w, berr.status, errorBody{Error: code, Message: berr.message})
		return
	}
	user, appType := r.PathValue("user"), sagemakerapp.AppType(r.PathValue("type"))
	id := s.appID(r)
	if members := spec.spaceMembers(); id.SpaceName == "" && members != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "InvalidBody", Members: members,
			Message: strings.Join(members, ", ") + " set the private space of a JupyterLab or CodeEditor app; a " + string(appType) +
				" app runs on the user profile, which has no space"})
		return
	}
	if rm := s.removals.running(user); rm != nil {
		writeJSON(w, http.StatusConflict, errorBody{Error: "UserBeingRemoved",
			Message: user + " is being removed from the domain (since " + rm.started.UTC().Format(time.RFC3339) + "); nothing is made for them meanwhile"})
		return
	}
	b := s.client.NewApp(s.domainID, appType, id.AppName)
	var space *sagemaker.CreateSpaceInput
	image := spec.Image
	if id.SpaceName != "" {
		b = b.InSpace(id.SpaceName)
		space = sagemakerapp.PrivateSpace(s.domainID, id.SpaceName, user, appType)
		spec.applyTo(space, appType)
		if image == "" {
			var err error
			if image, err = studio.DefaultImage(s.region, sagemakerapp.InstanceType(spec.InstanceType)); err != nil {
				writeJSON(w, http.StatusInternalServerError, errorBody{Error: "NoDefaultImage",
					Message: "no SageMaker Distribution image is known for the platform's region " + s.region + "; give image in the body"})
				return
			}
		}
	} else {
		b = b.ForUser(user)
	}
	if spec.InstanceType != "" {
		b = b.InstanceType(sagemakerapp.InstanceType(spec.InstanceType))
	}
	if image != "" {
		b = b.Image(image)
	}
	if spec.ImageVersionAlias != "" {
		b = b.ImageVersionAlias(spec.ImageVersionAlias)
	}
	if spec.LifecycleConfig != "" {
		b = b.LifecycleConfig(spec.LifecycleConfig)
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Tags)) { // a stable order for the request
		b = b.Tag(k, spec.Tags[k])
	}
	// Both requests are checked before either is sent, so that an invalid app creates no space.
	_, err := b.Input()
	if err == nil && space != nil {
		err = sagemakerapp.ValidateSpace(space)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Not every ResponseWriter has a deadline (a test's recorder has none): nothing to move then.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.waitTimeout + writeSlack))
	ctx, cancel := context.WithTimeout(r.Context(), s.waitTimeout)
	defer cancel()
	owner := waitOwner(r)
	canonical, _ := json.Marshal(spec) // a struct of strings and a map (sorted): always marshals
	key := strings.Join([]string{owner, user, string(appType), id.AppName, string(canonical)}, "\x00")
	// The space's settings are changed in place (UpdateSpace) when the body asks for others than it
	// has; the app is restarted with another spec only when the body says "replace": true.
	spaceWait := append(slices.Clone(s.wait), func(o *sagemakerapp.WaitOptions) { o.OnConflict = sagemakerapp.ConflictUpdate })
	appWait := s.wait
	if spec.Replace {
		appWait = append(slices.Clone(s.wait), func(o *sagemakerapp.WaitOptions) { o.OnConflict = sagemakerapp.ConflictReplace })
	}
	app, refused, err := s.waits.do(ctx, owner, key, func(ctx context.Context) (*sagemakerapp.App, error) {
		ctx, cancel := context.WithTimeout(ctx, s.waitTimeout)
		defer cancel()
		if space != nil {
			if _, err := s.client.EnsureSpace(ctx, space, spaceWait...); err != nil {
				return nil, err
			}
		}
		return b.Ensure(ctx, appWait...)
	})
	switch refused {
	case waitBusy:
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "Busy",
			Message: "the platform is waiting for as many apps as it may at once (" + strconv.Itoa(s.waits.max) + "); repeat the request later"})
		return
	case waitShareTaken:
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
		writeJSON(w, http.StatusTooManyRequests, errorBody{Error: "TooManyWaits",
			Message: "you are waiting for " + strconv.Itoa(s.waits.perCaller) + " apps already, as many as one caller may at once; repeat the request once one of them is ready"})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view(app))
}

// launchURL answers a URL that signs the user in to Studio and opens the app (LaunchURL), for an
// app that is InService: a space with no running app would answer the URL with a 404. The URL is
// a credential for that user, valid for 5 minutes: this example serves it to whoever asks for
// {user}, so it must sit behind the platform's authentication, which checks that the caller is
// {user} (not part of this example).
//
// With ?redirect=true (or 1) the answer is instead 303 See Other to the URL, so that a browser or
// curl -L that follows it lands in the app; the URL is then in the Location header.
func (s *service) launchURL(w http.ResponseWriter, r *http.Request) {
	redirect := false
	if v := r.URL.Query().Get("redirect"); v != "" {
		var err error
		if redirect, err = strconv.ParseBool(v); err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{Error: "InvalidQuery", Message: "redirect must be true or false (or 1 or 0)"})
			return
		}
	}
	id := s.appID(r)
	app, err := s.client.DescribeApp(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if app.Status != types.AppStatusInService {
		writeJSON(w, http.StatusConflict, errorBody{Error: "AppNotInService",
			Message: "the app is " + string(app.Status) + "; PUT it and ask again once it is InService", App: ptr(view(app))})
		return
	}
	url, err := s.client.LaunchURL(r.Context(), id, func(o *sagemakerapp.LaunchOptions) { o.UserProfileName = r.PathValue("user") })
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // a credential: no cache may keep it
	if redirect {
		w.Header().Set("Location", url)
		w.WriteHeader(http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, launchView{URL: url})
}

func (s *service) get(w http.ResponseWriter, r *http.Request) {
	app, err := s.client.DescribeApp(r.Context(), s.appID(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view(app))
}

// delete deletes the app and answers 202 Accepted: the app is Deleting, and GET shows when it is
// Deleted. An app that is gone already is no error.
func (s *service) delete(w http.ResponseWriter, r *http.Request) {
	if err := s.client.DeleteApp(r.Context(), s.appID(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// appID names the app of a request: in the user's private space for a JupyterLab or CodeEditor
// app, on the user profile otherwise.
func (s *service) appID(r *http.Request) sagemakerapp.AppID {
	id := sagemakerapp.AppID{
		DomainID: s.domainID,
		AppType:  sagemakerapp.AppType(r.PathValue("type")),
		AppName:  r.PathValue("name"),
	}
	if studio.SpaceApp(id.AppType) {
		id.SpaceName = studio.PrivateSpaceName(r.PathValue("user"), id.AppType)
	} else {
		id.UserProfileName = r.PathValue("user")
	}
	return id
}

// writeError answers err with the HTTP status of its kind. Kinds are told apart with errors.Is and
// errors.As, never by the text of the error. The answer names the problem in the platform's
// words or the service's message, never err's own text: that can name the SageMaker endpoint,
// a dial error or a Go type, which are for the log, where the whole error goes.
func (s *service) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		status        int
		body          = errorBody{Error: "InternalError", Message: "the platform failed unexpectedly; its log has the cause"}
		invalid       *sagemakerapp.ValidationError
		conflict      *sagemakerapp.AppConflictError
		spaceConflict *sagemakerapp.SpaceConflictError
		failed        *sagemakerapp.AppFailedError
		spaceFailed   *sagemakerapp.SpaceFailedError
		apiErr        *sagemakerapp.APIError
	)
	if errors.As(err, &apiErr) {
		body.Error, body.Message, body.RequestID = apiErr.Code, apiErr.Message, apiErr.RequestID
		if body.Error == "" { // no answer arrived, or the SDK failed before sending
			body.Error, body.Message = "ServiceUnavailable", "SageMaker could not be reached; the platform's log has the cause"
		}
	}
	switch {
	case errors.As(err, &invalid):
		status, body.Error, body.Message = http.StatusBadRequest, "InvalidInput", "the request is invalid; nothing was sent to SageMaker"
		for _, p := range invalid.Problems {
			body.Problems = append(body.Problems, problem{Field: p.Field, Member: bodyMember(p.Field), Type: string(p.Type), Value: p.Value, Detail: p.Detail})
		}
	case errors.Is(err, sagemakerapp.ErrServiceValidation):
		status = http.StatusBadRequest // the service refused what the library could not check
	case errors.As(err, &conflict):
		status, body.Error = http.StatusConflict, "AppConflict"
		body.Message = "the app is " + string(conflict.Existing.Status) + " with another spec (" + strings.Join(conflict.Fields, ", ") +
			"); changing it stops the app and starts it again, which ends its kernels and terminals (the space and its files stay): " +
			`repeat the PUT with "replace": true in the body to do so`
		if slices.Contains(conflict.Fields, "AppName") || slices.Contains(conflict.Fields, "AppType") {
			body.Message = "the space runs another app (see app), and a space runs one app at a time; delete that app first"
		}
		body.Fields, body.Members, body.App = conflict.Fields, bodyMembers(conflict.Fields), ptr(view(conflict.Existing))
	case errors.As(err, &spaceConflict):
		status, body.Error = http.StatusConflict, "SpaceConflict"
		body.Fields, body.Members = spaceConflict.Fields, bodyMembers(spaceConflict.Fields)
		switch {
		case slices.Contains(spaceConflict.Fields, "SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb"):
			body.Message = "storageGiB is smaller than the storage of space " + spaceConflict.Existing.Name +
				", and a space's storage only grows: ask for at least its size, or leave storageGiB out"
		case slices.ContainsFunc(spaceConflict.Fields, changeable):
			// The space kept changing under this PUT's updates (another caller's): it is left as it is.
			body.Message = "space " + spaceConflict.Existing.Name + " was changed by someone else while this PUT changed it (see fields); repeat the PUT"
		default:
			body.Message = "space " + spaceConflict.Existing.Name + " exists, and is not this user's private space for this app type"
		}
	case errors.As(err, &spaceFailed):
		status, body.Error = http.StatusBadGateway, "SpaceFailed"
		body.Message = "space " + spaceFailed.Space.Name + " is " + string(spaceFailed.Space.Status) + ": " + spaceFailed.Space.FailureReason
	case errors.Is(err, sagemakerapp.ErrResourceInUse):
		status = http.StatusConflict
	case errors.Is(err, sagemakerapp.ErrResourceLimitExceeded):
		status = http.StatusTooManyRequests // body.Message is the service's quota message
	case errors.Is(err, sagemakerapp.ErrResourceNotFound):
		status = http.StatusNotFound
	case errors.Is(err, sagemakerapp.ErrWaitTimeout), errors.Is(err, context.DeadlineExceeded):
		status, body.Error = http.StatusGatewayTimeout, "Timeout"
		body.Message = "the app was not InService in time; repeat the request to go on waiting"
	case errors.Is(err, sagemakerapp.ErrThrottled), errors.Is(err, sagemakerapp.ErrServiceUnavailable),
		errors.Is(err, context.Canceled): // canceled: the caller left, or the server is shutting down
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
		if errors.Is(err, context.Canceled) {
			body.Error, body.Message = "Canceled", "the request was canceled before the app was ready; repeat it"
		}
	case errors.As(err, &failed):
		status, body.Error, body.Message = http.StatusBadGateway, "AppFailed", failed.App.FailureReason
		body.App = ptr(view(failed.App))
	case errors.Is(err, sagemakerapp.ErrAccessDenied):
		// The platform's own credentials were refused: not the caller's fault. The service's
		// message names the platform's AWS identity, which is for the log only.
		status, body.Message = http.StatusBadGateway, "SageMaker refused the platform's AWS credentials; the platform's log has the service's message"
	default:
		status = http.StatusInternalServerError
	}
	s.log.LogAttrs(r.Context(), slog.LevelWarn, "request failed", slog.String("method", r.Method),
		slog.String("path", r.URL.Path), slog.Int("status", status), slog.String("error", err.Error()))
	writeJSON(w, status, body)
}

// changeable reports whether the space member at path is one UpdateSpace changes: anything but
// the owner, the sharing and the app type.
func changeable(path string) bool {
	return !strings.HasPrefix(path, "OwnershipSettings.") && !strings.HasPrefix(path, "SpaceSharingSettings.") && path != "SpaceSettings.AppType"
}

func view(app *sagemakerapp.App) appView {
	v := appView{
		ARN: app.ARN, User: app.ID.UserProfileName, Space: app.ID.SpaceName, Type: string(app.ID.AppType), Name: app.ID.AppName,
		Status: string(app.Status), FailureReason: app.FailureReason,
	}
	if v.User == "" { // a private space's app: its owner, by the examples' naming
		v.User = strings.TrimSuffix(app.ID.SpaceName, "-"+strings.ToLower(string(app.ID.AppType)))
	}
	if rs := app.ResourceSpec; rs != nil {
		v.InstanceType = string(rs.InstanceType)
		v.Image = aws.ToString(rs.SageMakerImageArn)
		v.ImageVersionAlias = aws.ToString(rs.SageMakerImageVersionAlias)
		v.LifecycleConfig = aws.ToString(rs.LifecycleConfigArn)
	}
	if !app.CreationTime.IsZero() {
		v.Created = &app.CreationTime
	}
	return v
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the status is sent; a caller that left cannot be told more
}

func ptr[T any](v T) *T { return &v }
