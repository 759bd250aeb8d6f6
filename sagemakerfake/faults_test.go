package sagemakerfake_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

func noRetry(o *sagemaker.Options) { o.RetryMaxAttempts = 1 }

// attempts returns the status of each recorded call of op, 0 for a dropped connection.
func attempts(srv *sagemakerfake.Server, op string) []int {
	var out []int
	for _, r := range srv.Requests() {
		if r.Operation == op {
			out = append(out, r.Status)
		}
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFaultsOnCreateApp(t *testing.T) {
	for _, tc := range []struct {
		name         string
		fault        sagemakerfake.Fault
		wantCode     string // of the client's final error, "" for success
		wantAttempts []int
		wantApps     int
	}{
		{"500 twice, then success", sagemakerfake.Fault{Code: "InternalFailure", Times: 2}, "", []int{500, 500, 200}, 1},
		{"503 on every attempt", sagemakerfake.Fault{Code: "ServiceUnavailable"}, "ServiceUnavailable", []int{503, 503, 503}, 0},
		{"custom code and status", sagemakerfake.Fault{Code: "AccessDeniedException", Status: 403, Message: "no", Times: 1}, "AccessDeniedException", []int{403}, 0},
		{"throttled once", sagemakerfake.Fault{Code: "ThrottlingException", Times: 1}, "", []int{400, 200}, 1},
		{"dropped before commit, then success", sagemakerfake.Fault{DropBeforeCommit: true, Times: 1}, "", []int{0, 200}, 1},
		// The lost response: the app is created, the answer never arrives, the SDK's retry finds
		// the app and fails with ResourceInUse. Only one app exists.
		{"dropped after commit", sagemakerfake.Fault{DropAfterCommit: true, Times: 1}, "ResourceInUse", []int{0, 400}, 1},
		{"latency only", sagemakerfake.Fault{Latency: 20 * time.Millisecond, Times: 1}, "", []int{200}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.InjectFault("CreateApp", tc.fault)
			start := time.Now()
			_, err := f.client.CreateApp(ctx(t), userApp(types.AppTypeJupyterServer, "app", ""))
			if got := errorCode(err); got != tc.wantCode || (tc.wantCode == "" && err != nil) {
				t.Errorf("CreateApp: %v, want code %q", err, tc.wantCode)
			}
			if got := attempts(f.srv, "CreateApp"); !equalInts(got, tc.wantAttempts) {
				t.Errorf("attempts %v, want %v", got, tc.wantAttempts)
			}
			if n := len(f.srv.Apps()); n != tc.wantApps {
				t.Errorf("%d apps, want %d", n, tc.wantApps)
			}
			if time.Since(start) < tc.fault.Latency {
				t.Errorf("the call took %v, less than the injected latency", time.Since(start))
			}
			// Faults with Times remove themselves; the others stay until cleared.
			f.srv.ClearFaults("CreateApp")
			if _, err := f.client.CreateApp(ctx(t), userApp(types.AppTypeJupyterServer, "after", "")); err != nil {
				t.Errorf("after ClearFaults: %v", err)
			}
		})
	}
}

func TestFaultMatching(t *testing.T) {
	f := newFixture(t)
	describe := func() error {
		_, err := f.client.DescribeDomain(ctx(t), &sagemaker.DescribeDomainInput{DomainId: aws.String(testDomain)}, noRetry)
		return err
	}
	list := func() error {
		_, err := f.client.ListApps(ctx(t), &sagemaker.ListAppsInput{}, noRetry)
		return err
	}
	f.srv.InjectFault(sagemakerfake.AllOperations, sagemakerfake.Fault{Code: "ServiceUnavailable"})
	f.srv.InjectFault("DescribeDomain", sagemakerfake.Fault{Code: "InternalFailure", Times: 1})
	if got := errorCode(describe()); got != "InternalFailure" {
		t.Errorf("the operation's own fault comes first: got %q", got)
	}
	if got := errorCode(describe()); got != "ServiceUnavailable" {
		t.Errorf("then the fault for all operations: got %q", got)
	}
	if got := errorCode(list()); got != "ServiceUnavailable" {
		t.Errorf("ListApps under the fault for all operations: got %q", got)
	}
	f.srv.ClearFaults(sagemakerfake.AllOperations)
	if err := describe(); err != nil {
		t.Errorf("after clearing: %v", err)
	}
	if err := list(); err != nil {
		t.Errorf("after clearing: %v", err)
	}
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	run := func(seed uint64) []int {
		f := newFixture(t, sagemakerfake.WithRandSeed(seed))
		f.srv.InjectFault("DescribeDomain", sagemakerfake.Fault{Code: "InternalFailure", Probability: 0.3})
		for range 200 {
			_, _ = f.client.DescribeDomain(ctx(t), &sagemaker.DescribeDomainInput{DomainId: aws.String(testDomain)}, noRetry)
		}
		return attempts(f.srv, "DescribeDomain")
	}
	a, b, c := run(7), run(7), run(8)
	failed := 0
	for _, st := range a {
		if st == 500 {
			failed++
		}
	}
	if failed < 35 || failed > 85 {
		t.Errorf("%d of 200 calls failed with probability 0.3", failed)
	}
	if !equalInts(a, b) {
		t.Error("the same seed gave different faults")
	}
	if equalInts(a, c) {
		t.Error("different seeds gave the same faults")
	}
}

func TestThrottle(t *testing.T) {
	f := newFixture(t)
	describe := func(opts ...func(*sagemaker.Options)) error {
		_, err := f.client.DescribeDomain(ctx(t), &sagemaker.DescribeDomainInput{DomainId: aws.String(testDomain)}, opts...)
		return err
	}
	f.srv.SetThrottle("DescribeDomain", 1, 2)
	for i := range 2 {
		if err := describe(noRetry); err != nil {
			t.Fatalf("call %d within the burst: %v", i, err)
		}
	}
	wantCode(t, describe(noRetry), "ThrottlingException")
	// The SDK retries throttling; on a clock that does not move, every attempt is refused.
	err := describe()
	wantCode(t, err, "ThrottlingException")
	if got := attempts(f.srv, "DescribeDomain"); len(got) != 6 {
		t.Errorf("%d calls recorded, want 2 + 1 + 3 attempts", len(got))
	}
	f.srv.Advance(time.Second)
	if err := describe(noRetry); err != nil {
		t.Errorf("after a second: %v", err)
	}
	wantCode(t, describe(noRetry), "ThrottlingException")
	if _, err := f.client.ListApps(ctx(t), &sagemaker.ListAppsInput{}, noRetry); err != nil {
		t.Errorf("other operations are not throttled: %v", err)
	}
	f.srv.SetThrottle("DescribeDomain", 0, 0)
	if err := describe(noRetry); err != nil {
		t.Errorf("after removing the throttle: %v", err)
	}
}

// TestLatencyOutlivesTheClient shows that a call whose client gives up is still carried out, as
// on the real service. The client gives up once the server holds the call (its fault function
// cancels the client's context, then delays the call), so that a loaded machine cannot make the
// client give up before its request has even arrived.
func TestLatencyOutlivesTheClient(t *testing.T) {
	answered := make(chan string, 4)
	c, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFixture(t, sagemakerfake.WithLogger(slog.New(signalHandler{msg: "request", ops: answered})),
		sagemakerfake.WithFaultFunc(func(call sagemakerfake.Call) *sagemakerfake.Fault {
			if call.Operation != "CreateApp" {
				return nil
			}
			cancel()
			return &sagemakerfake.Fault{Latency: 200 * time.Millisecond}
		}))
	_, err := f.client.CreateApp(c, userApp(types.AppTypeJupyterServer, "slow", ""), noRetry)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("CreateApp: %v, want the client's cancel", err)
	}
	waitFor(t, answered, "CreateApp")
	if n := len(f.srv.Apps()); n != 1 {
		t.Errorf("%d apps after the slow call ended, want 1", n)
	}
}

