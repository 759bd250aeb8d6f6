package simtest

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// AppState is one app as the history says it was at an instant.
type AppState struct {
	Incarnation int
	Status      types.AppStatus // "" before the app's first create, and after its record expired
	ARN         string
	Spec        *types.ResourceSpec
	Tags        map[string]string
	CreatedBy   string    // the User-Agent of the CreateApp that made this incarnation
	CreatedAt   time.Time // when that CreateApp committed
}

// Live reports whether the app is Pending or InService.
func (s AppState) Live() bool {
	return s.Status == types.AppStatusPending || s.Status == types.AppStatusInService
}

// Gone reports whether the app is gone: no record, Deleted or Failed.
func (s AppState) Gone() bool {
	return s.Status == "" || s.Status == types.AppStatusDeleted || s.Status == types.AppStatusFailed
}

// HasTags reports whether the app carries every tag of want with its value.
func (s AppState) HasTags(want []types.Tag) bool {
	for _, t := range want {
		if v, ok := s.Tags[aws.ToString(t.Key)]; !ok || v != aws.ToString(t.Value) {
			return false
		}
	}
	return true
}

// History is the fake's history, read once, with what the checks ask of it.
type History struct {
	Events []sagemakerfake.Event
}

// ReadHistory reads the server's history now.
func (w *World) ReadHistory() *History { return &History{Events: w.Srv.History()} }

