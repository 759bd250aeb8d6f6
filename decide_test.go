package sagemakerapp

// Exhaustive tables of the lifecycle's decisions (decide.go): every combination of the cases of
// their inputs is one row, and the invariants of each decision are asserted on every row.

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	t0          = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	errThrottle = &APIError{Operation: "X", Code: "ThrottlingException", Message: "Rate exceeded", Fault: smithy.FaultClient}
	errUnavail  = &APIError{Operation: "X", Code: "InternalFailure", Message: "boom", Fault: smithy.FaultServer}
	errDenied   = &APIError{Operation: "X", Code: "AccessDeniedException", Message: "no", Fault: smithy.FaultClient}
	errInUse    = &APIError{Operation: "CreateApp", Code: "ResourceInUse", Message: "in use", Fault: smithy.FaultClient}
	errStorage  = &APIError{Operation: "CreateApp", Code: "ResourceInUse", Message: "Unable to create app [x] because storage is not in Available status", Fault: smithy.FaultClient}
	errGone     = &APIError{Operation: "DeleteApp", Code: "ValidationException", Message: "App [default] has already been deleted"}
	errNotFound = &APIError{Operation: "DescribeApp", Code: "ResourceNotFound", Message: "not found", Fault: smithy.FaultClient}
	errClash    = &APIError{Operation: "CreateSpace", Code: "ResourceInUse", Message: "User Profile and Space name must be unique in a domain", Fault: smithy.FaultClient}
	errQuota    = &APIError{Operation: "CreateApp", Code: "ResourceLimitExceeded", Message: "quota", Fault: smithy.FaultClient}
)

func init() {
	for _, e := range []*APIError{errThrottle, errUnavail, errDenied, errInUse, errStorage, errGone, errNotFound, errClash, errQuota} {
		e.Err = errors.New(e.Code)
	}
}

// The request of the tables: a JupyterLab app on ml.t3.medium with the distribution image.
func tableRequest(policy ConflictPolicy) *ensureRequest {
	in := &sagemaker.CreateAppInput{DomainId: aws.String("d-abc123"), SpaceName: aws.String("s"), AppType: types.AppTypeJupyterLab,
		AppName: aws.String("default"), ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium, SageMakerImageArn: aws.String(testImage)},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}}}
	return &ensureRequest{in: in, id: appIDOf(in), policy: policy, skew: 5 * time.Second}
}

// tableApp is the request's app in status, with the requested spec or another, with or without
// its ARN, created before this call's create (old) or after.
func tableApp(req *ensureRequest, status types.AppStatus, sameSpec, arn, old bool) *App {
	spec := cloneResourceSpec(req.in.ResourceSpec)
	if !sameSpec {
		spec.InstanceType = types.AppInstanceTypeMlM5Xlarge
	}
	app := &App{ID: req.id, Status: status, ResourceSpec: spec, CreationTime: t0.Add(time.Minute)}
	if old {
		app.CreationTime = t0.Add(-time.Hour)
	}
	if arn {
		app.ARN = "arn:aws:sagemaker:us-east-1:123456789012:app/d-abc123/s/jupyterlab/default"
	}
	return app
}

type ensureRow struct {
	known ensureKnown
	obs   ensureObs
	req   *ensureRequest
	name  string
}

