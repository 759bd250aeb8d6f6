package sagemakerapp

// The lifecycle's seeded, deterministic simulation (issue 21): random workloads of the public
// calls against sagemakerfake, inside testing/synctest, with adversaries acting through raw SDK
// clients and faults decided per caller, and the invariants I1–I5 checked against the fake's
// history after every call returns. See internal/simtest.
//
//	go test -run TestSimulation                       # the regression seeds and seeds 1…500
//	go test -run TestSimulation -sim.seed=N -v        # one seed, with its schedule
//	go test -run TestSimulation -sim.seeds=100000     # many more, by hand

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	seeds := regressionSeeds(t)
	n := *simSeeds
	if testing.Short() && n == 500 {
		n = 60
	}
	for s := *simFrom; s < *simFrom+n; s++ {
		seeds = append(seeds, uint64(s))
	}
	slices.Sort(seeds)
	seeds = slices.Compact(seeds)
	for _, seed := range seeds {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			t.Parallel()
			runSeed(t, seed, false)
		})
	}
}

func regressionSeeds(t *testing.T) []uint64 {
	f, err := os.Open(simRegressions)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var seeds []uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		s, err := strconv.ParseUint(line, 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", simRegressions, err)
		}
		seeds = append(seeds, s)
	}
	return seeds
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
	deadline time.Duration // the context's deadline after the start; 0: none
	cancelAt time.Duration // the context is cancelled this long after the start; 0: never

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
)

var simKinds = []string{kEnsure, kEnsure, kReplace, kEnsureApps, kSpace, kSpaces, kCreate, kCreateWait, kWait, kWaitGone, kDelete, kDeleteApps}

// simWorld is a seed's world with the library's side: two Clients, the first observed.
type simWorld struct {
	*simtest.World
	clients [2]*Client
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
		sw.clients[0] = New(w.Srv.Client(), func(o *Options) { o.TracerProvider, o.MeterProvider = sw.tracer, sw.meter })
		sw.clients[1] = New(w.Srv.Client())
		sw.plan()
		var wg sync.WaitGroup
		for _, c := range sw.calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.SleepUntil(c.at)
				sw.run(c)
				sw.check(c)
			}()
		}
		nAdv := w.Rand.IntN(5)
		for i := range nAdv {
			kind := simtest.Adversaries[w.Rand.IntN(len(simtest.Adversaries))]
			space := w.Spaces[w.Rand.IntN(len(w.Spaces))]
			at := time.Duration(w.Rand.Int64N(int64(12 * time.Minute)))
			in := w.App(space, simtest.Specs[w.Rand.IntN(2)], map[string]string{"team": "ml"})
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.SleepUntil(at)
				w.Act(kind, fmt.Sprintf("sim-adv-%d", i), in)
			}()
		}
		wg.Wait()
		sw.checkObservability()
		if len(sw.failed) > 0 || verbose || t.Failed() {
			h := w.ReadHistory()
			msg := fmt.Sprintf("seed %d: replay with: go test -run TestSimulation -sim.seed=%d -v\n", seed, seed)
			if len(sw.failed) > 0 {
				msg += "violations:\n  " + strings.Join(sw.failed, "\n  ") + "\n"
			}
			msg += "schedule:\n" + w.Schedule() + "\nhistory:\n" + h.Dump()
			if len(sw.failed) > 0 {
				t.Error(msg)
			} else {
				t.Log(msg)
			}
		}
	})
}

