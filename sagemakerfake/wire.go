package sagemakerfake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/schemas"
	smithy "github.com/aws/smithy-go"
	smithytime "github.com/aws/smithy-go/time"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
)

// decodeInput parses a request body the way the service's deserializer does: the body must be one
// JSON object (an empty body counts as {}), numbers are kept as written (json.Number) so that the
// model check can tell an integer from a fraction, and a member given twice keeps its last value,
// as Jackson's default does. It refuses invalid UTF-8, which encoding/json would silently replace.
func decodeInput(body []byte) (map[string]any, *Error) {
	if !utf8.Valid(body) {
		return nil, serializationError("Request body is not valid UTF-8")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, serializationError("Malformed JSON request body: %v", err)
	}
	if len(bytes.TrimSpace(body[dec.InputOffset():])) != 0 {
		return nil, serializationError("Malformed JSON request body: data after the top-level value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, serializationError("Expected structure at 'the request' but found %s", jsonKind(v))
	}
	return obj, nil
}

// sdkProtocol is the SDK's own awsJson 1.1 codec, as sagemaker.New configures it.
var sdkProtocol = awsjson.New11(schemas.SageMaker)

// sdkBody returns the body that the SDK sends for an input such as *sagemaker.CreateDomainInput of
// the operation op (with its request shape), encoded by the SDK's codec. The Go seeding methods
// use it so that seeding from Go and seeding over the wire take the same path through the fake.
func sdkBody(op, request *smithy.Schema, in smithy.Serializable) ([]byte, error) {
	req := smithyhttp.NewStackRequest().(*smithyhttp.Request)
	if err := sdkProtocol.SerializeRequest(context.Background(), smithy.NewOperationSchema(op, request, nil), in, req); err != nil {
		return nil, err
	}
	return io.ReadAll(req.GetStream())
}

// epochSeconds returns t as the awsJson default timestamp: a JSON number of seconds since the
// epoch with millisecond precision, as the service sends them (for example 1700000000.123).
// encoding/json writes a json.Number as it is.
func epochSeconds(t time.Time) json.Number {
	return json.Number(strconv.FormatFloat(smithytime.FormatEpochSeconds(t), 'f', -1, 64))
}
