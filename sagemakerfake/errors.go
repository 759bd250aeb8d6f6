package sagemakerfake

import (
	"fmt"
	"net/http"

	smithy "github.com/aws/smithy-go"
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

// Error is an error answer of the fake: the code that the wire carries in "__type", the message
// and the HTTP status. CheckCreateAppInput, SeedDomain, SeedUserProfile and SeedSpace return one,
// and LoadSeed wraps one with the entry it concerns, so callers can match the code with errors.As
// rather than reading the text. It implements smithy.APIError, as the SDK's errors do, so code that
// inspects SDK errors through that interface works on it unchanged.
type Error struct {
	// Code is the error code, one of the Code constants or the code of an injected Fault.
	Code string
	// Message is the service's message (or, where the service's wording is not known, the fake's).
	Message string
	// StatusCode is the HTTP status the answer carries on the wire.
	StatusCode int
}

var _ smithy.APIError = (*Error)(nil)

// Error returns the code and the message, as in "ValidationException: 1 validation error detected: …".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns e.Code.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorMessage returns e.Message.
func (e *Error) ErrorMessage() string { return e.Message }

// ErrorFault reports a 5xx answer as the server's fault and any other as the client's.
func (e *Error) ErrorFault() smithy.ErrorFault {
	if e.StatusCode >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

func newAPIError(code, format string, args ...any) *Error {
	return &Error{Code: code, StatusCode: statusFor(code), Message: fmt.Sprintf(format, args...)}
}

func validationError(format string, args ...any) *Error {
	return newAPIError(CodeValidation, format, args...)
}

func notFoundError(format string, args ...any) *Error {
	return newAPIError(CodeResourceNotFound, format, args...)
}

func inUseError(format string, args ...any) *Error {
	return newAPIError(CodeResourceInUse, format, args...)
}

func serializationError(format string, args ...any) *Error {
	return newAPIError(CodeSerialization, format, args...)
}
