package sagemakerfake

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// EventKind says what changed in an Event.
type EventKind string

// The kinds of Event. An app's Status in its events is the AppStatus it entered; a space's, the
// SpaceStatus it entered; the events of a resource that is gone, and of tags, have no Status.
const (
	// EventDomainCreated: CreateDomain or a seed created a domain (Status InService).
	EventDomainCreated EventKind = "DomainCreated"
	// EventUserProfileCreated: CreateUserProfile created a user profile (Status Pending), or a
	// seed did (InService).
	EventUserProfileCreated EventKind = "UserProfileCreated"
	// EventUserProfileInService: the startup delay of a user profile created by
	// CreateUserProfile ran out.
	EventUserProfileInService EventKind = "UserProfileInService"
	// EventUserProfileDeleted: DeleteUserProfile removed a user profile.
	EventUserProfileDeleted EventKind = "UserProfileDeleted"
	// EventSpaceCreated: CreateSpace created a space (Status Pending), or a seed did (InService).
	EventSpaceCreated EventKind = "SpaceCreated"
	// EventSpaceInService: the startup delay of a space created by CreateSpace, or updated by
	// UpdateSpace, ran out.
	EventSpaceInService EventKind = "SpaceInService"
	// EventSpaceUpdating: UpdateSpace changed a space (Status Updating).
	EventSpaceUpdating EventKind = "SpaceUpdating"
	// EventSpaceDeleting: DeleteSpace started the deletion of a space.
	EventSpaceDeleting EventKind = "SpaceDeleting"
	// EventSpaceDeleted: the delete delay ran out and the space is gone.
	EventSpaceDeleted EventKind = "SpaceDeleted"
	// EventAppCreated: CreateApp created an app, or started a Deleted one again (Status Pending).
	EventAppCreated EventKind = "AppCreated"
	// EventAppInService: the startup delay of an app ran out and it is InService.
	EventAppInService EventKind = "AppInService"
	// EventAppFailed: the startup delay of an app that a FailureRule (or the image rule) fails
	// ran out and it is Failed; FailureReason says why.
	EventAppFailed EventKind = "AppFailed"
	// EventAppDeleting: DeleteApp started the deletion of an app.
	EventAppDeleting EventKind = "AppDeleting"
	// EventAppDeleted: the delete delay ran out and the app is Deleted.
	EventAppDeleted EventKind = "AppDeleted"
	// EventAppExpired: 24 hours after it became Deleted or Failed, the app's record is gone.
	EventAppExpired EventKind = "AppExpired"
	// EventAppActivity: SetLastUserActivity staged the app's last user activity
	// (LastUserActivity), as a user of it would have; Operation is "SetLastUserActivity".
	EventAppActivity EventKind = "AppActivity"
	// EventAppTagsChanged, EventSpaceTagsChanged, EventUserProfileTagsChanged and
	// EventDomainTagsChanged: AddTags or DeleteTags changed a resource's tags (a call that
	// leaves them as they were records nothing).
	EventAppTagsChanged         EventKind = "AppTagsChanged"
	EventSpaceTagsChanged       EventKind = "SpaceTagsChanged"
	EventUserProfileTagsChanged EventKind = "UserProfileTagsChanged"
	EventDomainTagsChanged      EventKind = "DomainTagsChanged"
)

