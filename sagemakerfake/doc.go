// Package sagemakerfake is an in-process fake of Amazon SageMaker's Studio app operations that
// speaks the real wire protocol, so that code using the AWS SDK can be tested without an AWS
// account. The standalone server in cmd/sagemakerfake serves the same fake to any AWS client.
//
// The shortest real test:
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
// with the service's HTTP status, and every answer carries X-Amzn-RequestId. An unknown target is
// UnknownOperationException; a body that is not JSON or UTF-8, or a member of the wrong JSON type,
// is SerializationException. No input makes the fake answer 5xx or crash (FuzzServerBody), except
// an injected fault; a panic in a FailureRule is answered as InternalFailure.
//
// Operations: CreateDomain, DescribeDomain, CreateUserProfile, DescribeUserProfile, CreateSpace and
// DescribeSpace (settings stored exactly as given and answered back, the resource InService at
// once); CreateApp, DescribeApp, DeleteApp and ListApps (filters, ascending or descending creation
// order, MaxResults 1–100, default 10, opaque NextToken); ListTags of apps, domains, user profiles
// and spaces.
//
// Validation: every input is checked against the service model, embedded in the package (the
// botocore extract in model/): JSON types, required members, lengths in code points, integer
// ranges, enums, and the model's regular expressions applied to the whole value, reported all at
// once in the service's (Coral's) words, for example
// "1 validation error detected: Value 'a_b' at 'appName' failed to satisfy constraint: Member must
// satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}". Each enum is the union of
// the model's values and the SDK's, since the service is newer than the extract. On top of the
// model, CreateApp applies the service's own rules: exactly one of UserProfileName and SpaceName;
// tag keys unique and not starting with "aws:" in any case; TrainingPlanArn only for JupyterLab
// and CodeEditor apps; JupyterServer apps only on "system" (also for the JupyterServer defaults of
// domains, user profiles and spaces). CheckCreateAppInput runs exactly these static checks without
// a server.
//
// CreateApp against state: the domain and the user profile or space must exist
// (ResourceNotFound); the instance type is resolved by the service's precedence (the request's
// ResourceSpec, then the user profile's UserSettings or the space's SpaceSettings, then the
// domain's DefaultUserSettings or DefaultSpaceSettings, in the app type's settings member, and
// for RStudioServerPro the domain's RStudioServerProDomainSettings), "system" on KernelGateway
// becomes ml.t3.medium, and a KernelGateway app with no instance type anywhere is a
// ValidationException; an app that exists and is not Deleted or Failed is ResourceInUse; a quota
// set with WithQuota is ResourceLimitExceeded in the service's words. App ARNs are
// arn:<partition>:sagemaker:<region>:<account>:app/<domain>/<user or space>/<apptype in lower
// case>/<name>.
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
// A Server starts with its own ManualClock at the wall-clock time, and only Advance moves it, so
// tests are deterministic; WithClock(SystemClock{}) gives real time, as the standalone server has.
//
// Faults, set and cleared while the server runs: per operation (or AllOperations), an error code
// and status for the next N calls or a fraction of calls, added latency, dropping the connection
// before or after the call takes effect (the lost response), and token-bucket throttling on the
// server's clock. See Fault, InjectFault and SetThrottle. Apps and Requests return copies of the
// state for assertions; SeedDomain, SeedUserProfile, SeedSpace and LoadSeed create parents from
// Go or from the standalone server's seed file.
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
//   - Defaults beyond the instance type: the image and lifecycle configuration of a default
//     ResourceSpec are not copied into the app.
//   - Metadata kept across a restart within 24 hours: an app created again gets a new
//     CreationTime.
//   - Real capacity, networking, EFS, KMS and the apps themselves; the service's own throttling
//     rates (nothing is throttled unless SetThrottle says so); lengths counted in UTF-16 units,
//     as Java does (the fake counts code points, as the model's documentation does).
package sagemakerfake
