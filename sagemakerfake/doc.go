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
// Operations: CreateDomain and DescribeDomain (settings stored exactly as given and answered
// back, the domain InService at once); CreateUserProfile, DescribeUserProfile, ListUserProfiles
// and DeleteUserProfile, CreateSpace, DescribeSpace, UpdateSpace, ListSpaces and DeleteSpace (see
// Spaces and Studio as it runs today, below); CreateApp, DescribeApp, DeleteApp
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
//   - Studio Classic apps can no longer be created [D: "You can only stop or delete existing
//     Studio Classic applications and cannot create new ones"]: CreateApp of a JupyterServer or
//     KernelGateway app is a ValidationException "Invalid request provided: Invalid AppType
//     [KernelGateway]. This AppType has been deprecated." (with the app type) [L], except in a
//     domain whose DefaultUserSettings.StudioWebPortal is DISABLED, which still runs Studio
//     Classic [I: which domains still create them is not documented]. DescribeApp, ListApps and
//     DeleteApp of Classic apps work in every domain. Tests and seeds that use Classic apps seed
//     such a domain.
//   - User profile names are not case-sensitive [D: the model's "This value is not case
//     sensitive"]: "Alice" names the profile alice in DescribeUserProfile, CreateUserProfile (a
//     second profile "ALICE" is ResourceInUse), DeleteUserProfile, CreateApp, DescribeApp and
//     DeleteApp with UserProfileName, ListApps' UserProfileNameEquals (with DomainIdEquals; without
//     it the filter matches as given [I]), CreatePresignedDomainUrl, and as a space's owner. Every
//     answer (DescribeUserProfile, ListUserProfiles, a space's OwnerUserProfileName, an app's
//     UserProfileName and ARN) spells the profile as its CreateUserProfile did, whatever case the
//     request used [I: the service keeps one spelling; answering the creation's is what a client
//     comparing names must expect]. Space names are compared as given [I: not documented].
//   - CreateUserProfile makes a profile Pending for the startup delay, then InService [D:
//     UserProfileStatus; L: clients wait for InService]; a seeded profile (SeedUserProfile,
//     LoadSeed) is InService at once. Profiles have no Deleting state: DeleteUserProfile removes
//     one at once [I].
//   - CreateSpace stores a space Pending for the startup delay, then InService [D: SpaceStatus;
//     the delay is the fake's]; UpdateSpace (below) makes it Updating for the startup delay, then
//     InService again; DeleteSpace makes it Deleting for the delete delay, then it is gone and
//     DescribeSpace answers ResourceNotFound [L: Terraform waits for exactly these]. A seeded
//     space (SeedSpace, LoadSeed) stands for one that exists and is InService at once.
//     DescribeSpace answers SpaceArn, Status, CreationTime, LastModifiedTime (the last
//     UpdateSpace), OwnershipSettings, SpaceSharingSettings and SpaceSettings as given; ListSpaces
//     filters by DomainIdEquals and SpaceNameContains (a part of the name in any case [I]), sorts by
//     CreationTime or LastModifiedTime, ascending by default [D], and pages as ListApps does;
//     ListUserProfiles does the same for profiles (UserProfileNameContains in any case [I]).
//   - OwnershipSettings.OwnerUserProfileName must name an existing user profile (ResourceNotFound),
//     and a Private space must have an owner (ValidationException) [I: a private space is one
//     user's, L: EDU]. An owner that is not InService yet is refused with the service's text,
//     "Unable to create Space [<space ARN>] because UserProfile [<profile ARN>] is not in
//     InService" [L], as ResourceInUse [I: the code is not recorded; the service's other "Unable
//     to … because … is not in …" answers are ResourceInUse].
//   - User profile and space names share one namespace per domain, whatever the case:
//     CreateSpace with a profile's name is ResourceInUse "User Profile already exists with the
//     same name 'alice'. User Profile and Space name must be unique in a domain." [L], and
//     CreateUserProfile with a space's name its mirror image, "Space already exists with the same
//     name …" [I].
//   - DeleteSpace of a space whose app is not Deleted or Failed is ResourceInUse naming the app [D:
//     AWS's CloudFormation handler: "deletes can fail due to associated Apps"; I: the text]; so is
//     DeleteSpace of a space being deleted [I].
//   - DeleteUserProfile is ResourceInUse "Unable to delete UserProfile [<ARN>] because App(s) are
//     associated with it." while the profile has an app that is not Deleted or Failed [L], and
//     "… because Space(s) are associated with it." while it owns a space that is not gone (a
//     Deleting one counts) [L].
//   - UpdateSpace changes SpaceSettings and SpaceDisplayName, the model's only members: the owner
//     and the sharing cannot be given [D], and members the model lacks are ignored, as they are
//     everywhere. The request's SpaceSettings are merged into the space's, structure by structure;
//     a list or a value replaces the stored one [I]. Only an InService space can be updated
//     (ResourceInUse otherwise [I]). Refused, each as a ValidationException with the fake's text
//     [I]: another SpaceSettings.AppType ("You can't edit the app type of a space" [D]); an EBS
//     size (SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb) smaller than the current
//     one [L: storage only grows; the current size is the space's own, or else the first
//     DefaultEbsVolumeSizeInGb of the levels above it, or else 5 GB [I]]; a second change of the
//     size within 6 hours of the last (EBS's VolumeModificationRateExceeded rule [L]; the code
//     SageMaker answers with is not recorded, and ValidationException is assumed [I]).
//   - Idle shutdown (facts §7.6): a space's idle timeout,
//     SpaceSettings.JupyterLabAppSettings.AppLifecycleManagement.IdleSettings.IdleTimeoutInMinutes
//     (or CodeEditorAppSettings'), must lie within MinIdleTimeoutInMinutes and
//     MaxIdleTimeoutInMinutes of the levels above the space, on CreateSpace and UpdateSpace
//     [D: administrators set the range, users choose within it]. The levels are those of §2.4
//     without the space's own: the owner's UserSettings, then the domain's DefaultUserSettings, for
//     a private space; the domain's DefaultSpaceSettings (which has no CodeEditor member), then its
//     DefaultUserSettings, for a shared one; each bound is the first that a level sets, in the same
//     app type's member [I: which level wins is not documented]. Outside the range is a
//     ValidationException that names the field and the level [I: the text].
//   - JupyterLab and CodeEditor apps run only in a space [D]: CreateApp of one with
//     UserProfileName is a ValidationException "JupyterLab apps run in a space: specify SpaceName
//     instead of UserProfileName." [I: the text is the fake's; none is public].
//   - An app of a type other than the space's SpaceSettings.AppType is a ValidationException [I];
//     a space that sets no AppType takes any type, since the service might.
//   - A space runs one app at a time [D: "a 1:1 relationship"]: CreateApp in a space whose other
//     app is not Deleted or Failed is ResourceInUse, and its message names the blocking app's
//     type, name, ARN and status [I: the answer and its text]. The rule applies when either app
//     is JupyterLab or CodeEditor; Studio Classic apps (JupyterServer, KernelGateway) may share a
//     space as they always did [I]. CreateApp into a space that is Pending or Updating is
//     ResourceInUse "Unable to create app [<app ARN>] because storage is not in Available status."
//     [L after an UpdateSpace; I while Pending]; into one being deleted it is ResourceInUse [I].
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
// lands where Studio lands (facts §7.5, as measured in a browser [L]), on a small HTML page that
// names the domain, the user, the space and what it shows:
//
//   - SpaceName and no LandingUri (or app:JupyterLab: and app:CodeEditor: with a SpaceName, the
//     form of AWS's CLI example for Code Editor [D]): the space's app, with its type, name, status
//     and ARN, when it is InService; 404 when the space runs no app, or its app is not InService
//     (Pending [I], Deleting, Deleted or Failed) [L].
//   - studio::/jupyterlab/<space> (any studio:: path with a leading slash, which the API accepts):
//     302 to //jupyterlab/<space>, which a browser reads as a host named "jupyterlab": a broken
//     page, whether the app runs or not [L]. A client that follows it leaves this machine; don't.
//   - studio::jupyterlab/<space> (or codeeditor/<space>): the space's page in the Studio portal,
//     with its status and an "Open JupyterLab" button, not the app [L].
//   - otherwise the Studio home page.
//
// A token that the fake did not hand out, or one older than ExpiresInSeconds on the server's
// clock, gets 403 and a page that says so; so does a private space opened by a user other than
// its owner. Tokens can be used more than once [I], and the session duration is not enforced.
//
// Lifecycle, read from the server's clock whenever a request looks (no goroutines): Pending for
// the startup delay, then InService, or Failed with a FailureReason when a FailureRule says so;
// the built-in rule fails an app whose image belongs to the server's account but is not among the
// custom images of the app type's settings, with the service's message. A capacity shortage is
// such a rule, InsufficientCapacity: CreateApp succeeds and the app goes Failed later with an
// "EC2InsufficientCapacityError: Instance type '…' is temporarily unavailable" reason [L].
// DeleteApp moves an InService app to Deleting and, after the delete delay, Deleted. A Deleted or
// Failed app stays visible (DescribeApp, ListApps) for 24 hours, then disappears; its name can be
// used again at once. DeleteApp refuses a Pending or Deleting app (ResourceInUse) and answers a
// Deleted one with the ValidationException "has already been deleted" [L: Terraform's handling]
// and a Failed one, which the service deleted itself, with "App [default] previously failed and
// was automatically deleted. For tracking purposes, apps are available in the ListApps API
// results for only 24 hours after failure." [L]. DescribeApp of an unknown app is
// ResourceNotFound.
//
// A Server from Start has its own ManualClock, started at the wall-clock time and moved only by
// Advance, and the seed 1 for its random source (domain IDs, fault probabilities), so tests are
// deterministic. A Server from Run, like the standalone server, runs on SystemClock and a random
// seed, so that every start hands out new domain IDs. WithClock and WithRandSeed change either.
//
// WithStartupDelayFunc and WithDeleteDelayFunc give each app delays of its own (3 to 6 minutes
// for one, 2 seconds for another), decided from the app when it is created or deleted; spaces
// keep the fixed delays.
//
// Faults, set and cleared while the server runs: per operation (or AllOperations), an error code
// and status for the next N calls or a fraction of calls, added latency, dropping the connection
// before or after the call takes effect (the lost response), a call held until its client gives
// up, before or after it takes effect (Hang, HangAfterCommit), an answer cut short (Truncate),
// and token-bucket throttling on the server's clock. See Fault, InjectFault and SetThrottle.
// WithFaultFunc (or SetFaultFunc) decides each call's fault with a function of the call (its
// operation, User-Agent, headers and body), so that a seeded simulation gets the same faults per
// caller whatever the order of its goroutines. Apps and Requests return copies of the state for
// assertions (Requests keeps at most MaxLoggedBodyBytes of each body, and each request's
// User-Agent); SeedDomain, SeedUserProfile, SeedSpace and LoadSeed create parents from Go or from
// the standalone server's seed file, private spaces with their owner included.
//
// History lists every change of state, for tests that assert what happened: each Event has its
// time on the server's clock, what changed (an app created, InService, Failed, Deleting, Deleted
// or expired, with the life of the app it belongs to; a space created, Updating, InService,
// Deleting or gone; a user profile created, InService or deleted; a domain created; tags
// changed), and the operation,
// request ID and User-Agent of the request behind it ("" for a change the clock made; SeedDomain,
// SeedUserProfile or SeedSpace for seeds). Although statuses are computed from the clock only
// when someone looks, the history lists a change the clock made at the instant it was due, in
// order with the requests, once the clock has passed it; see History for the order of events at
// one instant. WithHistoryLimit bounds it (DefaultHistoryLimit events; 0 turns it off).
//
// # What it does not model
//
//   - Authentication and authorization: signatures are not checked and any credentials work;
//     AccessDeniedException and the execution-role checks of CreateApp happen only as injected
//     faults.
//   - Operations other than those above (they answer UnknownOperationException), including
//     UpdateDomain, UpdateUserProfile and DeleteDomain; domains never leave InService.
//   - Update_Failed and the other failed statuses of spaces and profiles; the EBS size's
//     MaximumEbsVolumeSizeInGb; SpaceManagedResources.
//   - Rules the model does not state and public sources do not show, such as limits on apps or
//     spaces per user. Where the
//     service's wording of a modelled rule is not known (exactly one of UserProfileName and
//     SpaceName, tag keys, TrainingPlanArn, the KernelGateway instance type, the [I] rules above),
//     the message is the fake's own; callers should match on codes, never on message text.
//   - Defaults beyond the instance type, the image and BuiltInLifecycleConfigArn: the lifecycle
//     configuration of a default ResourceSpec is not copied into the app.
//   - Health checks after the start: LastHealthCheckTimestamp stays at the time the app became
//     InService.
//   - Studio itself: the page at a presigned URL only names what it would open.
//   - DeleteSpace of a space that is still Pending, which the service refuses with a
//     ValidationException [L: the av3 lab's rollback code]; the fake accepts it.
//   - Real capacity (InsufficientCapacity stages a shortage), networking, EFS, KMS and the apps
//     themselves; the service's own throttling
//     rates (nothing is throttled unless SetThrottle says so); lengths counted in UTF-16 units,
//     as Java does (the fake counts code points, as the model's documentation does).
package sagemakerfake
