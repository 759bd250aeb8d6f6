//go:build go1.25

// The waits of these tests run in testing/synctest bubbles, whose clock moves only when every
// goroutine waits: time-based behaviour (pace, deadlines, the create rate) is exact and costs no
// real time. synctest is stable from Go 1.25, which this file asks for itself.

package sagemakerapp

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// spaceGone, as a status in a spaceRecord's list, makes the space disappear: a deletion ends.
const spaceGone types.SpaceStatus = "(gone)"

type spaceRecord struct {
	out      sagemaker.DescribeSpaceOutput
	statuses []types.SpaceStatus // each DescribeSpace takes the next; the last one stays
}

// spacesDouble is an API and a SpacesAPI over an in-memory domain: spaces that go through the
// statuses they are given, user profiles, and errors injected per call. It checks that every call
// carries a deadline.
type spacesDouble struct {
	*stubAPI
	mu           sync.Mutex
	spaces       map[string]*spaceRecord
	profiles     map[string]bool
	newStatuses  []types.SpaceStatus // of a space CreateSpace makes; default Pending, Pending, InService
	createErr    func(attempt int) error
	describeErr  func(attempt int) error
	hangDescribe bool
	creates      []time.Time
	noDeadline   []string // operations called without a deadline
	inFlight     int
	maxInFlight  int
	createGate   chan struct{} // if set, CreateSpace waits for it to be closed
	arrived      chan struct{}
	presigned    []*sagemaker.CreatePresignedDomainUrlInput
	presignErr   error
}

var _ SpacesAPI = (*spacesDouble)(nil)

func newSpacesDouble() *spacesDouble {
	return &spacesDouble{stubAPI: &stubAPI{}, spaces: map[string]*spaceRecord{}, profiles: map[string]bool{}}
}

func (d *spacesDouble) checkDeadline(ctx context.Context, op string) {
	if _, ok := ctx.Deadline(); !ok {
		d.mu.Lock()
		d.noDeadline = append(d.noDeadline, op)
		d.mu.Unlock()
	}
}

// seed adds a space as DescribeSpace reports it. A test calls it before the Client runs; the
// double calls it with d.mu held.
func (d *spacesDouble) seed(name, owner string, sharing types.SharingType, appType AppType, statuses ...types.SpaceStatus) {
	out := sagemaker.DescribeSpaceOutput{
		DomainId: aws.String("d-abc123"), SpaceName: aws.String(name),
		SpaceArn:     aws.String("arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/" + name),
		CreationTime: aws.Time(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)),
	}
	if owner != "" {
		out.OwnershipSettings = &types.OwnershipSettings{OwnerUserProfileName: aws.String(owner)}
	}
	if sharing != "" {
		out.SpaceSharingSettings = &types.SpaceSharingSettings{SharingType: sharing}
	}
	if appType != "" {
		out.SpaceSettings = &types.SpaceSettings{AppType: appType}
	}
	d.spaces[name] = &spaceRecord{out: out, statuses: statuses}
}