// Event is one change of the server's state, as Server.History returns it.
type Event struct {
	// Seq numbers the events from the server's start, 1, 2, … in History's order. An event keeps
	// its Seq from one call of History to the next; once the history limit drops old events,
	// the first event History returns has a Seq above 1.
	Seq int
	// Time is when the change happened on the server's clock: for a request, the time the
	// server handled it; for a change the clock made, the instant it was due (an app's creation
	// plus its startup delay, say), whenever the server came to notice it.
	Time time.Time
	Kind EventKind
	// App names the app of an app event; it is the zero AppKey for the other events.
	App AppKey
	// DomainID is the domain of every event. SpaceName is set for space events and for the
	// apps of a space; UserProfileName for user profile events and for the apps of a profile.
	DomainID        string
	SpaceName       string
	UserProfileName string
	// Status is the status the resource entered, as a string of types.AppStatus,
	// types.SpaceStatus, types.UserProfileStatus or types.DomainStatus; "" for an event that
	// did not change a status (tags) and for a resource that is gone.
	Status string
	// ARN is the resource's ARN.
	ARN string
	// Incarnation tells two lives of one app apart, in app events: 1 for the first CreateApp of
	// its AppKey that committed, 2 for the next, and so on, through restarts (which keep the
	// ARN and the CreationTime) and through creates after the record expired.
	Incarnation int
	// ResourceSpec is, in EventAppCreated, the spec as resolved: what DescribeApp reports.
	ResourceSpec *types.ResourceSpec
	// Tags are the resource's tags after the change, in the events that create a resource or
	// change its tags; nil in the others.
	Tags []types.Tag
	// FailureReason is set in EventAppFailed.
	FailureReason string
	// LastUserActivity is set in EventAppActivity: the activity staged.
	LastUserActivity time.Time
	// Operation is the operation of the request that made the change, such as "CreateApp"; a
	// seed's changes have SeedDomain, SeedUserProfile or SeedSpace (from the Seed functions and
	// from LoadSeed alike); "" for a change the clock made.
	Operation string
	// RequestID is the X-Amzn-RequestId of that request; "" for seeds and the clock.
	RequestID string
	// UserAgent is the User-Agent header of that request, so that a test can tell callers apart:
	// the AWS SDK for Go puts sagemaker.Options.AppID in it as "app/<id>". "" for seeds and the
	// clock.
	UserAgent string
}

// DefaultHistoryLimit is how many events Server.History keeps unless WithHistoryLimit says
// otherwise.
const DefaultHistoryLimit = 100_000

// WithHistoryLimit sets how many events Server.History keeps: the most recent n (the server may
// hold up to an eighth more between two calls of History before it drops the oldest). 0 turns
// the history off, so that a server under load spends nothing on it; History then returns nil.
// The default is DefaultHistoryLimit. A negative limit is an error.
func WithHistoryLimit(n int) Option {
	return func(c *config) { c.historyLimit = n }
}

// History returns every change of the server's state up to the time on its clock, in the order
// it happened: by Time, and at one instant, the changes that requests made in the order the
// requests committed, and a change the clock made after the request that scheduled it and before
// every request handled after that one (so with no startup delay, an app's creation and its
// InService at the same instant come in that order). A change the clock made is listed at the
// instant it was due, once the clock has passed that instant, whether or not anybody looked; a
// change that a request made impossible before it was due (a Deleted app started again before
// its record would have expired) never appears. The events are copies, and each keeps its Seq
// in later calls; the order assumes that the clock never runs backwards, as ManualClock ensures.
//
// The history keeps the most recent events up to the limit of WithHistoryLimit, and nothing
// when that limit is 0.
func (s *Server) History() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.histOn() {
		return nil
	}
	s.settleAll(s.clock.Now())
	s.hist.trim(s.cfg.historyLimit)
	h := &s.hist
	out := make([]Event, len(h.events))
	for i, he := range h.events {
		e := he.ev
		e.Seq = h.dropped + i + 1
		e.Tags = cloneTags(e.Tags)
		if e.ResourceSpec != nil {
			spec := *e.ResourceSpec
			e.ResourceSpec = &spec
		}
		out[i] = e
	}
	return out
}

// String describes the event in one line, for test failures.
func (e Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s %s", e.Seq, e.Time.Format(time.RFC3339Nano), e.Kind)
	switch {
	case e.App != (AppKey{}):
		fmt.Fprintf(&b, " app %s/%s%s/%s/%s (life %d)", e.App.DomainID, e.App.UserProfileName, e.App.SpaceName, e.App.AppType, e.App.AppName, e.Incarnation)
	case e.SpaceName != "":
		fmt.Fprintf(&b, " space %s/%s", e.DomainID, e.SpaceName)
	case e.UserProfileName != "":
		fmt.Fprintf(&b, " user profile %s/%s", e.DomainID, e.UserProfileName)
	default:
		fmt.Fprintf(&b, " domain %s", e.DomainID)
	}
	if e.Status != "" {
		fmt.Fprintf(&b, " -> %s", e.Status)
	}
	if e.Operation != "" {
		fmt.Fprintf(&b, " by %s %s", e.Operation, e.RequestID)
	}
	return b.String()
}

// history is the record behind Server.History, guarded by Server.mu (for writing).
type history struct {
	events  []histEvent // events[:sorted] in their final order; every later event sorts after them
	sorted  int
	dropped int    // events dropped from the front by the limit
	next    uint64 // the number of the last request event
	lives   map[appKey]int
	cur     cause // the request being handled, while it holds the lock
}

