package main

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/studioapp/sagemakerapp"
)

// Removing a person: DELETE /users/{user}, for administrators. The person's apps, spaces and user
// profile go with DeleteUser, which takes minutes (each app is stopped and each space deleted, and
// waited out), so the route answers 202 at once and the removal runs in the background, bounded by
// --delete-timeout, and logged as it starts and ends.

// defaultDeleteTimeout bounds one removal unless --delete-timeout says otherwise: a DeleteApp alone
// can take up to 20 minutes (facts §7.4), and a person's spaces go a few at a time.
const defaultDeleteTimeout = time.Hour

// maxRemovals is how many removals run at once; one more is a 503 Busy with Retry-After. Removing
// people is an administrator's occasional chore: a few at once is plenty, and keeps the platform's
// DeleteApp and DeleteSpace calls to a pace the domain's other work does not feel.
const maxRemovals = 4

// removalConcurrency is how many of one person's spaces are deleted at once
// (DeleteUserOptions.Batch.Concurrency); the calls of each go at the library's default rate.
const removalConcurrency = 4

// removals are the removals that run in the background: at most maxRemovals at once, one per user
// profile (names compared without case, as SageMaker compares them), each within timeout. They end
// when ctx does: the platform's shutdown.
type removals struct {
	ctx     context.Context
	timeout time.Duration
	log     *slog.Logger

	mu     sync.Mutex
	byUser map[string]*removal // the removals that run, by lowercase user profile name
	wg     sync.WaitGroup
}

// removal is one removal of a person, as it started.
type removal struct {
	user         string
	by           string // the administrator who asked for it; "" with --auth none
	started      time.Time
	deleteShared bool     // ?deleteSharedSpaces=true: the shared spaces the user owns go too
	spaces       []string // the spaces the user owned when it started
	done         chan struct{}
}

// newRemovals returns the removals of a platform that ends them when ctx ends; timeout bounds each.
func newRemovals(ctx context.Context, timeout time.Duration, log *slog.Logger) *removals {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &removals{ctx: ctx, timeout: timeout, log: log, byUser: map[string]*removal{}}
}

// running returns the removal of user that runs, or nil.
func (rs *removals) running(user string) *removal {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.byUser[strings.ToLower(user)]
}

// start runs remove for rm.user in the background, unless a removal of that user runs already (it
// is returned, and joined is true: nothing more is started) or maxRemovals run (busy). remove runs
// on rs's context with rs.timeout; its end is logged.
func (rs *removals) start(rm *removal, remove func(context.Context) error) (running *removal, joined, busy bool) {
	key := strings.ToLower(rm.user)
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if other := rs.byUser[key]; other != nil {
		return other, true, false
	}
	if len(rs.byUser) >= maxRemovals {
		return nil, false, true
	}
	rm.done = make(chan struct{})
	rs.byUser[key] = rm
	rs.wg.Add(1)
	rs.log.LogAttrs(rs.ctx, slog.LevelInfo, "removing user", slog.String("user", rm.user), slog.String("by", rm.by),
		slog.Bool("delete_shared_spaces", rm.deleteShared), slog.String("spaces", strings.Join(rm.spaces, ",")))
	go func() {
		defer rs.wg.Done()
		ctx, cancel := context.WithTimeout(rs.ctx, rs.timeout)
		err := remove(ctx)
		cancel()
		switch {
		case err == nil:
			rs.log.LogAttrs(rs.ctx, slog.LevelInfo, "user removed", slog.String("user", rm.user), slog.Duration("took", time.Since(rm.started)))
		case rs.ctx.Err() != nil:
			rs.log.LogAttrs(context.Background(), slog.LevelWarn, "removing user stopped by the shutdown; DELETE the user again to finish",
				slog.String("user", rm.user), slog.String("error", err.Error()))
		default: // the library's error names what remains
			rs.log.LogAttrs(rs.ctx, slog.LevelWarn, "removing user failed; DELETE the user again to finish", slog.String("user", rm.user), slog.String("error", err.Error()))
		}
		rs.mu.Lock()
		delete(rs.byUser, key)
		rs.mu.Unlock()
		close(rm.done)
	}()
	return rm, false, false
}

// wait returns once every removal has ended; end rs's context first to end them.
func (rs *removals) wait() { rs.wg.Wait() }

