package sagemakerfake_test

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"go.uber.org/goleak"

	"github.com/studioapp/sagemakerapp/sagemakerfake"
)

// TestMain fails the run if goroutines started by the tests outlive them: servers, handlers and
// the connections of the clients that Server.Client made must all be gone once every test has
// cleaned up.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestCloseClosesTheClientsConnections holds Close to its word that it closes the connections of
// the clients from Client, even those to another endpoint, which does not close them itself.
func TestCloseClosesTheClientsConnections(t *testing.T) {
	before := goleak.IgnoreCurrent()
	other := httptest.NewServer(staticHandler())
	defer other.Close()
	srv := sagemakerfake.Start(t)
	c := srv.Client(func(o *sagemaker.Options) { o.BaseEndpoint = aws.String(other.URL) })
	if _, err := c.DescribeApp(ctx(t), describeInput(userApp(types.AppTypeJupyterServer, "x", ""))); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	goleak.VerifyNone(t, before, goleak.IgnoreAnyFunction("net/http/httptest.(*Server).goServe.func1"))
}
