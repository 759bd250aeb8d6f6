package sagemakerfake

import (
	"sync"
	"time"
)

// presignSweep is how many URLs handed out one CreatePresignedDomainUrl may forget at most. Each
// request adds one and forgets up to this many expired ones, so the work per request is constant
// however many URLs are out, and a backlog (after a clock jump, say) drains within a few requests
// per URL.
const presignSweep = 4

// presignStore holds the URLs that CreatePresignedDomainUrl handed out, until they expire, under
// a lock of its own: issuing one and opening one never wait for the store's lock, nor the store
// for them. A URL is looked up by its token; the order of issue is kept beside, so that the
// oldest can be forgotten first. A URL may outlive its expiry here by up to the longest expiry
// (300 s), behind an older one that has not expired; lookups check the expiry themselves.
type presignStore struct {
	mu    sync.Mutex
	byTok map[string]*presignedURL
	queue []presignEntry // in the order handed out
	swept int            // entries the sweeps have looked at, for tests
}

type presignEntry struct {
	tok     string
	expires time.Time
}

// add keeps u under tok, and forgets up to presignSweep of the oldest URLs that have expired at
// now.
func (p *presignStore) add(tok string, u *presignedURL, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range presignSweep {
		if len(p.queue) == 0 || now.Before(p.queue[0].expires) {
			break
		}
		p.swept++
		delete(p.byTok, p.queue[0].tok)
		p.queue[0] = presignEntry{} // let the token go with the entry
		p.queue = p.queue[1:]
	}
	if p.byTok == nil {
		p.byTok = map[string]*presignedURL{}
	}
	p.byTok[tok] = u
	p.queue = append(p.queue, presignEntry{tok, u.expires})
}

// get returns the URL of tok, or nil; the caller checks its expiry.
func (p *presignStore) get(tok string) *presignedURL {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byTok[tok]
}

// unlockedAnswer is an operation's answer whose last step runs after the store's lock is released
// (server.serve calls finish): work that the store need not wait for.
type unlockedAnswer interface {
	finish() any
}

// presignAnswer is CreatePresignedDomainUrl's answer: the URL is kept in the presignStore, off the
// store's lock, before the answer is sent.
type presignAnswer struct {
	store *presignStore
	tok   string
	u     *presignedURL
	now   time.Time
	url   string
}

func (a presignAnswer) finish() any {
	a.store.add(a.tok, a.u, a.now)
	return map[string]any{"AuthorizedUrl": a.url}
}
