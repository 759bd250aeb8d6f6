// Package sdkclient builds the SageMaker client that the examples use outside their embedded
// fake: for --aws, from the default AWS configuration; for --endpoint-url alone, against that
// endpoint with dummy credentials.
package sdkclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// Config says how NewClient builds the client.
type Config struct {
	// UseAWS reads the default AWS configuration (environment, ~/.aws, SSO, instance role);
	// without it the client has static dummy credentials, which a fake accepts.
	UseAWS bool
	// Region is the client's region; "" means the configuration's, or us-east-1 without UseAWS.
	Region string
	// EndpointURL, if set, replaces the service's endpoint.
	EndpointURL string
	// Profile, if set, is the shared configuration profile to read; it needs UseAWS.
	Profile string
	// Options are applied to the client's options after the ones above, for middleware and,
	// in tests, a retryer that does not sleep.
	Options []func(*sagemaker.Options)
}

// New builds the SDK client for --aws or --endpoint-url; it is NewClient with no profile and no
// options.
func New(ctx context.Context, useAWS bool, region, endpointURL string) (*sagemaker.Client, func(), error) {
	return NewClient(ctx, Config{UseAWS: useAWS, Region: region, EndpointURL: endpointURL})
}

// NewClient builds the SDK client that c describes. With UseAWS the SDK builds its own HTTP
// client from the AWS configuration (which may name a CA bundle, say), and its idle connections
// end with the process. Without it the client never reads the AWS configuration and has a
// transport of its own, whose idle connections the returned function closes.
//
// A profile that the configuration lacks is a config.SharedConfigProfileNotExistError in the
// error's chain, so that a caller can say so in its own words.
func NewClient(ctx context.Context, c Config) (*sagemaker.Client, func(), error) {
	closeIdle := func() {}
	var cfg aws.Config
	switch {
	case c.UseAWS:
		var opts []func(*config.LoadOptions) error
		if c.Region != "" {
			opts = append(opts, config.WithRegion(c.Region))
		}
		if c.Profile != "" {
			opts = append(opts, config.WithSharedConfigProfile(c.Profile))
		}
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
			return nil, nil, fmt.Errorf("loading the AWS configuration: %w", err)
		}
	case c.Profile != "":
		return nil, nil, errors.New("a profile needs the AWS configuration (--aws)")
	default:
		region := c.Region
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
	opts := append([]func(*sagemaker.Options){func(o *sagemaker.Options) {
		if c.EndpointURL != "" {
			o.BaseEndpoint = aws.String(c.EndpointURL)
		}
	}}, c.Options...)
	return sagemaker.NewFromConfig(cfg, opts...), closeIdle, nil
}
