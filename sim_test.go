package sagemakerapp

// The lifecycle's seeded, deterministic simulation (issue 21): random workloads of the public
// calls against sagemakerfake, inside testing/synctest, with adversaries acting through raw SDK
// clients and faults decided per caller, and the invariants I1–I5 checked against the fake's
// history after every call returns. See internal/simtest.
//
//	go test -run TestSimulation                       # the regression seeds and seeds 1…500
//	go test . -run TestSimulation -sim.seed=N -v      # one seed, with its schedule
//	go test . -run TestSimulation -sim.seeds=100000   # many more, by hand

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/internal/simtest"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

var (
	simSeed  = flag.Uint64("sim.seed", 0, "TestSimulation: run this seed alone, with its schedule")
	simSeeds = flag.Int("sim.seeds", 500, "TestSimulation: how many seeds to run (1…n), besides the regression seeds; -short runs 60")
	simFrom  = flag.Int("sim.from", 1, "TestSimulation: the first seed of the range")
)

// simRegressions holds every seed that ever failed; CI replays them all.
const simRegressions = "testdata/sim_regressions.txt"

func TestSimulation(t *testing.T) {
	if *simSeed != 0 {
		runSeed(t, *simSeed, true)
		return
	}
	n := *simSeeds
	if testing.Short() && n == 500 {
		n = 60
	}
	seeds := simtest.Seeds(t, simRegressions, uint64(*simFrom), n)
	simtest.RunSeeds(t, seeds, func(t *testing.T, seed uint64) { runSeed(t, seed, false) })
}

// simCall is one call of the workload and what it returned.
type simCall struct {
	n        int
	id       string
	kind     string
	client   int // 0 or 1: two Clients, as two replicas of a platform
	at       time.Duration
	in       *sagemaker.CreateAppInput
	ins      []*sagemaker.CreateAppInput
	space    *sagemaker.CreateSpaceInput
	filter   AppFilter
	timeout  time.Duration // WaitOptions.Timeout
	minDelay time.Duration // WaitOptions.MinDelay and MaxDelay; 0: the defaults
	maxDelay time.Duration
	deadline time.Duration // the context's deadline after the start; 0: none
	cancelAt time.Duration // the context is cancelled this long after the start; 0: never
	batch    BatchOptions  // Concurrency and CreatesPerSecond of a batch
	zero     bool          // made on a Client without an API
	user     string        // DeleteUser's user
	userOpts DeleteUserOptions

	start, end time.Time
	app        *App
	outcome    Outcome
	err        error
	results    []Result
	spaceOut   *Space
	panicked   any
}

// The kinds of call of the workload.
const (
	kEnsure     = "EnsureApp"
	kReplace    = "EnsureApp(ConflictReplace)"
	kEnsureApps = "EnsureApps"
	kSpace      = "EnsureSpace"
	kSpaces     = "EnsureSpaces"
	kCreate     = "CreateApp"
	kCreateWait = "CreateAndWait"
	kWait       = "WaitForApp"
	kWaitGone   = "WaitForAppDeleted"
	kDelete     = "DeleteApp"
	kDeleteApps = "DeleteApps"
	kDelSpace   = "DeleteSpace"
	kDelUser    = "DeleteUser"
	kUpdSpace   = "EnsureSpace(ConflictUpdate)"
)

var simKinds = []string{kEnsure, kEnsure, kReplace, kReplace, kEnsureApps, kEnsureApps, kSpace, kSpaces, kCreate, kCreateWait, kWait, kWaitGone, kDelete,
	kDeleteApps, kDeleteApps, kDelSpace, kDelUser, kUpdSpace}

// simWorld is a seed's world with the library's side: two Clients, the first observed.
type simWorld struct {
	*simtest.World
	window  time.Duration // the calls and adversaries start within it
	clients [2]*Client
	running [2]int // the calls of each Client in flight
	tracer  *memTracer
	meter   *memMeter
	calls   []*simCall
	failed  []string
	mu      sync.Mutex
}

func (sw *simWorld) fail(format string, args ...any) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	sw.failed = append(sw.failed, fmt.Sprintf(format, args...))
}

func runSeed(t *testing.T, seed uint64, verbose bool) {
	synctest.Test(t, func(t *testing.T) {
		w := simtest.NewWorld(t, seed, 3)
		sw := &simWorld{World: w, tracer: &memTracer{}, meter: &memMeter{}}
		sw.clients[0] = New(w.Srv.Client(clientMark(0)), func(o *Options) { o.TracerProvider, o.MeterProvider = sw.tracer, sw.meter })
		sw.clients[1] = New(w.Srv.Client(clientMark(1)))
		sw.plan()
		var wg sync.WaitGroup
		for _, c := range sw.calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.SleepUntil(c.at)
				w.Call(c.id)
				sw.mu.Lock()
				sw.running[c.client]++
				sw.mu.Unlock()
				sw.run(c)
				sw.mu.Lock()
				sw.running[c.client]--
				alone := sw.running[c.client] == 0 || c.zero
				sw.mu.Unlock()
				// I4: no goroutine of the call outlives it, but a shared read of defaults (which
				// ends with its last caller) while another call of the Client may wait for it.
				skip := []string{"singleflight"}
				if alone {
					skip = nil
				}
				if left := w.Outliving(c.id, skip...); len(left) > 0 {
					sw.fail("I4: %s: %d goroutines outlive the call:\n%s", c.id, len(left), strings.Join(left, "\n"))
				}
				sw.check(c)
			}()
		}
		for i := range w.Rand.IntN(9) {
			kind := simtest.Adversaries[w.Rand.IntN(len(simtest.Adversaries))]
			in := sw.anyApp()
			at := time.Duration(w.Rand.Int64N(int64(sw.window)))
			var when types.AppStatus
			// After 0.1 s to 30 s, log-uniform: most react at once, as a script would.
			after := time.Duration(100 * math.Pow(300, w.Rand.Float64()) * float64(time.Millisecond))
			if w.Rand.IntN(2) == 0 {
				when = []types.AppStatus{types.AppStatusPending, types.AppStatusInService, types.AppStatusInService, types.AppStatusDeleted}[w.Rand.IntN(4)]
			}
			id := fmt.Sprintf("sim-adv-%d", i)
			w.Logf("%s: %s of %s at %v, when %q, after %v", id, kind, aws.ToString(in.SpaceName), at.Round(time.Millisecond), when, after.Round(time.Millisecond))
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.SleepUntil(at)
				w.ActWhen(kind, id, in, when, after)
			}()
		}
		wg.Wait()
		if left := w.Outliving(""); len(left) > 0 {
			sw.fail("I4: %d goroutines outlive every call:\n%s", len(left), strings.Join(left, "\n"))
		}
		sw.checkObservability()
		if len(sw.failed) > 0 || verbose || t.Failed() {
			h := w.ReadHistory()
			msg := fmt.Sprintf("seed %d: replay with: go test -run TestSimulation -sim.seed=%d -v\n", seed, seed)
			if len(sw.failed) > 0 {
				msg += "violations:\n  " + strings.Join(sw.failed, "\n  ") + "\n"
			}
			msg += "schedule:\n" + w.Schedule() + "\nhistory:\n" + h.Dump()
			if verbose {
				msg += "requests:\n"
				for _, r := range w.Srv.Requests() {
					msg += fmt.Sprintf("%s %s %s %d %s %.120s\n", r.Time.Sub(w.Start), r.Operation, appIDs(r.UserAgent), r.Status, r.ErrorCode, r.Body)
				}
			}
			if len(sw.failed) > 0 {
				t.Error(msg)
			} else {
				t.Log(msg)
			}
		}
	})
}

