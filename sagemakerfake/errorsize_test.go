package sagemakerfake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// rawPost sends body to the fake as operation op and returns the status and the answer's message.
func rawPost(t *testing.T, url, op string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "SageMaker."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: an answer of %d bytes that is not JSON: %v", op, len(raw), err)
	}
	return resp.StatusCode, out.Message
}

// bigRequest is a request of about MaxBodyBytes built to make its error answer as large as it can.
type bigRequest struct {
	name, op string
	body     []byte
}

// bigRequests are requests of just under MaxBodyBytes that break the model many times over, or
// with one enormous value.
func bigRequests() []bigRequest {
	const limit = MaxBodyBytes - 512
	list := func(prefix, elem string) []byte {
		var b strings.Builder
		b.WriteString(prefix)
		for b.Len() < limit {
			b.WriteString(elem)
			b.WriteByte(',')
		}
		return []byte(strings.TrimSuffix(b.String(), ",") + "]}")
	}
	app := `{"DomainId":"d-abc","UserProfileName":"alice","AppType":"KernelGateway","AppName":"x","Tags":[`
	return []bigRequest{
		{"empty tags", "CreateApp", list(app, "{}")},
		{"tag values of 300", "CreateApp", list(app, `{"Key":"k","Value":"`+strings.Repeat("v", 300)+`"}`)},
		{"an app name of 1 MB", "CreateApp", []byte(`{"DomainId":"d-abc","UserProfileName":"alice","AppType":"KernelGateway","AppName":"` + strings.Repeat("a", limit) + `"}`)},
		{"an integer of 1 MB", "CreatePresignedDomainUrl", []byte(`{"DomainId":"d-abc","UserProfileName":"alice","ExpiresInSeconds":` + strings.Repeat("9", limit) + `}`)},
	}
}

// An error answer is the service's shape whatever the request: at most ten problems, each value
// cut to maxValueBytes, so that a 1 MB request gets an answer of a few KB.
func TestErrorAnswersAreBoundedWhateverTheRequest(t *testing.T) {
	srv := Start(t)
	for _, r := range bigRequests() {
		status, message := rawPost(t, srv.URL(), r.op, r.body)
		t.Logf("%s: a body of %d bytes, an answer message of %d bytes", r.name, len(r.body), len(message))
		if status != http.StatusBadRequest || len(message) > 16<<10 {
			t.Errorf("%s: %d with a message of %d bytes, want 400 and at most 16 KiB", r.name, status, len(message))
		}
	}

	_, message := rawPost(t, srv.URL(), "CreateApp", bigRequests()[0].body)
	for _, want := range []string{
		"10 validation errors detected: Value '[{}, {}, ",
		"...' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50; ",
		"Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null; ",
		"Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null; ",
		"; Value null at 'tags.5.member.key' failed to satisfy constraint: Member must not be null",
	} {
		if !strings.Contains(message, want) {
			t.Errorf("the message lacks %q: %.300s", want, message)
		}
	}
	if !strings.HasSuffix(message, "'tags.5.member.key' failed to satisfy constraint: Member must not be null") {
		t.Errorf("the message reports more than ten problems: %.300s", message)
	}
}

// Building the answer costs memory in proportion to the answer, not to the request: checking a
// 1 MB request allocates less than the request itself.
func TestCheckingABigRequestAllocatesLittle(t *testing.T) {
	for _, r := range bigRequests() {
		in, derr := decodeInput(r.body)
		if derr != nil {
			t.Fatalf("%s: %v", r.name, derr)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		err := checkInput(model.operations[r.op].input, in)
		runtime.ReadMemStats(&after)
		allocated := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: checking it allocated %d bytes for a message of %d", r.name, allocated, len(err.Message))
		if err == nil || allocated > uint64(len(r.body)) {
			t.Errorf("%s: %v, %d bytes allocated, want an error and less than the body's %d", r.name, err, allocated, len(r.body))
		}
	}
}
