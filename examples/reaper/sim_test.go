package main

// The reaper's part of the lifecycle's simulation (issue 21): Reap at random times against the
// fake, with the adversaries of internal/simtest (deleters, restarters, replacers) and users
// whose activity comes and goes, each seed in a testing/synctest bubble; after each Reap, its
// stops are checked against the fake's history: only what was idle past its limit when stopped.
//
//	go test ./examples/reaper -run TestReaperSimulation                  # seeds 1…200
//	go test ./examples/reaper -run TestReaperSimulation -sim.seed=N -v   # one seed, with its schedule

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp"
	"github.com/studioapp/sagemakerapp/internal/simtest"
	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

var (
	simSeed  = flag.Uint64("sim.seed", 0, "TestReaperSimulation: run this seed alone, with its schedule")
	simSeeds = flag.Int("sim.seeds", 200, "TestReaperSimulation: how many seeds to run; -short runs 40")
)

func TestReaperSimulation(t *testing.T) {
	if *simSeed != 0 {
		reaperSeed(t, *simSeed, true)
		return
	}
	n := *simSeeds
	if testing.Short() && n == 200 {
		n = 40
	}
	seeds := simtest.Seeds(t, "testdata/sim_regressions.txt", 1, n)
	simtest.RunSeeds(t, seeds, func(t *testing.T, seed uint64) { reaperSeed(t, seed, false) })
}

// reap is one Reap of the workload and what it returned.
type reap struct {
	id         string
	at         time.Duration
	policy     Policy
	dryRun     bool
	deadline   time.Duration
	start, end time.Time
	rep        Report
	err        error
	panicked   any
	left       []string // goroutines of the Reap alive after it returned
}

func reaperSeed(t *testing.T, seed uint64, verbose bool) {
	synctest.Test(t, func(t *testing.T) {
		w := simtest.NewWorld(t, seed, 3)
		r := w.Rand
		// The apps: each private space's JupyterLab app and the shared space's KernelGateway app,
		// on t3 or m5, started at once; their users are active now and then.
		var apps []*sagemakerapp.App
		ctx := context.Background()
		for _, space := range w.Spaces {
			in := w.App(space, simtest.Specs[r.IntN(2)], map[string]string{"team": "ml"})
			if _, err := w.Raw("setup").CreateApp(ctx, in); err != nil {
				t.Fatal(err)
			}
			apps = append(apps, &sagemakerapp.App{ID: idOf(simtest.Key(in))})
		}
		kg := w.Classic(true)
		if _, err := w.Raw("setup").CreateApp(ctx, kg); err != nil {
			t.Fatal(err)
		}
		limits := []time.Duration{time.Minute, 5 * time.Minute, 20 * time.Minute}
		rules := []Rule{
			{Pattern: "ml.t3.*", Limit: limits[r.IntN(3)]},
			{Pattern: "ml.m5.*", Limit: limits[r.IntN(3)]},
		}
		w.Logf("rules %v", rules)
		window := []time.Duration{2 * time.Minute, 15 * time.Minute, time.Hour}[r.IntN(3)]
		var wg sync.WaitGroup
		var reaps []*reap
		for i := range 1 + r.IntN(4) {
			rp := &reap{id: simtest.CallerID(i), at: time.Duration(r.Int64N(int64(window))).Round(time.Millisecond),
				policy: Policy{Rules: rules, Concurrency: 1 + r.IntN(8)}, dryRun: r.IntN(5) == 0,
				deadline: []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute}[r.IntN(3)]}
			reaps = append(reaps, rp)
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.SleepUntil(rp.at)
				w.Call(rp.id)
				runReap(w, rp)
				rp.left = w.Outliving(rp.id) // I4: no goroutine of the Reap outlives it
			}()
		}
		keys := []sagemakerfake.AppKey{simtest.Key(kg)}
		for _, a := range apps {
			keys = append(keys, keyOf(a.ID))
		}
		for i := range r.IntN(10) {
			key := keys[r.IntN(len(keys))]
			at := time.Duration(r.Int64N(int64(window))).Round(time.Millisecond)
			if r.IntN(2) == 0 { // right as a Reap looks: between its look and its stop
				at = reaps[r.IntN(len(reaps))].at + time.Duration(r.Int64N(int64(3*time.Second)))
			}
			id := fmt.Sprintf("sim-adv-%d", i)
			if r.IntN(2) == 0 { // a user works in their app
				wg.Add(1)
				go func() {
					defer wg.Done()
					w.SleepUntil(at)
					err := w.Srv.SetLastUserActivity(key, time.Now())
					w.Logf("%s: the user of %s works in it: %v", id, key.SpaceName, err)
				}()
				continue
			}
			kind := simtest.Adversaries[r.IntN(len(simtest.Adversaries))]
			in := w.App(key.SpaceName, simtest.Specs[r.IntN(2)], map[string]string{"team": "ml"})
			if key.AppType == types.AppTypeKernelGateway {
				in = kg
			}
			var when types.AppStatus
			if r.IntN(2) == 0 {
				when = types.AppStatusInService
			}
			after := time.Duration(r.Int64N(int64(30 * time.Second)))
			w.Logf("%s: %s of %s at %v, when %q, after %v", id, kind, key.SpaceName, at, when, after)
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.SleepUntil(at)
				w.ActWhen(kind, id, in, when, after)
			}()
		}
		wg.Wait()
		h := w.ReadHistory()
		var violations []string
		for _, rp := range reaps {
			for _, v := range checkReap(w, h, rp) {
				violations = append(violations, rp.id+": "+v)
			}
			if len(rp.left) > 0 {
				violations = append(violations, fmt.Sprintf("%s: I4: %d goroutines outlive the Reap:\n%s", rp.id, len(rp.left), strings.Join(rp.left, "\n")))
			}
		}
		if len(violations) > 0 || verbose {
			msg := fmt.Sprintf("seed %d: replay with: go test ./examples/reaper -run TestReaperSimulation -sim.seed=%d -v\n", seed, seed)
			if len(violations) > 0 {
				msg += "violations:\n  " + strings.Join(violations, "\n  ") + "\n"
			}
			msg += "schedule:\n" + w.Schedule() + "\nhistory:\n" + h.Dump()
			if len(violations) > 0 {
				t.Error(msg)
			} else {
				t.Log(msg)
			}
		}
	})
}

