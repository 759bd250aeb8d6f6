package sagemakerapp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testMaxAttempts = 3

// wireServer is a loopback SageMaker endpoint that answers every request with respond and counts
// the requests, so that tests see how many attempts the SDK made.
type wireServer struct {
	*httptest.Server
	requests atomic.Int32
}

func newWireServer(t *testing.T, respond http.HandlerFunc) *wireServer {
	t.Helper()
	ws := &wireServer{}
	ws.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws.requests.Add(1)
		respond(w, r)
	}))
	t.Cleanup(ws.Close)
	return ws
}

// sdk returns a real SDK client for the server: static credentials, the standard retryer with
// testMaxAttempts and no backoff, so retries are counted without waiting.
func (ws *wireServer) sdk() *sagemaker.Client {
	return sagemaker.New(sagemaker.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ws.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:   ws.Client(),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = testMaxAttempts
			o.RateLimiter = ratelimit.None
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}),
	})
}

// goldenResponder replays a raw HTTP response from testdata/errors.
func goldenResponder(t *testing.T, name string) http.HandlerFunc {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "errors", name))
	require.NoError(t, err)
	defer f.Close()
	resp, err := http.ReadResponse(bufio.NewReader(f), nil)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(body)
	}
}

func TestErrorMappingOnTheWire(t *testing.T) {
	tests := []struct {
		golden    string
		operation string
		kind      error // nil: an *APIError that matches no sentinel
		code      string
		status    int
		requestID string
		attempts  int32
		sdkType   any // a pointer to a variable of the SDK type errors.As must reach, or nil
	}{
		{golden: "resource_in_use.http", operation: "CreateApp", kind: ErrResourceInUse, code: "ResourceInUse", status: 400, requestID: "8e3c4a1b-0001-4d2a-9c1e-5a6b7c8d9e01", attempts: 1, sdkType: new(*types.ResourceInUse)},
		{golden: "resource_in_use_capital_message.http", operation: "CreateApp", kind: ErrResourceInUse, code: "ResourceInUse", status: 400, requestID: "8e3c4a1b-0002-4d2a-9c1e-5a6b7c8d9e02", attempts: 1, sdkType: new(*types.ResourceInUse)},
		{golden: "code_member.http", operation: "CreateApp", kind: ErrResourceInUse, code: "ResourceInUse", status: 400, requestID: "8e3c4a1b-0016-4d2a-9c1e-5a6b7c8d9e16", attempts: 1},
		{golden: "resource_limit_exceeded_full_shape_id.http", operation: "CreateApp", kind: ErrResourceLimitExceeded, code: "ResourceLimitExceeded", status: 400, requestID: "8e3c4a1b-0003-4d2a-9c1e-5a6b7c8d9e03", attempts: 1, sdkType: new(*types.ResourceLimitExceeded)},
		{golden: "validation_error_type_header.http", operation: "CreateApp", kind: ErrServiceValidation, code: "ValidationException", status: 400, requestID: "8e3c4a1b-0004-4d2a-9c1e-5a6b7c8d9e04", attempts: 1},
		{golden: "validation_full_shape_id.http", operation: "CreateApp", kind: ErrServiceValidation, code: "ValidationException", status: 400, requestID: "8e3c4a1b-0005-4d2a-9c1e-5a6b7c8d9e05", attempts: 1},
		{golden: "throttling.http", operation: "CreateApp", kind: ErrThrottled, code: "ThrottlingException", status: 400, requestID: "8e3c4a1b-0006-4d2a-9c1e-5a6b7c8d9e06", attempts: testMaxAttempts},
		{golden: "too_many_requests_429.http", operation: "CreateApp", kind: ErrThrottled, code: "TooManyRequests", status: 429, requestID: "8e3c4a1b-0007-4d2a-9c1e-5a6b7c8d9e07", attempts: testMaxAttempts},
		{golden: "access_denied.http", operation: "CreateApp", kind: ErrAccessDenied, code: "AccessDeniedException", status: 400, requestID: "8e3c4a1b-0008-4d2a-9c1e-5a6b7c8d9e08", attempts: 1},
		{golden: "expired_token.http", operation: "CreateApp", kind: ErrAccessDenied, code: "ExpiredTokenException", status: 400, requestID: "8e3c4a1b-0009-4d2a-9c1e-5a6b7c8d9e09", attempts: 1},
		{golden: "unrecognized_client_403.http", operation: "CreateApp", kind: ErrAccessDenied, code: "UnrecognizedClientException", status: 403, requestID: "8e3c4a1b-0010-4d2a-9c1e-5a6b7c8d9e10", attempts: 1},
		{golden: "internal_failure_500.http", operation: "CreateApp", kind: ErrServiceUnavailable, code: "InternalFailure", status: 500, requestID: "8e3c4a1b-0011-4d2a-9c1e-5a6b7c8d9e11", attempts: testMaxAttempts},
		{golden: "service_unavailable_503.http", operation: "CreateApp", kind: ErrServiceUnavailable, code: "ServiceUnavailable", status: 503, requestID: "8e3c4a1b-0012-4d2a-9c1e-5a6b7c8d9e12", attempts: testMaxAttempts},
		{golden: "bad_gateway_html_502.http", operation: "CreateApp", kind: ErrServiceUnavailable, status: 502, attempts: testMaxAttempts},
		{golden: "unknown_code.http", operation: "CreateApp", kind: nil, code: "SomethingNewException", status: 400, requestID: "8e3c4a1b-0015-4d2a-9c1e-5a6b7c8d9e15", attempts: 1},
		{golden: "resource_not_found.http", operation: "DescribeApp", kind: ErrResourceNotFound, code: "ResourceNotFound", status: 400, requestID: "8e3c4a1b-0013-4d2a-9c1e-5a6b7c8d9e13", attempts: 1, sdkType: new(*types.ResourceNotFound)},
		{golden: "record_not_found_validation.http", operation: "DescribeApp", kind: ErrResourceNotFound, code: "ValidationException", status: 400, requestID: "8e3c4a1b-0014-4d2a-9c1e-5a6b7c8d9e14", attempts: 1},
		{golden: "record_not_found_validation.http", operation: "CreateApp", kind: ErrServiceValidation, code: "ValidationException", status: 400, requestID: "8e3c4a1b-0014-4d2a-9c1e-5a6b7c8d9e14", attempts: 1},
		{golden: "resource_already_exists.http", operation: "CreateApp", kind: ErrResourceInUse, code: "ResourceAlreadyExists", status: 400, requestID: "8e3c4a1b-0017-4d2a-9c1e-5a6b7c8d9e17", attempts: 1, sdkType: new(*types.ResourceAlreadyExists)},
		{golden: "classic_app_type_deprecated.http", operation: "CreateApp", kind: ErrServiceValidation, code: "ValidationException", status: 400, requestID: "8e3c4a1b-0018-4d2a-9c1e-5a6b7c8d9e18", attempts: 1},
	}
	sentinels := []error{ErrInvalidInput, ErrInsufficientCapacity, ErrResourceInUse, ErrResourceLimitExceeded, ErrResourceNotFound, ErrThrottled, ErrAccessDenied, ErrServiceValidation, ErrServiceUnavailable}
	for _, tt := range tests {
		t.Run(tt.operation+"/"+tt.golden, func(t *testing.T) {
			ws := newWireServer(t, goldenResponder(t, tt.golden))
			c := New(ws.sdk())
			var err error
			switch tt.operation {
			case "CreateApp":
				_, err = c.CreateApp(context.Background(), typicalInput())
			case "DescribeApp":
				_, err = c.DescribeApp(context.Background(), AppID{DomainID: "d-abc123", UserProfileName: "alice", AppType: types.AppTypeKernelGateway, AppName: "default"})
			}
			require.Error(t, err)

			for _, s := range sentinels {
				assert.Equal(t, s == tt.kind, errors.Is(err, s), "errors.Is(err, %v)", s)
			}
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.operation, apiErr.Operation)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.requestID, apiErr.RequestID)
			assert.Equal(t, tt.attempts, ws.requests.Load(), "requests the server saw")

			var opErr *smithy.OperationError
			require.ErrorAs(t, err, &opErr, "the SDK's operation error stays reachable")
			assert.Equal(t, tt.operation, opErr.OperationName)
			if tt.code != "" {
				var sdkAPIErr smithy.APIError
				require.ErrorAs(t, err, &sdkAPIErr)
				assert.Equal(t, tt.code, sdkAPIErr.ErrorCode())
				assert.Equal(t, apiErr.Message, sdkAPIErr.ErrorMessage())
				assert.NotEmpty(t, apiErr.Message, "the message reaches APIError from message or Message")
			}
			if tt.sdkType != nil {
				assert.True(t, errors.As(err, tt.sdkType), "errors.As reaches %T", tt.sdkType)
			}
		})
	}
}

