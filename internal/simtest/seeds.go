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

// RunSeeds runs run for each seed as a parallel subtest named by the seed, in groups of at most
// groupSize seeds, one group after another: a run of 100,000 seeds keeps a few dozen subtests
// waiting at a time, not 100,000, so that each goroutine check (Outliving reads every
// goroutine's stack) costs the same on the first seed as on the last.
func RunSeeds(t *testing.T, seeds []uint64, run func(t *testing.T, seed uint64)) {
	t.Helper()
	for group := range slices.Chunk(seeds, groupSize) {
		name := strconv.FormatUint(group[0], 10) + "-" + strconv.FormatUint(group[len(group)-1], 10)
		t.Run(name, func(t *testing.T) {
			for _, seed := range group {
				t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
					t.Parallel()
					run(t, seed)
				})
			}
		})
	}
}

// groupSize is how many seeds RunSeeds lets wait for their turn at once.
const groupSize = 64
