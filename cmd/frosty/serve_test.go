package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/sigv4"
)

// TestPrintWelcome pins the banner: it leads with --endpoint-url, which
// every client honours, and offers a profile's endpoint_url only with the
// versions that read it (older clients would call real AWS).
func TestPrintWelcome(t *testing.T) {
	const caveat = `
Give every client the endpoint: --endpoint-url (AWS CLI), endpoint_url= (boto3),
BaseEndpoint (aws-sdk-go-v2). AWS_ENDPOINT_URL, or endpoint_url in a profile, is
read only by AWS CLI 2.13+ and boto3 1.28+ (botocore 1.31+): older clients, such
as Debian 12's awscli 2.9 and boto3 1.26, ignore it and would call real AWS with
these keys. With a new enough client, a profile in ~/.aws/config can hold it all:
`
	tests := []struct {
		name   string
		creds  []sigv4.Credential
		noAuth bool
		want   string
	}{{
		name:  "OK",
		creds: []sigv4.Credential{{AccountID: "000000000000", AccessKeyID: "AKIAFROSTYEXAMPLE", SecretAccessKey: "s3cret"}},
		want: `Frosty is serving the Snowball API at http://127.0.0.1:4590

Connect as account 000000000000:
  export AWS_ACCESS_KEY_ID=AKIAFROSTYEXAMPLE
  export AWS_SECRET_ACCESS_KEY=s3cret
  export AWS_DEFAULT_REGION=us-west-2
  aws snowball list-jobs --endpoint-url http://127.0.0.1:4590
` + caveat + `  [profile frosty]
  region = us-west-2
  endpoint_url = http://127.0.0.1:4590
  aws_access_key_id = AKIAFROSTYEXAMPLE
  aws_secret_access_key = s3cret

Operator API token: t0ken   (frosty advance --job JID... --to WithCustomer)
`,
	}, {
		name:   "NoAuth",
		noAuth: true,
		want: `Frosty is serving the Snowball API at http://127.0.0.1:4590

Signatures are not checked (--auth none): any credentials work.
  export AWS_ACCESS_KEY_ID=test
  export AWS_SECRET_ACCESS_KEY=test
  export AWS_DEFAULT_REGION=us-west-2
  aws snowball list-jobs --endpoint-url http://127.0.0.1:4590
` + caveat + `  [profile frosty]
  region = us-west-2
  endpoint_url = http://127.0.0.1:4590
  aws_access_key_id = test
  aws_secret_access_key = test

Operator API token: t0ken   (frosty advance --job JID... --to WithCustomer)
`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			printWelcome(&b, "http://127.0.0.1:4590", tt.creds, "t0ken", tt.noAuth)
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("banner (-want +got):\n%s", diff)
			}
		})
	}
}
