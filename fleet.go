package sagemakerapp

import (
	"context"
	"errors"
	"iter"
	"slices"
	"sync"
	"time"

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
	// ConflictUpdate is for spaces (EnsureSpace, EnsureSpaces): a space whose settings differ is
	// changed with UpdateSpace in the members the request sets that can change (default resource
	// specs and images, the idle timeout, a larger EBS size, RemoteAccess, CustomFileSystems,
	// SpaceDisplayName), and waited for until InService. Members that cannot change (owner,
	// sharing, app type, a smaller EBS size) stay a *SpaceConflictError. A space is never deleted
	// to match a request. App ensures treat ConflictUpdate as ConflictFail; space ensures treat
	// ConflictReplace as ConflictFail.
	ConflictUpdate
)

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
// OutcomeFailed). filter.IncludeDeleted is ignored. Stopping an app is DeleteApp: a space, its
// settings and its storage are never touched (facts §7.4), and CreateApp of the same name starts
// the app again.
//
// It stops the apps as it listed them, and no other: each DeleteApp follows a DescribeApp that
// saw the app InService (a Pending app is waited for until it is InService, then deleted; a
// Deleting one is only waited out), and an app that was started again after the listing, or
// after its delete, is not deleted but reported, with an error that is ErrResourceInUse: someone
// wants it.
//
// The batch options work as for EnsureApps: Concurrency bounds the apps being deleted at once
// (their looks and DeleteApp calls; an app waited for holds no slot); every DeleteApp attempt (the
// SDK's retries included) is held to CreatesPerSecond across the call, as the CreateApp attempts
// of a batch are, since the service rate-limits deletes as well (Options.CreateLimiter, which is
// for CreateApp, is not used), and only the DeleteApp attempts are: the looks are not. Wait is
// how each app is waited for until gone; its Timeout bounds the listing and each app's work
// together (an app's time in the queue, for a slot or for the rate before its first DeleteApp,
// is not counted), and every call runs under that deadline, so that a hung call cannot outlast
// it. Throttling and service faults that outlast the SDK's retries are retried with backoff within
// that bound, the waits share their polls as those of EnsureApps do, and OnProgress is not called.
//
// If the apps cannot be listed, the only Result holds that error and nothing is deleted.
// Cancelling ctx ends the waits; the Results of the apps not yet gone hold ctx's error.
func (c *Client) DeleteApps(ctx context.Context, filter AppFilter, optFns ...func(*BatchOptions)) []Result {
	opts := newBatchOptions(optFns)
	filter.IncludeDeleted = false
	if err := filter.validate(); err != nil {
		return []Result{{Err: err, Outcome: OutcomeFailed}}
	}
	if c.api == nil {
		return []Result{{Err: &APIError{Operation: "ListApps", Err: errNoAPI}, Outcome: OutcomeFailed}}
	}
	start := c.now()
	apps, err := c.listToDelete(ctx, filter, opts.Wait)
	if err != nil {
		return []Result{{Err: err, Outcome: OutcomeFailed}}
	}
	return c.deleteListedApps(ctx, apps, opts, opts.Wait.Timeout-c.now().Sub(start), nil)
}

