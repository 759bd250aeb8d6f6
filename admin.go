package sagemakerapp

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"golang.org/x/time/rate"
)

// A person's whole Studio: listing the spaces of a domain or of one owner (Spaces), deleting a
// space with its app (DeleteSpace), and removing a person (DeleteUser). EnsureSpace's updates
// (ConflictUpdate) are in space.go.

// AdminAPI is what DeleteSpace, DeleteUser and EnsureSpace's updates call beyond API and
// SpacesAPI; *sagemaker.Client satisfies it. The Client finds it by a type assertion on the API
// given to New, as it finds SpacesAPI, so that neither API nor SpacesAPI grows: an API without
// these methods makes those calls fail with an *APIError that says so.
type AdminAPI interface {
	UpdateSpace(ctx context.Context, in *sagemaker.UpdateSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.UpdateSpaceOutput, error)
	DeleteSpace(ctx context.Context, in *sagemaker.DeleteSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeleteSpaceOutput, error)
	DeleteUserProfile(ctx context.Context, in *sagemaker.DeleteUserProfileInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeleteUserProfileOutput, error)
}

var _ AdminAPI = (*sagemaker.Client)(nil)

// errNoAdminAPI is wrapped in an *APIError, whose text already names the package.
var errNoAdminAPI = errors.New("the Client's API has no UpdateSpace, DeleteSpace and DeleteUserProfile (AdminAPI), or no SpacesAPI; pass a *sagemaker.Client, or a double that has them, to New")

// adminAPI returns the Client's API as a SpacesAPI and an AdminAPI, or an *APIError for op that
// says why not.
func (c *Client) adminAPI(op string) (spacesAdminAPI, error) {
	if c.api == nil {
		return nil, &APIError{Operation: op, Err: errNoAPI}
	}
	a, ok := c.api.(spacesAdminAPI)
	if !ok {
		return nil, &APIError{Operation: op, Err: errNoAdminAPI}
	}
	return a, nil
}

// spacesAdminAPI is all the Client calls for a person's whole Studio.
type spacesAdminAPI interface {
	API
	SpacesAPI
	AdminAPI
}

// SpaceFilter selects the spaces of Spaces: those of one domain, or of one owner in it.
type SpaceFilter struct {
	// DomainID is the domain; it must be set.
	DomainID string
	// Owner, if set, keeps the spaces whose OwnershipSettings.OwnerUserProfileName is that user
	// profile, compared without case as the service compares profile names (facts §7.2). ListSpaces
	// has no such filter: the pages' ownership summaries are read.
	Owner string
	// ClientOptions are the SDK's per-call options for every ListSpaces call.
	ClientOptions []func(*sagemaker.Options)
}

func (f *SpaceFilter) validate() error {
	var ps problems
	domainIDRule.required(&ps, field("DomainID"), &f.DomainID)
	nameRule.optional(&ps, field("Owner"), nonEmpty(f.Owner))
	if ps != nil {
		return &ValidationError{Problems: ps}
	}
	return nil
}

// Spaces lists the spaces that filter selects, one *Space per space, with the paged ListSpaces:
//
//	for sp, err := range client.Spaces(ctx, sagemakerapp.SpaceFilter{DomainID: "d-abc123", Owner: "alice"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(sp.Name, sp.Status, sp.SharingType, sp.AppType)
//	}
//
// Pages are read as the loop asks for spaces: breaking out of it reads no further page. An error
// (an invalid filter, a failed ListSpaces after the SDK's retries, an API without SpacesAPI) is
// yielded once, with a nil Space, and ends the listing. ListSpaces does not say what DescribeSpace
// does: each Space has its DomainID, Name, Status, CreationTime, Owner, SharingType and AppType,
// but no ARN or FailureReason; call EnsureSpace or DescribeSpace for those.
func (c *Client) Spaces(ctx context.Context, filter SpaceFilter) iter.Seq2[*Space, error] {
	return func(yield func(*Space, error) bool) {
		if err := filter.validate(); err != nil {
			yield(nil, err)
			return
		}
		api, err := c.spacesAPI("ListSpaces")
		if err != nil {
			yield(nil, err)
			return
		}
		pages := sagemaker.NewListSpacesPaginator(api, &sagemaker.ListSpacesInput{
			DomainIdEquals: aws.String(filter.DomainID), MaxResults: aws.Int32(100),
			SortBy: types.SpaceSortKeyCreationTime, SortOrder: types.SortOrderAscending,
		})
		for pages.HasMorePages() {
			out, err := pages.NextPage(ctx, filter.ClientOptions...)
			if err != nil {
				yield(nil, mapError(ctx, "ListSpaces", err))
				return
			}
			for _, d := range out.Spaces {
				sp := spaceFromDetails(d)
				if filter.Owner != "" && !strings.EqualFold(sp.Owner, filter.Owner) {
					continue
				}
				if !yield(sp, nil) {
					return
				}
			}
		}
	}
}

