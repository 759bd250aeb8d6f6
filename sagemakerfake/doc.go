// Package sagemakerfake is an in-process fake of Amazon SageMaker's Studio app operations that
// speaks the real wire protocol, so that code using the AWS SDK can be tested without an AWS
// account. The standalone server in cmd/sagemakerfake serves the same fake to any AWS client.
//
// Start(t) starts a fake for a test: deterministic, on a ManualClock that only Advance moves, and
// closed by t.Cleanup. Run starts one for a program: on real time, so that apps start by
// themselves, returning an error rather than panicking; close it when done. The shortest real
// test:
//
//	func TestMyPlatform(t *testing.T) {
//		srv := sagemakerfake.Start(t) // closed by t.Cleanup
//		domainID, err := srv.SeedDomain("", &sagemaker.CreateDomainInput{
//			DomainName: aws.String("test"), AuthMode: types.AuthModeIam,
//			DefaultUserSettings: &types.UserSettings{},
//		})
//		// … srv.SeedUserProfile(…), then hand srv.Client() (a real *sagemaker.Client) to the code
//		// under test. Apps start Pending; srv.Advance(2 * time.Second) makes them InService.
//	}
//
// The fake is a second, independent reading of the service model: it does not share code with
// package sagemakerapp, so the two can be tested against each other.
//
// # What it models
//
// Protocol: awsJson 1.1 as the service speaks it. Requests are POST with X-Amz-Target
// "SageMaker.<Operation>" and a JSON body of at most MaxBodyBytes (larger: 413); answers are
// application/x-amz-json-1.1 with timestamps in epoch seconds, errors are {"__type", "message"}
// with the service's HTTP status, and every answer carries X-Amzn-RequestId. Bodies are read with
// encoding/json (numbers kept as written; a member given twice keeps its last value) and written
// with it; the Seed functions encode their SDK inputs with the SDK's own awsJson codec. An unknown
// target is UnknownOperationException; a body that is not JSON or UTF-8, or a member of the wrong
// JSON type, is SerializationException. No input makes the fake answer 5xx or crash
// (FuzzServerBody), except an injected fault; a panic in a FailureRule is answered as
// InternalFailure.
//
// Operations: CreateDomain, DescribeDomain, CreateUserProfile and DescribeUserProfile (settings
// stored exactly as given and answered back, the resource InService at once); CreateSpace,
// DescribeSpace, ListSpaces and DeleteSpace (see Spaces below); CreateApp, DescribeApp, DeleteApp
// and ListApps (filters, CreationTime order, ascending unless SortOrder says Descending, as the
// model's default is; MaxResults 1–100, default 10, opaque NextToken; a page costs the same
// whatever the fake holds, and DescribeApp and ListApps run side by side, so that a fleet of
// clients waiting on thousands of apps can poll it); CreatePresignedDomainUrl
// (see Opening an app); ListTags, AddTags and DeleteTags of apps, domains, user profiles and
// spaces (at most 50 tags per resource, keys unique, none starting with "aws:"; AddTags changes
// the value of a key the resource has; DeleteTags ignores keys it lacks).
//
// Validation: every input is checked against the service model, embedded in the package (the
// botocore extract in model/): JSON types, required members, lengths in code points, integer
// ranges, enums, and the model's regular expressions applied to the whole value, reported at once
// in the service's (Coral's) words, for example
// "1 validation error detected: Value 'a_b' at 'appName' failed to satisfy constraint: Member must
// satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}". Like Coral, the fake
// reports at most ten problems, the first ten in the order of the model's members, and its count
// says ten [I: Coral's validators stop at ten, as kinesalite's tests, written against the service,
// record]; a value is shown up to 1,024 bytes, then "..." [I: the service's cut is not known]. So
// an error answer is a few KB whatever the request (about 2 KB for 1 MB of empty tags), and
// building it costs memory in proportion to the answer, not the request. Each enum is the union of
// the model's values and the SDK's, since the service is newer than the extract. On top of the
// model, CreateApp applies the service's own rules: exactly one of UserProfileName and SpaceName;
// JupyterLab and CodeEditor apps only in a space; tag keys unique and not starting with "aws:" in
// any case; a TrainingPlanArn other than "None" only for JupyterLab and CodeEditor apps;
// JupyterServer apps only on "system" (also for the JupyterServer defaults of domains, user
// profiles and spaces). CheckCreateAppInput runs exactly these static checks without a server;
// CheckCreateAppWithDefaults adds the rules that depend on the levels of defaults (the
// KernelGateway instance type and the JupyterLab/CodeEditor image, below), given the levels'
// specs. Errors that do not travel over the wire (from those two and the Seed functions) are an
// *Error, which carries the code.
//
// CreateApp against state: the domain and the user profile or space must exist
// (ResourceNotFound). The instance type is the first that these levels set, in the app type's own
// member of the settings (KernelGatewayAppSettings, JupyterLabAppSettings and so on; a level whose
// shape has no member for the app type is skipped), and so is the image (below):
//
//	user profile app    the request's ResourceSpec, the profile's UserSettings, the domain's DefaultUserSettings
//	shared space app    the request's ResourceSpec, the space's SpaceSettings, the domain's
//	                    DefaultSpaceSettings, the domain's DefaultUserSettings
//	private space app   the request's ResourceSpec, the space's SpaceSettings, the UserSettings of the
//	                    owner (OwnershipSettings.OwnerUserProfileName), the domain's DefaultUserSettings
//
// A space is private when SpaceSharingSettings.SharingType is Private, and shared otherwise. This
// is the rule that package sagemakerapp applies too: AWS documents the order only for user profile
// apps, and the scope of DefaultSpaceSettings (shared spaces only) and of a profile's settings
// (private spaces only). RStudioServerPro apps fall back to the domain's
// RStudioServerProDomainSettings. "system" on KernelGateway becomes ml.t3.medium, a JupyterServer
// app runs on "system" even when nothing names it, and a KernelGateway app with no instance type
// at any level is a ValidationException that names every level it looked at. The image is the
// request's when its ResourceSpec sets SageMakerImageArn or SageMakerImageVersionArn, and
// otherwise that of the first level whose DefaultResourceSpec sets either (a value of "None"
// counts as unset); DescribeApp and ListApps then report that level's SageMakerImageArn,
// SageMakerImageVersionArn and SageMakerImageVersionAlias where the request set none. A
// JupyterLab or CodeEditor app that no level gives an image is a ValidationException with the
// service's text, "SageMaker Image ARN is required for App with type [JupyterLab]" (or
// [CodeEditor]). An app that exists and is not Deleted or Failed is ResourceInUse; a quota set
// with WithQuota is ResourceLimitExceeded in the service's words. App ARNs are
// arn:<partition>:sagemaker:<region>:<account>:app/<domain>/<user or space>/<apptype in lower
// case>/<name>, with the partition of the region (aws-cn, aws-us-gov, aws-iso, aws-iso-b,
// aws-iso-e, aws-iso-f, aws-eusc or aws) from the SDK's endpoint data.
//
// DescribeApp answers the ResourceSpec as resolved, the BuiltInLifecycleConfigArn of the first of
// the same levels that sets one (JupyterLab and CodeEditor settings have it), the
// EffectiveTrustedIdentityPropagationStatus of the domain's DomainSettings (ENABLED or DISABLED),
// and, from the time an app is InService, LastHealthCheckTimestamp and LastUserActivityTimestamp,
// which keep that value through Deleting and Deleted. SetLastUserActivity stages another user
// activity time for a test (of code that stops idle apps, say), until the app is created again.
//
// # Spaces and Studio as it runs today
//
// The fake models facts §7 of the project's reference notes. Each rule below is marked as AWS
// documents it [D], as third parties saw the live service answer [L], or as assumed here where AWS
// says nothing [I]; callers should match on error codes, never on the text of an [I] message.
//
//   - CreateSpace stores a space Pending for the startup delay, then InService [D: SpaceStatus;
//     the delay is the fake's]; DeleteSpace makes it Deleting for the delete delay, then it is gone
//     and DescribeSpace answers ResourceNotFound [L: Terraform waits for exactly this]. A seeded
//     space (SeedSpace, LoadSeed) stands for one that exists and is InService at once.
//     DescribeSpace answers SpaceArn, Status, CreationTime, OwnershipSettings,
//     SpaceSharingSettings and SpaceSettings as given; ListSpaces filters by DomainIdEquals and
//     SpaceNameContains (a part of the name in any case [I]), sorts by CreationTime or
//     LastModifiedTime, ascending by default [D], and pages as ListApps does.
//   - OwnershipSettings.OwnerUserProfileName must name an existing user profile (ResourceNotFound),
//     and a Private space must have an owner (ValidationException) [I: a private space is one
//     user's, L: EDU]. SpaceSettings.AppType cannot change [D]; the fake has no UpdateSpace.
//   - User profile and space names share one namespace per domain: CreateSpace with a profile's
//     name, or CreateUserProfile with a space's, is ResourceInUse "User Profile and Space name
//     must be unique in a domain" [L].
//   - DeleteSpace of a space whose app is not Deleted or Failed, or of a space being deleted, is
//     ResourceInUse naming the app [I: DeleteSpace models ResourceInUse; no text is public].
//   - JupyterLab and CodeEditor apps run only in a space [D]: CreateApp of one with
//     UserProfileName is a ValidationException "JupyterLab apps run in a space: specify SpaceName
//     instead of UserProfileName." [I: the text is the fake's; none is public].
//   - An app of a type other than the space's SpaceSettings.AppType is a ValidationException [I];
//     a space that sets no AppType takes any type, since the service might.
//   - A space runs one app at a time [D: "a 1:1 relationship"]: CreateApp in a space whose other
//     app is not Deleted or Failed is ResourceInUse, and its message names the blocking app's
//     type, name, ARN and status [I: the answer and its text]. The rule applies when either app
//     is JupyterLab or CodeEditor; Studio Classic apps (JupyterServer, KernelGateway) may share a
//     space as they always did [I]. CreateApp into a space that is still Pending is accepted [I];
//     into one being deleted it is ResourceInUse [I].
//   - The image rule above [L for the text and for an app without any image; I for the levels].
//   - A restart: CreateApp of an app whose record is Deleted (within the 24 hours it stays) keeps
//     its ARN [L] and its CreationTime [I: the cautious reading of "retain application metadata"],
//     and the app starts again (Pending for the startup delay); the request's tags replace the old
//     ones [I]. A create after the record has expired is a new app with a new CreationTime [D]. A
//     Failed app created again is a new app.
//
// # Opening an app
//
// CreatePresignedDomainUrl (facts §7.5) needs DomainId and UserProfileName, which must exist
// (ResourceNotFound), in a domain whose AuthMode is IAM (otherwise a ValidationException [D: the
// rule; I: its text]). SpaceName, when given, must exist, and a private space only opens for its
// owner (ValidationException [I]). ExpiresInSeconds (5–300, default 300),
// SessionExpirationDurationInSeconds (1800–43200) and the length of LandingUri (at most 1023)
// are the model's [D]. LandingUri is studio::<path> or app:<type>:<path> with type JupyterServer,
// JupyterLab, RStudioServerPro, CodeEditor or Canvas [D]; app:JupyterLab:<path> without a
// SpaceName is refused with "Provided app type JupyterLab is invalid for provided url type app for
// personal apps" [L], and app:CodeEditor alike [I]; any other form is a ValidationException [I].
// The AuthorizedUrl points at the fake itself, <URL>/studio/open?token=… (StudioPath), where a GET
// shows a small HTML page naming the domain, the user, the space and the app the URL opens, with
// its type, name, status and ARN as they are at that moment: for studio::/jupyterlab/<space> (or
// /codeeditor/<space>, the form seen accepted [L]) that app of the space, for a SpaceName the
// space's app, and otherwise the Studio home page. A token that the fake did not hand out, or one
// older than ExpiresInSeconds on the server's clock, gets 403 and a page that says so; so does a
// private space opened by a user other than its owner. Tokens can be used more than once [I], and
// the session duration is not enforced.
//
// Lifecycle, read from the server's clock whenever a request looks (no goroutines): Pending for
// the startup delay, then InService, or Failed with a FailureReason when a FailureRule says so;
// the built-in rule fails an app whose image belongs to the server's account but is not among the
// custom images of the app type's settings, with the service's message. DeleteApp moves an
// InService app to Deleting and, after the delete delay, Deleted. A Deleted or Failed app stays
// visible for 24 hours, then disappears; its name can be used again at once. DeleteApp refuses a
// Pending or Deleting app (ResourceInUse) and answers a Deleted or Failed one with the
// ValidationException texts the service uses ("has already been deleted", "previously failed and
// was automatically deleted"). DescribeApp of an unknown app is ResourceNotFound.
//
// A Server from Start has its own ManualClock, started at the wall-clock time and moved only by
// Advance, and the seed 1 for its random source (domain IDs, fault probabilities), so tests are
// deterministic. A Server from Run, like the standalone server, runs on SystemClock and a random
// seed, so that every start hands out new domain IDs. WithClock and WithRandSeed change either.
//
// Faults, set and cleared while the server runs: per operation (or AllOperations), an error code
// and status for the next N calls or a fraction of calls, added latency, dropping the connection
// before or after the call takes effect (the lost response), and token-bucket throttling on the
// server's clock. See Fault, InjectFault and SetThrottle. Apps and Requests return copies of the
// state for assertions (Requests keeps at most MaxLoggedBodyBytes of each body); SeedDomain,
// SeedUserProfile, SeedSpace and LoadSeed create parents from Go or from the standalone server's
// seed file, private spaces with their owner included.
//
// # What it does not model
//
//   - Authentication and authorization: signatures are not checked and any credentials work;
//     AccessDeniedException and the execution-role checks of CreateApp happen only as injected
//     faults.
//   - Operations other than those above (they answer UnknownOperationException), including every
//     Update and DeleteDomain; domains and user profiles never leave InService (DeleteUserProfile
//     removes a profile at once, and answers ResourceInUse while it has an app that is not
//     Deleted or Failed [I]).
//   - Rules the model does not state and public sources do not show, such as Studio Classic app
//     types being refused in new domains, or limits on apps or spaces per user. Where the
//     service's wording of a modelled rule is not known (exactly one of UserProfileName and
//     SpaceName, tag keys, TrainingPlanArn, the KernelGateway instance type, the [I] rules above),
//     the message is the fake's own; callers should match on codes, never on message text.
//   - Defaults beyond the instance type, the image and BuiltInLifecycleConfigArn: the lifecycle
//     configuration of a default ResourceSpec is not copied into the app.
//   - Health checks after the start: LastHealthCheckTimestamp stays at the time the app became
//     InService.
//   - Studio itself: the page at a presigned URL only names what it would open.
//   - Real capacity, networking, EFS, KMS and the apps themselves; the service's own throttling
//     rates (nothing is throttled unless SetThrottle says so); lengths counted in UTF-16 units,
//     as Java does (the fake counts code points, as the model's documentation does).
package sagemakerfake
