package simtest

import (
	"bytes"
	"context"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// The goroutines of a call. A call of the workload runs in a goroutine labelled with its world's
// seed and its id (Call); every goroutine it starts inherits the label, whatever starts it (the
// library, the SDK, singleflight), so that once the call has returned, a goroutine that still
// carries the label outlives it (I4). The label is a pprof goroutine label: it changes nothing
// the call does, and the goroutine profile reports it.

const callLabel = "simcall"

// serverSide is in the stack of the goroutine that serves a request of the in-memory transport.
const serverSide = "sagemakerfake.memoryTransport.RoundTrip.func"

// Call labels the current goroutine, and the goroutines it starts from now on, as call id's.
func (w *World) Call(id string) {
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(callLabel, w.callKey(id))))
}

func (w *World) callKey(id string) string { return strconv.FormatUint(w.Seed, 10) + "/" + id }

// Outliving returns the stacks of the goroutines of call id that are still alive but the
// caller's own, or of every call of the world when id is "", leaving out those whose stack
// contains one of skip, and the fake's side of a request (the in-memory transport serves it in a
// goroutine of its own, which plays the service: it may go on after the caller gave up, as a
// server does). Call it after the call has returned: it first lets every goroutine of
// the bubble run until it blocks durably or ends (a nanosecond's sleep, which the bubble's clock
// takes only then), so that a goroutine on its way out is not counted.
func (w *World) Outliving(id string, skip ...string) []string {
	time.Sleep(time.Nanosecond)
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		w.T.Fatal(err)
	}
	// The label as the profile prints it: {"simcall":"seed/id"}; for every call, its prefix.
	want := `"` + callLabel + `":"` + w.callKey(id)
	if id != "" {
		want += `"`
	}
	var left []string
	for _, rec := range strings.Split(buf.String(), "\n\n") {
		if !strings.Contains(rec, want) || strings.Contains(rec, "simtest.(*World).Outliving") || strings.Contains(rec, serverSide) {
			continue
		}
		if !containsAny(rec, skip) {
			left = append(left, strings.TrimSpace(rec))
		}
	}
	return left
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