func (d *spacesDouble) CreateSpace(ctx context.Context, in *sagemaker.CreateSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreateSpaceOutput, error) {
	d.checkDeadline(ctx, "CreateSpace")
	d.record("CreateSpace", in, optFns)
	d.mu.Lock()
	d.creates = append(d.creates, time.Now())
	d.inFlight++
	d.maxInFlight = max(d.maxInFlight, d.inFlight)
	gate, arrived := d.createGate, d.arrived
	d.mu.Unlock()
	defer func() { d.mu.Lock(); d.inFlight--; d.mu.Unlock() }()
	if arrived != nil {
		arrived <- struct{}{}
	}
	if gate != nil {
		<-gate
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.createErr != nil {
		if err := d.createErr(d.calls["CreateSpace"]); err != nil {
			return nil, err
		}
	}
	name := aws.ToString(in.SpaceName)
	if _, ok := d.spaces[name]; ok || d.profiles[name] {
		return nil, &types.ResourceInUse{Message: aws.String("Space " + name + " already exists")}
	}
	statuses := d.newStatuses
	if statuses == nil {
		statuses = []types.SpaceStatus{types.SpaceStatusPending, types.SpaceStatusPending, types.SpaceStatusInService}
	}
	var owner string
	if in.OwnershipSettings != nil {
		owner = aws.ToString(in.OwnershipSettings.OwnerUserProfileName)
	}
	var sharing types.SharingType
	if in.SpaceSharingSettings != nil {
		sharing = in.SpaceSharingSettings.SharingType
	}
	var appType AppType
	if in.SpaceSettings != nil {
		appType = in.SpaceSettings.AppType
	}
	d.seed(name, owner, sharing, appType, statuses...)
	return &sagemaker.CreateSpaceOutput{SpaceArn: d.spaces[name].out.SpaceArn}, nil
}

func (d *spacesDouble) DescribeSpace(ctx context.Context, in *sagemaker.DescribeSpaceInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeSpaceOutput, error) {
	d.checkDeadline(ctx, "DescribeSpace")
	d.record("DescribeSpace", in, optFns)
	if d.hangDescribe {
		<-ctx.Done()
		return nil, &smithy.OperationError{ServiceID: "SageMaker", OperationName: "DescribeSpace", Err: ctx.Err()}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.describeErr != nil {
		if err := d.describeErr(d.calls["DescribeSpace"]); err != nil {
			return nil, err
		}
	}
	name := aws.ToString(in.SpaceName)
	r, ok := d.spaces[name]
	if !ok {
		return nil, &types.ResourceNotFound{Message: aws.String("Space " + name + " does not exist")}
	}
	status := r.statuses[0]
	if len(r.statuses) > 1 {
		r.statuses = r.statuses[1:]
	}
	if status == spaceGone {
		delete(d.spaces, name)
		return nil, &types.ResourceNotFound{Message: aws.String("Space " + name + " does not exist")}
	}
	out := r.out
	out.Status = status
	if status == types.SpaceStatusFailed {
		out.FailureReason = aws.String("EBS volume could not be created")
	}
	return &out, nil
}

func (d *spacesDouble) ListSpaces(_ context.Context, in *sagemaker.ListSpacesInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListSpacesOutput, error) {
	d.record("ListSpaces", in, optFns)
	return &sagemaker.ListSpacesOutput{}, nil
}

func (d *spacesDouble) DescribeUserProfile(ctx context.Context, in *sagemaker.DescribeUserProfileInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeUserProfileOutput, error) {
	d.checkDeadline(ctx, "DescribeUserProfile")
	d.record("DescribeUserProfile", in, optFns)
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.profiles[aws.ToString(in.UserProfileName)] {
		return nil, &types.ResourceNotFound{Message: aws.String("User profile does not exist")}
	}
	return &sagemaker.DescribeUserProfileOutput{UserProfileName: in.UserProfileName}, nil
}

func (d *spacesDouble) CreatePresignedDomainUrl(_ context.Context, in *sagemaker.CreatePresignedDomainUrlInput, optFns ...func(*sagemaker.Options)) (*sagemaker.CreatePresignedDomainUrlOutput, error) {
	d.record("CreatePresignedDomainUrl", in, optFns)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.presigned = append(d.presigned, in)
	if d.presignErr != nil {
		return nil, d.presignErr
	}
	return &sagemaker.CreatePresignedDomainUrlOutput{AuthorizedUrl: aws.String("https://d-abc123.studio.us-east-1.sagemaker.aws/auth?token=t")}, nil
}

func alicesSpace() *sagemaker.CreateSpaceInput {
	return PrivateSpace("d-abc123", "alice-space", "alice", types.AppTypeJupyterLab)
}

func TestPrivateSpace(t *testing.T) {
	in := PrivateSpace("d-abc123", "alice-space", "alice", types.AppTypeCodeEditor)
	assert.Equal(t, "d-abc123", aws.ToString(in.DomainId))
	assert.Equal(t, "alice-space", aws.ToString(in.SpaceName))
	assert.Equal(t, "alice", aws.ToString(in.OwnershipSettings.OwnerUserProfileName))
	assert.Equal(t, types.SharingTypePrivate, in.SpaceSharingSettings.SharingType)
	assert.Equal(t, types.AppTypeCodeEditor, in.SpaceSettings.AppType)
	assert.NoError(t, ValidateSpace(in))
}

func TestEnsureSpaceCreatesAndWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		start := time.Now()
		sp, err := New(d).EnsureSpace(context.Background(), alicesSpace(), func(o *WaitOptions) {
			o.ClientOptions = []func(*sagemaker.Options){func(o *sagemaker.Options) { o.Region = "eu-west-1" }}
		})
		require.NoError(t, err)
		assert.Equal(t, types.SpaceStatusInService, sp.Status)
		assert.Equal(t, "alice", sp.Owner)
		assert.Equal(t, types.SharingTypePrivate, sp.SharingType)
		assert.Equal(t, types.AppTypeJupyterLab, sp.AppType)
		assert.Equal(t, "arn:aws:sagemaker:us-east-1:123456789012:space/d-abc123/alice-space", sp.ARN)
		assert.Equal(t, 1, d.count("CreateSpace"))
		assert.Equal(t, 4, d.count("DescribeSpace"), "not found (it looks before it creates), then Pending, Pending, InService")
		elapsed := time.Since(start)
		assert.GreaterOrEqual(t, elapsed, 3*DefaultMinDelay, "a pause before each look, growing from MinDelay")
		assert.Less(t, elapsed, 3*DefaultMaxDelay)
		assert.Empty(t, d.noDeadline, "every call runs under the wait's deadline")
		assert.Equal(t, "eu-west-1", d.lastOptions("DescribeSpace").Region, "the per-call options reach every call")
		assert.Equal(t, "eu-west-1", d.lastOptions("CreateSpace").Region)
	})
}

