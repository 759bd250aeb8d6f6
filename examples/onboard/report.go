package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/studioapp/sagemakerapp"
)

// The kinds of outcome, in the order the summary lists them. Each failure is put in one kind by
// the library's sentinels and error types, never by the text of the error.
const (
	kindInService   = "InService"
	kindNoProfile   = "no-profile"
	kindQuota       = "quota"
	kindConflict    = "conflict"
	kindSpaceFailed = "space-failed"
	kindAppFailed   = "app-failed"
	kindInvalid     = "invalid"
	kindTimeout     = "timeout"
	kindInterrupted = "interrupted"
	kindOther       = "other"
)

var kinds = []struct{ name, meaning string }{
	{kindInService, "the app is running"},
	{kindNoProfile, "the user has no user profile in the domain"},
	{kindQuota, "over an account quota (ResourceLimitExceeded)"},
	{kindConflict, "the space or the app exists with other settings, or the space runs another app"},
	{kindSpaceFailed, "the user's space is in a failed state (repair or delete it, then run again)"},
	{kindAppFailed, "the app failed to start"},
	{kindInvalid, "the service refused the request as invalid"},
	{kindTimeout, "not InService within --timeout"},
	{kindInterrupted, "stopped by an interrupt before it was InService"},
	{kindOther, "another error (see its code and message)"},
}

// outcome is what became of one user's app.
type outcome struct {
	user  user
	space string // the user's private space, for a space app
	kind  string
	arn   string // the app's, when known
	err   error  // what EnsureSpaces or EnsureApps returned

	// Of a failure: the service's error code, request ID and message where the service answered,
	// and the reason in words.
	code, requestID, message string
}

// classify turns the Results of EnsureApps into outcomes, one per user, in input order.
func classify(users []user, results []sagemakerapp.Result, timeout time.Duration) []outcome {
	outs := make([]outcome, len(users))
	for i, r := range results {
		o := outcome{user: users[i]}
		if r.App != nil {
			o.arn = r.App.ARN
		}
		var (
			invalid       *sagemakerapp.ValidationError
			conflict      *sagemakerapp.AppConflictError
			spaceConflict *sagemakerapp.SpaceConflictError
			failed        *sagemakerapp.AppFailedError
			spaceFailed   *sagemakerapp.SpaceFailedError
			apiErr        *sagemakerapp.APIError
			err           = r.Err
		)
		o.err = err
		switch {
		case err == nil:
			o.kind = kindInService
		case errors.As(err, &invalid):
			o.kind = kindInvalid
			problems := make([]string, len(invalid.Problems))
			for i, p := range invalid.Problems {
				problems[i] = p.Error()
			}
			o.message = strings.Join(problems, "; ")
		case errors.As(err, &conflict) && (slices.Contains(conflict.Fields, "AppName") || slices.Contains(conflict.Fields, "AppType")):
			o.kind = kindConflict // the space runs another app; o.arn stays the asked app's (none)
			o.message = fmt.Sprintf("space %s runs another app, %s %q (%s)", conflict.Existing.ID.SpaceName,
				conflict.Existing.ID.AppType, conflict.Existing.ID.AppName, conflict.Existing.Status)
		case errors.As(err, &conflict):
			o.kind, o.arn = kindConflict, conflict.Existing.ARN
			o.message = fmt.Sprintf("the app is %s with another %s", conflict.Existing.Status, strings.Join(conflict.Fields, ", "))
		case errors.As(err, &spaceConflict):
			o.kind = kindConflict
			o.message = fmt.Sprintf("space %s exists with another %s", spaceConflict.Existing.Name, strings.Join(spaceConflict.Fields, ", "))
		case errors.As(err, &spaceFailed):
			o.kind = kindSpaceFailed
			o.message = fmt.Sprintf("space %s is %s", spaceFailed.Space.Name, spaceFailed.Space.Status)
			if spaceFailed.Space.FailureReason != "" {
				o.message += ": " + spaceFailed.Space.FailureReason
			}
		case errors.As(err, &failed):
			o.kind, o.arn = kindAppFailed, failed.App.ARN
			o.message = string(failed.App.Status)
			if failed.App.FailureReason != "" {
				o.message += ": " + failed.App.FailureReason
			}
		case errors.Is(err, sagemakerapp.ErrWaitTimeout): // before DeadlineExceeded, which it also is
			o.kind, o.message = kindTimeout, fmt.Sprintf("not InService within %v", timeout)
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			o.kind, o.message = kindInterrupted, "not InService when interrupted"
		case errors.Is(err, sagemakerapp.ErrResourceLimitExceeded):
			o.kind = kindQuota
		case errors.Is(err, sagemakerapp.ErrResourceInUse):
			o.kind = kindConflict
		case errors.Is(err, sagemakerapp.ErrServiceValidation):
			o.kind = kindInvalid
		default:
			o.kind = kindOther
		}
		if errors.As(err, &apiErr) {
			o.code, o.requestID = apiErr.Code, apiErr.RequestID
			if o.message == "" {
				o.message = apiErr.Message
			}
		}
		if o.message == "" && err != nil {
			o.message = err.Error()
		}
		outs[i] = o
	}
	return outs
}

