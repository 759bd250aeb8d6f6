package sagemakerapp

import (
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// The lifecycle's decisions, as pure functions. Every choice that can report success, create,
// replace or delete is made here, from what the call knows, what it has just observed, the request
// and the policy; the functions make no call and read no clock (the time of an observation comes
// with it). The loops in ensure.go, fleet.go and space.go only make the calls an action names and
// feed what they see back, as etcd's raft library splits Step from the Ready the application acts
// on. decide_test.go tries every combination of the inputs' cases, with the lifecycle's
// invariants asserted per row.

// origin is what an Ensure knows of where the app it looks at came from. Only decideEnsure changes
// it, and only decideEnsure reports success, so that "can this call report success for an app it
// did not ask for?" is answered by reading one function.
type origin uint8

const (
	// notSent: no CreateApp of this call may have made the app now there: none was sent, or each
	// was refused for certain, or the app this call made was seen gone since.
	notSent origin = iota
	// sentUnknown: a CreateApp was sent whose outcome is unknown (its answer was lost or cut short,
	// a 5xx): the app may appear, and may be this call's or another caller's.
	sentUnknown
	// createdHere: this call's CreateApp succeeded, and the app has not been seen gone since.
	createdHere
	// found: the app was found Pending or InService, and this call did not provably make it.
	found
)

var originNames = [...]string{"notSent", "sentUnknown", "createdHere", "found"}

func (o origin) String() string { return originNames[o] }

// record is what identifies one record of an app as a look saw it: a restart within 24 hours
// keeps the ARN and CreationTime, so a record is told from another only by its status as well.
type record struct {
	status  types.AppStatus
	created time.Time
}

// ensureKnown is what one Ensure of an app knows.
type ensureKnown struct {
	origin   origin
	tagsDone bool // the request's tags are on the app that was found
	existed  bool // a record of the app was seen gone before this call's create: it re-creates
	replaced bool // this call deleted the app, found with another spec, to replace it

	// graceFrom starts the window in which a missing app, or the record from before this call's
	// create, may be the service not showing that create yet: the call's start, then each create.
	graceFrom time.Time
	// since is when the create that made the app (origin createdHere) began.
	since time.Time
	// before is the gone record (Deleted, Deleting, Failed) seen before this call's create, if
	// any: the one record a look right after the create may still show.
	before *record
}

// ensureRequest is what an Ensure asks for and how.
type ensureRequest struct {
	in     *sagemaker.CreateAppInput
	id     AppID
	policy ConflictPolicy
	skew   time.Duration // how far the service's clock may be from the Client's
}

// obsKind is the kind of an Ensure's observation.
type obsKind uint8

const (
	obsApp           obsKind = iota // a look saw app
	obsNotFound                     // a look says the app does not exist
	obsLookFailed                   // a look failed with err (not the end of the context)
	obsCreated                      // this call's CreateApp succeeded: app, Pending
	obsCreateUnknown                // this call's CreateApp failed, and it may have made the app (err)
	obsCreateRefused                // this call's CreateApp was refused for certain (err)
	obsSpaceRuns                    // the space's other live apps, listed after a ResourceInUse (apps; nil: none)
	obsTagged                       // adding the request's tags to app ended with err (nil: done)
	obsDeleted                      // this call's DeleteApp of app, to replace it, ended with err (nil: accepted)
)

var obsNames = [...]string{"app", "notFound", "lookFailed", "created", "createUnknown", "createRefused", "spaceRuns", "tagged", "deleted"}

func (k obsKind) String() string { return obsNames[k] }

// ensureObs is one observation of an Ensure: what a call it made answered, at when (the Client's
// clock as the call began).
type ensureObs struct {
	kind obsKind
	app  *App
	apps []*App // obsSpaceRuns
	err  error
	at   time.Time
}

// actKind is what the loop around a decision does next.
type actKind uint8

const (
	actLook      actKind = iota // look at the app again, after a pause
	actLookNow                  // look at once
	actDescribe                 // look again with DescribeApp (a list cannot say what is needed), after a pause
	actCreate                   // CreateApp
	actListSpace                // list the space's apps: does another one block this one?
	actTag                      // add the request's missing tags to app (ListTags, AddTags)
	actDelete                   // DeleteApp app, found with another spec, to replace it
	actUpdate                   // UpdateSpace: change the members of a space that differ
	actSucceed                  // return app: InService, with the requested spec and tags
	actFail                     // return err
)

var actNames = [...]string{"look", "lookNow", "describe", "create", "listSpace", "tag", "delete", "update", "succeed", "fail"}

func (k actKind) String() string { return actNames[k] }

// action is what a decision asks the loop to do.
type action struct {
	kind actKind
	app  *App
	err  error
}

// notFoundGrace is how long an Ensure or a wait takes ResourceNotFound, or the record from before
// its create, for an app not visible yet: the service is eventually consistent right after a
// CreateApp.
const notFoundGrace = 20 * time.Second

func (k *ensureKnown) young(at time.Time) bool { return at.Sub(k.graceFrom) < notFoundGrace }

// decideEnsure is EnsureApp's decision: from what the call knows and what it has just observed, what
// it knows now and what to do next. The invariants it keeps (decide_test.go asserts them on every
// row of its table):
//
//   - success only for an InService app with an ARN whose spec matches the request, and whose tags
//     were added unless this call created it and has not seen it gone since;
//   - a delete only under ConflictReplace, of the app named by the request, whose spec the look just
//     made found different, once per call;
//   - a create only after a look that says the app is not there, or is Deleted or Failed (and not
//     this call's own app failing), never while this call's create may still show;
//   - an error only for what its doc calls permanent: a transient failure is looked past.
func decideEnsure(k ensureKnown, o ensureObs, req *ensureRequest) (ensureKnown, action) {
	look := action{kind: actLook}
	fail := func(err error) action { return action{kind: actFail, err: err} }
	switch o.kind {
	case obsApp:
		return k.sawApp(o, req)
	case obsNotFound:
		if (k.origin == createdHere || k.origin == sentUnknown) && k.young(o.at) {
			return k, look // not visible yet
		}
		k.origin, k.tagsDone = notSent, false
		return k, action{kind: actCreate}
	case obsLookFailed:
		if isTransient(o.err) {
			return k, look
		}
		return k, fail(o.err)
	case obsCreated:
		k.origin, k.tagsDone, k.since, k.graceFrom = createdHere, true, o.at, o.at
		return k, look
	case obsCreateUnknown:
		if k.origin != createdHere {
			k.origin = sentUnknown
		}
		k.graceFrom = o.at
		return k, look
	case obsCreateRefused:
		switch {
		case isStorageNotAvailable(o.err):
			return k, look // the space is not InService yet: wait for it, then create
		case errors.Is(o.err, ErrResourceInUse) && req.id.SpaceName != "":
			return k, action{kind: actListSpace} // the app appeared meanwhile, or the space runs another
		case errors.Is(o.err, ErrResourceInUse), isTransient(o.err):
			return k, look
		}
		return k, fail(o.err)
	case obsSpaceRuns:
		for _, other := range o.apps {
			if blocks(other, req.id) {
				return k, fail(spaceConflict(other, req.id))
			}
		}
		return k, look
	case obsTagged:
		switch {
		case o.err == nil:
			// Look again at once: the app looked at before the tags were added may have gone
			// since; success needs one look that sees it InService with them.
			k.tagsDone = true
			return k, action{kind: actLookNow}
		case isTransient(o.err):
			return k, look
		}
		return k, fail(o.err)
	case obsDeleted:
		switch {
		case o.err == nil, isGone(o.err):
			k.replaced, k.origin, k.tagsDone, k.existed = true, notSent, false, true
			return k, look
		case errors.Is(o.err, ErrResourceInUse), isTransient(o.err):
			return k, look // Pending or Deleting meanwhile, or a fault: look again before any delete
		}
		return k, fail(o.err)
	}
	panic("sagemakerapp: unknown observation " + o.kind.String())
}

// sawApp decides on an app a look saw.
func (k ensureKnown) sawApp(o ensureObs, req *ensureRequest) (ensureKnown, action) {
	app := o.app
	look := action{kind: actLook}
	rec := record{status: app.Status, created: app.CreationTime}
	// olderThanCreate: the record is from before this call's create, as far as its CreationTime
	// tells (a restart keeps the old one, so an old time proves nothing by itself).
	olderThanCreate := !app.CreationTime.IsZero() && app.CreationTime.Before(k.graceFrom.Add(-req.skew))
	switch app.Status {
	case types.AppStatusPending, types.AppStatusInService:
	case types.AppStatusFailed:
		switch {
		case k.origin == createdHere && k.young(o.at) && olderThanCreate:
			return k, look // the record from before this call's create, until the create shows
		case k.origin == createdHere, k.origin == sentUnknown && !olderThanCreate:
			return k, action{kind: actFail, err: &AppFailedError{App: app}}
		}
		if k.origin != sentUnknown {
			k.before = &rec
		}
		k.origin, k.tagsDone, k.existed = notSent, false, true
		return k, action{kind: actCreate}
	default: // Deleted, Deleting
		if k.origin == createdHere && k.young(o.at) && k.before != nil && *k.before == rec {
			return k, look // the record from before this call's create, until the create shows
		}
		// Gone: the app this call made (or found) was deleted, or was never there. Whatever shows
		// next is anyone's, and compared as such.
		if k.origin != createdHere && k.origin != sentUnknown {
			k.before = &rec
		}
		k.origin, k.tagsDone, k.existed = notSent, false, true
		if app.Status == types.AppStatusDeleted {
			return k, action{kind: actCreate}
		}
		return k, look // Deleting: wait for it to be gone
	}

	// Pending or InService. The app this call created is compared in the members the service
	// reports (a member it leaves out cannot differ from what this call sent); any other app in
	// every member the request sets.
	diff := specDiff
	if k.origin == createdHere {
		diff = specDiffReported
	}
	if fields := diff(req.in, app.ResourceSpec); fields != nil {
		// Not an app this call made, whatever it sent: another caller made or replaced it.
		k.origin, k.tagsDone = found, false
		if req.policy == ConflictReplace && !k.replaced && app.ID == req.id {
			return k, action{kind: actDelete, app: app}
		}
		return k, action{kind: actFail, err: &AppConflictError{Existing: app, Fields: fields, Requested: cloneResourceSpec(req.in.ResourceSpec)}}
	}
	if k.origin != createdHere {
		k.origin = found
	}
	switch {
	case app.ARN == "":
		return k, action{kind: actDescribe} // a list's record: the ARN comes with DescribeApp
	case k.origin != createdHere && !k.tagsDone:
		return k, action{kind: actTag, app: app}
	case app.Status == types.AppStatusInService:
		return k, action{kind: actSucceed, app: app}
	}
	return k, look
}

// outcome names what an Ensure did, once it has returned app or err.
func (k ensureKnown) outcome(err error) Outcome {
	var conflict *AppConflictError
	switch {
	case errors.As(err, &conflict):
		return OutcomeConflict
	case err != nil:
		return OutcomeFailed
	case k.origin == createdHere && k.replaced:
		return OutcomeReplaced
	case k.origin == createdHere && k.existed:
		return OutcomeRecreated
	case k.origin == createdHere:
		return OutcomeCreated
	}
	return OutcomeAdopted
}

// oneAppTypes are the app types that hold a space alone: a space runs one JupyterLab or CodeEditor
// app, and no other app beside it (facts §7.1); Studio Classic apps share a space as they always
// did.
func oneAppType(t AppType) bool {
	return t == types.AppTypeJupyterLab || t == types.AppTypeCodeEditor
}

// blocks reports whether other, a live app of the space of id, keeps the app id from being
// created: it is another app, and either is of a type that holds a space alone.
func blocks(other *App, id AppID) bool {
	return other.ID != id && (other.Status == types.AppStatusPending || other.Status == types.AppStatusInService) &&
		(oneAppType(other.ID.AppType) || oneAppType(id.AppType))
}

// spaceConflict is the error of an app that another app of its space blocks.
func spaceConflict(other *App, id AppID) *AppConflictError {
	var fields []string
	if other.ID.AppType != id.AppType {
		fields = append(fields, "AppType")
	}
	if other.ID.AppName != id.AppName {
		fields = append(fields, "AppName")
	}
	return &AppConflictError{Existing: other, Fields: fields}
}

// isStorageNotAvailable reports the service's answer to a CreateApp in a space that is not
// InService (Pending, or Updating while its volume re-attaches; facts §7.2a): ResourceInUse "Unable
// to create app [...] because storage is not in Available status". It is not the app existing: the
// space comes back, and the create can be made again. The service gives it no code of its own, so
// the message is read, here and only here.
func isStorageNotAvailable(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == "ResourceInUse" && strings.Contains(e.Message, "storage is not in Available status")
}

// deleteMode says which app a delete may remove.
type deleteMode uint8

const (
	// deleteAny is DeleteApp: whatever app of that name is there, once it has left Pending.
	deleteAny deleteMode = iota
	// deleteListed is DeleteApps (and the deletes of DeleteSpace and DeleteUser): the app as the
	// listing saw it. Each DeleteApp follows a look that saw the app InService (or Pending since the
	// listing, now InService), and an app started again after the listing, or after this call's
	// delete, is never deleted: it is reported.
	deleteListed
)

// deleteKnown is what one delete knows.
type deleteKnown struct {
	mode       deleteMode
	listed     types.AppStatus     // deleteListed: the status the listing gave
	listedSpec *types.ResourceSpec // and the spec, if it gave one
	sent       bool                // a DeleteApp of this call was accepted: the app is on its way out
	refused    error               // deleteAny: the ResourceInUse that made it look, returned if it cannot look
}

// deleteObs is what a delete observed: the answer to its DeleteApp (app nil, notFound false), or a
// look (app, or notFound, or err).
type deleteObs struct {
	answer   bool // the answer to this call's DeleteApp, err
	app      *App
	notFound bool
	err      error
}

// deleteAction is what a delete does next: actDelete (DeleteApp), actLook (look again after a
// pause), actSucceed (the app is gone, or, for deleteAny, its delete was accepted) or actFail.
type deleteAction struct {
	kind actKind
	err  error
}

// decideDelete is the decision of DeleteApp (deleteAny) and of each app of DeleteApps
// (deleteListed). The invariants it keeps (decide_test.go asserts them on every row):
//
//   - a DeleteApp only right after a look that saw the app InService (or first of all, for
//     deleteAny, whose caller names the app), never of a Pending app;
//   - deleteListed never deletes an app that was started again after its listing or after its own
//     delete;
//   - success only once the app is gone (deleteListed), or its delete accepted (deleteAny).
func decideDelete(k deleteKnown, o deleteObs) (deleteKnown, deleteAction) {
	look := deleteAction{kind: actLook}
	done := deleteAction{kind: actSucceed}
	fail := func(err error) deleteAction { return deleteAction{kind: actFail, err: err} }
	if o.answer {
		switch {
		case o.err == nil && k.mode == deleteAny, isGone(o.err):
			return k, done
		case o.err == nil:
			k.sent = true
			return k, look // wait until it is gone
		case errors.Is(o.err, ErrResourceInUse):
			k.refused = o.err
			return k, look // Pending, or Deleting already: look
		case isTransient(o.err) && k.mode == deleteListed:
			return k, look // look again before another delete
		}
		return k, fail(o.err)
	}
	switch {
	case o.notFound:
		return k, done
	case o.err != nil && isTransient(o.err):
		return k, look
	case o.err != nil && k.mode == deleteAny && k.refused != nil:
		return k, fail(k.refused) // it cannot look (DescribeApp denied, say): the delete's own answer says why
	case o.err != nil:
		return k, fail(o.err)
	}
	switch o.app.Status {
	case types.AppStatusDeleting:
		return k, look
	case types.AppStatusDeleted, types.AppStatusFailed:
		return k, done // gone (the service deletes a failed app itself)
	case types.AppStatusPending:
		if k.mode == deleteListed && (k.sent || k.listed != types.AppStatusPending || !sameSpec(k.listedSpec, o.app.ResourceSpec)) {
			return k, fail(&startedAgainError{app: o.app})
		}
		return k, look // wait for it to leave Pending
	}
	// InService.
	if k.mode == deleteListed && (k.sent || !sameSpec(k.listedSpec, o.app.ResourceSpec)) {
		// Started again after the delete, or with another spec than listed: another life of it.
		return k, fail(&startedAgainError{app: o.app})
	}
	return k, deleteAction{kind: actDelete}
}

// startedAgainError reports an app that DeleteApps (or DeleteSpace, DeleteUser) did not delete
// because it was started again after the listing, or after this call's own delete: someone wants
// it. errors.Is(err, ErrResourceInUse) is true.
type startedAgainError struct{ app *App }

func (e *startedAgainError) Error() string {
	return "sagemakerapp: app " + e.app.ID.String() + " was started again after it was listed (" + string(e.app.Status) +
		"): it is not deleted; delete it again if it should go"
}

func (e *startedAgainError) Is(target error) bool { return target == ErrResourceInUse }

// spaceKnown is what one EnsureSpace knows.
type spaceKnown struct {
	created   bool      // this call's CreateSpace succeeded
	graceFrom time.Time // when, for the window in which the space may not be visible yet
	inUse     error     // CreateSpace answered ResourceInUse, and no space has been seen since
	updates   int       // this call's UpdateSpace calls that were accepted
}

// maxSpaceUpdates is how many UpdateSpace calls one EnsureSpace makes: one changes what differs,
// and one more if the space changed again meanwhile; a difference that outlives them is reported.
const maxSpaceUpdates = 2

// spaceObsKind is the kind of an EnsureSpace's observation.
type spaceObsKind uint8

const (
	spaceLooked  spaceObsKind = iota // DescribeSpace answered space, or err (notFound)
	spaceCreate                      // this call's CreateSpace answered err (nil: created)
	spaceProfile                     // a user profile holds the space's name (held)
	spaceUpdated                     // this call's UpdateSpace answered err (nil: accepted)
)

// spaceObs is one observation of an EnsureSpace, made at at.
type spaceObs struct {
	kind     spaceObsKind
	space    *Space
	notFound bool
	held     bool
	err      error
	at       time.Time
}

// spaceAction is what an EnsureSpace does next: actLook (after a pause), actLookNow, actCreate,
// actListSpace (here: ask whether a user profile holds the name), actUpdate (UpdateSpace with
// update), actSucceed or actFail.
type spaceAction struct {
	kind   actKind
	space  *Space
	update *sagemaker.UpdateSpaceInput
	err    error
}

// decideSpace is EnsureSpace's decision. It looks before it creates (a space that exists costs no
// CreateSpace), reads a space's status before its settings (a Deleting space is waited out
// whatever it holds), and creates only after a look that found no space. The invariants it keeps
// (decide_test.go asserts them on every row): success only for an InService space whose owner,
// sharing and app type are those the request sets; a create only after a look said not found
// (and the name is not a user profile's); an error only for what its doc calls permanent.
//
// Under ConflictUpdate, the members the request sets that UpdateSpace can change (spaceUpdate) are
// compared as well, and a space InService that differs in them is updated, at most
// maxSpaceUpdates times; a smaller EBS size is a conflict; a space is never deleted to match.
func decideSpace(k spaceKnown, o spaceObs, in *sagemaker.CreateSpaceInput, policy ConflictPolicy) (spaceKnown, spaceAction) {
	look := spaceAction{kind: actLook}
	fail := func(err error) spaceAction { return spaceAction{kind: actFail, err: err} }
	taken := func(err error) spaceAction {
		return fail(&spaceNameTakenError{domainID: aws.ToString(in.DomainId), name: aws.ToString(in.SpaceName), err: err})
	}
	switch o.kind {
	case spaceCreate:
		switch {
		case o.err == nil:
			k.created, k.graceFrom, k.inUse = true, o.at, nil
			return k, look
		case isNameClash(o.err):
			return k, taken(o.err)
		case errors.Is(o.err, ErrResourceInUse): // there is one: look at it at once
			k.inUse = o.err
			return k, spaceAction{kind: actLookNow}
		case isTransient(o.err):
			return k, look
		}
		return k, fail(o.err)
	case spaceProfile:
		if o.held {
			return k, taken(k.inUse)
		}
		k.inUse, k.created = nil, false
		return k, spaceAction{kind: actCreate}
	case spaceUpdated:
		switch {
		case o.err == nil:
			k.updates++
			return k, look // it goes Updating, then InService
		case errors.Is(o.err, ErrResourceInUse), isTransient(o.err):
			return k, look
		}
		return k, fail(o.err)
	}
	switch {
	case o.notFound && k.created && o.at.Sub(k.graceFrom) < notFoundGrace:
		return k, look // not visible yet
	case o.notFound && k.inUse != nil:
		// The name is in use, and not by a space: a user profile may hold it, or a space of that
		// name was deleted meanwhile.
		return k, spaceAction{kind: actListSpace}
	case o.notFound:
		k.created = false
		return k, spaceAction{kind: actCreate}
	case o.err != nil && isTransient(o.err):
		return k, look
	case o.err != nil:
		return k, fail(o.err)
	}
	sp := o.space
	k.inUse = nil
	switch sp.Status {
	case types.SpaceStatusDeleting:
		k.created = false
		return k, look // wait until it is gone, then create it again
	case types.SpaceStatusFailed, types.SpaceStatusUpdateFailed, types.SpaceStatusDeleteFailed:
		return k, fail(&SpaceFailedError{Space: sp})
	}
	if fields, asked, found := spaceDiff(in, sp); fields != nil {
		return k, fail(&SpaceConflictError{Existing: sp, Fields: fields, asked: asked, found: found})
	}
	if policy == ConflictUpdate {
		up, fields, shrink := spaceUpdate(in, sp)
		switch {
		case shrink:
			return k, fail(shrinkConflict(in, sp))
		case up != nil && sp.Status != types.SpaceStatusInService:
			return k, look // Pending or Updating: update it once it is InService
		case up != nil && k.updates >= maxSpaceUpdates:
			return k, fail(&SpaceConflictError{Existing: sp, Fields: fields})
		case up != nil:
			return k, spaceAction{kind: actUpdate, update: up}
		}
	}
	if sp.Status == types.SpaceStatusInService {
		return k, spaceAction{kind: actSucceed, space: sp}
	}
	return k, look // Pending, Updating
}

// sameSpec reports whether two reports of an app's spec can be of one life of it: their instance
// types and images agree wherever both report them.
func sameSpec(a, b *types.ResourceSpec) bool {
	if a == nil || b == nil {
		return true
	}
	if a.InstanceType != "" && b.InstanceType != "" && a.InstanceType != b.InstanceType {
		return false
	}
	for _, m := range specMembers {
		if x, y := m.get(a), m.get(b); x != nil && y != nil && cleared(*x) != cleared(*y) {
			return false
		}
	}
	return true
}

// spaceDeleteKnown is what one DeleteSpace knows.
type spaceDeleteKnown struct {
	// listed, when set, is the space as a listing saw it (DeleteUser's): a space of that name with
	// another owner or CreationTime is another life of the name, and the listed one is gone.
	listed      *Space
	appsStopped bool // the space's apps were stopped since the last look that found it
	sent        bool // this call's DeleteSpace was accepted: the space is on its way out
	refused     int  // DeleteSpace answered ResourceInUse this many times (an app came back)
}

// Kinds of a DeleteSpace's observations, beside spaceLooked.
const (
	spaceAppsStopped  spaceObsKind = iota + 10 // stopping the space's apps ended with err
	spaceDeleteAnswer                          // this call's DeleteSpace answered err (notFound: gone)
)

// spaceDeleteObs is one observation of a DeleteSpace.
type spaceDeleteObs struct {
	kind     spaceObsKind
	space    *Space
	notFound bool
	err      error
}

// spaceDeleteAction is what a DeleteSpace does next: actLook (after a pause), actLookNow,
// actListSpace (stop the space's apps, as DeleteApps does), actDelete (DeleteSpace), actSucceed
// or actFail.
type spaceDeleteAction struct {
	kind actKind
	err  error
}

// maxSpaceRefusals is how many times DeleteSpace's ResourceInUse (an app came back into the space)
// sends it back to stopping the space's apps before it gives up.
const maxSpaceRefusals = 3

// decideSpaceDelete is DeleteSpace's decision. The invariants it keeps (decide_test.go asserts
// them on every row): a DeleteSpace only right after a look that found the space InService (or
// failed) with its apps stopped since; the apps are stopped only as DeleteApps stops them; success
// only once the space is gone; an error only for what its doc calls permanent.
func decideSpaceDelete(k spaceDeleteKnown, o spaceDeleteObs) (spaceDeleteKnown, spaceDeleteAction) {
	look := spaceDeleteAction{kind: actLook}
	fail := func(err error) spaceDeleteAction { return spaceDeleteAction{kind: actFail, err: err} }
	switch o.kind {
	case spaceAppsStopped:
		switch {
		case o.err == nil:
			k.appsStopped = true
			return k, spaceDeleteAction{kind: actLookNow}
		case isTransient(o.err):
			return k, look
		}
		return k, fail(o.err) // an app started again (ErrResourceInUse), or the apps cannot be listed
	case spaceDeleteAnswer:
		switch {
		case o.err == nil:
			k.sent = true
			return k, look
		case o.notFound:
			return k, spaceDeleteAction{kind: actSucceed}
		case errors.Is(o.err, ErrResourceInUse):
			// An app is back in the space, or it is being deleted already: look again.
			k.appsStopped = false
			if k.refused++; k.refused > maxSpaceRefusals {
				return k, fail(o.err)
			}
			return k, look
		case isTransient(o.err):
			return k, look
		}
		return k, fail(o.err)
	}
	switch {
	case o.notFound:
		return k, spaceDeleteAction{kind: actSucceed}
	case o.err != nil && isTransient(o.err):
		return k, look
	case o.err != nil:
		return k, fail(o.err)
	}
	if l := k.listed; l != nil && (!strings.EqualFold(l.Owner, o.space.Owner) ||
		!l.CreationTime.IsZero() && !o.space.CreationTime.IsZero() && !l.CreationTime.Equal(o.space.CreationTime)) {
		return k, spaceDeleteAction{kind: actSucceed} // the space listed is gone; this one is someone else's
	}
	switch o.space.Status {
	case types.SpaceStatusDeleting:
		return k, look
	case types.SpaceStatusPending, types.SpaceStatusUpdating:
		if k.sent {
			return k, fail(&spaceCreatedAgainError{space: o.space})
		}
		k.appsStopped = false
		return k, look // wait for it to be InService: the service refuses to delete it before
	}
	// InService, Failed, Update_Failed, Delete_Failed.
	switch {
	case k.sent && o.space.Status == types.SpaceStatusInService:
		return k, fail(&spaceCreatedAgainError{space: o.space})
	case k.sent:
		return k, fail(&SpaceFailedError{Space: o.space}) // the service could not delete it
	case !k.appsStopped:
		return k, spaceDeleteAction{kind: actListSpace}
	}
	return k, spaceDeleteAction{kind: actDelete}
}

// spaceCreatedAgainError reports a space created again after DeleteSpace deleted it: someone
// wants it. errors.Is(err, ErrResourceInUse) is true.
type spaceCreatedAgainError struct{ space *Space }

func (e *spaceCreatedAgainError) Error() string {
	return "sagemakerapp: space " + e.space.String() + " was created again after it was deleted (" + string(e.space.Status) + "): it is not deleted"
}

func (e *spaceCreatedAgainError) Is(target error) bool { return target == ErrResourceInUse }