// cause is the request behind the changes that are being made: an API call or a seed.
type cause struct {
	op, requestID, userAgent string
}

// histEvent is an event with its place in the order: by time, then by the number of the request
// event that made it (for a request event) or scheduled it (for a change of the clock), then by
// step (0 for the request itself, 1 for the transition it scheduled, 2 for the expiry after it).
// These keys are unique, and a change of the clock gets the same place whenever it is noticed.
type histEvent struct {
	ev    Event
	cause uint64
	step  uint8
}

func (a histEvent) compare(b histEvent) int {
	if c := a.ev.Time.Compare(b.ev.Time); c != 0 {
		return c
	}
	if c := cmp.Compare(a.cause, b.cause); c != 0 {
		return c
	}
	return cmp.Compare(a.step, b.step)
}

// recHist is what the history knows of one app or space record: the last status it recorded for
// it (gone once it recorded the end) and the request event that scheduled the transitions still
// to come.
type recHist struct {
	logged      string
	cause       uint64
	incarnation int
}

const histGone = "gone"

// farFuture settles a record that is being forgotten: every transition it still had is due.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func (s *Server) histOn() bool { return s.cfg.historyLimit > 0 }

// beginCause names the request whose changes follow. The caller holds s.mu for writing, and
// calls endCause before it lets go.
func (s *Server) beginCause(c cause) { s.hist.cur = c }

// endCause ends a request's changes, and bounds the history's memory: past the limit and an
// eighth, it drops the oldest events.
func (s *Server) endCause(now time.Time) {
	s.hist.cur = cause{}
	if limit := s.cfg.historyLimit; limit > 0 && len(s.hist.events) > limit+limit/8 {
		s.settleAll(now)
		s.hist.trim(limit)
	}
}

func (s *Server) histAppend(he histEvent) {
	h := &s.hist
	if h.sorted > 0 && he.compare(h.events[h.sorted-1]) < 0 {
		h.sorted = 0 // only a clock that ran backwards gets here: sort everything again
	}
	h.events = append(h.events, he)
}

// histRequest records a change that the current request made at now, and returns its number.
func (s *Server) histRequest(e Event, now time.Time) uint64 {
	h := &s.hist
	h.next++
	e.Time = now
	e.Operation, e.RequestID, e.UserAgent = h.cur.op, h.cur.requestID, h.cur.userAgent
	s.histAppend(histEvent{ev: e, cause: h.next})
	return h.next
}

// settleAll records every change the clock made up to now, and puts the events in order.
func (s *Server) settleAll(now time.Time) {
	for _, a := range s.apps {
		s.settleApp(a, now)
	}
	for _, sp := range s.spaces {
		s.settleSpace(sp, now)
	}
	for _, p := range s.profiles {
		s.settleProfile(p, now)
	}
	h := &s.hist
	slices.SortFunc(h.events[h.sorted:], histEvent.compare)
	h.sorted = len(h.events)
}

// trim drops the oldest events beyond limit. The events are in order (settleAll).
func (h *history) trim(limit int) {
	if n := len(h.events) - limit; n > 0 {
		h.events = slices.Clone(h.events[n:]) // and lets the dropped ones go
		h.dropped += n
		h.sorted = max(h.sorted-n, 0)
	}
}

func (a *app) event(kind EventKind) Event {
	return Event{
		Kind:            kind,
		App:             AppKey{DomainID: a.key.domainID, UserProfileName: a.key.user, SpaceName: a.key.space, AppType: a.key.appType, AppName: a.key.appName},
		DomainID:        a.key.domainID,
		SpaceName:       a.key.space,
		UserProfileName: a.key.user,
		ARN:             a.arn,
		Incarnation:     a.hist.incarnation,
	}
}

// histAppCreated records the app that CreateApp stored at now, after settling the record it
// replaced (old, Deleted or Failed, or nil): what old did up to now happened, and the rest of
// its schedule (its expiry) never will.
func (s *Server) histAppCreated(a, old *app, now time.Time) {
	if !s.histOn() {
		return
	}
	if old != nil {
		s.settleApp(old, now)
	}
	if s.hist.lives == nil {
		s.hist.lives = map[appKey]int{}
	}
	s.hist.lives[a.key]++
	a.hist.incarnation = s.hist.lives[a.key]
	e := a.event(EventAppCreated)
	e.Status = string(types.AppStatusPending)
	spec := a.spec.sdk()
	e.ResourceSpec = &spec
	e.Tags = cloneTags(a.tags)
	a.hist.cause = s.histRequest(e, now)
	a.hist.logged = string(types.AppStatusPending)
}

