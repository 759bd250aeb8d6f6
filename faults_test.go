package sagemakerapp

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// TestFaultMatrix runs Create, CreateAndWait, Ensure and DeleteApp against each fault the fake
// injects into the operation's call, and checks the kind of the outcome, the number of apps the
// fake created (never a duplicate; exactly one on success), that no fault turns into a false
// ResourceInUse, and that no goroutine is left behind.
func TestFaultMatrix(t *testing.T) {
	const slow = 300 * time.Millisecond // real time: the fake's latency is wall-clock
	faults := []struct {
		name  string
		fault sagemakerfake.Fault
		// ctx, when set, makes the context of the call.
		ctx func() (context.Context, context.CancelFunc)
		// want is the outcome of Create, CreateAndWait, Ensure and DeleteApp.
		want [4]string
	}{
		{name: "throttled twice then recovers", fault: sagemakerfake.Fault{Code: "ThrottlingException", Times: 2},
			want: [4]string{"nil", "nil", "nil", "nil"}},
		{name: "throttled past the SDK's attempts", fault: sagemakerfake.Fault{Code: "ThrottlingException", Times: 5},
			want: [4]string{"Throttled", "Throttled", "nil", "Throttled"}},
		{name: "500 twice", fault: sagemakerfake.Fault{Code: "InternalFailure", Times: 2},
			want: [4]string{"nil", "nil", "nil", "nil"}},
		{name: "503 past the SDK's attempts", fault: sagemakerfake.Fault{Code: "ServiceUnavailable", Status: 503, Times: 5},
			want: [4]string{"ServiceUnavailable", "ServiceUnavailable", "nil", "ServiceUnavailable"}},
		{name: "lost response after commit", fault: sagemakerfake.Fault{DropAfterCommit: true, Times: 1},
			want: [4]string{"nil", "nil", "nil", "nil"}},
		{name: "every response lost after commit", fault: sagemakerfake.Fault{DropAfterCommit: true, Times: 3},
			want: [4]string{"ServiceUnavailable", "ServiceUnavailable", "nil", "ServiceUnavailable"}},
		{name: "dropped before commit", fault: sagemakerfake.Fault{DropBeforeCommit: true, Times: 1},
			want: [4]string{"nil", "nil", "nil", "nil"}},
		{name: "slow response past the deadline", fault: sagemakerfake.Fault{Latency: slow, Times: 1},
			ctx:  func() (context.Context, context.CancelFunc) { return context.WithTimeout(context.Background(), slow/3) },
			want: [4]string{"DeadlineExceeded", "WaitTimeout", "WaitTimeout", "DeadlineExceeded"}},
		{name: "canceled during the call", fault: sagemakerfake.Fault{Latency: slow, Times: 1},
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				timer := time.AfterFunc(slow/3, cancel)
				return ctx, func() { timer.Stop(); cancel() }
			},
			want: [4]string{"Canceled", "Canceled", "Canceled", "Canceled"}},
	}
	ops := [4]string{"Create", "CreateAndWait", "Ensure", "DeleteApp"}
	for _, f := range faults {
		for i, op := range ops {
			t.Run(f.name+"/"+op, func(t *testing.T) {
				t.Cleanup(func() { goleak.VerifyNone(t) }) // runs last, after the fake has closed
				e := newEnv(t)
				ctx := context.Background()
				builder := e.builder("default")
				if op == "DeleteApp" {
					_, err := builder.Ensure(ctx)
					require.NoError(t, err)
				}
				callCtx, cancel := ctx, context.CancelFunc(func() {})
				if f.ctx != nil {
					callCtx, cancel = f.ctx()
				}
				defer cancel()
				target := "CreateApp"
				if op == "DeleteApp" {
					target = "DeleteApp"
				}
				e.srv.InjectFault(target, f.fault)

				var err error
				switch op {
				case "Create":
					_, err = builder.Create(callCtx)
				case "CreateAndWait":
					_, err = builder.CreateAndWait(callCtx)
				case "Ensure":
					_, err = builder.Ensure(callCtx)
				case "DeleteApp":
					err = e.c.DeleteApp(callCtx, e.id("default"))
				}
				assert.Equal(t, f.want[i], errorKind(err), "outcome: %v", err)
				assert.NotErrorIs(t, err, ErrResourceInUse, "no false ResourceInUse")
				assert.LessOrEqual(t, e.creates.Load(), int32(1), "never a duplicate")
				if err == nil {
					assert.EqualValues(t, 1, e.creates.Load(), "exactly one app")
					if op == "DeleteApp" {
						assert.Contains(t, []types.AppStatus{types.AppStatusDeleting, types.AppStatusDeleted}, e.status(t, "default"))
					}
				}
			})
		}
	}
}