// spaceFromDetails is the Space that a ListSpaces record describes.
func spaceFromDetails(d types.SpaceDetails) *Space {
	sp := &Space{DomainID: aws.ToString(d.DomainId), Name: aws.ToString(d.SpaceName), Status: d.Status, CreationTime: aws.ToTime(d.CreationTime)}
	if d.OwnershipSettingsSummary != nil {
		sp.Owner = aws.ToString(d.OwnershipSettingsSummary.OwnerUserProfileName)
	}
	if d.SpaceSharingSettingsSummary != nil {
		sp.SharingType = d.SpaceSharingSettingsSummary.SharingType
	}
	if d.SpaceSettingsSummary != nil {
		sp.AppType = d.SpaceSettingsSummary.AppType
	}
	return sp
}

// DeleteSpace deletes a space with its app: it stops the space's apps as DeleteApps does (each
// after a look, never one started again after it was listed), deletes the space (DeleteSpace, once
// it is InService: a space that is Pending or Updating is waited for), and waits until it is gone.
// A space already gone is nil, and so DeleteSpace is safe to repeat. The space's storage, its EBS
// volume and the files on it, goes with it: there is no undo.
//
// The WaitOptions bound the whole of it (Timeout, from the call's start; every call runs under that
// deadline) and pace its looks; an app started again meanwhile, or a space whose delete the service
// keeps refusing because an app is back in it, is an error that is ErrResourceInUse, and the space
// stays. The calls come through AdminAPI and SpacesAPI.
func (c *Client) DeleteSpace(ctx context.Context, domainID, spaceName string, optFns ...func(*WaitOptions)) error {
	var ps problems
	domainIDRule.required(&ps, field("DomainId"), &domainID)
	nameRule.required(&ps, field("SpaceName"), &spaceName)
	if ps != nil {
		return &ValidationError{Problems: ps}
	}
	api, err := c.adminAPI("DeleteSpace")
	if err != nil {
		return err
	}
	opts := newWaitOptions(optFns)
	dl := newDeadline(c.now, opts.Timeout)
	ctx, cancel := dl.bound(ctx)
	defer cancel()
	return c.deleteSpace(ctx, api, domainID, spaceName, nil, BatchOptions{Concurrency: 1, CreatesPerSecond: -1, Wait: opts}, nil, dl)
}

