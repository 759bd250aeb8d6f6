package sagemakerfake

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// TestAppListAgainstASortedSet drives an appList with random puts (new apps at the end, and
// restarts into the place of an app still held or already forgotten), removes and compactions,
// and compares every scan, from every start in both directions, with a plain sorted set.
func TestAppListAgainstASortedSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var l appList
	ref := map[uint64]*app{}
	var next uint64
	compacted := false
	for step := range 3000 {
		switch r := rng.IntN(10); {
		case r < 5:
			next++
			a := &app{seq: next}
			l.put(a)
			ref[next] = a
		case r < 6 && next > 0: // a restart keeps the seq: a fresh record in the old place
			seq := 1 + rng.Uint64N(next)
			if _, held := ref[seq]; held || rng.IntN(2) == 0 {
				a := &app{seq: seq}
				l.put(a)
				ref[seq] = a
			}
		case next > 0:
			seq := 1 + rng.Uint64N(next)
			before := len(l.entries)
			l.remove(seq)
			delete(ref, seq)
			compacted = compacted || len(l.entries) < before
		}
		if l.empty() != (len(ref) == 0) {
			t.Fatalf("step %d: empty %v with %d apps", step, l.empty(), len(ref))
		}
		if step%100 != 99 {
			continue
		}
		seqs := slices.Sorted(func(yield func(uint64) bool) {
			for s := range ref {
				if !yield(s) {
					return
				}
			}
		})
		for _, after := range []uint64{0, 1, next / 2, next, next + 1, math.MaxUint64} {
			for _, desc := range []bool{false, true} {
				for _, has := range []bool{false, true} {
					var want []*app
					for _, s := range seqs {
						if !has || (!desc && s > after) || (desc && s < after) {
							want = append(want, ref[s])
						}
					}
					if desc {
						slices.Reverse(want)
					}
					var got []*app
					l.scan(after, has, desc, func(a *app) bool { got = append(got, a); return true })
					if !slices.Equal(got, want) {
						t.Fatalf("step %d: scan(%d, %v, %v) = %d apps, want %d", step, after, has, desc, len(got), len(want))
					}
					// fn's false stops the scan.
					n := 0
					l.scan(after, has, desc, func(*app) bool { n++; return n < 3 })
					if n != min(3, len(want)) {
						t.Fatalf("step %d: the scan went on after false: %d calls", step, n)
					}
				}
			}
		}
	}
	if !compacted {
		t.Error("the list was never compacted")
	}
}

// TestReadersForgetExpiredApps checks that the expired apps which DescribeApp and ListApps meet,
// holding the lock only for reading, are forgotten afterwards: the store and every index let them
// go, and a listing of only expired apps is dropped.
func TestReadersForgetExpiredApps(t *testing.T) {
	s, err := NewHandler(WithClock(NewManualClock(time.Unix(1700000000, 0))), WithStartupDelay(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if _, err := s.SeedDomain("d-test00000001", &sagemaker.CreateDomainInput{DomainName: aws.String("d"), AuthMode: types.AuthModeIam, DefaultUserSettings: classicSettings()}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"alice", "bob"} {
		if err := s.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String("d-test00000001"), UserProfileName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	c := s.Client()
	app := func(user, name string) (*sagemaker.CreateAppInput, *sagemaker.DeleteAppInput, *sagemaker.DescribeAppInput) {
		return &sagemaker.CreateAppInput{DomainId: aws.String("d-test00000001"), UserProfileName: aws.String(user), AppType: types.AppTypeKernelGateway, AppName: aws.String(name),
				ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeMlT3Medium}},
			&sagemaker.DeleteAppInput{DomainId: aws.String("d-test00000001"), UserProfileName: aws.String(user), AppType: types.AppTypeKernelGateway, AppName: aws.String(name)},
			&sagemaker.DescribeAppInput{DomainId: aws.String("d-test00000001"), UserProfileName: aws.String(user), AppType: types.AppTypeKernelGateway, AppName: aws.String(name)}
	}
	for _, n := range []string{"a", "b", "c"} {
		create, del, _ := app("bob", n)
		if _, err := c.CreateApp(t.Context(), create); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteApp(t.Context(), del); err != nil {
			t.Fatal(err)
		}
	}
	create, del, describe := app("alice", "x")
	if _, err := c.CreateApp(t.Context(), create); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteApp(t.Context(), del); err != nil {
		t.Fatal(err)
	}
	s.Advance(retention)
	held := func() (apps, lists, arns int) {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return len(s.apps), len(s.lists), len(s.byARN)
	}
	if apps, _, _ := held(); apps != 4 {
		t.Fatalf("%d apps held before any read, want 4", apps)
	}
	if _, err := c.DescribeApp(t.Context(), describe); err == nil {
		t.Fatal("DescribeApp found an expired app")
	}
	if apps, _, arns := held(); apps != 3 || arns != 3 {
		t.Errorf("after DescribeApp: %d apps and %d ARNs held, want 3", apps, arns)
	}
	out, err := c.ListApps(t.Context(), &sagemaker.ListAppsInput{UserProfileNameEquals: aws.String("bob")})
	if err != nil || len(out.Apps) != 0 {
		t.Fatalf("ListApps: %v %v", out, err)
	}
	if apps, lists, arns := held(); apps != 0 || lists != 0 || arns != 0 {
		t.Errorf("after ListApps: %d apps, %d listings and %d ARNs held, want none", apps, lists, arns)
	}
}