// clientMark adds "simclient/n" to the User-Agent of every request of a Client, so that the checks
// can tell the shared rounds of one Client from another's.
func clientMark(n int) func(*sagemaker.Options) {
	return func(o *sagemaker.Options) {
		o.APIOptions = append(o.APIOptions, awsmiddleware.AddUserAgentKeyValue("simclient", strconv.Itoa(n)))
	}
}

// anyApp draws an app of the world: the JupyterLab app of a private space, mostly, or a Studio
// Classic app of the shared space.
func (sw *simWorld) anyApp() *sagemaker.CreateAppInput {
	r := sw.Rand
	if r.IntN(5) == 0 {
		return sw.Classic(r.IntN(2) == 0)
	}
	tags := map[string]string{"team": "ml"}
	if r.IntN(4) == 0 {
		tags["env"] = "dev"
	}
	spaces := append(slices.Clone(sw.Spaces), sw.Others...)
	return sw.App(spaces[r.IntN(len(spaces))], simtest.Specs[r.IntN(2)], tags)
}

// plan draws the seed's workload.
func (sw *simWorld) plan() {
	r := sw.Rand
	sw.window = []time.Duration{20 * time.Second, 2 * time.Minute, 10 * time.Minute}[r.IntN(3)]
	n := 3 + r.IntN(7)
	for i := range n {
		c := &simCall{n: i, id: simtest.CallerID(i), kind: simKinds[r.IntN(len(simKinds))], client: r.IntN(2),
			at: time.Duration(r.Int64N(int64(sw.window))).Round(time.Millisecond)}
		c.timeout = []time.Duration{45 * time.Second, 3 * time.Minute, 8 * time.Minute, 20 * time.Minute}[r.IntN(4)]
		switch r.IntN(3) {
		case 1:
			c.minDelay, c.maxDelay = 500*time.Millisecond, 5*time.Second
		case 2:
			c.minDelay, c.maxDelay = 2*time.Second, time.Minute
		}
		if r.IntN(3) == 0 {
			c.deadline = time.Duration(float64(c.timeout) * (0.5 + r.Float64())).Round(time.Millisecond)
		}
		if r.IntN(7) == 0 {
			c.cancelAt = time.Duration(r.Int64N(int64(c.timeout))).Round(time.Millisecond)
		}
		c.batch.Concurrency = []int{1, 2, 16}[r.IntN(3)]
		c.batch.CreatesPerSecond = []float64{2, 0.5, 0.05, -1}[r.IntN(4)]
		c.zero = r.IntN(40) == 0
		switch c.kind {
		case kEnsureApps:
			seen := map[sagemakerfake.AppKey]bool{}
			for range 2 + r.IntN(5) {
				if in := sw.anyApp(); !seen[simtest.Key(in)] {
					seen[simtest.Key(in)] = true
					c.ins = append(c.ins, in)
				}
			}
		case kDelSpace:
			spaces := append(slices.Clone(sw.Spaces), sw.Others...)
			c.space = sw.PrivateSpace(append(spaces, "n0")[r.IntN(len(spaces)+1)], "alice", types.AppTypeJupyterLab)
		case kDelUser:
			c.user = []string{"bob", "carol", "Carol", "alice"}[r.IntN(4)]
			c.userOpts = DeleteUserOptions{KeepProfile: r.IntN(3) == 0, DeleteSharedSpaces: r.IntN(2) == 0}
		case kUpdSpace:
			c.space = sw.PrivateSpace(sw.Spaces[r.IntN(len(sw.Spaces))], "alice", types.AppTypeJupyterLab)
			c.space.SpaceSettings.SpaceStorageSettings = &types.SpaceStorageSettings{EbsStorageSettings: &types.EbsStorageSettings{
				EbsVolumeSizeInGb: aws.Int32([]int32{5, 10, 20, 50}[r.IntN(4)])}}
			c.space.SpaceSettings.JupyterLabAppSettings = &types.SpaceJupyterLabAppSettings{AppLifecycleManagement: &types.SpaceAppLifecycleManagement{
				IdleSettings: &types.SpaceIdleSettings{IdleTimeoutInMinutes: aws.Int32([]int32{60, 120, 600}[r.IntN(3)])}}}
			c.space.SpaceSettings.RemoteAccess = []types.FeatureStatus{types.FeatureStatusEnabled, types.FeatureStatusDisabled}[r.IntN(2)]
		case kSpace, kSpaces:
			name := sw.Spaces[r.IntN(len(sw.Spaces))]
			if r.IntN(3) == 0 {
				name = fmt.Sprintf("n%d", r.IntN(2))
			}
			appType := types.AppTypeJupyterLab
			if r.IntN(4) == 0 {
				appType = types.AppTypeCodeEditor
			}
			c.space = sw.PrivateSpace(name, []string{"alice", "alice", "bob"}[r.IntN(3)], appType)
		case kDeleteApps:
			c.filter = AppFilter{DomainID: sw.Domain}
			if r.IntN(2) == 0 {
				c.filter.SpaceName = aws.ToString(sw.anyApp().SpaceName)
			}
			c.batch.CreatesPerSecond = []float64{2, 0.2, 0.01}[r.IntN(3)]
		default:
			c.in = sw.anyApp()
		}
		if c.kind == kCreate || c.kind == kDelete {
			c.deadline = c.timeout // no WaitOptions: the caller's context bounds them
		}
		sw.calls = append(sw.calls, c)
	}
}

