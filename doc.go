// Package sagemakerapp is a typed client for Amazon SageMaker's CreateApp: the Studio apps that a
// platform gives its users. On Studio as it runs today those are JupyterLab and CodeEditor apps,
// each in a space (a private space of one user, or a shared one) and with an image; the Studio
// Classic apps, JupyterServer and KernelGateway, are created only in domains that still run Studio
// Classic. It wraps the AWS SDK for Go v2 and adds what the SDK leaves to the caller: every rule
// the service would refuse a request for is checked before the call, with the field named; every
// service fault becomes a typed error; defaults are resolved the way the service resolves them;
// spaces and apps can be ensured and waited for, and opened with a launch URL.
//
// The shortest real program gives alice a JupyterLab app in her private space and a URL that opens
// it:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	if err != nil {
//		return err
//	}
//	client := sagemakerapp.NewFromConfig(cfg)
//	const domainID = "d-xxxxxxxxxxxx"
//	space, err := client.EnsureSpace(ctx, sagemakerapp.PrivateSpace(domainID, "alice-jupyterlab", "alice", types.AppTypeJupyterLab))
//	if err != nil {
//		return err
//	}
//	image, err := sagemakerapp.DistributionImage(cfg.Region, false) // the SageMaker Distribution image
//	if err != nil {
//		return err
//	}
//	app, err := client.NewApp(domainID, types.AppTypeJupyterLab, "default").
//		InSpace(space.Name).
//		InstanceType(types.AppInstanceTypeMlT3Medium).
//		Image(image).
//		Tag("team", "ml").
//		Ensure(ctx) // create it, or adopt it; then wait until it is InService
//	if err != nil {
//		return err
//	}
//	url, err := client.LaunchURL(ctx, app.ID) // signs alice in: hand it only to her
//
// A request can also be validated alone, with Validate, or sent as a raw SDK input with
// Client.CreateApp. Example (in this package's examples) runs the same steps against
// sagemakerfake.
//
// # Validation
//
// Validate checks a *sagemaker.CreateAppInput against the service model and the service's own
// rules: required members; AppType and ResourceSpec.InstanceType among the SDK's enum values (see
// AllowUnknownAppTypes and AllowUnknownInstanceTypes for values newer than the SDK); lengths in
// Unicode code points; the model's patterns, anchored at both ends and matched exactly as the
// model writes them; at most 50 tags, with unique keys that do not start with the reserved "aws:"
// prefix; exactly one of UserProfileName or SpaceName; JupyterLab and CodeEditor apps in a space
// (SpaceName, never UserProfileName); only "system" for JupyterServer apps;
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
// The same levels can give a JupyterLab or CodeEditor app its image (ResourceSpec.SageMakerImageArn
// or SageMakerImageVersionArn). A KernelGateway app that no level gives an instance type, and a
// JupyterLab or CodeEditor app that no level gives an image, are refused: for such an app
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
// *APIError; waits and Ensure add *AppFailedError, *AppConflictError and timeouts. Match the kind
// with errors.Is and a sentinel:
//
//	ErrInvalidInput           the library refused the request; nothing was sent
//	ErrResourceInUse          ResourceInUse or ResourceAlreadyExists: the app exists and is not Deleted or Failed
//	ErrResourceLimitExceeded  ResourceLimitExceeded: an account quota
//	ErrResourceNotFound       ResourceNotFound (or DescribeApp's RecordNotFound)
//	ErrThrottled              ThrottlingException and the other throttle codes, HTTP 429
//	ErrAccessDenied           AccessDeniedException, expired or invalid credentials, bad signatures
//	ErrServiceValidation      ValidationException: the service refused what the library could not check
//	ErrServiceUnavailable     HTTP 5xx, InternalFailure, ServiceUnavailable, or no response at all
//	ErrAppFailed              a waited-for app Failed or was deleted (*AppFailedError)
//	ErrInsufficientCapacity   it Failed for lack of capacity of its instance type (also ErrAppFailed)
//	ErrWaitTimeout            a wait ran out of time; also context.DeadlineExceeded
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
// # Waiting
//
// CreateApp returns a Pending app; Client.WaitForApp polls until it is InService (and
// WaitForAppDeleted until it is gone), in the shape of the SDK's waiters: pauses from
// WaitOptions.MinDelay (2 s) doubling to MaxDelay (20 s), half fixed and half random, for at
// most WaitOptions.Timeout (15 minutes) and the context's deadline. A five-minute start takes at
// most 24 polls at the defaults. The outcome is typed: a Failed app is an *AppFailedError
// (ErrAppFailed) with the service's FailureReason; running out of time is both ErrWaitTimeout and
// context.DeadlineExceeded; throttling and service faults during a wait are retried at the next
// poll, and ResourceNotFound right after a create is taken for an app not visible yet. The
// builder's CreateAndWait creates and waits in one call.
//
// CreateApp has no client token, and the SDK retries it after a lost response. When such a retry
// is answered ResourceInUse, CreateApp describes the app, and an app created after the call began
// with the requested spec is recognised as its own: the call succeeds instead of reporting the
// app it has just made as in use. DeleteApp is idempotent: an app already deleted, deleting,
// failed or missing is success, and a Pending one is waited out and then deleted.
//
// # Ensure
//
// Client.EnsureApp (and the builder's Ensure) makes an app exist and be InService whatever state
// it is in: it creates a missing, Failed or Deleted app, waits out a Deleting one, adopts a
// Pending or InService one with the requested spec (adding the requested tags it lacks; it never
// removes one), and refuses one with another spec with an *AppConflictError that names the
// members that differ (errors.Is ErrResourceInUse). It is safe for many goroutines and replicas
// to ensure the same app at once, and, being idempotent, it retries throttling, service faults
// and lost responses until WaitOptions.Timeout; only a permanent error (invalid input, access
// denied, a quota, a conflict, an app that failed after Ensure created it) ends it early. With
// WaitOptions.OnConflict set to ConflictReplace, an app of the same name with another spec is
// deleted and created with the requested one instead (OutcomeReplaced), as a change of instance
// type needs; another app that blocks a space is never replaced, and a delete always follows a
// look that saw the other spec, so that a replica's replacement is never deleted.
//
// Every app an Ensure returns was InService, with the requested spec and tags, at an instant of
// the call: an app this call created is compared too (in the members the service reports), since
// another caller may delete it and create its own meanwhile. The Outcome says what the call can
// prove: created (or recreated, replaced) only for an app its own CreateApp made and that it has
// not seen gone since; adopted for any other, including one its CreateApp may have made when the
// answer was lost.
//
// # The fleet
//
// Client.Apps ranges over the apps of a domain, user profile or space (a paged ListApps, one App
// per app, Deleted ones left out unless asked for). Client.DeleteApps stops every app of such a
// filter at a batch's concurrency and rate and waits until each is gone, so that a user profile,
// space or domain can be deleted next; a space and its storage are never touched. It stops the
// apps as it listed them: each delete follows a look, and an app started again meanwhile is
// reported (ErrResourceInUse), never deleted.
//
// # A person's whole Studio
//
// Client.Spaces ranges over the spaces of a domain, or of one owner. EnsureSpace with
// WaitOptions.OnConflict set to ConflictUpdate changes a space whose settings differ from the
// request (storage that grows, the idle timeout within the bounds the levels above it set, default
// specs and images, remote access) with one UpdateSpace; what cannot change (owner, sharing, app
// type, smaller storage) stays a *SpaceConflictError, and a space is never deleted to match.
// Client.DeleteSpace deletes a space with its app; Client.DeleteUser removes a person: their
// apps, the spaces they own, then their user profile, refusing a shared space they own unless
// asked, idempotent and safe to repeat after a crash. These calls need AdminAPI (UpdateSpace,
// DeleteSpace, DeleteUserProfile), which *sagemaker.Client has.
//
// # How the lifecycle is built and checked
//
// Every decision that can report success, create, replace or delete (an Ensure of an app or of a
// space, a replace, DeleteApp's wait-then-delete, each app of DeleteApps, DeleteSpace) is a pure
// function of what the call knows, what it has just observed, the request and the policy; the
// loops around them only make the calls and feed back what they answer. Tables test every
// combination of the decisions' inputs (decide_test.go), and a seeded simulation (sim_test.go)
// runs random workloads of the public calls against sagemakerfake, with other replicas, deleters,
// restarters and faults, and checks what each call returned against the fake's history:
//
//	go test . -run TestSimulation -sim.seeds=100000   # more seeds than CI's 500
//	go test . -run TestSimulation -sim.seed=N -v      # one seed, with its schedule and history
//
// # Observability
//
// A Client reports its own work through smithy-go's tracing and metrics interfaces, the ones the
// SDK reports each API call to, so that one adapter lights both: for OpenTelemetry, set
// smithyoteltracing.Adapt(tp) and smithyotelmetrics.Adapt(mp) as the SDK client's
// TracerProvider and MeterProvider (sagemaker.Options), and the Client, which defaults
// Options.TracerProvider and Options.MeterProvider to those of the *sagemaker.Client given to New,
// uses them too. For an API that is not a *sagemaker.Client, set them in Options. This module
// depends on no telemetry SDK. Give the Client and the SDK client providers of one adapter (the
// default does): the spans of one trace must come from one.
//
// Each span is the parent of the SDK's spans of the calls it makes ("SageMaker.CreateApp",
// "SageMaker.DescribeApp", …):
//
//	sagemakerapp.EnsureApp          each Ensure of an app (EnsureApp, each app of EnsureApps, the builder's Ensure);
//	                                sagemakerapp.outcome is its Outcome: created, adopted, recreated, replaced, conflict, failed
//	sagemakerapp.EnsureApps         a batch, parent of its apps' EnsureApp spans; sagemakerapp.batch.size and .failed
//	sagemakerapp.CreateApp          each CreateApp, an Ensure's included; sagemakerapp.recovery.ran and
//	                                sagemakerapp.recovery.claimed: whether the lost-response recovery ran, and claimed the app
//	sagemakerapp.WaitForApp         WaitForApp, and the wait of the builder's CreateAndWait
//	sagemakerapp.WaitForAppDeleted  WaitForAppDeleted
//	sagemakerapp.EnsureSpace        each Ensure of a space (EnsureSpace, each space of EnsureSpaces); sagemakerapp.space
//	sagemakerapp.EnsureSpaces       a batch of spaces
//
// A span about an app carries sagemakerapp.app (AppID.String) and sagemakerapp.app_type; a span
// that ends in an error has the status Error and the attributes exception.type and
// exception.message, as the SDK's spans do.
//
// The metrics:
//
//	sagemakerapp.app.time_to_in_service  histogram, s, by app_type: from the CreateApp that an Ensure or
//	                                     CreateAndWait made (its limiter waits and retries included) to InService,
//	                                     on the Client's clock; an app found, or a plain wait, records none
//	sagemakerapp.polls                   counter, by kind: describe (a wait's DescribeApp) or list (a page of a
//	                                     ListApps round that the waits of a domain share)
//	sagemakerapp.create_limiter.wait     histogram, s: how long each CreateApp attempt waited for Options.CreateLimiter
//	                                     and the batch's BatchOptions.CreatesPerSecond
//	sagemakerapp.throttles               counter, by rpc.method: attempts the service throttled (every attempt of the SDK's
//	                                     retries for a *sagemaker.Client; each call's final error for another API)
//	sagemakerapp.ensure.outcomes         counter, by outcome: each Ensure of an app, by its Outcome
//
// Every call the Client makes also carries "sagemakerapp/" + Version in its User-Agent header, so
// that the library's calls can be told from others in CloudTrail.
//
// # Testing
//
// Package sagemakerfake is an in-process fake SageMaker on the real wire protocol: start one in a
// test with sagemakerfake.Start(t), seed a domain and user profile, and pass its Client() (a real
// *sagemaker.Client) to New. Apps move from Pending to InService on a clock the test advances, and
// faults (throttling, 5xx, lost responses) can be injected per operation. A test of a Studio
// Classic app (JupyterServer, KernelGateway) seeds a domain that still runs Studio Classic, one
// whose DefaultUserSettings.StudioWebPortal is DISABLED: elsewhere the fake, like the service,
// refuses to create one. The API interface is also small enough for a hand-written double.
package sagemakerapp
