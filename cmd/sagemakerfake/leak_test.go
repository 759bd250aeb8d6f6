package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if goroutines started by the tests outlive them: in-process servers,
// the readers of the built binary's output and the clients' connections.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
