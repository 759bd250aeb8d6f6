package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// 200 connections that each send a body of MaxBodyBytes-1 bytes and then stall are closed once
// -read-timeout has passed, so the fake does not hold their buffers: without the timeout they
// were held for as long as the clients liked. The clients' own deadline is only a guard.
func TestStalledBodiesAreCutOffAtTheReadTimeout(t *testing.T) {
	url := serve(t, "-read-timeout", "200ms")
	const conns = 200
	body := bytes.Repeat([]byte(" "), sagemakerfake.MaxBodyBytes-1)
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for range conns {
		wg.Go(func() {
			c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			if err := c.SetDeadline(time.Now().Add(60 * time.Second)); err != nil { // a guard, far past 200ms
				errs <- err
				return
			}
			// The body is announced one byte longer than it is sent: the server waits for that byte.
			fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: fake\r\nX-Amz-Target: SageMaker.ListApps\r\n"+
				"Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n", sagemakerfake.MaxBodyBytes)
			_, _ = c.Write(body) // the server may cut the connection before it has all of it
			_, err = io.Copy(io.Discard, c)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				errs <- errors.New("the server held a stalled connection open")
				return
			}
			// Closed: io.Copy ended at EOF, or with a reset if the server closed with data unread.
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestHelpExplainsUsageWithAnExample(t *testing.T) {
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-help"}, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run -help: %v", err)
	}
	for _, want := range []string{"Usage: sagemakerfake [flags]", "Example:", "sagemakerfake -seed seed.json",
		"aws sagemaker create-app", "SageMakerImageArn=", "-read-timeout", "-allow-remote", "nothing may follow it"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the help lacks %q:\n%s", want, stderr.String())
		}
	}
}

// A seed file with anything after its object, or a member name in another case, stops the
// command before it listens.
func TestASeedFileIsReadStrictly(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ seed, want string }{
		"a second object": {seed + "\n" + seed, "data after the seed's JSON object"},
		"case-folded":     {`{"domains": []}`, `unknown field "domains"`},
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".json")
			if err := os.WriteFile(file, []byte(tc.seed), 0o600); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-seed", file}, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), file) {
				t.Errorf("run with %s: %v, want an error naming the file and containing %q", name, err, tc.want)
			}
			if strings.Contains(stderr.String(), "msg=listening") {
				t.Errorf("it listened with a bad seed:\n%s", stderr.String())
			}
		})
	}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"-read-timeout", "0s"}, &stderr); err == nil || !strings.Contains(err.Error(), "-read-timeout must be positive") {
		t.Errorf("run -read-timeout 0s: %v", err)
	}
}