// removalView is the answer of DELETE /users/{user}.
type removalView struct {
	User string `json:"user"`
	// State is "started" when this DELETE started the removal, "running" when one was running
	// already (this DELETE joined it: nothing more was started).
	State              string    `json:"state"`
	Started            time.Time `json:"started"`
	DeleteSharedSpaces bool      `json:"deleteSharedSpaces"` // as the removal that runs was asked
	Spaces             []string  `json:"spaces"`             // the spaces the user owned when it started
}

// deleteUser removes {user} from the domain: the apps of the user profile and of every space they
// own, those spaces, then the user profile (DeleteUser). It answers 202 once the removal runs in the
// background, and does the checks that can refuse it first, so that a refusal is an answer and not
// a line in the log:
//
//   - the user's spaces are listed, and a shared space among them is a 409 SharedSpaces naming
//     each, with nothing deleted, unless ?deleteSharedSpaces=true;
//   - a removal of that user that runs already is joined: 202 with state "running", and nothing
//     more starts (whatever this DELETE's ?deleteSharedSpaces: the one that runs has its own);
//   - maxRemovals running is a 503 Busy.
//
// The removal is idempotent: a user who is gone already is no error (it finds nothing to do), and
// a removal cut short (a shutdown, a crash, --delete-timeout, a failure whose error the log names
// with what remains) is finished by a DELETE again. A shared space the user comes to own after the
// check is the library's refusal, in the log.
func (s *service) deleteUser(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user")
	deleteShared := false
	for name, values := range r.URL.Query() {
		if name != "deleteSharedSpaces" || len(values) != 1 {
			writeJSON(w, http.StatusBadRequest, errorBody{Error: "InvalidQuery", Message: "DELETE /users/{user} takes one query parameter, once: deleteSharedSpaces=true or false"})
			return
		}
		var err error
		if deleteShared, err = strconv.ParseBool(values[0]); err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{Error: "InvalidQuery", Message: "deleteSharedSpaces must be true or false (or 1 or 0)"})
			return
		}
	}
	if !profileName.MatchString(user) {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "InvalidInput", Message: "{user} is no user profile name; nothing was sent to SageMaker",
			Problems: []problem{{Field: "UserProfileName", Type: string(sagemakerapp.FieldInvalid), Value: user, Detail: "must be letters, digits and inner hyphens, at most 63"}}})
		return
	}
	if rm := s.removals.running(user); rm != nil {
		writeJSON(w, http.StatusAccepted, rm.view("running"))
		return
	}
	spaces, shared := []string{}, []string(nil)
	for sp, err := range s.client.Spaces(r.Context(), sagemakerapp.SpaceFilter{DomainID: s.domainID, Owner: user}) {
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		spaces = append(spaces, sp.Name)
		// As DeleteUser tells them: any space that is not private, unless it is on its way out.
		if sp.SharingType != types.SharingTypePrivate && sp.Status != types.SpaceStatusDeleting {
			shared = append(shared, sp.Name)
		}
	}
	if len(shared) > 0 && !deleteShared {
		writeJSON(w, http.StatusConflict, errorBody{Error: "SharedSpaces", Spaces: shared,
			Message: user + " owns shared spaces (" + strings.Join(shared, ", ") + "), which hold other people's work: nothing was deleted; " +
				"DELETE /users/" + user + "?deleteSharedSpaces=true deletes them with the rest"})
		return
	}
	c, _ := r.Context().Value(callerKey{}).(caller)
	wait := sagemakerapp.WaitOptions{}
	for _, fn := range s.wait {
		fn(&wait)
	}
	wait.Timeout = s.removals.timeout
	rm, joined, busy := s.removals.start(&removal{user: user, by: c.user, started: time.Now(), deleteShared: deleteShared, spaces: spaces},
		func(ctx context.Context) error {
			return s.client.DeleteUser(ctx, s.domainID, user, func(o *sagemakerapp.DeleteUserOptions) {
				o.DeleteSharedSpaces = deleteShared
				o.Batch = sagemakerapp.BatchOptions{Concurrency: removalConcurrency, Wait: wait}
			})
		})
	if busy {
		w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "Busy",
			Message: "the platform is removing as many people as it may at once (" + strconv.Itoa(maxRemovals) + "); repeat the request later"})
		return
	}
	state := "started"
	if joined {
		state = "running"
	}
	writeJSON(w, http.StatusAccepted, rm.view(state))
}

func (rm *removal) view(state string) removalView {
	return removalView{User: rm.user, State: state, Started: rm.started, DeleteSharedSpaces: rm.deleteShared, Spaces: rm.spaces}
}