// ensureRows is every combination of an Ensure's knowledge, observation, and policy.
func ensureRows() []ensureRow {
	var rows []ensureRow
	for _, policy := range []ConflictPolicy{ConflictFail, ConflictReplace} {
		req := tableRequest(policy)
		var obs []ensureObs
		for _, st := range []types.AppStatus{types.AppStatusPending, types.AppStatusInService, types.AppStatusFailed, types.AppStatusDeleted, types.AppStatusDeleting} {
			for _, same := range []bool{true, false} {
				for _, arn := range []bool{true, false} {
					for _, old := range []bool{true, false} {
						obs = append(obs, ensureObs{kind: obsApp, app: tableApp(req, st, same, arn, old)})
					}
				}
			}
		}
		obs = append(obs,
			ensureObs{kind: obsNotFound, err: errNotFound},
			ensureObs{kind: obsLookFailed, err: errThrottle}, ensureObs{kind: obsLookFailed, err: errUnavail}, ensureObs{kind: obsLookFailed, err: errDenied},
			ensureObs{kind: obsCreated, app: tableApp(req, types.AppStatusPending, true, true, false)},
			ensureObs{kind: obsCreateUnknown, err: errUnavail},
			ensureObs{kind: obsCreateRefused, err: errInUse}, ensureObs{kind: obsCreateRefused, err: errStorage},
			ensureObs{kind: obsCreateRefused, err: errThrottle}, ensureObs{kind: obsCreateRefused, err: errQuota}, ensureObs{kind: obsCreateRefused, err: errDenied},
			ensureObs{kind: obsSpaceRuns},
			ensureObs{kind: obsSpaceRuns, apps: []*App{{ID: AppID{DomainID: "d-abc123", SpaceName: "s", AppType: types.AppTypeCodeEditor, AppName: "default"}, Status: types.AppStatusInService}}},
			ensureObs{kind: obsSpaceRuns, apps: []*App{{ID: AppID{DomainID: "d-abc123", SpaceName: "s", AppType: types.AppTypeCodeEditor, AppName: "default"}, Status: types.AppStatusDeleted}}},
			ensureObs{kind: obsSpaceRuns, err: errDenied},
			ensureObs{kind: obsTagged, app: tableApp(req, types.AppStatusInService, true, true, false)},
			ensureObs{kind: obsTagged, app: tableApp(req, types.AppStatusPending, true, true, false)},
			ensureObs{kind: obsTagged, app: tableApp(req, types.AppStatusInService, true, true, false), err: errThrottle},
			ensureObs{kind: obsTagged, app: tableApp(req, types.AppStatusInService, true, true, false), err: errDenied},
			ensureObs{kind: obsDeleted, app: tableApp(req, types.AppStatusInService, false, true, false)},
			ensureObs{kind: obsDeleted, app: tableApp(req, types.AppStatusInService, false, true, false), err: errGone},
			ensureObs{kind: obsDeleted, app: tableApp(req, types.AppStatusInService, false, true, false), err: errInUse},
			ensureObs{kind: obsDeleted, app: tableApp(req, types.AppStatusInService, false, true, false), err: errThrottle},
			ensureObs{kind: obsDeleted, app: tableApp(req, types.AppStatusInService, false, true, false), err: errDenied},
		)
		for _, o := range []origin{notSent, sentUnknown, createdHere, found} {
			for _, tagsDone := range []bool{false, true} {
				for _, replaced := range []bool{false, true} {
					for _, young := range []bool{false, true} {
						for _, before := range []string{"none", "same", "other"} {
							for _, ob := range obs {
								k := ensureKnown{origin: o, tagsDone: tagsDone, replaced: replaced, graceFrom: t0, since: t0}
								ob.at = t0.Add(time.Hour)
								if young {
									ob.at = t0.Add(time.Second)
								}
								if ob.kind == obsApp {
									switch before {
									case "same":
										k.before = &record{status: ob.app.Status, created: ob.app.CreationTime}
									case "other":
										k.before = &record{status: types.AppStatusDeleted, created: t0.Add(-48 * time.Hour)}
									}
								} else if before != "none" {
									continue // the record before matters only to a look at an app
								}
								name := fmt.Sprintf("%v/%s tags=%v replaced=%v young=%v before=%s %s", policy, o, tagsDone, replaced, young, before, ob.kind)
								if ob.app != nil {
									name += fmt.Sprintf(" %s arn=%v spec=%v", ob.app.Status, ob.app.ARN != "", specDiff(req.in, ob.app.ResourceSpec) == nil)
								}
								if ob.err != nil {
									name += " " + ob.err.Error()
								}
								rows = append(rows, ensureRow{known: k, obs: ob, req: req, name: name})
							}
						}
					}
				}
			}
		}
	}
	return rows
}

