package sagemakerapp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// EnsureApp makes the app in describes exist and be InService, whatever state it is in, and
// returns it. It is idempotent and safe to call from many goroutines or replicas for the same app
// at once:
//
//   - no app: it is created, then waited for;
//   - Pending or InService with the requested spec: it is waited for and returned, and the tags
//     the request names that the app lacks are added (AddTags; tags are never removed);
//   - Pending or InService with another spec: an *AppConflictError naming the members that
//     differ, with both values (errors.Is ErrResourceInUse); nothing is changed, unless
//     WaitOptions.OnConflict is ConflictReplace: then it is deleted and created with the
//     requested spec (OutcomeReplaced);
//   - Failed or Deleted: it is created again; Deleting: the deletion is waited out, then it is
//     created again;
//   - a space app whose space runs another app (a space runs one app at a time): an
//     *AppConflictError whose Existing is that app.
//
// Only the members the request sets are compared (instance type, image, image version, alias,
// lifecycle config, training plan), against what DescribeApp reports; a member the request sets
// that the app lacks is a difference. Every app is compared before it is returned, even one this
// call created (in the members the service reports), since another caller may have deleted it and
// created its own meanwhile; an app this call did not provably create gets the request's tags
// too, and is looked at once more after them, so that what is returned was InService with the
// requested spec and tags at one instant of the call. A space app whose space is not InService yet
// (Pending, or Updating: "storage is not in Available status") is waited for, then created. Because EnsureApp is idempotent it retries transient failures (throttling,
// service faults, a lost response) with backoff until WaitOptions.Timeout, beyond the SDK's own
// attempts; every call it makes runs under that deadline, so a hung call cannot outlast it. A
// permanent error ends it early: invalid input, access denied, a quota, a conflict, or an app that
// failed after this call created it (*AppFailedError).
func (c *Client) EnsureApp(ctx context.Context, in *sagemaker.CreateAppInput, optFns ...func(*WaitOptions)) (*App, error) {
	if ps := validateCreateApp(in, c.validateConfig()); ps != nil {
		return nil, &ValidationError{Problems: ps}
	}
	if c.api == nil {
		return nil, &APIError{Operation: "CreateApp", Err: errNoAPI}
	}
	w := c.newWaiter(appIDOf(in), newWaitOptions(optFns), "InService")
	ctx, cancel := w.bound(ctx)
	defer cancel()
	w.join()
	defer w.leave()
	app, _, err := c.ensure(ctx, in, w)
	return app, err
}

// Outcome says what an Ensure did about the app it returns (or the error it returned).
type Outcome string

// The outcomes of an Ensure.
const (
	// OutcomeCreated: there was no app, and this call created it.
	OutcomeCreated Outcome = "created"
	// OutcomeAdopted: the app was there, Pending or InService, with the requested spec; this
	// call added the tags it lacked. It is also what an Ensure reports for an app that its own
	// CreateApp may have made (an answer lost or cut short): it cannot prove it made it.
	OutcomeAdopted Outcome = "adopted"
	// OutcomeRecreated: the app was Failed, Deleted or Deleting, and this call created it again.
	OutcomeRecreated Outcome = "recreated"
	// OutcomeConflict: the app was there with another spec (an *AppConflictError).
	OutcomeConflict Outcome = "conflict"
	// OutcomeFailed: the call ended with another error.
	OutcomeFailed Outcome = "failed"
)

// ensure runs EnsureApp's loop, and says what it did.
func (c *Client) ensure(ctx context.Context, in *sagemaker.CreateAppInput, w *waiter) (*App, Outcome, error) {
	ctx, sp := c.obs.startApp(ctx, spanEnsureApp, w.id)
	k, app, err := c.ensureLoop(ctx, in, w)
	outcome := k.outcome(err)
	var since time.Time // time to InService: only for an app this call created
	switch outcome {
	case OutcomeCreated, OutcomeRecreated, OutcomeReplaced:
		since = k.since
	}
	c.obs.ensured(ctx, sp, w.id, since, c.now(), outcome, err)
	return app, outcome, err
}

