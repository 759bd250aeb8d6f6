package sagemakerfake

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"testing"
	"unicode/utf8"
)

// stdDecode is what parseJSON must agree with: encoding/json with UseNumber, one value, nothing
// after it.
func stdDecode(b []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":1,"b":[true,false,null],"c":{"d":"e"}}`, `"x"`, `-0.5e+10`, `01`, `1.`, `.5`, `-`, `1e`,
		`"\u00e9\ud83d\ude00\ud800\udc00x\ud800"`, `"\ud800\u0041"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\x"`, `"\u12"`, "\"\x01\"",
		`{"a":1,}`, `[1,]`, `{"a" 1}`, `{1:2}`, `  {"AppName" : "x" }  `, `{"a":1}{}`, `nul`, `truex`, `[[[[]]]]`, `{"a":{"a":{"a":[]}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) {
			return // decodeInput refuses invalid UTF-8 before parsing
		}
		want, ok := stdDecode(b)
		got, err := parseJSON(b)
		if ok != (err == nil) {
			t.Fatalf("%q: encoding/json ok=%v, parseJSON err=%v", b, ok, err)
		}
		if ok && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nparseJSON    %#v\nencoding/json %#v", b, got, want)
		}
	})
}

func TestParseJSONDepth(t *testing.T) {
	deep := bytes.Repeat([]byte("["), maxDepth+1)
	if _, err := parseJSON(deep); err == nil {
		t.Error("no error for nesting deeper than maxDepth")
	}
}
