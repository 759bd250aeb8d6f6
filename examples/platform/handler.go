package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/studioapp/sagemakerapp"
)

// retryAfter is what a 503 answer asks the caller to wait before repeating the request.
const retryAfter = 5 * time.Second

// maxBodyBytes bounds a PUT body; a spec is a few hundred bytes.
const maxBodyBytes = 64 << 10

// appSpec is the body of PUT /users/{user}/apps/{type}/{name}. Every member is optional: without
// instanceType the user profile's or the domain's default applies.
type appSpec struct {
	InstanceType      string            `json:"instanceType,omitempty"`      // such as ml.t3.medium
	Image             string            `json:"image,omitempty"`             // a SageMaker image ARN
	ImageVersionAlias string            `json:"imageVersionAlias,omitempty"` // such as 2.3.1
	LifecycleConfig   string            `json:"lifecycleConfig,omitempty"`   // a Studio lifecycle configuration ARN
	Tags              map[string]string `json:"tags,omitempty"`
}

// appView is an app as the service answers it.
type appView struct {
	ARN               string     `json:"arn"`
	User              string     `json:"user"`
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
	Fields    []string  `json:"fields,omitempty"`    // AppConflict: the members that differ
	App       *appView  `json:"app,omitempty"`       // AppConflict and AppFailed: the app as found
}

// problem is one *sagemakerapp.FieldError.
type problem struct {
	Field  string `json:"field"` // the SDK member path, such as "Tags[0].Key"
	Type   string `json:"type"`  // Required, Invalid, NotSupported, Duplicate, TooLong, TooMany, Forbidden
	Value  string `json:"value,omitempty"`
	Detail string `json:"detail"`
}

// service is the platform's HTTP API over one SageMaker domain.
type service struct {
	client   *sagemakerapp.Client
	domainID string
	wait     []func(*sagemakerapp.WaitOptions)
	log      *slog.Logger
}

// newHandler returns the platform's HTTP API for the apps of the user profiles of domainID:
//
//	PUT    /users/{user}/apps/{type}/{name}   ensure the app (body: appSpec); 200 and the app once InService
//	GET    /users/{user}/apps/{type}/{name}   the app as SageMaker reports it
//	DELETE /users/{user}/apps/{type}/{name}   delete it (202; idempotent)
//
// wait configures the waits of PUT (and of DELETE on a Pending app); log receives one line per
// failed call, and may be nil.
func newHandler(client *sagemakerapp.Client, domainID string, log *slog.Logger, wait ...func(*sagemakerapp.WaitOptions)) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &service{client: client, domainID: domainID, wait: wait, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /users/{user}/apps/{type}/{name}", s.put)
	mux.HandleFunc("GET /users/{user}/apps/{type}/{name}", s.get)
	mux.HandleFunc("DELETE /users/{user}/apps/{type}/{name}", s.delete)
	return mux
}

// put ensures the app: it is created, or adopted when it is there with the same spec, and the
// answer comes once it is InService. The wait ends with the request: a caller that gives up can
// repeat the PUT, which is idempotent.
func (s *service) put(w http.ResponseWriter, r *http.Request) {
	var spec appSpec
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil && !errors.Is(err, io.EOF) { // an empty body is {}
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "InvalidBody", Message: "the body is not an app spec: " + err.Error()})
		return
	}
	b := s.client.NewApp(s.domainID, sagemakerapp.AppType(r.PathValue("type")), r.PathValue("name")).
		ForUser(r.PathValue("user"))
	if spec.InstanceType != "" {
		b = b.InstanceType(sagemakerapp.InstanceType(spec.InstanceType))
	}
	if spec.Image != "" {
		b = b.Image(spec.Image)
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
	app, err := b.Ensure(r.Context(), s.wait...)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view(app))
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

func (s *service) appID(r *http.Request) sagemakerapp.AppID {
	return sagemakerapp.AppID{
		DomainID:        s.domainID,
		UserProfileName: r.PathValue("user"),
		AppType:         sagemakerapp.AppType(r.PathValue("type")),
		AppName:         r.PathValue("name"),
	}
}

// writeError answers err with the HTTP status of its kind. Kinds are told apart with errors.Is and
// errors.As, never by the text of the error.
func (s *service) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		status   int
		body     = errorBody{Error: "InternalError", Message: err.Error()}
		invalid  *sagemakerapp.ValidationError
		conflict *sagemakerapp.AppConflictError
		failed   *sagemakerapp.AppFailedError
		apiErr   *sagemakerapp.APIError
	)
	if errors.As(err, &apiErr) {
		body.Error, body.Message, body.RequestID = apiErr.Code, apiErr.Message, apiErr.RequestID
		if body.Error == "" { // no answer arrived, or the SDK failed before sending
			body.Error, body.Message = "ServiceUnavailable", apiErr.Error()
		}
	}
	switch {
	case errors.As(err, &invalid):
		status, body.Error, body.Message = http.StatusBadRequest, "InvalidInput", "the request is invalid; nothing was sent to SageMaker"
		for _, p := range invalid.Problems {
			body.Problems = append(body.Problems, problem{Field: p.Field, Type: string(p.Type), Value: p.Value, Detail: p.Detail})
		}
	case errors.Is(err, sagemakerapp.ErrServiceValidation):
		status = http.StatusBadRequest // the service refused what the library could not check
	case errors.As(err, &conflict):
		status, body.Error = http.StatusConflict, "AppConflict"
		body.Message = "the app exists with another spec; delete it first to change it"
		body.Fields, body.App = conflict.Fields, ptr(view(conflict.Existing))
	case errors.Is(err, sagemakerapp.ErrResourceInUse):
		status = http.StatusConflict
	case errors.Is(err, sagemakerapp.ErrResourceLimitExceeded):
		status = http.StatusTooManyRequests // body.Message is the service's quota message
	case errors.Is(err, sagemakerapp.ErrResourceNotFound):
		status = http.StatusNotFound
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
	case errors.Is(err, sagemakerapp.ErrWaitTimeout):
		status, body.Error = http.StatusGatewayTimeout, "Timeout"
		body.Message = "the app was not InService in time; repeat the request to go on waiting"
	case errors.Is(err, sagemakerapp.ErrAccessDenied):
		status = http.StatusBadGateway // the platform's own credentials were refused: not the caller's fault
	default:
		status = http.StatusInternalServerError
	}
	s.log.LogAttrs(r.Context(), slog.LevelWarn, "request failed", slog.String("method", r.Method),
		slog.String("path", r.URL.Path), slog.Int("status", status), slog.String("error", err.Error()))
	writeJSON(w, status, body)
}

func view(app *sagemakerapp.App) appView {
	v := appView{
		ARN: app.ARN, User: app.ID.UserProfileName, Type: string(app.ID.AppType), Name: app.ID.AppName,
		Status: string(app.Status), FailureReason: app.FailureReason,
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
