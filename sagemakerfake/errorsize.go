package sagemakerfake

import (
	"strings"
	"unicode/utf8"
)

// The bounds of an error answer. Without them a 1 MB request of 350,000 empty tags was answered
// with a 67 MB message, built from a problem per tag and the whole list rendered in the length
// problem: the answer and the memory spent building it grew many times faster than the request.
// The service reports a bounded number of problems: Coral's validators stop at ten, and the count
// says ten, as the tests of kinesalite (a Kinesis emulator whose messages were taken from the
// service) record for PutRecords [I: another Coral service, not seen on SageMaker]. How it shortens
// a long value in a message is not known, so the fake cuts the rendering of a value at
// maxValueBytes and marks the cut with "..." [I].
const (
	// maxProblems is how many constraint violations a ValidationException reports at most.
	maxProblems = 10
	// maxValueBytes is how much of a value a message shows: more than any value the model allows
	// needs to be recognised (its longest strings have at most 16,384 code points, and a value
	// that breaks a length is seen at its start), small enough that ten problems make a message
	// of about 12 KB whatever the request.
	maxValueBytes = 1024
)

// valueWriter writes at most left more bytes of a rendered value into b, cut at a rune boundary;
// cut records that something was left out.
type valueWriter struct {
	b    *strings.Builder
	left int
	cut  bool
}

func (w *valueWriter) WriteString(s string) {
	if w.cut {
		return
	}
	if len(s) <= w.left {
		w.b.WriteString(s)
		w.left -= len(s)
		return
	}
	n := w.left
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	w.b.WriteString(s[:n])
	w.left, w.cut = 0, true
}

func (w *valueWriter) WriteByte(c byte) error {
	if w.cut {
		return nil
	}
	if w.left == 0 {
		w.cut = true
		return nil
	}
	w.b.WriteByte(c)
	w.left--
	return nil
}

// renderBounded writes v as renderValue does, at most maxValueBytes of it, with "..." where it
// was cut. It stops walking v as soon as it is cut, so a large value costs no more than a small one.
func renderBounded(b *strings.Builder, v any) {
	w := &valueWriter{b: b, left: maxValueBytes}
	renderValue(w, v)
	if w.cut {
		b.WriteString("...")
	}
}

// shortValue is s as a message shows it: at most maxValueBytes of it, with "..." where it was cut.
func shortValue(s string) string {
	if len(s) <= maxValueBytes {
		return s
	}
	var b strings.Builder
	renderBounded(&b, s)
	return b.String()
}