// TestTransportFailureIsServiceUnavailable drops every connection without an answer: the SDK
// retries, then the error is ErrServiceUnavailable with no code or status.
func TestTransportFailureIsServiceUnavailable(t *testing.T) {
	ws := newWireServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	_, err := New(ws.sdk()).CreateApp(context.Background(), typicalInput())
	require.ErrorIs(t, err, ErrServiceUnavailable)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Empty(t, apiErr.Code)
	assert.Zero(t, apiErr.StatusCode)
	assert.Equal(t, int32(testMaxAttempts), ws.requests.Load())
	assert.False(t, errors.Is(err, ErrThrottled))
}

// TestCanceledCallIsAContextError cancels a call the server holds: the error is the context's,
// not an APIError, and the server is released.
func TestCanceledCallIsAContextError(t *testing.T) {
	arrived := make(chan struct{}, testMaxAttempts)
	ws := newWireServer(t, func(w http.ResponseWriter, r *http.Request) {
		// The server notices a closed connection only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	_, err := New(ws.sdk()).CreateApp(ctx, typicalInput())
	require.ErrorIs(t, err, context.Canceled)
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "a canceled call is not a service fault")
	assert.False(t, errors.Is(err, ErrServiceUnavailable))
}

func TestAPIErrorBuiltByHandMatchesItsKind(t *testing.T) {
	tests := []struct {
		err  *APIError
		kind error
	}{
		{&APIError{Code: "ResourceInUse"}, ErrResourceInUse},
		{&APIError{Code: "ResourceAlreadyExists"}, ErrResourceInUse},
		{&APIError{Code: "ThrottlingException"}, ErrThrottled},
		{&APIError{Code: "RequestLimitExceeded"}, ErrThrottled},
		{&APIError{StatusCode: 429}, ErrThrottled},
		{&APIError{Code: "SignatureDoesNotMatch", StatusCode: 403}, ErrAccessDenied},
		{&APIError{StatusCode: 403}, ErrAccessDenied},
		{&APIError{Code: "ValidationException", Operation: "DescribeApp", Message: "RecordNotFound"}, ErrResourceNotFound},
		{&APIError{Code: "ValidationException", Operation: "DeleteApp", Message: "App has already been deleted"}, ErrServiceValidation},
		{&APIError{Code: "InternalFailure"}, ErrServiceUnavailable},
		{&APIError{StatusCode: 504}, ErrServiceUnavailable},
		{&APIError{Code: "Weird", Fault: smithy.FaultServer}, ErrServiceUnavailable},
		{&APIError{Code: "Weird", StatusCode: 400}, nil},
		{&APIError{Err: errors.New("not a transport error")}, nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.kind, tt.err.kind(), "%+v", tt.err)
		if tt.kind != nil {
			assert.ErrorIs(t, tt.err, tt.kind)
		}
	}
}

func TestAPIErrorText(t *testing.T) {
	e := &APIError{Operation: "CreateApp", Code: "ResourceInUse", Message: "exists", RequestID: "req-1", StatusCode: 400}
	assert.Equal(t, "sagemakerapp: CreateApp: ResourceInUse: exists (HTTP 400, request ID req-1)", e.Error())
	e = &APIError{Operation: "CreateApp", Err: errors.New("dial tcp: refused")}
	assert.Equal(t, "sagemakerapp: CreateApp: dial tcp: refused", e.Error())
}

func TestAPIErrorIsASmithyAPIError(t *testing.T) {
	var err error = &APIError{Operation: "CreateApp", Code: "ResourceInUse", Message: "exists", Fault: smithy.FaultClient}
	var api smithy.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "ResourceInUse", api.ErrorCode())
	assert.Equal(t, "exists", api.ErrorMessage())
	assert.Equal(t, smithy.FaultClient, api.ErrorFault())
}

