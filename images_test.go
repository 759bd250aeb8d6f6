package sagemakerapp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDistributionImage(t *testing.T) {
	tests := []struct {
		region string
		gpu    bool
		want   string
	}{
		// Rows of each shape AWS's table has, and the accounts facts §7.3 quotes.
		{"us-east-1", false, "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"},
		{"us-east-1", true, "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-gpu"},
		{"us-west-2", false, "arn:aws:sagemaker:us-west-2:542918446943:image/sagemaker-distribution-cpu"},
		{"eu-west-1", true, "arn:aws:sagemaker:eu-west-1:819792524951:image/sagemaker-distribution-gpu"},
		{"eu-central-1", false, "arn:aws:sagemaker:eu-central-1:545423591354:image/sagemaker-distribution-cpu"},
		{"ap-northeast-1", false, "arn:aws:sagemaker:ap-northeast-1:010972774902:image/sagemaker-distribution-cpu"},
		{"ap-southeast-3", true, "arn:aws:sagemaker:ap-southeast-3:370607712162:image/sagemaker-distribution-gpu"},
		{"me-central-1", false, "arn:aws:sagemaker:me-central-1:358593528301:image/sagemaker-distribution-cpu"},
		{"il-central-1", false, "arn:aws:sagemaker:il-central-1:080319125002:image/sagemaker-distribution-cpu"},
		// The table's 11-digit typo for us-east-2 is not repeated.
		{"us-east-2", false, "arn:aws:sagemaker:us-east-2:137914896644:image/sagemaker-distribution-cpu"},
		// China and GovCloud regions are in their own partitions.
		{"cn-north-1", false, "arn:aws-cn:sagemaker:cn-north-1:674439102856:image/sagemaker-distribution-cpu"},
		{"cn-northwest-1", true, "arn:aws-cn:sagemaker:cn-northwest-1:651871951035:image/sagemaker-distribution-gpu"},
		{"us-gov-west-1", false, "arn:aws-us-gov:sagemaker:us-gov-west-1:300992924816:image/sagemaker-distribution-cpu"},
		{"us-gov-east-1", true, "arn:aws-us-gov:sagemaker:us-gov-east-1:300993876623:image/sagemaker-distribution-gpu"},
	}
	for _, tt := range tests {
		got, err := DistributionImage(tt.region, tt.gpu)
		require.NoError(t, err, tt.region)
		assert.Equal(t, tt.want, got)
	}
}

// Every row gives an ARN that the model's ImageArn pattern accepts, with a 12-digit account, and
// so a request that Validate accepts.
func TestDistributionImageEveryRegion(t *testing.T) {
	assert.Len(t, distributionAccounts, 28, "AWS's table lists 28 regions")
	for region, account := range distributionAccounts {
		assert.Len(t, account, 12, region)
		assert.True(t, allDigits(account), region)
		for _, gpu := range []bool{false, true} {
			arn, err := DistributionImage(region, gpu)
			require.NoError(t, err)
			assert.True(t, matchImageARN(arn), "%s matches the model's ImageArn pattern", arn)
			assert.Contains(t, arn, ":"+region+":"+account+":")
			partition := strings.Split(arn, ":")[1]
			switch {
			case strings.HasPrefix(region, "cn-"):
				assert.Equal(t, "aws-cn", partition)
			case strings.HasPrefix(region, "us-gov-"):
				assert.Equal(t, "aws-us-gov", partition)
			default:
				assert.Equal(t, "aws", partition)
			}
		}
	}
}

func TestDistributionImageUnknownRegion(t *testing.T) {
	for _, region := range []string{"us-east-9", "US-EAST-1", "eu-west-1 ", "mars-1"} {
		arn, err := DistributionImage(region, false)
		assert.Empty(t, arn)
		var fe *FieldError
		require.ErrorAs(t, err, &fe)
		assert.ErrorIs(t, err, ErrInvalidInput)
		assert.Equal(t, "region", fe.Field)
		assert.Equal(t, FieldNotSupported, fe.Type)
		assert.Equal(t, region, fe.Value)
		assert.Contains(t, err.Error(), `"`+region+`"`, "the error names the region")
	}
	_, err := DistributionImage("", true)
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, FieldRequired, fe.Type)
}