func TestEnsureSpaceAdoptsAMatchingSpace(t *testing.T) {
	tests := map[string]*sagemaker.CreateSpaceInput{
		"everything asked matches":       alicesSpace(),
		"unset members are not compared": {DomainId: aws.String("d-abc123"), SpaceName: aws.String("alice-space")},
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			d := newSpacesDouble()
			d.seed("alice-space", "alice", types.SharingTypePrivate, types.AppTypeJupyterLab, types.SpaceStatusInService)
			sp, err := New(d).EnsureSpace(context.Background(), in)
			require.NoError(t, err)
			assert.Equal(t, types.SpaceStatusInService, sp.Status)
			assert.Zero(t, d.count("CreateSpace"), "it looks before it creates: a space that exists costs no CreateSpace")
			assert.Equal(t, 1, d.count("DescribeSpace"))
		})
	}
}

// A shared space that DescribeSpace reports without a sharing type is Shared.
func TestEnsureSpaceAbsentSharingTypeIsShared(t *testing.T) {
	d := newSpacesDouble()
	d.seed("team", "", "", types.AppTypeJupyterLab, types.SpaceStatusInService)
	in := &sagemaker.CreateSpaceInput{DomainId: aws.String("d-abc123"), SpaceName: aws.String("team"),
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared}}
	_, err := New(d).EnsureSpace(context.Background(), in)
	require.NoError(t, err)
	in.SpaceSharingSettings.SharingType = types.SharingTypePrivate
	var conflict *SpaceConflictError
	_, err = New(d).EnsureSpace(context.Background(), in)
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, []string{"SpaceSharingSettings.SharingType"}, conflict.Fields)
}

