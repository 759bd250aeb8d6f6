package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/studioapp/sagemakerapp"
)

// The columns of the input.
const (
	colUser         = "user"
	colInstanceType = "instance_type"
	colTags         = "tags"
)

// user is one row of the input: a user and what its app should be, with the line it came from.
type user struct {
	line         int
	name         string
	instanceType string
	tags         []tag
}

type tag struct{ key, value string }

// problem is one thing wrong with the input, at a line of the file, or (line 0) with the flags or
// the file as a whole.
type problem struct {
	line int
	text string
}

func (p problem) String() string {
	if p.line == 0 {
		return p.text
	}
	return fmt.Sprintf("line %d: %s", p.line, p.text)
}

// readCSV reads the users of a CSV input (see the package doc for the format) and returns them
// with every problem it found, each with its line. The users are those of the rows it could read,
// without the empty and repeated ones, so that the requests of the others can be checked too.
func readCSV(r io.Reader) ([]user, []problem) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // rows may leave out trailing fields; checked below
	cr.Comment = '#'

	var (
		problems []problem
		cols     map[string]int // column name → index
		ncols    int
		users    []user
		seen     = map[string]int{} // user → line
	)
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			// The reader goes on at the next record, so every syntax error is reported.
			problems = append(problems, problem{parseErr.StartLine, "CSV: " + parseErr.Err.Error()})
			continue
		}
		if err != nil {
			return nil, append(problems, problem{text: "reading the input: " + err.Error()})
		}
		line, _ := cr.FieldPos(0)
		if cols == nil {
			cols, ncols = map[string]int{}, len(record)
			problems = append(problems, readHeader(line, record, cols)...)
			if _, ok := cols[colUser]; !ok {
				problems = append(problems, problem{line, fmt.Sprintf("the header has no %q column", colUser)})
			}
			continue
		}
		if len(record) > ncols {
			problems = append(problems, problem{line, fmt.Sprintf("%d fields, but the header has %d", len(record), ncols)})
			continue
		}
		field := func(name string) string {
			if i, ok := cols[name]; ok && i < len(record) {
				return strings.TrimSpace(record[i])
			}
			return ""
		}
		if _, ok := cols[colUser]; !ok {
			continue // reported once, at the header
		}
		u := user{line: line, name: field(colUser), instanceType: field(colInstanceType)}
		var tagProblems []string
		u.tags, tagProblems = parseTags(field(colTags))
		for _, text := range tagProblems {
			problems = append(problems, problem{line, "tags: " + text})
		}
		switch first, dup := seen[u.name]; {
		case u.name == "":
			problems = append(problems, problem{line, "user is empty"})
		case dup:
			problems = append(problems, problem{line, fmt.Sprintf("user %q repeats line %d", u.name, first)})
		default:
			seen[u.name] = line
			users = append(users, u)
		}
	}
	switch {
	case cols == nil:
		problems = append(problems, problem{text: fmt.Sprintf("the input is empty: want a header row with a %q column, then a row per user", colUser)})
	case len(users) == 0 && len(problems) == 0:
		problems = append(problems, problem{text: "the input has a header and no users"})
	}
	return users, problems
}

// readHeader fills cols from the header row and returns its problems: unknown and repeated
// columns.
func readHeader(line int, record []string, cols map[string]int) []problem {
	var problems []problem
	for i, name := range record {
		if i == 0 {
			name = strings.TrimPrefix(name, "\uFEFF") // the byte-order mark that spreadsheets write
		}
		name = strings.ToLower(strings.TrimSpace(name))
		switch name {
		case colUser, colInstanceType, colTags:
		default:
			problems = append(problems, problem{line, fmt.Sprintf("unknown column %q: want %s, %s and %s", name, colUser, colInstanceType, colTags)})
			continue
		}
		if _, dup := cols[name]; dup {
			problems = append(problems, problem{line, fmt.Sprintf("column %q appears twice", name)})
			continue
		}
		cols[name] = i
	}
	return problems
}

// parseTags parses "k=v;k2=v2". Empty pairs (a trailing ';') are skipped; a pair without '=',
// with an empty key, or with a key given before is a problem. The tags' own rules (lengths,
// patterns, the aws: prefix) are the library's to check.
func parseTags(s string) ([]tag, []string) {
	var (
		tags     []tag
		problems []string
	)
	for _, pair := range strings.Split(s, ";") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%q is not key=value (write key= for an empty value)", pair))
		case k == "":
			problems = append(problems, fmt.Sprintf("%q has an empty key", pair))
		case slices.ContainsFunc(tags, func(t tag) bool { return t.key == k }):
			problems = append(problems, fmt.Sprintf("key %q is given twice", k))
		default:
			tags = append(tags, tag{k, v})
		}
	}
	return tags, problems
}

// flagOf names the flag that sets each member of the request that is the same for every user.
var flagOf = map[string]string{
	"DomainId": "--domain-id",
	"AppType":  "--app-type",
	"AppName":  "--app-name",
}

// buildInputs turns the users into requests with the library's builder and validates each as
// EnsureApps will. A problem with a member that a flag sets is reported once, with the flag; one
// that a row sets, with the row's line. Without users, it checks the flags alone.
func buildInputs(client *sagemakerapp.Client, f *flags, users []user) ([]*sagemaker.CreateAppInput, []problem) {
	base := client.NewApp(f.domainID, sagemakerapp.AppType(f.appType), f.appName)
	probe := len(users) == 0
	if probe { // still check the flags
		users = []user{{name: "probe"}}
	}
	ins := make([]*sagemaker.CreateAppInput, len(users))
	var (
		flagProblems, rowProblems []problem
		reported                  = map[string]bool{}
	)
	for i, u := range users {
		b := base.ForUser(u.name)
		instanceTypeFrom := "instance_type"
		if it := u.instanceType; it != "" {
			b = b.InstanceType(sagemakerapp.InstanceType(it))
		} else if f.instanceType != "" {
			b = b.InstanceType(sagemakerapp.InstanceType(f.instanceType))
			instanceTypeFrom = "--instance-type"
		}
		for _, t := range u.tags {
			b = b.Tag(t.key, t.value)
		}
		in, err := b.Input()
		var invalid *sagemakerapp.ValidationError
		if errors.As(err, &invalid) {
			for _, fe := range invalid.Problems {
				name, fromFlag := flagOf[fe.Field]
				switch {
				case fe.Field == "ResourceSpec.InstanceType" && instanceTypeFrom == "--instance-type":
					name, fromFlag = instanceTypeFrom, true
				case fe.Field == "ResourceSpec.InstanceType":
					name = colInstanceType
				case fe.Field == "UserProfileName":
					name = colUser
				case strings.HasPrefix(fe.Field, "Tags"):
					name = colTags
				}
				if fromFlag {
					if !reported[name+fe.Field] {
						reported[name+fe.Field] = true
						flagProblems = append(flagProblems, problem{text: name + ": " + fe.Error()})
					}
					continue
				}
				if name != "" {
					rowProblems = append(rowProblems, problem{u.line, name + ": " + fe.Error()})
				} else {
					rowProblems = append(rowProblems, problem{u.line, fe.Error()})
				}
			}
			continue
		} else if err != nil {
			rowProblems = append(rowProblems, problem{u.line, err.Error()})
			continue
		}
		ins[i] = in
	}
	if probe {
		return nil, flagProblems
	}
	if problems := append(flagProblems, rowProblems...); len(problems) > 0 {
		return nil, problems
	}
	return ins, nil
}
