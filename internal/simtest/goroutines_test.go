package simtest

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func leakUntil(release chan struct{}) { <-release }

// Outliving finds a goroutine that a call started and left behind, inherited label and all, and
// nothing of another call or once the goroutine has ended.
func TestOutlivingFindsAGoroutineACallLeft(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := &World{T: t, Seed: 12}
		other := &World{T: t, Seed: 123} // a seed whose key the first one's is a prefix of
		release := make(chan struct{})
		done := make(chan struct{})
		go func() {
			w.Call("sim-1")
			go func() { go leakUntil(release) }() // a grandchild, its parent gone
			time.Sleep(time.Second)               // a call that ends, leaving it
			close(done)
		}()
		<-done
		left := w.Outliving("sim-1")
		if len(left) != 1 || !strings.Contains(left[0], "simtest.leakUntil") {
			t.Fatalf("Outliving(sim-1) = %q, want the goroutine in leakUntil", left)
		}
		if got := w.Outliving(""); len(got) != 1 {
			t.Errorf("Outliving(\"\") = %q, want the same goroutine", got)
		}
		for _, got := range [][]string{w.Outliving("sim-2"), other.Outliving(""), w.Outliving("sim-1", "leakUntil")} {
			if len(got) != 0 {
				t.Errorf("found %q", got)
			}
		}
		close(release)
		if got := w.Outliving("sim-1"); len(got) != 0 {
			t.Errorf("after it ended: %q", got)
		}
	})
}
