package sagemakerapp

import (
	"context"
	"errors"
	"strings"

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
// that the app lacks is a difference. An app this call did not provably create (its own CreateApp
// succeeded) is always compared, and its tags reconciled, even when this call's own CreateApp
// failed in a way that may have created it: another caller may have created it with another
// spec meanwhile. Because EnsureApp is idempotent it retries transient failures (throttling,
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
	// call added the tags it lacked.
	OutcomeAdopted Outcome = "adopted"
	// OutcomeRecreated: the app was Failed, Deleted or Deleting, and this call created it again.
	OutcomeRecreated Outcome = "recreated"
	// OutcomeConflict: the app was there with another spec (an *AppConflictError).
	OutcomeConflict Outcome = "conflict"
	// OutcomeFailed: the call ended with another error.
	OutcomeFailed Outcome = "failed"
)

// origin is what an Ensure call knows of where the app it looks at came from. It changes only in
// ensureState.learn, and the one place that may report success reads it (ensureState.decide), so
// that "can this path report success for an app this call did not ask for?" is answered there:
// only an app this call created, or one whose spec matches and whose tags were reconciled.
type origin uint8

const (
	// notSent: this call has sent no CreateApp, or only ones the service refused for certain
	// (throttled, ResourceInUse), or the app it knew of is gone.
	notSent origin = iota
	// sentUnknown: a CreateApp was sent whose outcome is unknown (its answer was lost, a 5xx): the
	// app may appear, and may be this call's or another caller's; it is treated as found.
	sentUnknown
	// createdHere: this call's CreateApp succeeded; until the app shows, the service may still
	// answer with the record before it.
	createdHere
	// found: the app was found Pending or InService, and this call did not provably create it.
	found
)

// event is what an Ensure call learns from a create or a look.
type event uint8

const (
	evCreated     event = iota // this call's CreateApp succeeded
	evSentUnknown              // this call's CreateApp failed with an outcome that is unknown
	evSeenLive                 // the app is Pending or InService
	evGone                     // the app is Deleted, Deleting, Failed (not ours) or not found
)

// ensureState is an Ensure call's knowledge of its app.
type ensureState struct {
	origin   origin
	tagsDone bool // the request's tags are on the app that was found
	existed  bool // a record of the app was seen gone (Failed, Deleted, Deleting) before a create
	replaced bool // this call deleted the app, found with another spec, to replace it (ConflictReplace)
}

// outcome names what the call did, once it has returned app or err.
func (s *ensureState) outcome(err error) Outcome {
	var conflict *AppConflictError
	switch {
	case errors.As(err, &conflict):
		return OutcomeConflict
	case err != nil:
		return OutcomeFailed
	case s.origin == createdHere && s.replaced:
		return OutcomeReplaced
	case s.origin == createdHere && s.existed:
		return OutcomeRecreated
	case s.origin == createdHere:
		return OutcomeCreated
	}
	return OutcomeAdopted
}

// learn moves the state on an event; it is the only place origin changes.
func (s *ensureState) learn(ev event) {
	switch ev {
	case evCreated:
		s.origin, s.tagsDone = createdHere, true
	case evSentUnknown:
		if s.origin != createdHere {
			s.origin = sentUnknown
		}
	case evSeenLive:
		if s.origin != createdHere {
			s.origin = found
		}
	case evGone:
		s.origin, s.tagsDone = notSent, false
	}
}

// mayBeInvisible reports whether a missing app, or an older record, may be the service not
// showing yet an app that a create of this call made.
func (s *ensureState) mayBeInvisible() bool {
	return s.origin == createdHere || s.origin == sentUnknown
}

// ensure runs EnsureApp's loop: look, act, look again, until the app is InService or an error
// is final, and says what it did.
func (c *Client) ensure(ctx context.Context, in *sagemaker.CreateAppInput, w *waiter) (*App, Outcome, error) {
	ctx, sp := c.obs.startApp(ctx, spanEnsureApp, w.id)
	var st ensureState
	app, err := c.ensureLoop(ctx, in, w, &st)
	outcome := st.outcome(err)
	c.obs.ensured(ctx, sp, w, outcome, err)
	return app, outcome, err
}