// TestDecideEnsureTable asserts the invariants of decideEnsure on every row.
func TestDecideEnsureTable(t *testing.T) {
	rows := ensureRows()
	require.Len(t, rows, 2*4*2*2*2*(40*3+24), "every combination is a row")
	for _, r := range rows {
		k, act := decideEnsure(r.known, r.obs, r.req)
		k2, act2 := decideEnsure(r.known, r.obs, r.req)
		if !assert.Equal(t, act, act2, r.name) || !assert.Equal(t, k, k2, "a pure function: %s", r.name) {
			continue
		}
		checkEnsureRow(t, r, k, act)
	}
	t.Logf("%d rows", len(rows))
}

func checkEnsureRow(t *testing.T, r ensureRow, k ensureKnown, act action) {
	o, before := r.obs, r.known
	transient := o.err != nil && (isTransient(o.err) || isStorageNotAvailable(o.err))
	live := o.kind == obsApp && (o.app.Status == types.AppStatusPending || o.app.Status == types.AppStatusInService)
	switch act.kind {
	case actSucceed:
		// I1: success only with an InService app with its ARN, the requested spec and tags.
		require.NotNil(t, act.app, r.name)
		assert.Equal(t, types.AppStatusInService, act.app.Status, r.name)
		assert.NotEmpty(t, act.app.ARN, r.name)
		if k.origin == createdHere {
			assert.Nil(t, specDiffReported(r.req.in, act.app.ResourceSpec), r.name)
		} else {
			assert.Nil(t, specDiff(r.req.in, act.app.ResourceSpec), r.name)
			assert.True(t, k.tagsDone, "an app this call did not create has the request's tags: %s", r.name)
		}
		// I2: "created" only for an app this call's create made and has not seen gone since.
		if out := k.outcome(nil); out == OutcomeCreated || out == OutcomeRecreated || out == OutcomeReplaced {
			assert.Equal(t, createdHere, before.origin, "only a create makes an app this call's: %s", r.name)
		}
	case actDelete:
		// I3: a delete only under ConflictReplace, once, of the request's app whose spec differs now.
		assert.Equal(t, ConflictReplace, r.req.policy, r.name)
		assert.False(t, before.replaced, r.name)
		require.True(t, live, r.name)
		assert.NotNil(t, specDiff(r.req.in, o.app.ResourceSpec), "never a delete of a match: %s", r.name)
		assert.Equal(t, r.req.id, act.app.ID, r.name)
	case actCreate:
		// A create only when the look says there is no live app, and never while this call's
		// create may still show.
		assert.False(t, live, r.name)
		switch o.kind {
		case obsNotFound:
			young := o.at.Sub(before.graceFrom) < notFoundGrace
			assert.False(t, young && (before.origin == createdHere || before.origin == sentUnknown), r.name)
		case obsApp:
			assert.Contains(t, []types.AppStatus{types.AppStatusDeleted, types.AppStatusFailed}, o.app.Status, r.name)
			if o.app.Status == types.AppStatusFailed {
				assert.NotEqual(t, createdHere, before.origin, "this call's own failed app is an error, not created again: %s", r.name)
			}
		default:
			t.Errorf("a create after %s: %s", o.kind, r.name)
		}
		assert.NotEqual(t, createdHere, k.origin, r.name)
	case actFail:
		// Errors only of the permanent kinds.
		require.Error(t, act.err, r.name)
		assert.False(t, transient, "a transient failure is looked past: %s", r.name)
		assert.False(t, isTransient(act.err), r.name)
		var conflict *AppConflictError
		if errors.As(act.err, &conflict) {
			require.NotNil(t, conflict.Existing, r.name)
			if conflict.Existing.ID == r.req.id {
				assert.Equal(t, specDiff(r.req.in, conflict.Existing.ResourceSpec), conflict.Fields, "a conflict names the members that differ: %s", r.name)
				assert.NotEmpty(t, conflict.Fields, r.name)
			}
		}
	case actTag:
		require.True(t, live, r.name)
		assert.NotEmpty(t, act.app.ARN, "tags go to an ARN: %s", r.name)
		assert.NotEqual(t, createdHere, k.origin, r.name)
	case actDescribe:
		require.True(t, live, r.name)
		assert.Empty(t, o.app.ARN, r.name)
	case actListSpace:
		assert.Equal(t, obsCreateRefused, o.kind, r.name)
		assert.ErrorIs(t, o.err, ErrResourceInUse, r.name)
	case actLookNow:
		assert.Equal(t, obsTagged, o.kind, "a look at once only right after the tags: %s", r.name)
	case actLook:
	default:
		t.Errorf("unexpected action %s: %s", act.kind, r.name)
	}
	// Only a create makes an app this call's; only a delete marks a replace.
	if k.origin == createdHere && before.origin != createdHere {
		assert.Equal(t, obsCreated, o.kind, r.name)
	}
	if k.replaced && !before.replaced {
		assert.Equal(t, obsDeleted, o.kind, r.name)
	}
	// A gone record that is not the one from before this call's create ends what this call knows
	// of its own app: what shows next is compared as anyone's.
	if o.kind == obsApp && (o.app.Status == types.AppStatusDeleted || o.app.Status == types.AppStatusDeleting) &&
		(before.before == nil || *before.before != (record{o.app.Status, o.app.CreationTime})) {
		assert.NotEqual(t, createdHere, k.origin, r.name)
	}
	// A live app of another spec is never this call's.
	if live && specDiff(r.req.in, o.app.ResourceSpec) != nil {
		assert.Equal(t, found, k.origin, r.name)
	}
}