// ensureLoop makes the calls that decideEnsure asks for and feeds back what they answer, until it
// asks to succeed or fail. It decides nothing itself.
func (c *Client) ensureLoop(ctx context.Context, in *sagemaker.CreateAppInput, w *waiter) (ensureKnown, *App, error) {
	req := &ensureRequest{in: in, id: w.id, policy: w.opts.OnConflict, skew: c.opts.ClockSkew}
	k := ensureKnown{graceFrom: w.judged.graceFrom}
	act := action{kind: actLook}
	for {
		var o ensureObs
		var final error
		switch act.kind {
		case actSucceed:
			return k, act.app, nil
		case actFail:
			return k, nil, act.err
		case actLook, actDescribe, actLookNow:
			w.look.describe = act.kind == actDescribe
			var app *App
			var err error
			if act.kind == actLookNow {
				app, err, final = w.describeApp(ctx)
			} else {
				app, err, final = w.next(ctx)
			}
			if final == nil {
				o = lookObservation(app, err, w.look.lookedAt)
			}
		case actCreate:
			o, final = c.ensureCreate(ctx, in, w)
		case actListSpace:
			o, final = c.spaceApps(ctx, w)
		case actTag:
			o, final = c.tagApp(ctx, in, w, act.app)
		case actDelete:
			o, final = c.deleteToReplace(ctx, w, act.app)
		}
		if final != nil {
			return k, nil, final
		}
		switch {
		case o.kind == obsApp:
			w.seen.observe(o.app)
		case o.err != nil:
			w.seen.lastErr = o.err
		}
		k, act = decideEnsure(k, o, req)
		w.judged.graceFrom = k.graceFrom // a shared round's "not listed yet" follows the Ensure's window
	}
}

// lookObservation is what a look that began at at says to decideEnsure.
func lookObservation(app *App, err error, at time.Time) ensureObs {
	switch {
	case err == nil:
		return ensureObs{kind: obsApp, app: app, at: at}
	case errors.Is(err, ErrResourceNotFound):
		return ensureObs{kind: obsNotFound, err: err, at: at}
	}
	return ensureObs{kind: obsLookFailed, err: err, at: at}
}

// ensureCreate makes an Ensure's CreateApp, in the batch's slot and at its rate if it is in one.
func (c *Client) ensureCreate(ctx context.Context, in *sagemaker.CreateAppInput, w *waiter) (ensureObs, error) {
	if err := w.slot.acquire(ctx); err != nil {
		return ensureObs{}, w.contextError(ctx, err)
	}
	start := c.now()
	app, unknown, err := c.createApp(ctx, in, w.opts.ClientOptions, w.create)
	w.slot.release()
	if ctx.Err() == nil {
		w.lookNow() // what a round read before the create returned is older than it
	}
	switch {
	case err == nil && !unknown:
		w.look.described = app
		w.seen.observe(app)
		return ensureObs{kind: obsCreated, app: app, at: start}, nil
	case err == nil:
		// The lost-answer recovery claimed the app: it may be another caller's, made just before.
		// The Ensure looks at it as at any app it did not provably make.
		return ensureObs{kind: obsCreateUnknown, at: start}, nil
	case ctx.Err() != nil:
		return ensureObs{}, w.contextError(ctx, err)
	case unknown:
		return ensureObs{kind: obsCreateUnknown, err: err, at: start}, nil
	}
	return ensureObs{kind: obsCreateRefused, err: err, at: start}, nil
}

// spaceApps lists the other live apps of the space of w's app, after a CreateApp answered
// ResourceInUse: one of them may block it (a space runs one JupyterLab or CodeEditor app at a
// time). A failed list is no answer: the Ensure looks again.
func (c *Client) spaceApps(ctx context.Context, w *waiter) (ensureObs, error) {
	at := c.now()
	out, err := c.api.ListApps(ctx, &sagemaker.ListAppsInput{
		DomainIdEquals: aws.String(w.id.DomainID), SpaceNameEquals: aws.String(w.id.SpaceName),
		SortBy: types.AppSortKeyCreationTime, SortOrder: types.SortOrderDescending, MaxResults: aws.Int32(100),
	}, w.opts.ClientOptions...)
	if err != nil {
		if err = mapError(ctx, "ListApps", err); ctx.Err() != nil {
			return ensureObs{}, w.contextError(ctx, err)
		}
		return ensureObs{kind: obsSpaceRuns, err: err, at: at}, nil
	}
	var apps []*App
	for _, d := range latestRecords(out.Apps) {
		if id := appIDOfDetails(d); id != w.id {
			apps = append(apps, appFromDetails(d))
		}
	}
	return ensureObs{kind: obsSpaceRuns, apps: apps, at: at}, nil
}

