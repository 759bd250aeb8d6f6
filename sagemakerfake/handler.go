package sagemakerfake

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
)

// NewHandler returns a fake that does not listen: it is served only as an http.Handler, and its
// Client calls it in memory, without a connection. That is the fake for a test that runs in a
// testing/synctest bubble, where a listening server would keep the bubble's clock from moving:
// every wait, retry, limiter and injected latency then takes no real time, and the test is
// deterministic. Unlike Start, it runs on SystemClock unless WithClock gives another (in a bubble,
// the system clock is the bubble's); like Run, it returns an error for an invalid option. Close
// it when done. Its URL is empty.
func NewHandler(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	cfg.clock = SystemClock{}
	return newServer(cfg, opts, false)
}

// memoryTransport serves requests with the Server's ServeHTTP in memory. A dropped exchange (an
// injected DropBeforeCommit or DropAfterCommit) reaches the client as a connection reset, as it
// does over TCP; one cut short after its answer began (Truncate) reaches it as the answer's
// status and headers and a body that ends early with io.ErrUnexpectedEOF; a request whose
// context ends first returns the context's error.
type memoryTransport struct{ s *Server }

func (t memoryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	type result struct {
		rec     *httptest.ResponseRecorder
		dropped bool
	}
	done := make(chan result, 1)
	go func() {
		rec := httptest.NewRecorder()
		defer func() {
			p := recover()
			if p != nil && p != http.ErrAbortHandler {
				panic(p)
			}
			done <- result{rec, p != nil}
		}()
		t.s.ServeHTTP(rec, r)
	}()
	select {
	case res := <-done:
		if res.dropped && !res.rec.Flushed {
			return nil, errConnReset
		}
		if res.dropped { // cut short: what was flushed, then the end of the connection
			resp := res.rec.Result()
			resp.Body = io.NopCloser(io.MultiReader(resp.Body, cutReader{}))
			return resp, nil
		}
		return res.rec.Result(), nil
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
}

// cutReader is the end of a connection closed before the whole body came.
type cutReader struct{}

func (cutReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

var errConnReset = &resetError{}

// resetError is what a client of the in-memory transport sees of a dropped connection.
type resetError struct{}

func (*resetError) Error() string        { return "sagemakerfake: connection reset by peer (dropped)" }
func (*resetError) Unwrap() error        { return syscall.ECONNRESET }
func (*resetError) Timeout() bool        { return false }
func (*resetError) Temporary() bool      { return true }
func (*resetError) Is(target error) bool { return errors.Is(syscall.ECONNRESET, target) }
