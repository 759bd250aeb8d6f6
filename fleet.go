package sagemakerapp

import (
	"context"
	"iter"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// Owning the fleet: listing the apps of a domain, user profile or space (Apps), stopping them all
// (DeleteApps), and replacing an app whose spec changed (WaitOptions.OnConflict).

// The outcomes of the fleet operations, beside those of an Ensure.
const (
	// OutcomeReplaced: Ensure with ConflictReplace found the app with another spec, deleted it,
	// waited for it to be gone and created the requested spec.
	OutcomeReplaced Outcome = "replaced"
	// OutcomeDeleted: DeleteApps stopped the app (DeleteApp) and saw it gone.
	OutcomeDeleted Outcome = "deleted"
)

// ConflictPolicy says what Ensure does with the app it ensures when it finds it Pending or
// InService with another spec. The zero value is ConflictFail.
type ConflictPolicy uint8

const (
	// ConflictFail reports the difference as an *AppConflictError and changes nothing.
	ConflictFail ConflictPolicy = iota
	// ConflictReplace stops the app (DeleteApp), waits until it is gone, creates the requested
	// spec and waits for it to be InService, as a forced replacement does (facts §7.4: changing a
	// space app's instance type is delete, wait, create). The app keeps its ARN, which is built
	// from its names; a space app's space and its storage are untouched. Only the app of the
	// same AppID is ever replaced, once per call: another app that blocks a space app (a space
	// runs one app at a time) stays an *AppConflictError, and so does an app that comes back with
	// another spec after this call's delete (another caller's).
	ConflictReplace
)

// replaceConflicting is Ensure's answer to a conflict under ConflictReplace, called from
// judgeLive with the conflict it found: it deletes the app and waits until it is gone, and
// returns so that Ensure looks again and creates the requested spec. A transient failure of the
// delete is retried at the next look; the conflict is returned when the app is not this call's
// to replace.
func (c *Client) replaceConflicting(ctx context.Context, w *waiter, st *ensureState, app *App, conflict *AppConflictError) (done bool, err error) {
	if st.replaced || app.ID != w.id {
		return false, conflict
	}
	switch err := c.DeleteApp(ctx, app.ID, w.opts.ClientOptions...); {
	case err == nil:
	case ctx.Err() != nil:
		return false, w.contextError(ctx, err)
	case isTransient(err):
		w.lastErr = err
		return false, nil
	default:
		return false, err
	}
	st.replaced = true
	if err := c.waitDeleted(ctx, w); err != nil {
		return false, err
	}
	return false, nil
}

// AppFilter selects the apps of Apps and DeleteApps: those of one domain, or of one user profile
// or one space of it (ListApps' DomainIdEquals, UserProfileNameEquals and SpaceNameEquals).
type AppFilter struct {
	// DomainID is the domain; it must be set.
	DomainID string
	// UserProfileName, if set, keeps the apps of that user profile (Studio Classic apps, Canvas,
	// …; the apps in spaces the user owns are the spaces'). SpaceName, if set, keeps the apps of
	// that space. ListApps takes one or the other: setting both is invalid input.
	UserProfileName, SpaceName string
	// IncludeDeleted also yields apps whose latest record is Deleted. The service lists a deleted
	// app for about 24 hours.
	IncludeDeleted bool
	// ClientOptions are the SDK's per-call options for every ListApps call.
	ClientOptions []func(*sagemaker.Options)
}

func (f *AppFilter) validate() error {
	var ps problems
	domainIDRule.required(&ps, field("DomainID"), &f.DomainID)
	user, space := nonEmpty(f.UserProfileName), nonEmpty(f.SpaceName)
	if user != nil && space != nil {
		ps.add(field("SpaceName"), FieldForbidden, f.SpaceName,
			"must not be set together with UserProfileName: ListApps takes UserProfileNameEquals or SpaceNameEquals, not both")
	}
	nameRule.optional(&ps, field("UserProfileName"), user)
	nameRule.optional(&ps, field("SpaceName"), space)
	if ps != nil {
		return &ValidationError{Problems: ps}
	}
	return nil
}

// listAppsPageSize is the most records ListApps answers per page.
const listAppsPageSize = 100

// Apps lists the apps that filter selects, one App per app, with the paged ListApps (100 records
// a page, newest first: SortBy CreationTime and SortOrder Descending, sent explicitly):
//
//	for app, err := range client.Apps(ctx, sagemakerapp.AppFilter{DomainID: "d-abc123"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(app.ID, app.Status, app.ResourceSpec.InstanceType)
//	}
//
// Pages are read as the loop asks for apps: breaking out of it reads no further page. An error
// (an invalid filter, a failed ListApps after the SDK's retries, mapped as every error of the
// Client) is yielded once, with a nil App, and ends the listing.
//
// The service may hold two records of one app (an old Deleted or Failed one beside the new one);
// each app is yielded once, as its latest record says (the later CreationTime, whatever the
// order of the answer; a live record beside a Deleted one of the same time). A record that is
// Pending, InService or Deleting is the latest of its app, and is yielded as its page is read;
// a Failed or Deleted one may still be outdone by a record on a later page, so those are yielded
// after the last page. Apps whose latest record is Deleted are left out unless
// filter.IncludeDeleted is set.
//
// ListApps does not say what DescribeApp does: each App has its ID, Status, CreationTime and
// ResourceSpec (which may be nil), but no ARN, FailureReason or activity timestamps; call
// DescribeApp for those.
func (c *Client) Apps(ctx context.Context, filter AppFilter) iter.Seq2[*App, error] {
	return func(yield func(*App, error) bool) {
		if err := filter.validate(); err != nil {
			yield(nil, err)
			return
		}
		if c.api == nil {
			yield(nil, &APIError{Operation: "ListApps", Err: errNoAPI})
			return
		}
		pages := sagemaker.NewListAppsPaginator(c.api, &sagemaker.ListAppsInput{
			DomainIdEquals:        aws.String(filter.DomainID),
			UserProfileNameEquals: nonEmpty(filter.UserProfileName),
			SpaceNameEquals:       nonEmpty(filter.SpaceName),
			SortBy:                types.AppSortKeyCreationTime,
			SortOrder:             types.SortOrderDescending,
			MaxResults:            aws.Int32(listAppsPageSize),
		})
		yielded := make(map[AppID]struct{})       // apps yielded from a live record
		ended := make(map[AppID]types.AppDetails) // the latest Failed or Deleted record of the others
		var endedOrder []AppID
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx, filter.ClientOptions...)
			if err != nil {
				yield(nil, mapError(ctx, "ListApps", err))
				return
			}
			latest := latestRecords(out.Apps)
			for _, rec := range out.Apps {
				id := appIDOfDetails(rec)
				d, ok := latest[id]
				if !ok {
					continue // this page's winner for id has been handled
				}
				delete(latest, id)
				if _, done := yielded[id]; done {
					continue // a live record of the app came on an earlier page
				}
				if d.Status == types.AppStatusFailed || d.Status == types.AppStatusDeleted {
					if _, seen := ended[id]; !seen {
						endedOrder = append(endedOrder, id)
					}
					keepLatest(ended, d)
					continue
				}
				delete(ended, id)
				yielded[id] = struct{}{}
				if !yield(appFromDetails(d), nil) {
					return
				}
			}
		}
		for _, id := range endedOrder {
			d, ok := ended[id]
			if !ok || (d.Status == types.AppStatusDeleted && !filter.IncludeDeleted) {
				continue
			}
			if !yield(appFromDetails(d), nil) {
				return
			}
		}
	}
}

