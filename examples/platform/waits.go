package main

import (
	"context"
	"sync"

	"github.com/studioapp/sagemakerapp"
)

// maxCallerWaits caps the waits of one caller, whatever --max-waits is. A person waits for a
// handful of apps at once (a JupyterLab, a CodeEditor, perhaps a Studio Classic app): eight is
// more than any of them needs, and it keeps one caller, or one stolen token, from holding the
// platform's waits while everyone else gets 503.
const maxCallerWaits = 8

// callerShare is how many of maxWaits waits one caller may hold: a quarter of them, at most
// maxCallerWaits, at least one. With --max-waits 4, one; with the default 256, eight.
func callerShare(maxWaits int) int {
	return min(max(maxWaits/4, 1), maxCallerWaits)
}

// waitRefusal says why a PUT was not let wait.
type waitRefusal int

const (
	waitAdmitted   waitRefusal = iota
	waitBusy                   // every wait of the platform is taken: 503 Busy
	waitShareTaken             // the caller holds their share already: 429 TooManyWaits
)

// waits bounds the PUTs that wait for their app: at most max at once, one caller at most
// perCaller of them; and the PUTs of one caller for one app with one spec that arrive while one of
// them waits share that wait (one slot, one Ensure, one answer for all), so that repeating a PUT
// (a retry, a double click, a script's loop) costs nothing more.
type waits struct {
	max, perCaller int

	mu       sync.Mutex
	total    int                    // waits running
	byCaller map[string]int         // waits running, per caller
	shared   map[string]*sharedWait // the wait each key's PUTs share, while any of them wants it
}

func newWaits(maxWaits int) *waits {
	return &waits{max: maxWaits, perCaller: callerShare(maxWaits), byCaller: map[string]int{}, shared: map[string]*sharedWait{}}
}

// sharedWait is one Ensure that the PUTs of one key wait for; app and err are set before done is
// closed.
type sharedWait struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int // PUTs waiting for it; the last to leave early ends it
	app     *sagemakerapp.App
	err     error
}

// do runs ensure for the PUT of caller with key, or joins the one that runs for that key
// already, and returns its answer; or refuses when the platform or the caller has no wait left.
// ensure runs on a context of its own that keeps ctx's values: it ends when every PUT that waits
// for it has left (a client that gives up, a shutdown), and do returns only once ensure has.
func (w *waits) do(ctx context.Context, caller, key string, ensure func(context.Context) (*sagemakerapp.App, error)) (*sagemakerapp.App, waitRefusal, error) {
	w.mu.Lock()
	sw := w.shared[key]
	if sw == nil {
		switch {
		case w.byCaller[caller] >= w.perCaller:
			w.mu.Unlock()
			return nil, waitShareTaken, nil
		case w.total >= w.max:
			w.mu.Unlock()
			return nil, waitBusy, nil
		}
		ensureCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		sw = &sharedWait{done: make(chan struct{}), cancel: cancel}
		w.shared[key] = sw
		w.total++
		w.byCaller[caller]++
		go func() {
			app, err := ensure(ensureCtx)
			cancel()
			w.mu.Lock()
			sw.app, sw.err = app, err
			if w.shared[key] == sw {
				delete(w.shared, key)
			}
			w.total--
			if w.byCaller[caller]--; w.byCaller[caller] == 0 {
				delete(w.byCaller, caller)
			}
			w.mu.Unlock()
			close(sw.done)
		}()
	}
	sw.waiters++
	w.mu.Unlock()

	select {
	case <-sw.done:
		return sw.app, waitAdmitted, sw.err
	case <-ctx.Done():
	}
	w.mu.Lock()
	sw.waiters--
	last := sw.waiters == 0
	if last && w.shared[key] == sw {
		delete(w.shared, key) // a PUT that comes now starts a wait of its own
	}
	w.mu.Unlock()
	if last {
		sw.cancel()
		<-sw.done // ensure returns at once on its canceled context; the slot is free after it
	}
	return nil, waitAdmitted, ctx.Err()
}