// TestClassicAppDeprecatedSaysWhatToUse: the service's refusal of a Studio Classic app comes back
// as its ValidationException, code and message kept, and the text says that JupyterLab or
// CodeEditor in a space is the way. Other refusals, and the same words from another operation,
// get no such advice.
func TestClassicAppDeprecatedSaysWhatToUse(t *testing.T) {
	ws := newWireServer(t, goldenResponder(t, "classic_app_type_deprecated.http"))
	_, err := New(ws.sdk()).CreateApp(context.Background(), typicalInput())
	require.ErrorIs(t, err, ErrServiceValidation)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "ValidationException", apiErr.Code)
	assert.Equal(t, "Invalid request provided: Invalid AppType [KernelGateway]. This AppType has been deprecated.", apiErr.Message)
	assert.Contains(t, err.Error(), "This AppType has been deprecated.")
	assert.Contains(t, err.Error(), "create a JupyterLab or CodeEditor app in a space instead")
	assert.Equal(t, int32(1), ws.requests.Load(), "the library sent the Classic app: it does not refuse it before the call")

	for _, e := range []*APIError{
		{Operation: "CreateApp", Code: "ValidationException", Message: "SageMaker Image ARN is required for App with type [JupyterLab]"},
		{Operation: "DescribeApp", Code: "ValidationException", Message: "This AppType has been deprecated."},
		{Operation: "CreateApp", Code: "ResourceInUse", Message: "This AppType has been deprecated."},
	} {
		assert.NotContains(t, e.Error(), "JupyterLab or CodeEditor", "%+v", e)
	}
}

