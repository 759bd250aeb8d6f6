package sagemakerfake

import (
	"slices"
	"sort"
)

// listKey names one listing of ListApps: its DomainIdEquals, UserProfileNameEquals and
// SpaceNameEquals, "" where the request leaves one out. Every query of ListApps is one listKey, so
// each page is read from one appList.
type listKey struct {
	domainID string
	user     string
	space    string
}

// listKeys returns the listings an app appears in: all apps, its domain's, its owner's in its
// domain, and its owner's name across domains (which UserProfileNameEquals or SpaceNameEquals
// without DomainIdEquals ask for).
func listKeys(k appKey) [4]listKey {
	return [4]listKey{
		{},
		{domainID: k.domainID},
		{domainID: k.domainID, user: k.user, space: k.space},
		{user: k.user, space: k.space},
	}
}

// appEntry is one app of an appList; a is nil once the app is forgotten, until the list is
// compacted.
type appEntry struct {
	seq uint64
	a   *app
}

// appList is the apps of one listing in creation order (seq), which is CreationTime order: apps
// get increasing seqs as they are created, and a restart keeps its app's seq and CreationTime. A
// new app is appended; a forgotten one leaves a hole, so that no removal moves the rest, and the
// holes are squeezed out once they are half the list. Finding where a page starts is a binary
// search, and a page reads only its own entries (and the holes among them).
type appList struct {
	entries []appEntry
	holes   int
}

// search returns the index of the first entry whose seq is at least seq.
func (l *appList) search(seq uint64) int {
	return sort.Search(len(l.entries), func(i int) bool { return l.entries[i].seq >= seq })
}

// put keeps a in the list, in the place of its seq: the end for a new app, its old place for a
// restart.
func (l *appList) put(a *app) {
	if n := len(l.entries); n == 0 || l.entries[n-1].seq < a.seq {
		l.entries = append(l.entries, appEntry{a.seq, a})
		return
	}
	i := l.search(a.seq)
	if i < len(l.entries) && l.entries[i].seq == a.seq {
		if l.entries[i].a == nil {
			l.holes--
		}
		l.entries[i].a = a
		return
	}
	l.entries = slices.Insert(l.entries, i, appEntry{a.seq, a})
}

// remove forgets the app with seq, if the list holds it.
func (l *appList) remove(seq uint64) {
	i := l.search(seq)
	if i == len(l.entries) || l.entries[i].seq != seq || l.entries[i].a == nil {
		return
	}
	l.entries[i].a = nil
	l.holes++
	if l.holes >= 16 && 2*l.holes >= len(l.entries) {
		l.entries = slices.DeleteFunc(l.entries, func(e appEntry) bool { return e.a == nil })
		l.holes = 0
	}
}

// empty reports a list that holds no app.
func (l *appList) empty() bool { return len(l.entries) == l.holes }

// scan calls fn with the apps after the seq after (all of them if hasAfter is false), in
// ascending seq order, or in descending order from before after when descending is set, until fn
// returns false.
func (l *appList) scan(after uint64, hasAfter, descending bool, fn func(*app) bool) {
	if descending {
		i := len(l.entries) - 1
		if hasAfter {
			i = l.search(after) - 1
		}
		for ; i >= 0; i-- {
			if a := l.entries[i].a; a != nil && !fn(a) {
				return
			}
		}
		return
	}
	i := 0
	if hasAfter {
		// The first entry past after; not search(after+1), which a token's largest seq would wrap.
		i = sort.Search(len(l.entries), func(i int) bool { return l.entries[i].seq > after })
	}
	for ; i < len(l.entries); i++ {
		if a := l.entries[i].a; a != nil && !fn(a) {
			return
		}
	}
}

// indexApp puts a into its listings. The caller holds s.mu for writing.
func (s *Server) indexApp(a *app) {
	for _, lk := range listKeys(a.key) {
		l := s.lists[lk]
		if l == nil {
			l = &appList{}
			s.lists[lk] = l
		}
		l.put(a)
	}
	s.byARN[a.arn] = a.key
}

// unindexApp takes a out of its listings. The caller holds s.mu for writing.
func (s *Server) unindexApp(a *app) {
	for _, lk := range listKeys(a.key) {
		if l := s.lists[lk]; l != nil {
			l.remove(a.seq)
			if l.empty() {
				delete(s.lists, lk)
			}
		}
	}
	delete(s.byARN, a.arn)
}
