package sagemakerapp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"golang.org/x/time/rate"
)

// SpacesAPI is what EnsureSpace, EnsureSpaces and LaunchURL call beyond API; *sagemaker.Client
// satisfies it. The Client finds it by a type assertion on the API given to New, so that API, and
// every test double written for it, stays as it is: an API without these methods makes those
// calls fail with an *APIError that says so, and everything else works as before.
type SpacesAPI interface {
	CreateSpace(ctx context.Context, in *sagemaker.CreateSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreateSpaceOutput, error)
	DescribeSpace(ctx context.Context, in *sagemaker.DescribeSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeSpaceOutput, error)
	ListSpaces(ctx context.Context, in *sagemaker.ListSpacesInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListSpacesOutput, error)
	CreatePresignedDomainUrl(ctx context.Context, in *sagemaker.CreatePresignedDomainUrlInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreatePresignedDomainUrlOutput, error)
}

var _ SpacesAPI = (*sagemaker.Client)(nil)

// errNoSpacesAPI is wrapped in an *APIError, whose text already names the package.
var errNoSpacesAPI = errors.New("the Client's API has no CreateSpace, DescribeSpace, ListSpaces and CreatePresignedDomainUrl (SpacesAPI); pass a *sagemaker.Client, or a double that has them, to New")

// spacesAPI returns the Client's API as a SpacesAPI, or an *APIError for op that says why not.
func (c *Client) spacesAPI(op string) (SpacesAPI, error) {
	if c.api == nil {
		return nil, &APIError{Operation: op, Err: errNoAPI}
	}
	s, ok := c.api.(SpacesAPI)
	if !ok {
		return nil, &APIError{Operation: op, Err: errNoSpacesAPI}
	}
	return s, nil
}

// ErrSpaceFailed: a space that EnsureSpace met is in a failed status (Failed, Update_Failed or
// Delete_Failed), and EnsureSpace does not repair it. The error is a *SpaceFailedError.
var ErrSpaceFailed = errors.New("sagemakerapp: space failed")

// PrivateSpace returns the CreateSpaceInput of a private space of owner for apps of appType:
// OwnershipSettings.OwnerUserProfileName is owner, SpaceSharingSettings.SharingType is Private
// and SpaceSettings.AppType is appType. Add storage, default specs, a display name and tags to the
// returned input as needed; it shares no memory with anything else.
//
// JupyterLab and CodeEditor apps run in spaces, one app per space (facts §7.1): this is how a
// platform gives one person their own.
func PrivateSpace(domainID, spaceName, owner string, appType AppType) *sagemaker.CreateSpaceInput {
	return &sagemaker.CreateSpaceInput{
		DomainId:             aws.String(domainID),
		SpaceName:            aws.String(spaceName),
		OwnershipSettings:    &types.OwnershipSettings{OwnerUserProfileName: aws.String(owner)},
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypePrivate},
		SpaceSettings:        &types.SpaceSettings{AppType: appType},
	}
}

// Space is a Studio space as the service last reported it.
type Space struct {
	// ARN is the space's ARN, as the service returned it.
	ARN string
	// DomainID and Name name the space.
	DomainID, Name string
	// Status is the space's status: Pending, InService, Updating, Deleting, Failed,
	// Update_Failed or Delete_Failed.
	Status types.SpaceStatus
	// FailureReason says why a failed space failed.
	FailureReason string
	// Owner is the user profile that owns the space (OwnershipSettings.OwnerUserProfileName);
	// "" when it has none.
	Owner string
	// SharingType is Private or Shared as the service reported it; "" when it reported none,
	// which the library takes for Shared, as it does for the precedence of defaults.
	SharingType types.SharingType
	// AppType is the app type of the space (SpaceSettings.AppType), which cannot change; "" when
	// it has none.
	AppType AppType
	// CreationTime is when the service created the space.
	CreationTime time.Time

	// What DescribeSpace reported besides, for EnsureSpace's ConflictUpdate.
	settings    *types.SpaceSettings
	displayName *string
}