// plan draws the seed's workload.
func (sw *simWorld) plan() {
	r := sw.Rand
	tags := func() map[string]string {
		if r.IntN(4) == 0 {
			return map[string]string{"team": "ml", "env": "dev"}
		}
		return map[string]string{"team": "ml"}
	}
	app := func() *sagemaker.CreateAppInput {
		return sw.App(sw.Spaces[r.IntN(len(sw.Spaces))], simtest.Specs[r.IntN(2)], tags())
	}
	n := 3 + r.IntN(5)
	for i := range n {
		c := &simCall{n: i, id: simtest.CallerID(i), kind: simKinds[r.IntN(len(simKinds))], client: r.IntN(2),
			at: time.Duration(r.Int64N(int64(10 * time.Minute))).Round(time.Millisecond)}
		c.timeout = []time.Duration{45 * time.Second, 3 * time.Minute, 8 * time.Minute, 20 * time.Minute}[r.IntN(4)]
		if r.IntN(3) == 0 {
			c.deadline = time.Duration(float64(c.timeout) * (0.5 + r.Float64())).Round(time.Millisecond)
		}
		if r.IntN(7) == 0 {
			c.cancelAt = time.Duration(r.Int64N(int64(c.timeout))).Round(time.Millisecond)
		}
		switch c.kind {
		case kEnsureApps:
			perm := r.Perm(len(sw.Spaces))
			for _, k := range perm[:2+r.IntN(len(sw.Spaces)-1)] {
				c.ins = append(c.ins, sw.App(sw.Spaces[k], simtest.Specs[r.IntN(2)], tags()))
			}
		case kSpace, kSpaces:
			name := sw.Spaces[r.IntN(len(sw.Spaces))]
			if r.IntN(3) == 0 {
				name = fmt.Sprintf("n%d", r.IntN(2))
			}
			c.space = sw.PrivateSpace(name, []string{"alice", "alice", "bob"}[r.IntN(3)])
		case kDeleteApps:
			c.filter = AppFilter{DomainID: sw.Domain}
			if r.IntN(2) == 0 {
				c.filter.SpaceName = sw.Spaces[r.IntN(len(sw.Spaces))]
			}
		default:
			c.in = app()
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
	case c.kind == kDeleteApps:
		s += fmt.Sprintf(" filter %+v", c.filter)
	}
	s += fmt.Sprintf(" (client %d, Timeout %v", c.client, c.timeout)
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
	ctx := context.Background()
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
		o.Timeout = c.timeout
		o.ClientOptions = append(o.ClientOptions, mark)
	}
	client := sw.clients[c.client]
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
		c.results = client.EnsureApps(ctx, c.ins, func(o *BatchOptions) { wait(&o.Wait) })
	case kSpace:
		c.spaceOut, c.err = client.EnsureSpace(ctx, c.space, wait)
	case kSpaces:
		rs := client.EnsureSpaces(ctx, []*sagemaker.CreateSpaceInput{c.space}, func(o *BatchOptions) { wait(&o.Wait) })
		c.spaceOut, c.err = rs[0].Space, rs[0].Err
	case kCreate:
		c.app, c.err = client.CreateApp(ctx, c.in, mark)
	case kCreateWait:
		c.app, c.err = client.NewApp(sw.Domain, c.in.AppType, aws.ToString(c.in.AppName)).InSpace(aws.ToString(c.in.SpaceName)).
			InstanceType(c.in.ResourceSpec.InstanceType).Image(simtest.Image).Tag("team", "ml").CreateAndWait(ctx, wait)
	case kWait:
		c.app, c.err = client.WaitForApp(ctx, appIDOf(c.in), wait)
	case kWaitGone:
		c.err = client.WaitForAppDeleted(ctx, appIDOf(c.in), wait)
	case kDelete:
		c.err = client.DeleteApp(ctx, appIDOf(c.in), mark)
	case kDeleteApps:
		c.results = client.DeleteApps(ctx, c.filter, func(o *BatchOptions) { wait(&o.Wait) })
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
	bad := func(format string, args ...any) {
		sw.fail("%s: %s", c.describe(), fmt.Sprintf(format, args...))
	}
	if c.panicked != nil {
		bad("I4: panicked: %v", c.panicked)
		return
	}
	// I4: within its Timeout, or the context's deadline, plus one call's unwinding.
	bound := c.timeout
	if c.deadline > 0 {
		bound = min(bound, c.deadline)
	}
	switch c.kind {
	case kEnsureApps:
		if c.deadline == 0 || c.deadline > c.timeout {
			// The listing may take a quarter of the Timeout, and each app's Timeout starts when its
			// first create is sent, at 2 creates a second.
			bound = c.timeout/4 + c.timeout + time.Duration(len(c.ins))*time.Second/2
			if c.deadline > 0 {
				bound = min(bound, c.deadline)
			}
		}
	case kDeleteApps:
		bound += 2 * time.Second * time.Duration(len(c.results)) // each DeleteApp attempt's wait for the rate is not counted
	}
	if took := c.end.Sub(c.start); took > bound+simMargin {
		bad("I4: took %v, past its bound %v", took, bound)
	}
	// The earliest a timeout may come: the Timeout, or the context's deadline.
	earliest := c.timeout
	if c.deadline > 0 {
		earliest = min(earliest, c.deadline)
	}
	deadlineAt := c.start.Add(earliest)
	canceled := c.cancelAt > 0 && c.end.Sub(c.start) >= c.cancelAt

	checkErr := func(err error, early bool, transientOK bool) {
		if err == nil {
			return
		}
		if !documentedKind(err) {
			bad("I5: an error of no documented kind: %T %v", err, err)
		}
		timedOut := !c.end.Before(deadlineAt.Add(-simMargin))
		switch {
		case errors.Is(err, ErrWaitTimeout) || errors.Is(err, context.DeadlineExceeded):
			if !timedOut && !canceled {
				bad("I5: a timeout %v after %v, before its Timeout or deadline %v", err, c.end.Sub(c.start), earliest)
			}
		case errors.Is(err, context.Canceled):
			if !canceled {
				bad("I5: canceled though nobody cancelled it: %v", err)
			}
		case (errors.Is(err, ErrThrottled) || errors.Is(err, ErrServiceUnavailable)) && !transientOK && !timedOut && !canceled:
			bad("I5: ended early on a transient error its doc does not call permanent: %v", err)
		}
		_ = early
	}

	switch c.kind {
	case kEnsure, kReplace:
		checkErr(c.err, true, false)
		sw.checkEnsured(h, c, c.in, c.app, c.outcome, c.err, bad)
	case kEnsureApps:
		for i, r := range c.results {
			checkErr(r.Err, true, false)
			if r.Err == nil && r.App != nil && appIDOf(c.ins[i]) != r.App.ID {
				bad("result %d is the app %s, not %s", i, r.App.ID, appIDOf(c.ins[i]))
			}
			sw.checkEnsured(h, c, c.ins[i], r.App, r.Outcome, r.Err, bad)
		}
	case kSpace, kSpaces:
		checkErr(c.err, true, false)
		if c.err == nil {
			sp := c.spaceOut
			if sp.Status != types.SpaceStatusInService || !strings.EqualFold(sp.Owner, aws.ToString(c.space.OwnershipSettings.OwnerUserProfileName)) ||
				sp.AppType != types.AppTypeJupyterLab || sp.SharingType != types.SharingTypePrivate {
				bad("I1: returned space %+v is not the one asked for", sp)
			}
			if !h.SpaceWithin(sw.Domain, aws.ToString(c.space.SpaceName), c.start, c.end, func(s simtest.SpaceState, _ time.Time) bool {
				return s.Status == types.SpaceStatusInService
			}) {
				bad("I1: the space was never InService during the call")
			}
		}
	case kCreate:
		checkErr(c.err, false, true)
		if c.err == nil {
			mine := false
			for _, e := range h.AppEvents(simtest.Key(c.in), c.start, c.end, sagemakerfake.EventAppCreated) {
				if simtest.Of(e.UserAgent, c.id) && e.ARN == c.app.ARN {
					mine = true
				}
			}
			if !mine {
				bad("I2: CreateApp succeeded with %s, which no CreateApp of this call made", c.app.ARN)
			}
		}
	case kCreateWait:
		checkErr(c.err, true, true) // its CreateApp is one call, as CreateApp's
		if c.err == nil {
			sw.checkInService(h, c, c.app, bad)
		}
	case kWait:
		checkErr(c.err, true, false)
		if c.err == nil {
			sw.checkInService(h, c, c.app, bad)
		}
	case kWaitGone:
		checkErr(c.err, true, false)
		if c.err == nil && !h.AppWithin(simtest.Key(c.in), c.start, c.end, func(s simtest.AppState, _ time.Time) bool { return s.Gone() }) {
			bad("WaitForAppDeleted succeeded, but the app was never gone during the call")
		}
	case kDelete:
		checkErr(c.err, false, true)
		if c.err == nil && !h.AppWithin(simtest.Key(c.in), c.start, c.end, func(s simtest.AppState, _ time.Time) bool {
			return s.Gone() || s.Status == types.AppStatusDeleting
		}) {
			bad("DeleteApp succeeded, but the app was never Deleting or gone during the call")
		}
	case kDeleteApps:
		for _, r := range c.results {
			checkErr(r.Err, true, false)
			if r.Err == nil && r.App != nil && !h.AppWithin(keyOf(r.App.ID), c.start, c.end, func(s simtest.AppState, _ time.Time) bool { return s.Gone() }) {
				bad("DeleteApps reports %s deleted, but it was never gone during the call", r.App.ID)
			}
		}
	}
	sw.checkDeletes(h, c, bad)
	// The library never sends what the service refuses as malformed.
	for _, r := range sw.Requests(c.id, "") {
		if r.ErrorCode == "ValidationException" && r.Operation != "DeleteApp" {
			bad("a request the service refused as invalid: %s %s", r.Operation, r.Body)
		}
	}
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
func (sw *simWorld) checkDeletes(h *simtest.History, c *simCall, bad func(string, ...any)) {
	for _, e := range h.By(c.id, c.start, c.end) {
		if e.Kind != sagemakerfake.EventAppDeleting {
			continue
		}
		before := h.StateBefore(e)
		switch c.kind {
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
			// The app deleted is the one this call last looked at: its life then is the one deleted.
			var last time.Time
			for _, r := range sw.Requests(c.id, "DescribeApp") {
				if simtest.AppOfBody(r.Body) == e.App && !r.Time.After(e.Time) {
					last = r.Time
				}
			}
			if last.IsZero() {
				bad("I3: DeleteApps deleted %v without looking at it first", e.App)
			} else if was := h.AppAt(e.App, last); was.Incarnation != before.Incarnation {
				bad("I3: DeleteApps deleted life %d of %v, started after its look at life %d", before.Incarnation, e.App, was.Incarnation)
			}
		default:
			bad("I3: a %s deleted %v", c.kind, e.App)
		}
	}
}

// checkObservability: I5, the metrics and spans of the observed Client against what its calls
// returned.
func (sw *simWorld) checkObservability() {
	want := map[Outcome]int{}
	timed := 0
	for _, c := range sw.calls {
		if c.client != 0 || c.panicked != nil {
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
