package main

import (
	"fmt"
	"io"

	"github.com/schollz/progressbar/v3"

	"github.com/studioapp/sagemakerapp"
)

// plainSteps is how many progress lines a batch prints at most when stderr is not a terminal: one
// each time another twentieth of the apps is done.
const plainSteps = 20

// progress shows how far EnsureApps is, from its OnProgress reports: a bar on a terminal, plain
// lines elsewhere (a log, a CI job, a pipe), where a bar's carriage returns would be noise.
type progress struct {
	w     io.Writer
	what  string // what is counted: spaces or apps
	total int
	bar   *progressbar.ProgressBar // nil: plain lines
	step  int                      // plain lines: the last step printed
}

func (p *program) newProgress(what string, total int) *progress {
	pr := &progress{w: p.stderr, what: what, total: total}
	if p.forceBar || isTerminal(p.stderr) {
		pr.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.stderr),
			progressbar.OptionSetDescription(describe(what, sagemakerapp.BatchProgress{Total: total, Queued: total})),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionSetRenderBlankState(true),
		)
	}
	return pr
}

// update is BatchOptions.OnProgress. EnsureSpaces and EnsureApps serialize their calls, and
// coalesce reports that come while one runs: a call may count several changes, and the last
// has the final counts.
func (pr *progress) update(bp sagemakerapp.BatchProgress) {
	done := bp.InService + bp.Failed + bp.Canceled
	if pr.bar != nil {
		// Each call draws the bar; the last, Set, draws the counts and the text that agree. (No
		// throttle: a skipped drawing would leave them apart until the next report.)
		pr.bar.Describe(describe(pr.what, bp))
		_ = pr.bar.Set(done) // an error only says the bar could not be drawn
		return
	}
	step := done
	if pr.total > plainSteps {
		step = done * plainSteps / pr.total
	}
	if step > pr.step {
		pr.step = step
		fmt.Fprintf(pr.w, "%6.1fs  %d/%d %s done: %d InService, %d failed, %d canceled; %d in flight, %d queued\n",
			bp.Elapsed.Seconds(), done, bp.Total, pr.what, bp.InService, bp.Failed, bp.Canceled, bp.Creating+bp.Waiting, bp.Queued)
	}
}

// describe is the text before the bar.
func describe(what string, bp sagemakerapp.BatchProgress) string {
	return fmt.Sprintf("%s: %d InService, %d failed, %d in flight", what, bp.InService, bp.Failed, bp.Creating+bp.Waiting)
}

// finish ends the bar's line, whether it is full or the batch was interrupted.
func (pr *progress) finish() {
	if pr.bar == nil {
		return
	}
	if !pr.bar.IsFinished() {
		_ = pr.bar.Exit()
	}
	fmt.Fprintln(pr.w)
}