func (c *simCall) describe() string {
	s := fmt.Sprintf("%s %s", c.id, c.kind)
	switch {
	case c.in != nil:
		s += fmt.Sprintf(" %s on %s %v", aws.ToString(c.in.SpaceName), c.in.ResourceSpec.InstanceType, tagMap(c.in.Tags))
	case c.ins != nil:
		for _, in := range c.ins {
			s += fmt.Sprintf(" %s on %s", aws.ToString(in.SpaceName), in.ResourceSpec.InstanceType)
		}
	case c.space != nil:
		s += fmt.Sprintf(" %s of %s", aws.ToString(c.space.SpaceName), aws.ToString(c.space.OwnershipSettings.OwnerUserProfileName))
	case c.kind == kDelUser:
		s += fmt.Sprintf(" %s %+v", c.user, c.userOpts)
	case c.kind == kDeleteApps:
		s += fmt.Sprintf(" filter %+v", c.filter)
	}
	s += fmt.Sprintf(" (client %d, Timeout %v", c.client, c.timeout)
	if c.maxDelay > 0 {
		s += fmt.Sprintf(", delays %v-%v", c.minDelay, c.maxDelay)
	}
	if c.kind == kEnsureApps || c.kind == kDeleteApps || c.kind == kSpaces {
		s += fmt.Sprintf(", concurrency %d at %v/s", c.batch.Concurrency, c.batch.CreatesPerSecond)
	}
	if c.zero {
		s += ", a Client without an API"
	}
	if c.deadline > 0 {
		s += fmt.Sprintf(", deadline %v", c.deadline)
	}
	if c.cancelAt > 0 {
		s += fmt.Sprintf(", cancel at %v", c.cancelAt)
	}
	return s + ")"
}

func tagMap(tags []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// run makes the call, recovering a panic, which is a violation.
func (sw *simWorld) run(c *simCall) {
	sw.Logf("%s starts", c.describe())
	// A watchdog ends a call that outlives every bound by an hour, so that a hang is reported as
	// an I4 violation instead of deadlocking the bubble.
	ctx, stopAll := context.WithCancel(context.Background())
	defer stopAll()
	watchdog := time.AfterFunc(c.timeout+c.timeout/4+time.Hour, stopAll)
	defer watchdog.Stop()
	var cancel context.CancelFunc = func() {}
	if c.deadline > 0 {
		ctx, cancel = context.WithTimeout(ctx, c.deadline)
	}
	defer cancel()
	if c.cancelAt > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithCancel(ctx)
		defer stop()
		timer := time.AfterFunc(c.cancelAt, stop)
		defer timer.Stop()
	}
	mark := simtest.Caller(c.id)
	wait := func(o *WaitOptions) {
		o.Timeout, o.MinDelay, o.MaxDelay = c.timeout, c.minDelay, c.maxDelay
		o.ClientOptions = append(o.ClientOptions, mark)
	}
	batch := func(o *BatchOptions) {
		o.Concurrency, o.CreatesPerSecond = c.batch.Concurrency, c.batch.CreatesPerSecond
		wait(&o.Wait)
	}
	client := sw.clients[c.client]
	if c.zero {
		client = []*Client{{}, New(nil)}[c.n%2]
	}
	c.start = time.Now()
	defer func() {
		c.end = time.Now()
		if p := recover(); p != nil {
			c.panicked = fmt.Sprintf("%v\n%s", p, debug.Stack())
		}
		sw.Logf("%s returns after %v: %s", c.id, c.end.Sub(c.start), c.result())
	}()
	switch c.kind {
	case kEnsure, kReplace:
		w := client.newWaiter(appIDOf(c.in), newWaitOptions([]func(*WaitOptions){wait, func(o *WaitOptions) {
			if c.kind == kReplace {
				o.OnConflict = ConflictReplace
			}
		}}), "InService")
		ctx, cancel := w.bound(ctx)
		defer cancel()
		w.join()
		defer w.leave()
		c.app, c.outcome, c.err = client.ensure(ctx, c.in, w)
	case kEnsureApps:
		c.results = client.EnsureApps(ctx, c.ins, batch)
	case kSpace:
		c.spaceOut, c.err = client.EnsureSpace(ctx, c.space, wait)
	case kSpaces:
		rs := client.EnsureSpaces(ctx, []*sagemaker.CreateSpaceInput{c.space}, batch)
		c.spaceOut, c.err = rs[0].Space, rs[0].Err
	case kCreate:
		c.app, c.err = client.CreateApp(ctx, c.in, mark)
	case kCreateWait:
		b := client.NewApp(sw.Domain, c.in.AppType, aws.ToString(c.in.AppName)).InSpace(aws.ToString(c.in.SpaceName)).
			InstanceType(c.in.ResourceSpec.InstanceType).Tag("team", "ml")
		if c.in.ResourceSpec.SageMakerImageArn != nil {
			b = b.Image(simtest.Image)
		}
		c.app, c.err = b.CreateAndWait(ctx, wait)
	case kWait:
		c.app, c.err = client.WaitForApp(ctx, appIDOf(c.in), wait)
	case kWaitGone:
		c.err = client.WaitForAppDeleted(ctx, appIDOf(c.in), wait)
	case kDelete:
		c.err = client.DeleteApp(ctx, appIDOf(c.in), mark)
	case kDelSpace:
		c.err = client.DeleteSpace(ctx, sw.Domain, aws.ToString(c.space.SpaceName), wait)
	case kDelUser:
		c.err = client.DeleteUser(ctx, sw.Domain, c.user, func(o *DeleteUserOptions) {
			*o = c.userOpts
			batch(&o.Batch)
		})
	case kUpdSpace:
		c.spaceOut, c.err = client.EnsureSpace(ctx, c.space, wait, func(o *WaitOptions) { o.OnConflict = ConflictUpdate })
	case kDeleteApps:
		filter := c.filter
		filter.ClientOptions = []func(*sagemaker.Options){mark}
		c.results = client.DeleteApps(ctx, filter, batch)
	}
}