func spaceFromDescribe(out *sagemaker.DescribeSpaceOutput) *Space {
	sp := &Space{
		ARN:           aws.ToString(out.SpaceArn),
		DomainID:      aws.ToString(out.DomainId),
		Name:          aws.ToString(out.SpaceName),
		Status:        out.Status,
		FailureReason: aws.ToString(out.FailureReason),
		CreationTime:  aws.ToTime(out.CreationTime),
	}
	if out.OwnershipSettings != nil {
		sp.Owner = aws.ToString(out.OwnershipSettings.OwnerUserProfileName)
	}
	if out.SpaceSharingSettings != nil {
		sp.SharingType = out.SpaceSharingSettings.SharingType
	}
	if out.SpaceSettings != nil {
		sp.AppType = out.SpaceSettings.AppType
	}
	sp.settings, sp.displayName = out.SpaceSettings, out.SpaceDisplayName
	return sp
}

// String returns the space's path, domain/name.
func (s *Space) String() string { return s.DomainID + "/" + s.Name }

// SpaceResult is the outcome of one input of EnsureSpaces: the space, InService, or the error
// that EnsureSpace would have returned for it.
type SpaceResult struct {
	Space *Space
	Err   error
}

// SpaceConflictError reports that EnsureSpace found the space already there with an owner,
// sharing type or app type other than the one requested. Nothing was changed: ownership and
// sharing cannot be updated, and "You can't edit the app type of a space" (facts §7.2). Existing
// is the space as found; Fields names each member that differs, as an SDK member path:
// "OwnershipSettings.OwnerUserProfileName", "SpaceSharingSettings.SharingType",
// "SpaceSettings.AppType". errors.Is(err, ErrResourceInUse) is true.
type SpaceConflictError struct {
	Existing *Space
	Fields   []string

	asked, found []string // per field, for the text
}

var _ error = (*SpaceConflictError)(nil)

// Error names the space and, per field, what was asked and what exists.
func (e *SpaceConflictError) Error() string {
	var b strings.Builder
	b.WriteString("sagemakerapp: space ")
	b.WriteString(e.Existing.String())
	b.WriteString(" exists with other settings: ")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f)
		if i < len(e.asked) {
			b.WriteString(" is " + quoteOrUnset(e.found[i]) + ", asked " + quoteOrUnset(e.asked[i]))
		}
	}
	return b.String()
}

func quoteOrUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return strconv.Quote(s)
}

// Is reports whether target is ErrResourceInUse.
func (e *SpaceConflictError) Is(target error) bool { return target == ErrResourceInUse }

// SpaceFailedError reports a space in a failed status: Failed, Update_Failed or Delete_Failed.
// Space is the space as last seen; Space.FailureReason says why. errors.Is(err, ErrSpaceFailed)
// is true.
type SpaceFailedError struct {
	Space *Space
}

var _ error = (*SpaceFailedError)(nil)

// Error names the space, its status and the reason the service gave.
func (e *SpaceFailedError) Error() string {
	s := "sagemakerapp: space " + e.Space.String() + " is " + string(e.Space.Status)
	if e.Space.FailureReason != "" {
		s += ": " + e.Space.FailureReason
	}
	return s
}

// Is reports whether target is ErrSpaceFailed.
func (e *SpaceFailedError) Is(target error) bool { return target == ErrSpaceFailed }

// spaceNameTakenError reports a space name that a user profile of the domain holds: user
// profiles and spaces share one namespace per domain ("User Profile and Space name must be unique
// in a domain", facts §7.2). It is ErrResourceInUse, and Err is the service's answer.
type spaceNameTakenError struct {
	domainID, name string
	err            error
}

func (e *spaceNameTakenError) Error() string {
	return "sagemakerapp: space name " + strconv.Quote(e.name) + " is taken in domain " + e.domainID +
		" by a user profile: user profiles and spaces share one namespace in a domain, so choose another space name (" + e.err.Error() + ")"
}

func (e *spaceNameTakenError) Is(target error) bool { return target == ErrResourceInUse }

func (e *spaceNameTakenError) Unwrap() error { return e.err }

// spaceTimeoutError is what EnsureSpace returns when it runs out of time: ErrWaitTimeout and
// context.DeadlineExceeded at once, with the last status seen and the last error met.
type spaceTimeoutError struct {
	space   string
	last    types.SpaceStatus
	lastErr error
}

func (e *spaceTimeoutError) Error() string {
	s := "sagemakerapp: timed out waiting for space " + e.space + " to be InService"
	if e.last != "" {
		s += "; last seen " + string(e.last)
	}
	if e.lastErr != nil {
		s += "; last error: " + e.lastErr.Error()
	}
	return s
}

func (e *spaceTimeoutError) Is(target error) bool {
	return target == ErrWaitTimeout || target == context.DeadlineExceeded
}