// TestInsufficientCapacityIsAnAppFailure: a Failed app whose reason is a capacity shortage is
// both ErrInsufficientCapacity and ErrAppFailed; another failure, or an app deleted meanwhile, is
// only ErrAppFailed.
func TestInsufficientCapacityIsAnAppFailure(t *testing.T) {
	id := AppID{DomainID: "d-abc123", SpaceName: "alice-lab", AppType: types.AppTypeJupyterLab, AppName: "default"}
	for _, tt := range []struct {
		status   types.AppStatus
		reason   string
		capacity bool
	}{
		{types.AppStatusFailed, "EC2InsufficientCapacityError: Instance type 'ml.g5.12xlarge' is temporarily unavailable in us-east-1d.", true},
		{types.AppStatusFailed, "InsufficientCapacity: no ml.p5.48xlarge capacity", true},
		{types.AppStatusFailed, "Unable to launch App with Image [geospatial] because it is not present in list of custom images", false},
		{types.AppStatusFailed, "", false},
		{types.AppStatusDeleted, "EC2InsufficientCapacityError: stale reason of a deleted app", false},
	} {
		var err error = &AppFailedError{App: &App{ID: id, Status: tt.status, FailureReason: tt.reason}}
		err = fmt.Errorf("ensure: %w", err)
		assert.ErrorIs(t, err, ErrAppFailed, "%s %q", tt.status, tt.reason)
		assert.Equal(t, tt.capacity, errors.Is(err, ErrInsufficientCapacity), "%s %q", tt.status, tt.reason)
	}
}