// deleteListedApps deletes apps as DeleteApps does, each within timeout of its own work, its
// DeleteApp attempts held to limiter, or, when it is nil, to opts.CreatesPerSecond.
func (c *Client) deleteListedApps(ctx context.Context, apps []*App, opts BatchOptions, timeout time.Duration, limiter CreateLimiter) []Result {
	if limiter == nil && opts.CreatesPerSecond > 0 {
		limiter = &clockLimiter{l: rate.NewLimiter(rate.Limit(opts.CreatesPerSecond), 1), now: c.now, sleep: c.sleep}
	}
	results := make([]Result, len(apps))
	// Concurrency bounds the apps being looked at and deleted; a deleted app's wait holds no slot,
	// as in EnsureApps, so the call goes at the delete rate, not at Concurrency per deletion time.
	slots := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for k := range apps {
		if ctx.Err() == nil {
			select {
			case slots <- struct{}{}:
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[k] = c.deleteOne(ctx, apps[k], opts.Wait, timeout, limiter, &batchSlot{ch: slots, holding: true})
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
// listing from the start, with backoff, within wo.Timeout; every call runs under that deadline.
func (c *Client) listToDelete(ctx context.Context, filter AppFilter, wo WaitOptions) ([]*App, error) {
	dl := newDeadline(c.now, wo.Timeout)
	ctx, cancel := dl.bound(ctx)
	defer cancel()
	b := newBackoff(&wo)
	var lastErr error
	timeout := func(err error) error {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			return &waitTimeoutError{id: AppID{DomainID: filter.DomainID, UserProfileName: filter.UserProfileName, SpaceName: filter.SpaceName},
				want: "listed", lastErr: lastErr}
		}
		return err
	}
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
		switch {
		case err == nil:
			return apps, nil
		case ctx.Err() != nil:
			return nil, timeout(ctx.Err())
		case !isTransient(err):
			return nil, err
		}
		lastErr = err
		d := b.next()
		if d >= dl.remaining() {
			return nil, timeout(context.DeadlineExceeded)
		}
		if serr := c.sleep(ctx, d); serr != nil {
			return nil, timeout(serr)
		}
	}
}

// deleteOne deletes one app of DeleteApps (each DeleteApp attempt held to limiter) and waits until
// it is gone, within timeout, as decideDelete decides. It holds slot for its looks and deletes
// until the delete is accepted, then waits without it.
func (c *Client) deleteOne(ctx context.Context, app *App, wo WaitOptions, timeout time.Duration, limiter CreateLimiter, slot *batchSlot) Result {
	defer slot.release()
	wo.Timeout = timeout
	w := c.newWaiter(app.ID, wo, "Deleted")
	w.slot, w.dl.movable = slot, true
	ctx, cancel := w.bound(ctx)
	defer cancel()
	w.join()
	defer w.leave()
	// Every DeleteApp attempt follows a look: the SDK makes one attempt, and a failed one is
	// looked at again before the next.
	deleteOpts := append(slices.Clip(w.opts.ClientOptions), oneAttempt)
	var held *heldLimiter
	if limiter != nil {
		// Only the DeleteApp attempts are held to the rate, not the looks; the time an attempt
		// waits for its turn is not counted against the app's Timeout.
		held = &heldLimiter{l: limiter, dl: w.dl}
		deleteOpts = append(deleteOpts, limitAttempts(held))
	}
	fail := func(err error) Result { return Result{App: app, Err: err, Outcome: OutcomeFailed} }
	k, act := deleteKnown{mode: deleteListed, listed: app.Status, listedSpec: app.ResourceSpec}, deleteAction{kind: actLook}
	for {
		var o deleteObs
		switch act.kind {
		case actSucceed:
			return Result{App: app, Outcome: OutcomeDeleted}
		case actFail:
			return fail(act.err)
		case actDelete:
			if held != nil && !held.prepaid {
				// The rate may hold the delete for long: take its turn first, then look again at
				// once, so that the DeleteApp follows a look, not a wait.
				if err := held.Wait(ctx); err != nil {
					return fail(w.contextError(ctx, err))
				}
				held.prepaid = true
				act.kind = actLookNow
				continue
			}
			if !slot.tryAcquire() {
				// Waiting for a slot may take long too (another app's hung call may hold it):
				// look again once the slot is ours.
				if err := slot.acquire(ctx); err != nil {
					return fail(w.contextError(ctx, err))
				}
				act.kind = actLookNow
				continue
			}
			err := c.deleteOnce(ctx, app.ID, deleteOpts)
			if err != nil && ctx.Err() != nil {
				return fail(w.contextError(ctx, err))
			}
			o = deleteObs{answer: true, err: err}
		case actLook, actLookNow:
			var got *App
			var err, final error
			if act.kind == actLookNow {
				got, err, final = w.describeApp(ctx)
			} else {
				got, err, final = w.next(ctx)
			}
			if final != nil {
				return fail(final)
			}
			if got != nil {
				w.seen.observe(got)
			} else if err != nil {
				w.seen.lastErr = err
			}
			o = deleteObs{app: got, notFound: errors.Is(err, ErrResourceNotFound), err: err}
		}
		sent := k.sent
		k, act = decideDelete(k, o)
		if k.sent && !sent {
			// The app is on its way out: its wait holds no slot, and the delete counts as a look,
			// so that no shared round read before it is taken for the app's state after it.
			slot.release()
			w.lookNow()
		}
	}
}

// heldLimiter is a limiter whose wait is not counted against a deadline: the deadline is held while
// the limiter holds the call, and goes on with the time it had left. A turn taken ahead (prepaid)
// serves the next attempt.
type heldLimiter struct {
	l       CreateLimiter
	dl      *deadline
	prepaid bool
}

func (h *heldLimiter) Wait(ctx context.Context) error {
	if h.prepaid {
		h.prepaid = false
		return nil
	}
	h.dl.hold()
	defer h.dl.resume()
	return h.l.Wait(ctx)
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

// oneAttempt makes a call one attempt, without the SDK's retries: a delete that must follow a look
// is retried by looking again.
func oneAttempt(o *sagemaker.Options) { o.RetryMaxAttempts = 1 }
