package simtest

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Seeds returns the seeds a simulation runs: from, from+1, … (n of them), and every seed of the
// regression file (one a line, "#" starts a comment; a missing file holds none), in order, each
// once.
func Seeds(t testing.TB, regressions string, from uint64, n int) []uint64 {
	t.Helper()
	var seeds []uint64
	data, err := os.ReadFile(regressions)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		s, err := strconv.ParseUint(line, 10, 64)
		if err != nil {
			t.Fatalf("%s:%d: %v", regressions, i+1, err)
		}
		seeds = append(seeds, s)
	}
	for s := range uint64(n) {
		seeds = append(seeds, from+s)
	}
	slices.Sort(seeds)
	return slices.Compact(seeds)
}
