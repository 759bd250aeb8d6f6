package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// This file parses --resource-spec and --tags as the AWS CLI takes them, in its shorthand
// (InstanceType=ml.t3.medium,SageMakerImageArn=arn:…; Key=team,Value=ml Key=env,Value=dev) or in
// JSON ({"InstanceType": "ml.t3.medium"}; [{"Key": "team", "Value": "ml"}]), and --tag key=value,
// the program's own.

// resourceSpecMembers are the members of ResourceSpec, in the service model's spelling.
var resourceSpecMembers = []string{
	"InstanceType", "SageMakerImageArn", "SageMakerImageVersionArn", "SageMakerImageVersionAlias",
	"LifecycleConfigArn", "TrainingPlanArn",
}

// resourceSpecFlag is --resource-spec: the members given, by name.
type resourceSpecFlag struct {
	members map[string]string
}

func (r *resourceSpecFlag) String() string { return "" }

func (r *resourceSpecFlag) Set(s string) error {
	if r.members != nil {
		return errors.New("given twice: give every member in one --resource-spec")
	}
	members, err := parseStruct(s, resourceSpecMembers)
	if err != nil {
		return err
	}
	r.members = members
	return nil
}

// tag is one tag, with the text that gave it, for the message about a repeated key.
type tag struct {
	key, value string
	from       string // "--tag team=ml", "--tags Key=team,Value=ml"
}

// tagList collects the tags of --tag and --tags in the order given.
type tagList []tag

// tagFlag is --tag key=value.
type tagFlag struct{ tags *tagList }

func (t tagFlag) String() string { return "" }

func (t tagFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("%q is not key=value (write key= for an empty value)", s)
	}
	*t.tags = append(*t.tags, tag{k, v, "--tag " + s})
	return nil
}

// tagsFlag is --tags, one value per tag in the shorthand (expandTags splits the AWS CLI's list
// of them into one flag each) or a JSON list of tags.
type tagsFlag struct{ tags *tagList }

func (t tagsFlag) String() string { return "" }

func (t tagsFlag) Set(s string) error {
	if strings.HasPrefix(strings.TrimSpace(s), "[") {
		return t.setJSON(s)
	}
	m, err := parseStruct(s, []string{"Key", "Value"})
	if err != nil {
		return err
	}
	if err := requireTag(m); err != nil {
		return fmt.Errorf("%q: %w", s, err)
	}
	*t.tags = append(*t.tags, tag{m["Key"], m["Value"], "--tags " + s})
	return nil
}

func (t tagsFlag) setJSON(s string) error {
	dec := json.NewDecoder(strings.NewReader(s))
	if err := expectDelim(dec, '['); err != nil {
		return jsonError(err)
	}
	for i := 0; dec.More(); i++ {
		m, err := decodeObject(dec, []string{"Key", "Value"})
		if err != nil {
			return jsonError(fmt.Errorf("tag %d: %w", i+1, err))
		}
		if err := requireTag(m); err != nil {
			return jsonError(fmt.Errorf("tag %d: %w", i+1, err))
		}
		b, _ := json.Marshal(map[string]string{"Key": m["Key"], "Value": m["Value"]})
		*t.tags = append(*t.tags, tag{m["Key"], m["Value"], "--tags " + string(b)})
	}
	if err := expectDelim(dec, ']'); err != nil {
		return jsonError(err)
	}
	return expectEnd(dec)
}

// requireTag checks that a tag has both members, as the model requires.
func requireTag(m map[string]string) error {
	if _, ok := m["Key"]; !ok {
		return errors.New("the member Key is missing")
	}
	if _, ok := m["Value"]; !ok {
		return errors.New("the member Value is missing (write Value= for an empty value)")
	}
	return nil
}

// duplicate returns the first tag whose key repeats an earlier one's, and that one; SageMaker
// wants tag keys unique on a resource, and the AWS CLI refuses a list that repeats one.
func (t tagList) duplicate() (first, again *tag) {
	seen := map[string]int{}
	for i := range t {
		if j, ok := seen[t[i].key]; ok {
			return &t[j], &t[i]
		}
		seen[t[i].key] = i
	}
	return nil, nil
}