func idOf(k sagemakerfake.AppKey) sagemakerapp.AppID {
	return sagemakerapp.AppID{DomainID: k.DomainID, UserProfileName: k.UserProfileName, SpaceName: k.SpaceName, AppType: k.AppType, AppName: k.AppName}
}

func keyOf(id sagemakerapp.AppID) sagemakerfake.AppKey {
	return sagemakerfake.AppKey{DomainID: id.DomainID, UserProfileName: id.UserProfileName, SpaceName: id.SpaceName, AppType: id.AppType, AppName: id.AppName}
}

// runReap runs one Reap with its own clients (every request marked as the Reap's), its context
// ending at the Reap's deadline.
func runReap(w *simtest.World, rp *reap) {
	w.Logf("%s: Reap (rules %v, dry run %v, deadline %v)", rp.id, rp.policy.Rules, rp.dryRun, rp.deadline)
	ctx, cancel := context.WithTimeout(context.Background(), rp.deadline)
	defer cancel()
	api := w.Srv.Client(simtest.Caller(rp.id))
	rp.start = time.Now()
	defer func() {
		rp.end = time.Now()
		if p := recover(); p != nil {
			rp.panicked = p
		}
		var stopped []string
		for _, d := range rp.rep.Stopped {
			stopped = append(stopped, fmt.Sprintf("%s (%s, idle %v, err %v)", d.App.ID.SpaceName, d.InstanceType, d.Idle, d.Err))
		}
		w.Logf("%s: returns after %v: %v, stopped %v", rp.id, rp.end.Sub(rp.start), rp.err, stopped)
	}()
	rp.rep, rp.err = reapOnce(ctx, sagemakerapp.New(api), api, w.Domain, rp.policy, rp.dryRun)
}

