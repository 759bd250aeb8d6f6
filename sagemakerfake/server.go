package sagemakerfake

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// MaxBodyBytes is the largest request body the server reads; a larger one is answered with 413.
const MaxBodyBytes = 1 << 20

// MaxLoggedBodyBytes is how much of each request body the request log keeps (Request.Body): the
// whole body of any ordinary request, and at most 80 MiB over the 10000 entries that the log keeps
// by default.
const MaxLoggedBodyBytes = 8 << 10

// Server is a fake SageMaker that speaks the awsJson 1.1 protocol. It holds domains, user
// profiles, spaces and apps in memory, one set per Server. All its methods are safe for
// concurrent use. A Server is also an http.Handler, so it can be mounted elsewhere or called
// through httptest.NewRecorder.
type Server struct {
	cfg       config
	clock     Clock
	partition string

	srv       *http.Server
	url       string
	transport *http.Transport
	serveDone chan struct{}
	connMu    sync.Mutex
	newConns  map[net.Conn]struct{} // accepted, no request read yet
	closing   chan struct{}
	closeOnce sync.Once

	inflightMu sync.Mutex // orders inflight.Add before Close's inflight.Wait
	closed     bool
	inflight   sync.WaitGroup

	idPrefix   [8]byte
	reqCounter atomic.Uint64
	faulty     atomic.Bool // a fault or throttle was ever set: only then do calls look for one

	presign presignStore // CreatePresignedDomainUrl's URLs, under a lock of their own

	// mu guards the store. The readers (DescribeApp and ListApps) hold it for reading, so that
	// they run side by side; everything else holds it for writing.
	mu        sync.RWMutex
	rng       *rand.Rand
	domains   map[string]*domain
	profiles  map[childKey]*profile
	spaces    map[childKey]*space
	apps      map[appKey]*app
	lists     map[listKey]*appList             // the apps of each listing of ListApps, in creation order
	byARN     map[string]appKey                // the key of each stored app, for the tag operations
	bySpace   map[childKey]map[appKey]struct{} // the apps of each space, for the one-app rule
	seq       uint64
	faults    map[string][]*activeFault
	throttles map[string]*bucket
	hist      history // every change of the store, for History

	faultFunc atomic.Pointer[func(Call) *Fault] // WithFaultFunc, SetFaultFunc

	reqMu    sync.Mutex // guards the request log alone, so that logging a request never waits for the store
	requests []Request
	reqNext  int
}

// Run starts a fake for a program, on a free port of 127.0.0.1 (or on the listener given by
// WithListener), and returns it; call Close when done. Unlike Start, it runs on real time
// (SystemClock), so apps move from Pending to InService by themselves, and its random source is
// seeded afresh, so that two runs do not hand out the same domain IDs; WithClock and WithRandSeed
// change either. It returns an error, and closes the listener given by WithListener, if an option
// is invalid or it cannot listen.
func Run(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	cfg.clock = SystemClock{}
	var seed [8]byte
	_, _ = cryptorand.Read(seed[:]) // never fails on supported platforms
	cfg.randSeed = binary.LittleEndian.Uint64(seed[:])
	return newServer(cfg, opts, true)
}