func (s *AppState) apply(e sagemakerfake.Event) {
	switch e.Kind {
	case sagemakerfake.EventAppCreated:
		*s = AppState{Incarnation: e.Incarnation, Status: types.AppStatus(e.Status), ARN: e.ARN, Spec: e.ResourceSpec,
			CreatedBy: e.UserAgent, CreatedAt: e.Time, Tags: map[string]string{}}
		for _, t := range e.Tags {
			s.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	case sagemakerfake.EventAppTagsChanged:
		s.Tags = map[string]string{}
		for _, t := range e.Tags {
			s.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	case sagemakerfake.EventAppExpired:
		s.Status = ""
	default:
		if e.Status != "" {
			s.Status = types.AppStatus(e.Status)
		}
	}
}

// AppWithin calls visit with the app's state at from, and after each of its changes up to to,
// until visit returns true; it reports whether one did. The state is constant between changes, so
// this visits every state the app was in during [from, to].
func (h *History) AppWithin(key sagemakerfake.AppKey, from, to time.Time, visit func(AppState, time.Time) bool) bool {
	var s AppState
	started := false
	for _, e := range h.Events {
		if e.App != key {
			continue
		}
		if e.Time.After(to) {
			break
		}
		if !e.Time.Before(from) && !started {
			started = true
			if visit(s, from) {
				return true
			}
		}
		s.apply(e)
		if started && visit(s, e.Time) {
			return true
		}
	}
	if !started {
		return visit(s, from)
	}
	return false
}

// AppAt is the app's state at t, after every change at or before t.
func (h *History) AppAt(key sagemakerfake.AppKey, t time.Time) AppState {
	var s AppState
	for _, e := range h.Events {
		if e.App != key {
			continue
		}
		if e.Time.After(t) {
			break
		}
		s.apply(e)
	}
	return s
}

// AppEvents are the events of one app, by kind (all kinds when none is given), in [from, to].
func (h *History) AppEvents(key sagemakerfake.AppKey, from, to time.Time, kinds ...sagemakerfake.EventKind) []sagemakerfake.Event {
	var out []sagemakerfake.Event
	for _, e := range h.Events {
		if e.App == key && !e.Time.Before(from) && !e.Time.After(to) && (len(kinds) == 0 || slices.Contains(kinds, e.Kind)) {
			out = append(out, e)
		}
	}
	return out
}

// By are the events caused by caller id's requests, in [from, to].
func (h *History) By(id string, from, to time.Time) []sagemakerfake.Event {
	var out []sagemakerfake.Event
	for _, e := range h.Events {
		if Of(e.UserAgent, id) && !e.Time.Before(from) && !e.Time.After(to) {
			out = append(out, e)
		}
	}
	return out
}

// StateBefore is the app's state just before the event e (of that app) took effect.
func (h *History) StateBefore(e sagemakerfake.Event) AppState {
	var s AppState
	for _, x := range h.Events {
		if x.Seq == e.Seq {
			break
		}
		if x.App == e.App {
			s.apply(x)
		}
	}
	return s
}

// SpaceState is one space as the history says it was at an instant: its status ("" when there is
// none), from the space events.
type SpaceState struct {
	Status    types.SpaceStatus
	CreatedBy string // the request that created it ("" for a seed)
	RequestID string
}

// SpaceWithin is AppWithin for a space.
func (h *History) SpaceWithin(domain, space string, from, to time.Time, visit func(SpaceState, time.Time) bool) bool {
	var s SpaceState
	apply := func(e sagemakerfake.Event) {
		switch e.Kind {
		case sagemakerfake.EventSpaceCreated:
			s = SpaceState{Status: types.SpaceStatus(e.Status), CreatedBy: e.UserAgent, RequestID: e.RequestID}
		case sagemakerfake.EventSpaceDeleted:
			s = SpaceState{}
		default:
			if e.Status != "" {
				s.Status = types.SpaceStatus(e.Status)
			}
		}
	}
	started := false
	for _, e := range h.Events {
		if e.App != (sagemakerfake.AppKey{}) || e.SpaceName != space || e.DomainID != domain {
			continue
		}
		if e.Time.After(to) {
			break
		}
		if !e.Time.Before(from) && !started {
			started = true
			if visit(s, from) {
				return true
			}
		}
		apply(e)
		if started && visit(s, e.Time) {
			return true
		}
	}
	if !started {
		return visit(s, from)
	}
	return false
}

// Requests are the fake's logged requests of caller id, of op (every op when ""), in order.
func (w *World) Requests(id, op string) []sagemakerfake.Request {
	var out []sagemakerfake.Request
	for _, r := range w.Srv.Requests() {
		if Of(r.UserAgent, id) && (op == "" || r.Operation == op) {
			out = append(out, r)
		}
	}
	return out
}

// AppOfBody reads the app a request names (DomainId, SpaceName or UserProfileName, AppType,
// AppName), for the requests of one app.
func AppOfBody(body []byte) sagemakerfake.AppKey {
	var m struct {
		DomainId, SpaceName, UserProfileName, AppType, AppName string
	}
	_ = json.Unmarshal(body, &m)
	return sagemakerfake.AppKey{DomainID: m.DomainId, SpaceName: m.SpaceName, UserProfileName: m.UserProfileName, AppType: types.AppType(m.AppType), AppName: m.AppName}
}

// Dump is the history as lines, for a failing seed.
func (h *History) Dump() string {
	var b strings.Builder
	for _, e := range h.Events {
		b.WriteString(e.String())
		if e.UserAgent != "" {
			for _, f := range strings.Fields(e.UserAgent) {
				if strings.HasPrefix(f, "app/") {
					b.WriteString(" [" + strings.TrimPrefix(f, "app/") + "]")
				}
			}
		}
		if e.ResourceSpec != nil {
			b.WriteString(" " + string(e.ResourceSpec.InstanceType))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// SpaceOwnerAt is the owner of the space's life at t (compared without case by callers) and whether
// it is shared; ok is false when there is no space then. A seeded space's owner is the world's; a
// created one's is its CreateSpace request's.
func (w *World) SpaceOwnerAt(h *History, space string, t time.Time) (owner string, shared, ok bool) {
	var created *sagemakerfake.Event
	for _, e := range h.Events {
		if e.App != (sagemakerfake.AppKey{}) || e.SpaceName != space || e.Time.After(t) {
			continue
		}
		switch e.Kind {
		case sagemakerfake.EventSpaceCreated:
			created = &e
		case sagemakerfake.EventSpaceDeleted:
			created = nil
		}
	}
	if created == nil {
		return "", false, false
	}
	if created.Operation == "SeedSpace" {
		o, ok := seedOwners[space]
		return o.owner, o.shared, ok || space == SharedSpace
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range w.arrivals {
		if r.RequestID != created.RequestID {
			continue
		}
		var in struct {
			OwnershipSettings    struct{ OwnerUserProfileName string }
			SpaceSharingSettings struct{ SharingType string }
		}
		_ = json.Unmarshal(r.Body, &in)
		return in.OwnershipSettings.OwnerUserProfileName, in.SpaceSharingSettings.SharingType != string(types.SharingTypePrivate), true
	}
	return "", false, true
}

// seedOwners are the owners of the world's seeded spaces (s0… are alice's).
var seedOwners = map[string]struct {
	owner  string
	shared bool
}{"b0": {"bob", false}, "c0": {"carol", false}, "cshared": {"carol", true}}

func init() {
	for i := range 10 {
		seedOwners["s"+strconv.Itoa(i)] = struct {
			owner  string
			shared bool
		}{"alice", false}
	}
}

// ProfileGoneWithin reports whether the user profile (its name compared without case) was gone at
// some instant of [from, to].
func (h *History) ProfileGoneWithin(user string, from, to time.Time) bool {
	exists := false
	for _, e := range h.Events {
		if e.App != (sagemakerfake.AppKey{}) || e.SpaceName != "" || !strings.EqualFold(e.UserProfileName, user) {
			continue
		}
		if e.Time.After(to) {
			break
		}
		if !e.Time.Before(from) && !exists {
			return true
		}
		switch e.Kind {
		case sagemakerfake.EventUserProfileCreated:
			exists = true
		case sagemakerfake.EventUserProfileDeleted:
			exists = false
		}
	}
	return !exists
}