// checkReap asserts the reaper's invariants on one Reap against the history: I3, it stops only an
// app that a rule matches and that was InService and idle past its limit when the stop committed,
// and reports each with the figures of the life it stopped; I4, it returns by its deadline and never
// panics; a dry run stops nothing.
func checkReap(w *simtest.World, h *simtest.History, rp *reap) []string {
	var bad []string
	if rp.panicked != nil {
		return []string{fmt.Sprintf("I4: panicked: %v", rp.panicked)}
	}
	if took := rp.end.Sub(rp.start); took > rp.deadline+time.Second {
		bad = append(bad, fmt.Sprintf("I4: took %v, past its deadline %v", took, rp.deadline))
	}
	// A stop is judged at the time its DeleteApp was sent: what a user did while it was on its way
	// (an injected latency) no client can know.
	sent := map[string]time.Time{}
	for _, q := range w.Arrivals(rp.id, "DeleteApp") {
		sent[q.RequestID] = q.Time
	}
	stoppedBy := map[sagemakerfake.AppKey]sagemakerfake.Event{}
	for _, e := range h.By(rp.id, rp.start, rp.end) {
		if e.Kind != sagemakerfake.EventAppDeleting {
			continue
		}
		if rp.dryRun {
			bad = append(bad, fmt.Sprintf("a dry run stopped %s", e.App.SpaceName))
		}
		stoppedBy[e.App] = e
		before := h.StateBefore(e)
		it := ""
		if before.Spec != nil {
			it = string(before.Spec.InstanceType)
		}
		rule, ok := rp.policy.match(e.App.AppType, it)
		switch {
		case before.Status != types.AppStatusInService:
			bad = append(bad, fmt.Sprintf("I3: stopped %s (life %d) while it was %s", e.App.SpaceName, before.Incarnation, before.Status))
		case !ok:
			bad = append(bad, fmt.Sprintf("I3: stopped %s (life %d) on %s, which no rule matches", e.App.SpaceName, before.Incarnation, it))
		default:
			at := sent[e.RequestID]
			if idle := at.Sub(activityAt(h, e.App, before.Incarnation, at)); idle <= rule.Limit {
				bad = append(bad, fmt.Sprintf("I3: stopped %s (life %d), idle %v, within its limit %v: it was used since the reaper looked", e.App.SpaceName, before.Incarnation, idle, rule.Limit))
			}
		}
	}
	for _, d := range rp.rep.Stopped {
		e, ok := stoppedBy[keyOf(d.App.ID)]
		switch {
		case rp.dryRun || d.Err != nil:
		case !ok:
			bad = append(bad, fmt.Sprintf("reports %s stopped, but it stopped nothing of it", d.App.ID.SpaceName))
		default:
			before := h.StateBefore(e)
			if before.Spec != nil && string(before.Spec.InstanceType) != d.InstanceType {
				bad = append(bad, fmt.Sprintf("reports %s stopped on %s, but stopped life %d on %s", d.App.ID.SpaceName, d.InstanceType, before.Incarnation, before.Spec.InstanceType))
			}
			at := sent[e.RequestID]
			if idle := at.Sub(activityAt(h, e.App, before.Incarnation, at)); (d.Idle - idle).Abs() > 2*time.Second {
				bad = append(bad, fmt.Sprintf("reports %s idle %v, but it was idle %v when stopped", d.App.ID.SpaceName, d.Idle, idle))
			}
		}
	}
	return bad
}

// activityAt is the last user activity of life inc of app k at t: the activity staged last, or,
// with none, the time the life became InService.
func activityAt(h *simtest.History, k sagemakerfake.AppKey, inc int, t time.Time) time.Time {
	var act time.Time
	for _, e := range h.AppEvents(k, time.Time{}, t) {
		if e.Incarnation != inc {
			continue
		}
		switch e.Kind {
		case sagemakerfake.EventAppInService:
			if act.IsZero() {
				act = e.Time
			}
		case sagemakerfake.EventAppActivity:
			act = e.LastUserActivity
		}
	}
	return act
}