func (c *Client) ensureLoop(ctx context.Context, in *sagemaker.CreateAppInput, w *waiter, st *ensureState) (*App, error) {
	create := func() error {
		if err := w.acquire(ctx); err != nil {
			return err
		}
		start := c.opts.Now()
		app, unknown, err := c.createApp(ctx, in, w.opts.ClientOptions, w.create)
		w.release()
		switch {
		case err == nil:
			st.learn(evCreated)
			w.since, w.graceFrom = start, start
			w.observe(app)
			return nil
		case ctx.Err() != nil:
			return w.contextError(ctx, err)
		case unknown:
			// The request may have reached the service: the app may show in a moment, and be
			// this call's or another's.
			st.learn(evSentUnknown)
			w.graceFrom, w.lastErr = start, err
			return nil
		case errors.Is(err, ErrResourceInUse): // it appeared meanwhile, or the space runs another app
			return c.checkSpaceFree(ctx, w)
		case isTransient(err):
			w.lastErr = err
			return nil
		}
		return err
	}
	for {
		app, err, final := w.next(ctx)
		switch {
		case final != nil:
			return nil, final
		case err == nil:
			if st.origin == createdHere && w.stale(app) && w.young() {
				continue // the record before ours, until ours shows
			}
			w.observe(app)
		case errors.Is(err, ErrResourceNotFound):
			if st.mayBeInvisible() && w.young() {
				w.lastErr = err
				continue // not visible yet
			}
			st.learn(evGone)
			if err := create(); err != nil {
				return nil, err
			}
			continue
		case isTransient(err):
			w.lastErr = err
			continue
		default:
			return nil, err
		}
		switch app.Status {
		case types.AppStatusPending, types.AppStatusInService:
			st.learn(evSeenLive)
			done, err := c.judgeLive(ctx, in, w, st, app)
			if done || err != nil {
				return app, err
			}
		case types.AppStatusFailed:
			if st.origin == createdHere {
				return nil, &AppFailedError{App: app}
			}
			st.learn(evGone)
			st.existed = true
			if err := create(); err != nil {
				return nil, err
			}
		case types.AppStatusDeleted:
			st.learn(evGone)
			st.existed = true
			if err := create(); err != nil {
				return nil, err
			}
		case types.AppStatusDeleting:
			st.learn(evGone) // wait for Deleted, then create
			st.existed = true
		}
	}
}

// judgeLive decides on a Pending or InService app, and is the only place that lets Ensure report
// success. An app this call created is its own; any other is compared with the request (a
// conflict is final) and gets the request's tags first. done is true when app is InService and
// may be returned.
func (c *Client) judgeLive(ctx context.Context, in *sagemaker.CreateAppInput, w *waiter, st *ensureState, app *App) (done bool, err error) {
	if st.origin != createdHere {
		if fields := specDiff(in, app.ResourceSpec); fields != nil {
			conflict := &AppConflictError{Existing: app, Fields: fields, Requested: cloneResourceSpec(in.ResourceSpec)}
			if w.opts.OnConflict == ConflictReplace {
				return c.replaceConflicting(ctx, w, st, app, conflict)
			}
			return false, conflict
		}
		if !st.tagsDone {
			switch err := c.addMissingTags(ctx, app.ARN, in.Tags, w.opts.ClientOptions); {
			case err == nil:
				st.tagsDone = true
			case ctx.Err() != nil:
				return false, w.contextError(ctx, err)
			case isTransient(err):
				w.lastErr = err
				return false, nil
			default:
				return false, err
			}
		}
	}
	return app.Status == types.AppStatusInService, nil
}

// checkSpaceFree follows a CreateApp of a space app answered ResourceInUse: when the space runs
// another app that is not on its way out, that app blocks this one for good (a space runs one app
// at a time), and the error names it. Otherwise, or when the space cannot be listed, it returns
// nil and Ensure looks again.
func (c *Client) checkSpaceFree(ctx context.Context, w *waiter) error {
	if w.id.SpaceName == "" {
		return nil
	}
	out, err := c.api.ListApps(ctx, &sagemaker.ListAppsInput{
		DomainIdEquals: aws.String(w.id.DomainID), SpaceNameEquals: aws.String(w.id.SpaceName),
		SortBy: types.AppSortKeyCreationTime, SortOrder: types.SortOrderDescending, MaxResults: aws.Int32(100),
	}, w.opts.ClientOptions...)
	if err != nil {
		if err = mapError(ctx, "ListApps", err); ctx.Err() != nil {
			return w.contextError(ctx, err)
		}
		w.lastErr = err
		return nil
	}
	for _, d := range latestRecords(out.Apps) {
		other := appIDOfDetails(d)
		if other == w.id || (d.Status != types.AppStatusPending && d.Status != types.AppStatusInService) {
			continue
		}
		existing := &App{ID: other, Status: d.Status, ResourceSpec: d.ResourceSpec, CreationTime: aws.ToTime(d.CreationTime)}
		var fields []string
		if other.AppType != w.id.AppType {
			fields = append(fields, "AppType")
		}
		if other.AppName != w.id.AppName {
			fields = append(fields, "AppName")
		}
		return &AppConflictError{Existing: existing, Fields: fields}
	}
	return nil
}

// specDiff returns the members of in's ResourceSpec that got, an app's spec as DescribeApp
// reports it, does not match, as SDK member paths; nil when all match. A member the request leaves
// unset is no difference; one it sets that got lacks is one. "None" (which clears a member)
// matches an unset one; and "system" on a KernelGateway app matches ml.t3.medium, which the
// service turns it into.
func specDiff(in *sagemaker.CreateAppInput, got *types.ResourceSpec) []string {
	want := in.ResourceSpec
	if want == nil {
		return nil
	}
	if got == nil {
		got = &types.ResourceSpec{}
	}
	var fields []string
	if w, g := want.InstanceType, got.InstanceType; w != "" && w != g &&
		!(in.AppType == types.AppTypeKernelGateway && w == InstanceTypeSystem && g == types.AppInstanceTypeMlT3Medium) {
		fields = append(fields, "ResourceSpec.InstanceType")
	}
	for _, m := range specMembers {
		w := m.get(want)
		if w == nil {
			continue
		}
		if cleared(*w) != cleared(aws.ToString(m.get(got))) {
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