// deleteSpace is DeleteSpace within dl, with batch's rate for the deletes (limiter, when set,
// shared with other deletes of a DeleteUser); listed, when set, is the space as a listing saw it,
// and only that life of the name is deleted.
func (c *Client) deleteSpace(ctx context.Context, api spacesAdminAPI, domainID, spaceName string, listed *Space, batch BatchOptions, limiter CreateLimiter, dl *deadline) error {
	w := &spaceWait{c: c, in: &sagemaker.CreateSpaceInput{DomainId: &domainID, SpaceName: &spaceName}, opts: batch.Wait, dl: dl, backoff: newBackoff(&batch.Wait)}
	k := spaceDeleteKnown{listed: listed}
	act := spaceDeleteAction{kind: actLookNow}
	deleteOpts := append(slices.Clip(batch.Wait.ClientOptions), oneAttempt)
	prepaid := false // the rate's turn for the next DeleteSpace is taken
	for {
		var o spaceDeleteObs
		switch act.kind {
		case actSucceed:
			return nil
		case actFail:
			return act.err
		case actLook, actLookNow:
			if act.kind == actLook {
				if err := w.pause(ctx, ctx); err != nil {
					return err
				}
			}
			out, err := api.DescribeSpace(ctx, &sagemaker.DescribeSpaceInput{DomainId: &domainID, SpaceName: &spaceName}, batch.Wait.ClientOptions...)
			if err = mapError(ctx, "DescribeSpace", err); err != nil && ctx.Err() != nil {
				return w.ended(ctx, ctx, err)
			}
			o = spaceDeleteObs{kind: spaceLooked, err: err, notFound: errors.Is(err, ErrResourceNotFound)}
			if err == nil {
				o.space = spaceFromDescribe(out)
				w.last = o.space
			}
		case actListSpace: // stop the space's apps
			apps, err := c.listToDelete(ctx, AppFilter{DomainID: domainID, SpaceName: spaceName, ClientOptions: batch.Wait.ClientOptions}, batch.Wait)
			if err == nil {
				timeout := dl.remaining()
				for _, r := range c.deleteListedAppsWith(ctx, apps, batch, timeout, limiter) {
					if r.Err != nil {
						err = errors.Join(err, r.Err)
					}
				}
			}
			if err != nil && ctx.Err() != nil {
				return w.ended(ctx, ctx, err)
			}
			o = spaceDeleteObs{kind: spaceAppsStopped, err: err}
		case actDelete:
			if limiter != nil && !prepaid {
				// The rate may hold the delete for long: take its turn first, then look again at
				// once, so that the DeleteSpace follows a look, not a wait.
				if err := limiter.Wait(ctx); err != nil {
					return w.ended(ctx, ctx, err)
				}
				prepaid = true
				act = spaceDeleteAction{kind: actLookNow}
				continue
			}
			prepaid = false
			// One attempt: a retry would not follow a look.
			_, err := api.DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: &domainID, SpaceName: &spaceName}, deleteOpts...)
			if err = mapError(ctx, "DeleteSpace", err); err != nil && ctx.Err() != nil {
				return w.ended(ctx, ctx, err)
			}
			o = spaceDeleteObs{kind: spaceDeleteAnswer, err: err, notFound: errors.Is(err, ErrResourceNotFound)}
		}
		if o.err != nil && !o.notFound {
			w.lastErr = o.err
		}
		k, act = decideSpaceDelete(k, o)
	}
}

// DeleteUserOptions configure DeleteUser. The zero value deletes the user profile too, refuses to
// delete a shared space the user owns, and deletes at the batch defaults.
type DeleteUserOptions struct {
	// KeepProfile keeps the user profile: only the person's apps and spaces go.
	KeepProfile bool
	// DeleteSharedSpaces deletes the shared spaces the user owns as well. A shared space holds
	// other people's work: without this, DeleteUser finds them first, and if there is one it
	// deletes nothing at all and returns an error that names them.
	DeleteSharedSpaces bool
	// Batch bounds the deletes as for DeleteApps: Concurrency spaces (and the profile's apps) at
	// once, CreatesPerSecond the DeleteApp and DeleteSpace calls across the call, Wait how each is
	// waited for; Wait.Timeout bounds the whole of DeleteUser, from its start.
	Batch BatchOptions
}

// DeleteUser removes a person from a domain: the apps of their user profile (Canvas, Studio
// Classic, …) and of every space they own, those spaces (their storage with them), then, unless
// KeepProfile, the user profile, waiting until each is gone; the service refuses to delete a
// profile while it has apps or owns spaces (facts §7.2). It is idempotent: a user already gone is
// nil, and a DeleteUser cut short (a crash, a cancelled context, a timeout) is finished by calling
// it again. The spaces are those whose owner is the user, compared without case; spaces of other
// users, and their apps, are never touched, and neither is an app started again after it was
// listed (it is reported, as DeleteApps reports it).
//
// A shared space the user owns holds other people's work: unless DeleteSharedSpaces is set, it is
// an error that names each such space, and nothing at all is deleted. When something cannot be
// deleted, the error names what remains (each space, the profile) and joins the errors of each
// (errors.Is and errors.As reach them: ErrResourceInUse for an app started again, say). The calls
// come through API, SpacesAPI and AdminAPI; the profile is looked at with DescribeUserProfile.
func (c *Client) DeleteUser(ctx context.Context, domainID, userProfileName string, optFns ...func(*DeleteUserOptions)) error {
	var ps problems
	domainIDRule.required(&ps, field("DomainId"), &domainID)
	nameRule.required(&ps, field("UserProfileName"), &userProfileName)
	if ps != nil {
		return &ValidationError{Problems: ps}
	}
	api, err := c.adminAPI("DeleteUserProfile")
	if err != nil {
		return err
	}
	var o DeleteUserOptions
	for _, fn := range optFns {
		fn(&o)
	}
	batch := newBatchOptions([]func(*BatchOptions){func(b *BatchOptions) { *b = o.Batch }})
	dl := newDeadline(c.now, batch.Wait.Timeout)
	ctx, cancel := dl.bound(ctx)
	defer cancel()
	u := &userDelete{c: c, api: api, domainID: domainID, user: userProfileName, opts: o, batch: batch, dl: dl}
	return u.run(ctx)
}