// writeReport prints the outcomes: with text output, the summary on stdout; with json, one
// object per user on stdout and the summary on stderr.
func writeReport(stdout, stderr io.Writer, output string, outs []outcome) error {
	if output == "json" {
		enc := json.NewEncoder(stdout)
		for _, o := range outs {
			if err := enc.Encode(o.json()); err != nil {
				return err
			}
		}
		return writeSummary(stderr, outs)
	}
	return writeSummary(stdout, outs)
}

// userJSON is one user's outcome with --output json.
type userJSON struct {
	User      string     `json:"User"`
	Line      int        `json:"Line"`
	SpaceName string     `json:"SpaceName,omitempty"`
	Status    string     `json:"Status"` // InService, or Failed
	AppArn    string     `json:"AppArn,omitempty"`
	Error     *errorJSON `json:"Error,omitempty"`
}

type errorJSON struct {
	Kind      string `json:"Kind"`
	Code      string `json:"Code,omitempty"`
	Message   string `json:"Message,omitempty"`
	RequestID string `json:"RequestId,omitempty"`
}

func (o outcome) json() userJSON {
	out := userJSON{User: o.user.name, Line: o.user.line, SpaceName: o.space, Status: kindInService, AppArn: o.arn}
	if o.kind != kindInService {
		out.Status = "Failed"
		out.Error = &errorJSON{Kind: o.kind, Code: o.code, Message: o.message, RequestID: o.requestID}
	}
	return out
}

// writeSummary prints a line of totals, a table of the counts of each kind of outcome, and a row
// for each user whose app is not InService, with the reason.
func writeSummary(w io.Writer, outs []outcome) error {
	counts := map[string]int{}
	for _, o := range outs {
		counts[o.kind]++
	}
	failed := len(outs) - counts[kindInService]
	fmt.Fprintf(w, "%d of %d apps InService, %d failed.\n", counts[kindInService], len(outs), failed)
	if counts[kindInterrupted] > 0 {
		fmt.Fprintln(w, "Interrupted: apps already created may still start. Run onboard again to finish; it is safe to repeat.")
	}

	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTCOME\tUSERS\tMEANING")
	for _, k := range kinds {
		if n := counts[k.name]; n > 0 {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", k.name, n, k.meaning)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if failed == 0 {
		return nil
	}

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tLINE\tREASON\tDETAIL")
	for _, o := range outs {
		if o.kind == kindInService {
			continue
		}
		detail := shorten(o.message, 120)
		if o.code != "" {
			detail = o.code + ": " + detail
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", o.user.name, o.user.line, o.kind, detail)
	}
	return tw.Flush()
}

// shorten returns the first line of s, cut to at most n runes with an ellipsis, so that a long
// service message keeps the table readable (--output json has it whole).
func shorten(s string, n int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