// histAppDeleting records DeleteApp's change of a at now, after its start.
func (s *Server) histAppDeleting(a *app, now time.Time) {
	if !s.histOn() {
		return
	}
	s.settleApp(a, now)
	e := a.event(EventAppDeleting)
	e.Status = string(types.AppStatusDeleting)
	a.hist.cause = s.histRequest(e, now)
	a.hist.logged = string(types.AppStatusDeleting)
}

// settleApp records the transitions of a that the clock made up to until, each at its own time,
// in the order status derives them.
func (s *Server) settleApp(a *app, until time.Time) {
	if !s.histOn() {
		return
	}
	for {
		var at time.Time
		step := uint8(1)
		e := a.event("")
		switch types.AppStatus(a.hist.logged) {
		case types.AppStatusPending:
			at = a.launched.Add(a.startDelay)
			e.Kind, e.Status = EventAppInService, string(types.AppStatusInService)
			if a.failureReason != "" {
				e.Kind, e.Status, e.FailureReason = EventAppFailed, string(types.AppStatusFailed), a.failureReason
			}
		case types.AppStatusDeleting:
			at = a.deleteAt.Add(a.delDelay)
			e.Kind, e.Status = EventAppDeleted, string(types.AppStatusDeleted)
		case types.AppStatusDeleted:
			at, step, e.Kind = a.deleteAt.Add(a.delDelay).Add(retention), 2, EventAppExpired
		case types.AppStatusFailed:
			at, step, e.Kind = a.launched.Add(a.startDelay).Add(retention), 2, EventAppExpired
		default: // InService until a request deletes it, or gone
			return
		}
		if until.Before(at) {
			return
		}
		e.Time = at
		s.histAppend(histEvent{ev: e, cause: a.hist.cause, step: step})
		a.hist.logged = e.Status
		if e.Kind == EventAppExpired {
			a.hist.logged = histGone
		}
	}
}

// histAppForgotten records the end of an expired app that the store forgets.
func (s *Server) histAppForgotten(a *app) { s.settleApp(a, farFuture) }

func (sp *space) event(kind EventKind) Event {
	return Event{Kind: kind, DomainID: sp.key.domainID, SpaceName: sp.key.name, ARN: sp.arn}
}

// histSpaceCreated records a space that CreateSpace or a seed stored at now.
func (s *Server) histSpaceCreated(sp *space, now time.Time) {
	if !s.histOn() {
		return
	}
	e := sp.event(EventSpaceCreated)
	e.Status = string(types.SpaceStatusPending)
	if sp.seeded {
		e.Status = string(types.SpaceStatusInService)
	}
	e.Tags = cloneTags(sp.tags)
	sp.hist.cause = s.histRequest(e, now)
	sp.hist.logged = e.Status
}

// histSpaceDeleting records DeleteSpace's change of sp at now.
func (s *Server) histSpaceDeleting(sp *space, now time.Time) {
	if !s.histOn() {
		return
	}
	s.settleSpace(sp, now)
	e := sp.event(EventSpaceDeleting)
	e.Status = string(types.SpaceStatusDeleting)
	sp.hist.cause = s.histRequest(e, now)
	sp.hist.logged = e.Status
}

// settleSpace records the transitions of sp that the clock made up to until, as spaceStatus
// derives them.
func (s *Server) settleSpace(sp *space, until time.Time) {
	if !s.histOn() {
		return
	}
	for {
		var at time.Time
		e := sp.event("")
		switch types.SpaceStatus(sp.hist.logged) {
		case types.SpaceStatusPending:
			at = sp.created.Add(s.cfg.startupDelay)
			e.Kind, e.Status = EventSpaceInService, string(types.SpaceStatusInService)
		case types.SpaceStatusUpdating:
			at = sp.updateAt.Add(s.cfg.startupDelay)
			e.Kind, e.Status = EventSpaceInService, string(types.SpaceStatusInService)
		case types.SpaceStatusDeleting:
			at = sp.deleteAt.Add(s.cfg.deleteDelay)
			e.Kind = EventSpaceDeleted
		default:
			return
		}
		if until.Before(at) {
			return
		}
		e.Time = at
		s.histAppend(histEvent{ev: e, cause: sp.hist.cause, step: 1})
		sp.hist.logged = e.Status
		if e.Kind == EventSpaceDeleted {
			sp.hist.logged = histGone
		}
	}
}

