package sagemakerapp

import (
	"context"
	"errors"
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
//     differ (errors.Is ErrResourceInUse); nothing is changed;
//   - Failed or Deleted: it is created again; Deleting: the deletion is waited out, then it is
//     created again.
//
// Only the members the request sets are compared (instance type, image, image version, alias,
// lifecycle config, training plan), against what DescribeApp reports; a member the service does
// not report is no conflict. Because EnsureApp is idempotent it retries transient failures
// (throttling, service faults, a lost response) with backoff until WaitOptions.Timeout, beyond the
// SDK's own attempts. A permanent error ends it early: invalid input, access denied, a quota, a
// conflict, or an app that failed after this call created it (*AppFailedError).
func (c *Client) EnsureApp(ctx context.Context, in *sagemaker.CreateAppInput, optFns ...func(*WaitOptions)) (*App, error) {
	if ps := validateCreateApp(in, c.validateConfig()); ps != nil {
		return nil, &ValidationError{Problems: ps}
	}
	if c.api == nil {
		return nil, &APIError{Operation: "CreateApp", Err: errNoAPI}
	}
	w := c.newWaiter(appIDOf(in), newWaitOptions(optFns), "InService")
	w.join()
	defer w.leave()
	return c.ensure(ctx, in, w)
}

// ensure runs EnsureApp's loop: look, act, look again, until the app is InService or an error
// is final.
func (c *Client) ensure(ctx context.Context, in *sagemaker.CreateAppInput, w *waiter) (*App, error) {
	var (
		created   bool      // this call created the app now there, so its failure is final
		attempted time.Time // when a create whose outcome is unknown began
		tagsDone  bool
	)
	create := func() error {
		if w.beforeCreate != nil {
			if err := w.beforeCreate(ctx); err != nil {
				return w.contextError(ctx, err)
			}
		}
		start := c.opts.Now()
		app, err := c.CreateApp(ctx, in, w.opts.ClientOptions...)
		switch {
		case err == nil:
			created, w.since, w.graceFrom = true, start, start
			w.observe(app)
			return nil
		case errors.Is(err, ErrResourceInUse): // it appeared meanwhile: look again
			return nil
		case ctx.Err() != nil:
			return w.contextError(ctx, err)
		case isTransient(err):
			// The request may have reached the service: an app created from now on may be ours.
			attempted, w.graceFrom, w.lastErr = start, start, err
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
			if created && w.stale(app) && w.young() {
				continue // the old record, before ours shows
			}
			if !created && !attempted.IsZero() && c.createdSince(app, attempted) {
				created = true // our create's answer was lost, and the app is here
			}
			w.observe(app)
		case errors.Is(err, ErrResourceNotFound):
			if (created || !attempted.IsZero()) && w.young() {
				w.lastErr = err
				continue // not visible yet
			}
			created = false
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
			if fields := specDiff(in, app.ResourceSpec); !created && fields != nil {
				return nil, &AppConflictError{Existing: app, Fields: fields}
			}
			if !created && !tagsDone {
				switch err := c.addMissingTags(ctx, app.ARN, in.Tags, w.opts.ClientOptions); {
				case err == nil:
					tagsDone = true
				case ctx.Err() != nil:
					return nil, w.contextError(ctx, err)
				case isTransient(err):
					w.lastErr = err
				default:
					return nil, err
				}
			}
			if app.Status == types.AppStatusInService && (created || tagsDone) {
				return app, nil
			}
		case types.AppStatusFailed:
			if created {
				return nil, &AppFailedError{App: app}
			}
			if err := create(); err != nil {
				return nil, err
			}
		case types.AppStatusDeleted:
			if err := create(); err != nil {
				return nil, err
			}
		case types.AppStatusDeleting:
			created = false // wait for Deleted, then create
		}
	}
}

// specDiff returns the members of in's ResourceSpec that got, an app's spec as DescribeApp
// reports it, gives another value, as SDK member paths; nil when none differs. A member the
// request leaves unset, or that got does not report, is no difference; "None" (which clears a
// member) matches an unset one; and "system" on a KernelGateway app matches ml.t3.medium, which
// the service turns it into.
func specDiff(in *sagemaker.CreateAppInput, got *types.ResourceSpec) []string {
	want := in.ResourceSpec
	if want == nil {
		return nil
	}
	if got == nil {
		got = &types.ResourceSpec{}
	}
	var fields []string
	if w, g := want.InstanceType, got.InstanceType; w != "" && g != "" && w != g &&
		!(in.AppType == types.AppTypeKernelGateway && w == InstanceTypeSystem && g == types.AppInstanceTypeMlT3Medium) {
		fields = append(fields, "ResourceSpec.InstanceType")
	}
	members := []struct {
		name      string
		want, got *string
	}{
		{"ResourceSpec.SageMakerImageArn", want.SageMakerImageArn, got.SageMakerImageArn},
		{"ResourceSpec.SageMakerImageVersionArn", want.SageMakerImageVersionArn, got.SageMakerImageVersionArn},
		{"ResourceSpec.SageMakerImageVersionAlias", want.SageMakerImageVersionAlias, got.SageMakerImageVersionAlias},
		{"ResourceSpec.LifecycleConfigArn", want.LifecycleConfigArn, got.LifecycleConfigArn},
		{"ResourceSpec.TrainingPlanArn", want.TrainingPlanArn, got.TrainingPlanArn},
	}
	for _, m := range members {
		if m.want == nil {
			continue
		}
		w, g := *m.want, aws.ToString(m.got)
		if w == "None" {
			w = ""
		}
		if g == "None" {
			g = ""
		}
		if w != g && (g != "" || w == "") {
			fields = append(fields, m.name)
		}
	}
	return fields
}

// addMissingTags adds to the resource arn the tags of want that it lacks or holds with another
// value (ListTags, then one AddTags). It never removes a tag.
func (c *Client) addMissingTags(ctx context.Context, arn string, want []types.Tag, optFns []func(*sagemaker.Options)) error {
	if len(want) == 0 {
		return nil
	}
	have := make(map[string]string)
	pages := sagemaker.NewListTagsPaginator(c.api, &sagemaker.ListTagsInput{ResourceArn: &arn, MaxResults: aws.Int32(100)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx, optFns...)
		if err != nil {
			return mapError(ctx, "ListTags", err)
		}
		for _, t := range out.Tags {
			have[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
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
	_, err := c.api.AddTags(ctx, &sagemaker.AddTagsInput{ResourceArn: &arn, Tags: missing}, optFns...)
	return mapError(ctx, "AddTags", err)
}
