package sagemakerfake

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"math/big"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	smithy "github.com/aws/smithy-go"
	"github.com/aws/smithy-go/document"
	"github.com/aws/smithy-go/traits"
)

// wireJSON returns the awsJson 1.1 body that the SDK sends for an input such as
// *sagemaker.CreateDomainInput. The Go seeding methods use it so that seeding from Go and seeding
// over the wire take the same path through the fake; SDK types cannot go through encoding/json
// faithfully (unions, and nil pointers that would become nulls).
func wireJSON(in smithy.Serializable) []byte {
	var s jsonSerializer
	in.Serialize(&s)
	return s.buf
}

// jsonSerializer implements smithy.ShapeSerializer for the awsJson protocols: member names as
// keys, timestamps as epoch seconds unless the schema says otherwise, and invalid UTF-8 replaced by
// U+FFFD as the SDK's own serializer does.
type jsonSerializer struct {
	buf        []byte
	stack      []jsonFrame
	keyWritten bool // a map key or union variant name is written and awaits its value
}

type jsonFrame struct {
	object bool
	n      int
}

var _ smithy.ShapeSerializer = (*jsonSerializer)(nil)

func (s *jsonSerializer) Bytes() []byte { return append([]byte(nil), s.buf...) }

func (s *jsonSerializer) prefix(schema *smithy.Schema) {
	if s.keyWritten {
		s.keyWritten = false
		return
	}
	if len(s.stack) == 0 {
		return
	}
	top := &s.stack[len(s.stack)-1]
	if top.n > 0 {
		s.buf = append(s.buf, ',')
	}
	top.n++
	if top.object && schema != nil {
		s.buf = appendJSONString(s.buf, schema.MemberName())
		s.buf = append(s.buf, ':')
	}
}

func (s *jsonSerializer) open(c byte, object bool) {
	s.buf = append(s.buf, c)
	s.stack = append(s.stack, jsonFrame{object: object})
}

func (s *jsonSerializer) close(c byte) {
	s.buf = append(s.buf, c)
	s.stack = s.stack[:len(s.stack)-1]
}

// appendJSONString writes v as a JSON string. Plain printable ASCII, the usual case for names and
// ARNs, is copied as is; anything else goes through encoding/json, which also replaces invalid
// UTF-8 with U+FFFD as the SDK does.
func appendJSONString(buf []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(v) // a string always marshals
			return append(buf, b...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, v...)
	return append(buf, '"')
}

func (s *jsonSerializer) WriteInt8(sc *smithy.Schema, v int8)   { s.WriteInt64(sc, int64(v)) }
func (s *jsonSerializer) WriteInt16(sc *smithy.Schema, v int16) { s.WriteInt64(sc, int64(v)) }
func (s *jsonSerializer) WriteInt32(sc *smithy.Schema, v int32) { s.WriteInt64(sc, int64(v)) }

func (s *jsonSerializer) WriteInt64(sc *smithy.Schema, v int64) {
	s.prefix(sc)
	s.buf = strconv.AppendInt(s.buf, v, 10)
}

func (s *jsonSerializer) WriteFloat32(sc *smithy.Schema, v float32) {
	s.writeFloat(sc, float64(v), 32)
}

func (s *jsonSerializer) WriteFloat64(sc *smithy.Schema, v float64) {
	s.writeFloat(sc, v, 64)
}

func (s *jsonSerializer) writeFloat(sc *smithy.Schema, v float64, bits int) {
	s.prefix(sc)
	switch {
	case math.IsNaN(v):
		s.buf = append(s.buf, `"NaN"`...)
	case math.IsInf(v, 1):
		s.buf = append(s.buf, `"Infinity"`...)
	case math.IsInf(v, -1):
		s.buf = append(s.buf, `"-Infinity"`...)
	default:
		s.buf = strconv.AppendFloat(s.buf, v, 'g', -1, bits)
	}
}

func (s *jsonSerializer) WriteBool(sc *smithy.Schema, v bool) {
	s.prefix(sc)
	s.buf = strconv.AppendBool(s.buf, v)
}

func (s *jsonSerializer) WriteString(sc *smithy.Schema, v string) {
	s.prefix(sc)
	s.buf = appendJSONString(s.buf, v)
}

func (s *jsonSerializer) WriteBigInt(sc *smithy.Schema, v *big.Int) {
	s.prefix(sc)
	s.buf = v.Append(s.buf, 10)
}

func (s *jsonSerializer) WriteBigFloat(sc *smithy.Schema, v *big.Float) {
	s.prefix(sc)
	s.buf = v.Append(s.buf, 'g', -1)
}

func (s *jsonSerializer) WriteBlob(sc *smithy.Schema, v []byte) {
	s.prefix(sc)
	if v == nil {
		s.buf = append(s.buf, "null"...)
		return
	}
	s.buf = appendJSONString(s.buf, base64.StdEncoding.EncodeToString(v))
}

