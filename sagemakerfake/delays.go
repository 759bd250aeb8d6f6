package sagemakerfake

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// WithStartupDelayFunc makes delay decide how long each new app stays Pending, in place of
// WithStartupDelay's one delay for all (which spaces keep). delay sees the app as CreateApp
// stores it (status Pending; a restart is a new call) and is called once per CreateApp that
// succeeds; a negative result counts as 0. It runs with the server's lock held, so it must not
// call the Server; for a seeded simulation, decide from the app (its key, its spec) rather than
// from the order of calls, which goroutines make vary.
func WithStartupDelayFunc(delay func(App) time.Duration) Option {
	return func(c *config) { c.startupDelayFunc = delay }
}

// WithDeleteDelayFunc makes delay decide how long each deleted app stays Deleting, in place of
// WithDeleteDelay's one delay for all (which spaces keep). delay sees the app as DeleteApp
// leaves it (status Deleting) and is called once per DeleteApp that succeeds; a negative result
// counts as 0. It runs with the server's lock held, so it must not call the Server.
func WithDeleteDelayFunc(delay func(App) time.Duration) Option {
	return func(c *config) { c.deleteDelayFunc = delay }
}

// startupDelayFor decides the startup delay of a, which CreateApp is about to store at now.
// The caller holds s.mu for writing.
func (s *Server) startupDelayFor(a *app, now time.Time) time.Duration {
	if s.cfg.startupDelayFunc == nil {
		return s.cfg.startupDelay
	}
	a.startDelay = s.cfg.startupDelay // so that the snapshot does not take the app for started
	snap := s.snapshot(a, now)
	snap.Status, snap.FailureReason = types.AppStatusPending, ""
	snap.LastHealthCheck, snap.LastUserActivity = time.Time{}, time.Time{}
	return max(s.cfg.startupDelayFunc(snap), 0)
}

// deleteDelayFor decides the delete delay of a, which DeleteApp deletes at now. The caller holds
// s.mu for writing.
func (s *Server) deleteDelayFor(a *app, now time.Time) time.Duration {
	if s.cfg.deleteDelayFunc == nil {
		return s.cfg.deleteDelay
	}
	a.delDelay = s.cfg.deleteDelay
	snap := s.snapshot(a, now)
	snap.Status = types.AppStatusDeleting
	return max(s.cfg.deleteDelayFunc(snap), 0)
}
