package sagemakerapp

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// Sentinels name the kind of a failure; match them with errors.Is. The detail of a service fault
// is in *APIError (errors.As), which also keeps the SDK's own error reachable. The text of an
// error is not part of the API: match kinds and fields, never strings.
var (
	// ErrInvalidInput: the request broke a rule the library checks before any call. The error is
	// a *ValidationError listing every problem, and nothing was sent.
	ErrInvalidInput = errors.New("sagemakerapp: invalid input")

	// ErrResourceInUse: the service answered ResourceInUse, for example an app of that name that is
	// not Deleted or Failed already exists, or ResourceAlreadyExists (modeled since SDK v1.291.0;
	// the same meaning: what the call would create is already there).
	ErrResourceInUse = errors.New("sagemakerapp: resource in use")

	// ErrResourceLimitExceeded: the service answered ResourceLimitExceeded, usually an account
	// quota of running apps for an app type and instance type.
	ErrResourceLimitExceeded = errors.New("sagemakerapp: resource limit exceeded")

	// ErrResourceNotFound: the app, or its domain, user profile or space, does not exist
	// (ResourceNotFound, or a DescribeApp ValidationException that reports RecordNotFound).
	ErrResourceNotFound = errors.New("sagemakerapp: resource not found")

	// ErrThrottled: the service refused the call for its rate (ThrottlingException and the other
	// throttle codes the SDK's retryer knows, or HTTP 429), after the SDK's retries.
	ErrThrottled = errors.New("sagemakerapp: throttled")

	// ErrAccessDenied: the caller may not make the call (AccessDeniedException), or its
	// credentials were refused (expired or invalid token, bad signature).
	ErrAccessDenied = errors.New("sagemakerapp: access denied")

	// ErrServiceValidation: the service refused the request as invalid (ValidationException) for
	// a reason the library could not check before the call.
	ErrServiceValidation = errors.New("sagemakerapp: rejected by service validation")

	// ErrServiceUnavailable: the service failed (HTTP 5xx, InternalFailure, ServiceUnavailable)
	// or could not be reached, after the SDK's retries.
	ErrServiceUnavailable = errors.New("sagemakerapp: service unavailable")

	// ErrAppFailed: an app that a wait or Ensure watched will not be InService: it Failed (the
	// error is an *AppFailedError whose App.FailureReason says why), or it was deleted meanwhile.
	ErrAppFailed = errors.New("sagemakerapp: app failed")

	// ErrInsufficientCapacity: an app Failed because AWS had no capacity for its instance type
	// (its FailureReason contains "InsufficientCapacity", as in "EC2InsufficientCapacityError:
	// Instance type 'ml.g5.12xlarge' is temporarily unavailable ..."). CreateApp itself succeeds
	// in that case; the shortage shows only in the app's status (facts §7.4). The error is an
	// *AppFailedError, so errors.Is(err, ErrAppFailed) holds too; a platform can offer another
	// instance type, or try again later.
	ErrInsufficientCapacity = errors.New("sagemakerapp: insufficient capacity")

	// ErrWaitTimeout: a wait ran out of time (WaitOptions.Timeout or the context's deadline)
	// before the app reached the status it waited for. Such an error is also
	// context.DeadlineExceeded.
	ErrWaitTimeout = errors.New("sagemakerapp: timed out waiting for the app")
)

// AppFailedError reports an app that will not be InService: App is the app as last seen, Failed
// (App.FailureReason says why) or Deleting or Deleted. errors.Is(err, ErrAppFailed) is true.
type AppFailedError struct {
	App *App
}

var _ error = (*AppFailedError)(nil)

// Error names the app, its status and the reason the service gave.
func (e *AppFailedError) Error() string {
	var b strings.Builder
	b.WriteString("sagemakerapp: app ")
	b.WriteString(e.App.ID.String())
	b.WriteString(" is ")
	b.WriteString(string(e.App.Status))
	if e.App.FailureReason != "" {
		b.WriteString(": ")
		b.WriteString(e.App.FailureReason)
	}
	return b.String()
}

// Is reports whether target is ErrAppFailed, or ErrInsufficientCapacity for a Failed app whose
// reason is a capacity shortage.
func (e *AppFailedError) Is(target error) bool {
	switch target {
	case ErrAppFailed:
		return true
	case ErrInsufficientCapacity:
		return e.App != nil && e.App.Status == types.AppStatusFailed && isCapacityShortage(e.App.FailureReason)
	}
	return false
}

// isCapacityShortage reports a FailureReason that names a capacity shortage: the service's
// reasons carry the EC2 error code, such as EC2InsufficientCapacityError (facts §7.4).
func isCapacityShortage(reason string) bool {
	return strings.Contains(reason, "InsufficientCapacity")
}

// AppConflictError reports that Ensure found the app already there, Pending or InService, with a
// ResourceSpec other than the one requested, or, for a space app, that the space runs another app
// (a space runs one app at a time). Nothing was changed. Existing is the app as found (for a space,
// the app that runs in it); Fields names each member that differs, as an SDK member path
// ("ResourceSpec.InstanceType"; "AppType" and "AppName" for another app in the space); Requested
// is the spec that was asked for. errors.Is(err, ErrResourceInUse) is true.
type AppConflictError struct {
	Existing  *App
	Fields    []string
	Requested *types.ResourceSpec
}

