package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// maxBodyBytes bounds a PUT body; a spec is a few hundred bytes.
const maxBodyBytes = 64 << 10

// bodyError is a PUT body that is refused: 413 when it is too large, 400 otherwise. Its message
// names the problem in terms of the JSON, never of Go types.
type bodyError struct {
	status  int
	message string
}

func (e *bodyError) Error() string { return e.message }

func badBody(format string, args ...any) *bodyError {
	return &bodyError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

// decodeSpec reads a PUT body strictly, as encoding/json alone does not: exactly one JSON object
// and nothing after it; member names exactly as documented (encoding/json would take
// "INSTANCETYPE" for instanceType), each at most once; every value of its JSON type, with no
// null (a whole number for storageGiB and idleTimeoutMinutes, true or false for replace, ENABLED
// or DISABLED for remoteAccess). An empty body is {}. The body is read through http.MaxBytesReader, whose error is a 413.
func decodeSpec(body io.Reader) (appSpec, *bodyError) {
	var spec appSpec
	data, err := io.ReadAll(body)
	if err != nil {
		if maxErr := (*http.MaxBytesError)(nil); errors.As(err, &maxErr) {
			return spec, &bodyError{status: http.StatusRequestEntityTooLarge,
				message: "the body is larger than " + strconv.FormatInt(maxErr.Limit>>10, 10) + " KiB; an app spec is a few hundred bytes"}
		}
		return spec, badBody("the body could not be read")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return spec, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	members, berr := object(dec, "the body")
	if berr != nil {
		return spec, berr
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return spec, badBody("the body has data after its JSON object, which ends at byte %d; send one object", end)
	}
	strs := map[string]*string{
		"instanceType":      &spec.InstanceType,
		"image":             &spec.Image,
		"imageVersionAlias": &spec.ImageVersionAlias,
		"lifecycleConfig":   &spec.LifecycleConfig,
	}
	ints := map[string]**int32{
		"storageGiB":         &spec.StorageGiB,
		"idleTimeoutMinutes": &spec.IdleTimeoutMinutes,
	}
	for _, m := range members {
		if dst, ok := strs[m.name]; ok {
			if *dst, berr = str(m.name, m.value); berr != nil {
				return spec, berr
			}
			continue
		}
		if dst, ok := ints[m.name]; ok {
			n, berr := integer(m.name, m.value)
			if berr != nil {
				return spec, berr
			}
			*dst = &n
			continue
		}
		switch m.name {
		case "remoteAccess":
			if spec.RemoteAccess, berr = str(m.name, m.value); berr != nil {
				return spec, berr
			}
			// The service's enum, spelled as it spells it: refused here rather than by the service.
			if spec.RemoteAccess != string(types.FeatureStatusEnabled) && spec.RemoteAccess != string(types.FeatureStatusDisabled) {
				return spec, badBody("remoteAccess must be ENABLED or DISABLED (in capitals, as SageMaker spells them), not %q", spec.RemoteAccess)
			}
			continue
		case "replace":
			if spec.Replace, berr = boolean(m.name, m.value); berr != nil {
				return spec, berr
			}
			continue
		case "tags":
		default:
			return spec, badBody("the body has the member %q, which an app spec does not have (members: %s; names are case-sensitive)", m.name, strings.Join(specMembers, ", "))
		}
		tags, berr := object(json.NewDecoder(bytes.NewReader(m.value)), "tags")
		if berr != nil {
			return spec, berr
		}
		spec.Tags = make(map[string]string, len(tags))
		for _, t := range tags {
			if spec.Tags[t.name], berr = str("tags."+t.name, t.value); berr != nil {
				return spec, berr
			}
		}
	}
	return spec, nil
}

// member is one name and value of a JSON object, in the order of the body.
type member struct {
	name  string
	value json.RawMessage
}

// object reads one JSON object from dec: its members, each name at most once. what names the
// object in errors.
func object(dec *json.Decoder, what string) ([]member, *bodyError) {
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(what, dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, badBody("%s must be a JSON object, not %s", what, kind(tok))
	}
	var members []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxError(what, dec, err)
		}
		name := tok.(string) // inside an object, the decoder yields only names here
		if seen[name] {
			return nil, badBody("%s has the member %q twice", what, name)
		}
		seen[name] = true
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, syntaxError(what, dec, err)
		}
		members = append(members, member{name, value})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, syntaxError(what, dec, err)
	}
	return members, nil
}

// specMembers are the members of a PUT body, as the messages list them.
var specMembers = []string{"instanceType", "image", "imageVersionAlias", "lifecycleConfig", "tags", "storageGiB", "idleTimeoutMinutes", "remoteAccess", "replace"}

// integer reads a JSON number that is a whole number within int32, written without a fraction or
// an exponent (20, not 20.0 or 2e1). Its range is the library's to check (ValidateSpace and the
// idle timeout's bounds), with the field named.
func integer(field string, raw json.RawMessage) (int32, *bodyError) {
	if kindOf(raw) != "a number" {
		return 0, badBody("%s must be a JSON number, not %s", field, kindOf(raw))
	}
	n, err := strconv.ParseInt(string(raw), 10, 32)
	if errors.Is(err, strconv.ErrRange) {
		return 0, badBody("%s %s is out of range", field, raw)
	}
	if err != nil {
		return 0, badBody("%s must be a whole number, such as 20, not %s", field, raw)
	}
	return int32(n), nil
}

// boolean reads a JSON true or false.
func boolean(field string, raw json.RawMessage) (bool, *bodyError) {
	var b bool
	if kindOf(raw) != "a boolean" || json.Unmarshal(raw, &b) != nil {
		return false, badBody("%s must be true or false, not %s", field, kindOf(raw))
	}
	return b, nil
}

// str reads a JSON string value.
func str(field string, raw json.RawMessage) (string, *bodyError) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", badBody("%s must be a JSON string, not %s", field, kindOf(raw))
	}
	return s, nil
}

func syntaxError(what string, dec *json.Decoder, err error) *bodyError {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return badBody("%s ends before its JSON object does", what)
	}
	return badBody("%s is not valid JSON (at byte %d)", what, dec.InputOffset())
}

// kind names the JSON type of a token, for messages.
func kind(tok json.Token) string {
	switch v := tok.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case string:
		return "a string"
	case json.Delim:
		if v == '[' {
			return "an array"
		}
	}
	return "an object"
}

func kindOf(raw json.RawMessage) string {
	tok, err := json.NewDecoder(bytes.NewReader(raw)).Token()
	if err != nil {
		return "invalid JSON"
	}
	return kind(tok)
}