// TestDecideDeleteTable asserts the invariants of decideDelete on every row.
func TestDecideDeleteTable(t *testing.T) {
	id := AppID{DomainID: "d-abc123", SpaceName: "s", AppType: types.AppTypeJupyterLab, AppName: "default"}
	var obs []deleteObs
	for _, err := range []error{nil, errGone, errInUse, errThrottle, errUnavail, errDenied} {
		obs = append(obs, deleteObs{answer: true, err: err})
	}
	listedSpec := &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}
	for _, st := range []types.AppStatus{types.AppStatusPending, types.AppStatusInService, types.AppStatusDeleting, types.AppStatusDeleted, types.AppStatusFailed} {
		for _, it := range []types.AppInstanceType{types.AppInstanceTypeMlT3Medium, types.AppInstanceTypeMlM5Xlarge} {
			obs = append(obs, deleteObs{app: &App{ID: id, Status: st, ResourceSpec: &types.ResourceSpec{InstanceType: it}}})
		}
	}
	obs = append(obs, deleteObs{notFound: true, err: errNotFound}, deleteObs{err: errThrottle}, deleteObs{err: errDenied})
	n := 0
	for _, mode := range []deleteMode{deleteAny, deleteListed} {
		for _, listed := range []types.AppStatus{types.AppStatusPending, types.AppStatusInService, types.AppStatusDeleting} {
			for _, sent := range []bool{false, true} {
				for _, o := range obs {
					n++
					k := deleteKnown{mode: mode, listed: listed, listedSpec: listedSpec, sent: sent}
					if mode == deleteAny {
						k.refused = errInUse
					}
					name := fmt.Sprintf("mode=%d listed=%s sent=%v answer=%v app=%v notFound=%v err=%v", mode, listed, sent, o.answer, o.app, o.notFound, o.err)
					k2, act := decideDelete(k, o)
					switch act.kind {
					case actDelete:
						// Only right after a look that saw the app InService; never twice for a listed app.
						require.NotNil(t, o.app, name)
						assert.Equal(t, types.AppStatusInService, o.app.Status, name)
						assert.False(t, o.answer, name)
						if mode == deleteListed {
							assert.False(t, sent, "a listed app started again after its delete is not deleted: %s", name)
						}
					case actSucceed:
						gone := o.notFound || isGone(o.err) || (o.app != nil && (o.app.Status == types.AppStatusDeleted || o.app.Status == types.AppStatusFailed))
						assert.True(t, gone || (mode == deleteAny && o.answer && o.err == nil), name)
					case actFail:
						require.Error(t, act.err, name)
						if mode == deleteListed {
							assert.False(t, isTransient(act.err), "a listed delete looks past a transient failure: %s", name)
						}
						if o.app != nil && mode == deleteListed {
							assert.ErrorIs(t, act.err, ErrResourceInUse, "an app started again is reported as in use: %s", name)
						}
					case actLook:
					default:
						t.Errorf("unexpected action %s: %s", act.kind, name)
					}
					// A listed app that is Pending after its listing was InService or Deleting, or after
					// this call's delete, or live with another spec than listed, was started again:
					// never deleted, always reported.
					if mode == deleteListed && o.app != nil && (o.app.Status == types.AppStatusPending && (sent || listed != types.AppStatusPending) ||
						(o.app.Status == types.AppStatusPending || o.app.Status == types.AppStatusInService) && o.app.ResourceSpec.InstanceType != listedSpec.InstanceType) {
						assert.Equal(t, actFail, act.kind, name)
					}
					assert.Equal(t, sent || (o.answer && o.err == nil && mode == deleteListed), k2.sent, name)
				}
			}
		}
	}
	require.Equal(t, 2*3*2*19, n)
	t.Logf("%d rows", n)
}

