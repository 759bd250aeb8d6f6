package studio

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studioapp/sagemakerapp"
)

func TestSpaceAppIsJupyterLabAndCodeEditor(t *testing.T) {
	assert.True(t, SpaceApp(types.AppTypeJupyterLab))
	assert.True(t, SpaceApp(types.AppTypeCodeEditor))
	for _, classic := range []sagemakerapp.AppType{types.AppTypeKernelGateway, types.AppTypeJupyterServer, "Canvas"} {
		assert.False(t, SpaceApp(classic), classic)
	}
}

func TestPrivateSpaceNameIsNotTheOwnersName(t *testing.T) {
	assert.Equal(t, "alice-jupyterlab", PrivateSpaceName("alice", types.AppTypeJupyterLab))
	assert.Equal(t, "alice-codeeditor", PrivateSpaceName("alice", types.AppTypeCodeEditor))
}

func TestDefaultImageIsTheDistributionImageOfTheRegion(t *testing.T) {
	for _, tc := range []struct {
		region       string
		instanceType sagemakerapp.InstanceType
		want         string
	}{
		{"us-east-1", "", "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"},
		{"us-east-1", "ml.t3.medium", "arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu"},
		{"eu-west-1", "ml.g5.xlarge", "arn:aws:sagemaker:eu-west-1:819792524951:image/sagemaker-distribution-gpu"},
		{"us-west-2", "ml.p6-b200.48xlarge", "arn:aws:sagemaker:us-west-2:542918446943:image/sagemaker-distribution-gpu"},
		{"us-west-2", "ml.geospatial.interactive", "arn:aws:sagemaker:us-west-2:542918446943:image/sagemaker-distribution-cpu"},
		{"us-west-2", "ml.trn1.2xlarge", "arn:aws:sagemaker:us-west-2:542918446943:image/sagemaker-distribution-cpu"},
	} {
		got, err := DefaultImage(tc.region, tc.instanceType)
		require.NoError(t, err, tc)
		assert.Equal(t, tc.want, got, tc)
	}
	_, err := DefaultImage("xx-nowhere-1", "")
	assert.ErrorIs(t, err, sagemakerapp.ErrInvalidInput)
}