// parseStruct parses one structure in the AWS CLI's shorthand (Name=value,Name=value, a value in
// double or single quotes when it holds a comma) or, when it starts with "{", in JSON. Every name
// must be one of members, spelt as the model spells it, and given once.
func parseStruct(s string, members []string) (map[string]string, error) {
	if strings.HasPrefix(strings.TrimSpace(s), "{") {
		dec := json.NewDecoder(strings.NewReader(s))
		m, err := decodeObject(dec, members)
		if err == nil {
			err = expectEnd(dec)
		}
		if err != nil {
			return nil, jsonError(err)
		}
		return m, nil
	}
	m := map[string]string{}
	rest := s
	for {
		name, after, ok := strings.Cut(rest, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not Name=value: expected \"=\" after %q", s, rest)
		}
		name = strings.TrimSpace(name)
		if err := checkMember(name, members, m); err != nil {
			return nil, err
		}
		value, next, err := shorthandValue(after)
		if err != nil {
			return nil, fmt.Errorf("%q: %s: %w", s, name, err)
		}
		m[name] = value
		if next == "" {
			return m, nil
		}
		rest = next
	}
}

// shorthandValue reads one value of the shorthand from s, up to the next comma, and returns it
// with what follows the comma ("" at the end).
func shorthandValue(s string) (value, rest string, err error) {
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return "", "", fmt.Errorf("the quote %c is not closed", s[0])
		}
		value, rest = s[1:1+end], s[2+end:]
		switch {
		case rest == "":
			return value, "", nil
		case rest[0] != ',':
			return "", "", errors.New("expected \",\" after the closing quote")
		case rest == ",":
			return "", "", errors.New("expected another Name=value after \",\"")
		}
		return value, rest[1:], nil
	}
	value, rest, found := strings.Cut(s, ",")
	if found && rest == "" {
		return "", "", errors.New("expected another Name=value after \",\"")
	}
	return value, rest, nil
}

func checkMember(name string, members []string, seen map[string]string) error {
	known := false
	for _, m := range members {
		known = known || m == name
	}
	switch {
	case name == "":
		return errors.New("a member has no name before \"=\"")
	case !known:
		return fmt.Errorf("unknown member %q: the members are %s (as the AWS CLI spells them)", name, strings.Join(members, ", "))
	}
	if _, ok := seen[name]; ok {
		return fmt.Errorf("member %s is given twice", name)
	}
	return nil
}

// decodeObject reads one JSON object of string members, each one of members and given once.
// encoding/json's Unmarshal would match names in any case and keep the last of a repeated name,
// which the AWS CLI does not.
func decodeObject(dec *json.Decoder, members []string) (map[string]string, error) {
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	m := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name := tok.(string) // the decoder allows only a string as an object's key
		if err := checkMember(name, members, m); err != nil {
			return nil, err
		}
		if tok, err = dec.Token(); err != nil {
			return nil, err
		}
		value, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("member %s must be a string, not %v", name, jsonKind(tok))
		}
		m[name] = value
	}
	return m, expectDelim(dec, '}')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, found %v", string(want), jsonKind(tok))
	}
	return nil
}

// expectEnd checks that nothing follows the value.
func expectEnd(dec *json.Decoder) error {
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return jsonError(errors.New("unexpected text after the value"))
	}
	return nil
}

func jsonKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		if v == '[' {
			return "a list"
		}
		return fmt.Sprintf("%q", string(v))
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "true or false"
	case nil:
		return "null"
	}
	return "a value"
}

// jsonError says that the JSON form was not read, and why, without encoding/json's Go words.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("not valid JSON at character %d", syntax.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("not valid JSON: it ends too soon")
	}
	if strings.HasPrefix(err.Error(), "JSON: ") {
		return err
	}
	return fmt.Errorf("JSON: %w", err)
}

// expandTags rewrites the AWS CLI's form of --tags, one flag followed by its tags as separate
// arguments (--tags Key=a,Value=1 Key=b,Value=2), into one --tags=… per tag, which the flag
// package parses. It walks args as the flag package does: a flag's value is the next argument
// unless the flag is boolean or written name=value, and "--" or the first argument that is no
// flag ends the flags.
func expandTags(args []string, fs *flag.FlagSet) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || len(a) < 2 || a[0] != '-' {
			return append(out, args[i:]...)
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.Contains(name, "=") {
			out = append(out, a)
			continue
		}
		fl := fs.Lookup(name)
		if fl == nil || isBoolFlag(fl) {
			out = append(out, a)
			continue
		}
		if name != "tags" {
			out = append(out, args[i:min(i+2, len(args))]...)
			i++
			continue
		}
		j := i + 1
		for ; j < len(args) && !strings.HasPrefix(args[j], "-"); j++ {
			out = append(out, "--tags="+args[j])
		}
		if j == i+1 {
			out = append(out, a) // no value: the flag package says so
		}
		i = j - 1
	}
	return out
}

func isBoolFlag(fl *flag.Flag) bool {
	b, ok := fl.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
