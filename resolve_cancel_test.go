//go:build go1.25

// testing/synctest is stable from Go 1.25; the module still says go 1.24, so this file asks for
// 1.25 itself (and is left out by older toolchains).

package sagemakerapp

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// blockingProfileAPI blocks DescribeUserProfile until release is closed or the call's ctx ends,
// and then answers as the stub does, or with the context's error, as the SDK would.
type blockingProfileAPI struct {
	*stubAPI
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (b *blockingProfileAPI) DescribeUserProfile(ctx context.Context, in *sagemaker.DescribeUserProfileInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeUserProfileOutput, error) {
	b.once.Do(func() { close(b.entered) })
	select {
	case <-ctx.Done():
		return nil, &smithy.OperationError{ServiceID: "SageMaker", OperationName: "DescribeUserProfile", Err: ctx.Err()}
	case <-b.release:
	}
	return b.stubAPI.DescribeUserProfile(ctx, in, optFns...)
}

// Issue 13 item 12: the read that callers share must not end with the context of the caller that
// started it. Before the fix, the first caller's cancellation failed the shared read, and the
// second caller, whose context was live, took the failure for "cannot read" and sent a request
// that no level gives an instance type.
func TestOneCallersCancellationDoesNotChangeAnothersResult(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &blockingProfileAPI{stubAPI: defaultsAPI("", "", "", ""), entered: make(chan struct{}), release: make(chan struct{})}
		c := New(api)
		ctx, cancel := context.WithCancel(context.Background())
		first := make(chan error, 1)
		go func() {
			_, err := c.CreateApp(ctx, kernelGatewayWithoutInstanceType("alice", false))
			first <- err
		}()
		<-api.entered
		second := make(chan error, 1)
		go func() {
			_, err := c.CreateApp(context.Background(), kernelGatewayWithoutInstanceType("alice", false))
			second <- err
		}()
		synctest.Wait() // the second caller waits on the read the first one started
		cancel()
		require.ErrorIs(t, <-first, context.Canceled, "the first caller stops at once")
		synctest.Wait()
		close(api.release)
		err := <-second
		var fe *FieldError
		require.ErrorAs(t, err, &fe, "the second caller's check ran to its end: %v", err)
		assert.Equal(t, "ResourceSpec.InstanceType", fe.Field)
		assert.Zero(t, api.count("CreateApp"))
		assert.Equal(t, 1, api.count("DescribeUserProfile"), "one read served both")
	})
}

// Found by the simulation (seed 712, before its fix): the shared read of defaults went on after
// every caller that wanted it had gone, until its own bound, so a goroutine outlived the call. The
// read ends when its last caller stops waiting; the bubble ends with no goroutine left.
func TestASharedReadEndsWithItsLastCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &blockingProfileAPI{stubAPI: defaultsAPI("", "", "", ""), entered: make(chan struct{}), release: make(chan struct{})}
		c := New(api)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := c.CreateApp(ctx, kernelGatewayWithoutInstanceType("alice", false))
			done <- err
		}()
		<-api.entered
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		synctest.Wait() // before the fix, the read still blocked here, and the bubble could not end
		c.defaults.mu.Lock()
		assert.Empty(t, c.defaults.flying, "no read is in flight")
		c.defaults.mu.Unlock()
	})
}
