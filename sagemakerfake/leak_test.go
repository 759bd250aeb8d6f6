package sagemakerfake_test

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if goroutines started by the tests outlive them: servers, handlers and
// the connections of the clients that Server.Client made must all be gone once every test has
// cleaned up. Idle connections of other clients (http.DefaultClient, the SDK's default client
// against real AWS) are theirs to keep.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := leakedGoroutines(5 * time.Second); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutines left running after the tests:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// leakedGoroutines waits up to d for every goroutine but the test runner's own to end, and
// returns the stacks of those that did not.
func leakedGoroutines(d time.Duration) string {
	deadline := time.Now().Add(d)
	for {
		buf := make([]byte, 1<<20)
		stacks := strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n")
		var leaked []string
		for _, s := range stacks {
			if strings.Contains(s, "leakedGoroutines") || strings.Contains(s, "testing.(*M).") ||
				strings.Contains(s, "signal.signal_recv") || strings.Contains(s, "runtime.ensureSigM") ||
				strings.Contains(s, "testing.runFuzzing") || strings.Contains(s, "testing.tRunner") ||
				(strings.Contains(s, "net/http.(*persistConn)") && !strings.Contains(s, "sagemakerfake")) {
				continue
			}
			leaked = append(leaked, s)
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
