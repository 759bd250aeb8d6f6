// Package simtest is the harness of the lifecycle's seeded, deterministic simulation (issue 21):
// a world of sagemakerfake served in memory inside a testing/synctest bubble, faults decided per
// caller from the seed, start and delete delays drawn from the seed, adversaries acting through
// raw SDK clients, and checks of what calls returned against the fake's history.
//
// One seed decides the workload, every fault a caller meets (by the caller's own request count, so
// that goroutines interleaving differently at one instant still meet the same faults), every delay
// and every adversary's action. What the seed does not decide is the order in which goroutines
// that wake at the same instant run; a failing seed replays its schedule, and its failure, in
// most runs.
//
// The package imports sagemakerfake and the SDK only, so that the library's own tests and the
// examples' (the reaper's) can both use it.
package simtest

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// Image is the image of the world's apps: the SageMaker Distribution image of us-east-1.
const Image = "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"

// Weather is how often the library's calls meet faults in a seed.
type Weather uint8

const (
	Calm   Weather = iota // no faults
	Breezy                // 5 % of calls
	Stormy                // 25 % of calls
)

func (w Weather) String() string { return [...]string{"calm", "breezy", "stormy"}[w] }

// World is one seed's world: a fake with one domain (DefaultUserSettings StudioWebPortal DISABLED,
// so that Studio Classic apps may be created too), the user profiles alice and bob, spaces
// s0…s(n-1), private JupyterLab spaces of alice, and the shared space team (no app type), where
// Studio Classic apps run side by side.
type World struct {
	T       testing.TB
	Seed    uint64
	Srv     *sagemakerfake.Server
	Domain  string
	Spaces  []string // alice's private spaces s0…
	Others  []string // the spaces of bob and carol: b0, c0 and the shared cshared
	Weather Weather
	Fast    bool       // apps start in 2–10 s and are deleted in 1–5 s, instead of AWS's 2 s–6 min and 1 s–2 min
	Rand    *rand.Rand // the workload's own stream: use it from the test's goroutine only
	Start   time.Time

	mu     sync.Mutex
	sched  []string
	counts map[string]int         // requests per caller and operation, for the faults
	hangs  map[string][]time.Time // when each caller's calls that hang arrived
	// arrivals are the requests as they arrive (the fake logs a request once it is answered,
	// which for one that hangs is when its caller gives up).
	arrivals []sagemakerfake.Request
}

// Arrivals are the requests of caller id (of op, or all when op is "") as they arrived, answered
// or not: Operation, Time, RequestID, UserAgent and Body.
func (w *World) Arrivals(id, op string) []sagemakerfake.Request {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []sagemakerfake.Request
	for _, r := range w.arrivals {
		if Of(r.UserAgent, id) && (op == "" || r.Operation == op) {
			out = append(out, r)
		}
	}
	return out
}

// SharedSpace is the name of the world's shared space without an owner.
const SharedSpace = "team"

// Users are the world's user profiles.
var Users = []string{"alice", "bob", "carol"}