// appFromDetails is the App that a ListApps record describes.
func appFromDetails(d types.AppDetails) *App {
	return &App{ID: appIDOfDetails(d), Status: d.Status, ResourceSpec: d.ResourceSpec, CreationTime: aws.ToTime(d.CreationTime)}
}

// DeleteApps stops every app that filter selects and that is not gone already (Pending, InService
// or Deleting; a Failed app the service deletes itself), and waits until each is gone, so that
// DeleteUserProfile, DeleteSpace or DeleteDomain, which fail with ResourceInUse while apps remain,
// can follow. It returns one Result per app, in the order Apps lists them: Outcome
// OutcomeDeleted and the App as listed before the delete, or the error of that app (Outcome
// OutcomeFailed). filter.IncludeDeleted is ignored. A Pending app is deleted once it is
// InService (see DeleteApp). Stopping an app is DeleteApp: a space, its settings and its storage
// are never touched (facts §7.4), and CreateApp of the same name starts the app again.
//
// The batch options work as for EnsureApps: Concurrency bounds the apps being deleted at once
// (their DeleteApp calls; an app waited for holds no slot); every DeleteApp attempt (the SDK's retries included) is held to CreatesPerSecond across the
// call, as the CreateApp attempts of a batch are, since the service rate-limits deletes as well
// (Options.CreateLimiter, which is for CreateApp, is not used); Wait is how each app is waited
// for until gone, and bounds the whole of each app's work (its Timeout), the listing's retries
// included. Throttling and service faults that outlast the SDK's retries are retried with
// backoff within that bound, the waits share their polls as those of EnsureApps do, and
// OnProgress is not called.
//
// If the apps cannot be listed, the only Result holds that error and nothing is deleted.
// Cancelling ctx ends the waits; the Results of the apps not yet gone hold ctx's error.
func (c *Client) DeleteApps(ctx context.Context, filter AppFilter, optFns ...func(*BatchOptions)) []Result {
	opts := newBatchOptions(optFns)
	filter.IncludeDeleted = false

	apps, err := c.listToDelete(ctx, filter, opts.Wait)
	if err != nil {
		return []Result{{Err: err, Outcome: OutcomeFailed}}
	}
	// Only the DeleteApp calls are held to the rate, not the waits' reads.
	deleteOpts := opts.Wait.ClientOptions
	if opts.CreatesPerSecond > 0 {
		limiter := &clockLimiter{l: rate.NewLimiter(rate.Limit(opts.CreatesPerSecond), 1), now: c.opts.Now, sleep: c.opts.Sleep}
		deleteOpts = append(slices.Clip(deleteOpts), limitAttempts(limiter))
	}
	results := make([]Result, len(apps))
	// Concurrency bounds the apps being deleted (their DeleteApp calls); a deleted app's wait
	// holds no slot, as in EnsureApps, so the call goes at the delete rate, not at Concurrency
	// per deletion time.
	slots := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for k := range apps {
		if ctx.Err() == nil {
			select {
			case slots <- struct{}{}:
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[k] = c.deleteOne(ctx, apps[k], opts.Wait, deleteOpts, func() { <-slots })
				}()
				continue
			case <-ctx.Done():
			}
		}
		for j := k; j < len(apps); j++ { // never started
			results[j] = Result{App: apps[j], Err: ctx.Err(), Outcome: OutcomeFailed}
		}
		break
	}
	wg.Wait()
	return results
}

