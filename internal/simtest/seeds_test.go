package simtest

import (
	"path"
	"strconv"
	"sync"
	"testing"
)

// TestRunSeedsRunsEachSeedOnceGroupByGroup: every seed runs once, as a subtest named by the seed,
// and no seed of a group starts before every seed of the groups before it has finished.
func TestRunSeedsRunsEachSeedOnceGroupByGroup(t *testing.T) {
	seeds := make([]uint64, 3*groupSize+5)
	for i := range seeds {
		seeds[i] = uint64(1000 + i)
	}
	var mu sync.Mutex
	runs := map[uint64]int{}
	finished := 0
	RunSeeds(t, seeds, func(t *testing.T, seed uint64) {
		mu.Lock()
		defer mu.Unlock()
		group := int(seed-1000) / groupSize
		if finished < group*groupSize {
			t.Errorf("seed %d (group %d) started when only %d seeds had finished", seed, group, finished)
		}
		if path.Base(t.Name()) != strconv.FormatUint(seed, 10) {
			t.Errorf("subtest %q is not named by its seed %d", t.Name(), seed)
		}
		runs[seed]++
		finished++
	})
	if len(runs) != len(seeds) {
		t.Fatalf("%d seeds ran, want %d", len(runs), len(seeds))
	}
	for seed, n := range runs {
		if n != 1 {
			t.Errorf("seed %d ran %d times", seed, n)
		}
	}
}
