// Package sdkclient builds the SageMaker client that the examples use outside their embedded
// fake: for --aws, from the default AWS configuration; for --endpoint-url alone, against that
// endpoint with dummy credentials.
package sdkclient

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// New builds the SDK client for --aws or --endpoint-url. With useAWS the SDK builds its own HTTP
// client from the AWS configuration (which may name a CA bundle, say), and its idle connections
// end with the process. Without it the client uses static dummy credentials, which a fake
// accepts, never reads the AWS configuration, and has a transport of its own, whose idle
// connections the returned function closes. An empty region means the configuration's, or
// us-east-1 without --aws; a non-empty endpointURL replaces the service's endpoint.
func New(ctx context.Context, useAWS bool, region, endpointURL string) (*sagemaker.Client, func(), error) {
	closeIdle := func() {}
	var cfg aws.Config
	if useAWS {
		var opts []func(*config.LoadOptions) error
		if region != "" {
			opts = append(opts, config.WithRegion(region))
		}
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
			return nil, nil, fmt.Errorf("loading the AWS configuration: %w", err)
		}
	} else {
		if region == "" {
			region = "us-east-1"
		}
		transport := http.DefaultTransport.(*http.Transport).Clone()
		closeIdle = transport.CloseIdleConnections
		cfg = aws.Config{
			Region:      region,
			Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "example-secret", ""),
			HTTPClient:  &http.Client{Transport: transport},
		}
	}
	client := sagemaker.NewFromConfig(cfg, func(o *sagemaker.Options) {
		if endpointURL != "" {
			o.BaseEndpoint = aws.String(endpointURL)
		}
	})
	return client, closeIdle, nil
}