func (c *simCall) result() string {
	switch {
	case c.panicked != nil:
		return fmt.Sprintf("PANIC %v", c.panicked)
	case c.results != nil:
		var parts []string
		for _, r := range c.results {
			if r.Err != nil {
				parts = append(parts, fmt.Sprintf("%s: %v", r.Outcome, r.Err))
			} else {
				parts = append(parts, fmt.Sprintf("%s %s", r.Outcome, r.App.ID))
			}
		}
		return "[" + strings.Join(parts, "; ") + "]"
	case c.err != nil:
		return fmt.Sprintf("%s %v", c.outcome, c.err)
	case c.app != nil:
		return fmt.Sprintf("%s %s %s", c.outcome, c.app.ID, c.app.Status)
	case c.spaceOut != nil:
		return fmt.Sprintf("space %s %s", c.spaceOut, c.spaceOut.Status)
	}
	return "ok"
}

// margin is how far past its bound a call may return: the unwinding of a call in flight.
const simMargin = time.Second

// check asserts the invariants on one call, against the history as the call returns.
func (sw *simWorld) check(c *simCall) {
	h := sw.ReadHistory()
	reqs := sw.Requests(c.id, "")
	bad := func(format string, args ...any) {
		sw.fail("%s: %s", c.describe(), fmt.Sprintf(format, args...))
	}
	if c.panicked != nil {
		bad("I4: panicked: %v", c.panicked)
		return
	}
	if c.zero {
		sw.checkZero(c, bad)
		return
	}
	sw.checkBound(c, sw.Arrivals(c.id, ""), bad)
	// The earliest a timeout may come: the Timeout, or the context's deadline; for an app of a
	// batch that sent a CreateApp, its Timeout starts with that create.
	earliest := c.timeout
	if c.kind == kDelete {
		earliest = DefaultWaitTimeout // its wait for a Pending app has the default WaitOptions
	}
	if c.deadline > 0 {
		earliest = min(earliest, c.deadline)
	}
	canceled := c.cancelAt > 0 && c.end.Sub(c.start) >= c.cancelAt
	checkErr := func(err error, from time.Time, transientOK bool) {
		if err == nil {
			return
		}
		if !documentedKind(err) {
			bad("I5: an error of no documented kind: %T %v", err, err)
		}
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Code == "ValidationException" && strings.Contains(apiErr.Message, "validation error detected") {
			bad("the library sent a request the service refuses as malformed: %v", err)
		}
		deadlineAt := c.start.Add(earliest)
		if c.kind != kDelete && (c.deadline == 0 || c.start.Add(c.deadline).After(from.Add(c.timeout))) {
			deadlineAt = from.Add(c.timeout)
			if c.deadline > 0 {
				deadlineAt = minTime(deadlineAt, c.start.Add(c.deadline))
			}
		}
		timedOut := !c.end.Before(deadlineAt.Add(-simMargin))
		switch {
		case errors.Is(err, ErrWaitTimeout) || errors.Is(err, context.DeadlineExceeded):
			if !timedOut && !canceled {
				bad("I5: a timeout after %v, before its Timeout or deadline (at %v): %v", c.end.Sub(c.start), deadlineAt.Sub(c.start), err)
			}
		case errors.Is(err, context.Canceled):
			if !canceled {
				bad("I5: canceled though nobody cancelled it: %v", err)
			}
		case !transientOK && !timedOut && !canceled && !permanentKind(err):
			bad("I5: ended early on an error its doc does not call permanent: %v", err)
		}
	}

	switch c.kind {
	case kEnsure, kReplace:
		checkErr(c.err, c.start, false)
		sw.checkEnsured(h, c, c.in, c.app, c.outcome, c.err, bad)
		sw.checkPace(h, c, reqs, simtest.Key(c.in), bad)
	case kEnsureApps:
		for i, r := range c.results {
			key := simtest.Key(c.ins[i])
			from, sent := c.start, false
			for _, q := range sw.Arrivals(c.id, "CreateApp") {
				// The app's Timeout starts when its first create is sent, if that is before its
				// time is up.
				if simtest.AppOfBody(q.Body) == key {
					sent = true
					if q.Time.Before(c.start.Add(c.timeout - simMargin)) {
						from = q.Time
					}
					break
				}
			}
			checkErr(r.Err, from, false)
			if errors.Is(r.Err, ErrWaitTimeout) && !sent && sw.FirstHang(c.id).IsZero() && !h.AppWithin(key, c.start, c.end, func(s simtest.AppState, _ time.Time) bool { return !s.Gone() }) &&
				!canceled && (c.deadline == 0 || c.end.Before(c.start.Add(c.deadline-simMargin))) {
				// Its Timeout starts when its first create is sent: an app that was gone all along,
				// and so needed one, timed out waiting for its turn.
				bad("I4: app %s timed out in the batch's queue, never sent: %v", key.SpaceName, r.Err)
			}
			if r.Err == nil && r.App != nil && appIDOf(c.ins[i]) != r.App.ID {
				bad("result %d is the app %s, not %s", i, r.App.ID, appIDOf(c.ins[i]))
			}
			sw.checkEnsured(h, c, c.ins[i], r.App, r.Outcome, r.Err, bad)
			if c.batch.Concurrency >= len(c.ins) && (c.batch.CreatesPerSecond < 0 || c.batch.CreatesPerSecond >= 1) {
				sw.checkPace(h, c, reqs, key, bad) // (a wait for a slow rate is no look)
			}
		}
	case kDelSpace:
		checkErr(c.err, c.start, false)
		if c.err == nil && !h.SpaceWithin(sw.Domain, aws.ToString(c.space.SpaceName), c.start, c.end, func(s simtest.SpaceState, _ time.Time) bool { return s.Status == "" }) {
			bad("DeleteSpace succeeded, but the space was never gone during the call")
		}
	case kDelUser:
		checkErr(c.err, c.start, false)
		sw.checkDeleteUser(h, c, bad)
	case kSpace, kSpaces, kUpdSpace:
		checkErr(c.err, c.start, false)
		var conflict *SpaceConflictError
		if errors.As(c.err, &conflict) && conflict.Existing.Status == types.SpaceStatusDeleting {
			bad("a space being deleted is waited out, not a conflict: %v", c.err)
		}
		if c.err == nil {
			sp := c.spaceOut
			if sp.Status != types.SpaceStatusInService || !strings.EqualFold(sp.Owner, aws.ToString(c.space.OwnershipSettings.OwnerUserProfileName)) ||
				sp.AppType != c.space.SpaceSettings.AppType || sp.SharingType != types.SharingTypePrivate {
				bad("I1: returned space %+v is not the one asked for", sp)
			}
			if !h.SpaceWithin(sw.Domain, aws.ToString(c.space.SpaceName), c.start, c.end, func(s simtest.SpaceState, _ time.Time) bool {
				return s.Status == types.SpaceStatusInService
			}) {
				bad("I1: the space was never InService during the call")
			}
		}
	case kCreate:
		checkErr(c.err, c.start, true)
		if c.err == nil {
			sw.checkCreated(h, c, reqs, bad)
		}
	case kCreateWait:
		checkErr(c.err, c.start, true) // its CreateApp is one call, as CreateApp's
		if c.err == nil {
			sw.checkInService(h, c, c.app, bad)
		}
	case kWait:
		checkErr(c.err, c.start, false)
		if c.err == nil {
			sw.checkInService(h, c, c.app, bad)
		}
		sw.checkPace(h, c, reqs, simtest.Key(c.in), bad)
	case kWaitGone:
		checkErr(c.err, c.start, false)
		if c.err == nil && !h.AppWithin(simtest.Key(c.in), c.start, c.end, func(s simtest.AppState, _ time.Time) bool { return s.Gone() }) {
			bad("WaitForAppDeleted succeeded, but the app was never gone during the call")
		}
		sw.checkPace(h, c, reqs, simtest.Key(c.in), bad)
	case kDelete:
		checkErr(c.err, c.start, true)
		if c.err == nil && !h.AppWithin(simtest.Key(c.in), c.start, c.end, func(s simtest.AppState, _ time.Time) bool {
			return s.Gone() || s.Status == types.AppStatusDeleting
		}) {
			bad("DeleteApp succeeded, but the app was never Deleting or gone during the call")
		}
	case kDeleteApps:
		for _, r := range c.results {
			checkErr(r.Err, c.start, false)
			if r.App == nil {
				continue
			}
			if r.Err == nil && !h.AppWithin(keyOf(r.App.ID), c.start, c.end, func(s simtest.AppState, _ time.Time) bool { return s.Gone() }) {
				bad("DeleteApps reports %s deleted, but it was never gone during the call", r.App.ID)
			}
			if c.batch.Concurrency >= len(c.results) && c.batch.CreatesPerSecond >= 1 {
				sw.checkPace(h, c, reqs, keyOf(r.App.ID), bad) // (a wait for the turn of a slow rate is no look)
			}
		}
	}
	sw.checkDeletes(h, c, reqs, bad)
}