// histSpaceUpdating records UpdateSpace's change of sp at now.
func (s *Server) histSpaceUpdating(sp *space, now time.Time) {
	if !s.histOn() {
		return
	}
	s.settleSpace(sp, now)
	e := sp.event(EventSpaceUpdating)
	e.Status = string(types.SpaceStatusUpdating)
	sp.hist.cause = s.histRequest(e, now)
	sp.hist.logged = e.Status
}

// histSpaceForgotten records the end of a deleted space that the store forgets.
func (s *Server) histSpaceForgotten(sp *space) { s.settleSpace(sp, farFuture) }

// histDomainCreated records a domain that CreateDomain or a seed stored at now.
func (s *Server) histDomainCreated(d *domain, now time.Time) {
	if !s.histOn() {
		return
	}
	s.histRequest(Event{Kind: EventDomainCreated, DomainID: d.id, ARN: d.arn, Status: string(types.DomainStatusInService), Tags: cloneTags(d.tags)}, now)
}

// event starts an event of user profile p, named as it was created.
func (p *profile) event(kind EventKind) Event {
	return Event{Kind: kind, DomainID: p.key.domainID, UserProfileName: p.name, ARN: p.arn}
}

// histProfileCreated records a user profile that CreateUserProfile (Pending) or a seed
// (InService) stored at now.
func (s *Server) histProfileCreated(p *profile, now time.Time) {
	if !s.histOn() {
		return
	}
	e := p.event(EventUserProfileCreated)
	e.Status = string(s.profileStatus(p, now))
	e.Tags = cloneTags(p.tags)
	p.hist.cause = s.histRequest(e, now)
	p.hist.logged = e.Status
}

// histProfileDeleted records DeleteUserProfile's removal of p at now, after what the clock did
// to it before.
func (s *Server) histProfileDeleted(p *profile, now time.Time) {
	if !s.histOn() {
		return
	}
	s.settleProfile(p, now)
	s.histRequest(p.event(EventUserProfileDeleted), now)
	p.hist.logged = histGone
}

// settleProfile records the transition of p that the clock made up to until: Pending to
// InService, as profileStatus derives it.
func (s *Server) settleProfile(p *profile, until time.Time) {
	if !s.histOn() || p.hist.logged != string(types.UserProfileStatusPending) {
		return
	}
	at := p.created.Add(s.cfg.startupDelay)
	if until.Before(at) {
		return
	}
	e := p.event(EventUserProfileInService)
	e.Status, e.Time = string(types.UserProfileStatusInService), at
	s.histAppend(histEvent{ev: e, cause: p.hist.cause, step: 1})
	p.hist.logged = e.Status
}

// histTags records that AddTags or DeleteTags changed the tags of the resource arn names from
// before to after, at now; a call that changed nothing records nothing.
func (s *Server) histTags(arn string, before, after []types.Tag, now time.Time) {
	if !s.histOn() || slices.EqualFunc(before, after, func(a, b types.Tag) bool { return *a.Key == *b.Key && *a.Value == *b.Value }) {
		return
	}
	e := s.tagsEventOf(arn)
	e.Tags = cloneTags(after)
	s.histRequest(e, now)
}

// tagsEventOf starts the tags event of the resource arn names, as tagsOf finds it.
func (s *Server) tagsEventOf(arn string) Event {
	if k, ok := s.byARN[arn]; ok {
		if a := s.apps[k]; a != nil {
			return a.event(EventAppTagsChanged)
		}
	}
	for _, d := range s.domains {
		if d.arn == arn {
			return Event{Kind: EventDomainTagsChanged, DomainID: d.id, ARN: arn}
		}
	}
	for _, p := range s.profiles {
		if p.arn == arn {
			return p.event(EventUserProfileTagsChanged)
		}
	}
	for _, sp := range s.spaces {
		if sp.arn == arn {
			return sp.event(EventSpaceTagsChanged)
		}
	}
	return Event{ARN: arn} // tagsOf found the resource, so this is not reached
}
