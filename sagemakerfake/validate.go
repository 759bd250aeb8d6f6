package sagemakerfake

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkInput applies every constraint of the model to an input: JSON types first (a mismatch is a
// SerializationException, as the service fails before it validates), then required members,
// lengths, ranges, enums and patterns, all reported at once in Coral's format.
func checkInput(sh *shape, in map[string]any) *Error {
	var c checker
	c.segs, c.index = c.segsBuf[:0], c.indexBuf[:0]
	if err := c.structure(sh, in); err != nil {
		return err
	}
	return c.err()
}

// checker collects constraint violations in the order the members are walked. The member path
// is kept as a stack of segments and joined only for a message, so a valid input costs no path
// strings; a list index is kept as a number (an empty segment stands for it), so that walking a
// list of any length costs none either.
type checker struct {
	problems []string
	segs     []string
	segsBuf  [12]string
	index    []int // the list indices of the empty segments of segs, in order
	indexBuf [4]int
}

func (c *checker) push(seg string) { c.segs = append(c.segs, seg) }

func (c *checker) pushIndex(i int) {
	c.segs = append(c.segs, "")
	c.index = append(c.index, i)
}

func (c *checker) pop() {
	if c.segs[len(c.segs)-1] == "" {
		c.index = c.index[:len(c.index)-1]
	}
	c.segs = c.segs[:len(c.segs)-1]
}

func (c *checker) path() string {
	var b strings.Builder
	k := 0
	for i, seg := range c.segs {
		if i > 0 {
			b.WriteByte('.')
		}
		if seg == "" {
			b.WriteString(strconv.Itoa(c.index[k]))
			k++
			continue
		}
		b.WriteString(seg)
	}
	return b.String()
}

func (c *checker) add(value any, constraint string) {
	if len(c.problems) == maxProblems { // the service reports no more (errorsize.go)
		return
	}
	path := c.path()
	var b strings.Builder
	b.WriteString("Value ")
	if value == nil {
		b.WriteString("null")
	} else {
		b.WriteByte('\'')
		renderBounded(&b, value)
		b.WriteByte('\'')
	}
	b.WriteString(" at '")
	b.WriteString(path)
	b.WriteString("' failed to satisfy constraint: ")
	b.WriteString(constraint)
	c.problems = append(c.problems, b.String())
}

func (c *checker) err() *Error {
	if len(c.problems) == 0 {
		return nil
	}
	return newAPIError(CodeValidation, "%s", validationMessage(c.problems))
}

// validationMessage is Coral's summary line: "1 validation error detected: …" or
// "N validation errors detected: …; …".
func validationMessage(problems []string) string {
	noun := "errors"
	if len(problems) == 1 {
		noun = "error"
	}
	return strconv.Itoa(len(problems)) + " validation " + noun + " detected: " + strings.Join(problems, "; ")
}

func (c *checker) value(sh *shape, v any) *Error {
	switch sh.typ {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			return c.typeMismatch("structure", v)
		}
		return c.structure(sh, obj)
	case "list":
		arr, ok := v.([]any)
		if !ok {
			return c.typeMismatch("list", v)
		}
		c.length(sh, v, int64(len(arr)))
		for i, e := range arr {
			c.pushIndex(i + 1)
			c.push("member")
			var err *Error
			if e == nil {
				c.add(nil, "Member must not be null")
			} else {
				err = c.value(sh.listElem, e)
			}
			c.pop()
			c.pop()
			if err != nil {
				return err
			}
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			return c.typeMismatch("string", v)
		}
		c.str(sh, s)
	case "integer", "long":
		n, ok := v.(json.Number)
		if !ok {
			return c.typeMismatch(sh.typ, v)
		}
		bits := 32
		if sh.typ == "long" {
			bits = 64
		}
		var i int64
		var err error
		if len(n) > 20 { // longer than any int64 (strconv would copy all of it into its error)
			err = strconv.ErrRange
		} else {
			i, err = strconv.ParseInt(string(n), 10, bits)
		}
		if err != nil {
			return serializationError("Value %s at '%s' is not a valid %s", shortValue(string(n)), c.path(), sh.typ)
		}
		if sh.min != nil && i < *sh.min {
			c.add(n, "Member must have value greater than or equal to "+strconv.FormatInt(*sh.min, 10))
		}
		if sh.max != nil && i > *sh.max {
			c.add(n, "Member must have value less than or equal to "+strconv.FormatInt(*sh.max, 10))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return c.typeMismatch("boolean", v)
		}
	case "timestamp":
		n, ok := v.(json.Number)
		if !ok {
			return c.typeMismatch("timestamp", v)
		}
		if _, err := strconv.ParseFloat(string(n), 64); err != nil {
			return serializationError("Value %s at '%s' is not a valid timestamp", shortValue(string(n)), c.path())
		}
	}
	return nil
}

func (c *checker) structure(sh *shape, obj map[string]any) *Error {
	if sh.union {
		set := 0
		for _, m := range sh.members {
			if obj[m.name] != nil {
				set++
			}
		}
		if set != 1 {
			return serializationError("Union at '%s' must have exactly one member set, found %d", c.path(), set)
		}
	}
	for _, m := range sh.members {
		mv := obj[m.name]
		if mv == nil {
			// awsJson treats an explicit null as an absent member.
			if m.required {
				c.push(m.path)
				c.add(nil, "Member must not be null")
				c.pop()
			}
			continue
		}
		c.push(m.path)
		err := c.value(m.shape, mv)
		c.pop()
		if err != nil {
			return err
		}
	}
	return nil
}

// str checks a string shape. Lengths count code points, as the model's min/max do.
func (c *checker) str(sh *shape, s string) {
	c.length(sh, s, int64(utf8.RuneCountInString(s)))
	if sh.re != nil && !sh.re.MatchString(s) {
		c.add(s, "Member must satisfy regular expression pattern: "+displayPattern(sh.pattern))
	}
	if sh.enumSet != nil {
		if _, ok := sh.enumSet[s]; !ok {
			c.add(s, "Member must satisfy enum value set: ["+strings.Join(sh.enum, ", ")+"]")
		}
	}
}

func (c *checker) length(sh *shape, v any, n int64) {
	if sh.min != nil && n < *sh.min {
		c.add(v, "Member must have length greater than or equal to "+strconv.FormatInt(*sh.min, 10))
	}
	if sh.max != nil && n > *sh.max {
		c.add(v, "Member must have length less than or equal to "+strconv.FormatInt(*sh.max, 10))
	}
}

// displayPattern prints a pattern the way the service's messages do: the published model dropped
// the leading ^ that the service still shows (facts §1, "Anchoring"). A pattern that anchors its
// own alternatives, as ImageVersionAlias does, is shown as written.
func displayPattern(p string) string {
	if strings.HasPrefix(p, "^") || strings.HasPrefix(p, "(^") {
		return p
	}
	return "^" + p
}

func (c *checker) typeMismatch(want string, got any) *Error {
	path := c.path()
	if path == "" {
		path = "the request"
	}
	return serializationError("Expected %s at '%s' but found %s", want, path, jsonKind(got))
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	default:
		return "null"
	}
}

// renderValue writes a compact rendering of a JSON value for a validation message. Coral prints
// Java's toString; only the text of a message differs, never what it means. It stops once b is
// full (renderBounded).
func renderValue(b *valueWriter, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case json.Number:
		b.WriteString(string(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if b.cut {
				return
			}
			if i > 0 {
				b.WriteString(", ")
			}
			renderValue(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if b.cut {
				return
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			renderValue(b, x[k])
		}
		b.WriteByte('}')
	case nil:
		b.WriteString("null")
	}
}
