// Package sagemakerapp is a typed client for Amazon SageMaker's CreateApp: the Studio apps
// (JupyterServer, KernelGateway, JupyterLab, CodeEditor, …) that a platform gives each user profile
// or shared space. It wraps the AWS SDK for Go v2 and adds what the SDK leaves to the caller: every
// rule the service would refuse a request for is checked before the call, with the field named;
// every service fault becomes a typed error; defaults are resolved the way the service resolves
// them.
//
// The shortest real program:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	if err != nil { … }
//	client := sagemakerapp.NewFromConfig(cfg)
//	app, err := client.NewApp("d-xxxxxxxxxxxx", types.AppTypeJupyterLab, "default").
//		ForUser("alice").
//		InstanceType(types.AppInstanceTypeMlT3Medium).
//		Tag("team", "ml").
//		Create(ctx)
//
// A request can also be validated alone, with Validate, or sent as a raw SDK input with
// Client.CreateApp.
//
// # Validation
//
// Validate checks a *sagemaker.CreateAppInput against the service model and the service's own
// rules: required members; AppType and ResourceSpec.InstanceType among the SDK's enum values (see
// AllowUnknownAppTypes and AllowUnknownInstanceTypes for values newer than the SDK); lengths in
// Unicode code points; the model's patterns, anchored at both ends and matched exactly as the
// model writes them; at most 50 tags, with unique keys that do not start with the reserved "aws:"
// prefix; exactly one of UserProfileName or SpaceName; only "system" for JupyterServer apps;
// TrainingPlanArn only for JupyterLab and CodeEditor apps ("None", which clears it, on any). Every
// problem is reported at once, as a *ValidationError of *FieldError values whose Field is the SDK
// member path ("Tags[3].Key", "ResourceSpec.InstanceType"). Validating a valid request allocates
// nothing.
//
// # Instance types and defaults
//
// An app's own ResourceSpec.InstanceType wins over the defaults below it, and the first default
// level that sets one wins. For a user-profile app the levels are the profile's UserSettings, then
// the domain's DefaultUserSettings. For a space app the service documents no order; this library
// (and sagemakerfake) use one rule: a shared space's SpaceSettings, then the domain's
// DefaultSpaceSettings, then DefaultUserSettings; a private space's SpaceSettings, then its
// owner's UserSettings, then DefaultUserSettings.
//
// Only a KernelGateway app is refused when no level sets an instance type. For such an app
// Client.CreateApp reads the levels (DescribeUserProfile or DescribeSpace, and DescribeDomain) and
// fails before the call with a FieldRequired problem that names every level it looked at. The
// read is an optimisation, never a reason to refuse a valid request: concurrent callers share one
// read, reads are cached per domain, profile and space for Options.DefaultsTTL, a refusal is made
// only on levels read after the call began (a cached "none" is read again first), and a read that
// fails for any reason but the caller's context is logged at debug level and the request is sent
// for the service to decide. Validate does the same check when given WithDefaults.
//
// # Errors
//
// Every error a call returns is nil, a context error (errors.Is(err, context.Canceled) or
// context.DeadlineExceeded), a *ValidationError (errors.Is(err, ErrInvalidInput)), or wraps an
// *APIError. Match the kind with errors.Is and a sentinel:
//
//	ErrInvalidInput           the library refused the request; nothing was sent
//	ErrResourceInUse          ResourceInUse: the app exists and is not Deleted or Failed
//	ErrResourceLimitExceeded  ResourceLimitExceeded: an account quota
//	ErrResourceNotFound       ResourceNotFound (or DescribeApp's RecordNotFound)
//	ErrThrottled              ThrottlingException and the other throttle codes, HTTP 429
//	ErrAccessDenied           AccessDeniedException, expired or invalid credentials, bad signatures
//	ErrServiceValidation      ValidationException: the service refused what the library could not check
//	ErrServiceUnavailable     HTTP 5xx, InternalFailure, ServiceUnavailable, or no response at all
//
// and read the detail with errors.As: *APIError carries the operation, the service's code and
// message, the request ID and the HTTP status, and unwraps to the SDK's own error, so errors.As
// still reaches *types.ResourceInUse, smithy.APIError and *smithy.OperationError. An error code the
// library does not know is an *APIError that matches no sentinel. The SDK's retries have already
// run when an error reaches the caller.
//
// The text of errors (Error, FieldError.Detail) is for people and may change in any release; match
// sentinels, types and fields, never strings.
//
// # Testing
//
// Package sagemakerfake is an in-process fake SageMaker on the real wire protocol: start one in a
// test with sagemakerfake.Start(t), seed a domain and user profile, and pass its Client() (a real
// *sagemaker.Client) to New. Apps move from Pending to InService on a clock the test advances, and
// faults (throttling, 5xx, lost responses) can be injected per operation. The API interface is
// also small enough for a hand-written double.
package sagemakerapp