// Start starts a fake for a test and closes it with t.Cleanup; it fails t if the fake cannot
// start. The fake is deterministic: it runs on its own ManualClock, started at the wall-clock time
// and moved only by Advance, and its random source has the fixed seed 1 unless WithRandSeed gives
// another.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := newServer(defaultConfig(), opts, true)
	if err != nil {
		t.Fatalf("sagemakerfake: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// newServer applies opts over cfg and starts the server; a nil clock means a new ManualClock.
func newServer(cfg config, opts []Option, listen bool) (*Server, error) {
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.check(); err != nil {
		if cfg.listener != nil {
			_ = cfg.listener.Close()
		}
		return nil, err
	}
	if !cfg.deleteSet {
		cfg.deleteDelay = cfg.startupDelay
	}
	if cfg.clock == nil {
		cfg.clock = NewManualClock(time.Now().UTC().Truncate(time.Millisecond))
	}
	s := &Server{
		cfg:       cfg,
		clock:     cfg.clock,
		partition: partitionOf(cfg.region),
		closing:   make(chan struct{}),
		rng:       rand.New(rand.NewPCG(cfg.randSeed, cfg.randSeed^0x9e3779b97f4a7c15)),
		domains:   map[string]*domain{},
		profiles:  map[childKey]*profile{},
		spaces:    map[childKey]*space{},
		apps:      map[appKey]*app{},
		lists:     map[listKey]*appList{},
		byARN:     map[string]appKey{},
		bySpace:   map[childKey]map[appKey]struct{}{},
		faults:    map[string][]*activeFault{},
		throttles: map[string]*bucket{},
	}
	if cfg.faultFunc != nil {
		s.faultFunc.Store(&cfg.faultFunc)
	}
	// Request IDs only need to be unique; a random prefix keeps two servers' IDs apart.
	_, _ = cryptorand.Read(s.idPrefix[:])
	s.transport = &http.Transport{
		Proxy:               nil, // the fake is on this machine; never send its traffic through a proxy
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
	}
	if !listen {
		return s, nil
	}
	ln := cfg.listener
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
	}
	errorLog := log.New(io.Discard, "", 0)
	if cfg.logger != nil {
		errorLog = slog.NewLogLogger(cfg.logger.Handler(), slog.LevelWarn)
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errorLog, ConnState: s.trackConn}
	s.url = "http://" + ln.Addr().String()
	s.serveDone = make(chan struct{})
	go func() {
		defer close(s.serveDone)
		_ = s.srv.Serve(ln) // returns http.ErrServerClosed once Close shuts it down
	}()
	return s, nil
}

// partitionOf names the partition of a region, such as aws-cn or aws-iso-b, from the SDK's own
// endpoint data (the partitions' region patterns in the SageMaker client); a region that no
// partition claims is in aws, as the SDK also assumes.
func partitionOf(region string) string {
	e, err := sagemaker.NewDefaultEndpointResolver().ResolveEndpoint(region, sagemaker.EndpointResolverOptions{})
	if err != nil || e.PartitionID == "" {
		return "aws"
	}
	return e.PartitionID
}

// URL returns the server's base URL, such as http://127.0.0.1:41234, for any AWS client's endpoint
// setting. It is empty for a Server that does not listen.
func (s *Server) URL() string { return s.url }

// Region returns the region the server's ARNs name.
func (s *Server) Region() string { return s.cfg.region }

// Account returns the account ID the server's ARNs name.
func (s *Server) Account() string { return s.cfg.account }

// Now returns the time on the server's clock.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Advance moves the server's clock forward by d. It panics if the server's clock is not a
// *ManualClock, because the time of another clock is not the caller's to move: a server from Run
// is on SystemClock unless WithClock gave it a ManualClock.
func (s *Server) Advance(d time.Duration) {
	mc, ok := s.clock.(*ManualClock)
	if !ok {
		panic("sagemakerfake: Advance needs a *ManualClock, and this server's clock is " + fmt.Sprintf("%T", s.clock))
	}
	mc.Advance(d)
}

// Close stops the server: it stops accepting connections, cuts short any injected latency, waits
// for the requests in flight to finish and closes the connections of the clients from Client. It is
// safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.inflightMu.Lock()
		s.closed = true // from now on, ServeHTTP adds no request to inflight
		s.inflightMu.Unlock()
		close(s.closing)
		if s.srv != nil {
			// Shutdown counts a connection that has sent no request yet as busy for 5 seconds, and
			// a client pool can hold one it dialed but never used: close those first.
			s.transport.CloseIdleConnections()
			s.connMu.Lock()
			for c := range s.newConns {
				_ = c.Close()
			}
			s.connMu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := s.srv.Shutdown(ctx); err != nil {
				_ = s.srv.Close() // a client that stalls mid-request must not keep Close waiting
			}
			cancel()
			<-s.serveDone
		}
		s.inflight.Wait()
		s.transport.CloseIdleConnections()
	})
}

// trackConn keeps the connections that have not sent a request yet, for Close.
func (s *Server) trackConn(c net.Conn, state http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if state == http.StateNew {
		if s.newConns == nil {
			s.newConns = make(map[net.Conn]struct{})
		}
		s.newConns[c] = struct{}{}
		return
	}
	delete(s.newConns, c)
}