// checkZero: a Client without an API fails every call with an *APIError, and never panics.
func (sw *simWorld) checkZero(c *simCall, bad func(string, ...any)) {
	errs := []error{c.err}
	if c.results != nil {
		errs = nil
		for _, r := range c.results {
			errs = append(errs, r.Err)
		}
	}
	for _, err := range errs {
		var apiErr *APIError
		if c.kind == kWait || c.kind == kWaitGone || c.kind == kDelete || c.kind == kCreate || c.kind == kCreateWait ||
			c.kind == kEnsure || c.kind == kReplace || c.kind == kEnsureApps || c.kind == kDeleteApps || c.kind == kSpace || c.kind == kSpaces ||
			c.kind == kDelSpace || c.kind == kDelUser || c.kind == kUpdSpace {
			if !errors.As(err, &apiErr) {
				bad("a Client without an API: %v, not an *APIError", err)
			}
		}
	}
}

// checkBound: I4, every call returns within its bound plus one call's unwinding. A batch's
// bound: the listing may take a quarter of the Timeout, each app's Timeout starts when its first
// create is sent (or when it starts), and the waits for the rate before each DeleteApp attempt are
// not counted.
func (sw *simWorld) checkBound(c *simCall, reqs []sagemakerfake.Request, bad func(string, ...any)) {
	end := c.start.Add(c.timeout)
	switch c.kind {
	case kEnsureApps:
		// Each app: from its first CreateApp, or else from its first look, at most the Timeout.
		end = c.start.Add(c.timeout/4 + c.timeout)
		for _, in := range c.ins {
			key := simtest.Key(in)
			for _, q := range reqs {
				if (q.Operation == "CreateApp" || q.Operation == "DescribeApp") && simtest.AppOfBody(q.Body) == key {
					end = maxTime(end, q.Time.Add(c.timeout))
					if q.Operation == "CreateApp" {
						break
					}
				}
			}
		}
	case kDeleteApps:
		// Each app: from its first look, at most the Timeout and its waits for the rate (an app
		// waits for a slot uncounted).
		deletes := 0
		for _, q := range reqs {
			if q.Operation == "DeleteApp" {
				deletes++
			}
		}
		// Each DeleteApp attempt waits its turn, and so may a turn taken ahead that a look then
		// did not use (one per app).
		rate := time.Duration(float64(deletes+len(c.results)+1) / c.batch.CreatesPerSecond * float64(time.Second))
		end = end.Add(rate)
		seen := map[sagemakerfake.AppKey]bool{}
		for _, q := range reqs {
			if k := simtest.AppOfBody(q.Body); q.Operation == "DescribeApp" && !seen[k] {
				seen[k] = true
				end = maxTime(end, q.Time.Add(c.timeout+rate))
			}
		}
	}
	if c.deadline > 0 {
		end = minTime(end, c.start.Add(c.deadline))
	}
	if c.end.After(end.Add(simMargin)) {
		bad("I4: took %v, past its bound %v", c.end.Sub(c.start), end.Sub(c.start))
	}
}