var _ error = (*AppConflictError)(nil)

// Error names the app and, per member that differs, what was asked and what exists.
func (e *AppConflictError) Error() string {
	var b strings.Builder
	if slices.Contains(e.Fields, "AppName") || slices.Contains(e.Fields, "AppType") {
		b.WriteString("sagemakerapp: space ")
		b.WriteString(e.Existing.ID.DomainID + "/" + e.Existing.ID.SpaceName)
		b.WriteString(" runs app ")
		b.WriteString(string(e.Existing.ID.AppType) + "/" + e.Existing.ID.AppName)
		b.WriteString(" (" + string(e.Existing.Status) + "); a space runs one app at a time: stop that app (DeleteApp) or use another space")
		return b.String()
	}
	b.WriteString("sagemakerapp: app ")
	b.WriteString(e.Existing.ID.String())
	b.WriteString(" exists with another spec")
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f)
		b.WriteString(" asked ")
		b.WriteString(quoteOrNone(specValue(e.Requested, f)))
		b.WriteString(", found ")
		b.WriteString(quoteOrNone(specValue(e.Existing.ResourceSpec, f)))
	}
	return b.String()
}

func quoteOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return strconv.Quote(s)
}

// Is reports whether target is ErrResourceInUse.
func (e *AppConflictError) Is(target error) bool { return target == ErrResourceInUse }

// waitTimeoutError is what a wait returns when it runs out of time: ErrWaitTimeout and
// context.DeadlineExceeded at once, with the last status seen and the last error met. The last
// error is named in the text but not unwrapped: the wait's kind is the timeout, not, say, the
// throttling that slowed it.
type waitTimeoutError struct {
	id      AppID
	want    string
	last    types.AppStatus
	lastErr error
}

func (e *waitTimeoutError) Error() string {
	var b strings.Builder
	b.WriteString("sagemakerapp: timed out waiting for app ")
	b.WriteString(e.id.String())
	b.WriteString(" to be ")
	b.WriteString(e.want)
	if e.last != "" {
		b.WriteString("; last seen ")
		b.WriteString(string(e.last))
	}
	if e.lastErr != nil {
		b.WriteString("; last error: ")
		b.WriteString(e.lastErr.Error())
	}
	return b.String()
}

func (e *waitTimeoutError) Is(target error) bool {
	return target == ErrWaitTimeout || target == context.DeadlineExceeded
}

// APIError is a failed call to SageMaker: which operation, the service's error code and message,
// the request ID and HTTP status where a response arrived, and the SDK's error, untouched, in
// Err. errors.Is matches it against the sentinel of its kind; errors.As reaches through it to the
// SDK's types (*types.ResourceInUse, smithy.APIError, *smithy.OperationError, …).
//
// Code is empty when no response arrived (a transport failure after the SDK's retries; such an
// error is ErrServiceUnavailable) or the SDK failed before sending (such an error matches no
// sentinel). An error code the library does not know is an *APIError that matches no sentinel.
type APIError struct {
	Operation  string
	Code       string
	Message    string
	RequestID  string
	StatusCode int
	Fault      smithy.ErrorFault
	Err        error
}

var (
	_ error           = (*APIError)(nil)
	_ smithy.APIError = (*APIError)(nil)
)

// ErrorCode returns Code, so that an *APIError is a smithy.APIError as the SDK's errors are.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage returns Message.
func (e *APIError) ErrorMessage() string { return e.Message }

// ErrorFault returns Fault: whether the client or the server was at fault, if known.
func (e *APIError) ErrorFault() smithy.ErrorFault { return e.Fault }

