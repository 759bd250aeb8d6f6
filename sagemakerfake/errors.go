package sagemakerfake

import (
	"fmt"
	"net/http"
)

// Error codes that the fake answers with, as sent in the "__type" member of an error body. The SDK
// decodes ResourceInUse, ResourceNotFound and ResourceLimitExceeded into their modelled types
// (types.ResourceInUse and so on); every other code arrives as a *smithy.GenericAPIError.
const (
	// CodeValidation answers a request that breaks a constraint of the model or a rule of the
	// service (HTTP 400).
	CodeValidation = "ValidationException"
	// CodeResourceInUse answers a create of something that exists, or a delete of an app that is
	// starting or being deleted (HTTP 400).
	CodeResourceInUse = "ResourceInUse"
	// CodeResourceNotFound answers a request about a domain, user profile, space, app or ARN that
	// does not exist (HTTP 400).
	CodeResourceNotFound = "ResourceNotFound"
	// CodeResourceLimit answers a CreateApp past a quota set with WithQuota (HTTP 400).
	CodeResourceLimit = "ResourceLimitExceeded"
	// CodeThrottling answers a call over a rate set with SetThrottle (HTTP 400).
	CodeThrottling = "ThrottlingException"
	// CodeUnknownOperation answers a request that is not a POST naming a supported operation in
	// X-Amz-Target (HTTP 400).
	CodeUnknownOperation = "UnknownOperationException"
	// CodeSerialization answers a body that is not JSON, not UTF-8, or has a member of the wrong
	// JSON type (HTTP 400).
	CodeSerialization = "SerializationException"
	// CodeInternalFailure is the service's 500; the fake sends it for an injected fault, or if it
	// has a bug.
	CodeInternalFailure = "InternalFailure"
	// CodeServiceUnavailable is the service's 503; the fake sends it only for an injected fault.
	CodeServiceUnavailable = "ServiceUnavailable"
	// CodeRequestTooLarge answers a body over MaxBodyBytes (HTTP 413).
	CodeRequestTooLarge = "RequestEntityTooLargeException"
)

// codeStatus is the HTTP status the service uses for each code; an unknown code (for example one
// given to a Fault) is a client error.
var codeStatus = map[string]int{
	CodeValidation:          http.StatusBadRequest,
	CodeResourceInUse:       http.StatusBadRequest,
	CodeResourceNotFound:    http.StatusBadRequest,
	CodeResourceLimit:       http.StatusBadRequest,
	CodeThrottling:          http.StatusBadRequest,
	CodeUnknownOperation:    http.StatusBadRequest,
	CodeSerialization:       http.StatusBadRequest,
	CodeInternalFailure:     http.StatusInternalServerError,
	CodeServiceUnavailable:  http.StatusServiceUnavailable,
	CodeRequestTooLarge:     http.StatusRequestEntityTooLarge,
	"AccessDeniedException": http.StatusBadRequest,
}

func statusFor(code string) int {
	if st, ok := codeStatus[code]; ok {
		return st
	}
	return http.StatusBadRequest
}

// apiError is an error answer: the wire code, its HTTP status and the message.
type apiError struct {
	code    string
	status  int
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func newAPIError(code, format string, args ...any) *apiError {
	return &apiError{code: code, status: statusFor(code), message: fmt.Sprintf(format, args...)}
}

func validationError(format string, args ...any) *apiError {
	return newAPIError(CodeValidation, format, args...)
}

func notFoundError(format string, args ...any) *apiError {
	return newAPIError(CodeResourceNotFound, format, args...)
}

func inUseError(format string, args ...any) *apiError {
	return newAPIError(CodeResourceInUse, format, args...)
}

func serializationError(format string, args ...any) *apiError {
	return newAPIError(CodeSerialization, format, args...)
}
