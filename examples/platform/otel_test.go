package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exported is what --otel stdout wrote: the spans by ID, and the names of the metrics.
type exported struct {
	spans   map[string]span
	metrics map[string]bool
}

type span struct {
	Name        string
	SpanContext struct{ SpanID string }
	Parent      struct{ SpanID string }
}

func readExported(t *testing.T, out string) exported {
	t.Helper()
	e := exported{spans: map[string]span{}, metrics: map[string]bool{}}
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var v struct {
			span
			ScopeMetrics []struct{ Metrics []struct{ Name string } }
		}
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return e
		}
		require.NoError(t, err, out)
		if v.Name != "" {
			e.spans[v.SpanContext.SpanID] = v.span
		}
		for _, sm := range v.ScopeMetrics {
			for _, m := range sm.Metrics {
				e.metrics[m.Name] = true
			}
		}
	}
}

// under reports whether the span id descends from a span named ancestor.
func (e exported) under(id, ancestor string) bool {
	for s, ok := e.spans[id]; ok; s, ok = e.spans[s.Parent.SpanID] {
		if s.Name == ancestor {
			return true
		}
	}
	return false
}

// With --otel stdout, one PUT writes the library's spans with the SDK's calls under them, and the
// library's metrics, as OpenTelemetry JSON on standard output.
func TestOTelStdoutWritesTheLibrarysAndTheSDKsSpans(t *testing.T) {
	var stdout syncBuffer
	p := &program{stdout: &stdout}
	stop := make(chan struct{})
	base, exited := startProgramUntil(t, p, stop, "--auth", "none", "--otel", "stdout")
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodPut, base+appPath, strings.NewReader(`{"instanceType": "ml.t3.medium"}`))
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	close(stop) // the program exits, and flushes what its exporters hold
	<-exited

	e := readExported(t, stdout.String())
	names := map[string][]string{}
	for id, s := range e.spans {
		names[s.Name] = append(names[s.Name], id)
	}
	for _, want := range []string{"sagemakerapp.EnsureSpace", "sagemakerapp.EnsureApp", "SageMaker.CreateSpace", "SageMaker.CreateApp", "SageMaker.DescribeApp"} {
		assert.NotEmpty(t, names[want], "a span %s among %v", want, names)
	}
	for _, id := range names["SageMaker.CreateApp"] {
		assert.True(t, e.under(id, "sagemakerapp.EnsureApp"), "CreateApp is under EnsureApp")
	}
	for _, id := range names["SageMaker.CreateSpace"] {
		assert.True(t, e.under(id, "sagemakerapp.EnsureSpace"), "CreateSpace is under EnsureSpace")
	}
	assert.True(t, e.metrics["sagemakerapp.ensure.outcomes"], "the library's metrics: %v", e.metrics)
	assert.True(t, e.metrics["sagemakerapp.app.time_to_in_service"], "the library's metrics: %v", e.metrics)
}

func TestOTelRefusesAnUnknownExporter(t *testing.T) {
	var logs syncBuffer
	assert.Equal(t, 2, run(t.Context(), []string{"--auth", "none", "--otel", "jaeger"}, nil, &logs))
	assert.Contains(t, logs.String(), `--otel must be none or stdout, not "jaeger"`)
}
