package sagemakerfake_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	smithy "github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// loggedOf returns the logged requests of op.
func loggedOf(srv *sagemakerfake.Server, op string) []sagemakerfake.Request {
	var out []sagemakerfake.Request
	for _, r := range srv.Requests() {
		if r.Operation == op {
			out = append(out, r)
		}
	}
	return out
}

func countKind(h []sagemakerfake.Event, kind sagemakerfake.EventKind) int {
	n := 0
	for _, e := range h {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// TestHangEndsWithTheCallersContext holds a call over TCP until the client gives up: the client
// gets its context's error, the call has no effect, and the server's side of it ends with the
// client (it is logged, without waiting for Close). The client gives up once the server has the
// call (a fault function that adds no fault cancels it), however slow the machine.
func TestHangEndsWithTheCallersContext(t *testing.T) {
	f := newFixture(t)
	f.srv.InjectFault("CreateApp", sagemakerfake.Fault{Hang: true, Times: 1})
	c := f.srv.Client(noRetry)
	in := spaceApp(types.AppTypeJupyterLab, testSpace, "lab", "")
	cctx, cancel := context.WithCancel(ctx(t))
	f.srv.SetFaultFunc(func(call sagemakerfake.Call) *sagemakerfake.Fault {
		if call.Operation == "CreateApp" {
			cancel()
		}
		return nil
	})
	_, err := c.CreateApp(cctx, in)
	f.srv.SetFaultFunc(nil)
	require.ErrorIs(t, err, context.Canceled)
	require.Eventually(t, func() bool { return len(loggedOf(f.srv, "CreateApp")) == 1 }, 10*time.Second, time.Millisecond,
		"the held call ends when its client does")
	r := loggedOf(f.srv, "CreateApp")[0]
	assert.True(t, r.Dropped)
	assert.Zero(t, r.Status)
	assert.Empty(t, f.srv.Apps(), "a hung call has no effect")
	assert.Zero(t, countKind(f.srv.History(), sagemakerfake.EventAppCreated))
	_, err = c.CreateApp(ctx(t), in)
	require.NoError(t, err, "Times 1: the next call is not held")
}

// TestHangInMemory runs Hang and HangAfterCommit in a synctest bubble, where a handler goroutine
// left blocked would fail the test: a held call ends exactly at the caller's deadline, and one
// without a deadline when the server closes.
func TestHangInMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, err := sagemakerfake.NewHandler()
		require.NoError(t, err)
		defer srv.Close()
		seedFixture(t, srv)
		c := srv.Client(noRetry)
		bg := context.Background()
		in := spaceApp(types.AppTypeJupyterLab, testSpace, "lab", "")

		srv.InjectFault("CreateApp", sagemakerfake.Fault{Hang: true, Times: 1})
		cctx, cancel := context.WithTimeout(bg, time.Minute)
		start := time.Now()
		_, err = c.CreateApp(cctx, in)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Minute, time.Since(start))
		synctest.Wait() // the handler ends with the context
		require.Len(t, loggedOf(srv, "CreateApp"), 1)
		assert.True(t, loggedOf(srv, "CreateApp")[0].Dropped)
		assert.Empty(t, srv.Apps())

		srv.InjectFault("CreateApp", sagemakerfake.Fault{HangAfterCommit: true, Times: 1})
		cctx, cancel = context.WithTimeout(bg, time.Minute)
		_, err = c.CreateApp(cctx, in)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		synctest.Wait()
		require.Len(t, srv.Apps(), 1, "HangAfterCommit: the call took effect")
		logged := loggedOf(srv, "CreateApp")
		require.Len(t, logged, 2)
		assert.True(t, logged[1].Dropped)
		h := srv.History()
		require.Equal(t, 1, countKind(h, sagemakerfake.EventAppCreated))
		for _, e := range h {
			if e.Kind == sagemakerfake.EventAppCreated {
				assert.Equal(t, logged[1].RequestID, e.RequestID)
			}
		}

		srv.InjectFault("DescribeApp", sagemakerfake.Fault{Hang: true})
		done := make(chan error, 1)
		go func() {
			_, err := c.DescribeApp(bg, describeInput(in)) // no deadline: held until Close
			done <- err
		}()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("DescribeApp returned while held: %v", err)
		default:
		}
		srv.Close()
		err = <-done
		assert.ErrorIs(t, err, syscall.ECONNRESET)
	})
}

// bodyReader is an HTTP client that reads each answer's body whole, keeping what came and how
// the read ended, and hands the SDK the same bytes and the same error.
type bodyReader struct {
	inner sagemaker.HTTPClient
	mu    sync.Mutex
	reads []bodyRead
}

type bodyRead struct {
	contentLength int64
	got           []byte
	err           error
}

func (b *bodyReader) Do(r *http.Request) (*http.Response, error) {
	resp, err := b.inner.Do(r)
	if err != nil {
		return nil, err
	}
	got, readErr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	b.mu.Lock()
	b.reads = append(b.reads, bodyRead{resp.ContentLength, got, readErr})
	b.mu.Unlock()
	rest := io.Reader(bytes.NewReader(got))
	if readErr != nil {
		rest = io.MultiReader(rest, errAfter{readErr})
	}
	resp.Body = io.NopCloser(rest)
	return resp, nil
}

type errAfter struct{ err error }

func (e errAfter) Read([]byte) (int, error) { return 0, e.err }