// Bounds of the model's CreateSpace members that the space rules check.
const (
	minEbsVolumeSizeInGb = 5
	maxEbsVolumeSizeInGb = 16384
	maxSpaceDisplayName  = 64
)

// ValidateSpace checks a CreateSpaceInput against the service model, without any call: DomainId
// and SpaceName (required, the model's patterns and lengths), SpaceDisplayName (1–64 characters,
// not blank, one line), OwnershipSettings.OwnerUserProfileName (required in OwnershipSettings),
// SpaceSharingSettings.SharingType (required there, Private or Shared), SpaceSettings.AppType
// (an app type the SDK knows), SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb
// (required there, 5–16384) and the tag rules of Validate. It returns nil or a *ValidationError
// that lists every problem. The other settings are the service's to check.
func ValidateSpace(in *sagemaker.CreateSpaceInput) error {
	if ps := validateCreateSpace(in, false); ps != nil {
		return &ValidationError{Problems: ps}
	}
	return nil
}

func validateCreateSpace(in *sagemaker.CreateSpaceInput, allowUnknownAppTypes bool) []*FieldError {
	var ps problems
	if in == nil {
		ps.add(field("CreateSpaceInput"), FieldRequired, "", "the input must not be nil")
		return ps
	}
	domainIDRule.required(&ps, field("DomainId"), in.DomainId)
	nameRule.required(&ps, field("SpaceName"), in.SpaceName)
	if d := in.SpaceDisplayName; d != nil && (!matchDisplayName(*d) || utf8.RuneCountInString(*d) > maxSpaceDisplayName) {
		ps.add(field("SpaceDisplayName"), FieldInvalid, *d, fmt.Sprintf("must be 1 to %d characters on one line, not all blank (the model's pattern (?!\\s*$).+)", maxSpaceDisplayName))
	}
	if o := in.OwnershipSettings; o != nil {
		nameRule.required(&ps, fieldPath{parent: "OwnershipSettings", index: -1, name: "OwnerUserProfileName"}, o.OwnerUserProfileName)
	}
	if s := in.SpaceSharingSettings; s != nil {
		p := fieldPath{parent: "SpaceSharingSettings", index: -1, name: "SharingType"}
		switch s.SharingType {
		case "":
			ps.add(p, FieldRequired, "", "must be set: Private or Shared")
		case types.SharingTypePrivate, types.SharingTypeShared:
		default:
			ps.add(p, FieldNotSupported, string(s.SharingType), fmt.Sprintf("must be one of %v", types.SharingType("").Values()))
		}
	}
	if s := in.SpaceSettings; s != nil {
		if t := s.AppType; t != "" && !IsKnownAppType(t) && (!allowUnknownAppTypes || !isAppTypeShaped(string(t))) {
			ps.add(fieldPath{parent: "SpaceSettings", index: -1, name: "AppType"}, FieldNotSupported, string(t), fmt.Sprintf("must be one of %v", AppTypes()))
		}
		for _, m := range spaceAppMembers {
			if v := m.idle(s); v != nil && (*v < minIdleTimeout || *v > maxIdleTimeout) {
				ps.add(fieldPath{parent: "SpaceSettings." + m.name + ".AppLifecycleManagement.IdleSettings", index: -1, name: "IdleTimeoutInMinutes"},
					FieldInvalid, strconv.Itoa(int(*v)), fmt.Sprintf("must be between %d and %d minutes", minIdleTimeout, maxIdleTimeout))
			}
		}
		if st := s.SpaceStorageSettings; st != nil && st.EbsStorageSettings != nil {
			const path = "SpaceSettings.SpaceStorageSettings.EbsStorageSettings"
			p := fieldPath{parent: path, index: -1, name: "EbsVolumeSizeInGb"}
			switch n := st.EbsStorageSettings.EbsVolumeSizeInGb; {
			case n == nil:
				ps.add(p, FieldRequired, "", "must be set")
			case *n < minEbsVolumeSizeInGb || *n > maxEbsVolumeSizeInGb:
				ps.add(p, FieldInvalid, strconv.Itoa(int(*n)), fmt.Sprintf("must be between %d and %d", minEbsVolumeSizeInGb, maxEbsVolumeSizeInGb))
			}
		}
	}
	validateTags(&ps, in.Tags)
	return ps
}