// checkPace: a wait looks at its app at its pace: no two looks (a DescribeApp of the app by the
// call, or a ListApps of the call's Client) more than MaxDelay and a slack apart while the call
// runs, but across a CreateApp or DeleteApp of the app (which may wait for a rate).
func (sw *simWorld) checkPace(h *simtest.History, c *simCall, reqs []sagemakerfake.Request, key sagemakerfake.AppKey, bad func(string, ...any)) {
	maxDelay := c.maxDelay
	if maxDelay == 0 {
		maxDelay = DefaultMaxDelay
	}
	const slack = 10 * time.Second
	client := fmt.Sprintf("simclient/%d", c.client)
	all := sw.Srv.Requests()
	slices.SortStableFunc(all, func(a, b sagemakerfake.Request) int { return a.Time.Compare(b.Time) })
	// acts reports whether this call creates or deletes the app within a moment after t: a look
	// right before such a call may follow a wait for a rate, which is no gap in the looks.
	acts := func(t time.Time) bool {
		for _, q := range all {
			if simtest.Of(q.UserAgent, c.id) && (q.Operation == "CreateApp" || q.Operation == "DeleteApp") && simtest.AppOfBody(q.Body) == key &&
				!q.Time.Before(t) && q.Time.Sub(t) <= 50*time.Millisecond {
				return true
			}
		}
		return false
	}
	// Once a call of its own hangs, the wait looks no more until the call ends: nothing to check.
	until := c.end
	if hang := sw.FirstHang(c.id); !hang.IsZero() {
		until = minTime(until, hang)
	}
	// And the wait of this app ends with the call's last request about it.
	var lastOwn time.Time
	for _, q := range reqs {
		if simtest.AppOfBody(q.Body) == key {
			lastOwn = q.Time
		}
	}
	until = minTime(until, lastOwn)
	// DeleteApps takes a turn of its rate between a look that saw the app InService and the look
	// right before the delete: no look in between is due.
	turn := false
	var last time.Time
	for _, q := range all {
		if q.Time.Before(c.start) || q.Time.After(until) {
			continue
		}
		mine := simtest.Of(q.UserAgent, c.id)
		switch {
		case mine && (q.Operation == "CreateApp" || q.Operation == "DeleteApp") && simtest.AppOfBody(q.Body) == key:
			last = time.Time{} // a rate may hold it: the pace starts again after it
		case mine && q.Operation == "DescribeApp" && simtest.AppOfBody(q.Body) == key && q.Status == 0:
			last = time.Time{} // no answer
		case mine && q.Operation == "DescribeApp" && simtest.AppOfBody(q.Body) == key,
			q.Operation == "ListApps" && strings.Contains(q.UserAgent, client):
			// A wait waits for a round due within its pace (three quarters of MaxDelay), and
			// gives up on one overdue by MaxDelay.
			if !last.IsZero() && q.Time.Sub(last) > 2*maxDelay+slack && !acts(q.Time) && !turn {
				bad("a wait did not look at %s for %v (%v to %v), past MaxDelay %v", key.SpaceName+key.UserProfileName, q.Time.Sub(last),
					last.Sub(sw.Start), q.Time.Sub(sw.Start), maxDelay)
				return
			}
			if q.Status == 200 {
				turn = c.kind == kDeleteApps && h.AppAt(key, q.Time).Status == types.AppStatusInService
			}
			last = q.Time
		}
	}
}

// checkCreated: I2 for CreateApp: the app returned is one a CreateApp of this call made; or, as
// CreateApp's doc says it cannot tell, one that another caller made with the same spec and tags
// within the two seconds before an attempt of this call whose outcome was unknown.
func (sw *simWorld) checkCreated(h *simtest.History, c *simCall, reqs []sagemakerfake.Request, bad func(string, ...any)) {
	var unknownFrom time.Time
	for _, q := range reqs {
		if q.Operation == "CreateApp" && (q.Dropped || q.Status == 0 || q.Status >= 500) {
			unknownFrom = q.Time
			break
		}
	}
	for _, e := range h.AppEvents(simtest.Key(c.in), c.start.Add(-3*time.Second), c.end, sagemakerfake.EventAppCreated) {
		if e.ARN != c.app.ARN {
			continue
		}
		if simtest.Of(e.UserAgent, c.id) {
			return
		}
		if !unknownFrom.IsZero() && !e.Time.Before(unknownFrom.Add(-3*time.Second)) && specDiff(c.in, e.ResourceSpec) == nil &&
			maps.Equal(tagMap(e.Tags), tagMap(c.in.Tags)) {
			return // indistinguishable without a client token, as documented
		}
	}
	bad("I2: CreateApp succeeded with %s, which no CreateApp of this call made", c.app.ARN)
}

func keyOf(id AppID) sagemakerfake.AppKey {
	return sagemakerfake.AppKey{DomainID: id.DomainID, UserProfileName: id.UserProfileName, SpaceName: id.SpaceName, AppType: id.AppType, AppName: id.AppName}
}

// checkInService: I1 for a wait: the app returned, with its ARN, was InService at some instant
// within the call.
func (sw *simWorld) checkInService(h *simtest.History, c *simCall, app *App, bad func(string, ...any)) {
	if app == nil || app.ARN == "" {
		bad("I1: success without an app or its ARN: %+v", app)
		return
	}
	if !h.AppWithin(keyOf(app.ID), c.start, c.end, func(s simtest.AppState, _ time.Time) bool {
		return s.Status == types.AppStatusInService && s.ARN == app.ARN
	}) {
		bad("I1: %s was never InService during the call", app.ARN)
	}
}