// Error describes the failure in one line. The text is for people and may change.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("sagemakerapp: ")
	b.WriteString(e.Operation)
	switch {
	case e.Code != "":
		b.WriteString(": ")
		b.WriteString(e.Code)
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	case e.Err != nil:
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if hint := e.hint(); hint != "" {
		b.WriteString(" (")
		b.WriteString(hint)
		b.WriteByte(')')
	}
	if e.StatusCode != 0 || e.RequestID != "" {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
		if e.RequestID != "" {
			b.WriteString(", request ID ")
			b.WriteString(e.RequestID)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Unwrap returns the SDK's error.
func (e *APIError) Unwrap() error { return e.Err }

// classicDeprecated is the service's answer to CreateApp of a Studio Classic app (JupyterServer,
// KernelGateway) in a domain that no longer runs Studio Classic: "Invalid request provided:
// Invalid AppType [KernelGateway]. This AppType has been deprecated." (facts §7.1).
const classicDeprecated = "This AppType has been deprecated"

// hint is advice that Error adds to the service's message, or "". The library sends a Studio
// Classic app whatever the domain, since which domains still run Studio Classic is an inference
// (facts §7.1); when the service refuses it, the error keeps the service's code and message and
// says what to do instead.
func (e *APIError) hint() string {
	if e.Operation == "CreateApp" && e.kind() == ErrServiceValidation && strings.Contains(e.Message, classicDeprecated) {
		return "Studio Classic apps (JupyterServer, KernelGateway) are created only in domains that still run Studio Classic; " +
			"create a JupyterLab or CodeEditor app in a space instead"
	}
	return ""
}

// Is reports whether target is the sentinel of the error's kind. The kind is derived from the
// fields, so an APIError built by hand (in a test double, say) matches as one from the SDK does.
func (e *APIError) Is(target error) bool {
	k := e.kind()
	return k != nil && k == target
}

// Codes by kind, beyond the modeled ones. Throttle codes are the SDK retryer's own list
// (retry.DefaultThrottleErrorCodes), so that what the SDK retried as throttling is ErrThrottled.
var (
	accessDeniedCodes = setOf([]string{
		"AccessDenied", "AccessDeniedException", "NotAuthorized", "UnauthorizedOperation",
		"UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId", "InvalidToken",
		"ExpiredToken", "ExpiredTokenException", "RequestExpired", "AuthFailure",
		"IncompleteSignature", "InvalidSignatureException", "SignatureDoesNotMatch",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException",
	})
	validationCodes = setOf([]string{
		"ValidationException", "ValidationError", "SerializationException", "InvalidParameterValue",
		"InvalidParameterValueException", "InvalidParameterException", "InvalidParameterCombination",
		"MissingParameter",
	})
	unavailableCodes = setOf([]string{
		"InternalFailure", "InternalError", "InternalServerError", "InternalServerException",
		"ServiceUnavailable", "ServiceUnavailableException", "ServiceFailure", "RequestTimeout",
		"RequestTimeoutException",
	})
)

// kind classifies the error: the code first, as the SDK's retryer does, then the HTTP status, then
// the absence of any response.
func (e *APIError) kind() error {
	switch e.Code {
	// ResourceAlreadyExists (SDK v1.291.0 on) says what ResourceInUse says on a create: the thing
	// is there already. One kind for both keeps every "it exists: look at it" path (lost-answer
	// recovery, Ensure's adoption) working whichever code an operation answers with.
	case "ResourceInUse", "ResourceInUseException", "ResourceAlreadyExists":
		return ErrResourceInUse
	case "ResourceLimitExceeded":
		return ErrResourceLimitExceeded
	case "ResourceNotFound", "ResourceNotFoundException":
		return ErrResourceNotFound
	}
	if _, ok := retry.DefaultThrottleErrorCodes[e.Code]; ok {
		return ErrThrottled
	}
	if _, ok := accessDeniedCodes[e.Code]; ok {
		return ErrAccessDenied
	}
	if _, ok := validationCodes[e.Code]; ok {
		// The service reports a missing app this way on DescribeApp, besides ResourceNotFound.
		if e.Operation == "DescribeApp" && strings.Contains(e.Message, "RecordNotFound") {
			return ErrResourceNotFound
		}
		return ErrServiceValidation
	}
	if _, ok := unavailableCodes[e.Code]; ok {
		return ErrServiceUnavailable
	}
	switch {
	case e.StatusCode == 429:
		return ErrThrottled
	case e.StatusCode == 403:
		return ErrAccessDenied
	case e.StatusCode >= 500 || e.Fault == smithy.FaultServer:
		return ErrServiceUnavailable
	case e.Code == "" && isTransportError(e.Err):
		// No answer, or one cut short before its code arrived (whatever its status): its kind is
		// unknown, and the call may succeed if made again.
		return ErrServiceUnavailable
	}
	return nil
}

// isTransportError reports whether err is a failure to send a request or to receive its response:
// no answer, or one cut short (a 200 whose body ended early fails to deserialize), or a
// cancellation or timeout that is not the caller's (mapError has already kept those as they are).
func isTransportError(err error) bool {
	var send *smithyhttp.RequestSendError
	var netErr net.Error
	var deser *smithy.DeserializationError
	return errors.As(err, &send) || errors.As(err, &netErr) || errors.As(err, &deser) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, errNoAnswerInTime)
}

// mapError turns an error from an SDK call into the library's: nil stays nil; a failure caused by
// ctx ending stays as the SDK returned it (errors.Is(err, context.Canceled) holds); every other
// error becomes an *APIError that wraps it. Every call of the library goes through it.
func mapError(ctx context.Context, operation string, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return err
	}
	e := &APIError{Operation: operation, Err: err}
	var op *smithy.OperationError
	if errors.As(err, &op) && op.OperationName != "" {
		e.Operation = op.OperationName
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		e.Code, e.Message, e.Fault = api.ErrorCode(), api.ErrorMessage(), api.ErrorFault()
	}
	// The SDK's response error sits in the chain whatever the retryer wrapped around it.
	var resp *smithyhttp.ResponseError
	if errors.As(err, &resp) && resp.Response != nil {
		e.StatusCode = resp.HTTPStatusCode()
	}
	var rid interface{ ServiceRequestID() string }
	if errors.As(err, &rid) {
		e.RequestID = rid.ServiceRequestID()
	}
	return e
}