// TestDecideSpaceTable asserts the invariants of decideSpace on every row.
func TestDecideSpaceTable(t *testing.T) {
	in := PrivateSpace("d-abc123", "alice-space", "alice", types.AppTypeJupyterLab)
	var obs []spaceObs
	for _, st := range types.SpaceStatus("").Values() {
		for _, owner := range []string{"alice", "Alice", "bob"} {
			for _, appType := range []AppType{types.AppTypeJupyterLab, types.AppTypeCodeEditor} {
				sp := &Space{DomainID: "d-abc123", Name: "alice-space", Status: st, Owner: owner, SharingType: types.SharingTypePrivate, AppType: appType}
				obs = append(obs, spaceObs{kind: spaceLooked, space: sp})
			}
		}
	}
	obs = append(obs, spaceObs{kind: spaceLooked, notFound: true, err: errNotFound}, spaceObs{kind: spaceLooked, err: errThrottle}, spaceObs{kind: spaceLooked, err: errDenied})
	for _, err := range []error{nil, errClash, errInUse, errThrottle, errDenied} {
		obs = append(obs, spaceObs{kind: spaceCreate, err: err})
	}
	obs = append(obs, spaceObs{kind: spaceProfile, held: true}, spaceObs{kind: spaceProfile})
	n := 0
	for _, created := range []bool{false, true} {
		for _, young := range []bool{false, true} {
			for _, inUse := range []bool{false, true} {
				for _, o := range obs {
					n++
					k := spaceKnown{created: created, graceFrom: t0}
					if inUse {
						k.inUse = errInUse
					}
					o.at = t0.Add(time.Hour)
					if young {
						o.at = t0.Add(time.Second)
					}
					name := fmt.Sprintf("created=%v young=%v inUse=%v kind=%d notFound=%v held=%v err=%v", created, young, inUse, o.kind, o.notFound, o.held, o.err)
					if o.space != nil {
						name += fmt.Sprintf(" space %s owner %s app type %s", o.space.Status, o.space.Owner, o.space.AppType)
					}
					_, act := decideSpace(k, o, in, ConflictFail)
					switch act.kind {
					case actSucceed:
						require.NotNil(t, act.space, name)
						assert.Equal(t, types.SpaceStatusInService, act.space.Status, name)
						fields, _, _ := spaceDiff(in, act.space)
						assert.Nil(t, fields, "success only with the requested owner (any case), sharing and app type: %s", name)
					case actCreate:
						notFound := o.kind == spaceLooked && o.notFound && !(created && young) && !inUse
						assert.True(t, notFound || (o.kind == spaceProfile && !o.held), "a create only after a look found no space: %s", name)
					case actFail:
						require.Error(t, act.err, name)
						assert.False(t, isTransient(act.err), name)
						if o.space != nil {
							assert.NotEqual(t, types.SpaceStatusDeleting, o.space.Status, "a Deleting space is waited out, whatever it holds: %s", name)
						}
						var conflict *SpaceConflictError
						if errors.As(act.err, &conflict) && strings.EqualFold(o.space.Owner, "alice") {
							assert.NotContains(t, conflict.Fields, "OwnershipSettings.OwnerUserProfileName", "owners compare without case: %s", name)
						}
					case actLook, actLookNow, actListSpace:
					default:
						t.Errorf("unexpected action %s: %s", act.kind, name)
					}
					if o.space != nil && o.space.Owner == "bob" && o.space.Status != types.SpaceStatusDeleting &&
						o.space.Status != types.SpaceStatusFailed && o.space.Status != types.SpaceStatusUpdateFailed && o.space.Status != types.SpaceStatusDeleteFailed {
						assert.Equal(t, actFail, act.kind, "another owner is a conflict: %s", name)
					}
				}
			}
		}
	}
	t.Logf("%d rows", n)
}

