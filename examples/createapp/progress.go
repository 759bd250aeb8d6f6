package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"golang.org/x/term"

	"github.com/studioapp/sagemakerapp"
)

// When the progress speaks up about calls that fail or hang: a call that keeps failing for
// quietFor is worth a line, a blip is not; hangFor is longer, as a slow answer is no failure;
// and a line is repeated at most every noteEvery, as the wait may go on for many minutes.
const (
	quietFor  = 3 * time.Second
	hangFor   = 10 * time.Second
	noteEvery = 15 * time.Second
)

// progress reports the run on stderr: a line for each status change of the app with the time
// since its wait began; a line, once calls have failed for a few seconds, that says what fails
// while the library retries it (the endpoint, the error); and, when stderr is a terminal, a
// spinner while a wait runs. A ticker looks at the tracker between the calls, so that a call
// that hangs is reported too.
type progress struct {
	p        *program
	t        *tracker
	terminal bool

	mu        sync.Mutex
	stepStart time.Time
	spinning  bool // a wait runs: draw the spinner
	frame     int
	status    types.AppStatus // the app's last status seen
	lastNote  time.Time
	done      chan struct{}
	ended     chan struct{}
}

func (p *program) startProgress(t *tracker, terminal bool) *progress {
	pr := &progress{p: p, t: t, terminal: terminal, stepStart: p.clock(), done: make(chan struct{}), ended: make(chan struct{})}
	t.failed = pr.attemptFailed
	go pr.tick()
	return pr
}

// isTerminal reports whether w, an output or an input, is a terminal: where a spinner can
// redraw its line, or a question be asked.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// beginStep starts the clock of a step (the space, the app) for its lines; spin draws the
// spinner while it runs.
func (pr *progress) beginStep(spin bool) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.stepStart, pr.lastNote, pr.spinning = pr.p.clock(), time.Time{}, spin && pr.terminal
}

// endStep stops the spinner.
func (pr *progress) endStep() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.spinning {
		fmt.Fprint(pr.p.stderr, clearLine)
	}
	pr.spinning = false
}

// lastStatus returns the app's last status seen, "" if none.
func (pr *progress) lastStatus() types.AppStatus {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.status
}

// waitOption hooks the status lines into a wait.
func (pr *progress) waitOption(o *sagemakerapp.WaitOptions) {
	o.OnStatus = func(app *sagemakerapp.App) {
		pr.mu.Lock()
		defer pr.mu.Unlock()
		pr.status = app.Status
		pr.line("%s", app.Status)
	}
}

// line prints one progress line with the time since the step began; pr.mu is held.
func (pr *progress) line(format string, args ...any) {
	if pr.spinning {
		fmt.Fprint(pr.p.stderr, clearLine)
	}
	fmt.Fprintf(pr.p.stderr, "%6.1fs  %s\n", pr.p.clock().Sub(pr.stepStart).Seconds(), fmt.Sprintf(format, args...))
}

// attemptFailed is the tracker's hook: a failed attempt may be the one that makes a note due.
func (pr *progress) attemptFailed() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.note()
}

// note prints what fails, or what hangs, if a line about it is due; pr.mu is held. Only what
// the library retries is noted: any other error ends the run at once, with its own message.
func (pr *progress) note() {
	now := pr.p.clock()
	if !pr.lastNote.IsZero() && now.Sub(pr.lastNote) < noteEvery {
		return
	}
	st := pr.t.state()
	switch {
	case st.lastErr != nil && retried(st.lastErr) && now.Sub(st.failingSince) >= quietFor:
		pr.line("retrying: %s", describeAttempt(st.lastErr))
	case st.oldest != nil && now.Sub(st.oldest.at) >= hangFor:
		pr.line("no answer yet from %s to %s, after %.0fs", st.endpoint, st.oldest.op, now.Sub(st.oldest.at).Seconds())
	default:
		return
	}
	pr.lastNote = now
}

// tick draws the spinner, when one is drawn, and looks for a note that is due, until stop.
func (pr *progress) tick() {
	defer close(pr.ended)
	frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-pr.done:
			pr.mu.Lock()
			if pr.spinning {
				fmt.Fprint(pr.p.stderr, clearLine)
			}
			pr.mu.Unlock()
			return
		case <-tick.C:
			pr.mu.Lock()
			pr.note()
			if pr.spinning {
				pr.frame++
				fmt.Fprintf(pr.p.stderr, "%s%c %s %.1fs", clearLine, frames[pr.frame%len(frames)], pr.status, pr.p.clock().Sub(pr.stepStart).Seconds())
			}
			pr.mu.Unlock()
		}
	}
}

// stop ends the ticker and waits until it is gone.
func (pr *progress) stop() {
	close(pr.done)
	<-pr.ended
}

// clearLine returns a terminal's cursor to the start of the line and erases the line.
const clearLine = "\r\033[K"

// lockedWriter serializes the writes of the program and its progress ticker to stderr.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (p *program) clock() time.Time {
	if p.now != nil {
		return p.now()
	}
	return time.Now()
}