// Client returns a real SageMaker client wired to the server: its URL as the endpoint, the
// server's region, static dummy credentials, and a connection pool that never uses a proxy. It
// keeps the SDK's standard retryer (3 attempts, so throttling and 5xx faults are retried as in
// production) but backs off only a millisecond or two and has no retry quota, so tests stay fast
// and repeatable. optFns are applied last and may change any of this.
func (s *Server) Client(optFns ...func(*sagemaker.Options)) *sagemaker.Client {
	endpoint, transport := s.url, http.RoundTripper(s.transport)
	if s.srv == nil { // NewHandler: served in memory, never dialled
		endpoint, transport = "http://sagemakerfake.invalid", memoryTransport{s}
	}
	return sagemaker.New(sagemaker.Options{
		Region:       s.cfg.region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  dummyCredentials,
		HTTPClient:   &http.Client{Transport: transport},
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.RateLimiter = ratelimit.None
			o.Backoff = retry.BackoffDelayerFunc(func(attempt int, _ error) (time.Duration, error) {
				return time.Duration(attempt) * time.Millisecond, nil
			})
		}),
	}, optFns...)
}

// dummyCredentials sign requests that nobody checks; a fixed provider keeps the SDK from looking
// for real credentials anywhere on the machine.
var dummyCredentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "AKIDSAGEMAKERFAKE", SecretAccessKey: "sagemakerfake-secret", Source: "sagemakerfake"}, nil
})

// newRequestID returns a UUID-shaped ID, unique per server.
func (s *Server) newRequestID() string {
	var b [16]byte
	copy(b[:8], s.idPrefix[:])
	n := s.reqCounter.Add(1)
	for i := 15; i >= 8; i-- {
		b[i] = byte(n)
		n >>= 8
	}
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// opFunc carries out one operation on a decoded, model-checked input. It runs with s.mu held for
// writing and returns the response value to encode as JSON.
type opFunc func(s *Server, in map[string]any, now time.Time) (any, *Error)

// readFunc carries out an operation that only reads the store: it runs with s.mu held for reading,
// so it must change nothing. An expired app it comes across goes into stale, for the server to
// forget once it holds the lock for writing.
type readFunc func(s *Server, in map[string]any, now time.Time, stale *[]appKey) (any, *Error)

// readers are the operations that run side by side: the reads that a fleet of waiting clients
// sends again and again.
var readers = map[string]readFunc{
	"DescribeApp": (*Server).opDescribeApp,
	"ListApps":    (*Server).opListApps,
}

var handlers = map[string]opFunc{
	"CreateDomain":             (*Server).opCreateDomain,
	"DescribeDomain":           (*Server).opDescribeDomain,
	"CreateUserProfile":        (*Server).opCreateUserProfile,
	"DescribeUserProfile":      (*Server).opDescribeUserProfile,
	"DeleteUserProfile":        (*Server).opDeleteUserProfile,
	"ListUserProfiles":         (*Server).opListUserProfiles,
	"CreateSpace":              (*Server).opCreateSpace,
	"DescribeSpace":            (*Server).opDescribeSpace,
	"UpdateSpace":              (*Server).opUpdateSpace,
	"ListSpaces":               (*Server).opListSpaces,
	"DeleteSpace":              (*Server).opDeleteSpace,
	"CreatePresignedDomainUrl": (*Server).opCreatePresignedDomainURL,
	"CreateApp":                (*Server).opCreateApp,
	"DeleteApp":                (*Server).opDeleteApp,
	"ListTags":                 (*Server).opListTags,
	"AddTags":                  (*Server).opAddTags,
	"DeleteTags":               (*Server).opDeleteTags,
}

// exchange is one request in flight.
type exchange struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	id      string
	start   time.Time
	rec     Request
	wrote   bool
	dropped bool
	cut     bool // an injected Truncate: the answer is cut short
}