// tagApp adds to app the request's tags that it lacks.
func (c *Client) tagApp(ctx context.Context, in *sagemaker.CreateAppInput, w *waiter, app *App) (ensureObs, error) {
	at := c.now()
	err := c.addMissingTags(ctx, app.ARN, in.Tags, w.opts.ClientOptions)
	if err != nil && ctx.Err() != nil {
		return ensureObs{}, w.contextError(ctx, err)
	}
	return ensureObs{kind: obsTagged, app: app, err: err, at: at}, nil
}

// deleteToReplace makes one DeleteApp of app, which the look just made found with another spec
// (ConflictReplace). It never waits for a Pending app: the Ensure looks again, and decides again.
func (c *Client) deleteToReplace(ctx context.Context, w *waiter, app *App) (ensureObs, error) {
	at := c.now()
	err := c.deleteOnce(ctx, app.ID, append(slices.Clip(w.opts.ClientOptions), oneAttempt))
	if err != nil && ctx.Err() != nil {
		return ensureObs{}, w.contextError(ctx, err)
	}
	w.lookNow() // what a round read before the delete returned is older than it
	return ensureObs{kind: obsDeleted, app: app, err: err, at: at}, nil
}

// specDiff returns the members of in's ResourceSpec that got, an app's spec as DescribeApp
// reports it, does not match, as SDK member paths; nil when all match. A member the request leaves
// unset is no difference; one it sets that got lacks is one. "None" (which clears a member)
// matches an unset one; and "system" on a KernelGateway app matches ml.t3.medium, which the
// service turns it into.
func specDiff(in *sagemaker.CreateAppInput, got *types.ResourceSpec) []string {
	return diffSpec(in, got, false)
}

// specDiffReported is specDiff over the members got reports: one it lacks is no difference.
func specDiffReported(in *sagemaker.CreateAppInput, got *types.ResourceSpec) []string {
	return diffSpec(in, got, true)
}

func diffSpec(in *sagemaker.CreateAppInput, got *types.ResourceSpec, reportedOnly bool) []string {
	want := in.ResourceSpec
	if want == nil {
		return nil
	}
	if got == nil {
		got = &types.ResourceSpec{}
	}
	var fields []string
	if w, g := want.InstanceType, got.InstanceType; w != "" && w != g && !(reportedOnly && g == "") &&
		!(in.AppType == types.AppTypeKernelGateway && w == InstanceTypeSystem && g == types.AppInstanceTypeMlT3Medium) {
		fields = append(fields, "ResourceSpec.InstanceType")
	}
	for _, m := range specMembers {
		w, g := m.get(want), m.get(got)
		if w == nil || (reportedOnly && g == nil) {
			continue
		}
		if cleared(*w) != cleared(aws.ToString(g)) {
			fields = append(fields, m.name)
		}
	}
	return fields
}

// cleared reads "None", which clears a member, as unset.
func cleared(s string) string {
	if s == "None" {
		return ""
	}
	return s
}

// specMembers are the string members of a ResourceSpec, by SDK member path.
var specMembers = []struct {
	name string
	get  func(*types.ResourceSpec) *string
}{
	{"ResourceSpec.SageMakerImageArn", func(s *types.ResourceSpec) *string { return s.SageMakerImageArn }},
	{"ResourceSpec.SageMakerImageVersionArn", func(s *types.ResourceSpec) *string { return s.SageMakerImageVersionArn }},
	{"ResourceSpec.SageMakerImageVersionAlias", func(s *types.ResourceSpec) *string { return s.SageMakerImageVersionAlias }},
	{"ResourceSpec.LifecycleConfigArn", func(s *types.ResourceSpec) *string { return s.LifecycleConfigArn }},
	{"ResourceSpec.TrainingPlanArn", func(s *types.ResourceSpec) *string { return s.TrainingPlanArn }},
}