// spaceDiff returns what the existing space sp has other than in asks, per member the request
// sets: owner, sharing type, app type. A member the request sets and the space lacks differs. An
// absent sharing type is Shared. User profile names are not case-sensitive (facts §7.2): an owner
// the service spells "Alice" is the "alice" asked for.
func spaceDiff(in *sagemaker.CreateSpaceInput, sp *Space) (fields, asked, found []string) {
	add := func(f, a, g string) {
		fields, asked, found = append(fields, f), append(asked, a), append(found, g)
	}
	if o := in.OwnershipSettings; o != nil && !strings.EqualFold(aws.ToString(o.OwnerUserProfileName), sp.Owner) {
		add("OwnershipSettings.OwnerUserProfileName", aws.ToString(o.OwnerUserProfileName), sp.Owner)
	}
	if s := in.SpaceSharingSettings; s != nil && s.SharingType != "" {
		got := sp.SharingType
		if got == "" {
			got = types.SharingTypeShared
		}
		if s.SharingType != got {
			add("SpaceSharingSettings.SharingType", string(s.SharingType), string(sp.SharingType))
		}
	}
	if s := in.SpaceSettings; s != nil && s.AppType != "" && s.AppType != sp.AppType {
		add("SpaceSettings.AppType", string(s.AppType), string(sp.AppType))
	}
	return fields, asked, found
}

// EnsureSpace makes the space in describes exist and be InService, and returns it. It is
// idempotent and safe to call from many goroutines or replicas for the same space at once. It
// looks before it creates (DescribeSpace first: a space that exists costs no CreateSpace), and
// reads a space's status before its settings:
//
//   - no space: it is created (CreateSpace), then waited for; of concurrent first ensures, one
//     creates it and the others find it;
//   - Deleting: the deletion is waited out, whatever the space holds, then it is created again;
//   - Failed, Update_Failed or Delete_Failed: a *SpaceFailedError (ErrSpaceFailed). EnsureSpace
//     never deletes a space: a space holds its owner's files on its EBS volume, so repairing it is
//     the caller's decision (DeleteSpace, then EnsureSpace again);
//   - a space of that name with the owner (compared without case, as the service compares
//     profile names), sharing type and app type the request sets (members it leaves unset are not
//     compared): it is waited for while Pending or Updating, and returned;
//   - another owner, sharing type or app type: a *SpaceConflictError naming each, with what was
//     asked and what exists (errors.Is ErrResourceInUse); nothing is changed;
//   - with WaitOptions.OnConflict ConflictUpdate, the members the request sets that UpdateSpace
//     can change are compared too, and a space that differs in them is updated with one
//     UpdateSpace and waited for until InService (see ConflictUpdate); a smaller EBS size than the
//     space's is a *SpaceConflictError, and an idle timeout outside the MinIdleTimeoutInMinutes and
//     MaxIdleTimeoutInMinutes of the levels above the space (its owner's settings for a private
//     space, the domain's default space settings for a shared one, then the domain's default user
//     settings) is a *ValidationError, before any write; without it, other settings are not
//     compared;
//   - a name that a user profile of the domain holds: user profiles and spaces share one namespace
//     in a domain (facts §7.2), and the error (ErrResourceInUse, wrapping the service's *APIError)
//     says so.
//
// in is validated first (see ValidateSpace): an invalid request is a *ValidationError and sends
// nothing. Tags are set only when EnsureSpace creates the space. The pace is WaitOptions' (their
// OnStatus is not called, as it takes an *App); transient failures (ErrThrottled,
// ErrServiceUnavailable, a lost response) are retried with backoff until WaitOptions.Timeout, and
// every call runs under a context with the wait's deadline, so that EnsureSpace returns within
// Timeout even if a call hangs. Running out of time is both ErrWaitTimeout and
// context.DeadlineExceeded. The calls come through SpacesAPI (and DescribeUserProfile, to tell a
// name clash from a space not yet visible; DescribeDomain and DescribeUserProfile to read the idle
// timeout's bounds, cached as the instance-type defaults are; UpdateSpace through AdminAPI).
func (c *Client) EnsureSpace(ctx context.Context, in *sagemaker.CreateSpaceInput, optFns ...func(*WaitOptions)) (*Space, error) {
	if ps := validateCreateSpace(in, c.opts.AllowUnknownAppTypes); ps != nil {
		return nil, &ValidationError{Problems: ps}
	}
	api, err := c.spacesAPI("CreateSpace")
	if err != nil {
		return nil, err
	}
	return c.ensureSpaceTraced(ctx, api, in, newWaitOptions(optFns), nil)
}