// signalHandler is a slog.Handler that sends the op attribute of every record with the message
// msg, so that a test can wait for what the server logs instead of sleeping.
type signalHandler struct {
	msg string
	ops chan<- string
}

func (h signalHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h signalHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h signalHandler) WithGroup(string) slog.Handler            { return h }

func (h signalHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message != h.msg {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "op" {
			h.ops <- a.Value.String()
			return false
		}
		return true
	})
	return nil
}

// waitFor waits until ops delivers op.
func waitFor(t *testing.T, ops <-chan string, op string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case got := <-ops:
			if got == op {
				return
			}
		case <-timeout:
			t.Fatalf("the server never logged %s", op)
		}
	}
}

func TestCloseCutsLatencyShortAndWaits(t *testing.T) {
	received := make(chan string, 4)
	srv := sagemakerfake.Start(t, sagemakerfake.WithLogger(slog.New(signalHandler{msg: "request received", ops: received})))
	srv.InjectFault(sagemakerfake.AllOperations, sagemakerfake.Fault{Latency: time.Minute})
	c := srv.Client()
	done := make(chan error, 1)
	go func() {
		_, err := c.ListApps(context.Background(), &sagemaker.ListAppsInput{}, noRetry)
		done <- err
	}()
	waitFor(t, received, "ListApps") // the call is in flight, waiting out its latency
	start := time.Now()
	srv.Close()
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Close took %v", d)
	}
	// Close returned only after the call in flight had ended (and been recorded).
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Operation != "ListApps" {
		t.Errorf("requests after Close: %+v", reqs)
	}
	if err := <-done; err != nil {
		t.Logf("the call cut short by Close answered: %v", err)
	}
}