// listToDelete lists the apps of filter that are not gone, retrying a transient failure of the
// listing from the start, with backoff, within wo.Timeout.
func (c *Client) listToDelete(ctx context.Context, filter AppFilter, wo WaitOptions) ([]*App, error) {
	deadline := c.opts.Now().Add(wo.Timeout)
	b := newBackoff(&wo)
	for {
		var apps []*App
		var err error
		for app, e := range c.Apps(ctx, filter) {
			if e != nil {
				err = e
				break
			}
			if app.Status != types.AppStatusFailed {
				apps = append(apps, app)
			}
		}
		if err == nil {
			return apps, nil
		}
		if !isTransient(err) || ctx.Err() != nil {
			return nil, err
		}
		d := b.next()
		if !c.opts.Now().Add(d).Before(deadline) {
			return nil, err
		}
		if serr := c.opts.Sleep(ctx, d); serr != nil {
			return nil, serr
		}
	}
}

// deleteOne deletes one app of DeleteApps (with deleteOpts as the DeleteApp calls' options) and
// waits until it is gone, within wo.Timeout. It calls release once the delete is done with, before
// the wait.
func (c *Client) deleteOne(ctx context.Context, app *App, wo WaitOptions, deleteOpts []func(*sagemaker.Options), release func()) Result {
	released := false
	defer func() {
		if !released {
			release()
		}
	}()
	w := c.newWaiter(app.ID, wo, "Deleted")
	ctx, cancel := w.bound(ctx)
	defer cancel()
	w.join()
	defer w.leave()
	fail := func(err error) Result { return Result{App: app, Err: err, Outcome: OutcomeFailed} }
	for {
		err := c.DeleteApp(ctx, app.ID, deleteOpts...)
		// The delete counts as a look: the wait that follows starts with a pause, and then
		// shares its polls with the other deletes of the domain.
		w.lookAt(c.opts.Now())
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return fail(w.contextError(ctx, err))
		}
		if !isTransient(err) {
			return fail(err)
		}
		w.lastErr = err
		if err := w.pause(ctx); err != nil {
			return fail(err)
		}
	}
	released = true
	release()
	if err := c.waitDeleted(ctx, w); err != nil {
		return fail(err)
	}
	return Result{App: app, Outcome: OutcomeDeleted}
}

// limitAttempts holds every attempt of a call, the SDK's retries included, to l: a middleware
// right after the retry middleware, as for CreateApp (see createAttempts).
func limitAttempts(l CreateLimiter) func(*sagemaker.Options) {
	return func(o *sagemaker.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			m := middleware.FinalizeMiddlewareFunc("sagemakerapp.AttemptLimiter",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					if err := l.Wait(ctx); err != nil {
						return middleware.FinalizeOutput{}, middleware.Metadata{}, err
					}
					return next.HandleFinalize(ctx, in)
				})
			if _, ok := stack.Finalize.Get("Retry"); ok {
				return stack.Finalize.Insert(m, "Retry", middleware.After)
			}
			return stack.Finalize.Add(m, middleware.Before)
		})
	}
}
