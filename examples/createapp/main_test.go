package main

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
)

func TestRunAgainstTheEmbeddedFake(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, []string{"-type", "KernelGateway", "-instance-type", "ml.m5.large", "-tag", "team=ml"}, &out)
	require.NoError(t, err, out.String())
	assert.Contains(t, out.String(), "created arn:aws:sagemaker:us-east-1:123456789012:app/d-example12345/alice/kernelgateway/default status Pending")
	assert.Contains(t, out.String(), "status InService")
}

func TestRunInASpace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-space", "shared", "-type", "CodeEditor"}, &out), out.String())
	assert.Contains(t, out.String(), "app/d-example12345/shared/codeeditor/default")
}

func TestRunReportsInvalidInputWithoutSending(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-name", "bad_name", "-tag", "aws:owner=me"}, &out)
	require.ErrorIs(t, err, sagemakerapp.ErrInvalidInput)
	var ve *sagemakerapp.ValidationError
	require.True(t, errors.As(err, &ve))
	assert.Len(t, ve.Problems, 2)
	assert.Contains(t, err.Error(), "nothing was sent")
}

func TestRunRejectsABadTagFlag(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-tag", "novalue"}, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "key=value")
}