func (s *jsonSerializer) WriteTime(sc *smithy.Schema, v time.Time) {
	format := "epoch-seconds"
	if tf, ok := smithy.SchemaTrait[*traits.TimestampFormat](sc); ok {
		format = tf.Format
	}
	switch format {
	case "date-time":
		s.WriteString(sc, v.UTC().Format(time.RFC3339Nano))
	case "http-date":
		s.WriteString(sc, v.UTC().Format(http.TimeFormat))
	default:
		s.prefix(sc)
		s.buf = appendEpochSeconds(s.buf, v)
	}
}

func (s *jsonSerializer) WriteUnion(sc, variant *smithy.Schema) {
	s.prefix(sc)
	s.open('{', true)
	s.prefix(variant)
	s.keyWritten = true
}

func (s *jsonSerializer) CloseUnion() {
	s.keyWritten = false
	s.close('}')
}

func (s *jsonSerializer) WriteDocument(sc *smithy.Schema, v document.Value) {
	switch d := v.(type) {
	case document.Boolean:
		s.WriteBool(sc, bool(d))
	case document.Number:
		s.prefix(sc)
		s.buf = append(s.buf, d...)
	case document.String:
		s.WriteString(sc, string(d))
	case document.Blob:
		s.WriteBlob(sc, d)
	case document.Timestamp:
		s.WriteTime(sc, time.Time(d))
	case document.List:
		s.WriteList(sc)
		for _, e := range d {
			s.WriteDocument(nil, e)
		}
		s.CloseList()
	case document.Map:
		s.WriteMap(sc)
		for k, e := range d {
			s.WriteKey(nil, k)
			s.WriteDocument(nil, e)
		}
		s.CloseMap()
	case document.Structure:
		s.WriteMap(sc)
		for k, e := range d.Members {
			s.WriteKey(nil, k)
			s.WriteDocument(nil, e)
		}
		s.CloseMap()
	default:
		s.WriteNil(sc)
	}
}

func (s *jsonSerializer) WriteNil(sc *smithy.Schema) {
	s.prefix(sc)
	s.buf = append(s.buf, "null"...)
}

func (s *jsonSerializer) WriteStruct(sc *smithy.Schema) {
	s.prefix(sc)
	s.open('{', true)
}

func (s *jsonSerializer) CloseStruct() { s.close('}') }

func (s *jsonSerializer) WriteList(sc *smithy.Schema) {
	s.prefix(sc)
	s.open('[', false)
}

func (s *jsonSerializer) CloseList() { s.close(']') }

func (s *jsonSerializer) WriteMap(sc *smithy.Schema) {
	s.prefix(sc)
	s.open('{', true)
}

func (s *jsonSerializer) WriteKey(_ *smithy.Schema, key string) {
	top := &s.stack[len(s.stack)-1]
	if top.n > 0 {
		s.buf = append(s.buf, ',')
	}
	top.n++
	s.buf = appendJSONString(s.buf, key)
	s.buf = append(s.buf, ':')
	s.keyWritten = true
}

func (s *jsonSerializer) CloseMap() { s.close('}') }

// appendEpochSeconds writes t as the awsJson default timestamp: seconds since the epoch, with
// millisecond precision, as the service sends them (for example 1700000000.123).
func appendEpochSeconds(buf []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	return strconv.AppendFloat(buf, float64(ms)/1000, 'f', -1, 64)
}

// epochTime marshals a time as awsJson epoch seconds.
type epochTime time.Time

func (t epochTime) MarshalJSON() ([]byte, error) {
	return appendEpochSeconds(nil, time.Time(t)), nil
}

// jsonAppender is implemented by the answers of the busiest operations, which write themselves
// without encoding/json's reflection.
type jsonAppender interface {
	appendJSON(buf []byte) []byte
}

// jsonObject writes the members of one JSON object.
type jsonObject struct {
	buf []byte
	n   int
}

func openObject(buf []byte) jsonObject { return jsonObject{buf: append(buf, '{')} }

func (o *jsonObject) close() []byte { return append(o.buf, '}') }

func (o *jsonObject) key(k string) {
	if o.n > 0 {
		o.buf = append(o.buf, ',')
	}
	o.n++
	o.buf = append(o.buf, '"')
	o.buf = append(o.buf, k...)
	o.buf = append(o.buf, '"', ':')
}

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.buf = appendJSONString(o.buf, v)
}

// optStr writes a member only when it has a value, as the service omits unset members.
func (o *jsonObject) optStr(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

func (o *jsonObject) time(k string, t time.Time) {
	o.key(k)
	o.buf = appendEpochSeconds(o.buf, t)
}