// userDelete is one DeleteUser.
type userDelete struct {
	c        *Client
	api      spacesAdminAPI
	domainID string
	user     string
	opts     DeleteUserOptions
	batch    BatchOptions
	dl       *deadline
}

func (u *userDelete) run(ctx context.Context) error {
	c := u.c
	wo := u.batch.Wait
	// The user's spaces, all of them listed before anything is deleted.
	spaces, err := u.listSpaces(ctx)
	if err != nil {
		return u.timeout(ctx, err)
	}
	var shared []string
	for _, sp := range spaces {
		if sp.SharingType != types.SharingTypePrivate && sp.Status != types.SpaceStatusDeleting {
			shared = append(shared, sp.Name)
		}
	}
	if len(shared) > 0 && !u.opts.DeleteSharedSpaces {
		return &sharedSpacesError{domainID: u.domainID, user: u.user, spaces: shared}
	}

	var limiter CreateLimiter
	if u.batch.CreatesPerSecond > 0 {
		limiter = &clockLimiter{l: rate.NewLimiter(rate.Limit(u.batch.CreatesPerSecond), 1), now: c.now, sleep: c.sleep}
	}
	// The profile's own apps, and each space with its apps, Concurrency at a time.
	var mu sync.Mutex
	var remaining []string
	var errs []error
	failed := func(what string, err error) {
		mu.Lock()
		defer mu.Unlock()
		remaining = append(remaining, what)
		errs = append(errs, fmt.Errorf("%s: %w", what, err))
	}
	apps, err := c.listToDelete(ctx, AppFilter{DomainID: u.domainID, UserProfileName: u.user, ClientOptions: wo.ClientOptions}, wo)
	if err != nil {
		return u.timeout(ctx, err)
	}
	slots := make(chan struct{}, u.batch.Concurrency)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, r := range c.deleteListedAppsWith(ctx, apps, u.batch, u.dl.remaining(), limiter) {
			if r.Err != nil {
				failed("app "+r.App.ID.String(), r.Err)
			}
		}
	}()
	for _, sp := range spaces {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			failed("space "+sp.Name, u.timeout(ctx, ctx.Err()))
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if err := c.deleteSpace(ctx, u.api, u.domainID, sp.Name, sp, u.batch, limiter, u.dl); err != nil {
				failed("space "+sp.Name, err)
			}
		}()
	}
	wg.Wait()
	if len(remaining) == 0 && !u.opts.KeepProfile {
		if err := u.deleteProfile(ctx, limiter); err != nil {
			remaining, errs = append(remaining, "user profile "+u.user), append(errs, err)
		}
	}
	if len(remaining) > 0 {
		if !u.opts.KeepProfile && !slices.Contains(remaining, "user profile "+u.user) {
			remaining = append(remaining, "user profile "+u.user)
		}
		return &userRemainsError{domainID: u.domainID, user: u.user, remaining: remaining, errs: errs}
	}
	return nil
}

// listSpaces lists the user's spaces, retrying a transient failure of the listing from the
// start, with backoff, within the deadline.
func (u *userDelete) listSpaces(ctx context.Context) ([]*Space, error) {
	wo := u.batch.Wait
	b := newBackoff(&wo)
	for {
		var spaces []*Space
		var err error
		for sp, e := range u.c.Spaces(ctx, SpaceFilter{DomainID: u.domainID, Owner: u.user, ClientOptions: wo.ClientOptions}) {
			if e != nil {
				err = e
				break
			}
			spaces = append(spaces, sp)
		}
		switch {
		case err == nil:
			return spaces, nil
		case ctx.Err() != nil, !isTransient(err):
			return nil, err
		}
		d := b.next()
		if d >= u.dl.remaining() {
			return nil, err
		}
		if serr := u.c.sleep(ctx, d); serr != nil {
			return nil, serr
		}
	}
}