// checkEnsured: I1 and I2 for one Ensure of in.
func (sw *simWorld) checkEnsured(h *simtest.History, c *simCall, in *sagemaker.CreateAppInput, app *App, outcome Outcome, err error, bad func(string, ...any)) {
	key := simtest.Key(in)
	var conflict *AppConflictError
	if errors.As(err, &conflict) && conflict.Existing != nil && conflict.Existing.ID == appIDOf(in) {
		// A conflict names members that really differ, from an app that was there.
		if diff := specDiff(in, conflict.Existing.ResourceSpec); !slices.Equal(diff, conflict.Fields) || diff == nil {
			bad("I5: a conflict naming %v for an app whose spec differs in %v", conflict.Fields, diff)
		}
		if !h.AppWithin(key, c.start, c.end, func(s simtest.AppState, _ time.Time) bool {
			return s.Live() && s.Spec != nil && specDiff(in, s.Spec) != nil
		}) {
			bad("I5: a conflict, but no app of another spec was there during the call")
		}
	}
	if errors.As(err, &conflict) && conflict.Existing != nil && conflict.Existing.ID != appIDOf(in) && !oneAppSpace(conflict.Existing.ID.AppType, in.AppType) {
		bad("I5: a space conflict with %s, which does not keep %s from its space", conflict.Existing.ID, appIDOf(in))
	}
	if err != nil {
		return
	}
	if app == nil || app.ARN == "" {
		bad("I1: success without an app or its ARN: %+v", app)
		return
	}
	// I1: InService at an instant of the call, with every member the request sets and its tags.
	var at simtest.AppState
	var when time.Time
	if !h.AppWithin(key, c.start, c.end, func(s simtest.AppState, t time.Time) bool {
		if s.Status == types.AppStatusInService && s.ARN == app.ARN && s.Spec != nil && specDiff(in, s.Spec) == nil && s.HasTags(in.Tags) {
			at, when = s, t
		}
		return false // the last such instant
	}) && at.Incarnation == 0 {
		bad("I1: %s (%s) was never InService with the requested spec and tags during the call", app.ARN, outcome)
		return
	}
	// I2: created, recreated, replaced: a CreateApp of this call made it; adopted: it was not
	// provably this call's.
	mine := simtest.Of(at.CreatedBy, c.id)
	lostSight := false // an app this call made was deleted by another party during the call
	for _, e := range h.AppEvents(key, c.start, when, sagemakerfake.EventAppDeleting) {
		if before := h.StateBefore(e); simtest.Of(before.CreatedBy, c.id) && !simtest.Of(e.UserAgent, c.id) {
			lostSight = true
		}
	}
	unknown := false // a CreateApp of this call whose answer was lost, cut short or a 5xx
	for _, r := range sw.Requests(c.id, "CreateApp") {
		if simtest.AppOfBody(r.Body) == key && (r.Dropped || r.Status == 0 || r.Status >= 500) {
			unknown = true
		}
	}
	switch outcome {
	case OutcomeCreated, OutcomeRecreated, OutcomeReplaced:
		if !mine && !(lostSight && at.Spec != nil) {
			bad("I2: %s, but the app (life %d) was made by %q", outcome, at.Incarnation, at.CreatedBy)
		}
	case OutcomeAdopted:
		if mine && !unknown && !lostSight {
			bad("I2: adopted, but this call's own CreateApp made the app (life %d), and its answer came", at.Incarnation)
		}
	default:
		bad("an Ensure that succeeded with outcome %q", outcome)
	}
}

// checkDeletes: I3 for every DeleteApp this call committed.
func (sw *simWorld) checkDeletes(h *simtest.History, c *simCall, reqs []sagemakerfake.Request, bad func(string, ...any)) {
	for _, e := range h.By(c.id, c.start, c.end) {
		if e.Kind != sagemakerfake.EventAppDeleting {
			continue
		}
		before := h.StateBefore(e)
		switch c.kind {
		case kDelSpace, kDelUser:
			// Checked as DeleteApps' deletes are, below; DeleteUser's scope in checkDeleteUser.
			if c.kind == kDelSpace && e.App.SpaceName != aws.ToString(c.space.SpaceName) {
				bad("I3: DeleteSpace deleted %v, outside its space", e.App)
			}
			sw.checkLookedAt(h, c, reqs, e, before, bad)
		case kReplace:
			if e.App != simtest.Key(c.in) {
				bad("I3: ConflictReplace deleted another app, %v", e.App)
			} else if before.Spec == nil || specDiff(c.in, before.Spec) == nil {
				bad("I3: ConflictReplace deleted an app (life %d) with the requested spec", before.Incarnation)
			}
		case kDelete:
			if e.App != simtest.Key(c.in) {
				bad("I3: DeleteApp deleted another app, %v", e.App)
			}
		case kDeleteApps:
			if e.App.DomainID != c.filter.DomainID || (c.filter.SpaceName != "" && e.App.SpaceName != c.filter.SpaceName) {
				bad("I3: DeleteApps deleted %v, outside its filter", e.App)
				continue
			}
			sw.checkLookedAt(h, c, reqs, e, before, bad)
		default:
			bad("I3: a %s deleted %v", c.kind, e.App)
		}
	}
	// Spaces and profiles: only DeleteSpace and DeleteUser delete them.
	for _, e := range h.By(c.id, c.start, c.end) {
		switch {
		case e.Kind == sagemakerfake.EventSpaceDeleting && c.kind == kDelSpace && e.SpaceName != aws.ToString(c.space.SpaceName):
			bad("I3: DeleteSpace deleted the space %s", e.SpaceName)
		case e.Kind == sagemakerfake.EventSpaceDeleting && c.kind != kDelSpace && c.kind != kDelUser,
			e.Kind == sagemakerfake.EventUserProfileDeleted && c.kind != kDelUser:
			bad("I3: a %s deleted %s %s", c.kind, e.Kind, e.SpaceName+e.UserProfileName)
		}
	}
}

// checkLookedAt: I3 for a delete of DeleteApps (and DeleteSpace, DeleteUser): the life deleted is
// the one the call last looked at (its listing, or a DescribeApp of it, answered). A life that
// began after that look with the same spec, the app never seen in between, cannot be told from it
// by any client (a restart keeps the ARN and the CreationTime), and is allowed. The log holds a
// request when it ends, so the latest look is the greatest arrival time, not the last entry: a
// ListApps that hung for minutes is logged after the looks that followed it.
func (sw *simWorld) checkLookedAt(h *simtest.History, c *simCall, reqs []sagemakerfake.Request, e sagemakerfake.Event, before simtest.AppState, bad func(string, ...any)) {
	var last time.Time
	for _, r := range reqs {
		if (r.Operation == "ListApps" || r.Operation == "DescribeApp" && simtest.AppOfBody(r.Body) == e.App) &&
			r.Status == http.StatusOK && !r.Time.After(e.Time) && r.Time.After(last) {
			last = r.Time
		}
	}
	was := h.AppAt(e.App, last)
	switch {
	case last.IsZero():
		bad("I3: %s deleted %v without looking at it first", c.kind, e.App)
	case was.Incarnation == before.Incarnation:
	case was.Spec != nil && before.Spec != nil && was.Spec.InstanceType == before.Spec.InstanceType &&
		aws.ToString(was.Spec.SageMakerImageArn) == aws.ToString(before.Spec.SageMakerImageArn):
		sw.Logf("note: %s deleted life %d of %v, which began after its look at life %d with the same spec", c.id, before.Incarnation, e.App, was.Incarnation)
	default:
		bad("I3: %s deleted life %d of %v (%s), started after its look at life %d (%s)", c.kind, before.Incarnation, e.App,
			specString(before.Spec), was.Incarnation, specString(was.Spec))
	}
}

func specString(s *types.ResourceSpec) string {
	if s == nil {
		return "no spec"
	}
	return string(s.InstanceType)
}

