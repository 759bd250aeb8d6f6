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
	"github.com/studioapp/sagemakerapp/examples/internal/studio"
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
	"DomainId":                       "--domain-id",
	"AppType":                        "--app-type",
	"AppName":                        "--app-name",
	"ResourceSpec.SageMakerImageArn": "--image-arn",
}

// plan is what onboard will send: per user, the private space to ensure (nil for a Studio
// Classic app, which runs on the user profile) and the app.
type plan struct {
	spaces []*sagemaker.CreateSpaceInput
	apps   []*sagemaker.CreateAppInput
}

// buildInputs turns the users into requests with the library and validates each as EnsureSpaces
// and EnsureApps will: a JupyterLab or CodeEditor app goes in the user's private space (see
// studio.PrivateSpaceName), with --image-arn or else the SageMaker Distribution image of region
// (its GPU build for a GPU instance type); a KernelGateway or JupyterServer app on the user
// profile. A problem with a member that a flag sets is reported once, with the flag; one that a
// row sets, with the row's line. Without users, it checks the flags alone.
func buildInputs(client *sagemakerapp.Client, f *flags, region string, users []user) (*plan, []problem) {
	appType := sagemakerapp.AppType(f.appType)
	inSpace := studio.SpaceApp(appType)
	base := client.NewApp(f.domainID, appType, f.appName)
	probe := len(users) == 0
	if probe { // still check the flags
		users = []user{{name: "probe"}}
	}
	pl := &plan{apps: make([]*sagemaker.CreateAppInput, len(users))}
	if inSpace {
		pl.spaces = make([]*sagemaker.CreateSpaceInput, len(users))
	}
	var (
		flagProblems, rowProblems []problem
		reported                  = map[string]bool{}
	)
	flagProblem := func(key, text string) {
		if !reported[key] {
			reported[key] = true
			flagProblems = append(flagProblems, problem{text: text})
		}
	}
	for i, u := range users {
		b := base
		instanceTypeFrom, instanceType := "instance_type", u.instanceType
		if instanceType == "" && f.instanceType != "" {
			instanceTypeFrom, instanceType = "--instance-type", f.instanceType
		}
		if instanceType != "" {
			b = b.InstanceType(sagemakerapp.InstanceType(instanceType))
		}
		for _, t := range u.tags {
			b = b.Tag(t.key, t.value)
		}
		var invalid []*sagemakerapp.FieldError
		if inSpace {
			space := studio.PrivateSpaceName(u.name, appType)
			pl.spaces[i] = sagemakerapp.PrivateSpace(f.domainID, space, u.name, appType)
			var ve *sagemakerapp.ValidationError
			if errors.As(sagemakerapp.ValidateSpace(pl.spaces[i]), &ve) {
				for _, fe := range ve.Problems {
					if fe.Field != "DomainId" && fe.Field != "SpaceName" && fe.Field != "SpaceSettings.AppType" { // the app's report them
						invalid = append(invalid, fe)
					}
				}
			}
			b = b.InSpace(space)
			image := f.imageARN
			if !f.set["image-arn"] {
				var err error
				if image, err = studio.DefaultImage(region, sagemakerapp.InstanceType(instanceType)); err != nil {
					flagProblem("image", fmt.Sprintf("--image-arn: no SageMaker Distribution image is known for region %q: give --image-arn", region))
				}
			}
			if image != "" {
				b = b.Image(image)
			}
		} else {
			b = b.ForUser(u.name)
		}
		in, err := b.Input()
		var ve *sagemakerapp.ValidationError
		if errors.As(err, &ve) {
			invalid = append(invalid, ve.Problems...)
		} else if err != nil {
			rowProblems = append(rowProblems, problem{u.line, err.Error()})
			continue
		}
		for _, fe := range invalid {
			name, fromFlag := flagOf[fe.Field]
			switch {
			case fe.Field == "ResourceSpec.InstanceType" && instanceTypeFrom == "--instance-type":
				name, fromFlag = instanceTypeFrom, true
			case fe.Field == "ResourceSpec.InstanceType":
				name = colInstanceType
			case fe.Field == "UserProfileName", fe.Field == "SpaceName", fe.Field == "OwnershipSettings.OwnerUserProfileName":
				name = colUser
			case strings.HasPrefix(fe.Field, "Tags"):
				name = colTags
			}
			switch {
			case fromFlag:
				flagProblem(name+fe.Field, name+": "+fe.Error())
			case name != "":
				rowProblems = append(rowProblems, problem{u.line, name + ": " + fe.Error()})
			default:
				rowProblems = append(rowProblems, problem{u.line, fe.Error()})
			}
		}
		pl.apps[i] = in
	}
	if probe {
		return nil, flagProblems
	}
	if problems := append(flagProblems, rowProblems...); len(problems) > 0 {
		return nil, problems
	}
	return pl, nil
}
