package sagemakerapp

import (
	"fmt"
	"strings"
)

// distributionAccounts holds, per region, the AWS account that publishes the SageMaker
// Distribution images there: the 28 regions of the table in AWS's "Code Editor application
// instances and images" page (code-editor-use-instances.html; facts §7.3). That table prints the
// us-east-2 account with 11 digits (37914896644); AWS's other pages give 137914896644, which is
// what an account ID must be (12 digits), so that is the one here. The public SSM parameter
// /aws/service/sagemaker-distribution/ecr-account-id holds the account of the region it is read
// in, for a region this table does not list yet.
var distributionAccounts = map[string]string{
	"us-east-1":      "885854791233",
	"us-east-2":      "137914896644",
	"us-west-1":      "053634841547",
	"us-west-2":      "542918446943",
	"af-south-1":     "238384257742",
	"ap-east-1":      "523751269255",
	"ap-south-1":     "245090515133",
	"ap-northeast-2": "064688005998",
	"ap-southeast-1": "022667117163",
	"ap-southeast-2": "648430277019",
	"ap-northeast-1": "010972774902",
	"ca-central-1":   "481561238223",
	"eu-central-1":   "545423591354",
	"eu-west-1":      "819792524951",
	"eu-west-2":      "021081402939",
	"eu-west-3":      "856416204555",
	"eu-north-1":     "175620155138",
	"eu-south-1":     "810671768855",
	"sa-east-1":      "567556641782",
	"ap-northeast-3": "564864627153",
	"ap-southeast-3": "370607712162",
	"me-south-1":     "523774347010",
	"me-central-1":   "358593528301",
	"il-central-1":   "080319125002",
	"cn-north-1":     "674439102856",
	"cn-northwest-1": "651871951035",
	"us-gov-west-1":  "300992924816",
	"us-gov-east-1":  "300993876623",
}

// DistributionImage returns the ARN of the SageMaker Distribution image of region, the image that
// JupyterLab and Code Editor apps start from unless a custom image is chosen:
// arn:<partition>:sagemaker:<region>:<account>:image/sagemaker-distribution-cpu, or -gpu when gpu
// is set (a GPU instance type needs the GPU image). The partition is aws-cn for the China regions
// (cn-*), aws-us-gov for GovCloud (us-gov-*) and aws elsewhere. A region that AWS's table does
// not list is a *ValidationError (ErrInvalidInput) that names it; the image is then still there to be found in the region's
// public SSM parameter /aws/service/sagemaker-distribution/ecr-account-id.
//
// Pass the ARN as ResourceSpec.SageMakerImageArn (or AppBuilder.Image); the service picks the
// image's latest version unless SageMakerImageVersionAlias names one.
func DistributionImage(region string, gpu bool) (string, error) {
	account, ok := distributionAccounts[region]
	switch {
	case region == "":
		return "", &ValidationError{Problems: []*FieldError{{Field: "region", Type: FieldRequired, Detail: "must be set"}}}
	case !ok:
		return "", &ValidationError{Problems: []*FieldError{{Field: "region", Type: FieldNotSupported, Value: region,
			Detail: fmt.Sprintf("no SageMaker Distribution image is known for this region: AWS lists one for %d regions (see DistributionImage)", len(distributionAccounts))}}}
	}
	partition := "aws"
	switch {
	case strings.HasPrefix(region, "cn-"):
		partition = "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		partition = "aws-us-gov"
	}
	kind := "cpu"
	if gpu {
		kind = "gpu"
	}
	return "arn:" + partition + ":sagemaker:" + region + ":" + account + ":image/sagemaker-distribution-" + kind, nil
}