// NewWorld makes the world of seed, with up to maxSpaces private spaces (at least one). It must be
// called inside a synctest bubble; the server is closed by t.Cleanup.
func NewWorld(t testing.TB, seed uint64, maxSpaces int) *World {
	t.Helper()
	w := &World{T: t, Seed: seed, Rand: rand.New(rand.NewPCG(seed, 0x5eed)), counts: map[string]int{}, hangs: map[string][]time.Time{}}
	w.Weather = Weather(w.Rand.IntN(3))
	w.Fast = w.Rand.IntN(2) == 0
	spaces := 1 + w.Rand.IntN(maxSpaces)
	spaceStart := time.Duration(2+w.Rand.IntN(28)) * time.Second
	spaceDelete := time.Duration(2+w.Rand.IntN(58)) * time.Second
	srv, err := sagemakerfake.NewHandler(
		sagemakerfake.WithRandSeed(seed),
		sagemakerfake.WithFaultFunc(w.fault),
		sagemakerfake.WithStartupDelay(spaceStart), sagemakerfake.WithDeleteDelay(spaceDelete),
		sagemakerfake.WithStartupDelayFunc(func(a sagemakerfake.App) time.Duration {
			if w.Fast {
				return w.delay("start", a, 2*time.Second, 10*time.Second)
			}
			return w.delay("start", a, 2*time.Second, 6*time.Minute)
		}),
		sagemakerfake.WithDeleteDelayFunc(func(a sagemakerfake.App) time.Duration {
			if w.Fast {
				return w.delay("delete", a, time.Second, 5*time.Second)
			}
			return w.delay("delete", a, time.Second, 2*time.Minute)
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	w.Srv = srv
	w.Start = time.Now()
	w.Domain, err = srv.SeedDomain("", &sagemaker.CreateDomainInput{DomainName: aws.String("sim"), AuthMode: types.AuthModeIam,
		DefaultUserSettings: &types.UserSettings{ExecutionRole: aws.String("arn:aws:iam::123456789012:role/studio"),
			StudioWebPortal: types.StudioWebPortalDisabled}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range Users {
		if err := srv.SeedUserProfile(&sagemaker.CreateUserProfileInput{DomainId: aws.String(w.Domain), UserProfileName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	// The people's own spaces, besides alice's s0…: bob's private b0, carol's private c0 and the
	// shared cshared that carol owns.
	for _, sp := range []*sagemaker.CreateSpaceInput{
		w.PrivateSpace("b0", "bob", types.AppTypeJupyterLab),
		w.PrivateSpace("c0", "carol", types.AppTypeJupyterLab),
		{DomainId: aws.String(w.Domain), SpaceName: aws.String("cshared"), OwnershipSettings: &types.OwnershipSettings{OwnerUserProfileName: aws.String("carol")},
			SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared}, SpaceSettings: &types.SpaceSettings{AppType: types.AppTypeJupyterLab}},
	} {
		if err := srv.SeedSpace(sp); err != nil {
			t.Fatal(err)
		}
		w.Others = append(w.Others, aws.ToString(sp.SpaceName))
	}
	for i := range spaces {
		name := fmt.Sprintf("s%d", i)
		w.Spaces = append(w.Spaces, name)
		if err := srv.SeedSpace(w.PrivateSpace(name, "alice", types.AppTypeJupyterLab)); err != nil {
			t.Fatal(err)
		}
	}
	if err := srv.SeedSpace(&sagemaker.CreateSpaceInput{DomainId: aws.String(w.Domain), SpaceName: aws.String(SharedSpace),
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypeShared}}); err != nil {
		t.Fatal(err)
	}
	w.Logf("world: seed %d, %s, fast %v, %d spaces, spaces start in %v and go in %v", seed, w.Weather, w.Fast, spaces, spaceStart, spaceDelete)
	return w
}

// Classic is the CreateAppInput of a Studio Classic app of the shared space: the KernelGateway app
// "datascience" on ml.t3.medium, or the JupyterServer app "default" on system.
func (w *World) Classic(kernelGateway bool) *sagemaker.CreateAppInput {
	in := &sagemaker.CreateAppInput{DomainId: aws.String(w.Domain), SpaceName: aws.String(SharedSpace), AppType: types.AppTypeJupyterServer,
		AppName: aws.String("default"), ResourceSpec: &types.ResourceSpec{InstanceType: types.AppInstanceTypeSystem},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ml")}}}
	if kernelGateway {
		in.AppType, in.AppName = types.AppTypeKernelGateway, aws.String("datascience")
		in.ResourceSpec.InstanceType = types.AppInstanceTypeMlT3Medium
	}
	return in
}

// PrivateSpace is the CreateSpaceInput of a private space of owner for apps of appType.
func (w *World) PrivateSpace(name, owner string, appType types.AppType) *sagemaker.CreateSpaceInput {
	return &sagemaker.CreateSpaceInput{
		DomainId: aws.String(w.Domain), SpaceName: aws.String(name),
		OwnershipSettings:    &types.OwnershipSettings{OwnerUserProfileName: aws.String(owner)},
		SpaceSharingSettings: &types.SpaceSharingSettings{SharingType: types.SharingTypePrivate},
		SpaceSettings:        &types.SpaceSettings{AppType: appType},
	}
}

// Specs are the instance types the world's apps are asked with.
var Specs = []types.AppInstanceType{types.AppInstanceTypeMlT3Medium, types.AppInstanceTypeMlM5Xlarge}

// App is the CreateAppInput of the JupyterLab app "default" of space on instance type it with tags.
func (w *World) App(space string, it types.AppInstanceType, tags map[string]string) *sagemaker.CreateAppInput {
	in := &sagemaker.CreateAppInput{DomainId: aws.String(w.Domain), SpaceName: aws.String(space), AppType: types.AppTypeJupyterLab,
		AppName: aws.String("default"), ResourceSpec: &types.ResourceSpec{InstanceType: it, SageMakerImageArn: aws.String(Image)}}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return in
}

// Key is the fake's key of the app of in.
func Key(in *sagemaker.CreateAppInput) sagemakerfake.AppKey {
	return sagemakerfake.AppKey{DomainID: aws.ToString(in.DomainId), UserProfileName: aws.ToString(in.UserProfileName),
		SpaceName: aws.ToString(in.SpaceName), AppType: in.AppType, AppName: aws.ToString(in.AppName)}
}

// Logf adds a line to the seed's schedule, with the time since the world began.
func (w *World) Logf(format string, args ...any) {
	line := fmt.Sprintf("%9s  ", time.Since(w.Start).Round(time.Millisecond)) + fmt.Sprintf(format, args...)
	w.mu.Lock()
	w.sched = append(w.sched, line)
	w.mu.Unlock()
}

// Schedule is the seed's schedule so far: what the workload and the adversaries did, and the
// faults the calls met.
func (w *World) Schedule() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.sched, "\n")
}

// Caller is the SDK option that marks every request of one call as that call's: the fake's
// request log and history record it in the User-Agent (app/<id>), and the faults are decided per
// caller.
func Caller(id string) func(*sagemaker.Options) {
	return func(o *sagemaker.Options) { o.AppID = id }
}

// CallerID is the id of the n-th call of the workload.
func CallerID(n int) string { return fmt.Sprintf("sim-call-%d", n) }

// Of reports whether a User-Agent is that of caller id.
func Of(userAgent, id string) bool {
	for _, f := range strings.Fields(userAgent) {
		if f == "app/"+id {
			return true
		}
	}
	return false
}

// draw is a number in [0, 1) that the seed and parts decide, whatever the order of goroutines.
func (w *World) draw(parts ...any) float64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], w.Seed)
	h.Write(b[:])
	for _, p := range parts {
		fmt.Fprint(h, p, "|")
	}
	r := rand.New(rand.NewPCG(h.Sum64(), w.Seed))
	return r.Float64()
}

// delay draws a delay between lo and hi, log-uniform, for an app as it is created or deleted.
func (w *World) delay(what string, a sagemakerfake.App, lo, hi time.Duration) time.Duration {
	u := w.draw(what, a.Key(), time.Since(w.Start))
	d := time.Duration(float64(lo) * math.Pow(float64(hi)/float64(lo), u)).Round(time.Millisecond)
	w.Logf("fake: %s of %s/%s takes %v", what, a.SpaceName+a.UserProfileName, a.AppName, d)
	return d
}

// fault decides the fault of a call: only the workload's calls (User-Agent app/sim-call-…) meet
// faults, at the seed's weather, by the caller's own count of calls of the operation.
func (w *World) fault(c sagemakerfake.Call) *sagemakerfake.Fault {
	w.mu.Lock()
	w.arrivals = append(w.arrivals, sagemakerfake.Request{Operation: c.Operation, Time: c.Time, RequestID: c.RequestID, UserAgent: c.UserAgent, Body: c.Body})
	w.mu.Unlock()
	rate := [...]float64{0, 0.05, 0.25}[w.Weather]
	if rate == 0 || !strings.Contains(c.UserAgent, "app/sim-call-") {
		return nil
	}
	var caller string
	for _, f := range strings.Fields(c.UserAgent) {
		if strings.HasPrefix(f, "app/sim-call-") {
			caller = strings.TrimPrefix(f, "app/")
		}
	}
	w.mu.Lock()
	key := caller + " " + c.Operation
	w.counts[key]++
	n := w.counts[key]
	w.mu.Unlock()
	if w.draw("fault?", key, n) >= rate {
		return nil
	}
	var f sagemakerfake.Fault
	var name string
	switch k := w.draw("fault", key, n); {
	case k < 0.25:
		f, name = sagemakerfake.Fault{Code: "ThrottlingException"}, "throttled"
	case k < 0.40:
		f, name = sagemakerfake.Fault{Code: "InternalFailure"}, "500"
	case k < 0.50:
		f, name = sagemakerfake.Fault{Code: "ServiceUnavailable", Status: http.StatusServiceUnavailable}, "503"
	case k < 0.60:
		f, name = sagemakerfake.Fault{DropBeforeCommit: true}, "dropped before commit"
	case k < 0.75:
		f, name = sagemakerfake.Fault{DropAfterCommit: true}, "answer lost after commit"
	case k < 0.85:
		f, name = sagemakerfake.Fault{Truncate: true}, "answer cut short"
	case k < 0.93:
		f, name = sagemakerfake.Fault{Latency: time.Duration(1+w.draw("latency", key, n)*1000) * time.Millisecond}, "slow"
	case k < 0.965:
		f, name = sagemakerfake.Fault{Hang: true}, "hangs"
	default:
		f, name = sagemakerfake.Fault{HangAfterCommit: true}, "hangs after commit"
	}
	w.Logf("fault: %s %s #%d %s", caller, c.Operation, n, name)
	if f.Hang || f.HangAfterCommit {
		w.mu.Lock()
		w.hangs[caller] = append(w.hangs[caller], c.Time)
		w.mu.Unlock()
	}
	return &f
}

// Raw is a plain SDK client of the fake for the adversaries, whose calls meet no faults.
func (w *World) Raw(id string) *sagemaker.Client { return w.Srv.Client(Caller(id)) }

// SleepUntil sleeps until d after the world began.
func (w *World) SleepUntil(d time.Duration) {
	if wait := time.Until(w.Start.Add(d)); wait > 0 {
		time.Sleep(wait)
	}
}

// Adversary kinds: what another party does to an app at a random time.
const (
	AdvDeleter     = "deleter"      // deletes the app (DeleteApp), once it can
	AdvRestarter   = "restarter"    // deletes the app and, once it is gone, creates it again as it was
	AdvReplacer    = "replacer"     // deletes the app and creates it with another instance type and tags
	AdvReplica     = "replica"      // creates the app with the same spec and tags as the workload asks (another replica)
	AdvSpaceDelete = "space-delete" // deletes the space's app and, once it is gone, the space
)

// Adversaries are the kinds, for drawing one (the replacer, the hardest on an Ensure, twice).
var Adversaries = []string{AdvDeleter, AdvRestarter, AdvReplacer, AdvReplacer, AdvReplica, AdvSpaceDelete}

// ActWhen runs Act once the app of in has been in status when for after (when "" acts at once):
// an adversary that reacts to what it sees, as a person at the console does. It looks at the
// fake's state directly, every second, for at most an hour.
func (w *World) ActWhen(kind, id string, in *sagemaker.CreateAppInput, when types.AppStatus, after time.Duration) {
	if when != "" {
		key := Key(in)
		for i := 0; ; i++ {
			if i == 3600 {
				w.Logf("%s: %s: %s never %s", id, kind, key.SpaceName, when)
				return
			}
			seen := false
			for _, a := range w.Srv.Apps() {
				if a.Key() == key && a.Status == when {
					seen = true
				}
			}
			if seen {
				break
			}
			time.Sleep(time.Second)
		}
		w.Logf("%s: %s sees %s %s", id, kind, key.SpaceName, when)
	}
	time.Sleep(after)
	w.Act(kind, id, in)
}

// Act runs one adversary's action on the app of in, as another party would: through a raw client
// whose calls meet no faults, each call bounded so that nothing hangs. It logs what it did.
func (w *World) Act(kind string, id string, in *sagemaker.CreateAppInput) {
	raw := w.Raw(id)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	key := Key(in)
	del := &sagemaker.DeleteAppInput{DomainId: in.DomainId, SpaceName: in.SpaceName, UserProfileName: in.UserProfileName, AppType: in.AppType, AppName: in.AppName}
	deleteAndWait := func() bool {
		for range 600 { // until it is deleted (a Pending app is refused: the moment it is up)
			_, err := raw.DeleteApp(ctx, del)
			if err == nil {
				break
			}
			if strings.Contains(err.Error(), "already been deleted") || strings.Contains(err.Error(), "ResourceNotFound") {
				return true
			}
			time.Sleep(time.Second)
		}
		for range 1000 {
			out, err := raw.DescribeApp(ctx, &sagemaker.DescribeAppInput{DomainId: in.DomainId, SpaceName: in.SpaceName, AppType: in.AppType, AppName: in.AppName})
			if err != nil || out.Status == types.AppStatusDeleted || out.Status == types.AppStatusFailed {
				return true
			}
			time.Sleep(time.Second)
		}
		return false
	}
	switch kind {
	case AdvDeleter:
		_, err := raw.DeleteApp(ctx, del)
		w.Logf("%s: %s DeleteApp %s: %v", id, kind, key.SpaceName, errText(err))
	case AdvRestarter, AdvReplacer:
		var was *sagemakerfake.App
		for _, a := range w.Srv.Apps() {
			if a.Key() == key {
				was = &a
			}
		}
		if was == nil {
			w.Logf("%s: %s: no app in %s", id, kind, key.SpaceName)
			return
		}
		w.Logf("%s: %s deletes %s", id, kind, key.SpaceName)
		if !deleteAndWait() {
			return
		}
		again := *in
		spec := was.ResourceSpec
		again.ResourceSpec, again.Tags = &spec, was.Tags
		if kind == AdvReplacer {
			other := Specs[0]
			if spec.InstanceType == other {
				other = Specs[1]
			}
			again.ResourceSpec = &types.ResourceSpec{InstanceType: other, SageMakerImageArn: aws.String(Image)}
			again.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String(id)}}
		}
		_, err := raw.CreateApp(ctx, &again)
		w.Logf("%s: %s creates %s on %s: %v", id, kind, key.SpaceName, again.ResourceSpec.InstanceType, errText(err))
	case AdvReplica:
		_, err := raw.CreateApp(ctx, in)
		w.Logf("%s: %s creates %s on %s: %v", id, kind, key.SpaceName, in.ResourceSpec.InstanceType, errText(err))
	case AdvSpaceDelete:
		if key.SpaceName == SharedSpace {
			w.Logf("%s: %s: the shared space stays", id, kind)
			return
		}
		w.Logf("%s: %s deletes the app of %s", id, kind, key.SpaceName)
		if !deleteAndWait() {
			return
		}
		_, err := raw.DeleteSpace(ctx, &sagemaker.DeleteSpaceInput{DomainId: in.DomainId, SpaceName: in.SpaceName})
		w.Logf("%s: %s %s: %v", id, kind, key.SpaceName, errText(err))
	}
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	s := err.Error()
	if i := strings.Index(s, "api error "); i >= 0 {
		s = s[i+len("api error "):]
	}
	return s
}

// FirstHang is when the first call of caller that met a Hang fault arrived, or the zero time.
func (w *World) FirstHang(caller string) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	if h := w.hangs[caller]; len(h) > 0 {
		return slices.MinFunc(h, time.Time.Compare)
	}
	return time.Time{}
}