func TestEnsureSpaceConflicts(t *testing.T) {
	tests := []struct {
		name                string
		owner               string
		sharing             types.SharingType
		appType             AppType
		wantFields, wantMsg []string
	}{
		{name: "another owner", owner: "bob", sharing: types.SharingTypePrivate, appType: types.AppTypeJupyterLab,
			wantFields: []string{"OwnershipSettings.OwnerUserProfileName"}, wantMsg: []string{`is "bob", asked "alice"`}},
		{name: "no owner", sharing: types.SharingTypePrivate, appType: types.AppTypeJupyterLab,
			wantFields: []string{"OwnershipSettings.OwnerUserProfileName"}, wantMsg: []string{`is unset, asked "alice"`}},
		{name: "shared", owner: "alice", sharing: types.SharingTypeShared, appType: types.AppTypeJupyterLab,
			wantFields: []string{"SpaceSharingSettings.SharingType"}, wantMsg: []string{`is "Shared", asked "Private"`}},
		{name: "everything", owner: "bob", sharing: types.SharingTypeShared, appType: types.AppTypeCodeEditor,
			wantFields: []string{"OwnershipSettings.OwnerUserProfileName", "SpaceSharingSettings.SharingType", "SpaceSettings.AppType"},
			wantMsg:    []string{`SpaceSettings.AppType is "CodeEditor", asked "JupyterLab"`}},
		{name: "no app type", owner: "alice", sharing: types.SharingTypePrivate,
			wantFields: []string{"SpaceSettings.AppType"}, wantMsg: []string{`is unset, asked "JupyterLab"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newSpacesDouble()
			d.seed("alice-space", tt.owner, tt.sharing, tt.appType, types.SpaceStatusInService)
			sp, err := New(d).EnsureSpace(context.Background(), alicesSpace())
			assert.Nil(t, sp)
			var conflict *SpaceConflictError
			require.ErrorAs(t, err, &conflict)
			assert.ErrorIs(t, err, ErrResourceInUse)
			assert.Equal(t, tt.wantFields, conflict.Fields)
			assert.Equal(t, "alice-space", conflict.Existing.Name)
			for _, want := range append(tt.wantMsg, "d-abc123/alice-space") {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestEnsureSpaceFailedStatuses(t *testing.T) {
	for _, status := range []types.SpaceStatus{types.SpaceStatusFailed, types.SpaceStatusUpdateFailed, types.SpaceStatusDeleteFailed} {
		t.Run(string(status), func(t *testing.T) {
			d := newSpacesDouble()
			d.seed("alice-space", "alice", types.SharingTypePrivate, types.AppTypeJupyterLab, status)
			_, err := New(d).EnsureSpace(context.Background(), alicesSpace())
			var failed *SpaceFailedError
			require.ErrorAs(t, err, &failed)
			assert.ErrorIs(t, err, ErrSpaceFailed)
			assert.Equal(t, status, failed.Space.Status)
			assert.Contains(t, err.Error(), string(status))
			assert.Zero(t, d.count("CreateSpace"), "never recreated: the space holds its owner's files")
		})
	}
	d := newSpacesDouble()
	d.seed("alice-space", "alice", types.SharingTypePrivate, types.AppTypeJupyterLab, types.SpaceStatusFailed)
	_, err := New(d).EnsureSpace(context.Background(), alicesSpace())
	assert.Contains(t, err.Error(), "EBS volume could not be created", "the reason is in the text")
}

// A space being deleted is waited out and created again; one being updated is waited for.
func TestEnsureSpaceWaitsOutDeletingAndUpdating(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		d.seed("alice-space", "alice", types.SharingTypePrivate, types.AppTypeJupyterLab,
			types.SpaceStatusDeleting, types.SpaceStatusDeleting, spaceGone)
		d.newStatuses = []types.SpaceStatus{types.SpaceStatusPending, types.SpaceStatusUpdating, types.SpaceStatusInService}
		sp, err := New(d).EnsureSpace(context.Background(), alicesSpace())
		require.NoError(t, err)
		assert.Equal(t, types.SpaceStatusInService, sp.Status)
		assert.Equal(t, 1, d.count("CreateSpace"), "waited out, and created once it is gone")
	})
}

// A space not yet visible right after its create is waited for, not created again.
func TestEnsureSpaceToleratesANewSpaceNotYetVisible(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		d.describeErr = func(n int) error {
			if n <= 2 {
				return &types.ResourceNotFound{Message: aws.String("not yet")}
			}
			return nil
		}
		_, err := New(d).EnsureSpace(context.Background(), alicesSpace())
		require.NoError(t, err)
		assert.Equal(t, 1, d.count("CreateSpace"))
	})
}

func TestEnsureSpaceRetriesTransientFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		d.createErr = func(n int) error {
			if n <= 2 {
				return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
			}
			return nil
		}
		d.describeErr = func(n int) error {
			if n == 1 {
				return &smithy.GenericAPIError{Code: "InternalFailure", Message: "boom", Fault: smithy.FaultServer}
			}
			return nil
		}
		sp, err := New(d).EnsureSpace(context.Background(), alicesSpace())
		require.NoError(t, err)
		assert.Equal(t, types.SpaceStatusInService, sp.Status)
		assert.Equal(t, 3, d.count("CreateSpace"))
	})
}

// The first CreateSpace made the space and its answer was lost; the retry's ResourceInUse finds
// the space, which has the requested settings, and EnsureSpace succeeds.
func TestEnsureSpaceAfterALostResponse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		d.createErr = func(n int) error {
			if n == 1 {
				d.seed("alice-space", "alice", types.SharingTypePrivate, types.AppTypeJupyterLab, types.SpaceStatusPending, types.SpaceStatusInService)
				return &smithy.GenericAPIError{Code: "ServiceUnavailable", Message: "try again", Fault: smithy.FaultServer}
			}
			return nil
		}
		sp, err := New(d).EnsureSpace(context.Background(), alicesSpace())
		require.NoError(t, err)
		assert.Equal(t, "alice", sp.Owner)
		assert.Equal(t, 1, d.count("CreateSpace"), "the space its lost create made is found by the next look, not created again")
	})
}

func TestEnsureSpaceNameHeldByAUserProfile(t *testing.T) {
	t.Run("found by its user profile", func(t *testing.T) {
		d := newSpacesDouble()
		d.profiles["alice-space"] = true
		_, err := New(d).EnsureSpace(context.Background(), alicesSpace())
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrResourceInUse)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, "the service's answer is reachable")
		assert.Equal(t, "CreateSpace", apiErr.Operation)
		for _, want := range []string{`"alice-space"`, "user profile", "share one namespace"} {
			assert.Contains(t, err.Error(), want)
		}
		assert.Equal(t, 1, d.count("CreateSpace"))
	})
	t.Run("the service's own words", func(t *testing.T) {
		d := newSpacesDouble()
		d.createErr = func(int) error {
			return &smithy.GenericAPIError{Code: "ValidationException", Message: "User Profile and Space name must be unique in a domain"}
		}
		_, err := New(d).EnsureSpace(context.Background(), alicesSpace())
		assert.ErrorIs(t, err, ErrResourceInUse)
		assert.ErrorIs(t, err, ErrServiceValidation, "the service's kind stays reachable")
		assert.Contains(t, err.Error(), "user profile")
		assert.Equal(t, 1, d.count("DescribeSpace"), "the look before the create, and none after the answer")
	})
}

func TestEnsureSpaceTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		d.newStatuses = []types.SpaceStatus{types.SpaceStatusPending}
		start := time.Now()
		_, err := New(d).EnsureSpace(context.Background(), alicesSpace(), func(o *WaitOptions) { o.Timeout = time.Minute })
		assert.ErrorIs(t, err, ErrWaitTimeout)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "last seen Pending")
		assert.Equal(t, time.Minute, time.Since(start))
	})
}

// A DescribeSpace that never answers cannot hold EnsureSpace past its Timeout: the call runs
// under the wait's deadline.
func TestEnsureSpaceHungCallEndsAtTheTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		d.hangDescribe = true
		start := time.Now()
		_, err := New(d).EnsureSpace(context.Background(), alicesSpace(), func(o *WaitOptions) { o.Timeout = 30 * time.Second })
		assert.ErrorIs(t, err, ErrWaitTimeout)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 30*time.Second, time.Since(start))
	})
}

func TestEnsureSpaceCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		d.newStatuses = []types.SpaceStatus{types.SpaceStatusPending}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Second, cancel)
		_, err := New(d).EnsureSpace(ctx, alicesSpace())
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, ErrWaitTimeout)
	})
}

func TestEnsureSpacePermanentErrors(t *testing.T) {
	for name, fault := range map[string]error{
		"no such owner": &types.ResourceNotFound{Message: aws.String("User profile 'alice' does not exist.")},
		"quota":         &types.ResourceLimitExceeded{Message: aws.String("too many spaces")},
		"denied":        &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"},
	} {
		t.Run(name, func(t *testing.T) {
			d := newSpacesDouble()
			d.createErr = func(int) error { return fault }
			_, err := New(d).EnsureSpace(context.Background(), alicesSpace())
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "CreateSpace", apiErr.Operation)
			assert.Equal(t, 1, d.count("CreateSpace"))
		})
	}
}

func TestValidateSpace(t *testing.T) {
	tests := []struct {
		name   string
		change func(*sagemaker.CreateSpaceInput)
		want   []problem
	}{
		{name: "private space", change: func(*sagemaker.CreateSpaceInput) {}},
		{name: "every member", change: func(in *sagemaker.CreateSpaceInput) {
			in.SpaceDisplayName = aws.String("Alice's space")
			in.SpaceSettings.SpaceStorageSettings = &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(16384)}}
			in.Tags = makeTags(50)
		}},
		{name: "missing names", change: func(in *sagemaker.CreateSpaceInput) { in.DomainId, in.SpaceName = nil, aws.String("") },
			want: []problem{{"DomainId", FieldRequired}, {"SpaceName", FieldRequired}}},
		{name: "bad names", change: func(in *sagemaker.CreateSpaceInput) {
			in.DomainId, in.SpaceName, in.OwnershipSettings.OwnerUserProfileName = aws.String("d-ABC"), aws.String("a_b"), aws.String("-x")
		}, want: []problem{{"DomainId", FieldInvalid}, {"SpaceName", FieldInvalid}, {"OwnershipSettings.OwnerUserProfileName", FieldInvalid}}},
		{name: "space name too long", change: func(in *sagemaker.CreateSpaceInput) { in.SpaceName = aws.String(strings.Repeat("s", 64)) },
			want: []problem{{"SpaceName", FieldTooLong}, {"SpaceName", FieldInvalid}}},
		{name: "owner settings without owner", change: func(in *sagemaker.CreateSpaceInput) { in.OwnershipSettings.OwnerUserProfileName = nil },
			want: []problem{{"OwnershipSettings.OwnerUserProfileName", FieldRequired}}},
		{name: "sharing type", change: func(in *sagemaker.CreateSpaceInput) { in.SpaceSharingSettings.SharingType = "Public" },
			want: []problem{{"SpaceSharingSettings.SharingType", FieldNotSupported}}},
		{name: "sharing settings without a type", change: func(in *sagemaker.CreateSpaceInput) { in.SpaceSharingSettings.SharingType = "" },
			want: []problem{{"SpaceSharingSettings.SharingType", FieldRequired}}},
		{name: "app type", change: func(in *sagemaker.CreateSpaceInput) { in.SpaceSettings.AppType = "Jupyter" },
			want: []problem{{"SpaceSettings.AppType", FieldNotSupported}}},
		{name: "EBS too small", change: func(in *sagemaker.CreateSpaceInput) {
			in.SpaceSettings.SpaceStorageSettings = &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{EbsVolumeSizeInGb: aws.Int32(4)}}
		}, want: []problem{{"SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb", FieldInvalid}}},
		{name: "EBS unset", change: func(in *sagemaker.CreateSpaceInput) {
			in.SpaceSettings.SpaceStorageSettings = &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{}}
		}, want: []problem{{"SpaceSettings.SpaceStorageSettings.EbsStorageSettings.EbsVolumeSizeInGb", FieldRequired}}},
		{name: "blank display name", change: func(in *sagemaker.CreateSpaceInput) { in.SpaceDisplayName = aws.String(" \t ") },
			want: []problem{{"SpaceDisplayName", FieldInvalid}}},
		{name: "empty display name", change: func(in *sagemaker.CreateSpaceInput) { in.SpaceDisplayName = aws.String("") },
			want: []problem{{"SpaceDisplayName", FieldInvalid}}},
		{name: "two-line display name", change: func(in *sagemaker.CreateSpaceInput) { in.SpaceDisplayName = aws.String("a\nb") },
			want: []problem{{"SpaceDisplayName", FieldInvalid}}},
		{name: "display name of 64 code points", change: func(in *sagemaker.CreateSpaceInput) { in.SpaceDisplayName = aws.String(strings.Repeat("é", 64)) }},
		{name: "display name of 65", change: func(in *sagemaker.CreateSpaceInput) { in.SpaceDisplayName = aws.String(strings.Repeat("é", 65)) },
			want: []problem{{"SpaceDisplayName", FieldInvalid}}},
		{name: "tags", change: func(in *sagemaker.CreateSpaceInput) {
			in.Tags = []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}
		}, want: []problem{{"Tags[0].Key", FieldForbidden}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := alicesSpace()
			tt.change(in)
			err := ValidateSpace(in)
			assert.Equal(t, tt.want, problemsOf(t, err))
		})
	}
	assert.Equal(t, []problem{{"CreateSpaceInput", FieldRequired}}, problemsOf(t, ValidateSpace(nil)))
}

func TestEnsureSpaceSendsNothingInvalid(t *testing.T) {
	d := newSpacesDouble()
	in := alicesSpace()
	in.SpaceName = aws.String("alice_space")
	_, err := New(d).EnsureSpace(context.Background(), in)
	assert.ErrorIs(t, err, ErrInvalidInput)
	res := New(d).EnsureSpaces(context.Background(), []*sagemaker.CreateSpaceInput{in})
	assert.ErrorIs(t, res[0].Err, ErrInvalidInput)
	assert.Zero(t, d.count("CreateSpace"))
}

func TestSpacesNeedASpacesAPI(t *testing.T) {
	c := New(&stubAPI{})
	_, err := c.EnsureSpace(context.Background(), alicesSpace())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, errNoSpacesAPI)
	assert.Contains(t, err.Error(), "SpacesAPI")
	res := c.EnsureSpaces(context.Background(), []*sagemaker.CreateSpaceInput{alicesSpace(), alicesSpace()})
	for _, r := range res {
		assert.ErrorIs(t, r.Err, errNoSpacesAPI)
	}
	_, err = c.LaunchURL(context.Background(), AppID{DomainID: "d-abc123", SpaceName: "alice-space", AppType: types.AppTypeJupyterLab, AppName: "default"})
	assert.ErrorIs(t, err, errNoSpacesAPI)
	_, err = (&Client{}).EnsureSpace(context.Background(), alicesSpace())
	assert.ErrorIs(t, err, errNoAPI)
}

func spaceInputs(n int) []*sagemaker.CreateSpaceInput {
	ins := make([]*sagemaker.CreateSpaceInput, n)
	for i := range ins {
		user := fmt.Sprintf("user%d", i)
		ins[i] = PrivateSpace("d-abc123", user+"-space", user, types.AppTypeJupyterLab)
	}
	return ins
}

func TestEnsureSpacesResultsInInputOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		d.seed("user2-space", "someone-else", types.SharingTypePrivate, types.AppTypeJupyterLab, types.SpaceStatusInService)
		ins := spaceInputs(5)
		ins[3].SpaceName = aws.String("bad_name")
		var mu sync.Mutex
		var last BatchProgress
		res := New(d).EnsureSpaces(context.Background(), ins, func(o *BatchOptions) {
			o.OnProgress = func(p BatchProgress) { mu.Lock(); last = p; mu.Unlock() }
		})
		require.Len(t, res, 5)
		for _, i := range []int{0, 1, 4} {
			require.NoError(t, res[i].Err, i)
			assert.Equal(t, aws.ToString(ins[i].SpaceName), res[i].Space.Name)
		}
		var conflict *SpaceConflictError
		assert.ErrorAs(t, res[2].Err, &conflict)
		assert.ErrorIs(t, res[3].Err, ErrInvalidInput)
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, BatchProgress{Total: 5, InService: 3, Failed: 2, Elapsed: last.Elapsed}, last, "the last report has the final counts")
	})
}

func TestEnsureSpacesHonoursConcurrency(t *testing.T) {
	d := newSpacesDouble()
	d.newStatuses = []types.SpaceStatus{types.SpaceStatusInService}
	d.createGate, d.arrived = make(chan struct{}), make(chan struct{}, 10)
	done := make(chan []SpaceResult)
	go func() {
		done <- New(d, func(o *Options) { o.Sleep = func(context.Context, time.Duration) error { return nil } }).
			EnsureSpaces(context.Background(), spaceInputs(6), func(o *BatchOptions) { o.Concurrency, o.CreatesPerSecond = 2, -1 })
	}()
	<-d.arrived
	<-d.arrived // two creates in flight
	close(d.createGate)
	res := <-done
	for _, r := range res {
		require.NoError(t, r.Err)
	}
	assert.Equal(t, 2, d.maxInFlight)
}

func TestEnsureSpacesHoldsTheCreateRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		d.newStatuses = []types.SpaceStatus{types.SpaceStatusInService}
		res := New(d).EnsureSpaces(context.Background(), spaceInputs(9), func(o *BatchOptions) { o.Concurrency, o.CreatesPerSecond = 8, 2 })
		for _, r := range res {
			require.NoError(t, r.Err)
		}
		require.Len(t, d.creates, 9)
		first, last := d.creates[0], d.creates[0]
		for _, at := range d.creates {
			first, last = minTime(first, at), maxTime(last, at)
		}
		assert.Equal(t, 4*time.Second, last.Sub(first), "9 creates at 2 a second, burst 1, take 4 s")
	})
}

func TestEnsureSpacesCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		d.newStatuses = []types.SpaceStatus{types.SpaceStatusPending}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Minute, cancel)
		res := New(d).EnsureSpaces(ctx, spaceInputs(4), func(o *BatchOptions) { o.Concurrency = 2 })
		for i, r := range res {
			assert.ErrorIs(t, r.Err, context.Canceled, i)
		}
		assert.Equal(t, 2, d.count("CreateSpace"), "the two never started made no call")
	})
}

// A slow OnProgress holds up no space: its calls are coalesced on a goroutine of their own.
func TestEnsureSpacesSlowProgressHoldsNoWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newSpacesDouble()
		d.newStatuses = []types.SpaceStatus{types.SpaceStatusInService}
		var mu sync.Mutex
		var calls int
		var last BatchProgress
		res := New(d).EnsureSpaces(context.Background(), spaceInputs(8), func(o *BatchOptions) {
			o.Concurrency, o.CreatesPerSecond = 1, -1
			o.OnProgress = func(p BatchProgress) {
				time.Sleep(time.Hour)
				mu.Lock()
				calls, last = calls+1, p
				mu.Unlock()
			}
		})
		for _, r := range res {
			require.NoError(t, r.Err)
		}
		require.Len(t, d.creates, 8)
		assert.Less(t, d.creates[7].Sub(d.creates[0]), time.Hour, "one worker made all eight spaces while the first report slept")
		mu.Lock()
		defer mu.Unlock()
		assert.Less(t, calls, 16, "reports were coalesced")
		assert.Equal(t, 8, last.InService, "the last report has the final counts")
	})
}

// Against sagemakerfake, which models spaces on its own (facts §7): the flows above hold on the
// real wire protocol, and the library refuses exactly what the fake would.
func TestEnsureSpaceAgainstTheFake(t *testing.T) {
	srv := sagemakerfake.Start(t)
	domainID, err := srv.SeedDomain("", &sagemaker.CreateDomainInput{DomainName: aws.String("spaces"), AuthMode: types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{ExecutionRole: aws.String("arn:aws:iam::123456789012:role/studio")}})
	require.NoError(t, err)
	for _, user := range []string{"alice", "bob"} {
		require.NoError(t, srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(domainID), UserProfileName: aws.String(user)}))
	}
	c := New(srv.Client(), func(o *Options) {
		o.Now = srv.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error { srv.Advance(d); return ctx.Err() }
	})
	ctx := context.Background()

	sp, err := c.EnsureSpace(ctx, PrivateSpace(domainID, "alice-space", "alice", types.AppTypeJupyterLab))
	require.NoError(t, err)
	assert.Equal(t, types.SpaceStatusInService, sp.Status)
	again, err := c.EnsureSpace(ctx, PrivateSpace(domainID, "alice-space", "alice", types.AppTypeJupyterLab))
	require.NoError(t, err, "adopted")
	assert.Equal(t, sp.ARN, again.ARN)

	_, err = c.EnsureSpace(ctx, PrivateSpace(domainID, "alice-space", "bob", types.AppTypeCodeEditor))
	var conflict *SpaceConflictError
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, []string{"OwnershipSettings.OwnerUserProfileName", "SpaceSettings.AppType"}, conflict.Fields)

	_, err = c.EnsureSpace(ctx, PrivateSpace(domainID, "bob", "bob", types.AppTypeJupyterLab))
	assert.ErrorIs(t, err, ErrResourceInUse)
	assert.Contains(t, err.Error(), "user profile", "the name is bob's profile's")

	// The image rule: no level gives one, so the library refuses before the call, as the fake would.
	in := &sagemaker.CreateAppInput{DomainId: aws.String(domainID), SpaceName: aws.String("alice-space"), AppType: types.AppTypeJupyterLab,
		AppName: aws.String("default"), ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}}
	_, rawErr := srv.Client().CreateApp(ctx, in)
	var apiErr smithy.APIError
	require.ErrorAs(t, rawErr, &apiErr)
	assert.Contains(t, apiErr.ErrorMessage(), "SageMaker Image ARN is required")
	_, err = c.CreateApp(ctx, in)
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "ResourceSpec.SageMakerImageArn", fe.Field)
	assert.Empty(t, srv.Apps())

	image, err := DistributionImage("us-east-1", false)
	require.NoError(t, err)
	in.ResourceSpec.SageMakerImageArn = aws.String(image)
	app, err := c.EnsureApp(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, types.AppStatusInService, app.Status)
	url, err := c.LaunchURL(ctx, app.ID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(url, srv.URL()+sagemakerfake.StudioPath), url)
}