// spaceWait is one EnsureSpace: its deadline, its pauses and what it has seen.
type spaceWait struct {
	c       *Client
	in      *sagemaker.CreateSpaceInput
	opts    WaitOptions
	dl      *deadline
	backoff *backoff
	last    *Space
	lastErr error
}

// ensureSpace runs EnsureSpace's loop: it makes the calls decideSpace asks for and feeds back what
// they answer. beforeCreate, if set, is called before each CreateSpace: EnsureSpaces holds the
// creates of a batch to its rate with it.
func (c *Client) ensureSpace(parent context.Context, api SpacesAPI, in *sagemaker.CreateSpaceInput, opts WaitOptions, beforeCreate func(context.Context) error) (*Space, error) {
	w := &spaceWait{c: c, in: in, opts: opts, dl: newDeadline(c.now, opts.Timeout), backoff: newBackoff(&opts)}
	// Every call runs under the wait's deadline, on the real clock as well as the Client's, so
	// that a call that hangs cannot hold EnsureSpace past its Timeout.
	ctx, cancel := w.dl.bound(parent)
	defer cancel()
	// An idle timeout outside the bounds of the levels above the space is refused before any write.
	private := in.SpaceSharingSettings != nil && in.SpaceSharingSettings.SharingType == types.SharingTypePrivate
	var owner string
	if in.OwnershipSettings != nil {
		owner = aws.ToString(in.OwnershipSettings.OwnerUserProfileName)
	}
	if err := c.checkIdleTimeout(ctx, in, private, owner, opts.ClientOptions); err != nil {
		return nil, w.ended(parent, ctx, err)
	}
	var k spaceKnown
	act := spaceAction{kind: actLookNow}
	for {
		var o spaceObs
		switch act.kind {
		case actSucceed:
			return act.space, nil
		case actFail:
			return nil, act.err
		case actLook, actLookNow:
			if act.kind == actLook {
				if err := w.pause(parent, ctx); err != nil {
					return nil, err
				}
			}
			o = spaceObs{kind: spaceLooked, at: c.now()}
			out, err := api.DescribeSpace(ctx, &sagemaker.DescribeSpaceInput{DomainId: in.DomainId, SpaceName: in.SpaceName}, opts.ClientOptions...)
			if err = mapError(ctx, "DescribeSpace", err); err != nil && ctx.Err() != nil {
				return nil, w.ended(parent, ctx, err)
			}
			if err == nil {
				o.space = spaceFromDescribe(out)
				w.last, w.lastErr = o.space, nil
			}
			o.notFound, o.err = errors.Is(err, ErrResourceNotFound), err
		case actCreate:
			if beforeCreate != nil {
				if err := beforeCreate(ctx); err != nil {
					return nil, w.ended(parent, ctx, err)
				}
			}
			o = spaceObs{kind: spaceCreate, at: c.now()}
			_, err := api.CreateSpace(ctx, in, opts.ClientOptions...)
			if err = mapError(ctx, "CreateSpace", err); err != nil && ctx.Err() != nil {
				return nil, w.ended(parent, ctx, err)
			}
			o.err = err
		case actListSpace:
			o = spaceObs{kind: spaceProfile, at: c.now(), held: w.heldByProfile(ctx)}
			if ctx.Err() != nil {
				return nil, w.ended(parent, ctx, ctx.Err())
			}
		case actUpdate:
			admin, ok := c.api.(AdminAPI)
			if !ok {
				return nil, &APIError{Operation: "UpdateSpace", Err: errNoAdminAPI}
			}
			o = spaceObs{kind: spaceUpdated, at: c.now()}
			_, err := admin.UpdateSpace(ctx, act.update, opts.ClientOptions...)
			if err = mapError(ctx, "UpdateSpace", err); err != nil && ctx.Err() != nil {
				return nil, w.ended(parent, ctx, err)
			}
			o.err = err
		}
		if o.err != nil && !o.notFound {
			w.lastErr = o.err
		}
		k, act = decideSpace(k, o, in, opts.OnConflict)
	}
}

// heldByProfile reports whether a user profile of the space's domain has the space's name. A
// failed look is no answer: false.
func (w *spaceWait) heldByProfile(ctx context.Context) bool {
	_, err := w.c.api.DescribeUserProfile(ctx, &sagemaker.DescribeUserProfileInput{DomainId: w.in.DomainId, UserProfileName: w.in.SpaceName}, w.opts.ClientOptions...)
	return err == nil
}

