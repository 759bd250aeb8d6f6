package sagemakerfake

import (
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// App is a copy of an app the server holds, as Server.Apps returns it and a FailureRule sees it.
type App struct {
	ARN             string
	DomainID        string
	UserProfileName string // set for an app of a user profile
	SpaceName       string // set for an app of a space
	AppType         types.AppType
	AppName         string
	// Status is derived from the server's clock at the time of the copy.
	Status        types.AppStatus
	FailureReason string
	// ResourceSpec is the spec as stored: the request's, with the instance type resolved from the
	// defaults when the request had none.
	ResourceSpec types.ResourceSpec
	RecoveryMode *bool
	Tags         []types.Tag
	// CreationTime is DescribeApp's: a restart within 24 hours of a Deleted app keeps it.
	CreationTime time.Time
	// LastHealthCheck and LastUserActivity are DescribeApp's LastHealthCheckTimestamp and
	// LastUserActivityTimestamp, zero where it leaves them out (see SetLastUserActivity).
	LastHealthCheck, LastUserActivity time.Time
}

// Key returns the key that names the app, for SetLastUserActivity.
func (a App) Key() AppKey {
	return AppKey{DomainID: a.DomainID, UserProfileName: a.UserProfileName, SpaceName: a.SpaceName, AppType: a.AppType, AppName: a.AppName}
}

// AppKey names one app of the server as DescribeApp's members do: the domain, exactly one of
// UserProfileName and SpaceName, the app type and the app name.
type AppKey struct {
	DomainID        string
	UserProfileName string
	SpaceName       string
	AppType         types.AppType
	AppName         string
}

// SetLastUserActivity stages the LastUserActivityTimestamp that DescribeApp (and Apps) report for
// the app that k names, as if its user had last used it at t; a test of code that stops idle apps
// moves the server's clock and stages the activity it needs. Without it, the activity is the time
// the app became InService. The history records it as an EventAppActivity. The staged time lasts until the app is created again (a restart
// starts afresh) and is reported in any status, even if t is in the future. It returns an *Error
// with Code CodeResourceNotFound when the server holds no such app (or it has expired).
func (s *Server) SetLastUserActivity(k AppKey, t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := appKey{domainID: k.DomainID, user: k.UserProfileName, space: k.SpaceName, appType: k.AppType, appName: k.AppName}
	now := s.clock.Now()
	a := s.liveApp(key, now)
	if a == nil {
		return notFoundError("App '%s' does not exist.", s.appARN(key))
	}
	a.activity = t
	if s.histOn() {
		s.beginCause(cause{op: "SetLastUserActivity"})
		s.settleApp(a, now)
		e := a.event(EventAppActivity)
		e.LastUserActivity = t
		s.histRequest(e, now)
		s.endCause(now)
	}
	return nil
}

// Request is a copy of one request the server received, as Server.Requests returns it.
type Request struct {
	// Operation is the part of X-Amz-Target after "SageMaker.", or the whole header when it does
	// not name a SageMaker operation.
	Operation string
	// Time is the server's clock when the request arrived.
	Time      time.Time
	RequestID string
	// UserAgent is the request's User-Agent header, where the AWS SDK for Go puts
	// sagemaker.Options.AppID as "app/<id>".
	UserAgent string
	// Body is the request body, cut to its first MaxLoggedBodyBytes bytes.
	Body []byte
	// BodySize is the length of the whole body; it exceeds len(Body) when Body was cut.
	BodySize int
	// Status is the HTTP status of the answer; 0 when the connection was dropped without one.
	Status int
	// ErrorCode is the "__type" of an error answer, or "".
	ErrorCode string
	// Dropped reports that an injected fault closed the connection without an answer, or (with
	// Truncate, and a Status) in the middle of one.
	Dropped bool
}

// Apps returns copies of the apps the server holds, in creation order, including Deleted and
// Failed apps until they expire 24 hours after they stopped.
func (s *Server) Apps() []App {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	list := s.liveApps(now)
	out := make([]App, len(list))
	for i, a := range list {
		out[i] = s.snapshot(a, now)
	}
	return out
}

// liveApps returns the apps that have not expired, oldest first, and forgets the expired ones.
// The caller holds s.mu for writing.
func (s *Server) liveApps(now time.Time) []*app {
	var list, expired []*app
	if l := s.lists[listKey{}]; l != nil {
		list = make([]*app, 0, len(l.entries)-l.holes)
		l.scan(0, false, false, func(a *app) bool {
			if s.expired(a, now) {
				expired = append(expired, a)
			} else {
				list = append(list, a)
			}
			return true
		})
	}
	for _, a := range expired {
		s.forgetApp(a.key)
	}
	return list
}

func (s *Server) snapshot(a *app, now time.Time) App {
	st, _ := s.status(a, now)
	out := App{
		ARN:             a.arn,
		DomainID:        a.key.domainID,
		UserProfileName: a.key.user,
		SpaceName:       a.key.space,
		AppType:         a.key.appType,
		AppName:         a.key.appName,
		Status:          st,
		ResourceSpec:    a.spec.sdk(),
		Tags:            cloneTags(a.tags),
		CreationTime:    a.created,
	}
	out.LastHealthCheck, out.LastUserActivity = s.timestamps(a, now)
	if st == types.AppStatusFailed {
		out.FailureReason = a.failureReason
	}
	if a.recoveryMode != nil {
		v := *a.recoveryMode
		out.RecoveryMode = &v
	}
	return out
}

func cloneTags(tags []types.Tag) []types.Tag {
	if tags == nil {
		return nil
	}
	out := make([]types.Tag, len(tags))
	for i, t := range tags {
		out[i] = types.Tag{Key: clonePtr(t.Key), Value: clonePtr(t.Value)}
	}
	return out
}

func clonePtr(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Requests returns copies of the requests the server received, oldest first (at most the limit
// set by WithRequestLog).
func (s *Server) Requests() []Request {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	n := len(s.requests)
	out := make([]Request, 0, n)
	for i := 0; i < n; i++ {
		r := s.requests[(s.reqNext+i)%n]
		r.Body = slices.Clone(r.Body)
		out = append(out, r)
	}
	return out
}

func (s *Server) record(r Request) {
	limit := s.cfg.requestLog
	if limit == 0 {
		return
	}
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	if len(s.requests) < limit {
		s.requests = append(s.requests, r)
		return
	}
	s.requests[s.reqNext] = r
	s.reqNext = (s.reqNext + 1) % limit
}