// TestConcurrentEnsureUnderFaults: 100 goroutines ensure 20 apps, five callers each, while the
// fake loses 20% of the answers after acting, fails 10% of all calls with a 5xx and throttles 20%.
// Two of the five callers of each app ask for another instance type. Exactly one app per name
// exists; every success is an app with the spec its caller asked for (no wrong success); the
// callers of the spec that won all get its ARN; those of the other spec get an *AppConflictError.
// It runs in a testing/synctest bubble, so that 100 goroutines each wait on their own timers and
// the time is exact.
func TestConcurrentEnsureUnderFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSyncEnv(t, sagemakerfake.WithStartupDelay(time.Minute))
		e.srv.InjectFault(sagemakerfake.AllOperations, sagemakerfake.Fault{DropAfterCommit: true, Probability: 0.20})
		e.srv.InjectFault(sagemakerfake.AllOperations, sagemakerfake.Fault{Code: "InternalFailure", Probability: 0.10})
		e.srv.InjectFault(sagemakerfake.AllOperations, sagemakerfake.Fault{Code: "ThrottlingException", Probability: 0.20})

		const apps, callers = 20, 5
		type outcome struct {
			spec types.AppInstanceType
			app  *App
			err  error
		}
		got := make([][callers]outcome, apps)
		var wg sync.WaitGroup
		for a := range apps {
			for c := range callers {
				spec := types.AppInstanceTypeMlT3Medium
				if c%5 >= 3 {
					spec = types.AppInstanceTypeMlM5Xlarge
				}
				in := e.input(fmt.Sprintf("app%02d", a))
				in.ResourceSpec.InstanceType = spec
				wg.Add(1)
				go func() {
					defer wg.Done()
					app, err := e.c.EnsureApp(context.Background(), in)
					got[a][c] = outcome{spec, app, err}
				}()
			}
		}
		wg.Wait()
		e.srv.ClearFaults(sagemakerfake.AllOperations)

		live := map[string]sagemakerfake.App{}
		for _, app := range e.srv.Apps() {
			live[app.AppName] = app
		}
		require.Len(t, live, apps, "exactly one app per name")
		wrong := 0
		for a := range apps {
			actual := live[fmt.Sprintf("app%02d", a)]
			assert.Equal(t, types.AppStatusInService, actual.Status)
			for c, o := range got[a] {
				if o.spec == actual.ResourceSpec.InstanceType {
					require.NoError(t, o.err, "app %d caller %d asked the spec that exists", a, c)
					assert.Equal(t, actual.ARN, o.app.ARN)
					continue
				}
				if o.err == nil {
					wrong++
				}
				var conflict *AppConflictError
				assert.ErrorAs(t, o.err, &conflict, "app %d caller %d asked another spec", a, c)
			}
		}
		assert.Zero(t, wrong, "no success for an app of another spec")
		assert.EqualValues(t, apps, e.creates.Load(), "exactly one create per app")
		t.Logf("client attempts: CreateApp %d, DescribeApp %d, ListApps %d, ListTags %d, AddTags %d",
			e.calls("CreateApp"), e.calls("DescribeApp"), e.calls("ListApps"), e.calls("ListTags"), e.calls("AddTags"))
	})
}