// TestTruncate cuts answers short over TCP and in memory alike: the client reads half the body
// that the Content-Length announced, then io.ErrUnexpectedEOF; the SDK reports a
// DeserializationError and does not retry; the call took effect, or failed with Code.
func TestTruncate(t *testing.T) {
	for _, transport := range []string{"tcp", "memory"} {
		t.Run(transport, func(t *testing.T) {
			var srv *sagemakerfake.Server
			if transport == "tcp" {
				srv = sagemakerfake.Start(t)
			} else {
				var err error
				srv, err = sagemakerfake.NewHandler()
				require.NoError(t, err)
				t.Cleanup(srv.Close)
			}
			seedFixture(t, srv)
			reader := &bodyReader{}
			c := srv.Client(func(o *sagemaker.Options) { reader.inner = o.HTTPClient; o.HTTPClient = reader })
			in := spaceApp(types.AppTypeJupyterLab, testSpace, "lab", "")

			srv.InjectFault("CreateApp", sagemakerfake.Fault{Truncate: true, Times: 1})
			_, err := c.CreateApp(ctx(t), in)
			var de *smithy.DeserializationError
			require.ErrorAs(t, err, &de)
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
			assert.Equal(t, 200, httpStatus(err))
			require.Len(t, reader.reads, 1, "the SDK does not retry a body cut short")
			read := reader.reads[0]
			assert.ErrorIs(t, read.err, io.ErrUnexpectedEOF)
			assert.Equal(t, int(read.contentLength)/2, len(read.got), "half the body came: %q", read.got)
			assert.True(t, strings.HasPrefix(string(read.got), `{"AppArn":"arn:`), "%q", read.got)
			require.Len(t, srv.Apps(), 1, "the call took effect")
			logged := loggedOf(srv, "CreateApp")
			require.Len(t, logged, 1)
			assert.Equal(t, 200, logged[0].Status)
			assert.True(t, logged[0].Dropped)

			// An error answer cut short: the client cannot read the code, and the call had no
			// effect.
			srv.InjectFault("DeleteApp", sagemakerfake.Fault{Truncate: true, Code: "ThrottlingException", Times: 1})
			_, err = c.DeleteApp(ctx(t), deleteInput(in))
			require.ErrorAs(t, err, &de)
			require.ErrorIs(t, err, io.ErrUnexpectedEOF)
			assert.Equal(t, 400, httpStatus(err))
			assert.Empty(t, errorCode(err), "the code was in the half that never came")
			require.Len(t, reader.reads, 2, "not retried, though the whole answer would have been")
			assert.True(t, strings.HasPrefix(string(reader.reads[1].got), `{"__type":"Thrott`), "%q", reader.reads[1].got)
			assert.Zero(t, countKind(srv.History(), sagemakerfake.EventAppDeleting), "the error had no effect")
		})
	}
}

// TestFaultFuncDecidesPerCaller lets a function decide each call's fault from the caller's
// User-Agent (the SDK's AppID): the victim's calls fail whatever else happens, the injected
// fault is left for the first call the function passes on, and removing the function ends it.
func TestFaultFuncDecidesPerCaller(t *testing.T) {
	var mu sync.Mutex
	var seen []sagemakerfake.Call
	srv := sagemakerfake.Start(t, sagemakerfake.WithFaultFunc(func(c sagemakerfake.Call) *sagemakerfake.Fault {
		mu.Lock()
		seen = append(seen, c)
		mu.Unlock()
		if c.Operation == "CreateApp" && strings.Contains(c.UserAgent, "app/victim") {
			return &sagemakerfake.Fault{Code: "ServiceUnavailable", Times: 1} // Times is the function's to decide: ignored
		}
		return nil
	}))
	seedFixture(t, srv)
	seedSpace(t, srv, "other", "", "")
	srv.InjectFault("CreateApp", sagemakerfake.Fault{Code: "InternalFailure", Times: 1})
	victim := srv.Client(func(o *sagemaker.Options) { o.AppID = "victim" })
	other := srv.Client(func(o *sagemaker.Options) { o.AppID = "other" })
	a := spaceApp(types.AppTypeJupyterLab, testSpace, "a", "")
	b := spaceApp(types.AppTypeJupyterLab, "other", "b", "")

	_, err := victim.CreateApp(ctx(t), a)
	wantCode(t, err, "ServiceUnavailable")
	_, err = other.CreateApp(ctx(t), b)
	require.NoError(t, err)
	statuses := func(agent string) []int {
		var out []int
		for _, r := range loggedOf(srv, "CreateApp") {
			if strings.Contains(r.UserAgent, agent) {
				out = append(out, r.Status)
			}
		}
		return out
	}
	assert.Equal(t, []int{503, 503, 503}, statuses("app/victim"), "every attempt: the function's fault has no Times")
	assert.Equal(t, []int{500, 200}, statuses("app/other"), "the injected fault was left for the first call the function passed on")

	mu.Lock()
	first := seen[0]
	mu.Unlock()
	assert.Equal(t, "CreateApp", first.Operation)
	assert.Equal(t, loggedOf(srv, "CreateApp")[0].RequestID, first.RequestID)
	assert.Contains(t, string(first.Body), `"AppName":"a"`)
	assert.Contains(t, first.Header.Get("Amz-Sdk-Request"), "attempt=1")
	assert.Equal(t, srv.Now(), first.Time)

	srv.SetFaultFunc(nil)
	_, err = victim.CreateApp(ctx(t), a)
	require.NoError(t, err, "without the function, the victim's call goes through")
	srv.SetFaultFunc(func(c sagemakerfake.Call) *sagemakerfake.Fault {
		if c.Operation == "DescribeApp" {
			return &sagemakerfake.Fault{Code: "AccessDeniedException", Status: 403}
		}
		return nil
	})
	_, err = victim.DescribeApp(ctx(t), describeInput(a))
	wantCode(t, err, "AccessDeniedException")
	assert.Equal(t, 403, httpStatus(err))
}