// ServeHTTP answers one awsJson 1.1 request: POST with X-Amz-Target "SageMaker.<Operation>" and a
// JSON body of at most MaxBodyBytes. Every answer carries X-Amzn-RequestId. A panic inside the fake
// is answered as 500 InternalFailure rather than crashing the process. Once the server is closed,
// a request that still reaches it (when it is mounted on another server) is answered with 503
// ServiceUnavailable and has no effect.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &exchange{s: s, w: w, r: r, id: s.newRequestID(), start: time.Now()}
	x.rec = Request{RequestID: x.id, Time: s.clock.Now(), UserAgent: r.Header.Get("User-Agent")}
	w.Header().Set("X-Amzn-RequestId", x.id)
	s.inflightMu.Lock()
	if s.closed {
		s.inflightMu.Unlock()
		x.fail(newAPIError(CodeServiceUnavailable, "The server is closed"))
		return
	}
	s.inflight.Add(1)
	s.inflightMu.Unlock()
	defer s.inflight.Done()
	if r.URL.Path == StudioPath && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		s.serveStudio(w, r)
		return
	}
	defer x.finish()
	x.serve()
}

func (x *exchange) serve() {
	s, r := x.s, x.r
	target := r.Header.Get("X-Amz-Target")
	op, known := strings.CutPrefix(target, model.targetPrefix+".")
	x.rec.Operation = op // the whole header when it names no SageMaker operation

	if r.ContentLength > MaxBodyBytes {
		discardBody(r)
		x.fail(newAPIError(CodeRequestTooLarge, "Request body of %d bytes exceeds the limit of %d bytes", r.ContentLength, MaxBodyBytes))
		return
	}
	body, err := readBody(r)
	if len(body) > MaxBodyBytes {
		discardBody(r)
		x.fail(newAPIError(CodeRequestTooLarge, "Request body exceeds the limit of %d bytes", MaxBodyBytes))
		return
	}
	x.rec.BodySize = len(body)
	x.rec.Body = body // nothing else keeps it: decoding copies what it needs
	if len(body) > MaxLoggedBodyBytes {
		x.rec.Body = slices.Clone(body[:MaxLoggedBodyBytes]) // and lets the rest go
	}
	if err != nil {
		x.fail(serializationError("Could not read the request body: %v", err))
		return
	}

	if s.cfg.logger != nil {
		s.cfg.logger.LogAttrs(r.Context(), slog.LevelDebug, "request received", slog.String("op", op), slog.String("request_id", x.id))
	}

	fn, read := handlers[op], readers[op]
	if r.Method != http.MethodPost || !known || (fn == nil && read == nil) {
		switch {
		case r.Method != http.MethodPost:
			x.fail(newAPIError(CodeUnknownOperation, "Only POST requests are supported, got %s", r.Method))
		case target == "":
			x.fail(newAPIError(CodeUnknownOperation, "Missing X-Amz-Target header"))
		default:
			x.fail(newAPIError(CodeUnknownOperation, "Operation %q is not supported", shortValue(target)))
		}
		return
	}

	var fault *Fault
	var throttled bool
	if fn := s.faultFunc.Load(); fn != nil {
		fault = x.askFaultFunc(*fn, body)
	}
	if s.faulty.Load() {
		s.mu.Lock()
		injected, th := s.pickFault(op, fault == nil)
		s.mu.Unlock()
		throttled = th
		if fault == nil {
			fault = injected
		}
	}
	if fault != nil && fault.Latency > 0 {
		s.sleep(fault.Latency)
	}
	if throttled {
		x.fail(newAPIError(CodeThrottling, "Rate exceeded"))
		return
	}
	if fault != nil && fault.DropBeforeCommit {
		x.drop()
		return
	}
	if fault != nil && fault.Hang {
		x.hang()
		return
	}
	x.cut = fault != nil && fault.Truncate
	if fault != nil && fault.Code != "" {
		e := &Error{Code: fault.Code, StatusCode: fault.Status, Message: fault.Message}
		if e.StatusCode == 0 {
			e.StatusCode = statusFor(e.Code)
		}
		if e.Message == "" {
			e.Message = defaultFaultMessages[e.Code]
		}
		if e.Message == "" {
			e.Message = "Injected fault"
		}
		x.fail(e)
		return
	}

	in, aerr := decodeInput(body)
	if aerr == nil {
		aerr = checkInput(model.operations[op].input, in)
	}
	if aerr != nil {
		x.fail(aerr)
		return
	}
	var out any
	if read != nil {
		out, aerr = s.runRead(read, in)
	} else {
		out, aerr = s.run(cause{op: op, requestID: x.id, userAgent: x.rec.UserAgent}, fn, in)
	}
	if f, ok := out.(unlockedAnswer); ok {
		out = f.finish()
	}
	if fault != nil && fault.DropAfterCommit {
		x.drop()
		return
	}
	if fault != nil && fault.HangAfterCommit {
		x.hang()
		return
	}
	if aerr != nil {
		x.fail(aerr)
		return
	}
	payload, err := json.Marshal(out)
	if err != nil {
		x.fail(newAPIError(CodeInternalFailure, "Could not encode the response: %v", err))
		return
	}
	x.respond(http.StatusOK, payload)
}