// TestJudgeWaitTable asserts the invariants of a plain wait's decision on every row.
func TestJudgeWaitTable(t *testing.T) {
	id := AppID{DomainID: "d-abc123", SpaceName: "s", AppType: types.AppTypeJupyterLab, AppName: "default"}
	n := 0
	for _, since := range []bool{false, true} {
		for _, young := range []bool{false, true} {
			for _, st := range types.AppStatus("").Values() {
				for _, old := range []bool{false, true} {
					for _, err := range []error{nil, errNotFound, errThrottle, errDenied} {
						n++
						k := waitKnown{graceFrom: t0}
						if since {
							k.since = t0
						}
						at := t0.Add(time.Hour)
						if young {
							at = t0.Add(time.Second)
						}
						app := &App{ID: id, Status: st, CreationTime: t0.Add(time.Minute)}
						if old {
							app.CreationTime = t0.Add(-time.Hour)
						}
						if err != nil {
							app = nil
						}
						name := fmt.Sprintf("since=%v young=%v status=%s old=%v err=%v", since, young, st, old, err)
						got, gotErr := judgeWait(k, app, err, at, 5*time.Second)
						switch {
						case err == nil && got == nil:
							assert.True(t, since && young, "only the record from before the create, within the grace, is skipped: %s", name)
						case err == nil:
							assert.Same(t, app, got, name)
						case errors.Is(err, ErrResourceNotFound) && young, isTransient(err):
							assert.NoError(t, gotErr, name)
						default:
							assert.Equal(t, err, gotErr, name)
						}
					}
				}
			}
		}
	}
	t.Logf("%d rows", n)
}

// TestDecideSpaceDeleteTable asserts the invariants of DeleteSpace's decision on every row.
func TestDecideSpaceDeleteTable(t *testing.T) {
	var obs []spaceDeleteObs
	for _, st := range types.SpaceStatus("").Values() {
		obs = append(obs, spaceDeleteObs{kind: spaceLooked, space: &Space{DomainID: "d-abc123", Name: "s", Status: st}})
	}
	obs = append(obs, spaceDeleteObs{kind: spaceLooked, notFound: true, err: errNotFound}, spaceDeleteObs{kind: spaceLooked, err: errThrottle}, spaceDeleteObs{kind: spaceLooked, err: errDenied})
	for _, err := range []error{nil, &startedAgainError{app: &App{}}, errThrottle, errDenied} {
		obs = append(obs, spaceDeleteObs{kind: spaceAppsStopped, err: err})
	}
	for _, err := range []error{nil, errNotFound, errInUse, errThrottle, errDenied} {
		obs = append(obs, spaceDeleteObs{kind: spaceDeleteAnswer, err: err, notFound: err == errNotFound})
	}
	n := 0
	for _, stopped := range []bool{false, true} {
		for _, sent := range []bool{false, true} {
			for _, refused := range []int{0, maxSpaceRefusals} {
				for _, o := range obs {
					n++
					k := spaceDeleteKnown{appsStopped: stopped, sent: sent, refused: refused}
					name := fmt.Sprintf("stopped=%v sent=%v refused=%d kind=%d notFound=%v err=%v", stopped, sent, refused, o.kind, o.notFound, o.err)
					if o.space != nil {
						name += " " + string(o.space.Status)
					}
					k2, act := decideSpaceDelete(k, o)
					switch act.kind {
					case actDelete:
						require.NotNil(t, o.space, "a DeleteSpace only right after a look: %s", name)
						assert.True(t, stopped, "and after the apps were stopped: %s", name)
						assert.False(t, sent, name)
						assert.NotContains(t, []types.SpaceStatus{types.SpaceStatusPending, types.SpaceStatusUpdating, types.SpaceStatusDeleting}, o.space.Status, name)
					case actListSpace:
						require.NotNil(t, o.space, name)
						assert.NotContains(t, []types.SpaceStatus{types.SpaceStatusPending, types.SpaceStatusUpdating, types.SpaceStatusDeleting}, o.space.Status, name)
					case actSucceed:
						assert.True(t, o.notFound, "success only once the space is gone: %s", name)
					case actFail:
						require.Error(t, act.err, name)
						assert.False(t, isTransient(act.err), name)
					case actLook, actLookNow:
					default:
						t.Errorf("unexpected action %s: %s", act.kind, name)
					}
					if sent && o.space != nil && (o.space.Status == types.SpaceStatusPending || o.space.Status == types.SpaceStatusInService) {
						assert.Equal(t, actFail, act.kind, "a space created again after this call's delete is someone's: %s", name)
					}
					if o.kind == spaceDeleteAnswer && errors.Is(o.err, ErrResourceInUse) {
						assert.False(t, k2.appsStopped, "an app came back: stop the apps again before another delete: %s", name)
					}
				}
			}
		}
	}
	t.Logf("%d rows", n)
}