// checkObservability: I5, the metrics and spans of the observed Client against what its calls
// returned.
func (sw *simWorld) checkObservability() {
	want := map[Outcome]int{}
	timed := 0
	for _, c := range sw.calls {
		if c.client != 0 || c.panicked != nil || c.zero {
			continue
		}
		switch c.kind {
		case kEnsure, kReplace:
			want[c.outcome]++
			if c.err == nil && (c.outcome == OutcomeCreated || c.outcome == OutcomeRecreated || c.outcome == OutcomeReplaced) {
				timed++
			}
		case kEnsureApps:
			for _, r := range c.results {
				if r.Outcome != "" {
					want[r.Outcome]++
				}
				if r.Err == nil && (r.Outcome == OutcomeCreated || r.Outcome == OutcomeRecreated || r.Outcome == OutcomeReplaced) {
					timed++
				}
			}
		case kCreateWait:
			if c.err == nil {
				timed++
			}
		}
	}
	for _, o := range []Outcome{OutcomeCreated, OutcomeAdopted, OutcomeRecreated, OutcomeReplaced, OutcomeConflict, OutcomeFailed} {
		if got := int(sw.meter.sum(metricEnsureOutcomes, metricAttrOutcome, string(o))); got != want[o] {
			sw.fail("I5: the outcome counter says %d %s, the calls returned %d", got, o, want[o])
		}
		spans := 0
		for _, s := range sw.tracer.named(spanEnsureApp) {
			if s.prop(attrOutcome) == string(o) {
				spans++
			}
		}
		if spans != want[o] {
			sw.fail("I5: %d EnsureApp spans say %s, the calls returned %d", spans, o, want[o])
		}
	}
	if got := len(sw.meter.values(metricTimeToInService)); got != timed {
		sw.fail("I5: time_to_in_service recorded %d times, for %d apps the calls created", got, timed)
	}
}

// documentedKind reports whether err is of a kind the library's docs name.
func documentedKind(err error) bool {
	var (
		apiErr   *APIError
		valErr   *ValidationError
		failed   *AppFailedError
		conflict *AppConflictError
		spConf   *SpaceConflictError
		spFailed *SpaceFailedError
	)
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrWaitTimeout) ||
		errors.As(err, &apiErr) || errors.As(err, &valErr) || errors.As(err, &failed) || errors.As(err, &conflict) ||
		errors.As(err, &spConf) || errors.As(err, &spFailed) || errors.Is(err, ErrResourceInUse)
}

// appIDs are the app/… and simclient/… parts of a User-Agent, for the request log of a failing seed.
func appIDs(ua string) string {
	var out []string
	for _, f := range strings.Fields(ua) {
		if strings.HasPrefix(f, "app/") || strings.HasPrefix(f, "simclient/") {
			out = append(out, f)
		}
	}
	return strings.Join(out, ",")
}

// permanentKind reports whether err is of a kind the docs of Ensure and the waits call permanent,
// that may end them before their Timeout.
func permanentKind(err error) bool {
	var (
		valErr   *ValidationError
		failed   *AppFailedError
		conflict *AppConflictError
		spConf   *SpaceConflictError
		spFailed *SpaceFailedError
	)
	return errors.As(err, &valErr) || errors.As(err, &failed) || errors.As(err, &conflict) || errors.As(err, &spConf) ||
		errors.As(err, &spFailed) || errors.Is(err, ErrAccessDenied) || errors.Is(err, ErrResourceLimitExceeded) ||
		errors.Is(err, ErrResourceNotFound) || errors.Is(err, ErrServiceValidation) || errors.Is(err, ErrResourceInUse)
}

// oneAppSpace is the rule of facts §7.1, as the checks read it: a space runs one JupyterLab or
// CodeEditor app, and no other app beside it; Studio Classic apps share a space.
func oneAppSpace(a, b AppType) bool {
	one := func(t AppType) bool { return t == types.AppTypeJupyterLab || t == types.AppTypeCodeEditor }
	return one(a) || one(b)
}

// checkDeleteUser: DeleteUser deletes only the user's apps, spaces and profile (shared spaces only
// when asked); a refusal for a shared space deletes nothing; success means the profile (unless
// kept) or else each of the user's spaces was gone at an instant of the call.
func (sw *simWorld) checkDeleteUser(h *simtest.History, c *simCall, bad func(string, ...any)) {
	mine := func(space string, at time.Time) (bool, bool) {
		owner, shared, ok := sw.SpaceOwnerAt(h, space, at)
		return ok && strings.EqualFold(owner, c.user), shared
	}
	deleted := 0
	for _, e := range h.By(c.id, c.start, c.end) {
		switch e.Kind {
		case sagemakerfake.EventAppDeleting:
			deleted++
			if own, _ := mine(e.App.SpaceName, e.Time); !strings.EqualFold(e.App.UserProfileName, c.user) && !own {
				bad("I3: DeleteUser %s deleted %v, neither on the user's profile nor in a space the user owns", c.user, e.App)
			}
		case sagemakerfake.EventSpaceDeleting:
			deleted++
			own, shared := mine(e.SpaceName, e.Time.Add(-time.Nanosecond))
			switch {
			case !own:
				bad("I3: DeleteUser %s deleted the space %s, which the user does not own", c.user, e.SpaceName)
			case shared && !c.userOpts.DeleteSharedSpaces:
				bad("I3: DeleteUser %s deleted the shared space %s without DeleteSharedSpaces", c.user, e.SpaceName)
			}
		case sagemakerfake.EventUserProfileDeleted:
			deleted++
			if !strings.EqualFold(e.UserProfileName, c.user) || c.userOpts.KeepProfile {
				bad("I3: DeleteUser %s (KeepProfile %v) deleted the user profile %s", c.user, c.userOpts.KeepProfile, e.UserProfileName)
			}
		}
	}
	var shared *sharedSpacesError
	if errors.As(c.err, &shared) && deleted > 0 {
		bad("refused for a shared space, but deleted %d things", deleted)
	}
	if c.err != nil {
		return
	}
	if !c.userOpts.KeepProfile && !h.ProfileGoneWithin(c.user, c.start, c.end) {
		bad("DeleteUser %s succeeded, but the profile was never gone during the call", c.user)
	}
	for _, space := range append(slices.Clone(sw.Spaces), append(sw.Others, "n0", "n1")...) {
		if own, _ := mine(space, c.start); own && !h.SpaceWithin(sw.Domain, space, c.start, c.end, func(s simtest.SpaceState, _ time.Time) bool { return s.Status == "" }) {
			bad("DeleteUser %s succeeded, but its space %s was never gone during the call", c.user, space)
		}
	}
}
