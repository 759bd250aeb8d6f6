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
// Operations: CreateDomain, DescribeDomain, CreateUserProfile, DescribeUserProfile, CreateSpace and
// DescribeSpace (settings stored exactly as given and answered back, the resource InService at
// once); CreateApp, DescribeApp, DeleteApp and ListApps (filters, ascending or descending creation
// order, MaxResults 1–100, default 10, opaque NextToken); ListTags, AddTags and DeleteTags of apps,
// domains, user profiles and spaces (at most 50 tags per resource, keys unique, none starting with
// "aws:"; AddTags changes the value of a key the resource has; DeleteTags ignores keys it lacks).
//
// Validation: every input is checked against the service model, embedded in the package (the
// botocore extract in model/): JSON types, required members, lengths in code points, integer
// ranges, enums, and the model's regular expressions applied to the whole value, reported all at
// once in the service's (Coral's) words, for example
// "1 validation error detected: Value 'a_b' at 'appName' failed to satisfy constraint: Member must
// satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}". Each enum is the union of
// the model's values and the SDK's, since the service is newer than the extract. On top of the
// model, CreateApp applies the service's own rules: exactly one of UserProfileName and SpaceName;
// tag keys unique and not starting with "aws:" in any case; a TrainingPlanArn other than "None"
// only for JupyterLab and CodeEditor apps; JupyterServer apps only on "system" (also for the
// JupyterServer defaults of domains, user profiles and spaces). CheckCreateAppInput runs exactly
// these static checks without a server. Errors that do not travel over the wire (from
// CheckCreateAppInput and the Seed functions) are an *Error, which carries the code.
//
// CreateApp against state: the domain and the user profile or space must exist
// (ResourceNotFound). The instance type is the first that these levels set, in the app type's own
// member of the settings (KernelGatewayAppSettings, JupyterLabAppSettings and so on; a level whose
// shape has no member for the app type is skipped):
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
// at any level is a ValidationException that names every level it looked at. An app that exists
// and is not Deleted or Failed is ResourceInUse; a quota set with WithQuota is
// ResourceLimitExceeded in the service's words. App ARNs are
// arn:<partition>:sagemaker:<region>:<account>:app/<domain>/<user or space>/<apptype in lower
// case>/<name>, with the partition of the region (aws-cn, aws-us-gov, aws-iso, aws-iso-b,
// aws-iso-e, aws-iso-f, aws-eusc or aws) from the SDK's endpoint data.
//
// DescribeApp answers the ResourceSpec as resolved, the BuiltInLifecycleConfigArn of the first of
// the same levels that sets one (JupyterLab and CodeEditor settings have it), the
// EffectiveTrustedIdentityPropagationStatus of the domain's DomainSettings (ENABLED or DISABLED),
// and, from the time an app is InService, LastHealthCheckTimestamp and LastUserActivityTimestamp,
// which keep that value through Deleting and Deleted.
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
//     Update and Delete of domains, user profiles and spaces, which never leave InService.
//   - Rules the model does not state and public sources do not show, such as Studio Classic app
//     types being refused in new domains, JupyterLab apps needing an image, or limits on apps per
//     user. Where the service's wording of a modelled rule is not known (exactly one of
//     UserProfileName and SpaceName, tag keys, TrainingPlanArn, the KernelGateway instance type),
//     the message is the fake's own; callers should match on codes, never on message text.
//   - Defaults beyond the instance type and BuiltInLifecycleConfigArn: the image and lifecycle
//     configuration of a default ResourceSpec are not copied into the app.
//   - Health checks after the start: LastHealthCheckTimestamp stays at the time the app became
//     InService.
//   - Metadata kept across a restart within 24 hours: an app created again gets a new
//     CreationTime.
//   - Real capacity, networking, EFS, KMS and the apps themselves; the service's own throttling
//     rates (nothing is throttled unless SetThrottle says so); lengths counted in UTF-16 units,
//     as Java does (the fake counts code points, as the model's documentation does).
package sagemakerfake