// TestDecideSpaceUpdateTable asserts EnsureSpace's decisions under both policies, for a space that
// matches, that can be updated, and whose storage would shrink, in every status.
func TestDecideSpaceUpdateTable(t *testing.T) {
	ebs := func(n int32) *types.SpaceSettings {
		return &types.SpaceSettings{AppType: types.AppTypeJupyterLab, SpaceStorageSettings: &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(n)}}}
	}
	in := PrivateSpace("d-abc123", "alice-space", "alice", types.AppTypeJupyterLab)
	in.SpaceSettings = ebs(20)
	n := 0
	for _, policy := range []ConflictPolicy{ConflictFail, ConflictReplace, ConflictUpdate} {
		for _, has := range []int32{20, 5, 50} {
			for _, st := range types.SpaceStatus("").Values() {
				for _, updates := range []int{0, maxSpaceUpdates} {
					n++
					sp := &Space{DomainID: "d-abc123", Name: "alice-space", Status: st, Owner: "alice", SharingType: types.SharingTypePrivate, AppType: types.AppTypeJupyterLab, settings: ebs(has)}
					name := fmt.Sprintf("policy=%d has=%d status=%s updates=%d", policy, has, st, updates)
					_, act := decideSpace(spaceKnown{updates: updates}, spaceObs{kind: spaceLooked, space: sp, at: t0}, in, policy)
					up, _, shrink := spaceUpdate(in, sp)
					switch act.kind {
					case actUpdate:
						assert.Equal(t, ConflictUpdate, policy, "only ConflictUpdate updates a space: %s", name)
						assert.Equal(t, types.SpaceStatusInService, st, "only an InService one: %s", name)
						assert.Less(t, updates, maxSpaceUpdates, name)
						assert.False(t, shrink, name)
						require.NotNil(t, act.update, name)
						assert.Equal(t, int32(20), *act.update.SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb, name)
					case actSucceed:
						assert.Equal(t, types.SpaceStatusInService, st, name)
						if policy == ConflictUpdate {
							assert.Nil(t, up, "under ConflictUpdate, success only for a space with the requested settings: %s", name)
						}
					case actFail:
						var conflict *SpaceConflictError
						if errors.As(act.err, &conflict) && policy == ConflictUpdate && shrink {
							assert.Equal(t, []string{fieldEbsSize}, conflict.Fields, name)
						}
					case actLook:
					default:
						t.Errorf("unexpected action %s: %s", act.kind, name)
					}
					if policy == ConflictUpdate && shrink && st != types.SpaceStatusDeleting && st != types.SpaceStatusFailed &&
						st != types.SpaceStatusUpdateFailed && st != types.SpaceStatusDeleteFailed {
						assert.Equal(t, actFail, act.kind, "storage only grows: %s", name)
					}
				}
			}
		}
	}
	t.Logf("%d rows", n)
}