// isNameClash reports the service's answer to a space named as a user profile is (facts §7.2).
// The service gives it no code of its own, so the message is read, here and only here.
func isNameClash(err error) bool {
	var e *APIError
	return errors.As(err, &e) && strings.Contains(strings.ToLower(e.Message), "user profile and space name must be unique")
}

// pause sleeps before the next call. It returns the error that ends the wait: a timeout or the
// caller's cancellation.
func (w *spaceWait) pause(parent, ctx context.Context) error {
	remaining := w.dl.remaining()
	if remaining <= 0 {
		return w.timeout()
	}
	if err := w.c.sleep(ctx, min(w.backoff.next(), remaining)); err != nil {
		return w.ended(parent, ctx, err)
	}
	return nil
}

// ended turns the end of a context into the wait's error: the caller's cancellation stays as it
// is; a deadline, the caller's or the wait's own, is a timeout.
func (w *spaceWait) ended(parent, ctx context.Context, err error) error {
	switch {
	case parent.Err() != nil && !errors.Is(parent.Err(), context.DeadlineExceeded):
		return parent.Err()
	case parent.Err() != nil, ctx.Err() != nil:
		return w.timeout()
	}
	return err
}

func (w *spaceWait) timeout() error {
	e := &spaceTimeoutError{space: aws.ToString(w.in.DomainId) + "/" + aws.ToString(w.in.SpaceName), lastErr: w.lastErr}
	if w.last != nil {
		e.last = w.last.Status
	}
	return e
}

// EnsureSpaces ensures many spaces at once, with EnsureSpace's semantics for each (see
// EnsureSpace), and returns one SpaceResult per input, in input order. Every input is validated
// before any call: an invalid one is its own SpaceResult (a *ValidationError) and stops nothing
// else. BatchOptions.Concurrency spaces are in flight at a time, and CreateSpace calls are held to
// BatchOptions.CreatesPerSecond across the batch on the Client's clock; BatchOptions.Wait is how
// each space is waited for. OnProgress, if set, is called from one goroutine of its own with the
// latest counts (Creating while a space is ensured; InService; Failed; Canceled for those the end of ctx stopped),
// so that a slow callback holds up no space; counts may be coalesced, and the last call reports
// the final counts before EnsureSpaces returns.
//
// Cancelling ctx stops new spaces from starting and ends the waits of those in flight; their
// SpaceResults and those of spaces never started hold ctx's error.
func (c *Client) EnsureSpaces(ctx context.Context, ins []*sagemaker.CreateSpaceInput, optFns ...func(*BatchOptions)) []SpaceResult {
	opts := newBatchOptions(optFns)

	results := make([]SpaceResult, len(ins))
	ctx, batchSpan := c.obs.start(ctx, spanEnsureSpaces)
	defer func() { batchSpan.endSpaces(results) }()
	p := newBatchProgress(opts.OnProgress, c.now, len(ins))
	defer p.close()
	api, apiErr := c.spacesAPI("CreateSpace")
	var todo []int
	for i, in := range ins {
		switch ps := validateCreateSpace(in, c.opts.AllowUnknownAppTypes); {
		case ps != nil:
			results[i].Err = &ValidationError{Problems: ps}
			p.set(i, stateFailed)
		case apiErr != nil:
			results[i].Err = apiErr
			p.set(i, stateFailed)
		default:
			todo = append(todo, i)
		}
	}

	var beforeCreate func(context.Context) error
	if opts.CreatesPerSecond > 0 {
		limiter := &clockLimiter{l: rate.NewLimiter(rate.Limit(opts.CreatesPerSecond), 1), now: c.now, sleep: c.sleep}
		beforeCreate = limiter.Wait
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(opts.Concurrency, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p.set(i, stateCreating)
				sp, err := c.ensureSpaceTraced(ctx, api, ins[i], opts.Wait, beforeCreate)
				results[i] = SpaceResult{Space: sp, Err: err}
				switch {
				case err == nil:
					p.set(i, stateInService)
				case ctx.Err() != nil && errors.Is(err, ctx.Err()):
					p.set(i, stateCanceled)
				default:
					p.set(i, stateFailed)
				}
			}
		}()
	}
	for k, i := range todo {
		if ctx.Err() == nil {
			select {
			case next <- i:
				continue
			case <-ctx.Done():
			}
		}
		for _, j := range todo[k:] { // never started
			results[j].Err = ctx.Err()
			p.set(j, stateCanceled)
		}
		break
	}
	close(next)
	wg.Wait()
	return results
}