// run carries out an operation under the lock, as the request c; the deferred unlock keeps a
// panicking FailureRule from wedging the server.
func (s *Server) run(c cause, fn opFunc, in map[string]any) (any, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.beginCause(c)
	defer s.endCause(now)
	return fn(s, in, now)
}

// runRead carries out a reader under the lock held for reading, and then forgets what it found
// expired under the lock held for writing. The deferred unlock keeps a panic from wedging the
// server.
func (s *Server) runRead(fn readFunc, in map[string]any) (any, *Error) {
	var stale []appKey
	now, out, err := func() (time.Time, any, *Error) {
		s.mu.RLock()
		defer s.mu.RUnlock()
		now := s.clock.Now()
		out, err := fn(s, in, now, &stale)
		return now, out, err
	}()
	if len(stale) > 0 {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.forgetStale(stale, now)
	}
	return out, err
}

// readBody reads the body, at most MaxBodyBytes+1 bytes of it. A body of known length, which the
// SDKs always send, is read into a buffer of that size at once.
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength < 0 {
		return io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	}
	body := make([]byte, r.ContentLength) // at most MaxBodyBytes: larger ones were refused
	n, err := io.ReadFull(r.Body, body)
	return body[:n], err
}

// discardBody reads what is left of a refused body, within reason. net/http would otherwise close
// the connection after the answer and linger half a second to avoid a reset, which Close then
// waits for.
func discardBody(r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 8*MaxBodyBytes))
}

// sleep waits d in wall-clock time, or until the server closes.
func (s *Server) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.closing:
	}
}

type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func (x *exchange) fail(e *Error) {
	x.rec.ErrorCode = e.Code
	payload, _ := json.Marshal(errorBody{Type: e.Code, Message: e.Message}) // strings always marshal
	x.respond(e.StatusCode, payload)
}

func (x *exchange) respond(status int, payload []byte) {
	h := x.w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("Content-Length", strconv.Itoa(len(payload)))
	x.w.WriteHeader(status)
	x.rec.Status = status
	if x.cut {
		x.truncate(payload)
	}
	_, _ = x.w.Write(payload) // a client that went away is not the server's problem
	x.wrote = true
}

// drop closes the connection without a response. Hijacking closes it at once; where the writer
// cannot be hijacked, net/http's ErrAbortHandler has the same effect on the client.
func (x *exchange) drop() {
	x.dropped = true
	x.rec.Dropped = true
	conn, _, err := http.NewResponseController(x.w).Hijack()
	if err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// finish records and logs the exchange, and turns a panic into 500 InternalFailure.
func (x *exchange) finish() {
	p := recover()
	if p != nil && p != http.ErrAbortHandler && !x.wrote && !x.dropped {
		x.fail(newAPIError(CodeInternalFailure, "Internal failure: %v", p))
	}
	s := x.s
	s.record(x.rec)
	if s.cfg.logger != nil {
		attrs := []slog.Attr{
			slog.String("op", x.rec.Operation),
			slog.Int("status", x.rec.Status),
			slog.String("request_id", x.id),
			slog.Duration("duration", time.Since(x.start)),
		}
		if x.rec.ErrorCode != "" {
			attrs = append(attrs, slog.String("code", x.rec.ErrorCode))
		}
		if x.dropped {
			attrs = append(attrs, slog.Bool("dropped", true))
		}
		if p != nil && p != http.ErrAbortHandler {
			attrs = append(attrs, slog.Any("panic", p))
		}
		s.cfg.logger.LogAttrs(x.r.Context(), slog.LevelInfo, "request", attrs...)
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
}