// deleteProfile deletes the user profile, once it is InService, and waits until it is gone; a
// profile already gone is nil.
func (u *userDelete) deleteProfile(ctx context.Context, limiter CreateLimiter) error {
	c, wo := u.c, u.batch.Wait
	b := newBackoff(&wo)
	sent := false
	var lastErr error
	for {
		out, err := c.api.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: &u.domainID, UserProfileName: &u.user}, wo.ClientOptions...)
		err = mapError(ctx, "DescribeUserProfile", err)
		switch {
		case errors.Is(err, ErrResourceNotFound):
			return nil
		case err != nil && ctx.Err() != nil:
			return u.timeout(ctx, err)
		case err != nil && !isTransient(err):
			return err
		case err == nil && !sent && out.Status != types.UserProfileStatusDeleting && out.Status != types.UserProfileStatusPending && out.Status != types.UserProfileStatusUpdating:
			if limiter != nil {
				if err := limiter.Wait(ctx); err != nil {
					return u.timeout(ctx, err)
				}
			}
			_, derr := u.api.DeleteUserProfile(ctx, &sagemaker.DeleteUserProfileInput{DomainId: &u.domainID, UserProfileName: &u.user}, wo.ClientOptions...)
			switch derr = mapError(ctx, "DeleteUserProfile", derr); {
			case derr == nil:
				sent = true
			case errors.Is(derr, ErrResourceNotFound):
				return nil
			case ctx.Err() != nil:
				return u.timeout(ctx, derr)
			case !isTransient(derr):
				// ResourceInUse: an app or a space of the user appeared since they were listed.
				return derr
			default:
				lastErr = derr
			}
		case err != nil:
			lastErr = err
		}
		d := min(b.next(), u.dl.remaining())
		if d <= 0 {
			return u.timeout(ctx, context.DeadlineExceeded)
		}
		if err := c.sleep(ctx, d); err != nil {
			return u.timeout(ctx, err)
		}
		_ = lastErr
	}
}

// timeout turns the end of ctx into the error of a DeleteUser: its deadline is a timeout (both
// ErrWaitTimeout and context.DeadlineExceeded); the caller's cancellation stays as it is.
func (u *userDelete) timeout(ctx context.Context, err error) error {
	if ctx.Err() == nil || !errors.Is(context.Cause(ctx), context.DeadlineExceeded) && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return err
	}
	return &deleteTimeoutError{what: "user " + u.user + " of " + u.domainID, err: err}
}

// deleteTimeoutError is a delete that ran out of time: ErrWaitTimeout and context.DeadlineExceeded.
type deleteTimeoutError struct {
	what string
	err  error
}

func (e *deleteTimeoutError) Error() string {
	return "sagemakerapp: timed out deleting " + e.what + ": " + e.err.Error()
}

func (e *deleteTimeoutError) Is(target error) bool {
	return target == ErrWaitTimeout || target == context.DeadlineExceeded
}

// sharedSpacesError: DeleteUser found shared spaces the user owns, and deleted nothing.
type sharedSpacesError struct {
	domainID, user string
	spaces         []string
}

func (e *sharedSpacesError) Error() string {
	return fmt.Sprintf("sagemakerapp: user %s of %s owns shared spaces %s, which hold other people's work: nothing was deleted; set DeleteUserOptions.DeleteSharedSpaces to delete them too",
		e.user, e.domainID, strings.Join(e.spaces, ", "))
}

// Is reports whether target is ErrResourceInUse: the spaces are in use by others.
func (e *sharedSpacesError) Is(target error) bool { return target == ErrResourceInUse }

// userRemainsError: DeleteUser could not delete everything; remaining names what is left.
type userRemainsError struct {
	domainID, user string
	remaining      []string
	errs           []error
}

func (e *userRemainsError) Error() string {
	msgs := make([]string, len(e.errs))
	for i, err := range e.errs {
		msgs[i] = err.Error()
	}
	return fmt.Sprintf("sagemakerapp: user %s of %s is not wholly removed; remaining: %s (call DeleteUser again to finish): %s",
		e.user, e.domainID, strings.Join(e.remaining, ", "), strings.Join(msgs, "; "))
}

func (e *userRemainsError) Unwrap() []error { return e.errs }

// deleteListedAppsWith is DeleteApps' deletes of apps, with a limiter shared beyond this call
// (DeleteUser's), or none when limiter is nil.
func (c *Client) deleteListedAppsWith(ctx context.Context, apps []*App, batch BatchOptions, timeout time.Duration, limiter CreateLimiter) []Result {
	batch.CreatesPerSecond = -1 // the limiter given, if any, is the only one
	return c.deleteListedApps(ctx, apps, batch, timeout, limiter)
}