// specValue returns the value of the member of s named by an SDK member path, for messages.
func specValue(s *types.ResourceSpec, name string) string {
	if s == nil {
		return ""
	}
	if name == "ResourceSpec.InstanceType" {
		return string(s.InstanceType)
	}
	for _, m := range specMembers {
		if m.name == name {
			return aws.ToString(m.get(s))
		}
	}
	return ""
}

// listTags returns the tags of the resource arn, all pages.
func (c *Client) listTags(ctx context.Context, arn string, optFns []func(*sagemaker.Options)) (map[string]string, error) {
	have := make(map[string]string)
	pages := sagemaker.NewListTagsPaginator(c.api, &sagemaker.ListTagsInput{ResourceArn: &arn, MaxResults: aws.Int32(100)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx, optFns...)
		if err != nil {
			return nil, mapError(ctx, "ListTags", err)
		}
		for _, t := range out.Tags {
			have[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return have, nil
}

// addMissingTags adds to the resource arn the tags of want that it lacks or holds with another
// value (ListTags, then one AddTags). It never removes a tag.
func (c *Client) addMissingTags(ctx context.Context, arn string, want []types.Tag, optFns []func(*sagemaker.Options)) error {
	if len(want) == 0 {
		return nil
	}
	have, err := c.listTags(ctx, arn, optFns)
	if err != nil {
		return err
	}
	var missing []types.Tag
	for _, t := range want {
		if v, ok := have[aws.ToString(t.Key)]; !ok || v != aws.ToString(t.Value) {
			missing = append(missing, types.Tag{Key: t.Key, Value: t.Value})
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.api.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: &arn, Tags: missing}, optFns...)
	return mapError(ctx, "AddTags", err)
}

// hasExactlyTags reports whether the resource arn carries exactly the tags want, as an app that
// a CreateApp with them has just made does: each with its value, and no other, except those the
// service adds itself (keys starting "aws:" or "sagemaker:").
func (c *Client) hasExactlyTags(ctx context.Context, arn string, want []types.Tag, optFns []func(*sagemaker.Options)) (bool, error) {
	have, err := c.listTags(ctx, arn, optFns)
	if err != nil {
		return false, err
	}
	n := 0
	for k := range have {
		if !serviceTagKey(k) {
			n++
		}
	}
	if n != len(want) {
		return false, nil
	}
	for _, t := range want {
		if v, ok := have[aws.ToString(t.Key)]; !ok || v != aws.ToString(t.Value) {
			return false, nil
		}
	}
	return true, nil
}

// serviceTagKey reports whether a tag key is one the service sets itself.
func serviceTagKey(k string) bool {
	l := strings.ToLower(k)
	return strings.HasPrefix(l, "aws:") || strings.HasPrefix(l, "sagemaker:")
}

// appIDOfDetails is the AppID of a ListApps record.
func appIDOfDetails(d types.AppDetails) AppID {
	return AppID{DomainID: aws.ToString(d.DomainId), UserProfileName: aws.ToString(d.UserProfileName),
		SpaceName: aws.ToString(d.SpaceName), AppType: d.AppType, AppName: aws.ToString(d.AppName)}
}

// latestRecords keeps, of the records of one app in a ListApps answer (an old Deleted one beside
// the new one, say), the one with the latest CreationTime, whatever order the answer has.
func latestRecords(apps []types.AppDetails) map[AppID]types.AppDetails {
	m := make(map[AppID]types.AppDetails, len(apps))
	for _, d := range apps {
		keepLatest(m, d)
	}
	return m
}

func keepLatest(m map[AppID]types.AppDetails, d types.AppDetails) {
	id := appIDOfDetails(d)
	if old, ok := m[id]; ok {
		// A restart within 24 hours keeps the CreationTime: of two records of one time, the
		// live one is the newer.
		ot, nt := aws.ToTime(old.CreationTime), aws.ToTime(d.CreationTime)
		if ot.After(nt) || (ot.Equal(nt) && d.Status == types.AppStatusDeleted) {
			return
		}
	}
	m[id] = d
}
