#!/usr/bin/env bash
# A short AWS CLI session against a running `frosty serve`.
#
# Usage: scripts/awscli_session.sh [--endpoint URL] [--data DIR] [--frosty BIN]
#
# The flags default to $FROSTY_ENDPOINT, $FROSTY_DATA and $FROSTY_BIN, which
# scripts/with_server.sh sets. The server must run with --lifecycle manual.
# Output is read with --query ... --output text (no jq). python3 ($PYTHON)
# reads credentials.json, and downloads the manifest when curl is missing.
set -euo pipefail

endpoint=${FROSTY_ENDPOINT:-}
data=${FROSTY_DATA:-}
frosty=${FROSTY_BIN:-}
while [[ $# -gt 0 ]]; do
	case $1 in
	--endpoint) endpoint=$2; shift 2 ;;
	--data) data=$2; shift 2 ;;
	--frosty) frosty=$2; shift 2 ;;
	*) echo "usage: $0 [--endpoint URL] [--data DIR] [--frosty BIN]" >&2; exit 2 ;;
	esac
done
if [[ -z $endpoint || -z $data || -z $frosty ]]; then
	echo "awscli_session.sh: need --endpoint, --data and --frosty (or FROSTY_ENDPOINT, FROSTY_DATA, FROSTY_BIN)" >&2
	exit 2
fi
python=${PYTHON:-python3}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/frosty-awscli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

step=0
current=setup
begin() { current=$1; }
ok() {
	step=$((step + 1))
	printf 'ok   %2d  %-34s %s\n' "$step" "$current" "${1:-}"
}
fail() {
	echo "FAIL at step '$current': $*" >&2
	exit 1
}
# Any other failing command (set -e) ends the run; name the step it was in.
trap 'echo "FAIL at step '"'"'$current'"'"': exit status $? from: $BASH_COMMAND" >&2' ERR
want_eq() { # want_eq WHAT WANT GOT
	[[ $2 == "$3" ]] || fail "$1: want '$2', got '$3'"
}
want_match() { # want_match WHAT REGEX GOT
	[[ $3 =~ $2 ]] || fail "$1: want a match of $2, got '$3'"
}

# A hermetic CLI: only the server's account, no profile, no pager, no retries.
begin "credentials"
read -r akid secret < <("$python" -c '
import json, sys
creds = [c for c in json.load(open(sys.argv[1])) if c["accountId"] == "000000000000"]
print(creds[0]["accessKeyId"], creds[0]["secretAccessKey"])' "$data/credentials.json")
[[ -n ${akid:-} && -n ${secret:-} ]] || fail "no credentials of account 000000000000 in $data/credentials.json"
export AWS_ACCESS_KEY_ID=$akid AWS_SECRET_ACCESS_KEY=$secret AWS_DEFAULT_REGION=us-west-2
export AWS_CONFIG_FILE=$tmp/aws-config AWS_SHARED_CREDENTIALS_FILE=$tmp/aws-credentials
export AWS_PAGER="" AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE
ok "$("${AWS_CLI:-aws}" --version 2>&1 | cut -d' ' -f1), key $akid"

sb() { "${AWS_CLI:-aws}" snowball --endpoint-url "$endpoint" "$@"; }

begin "create-address"
address_id=$(sb create-address --output text --query AddressId --address \
	'{"Name":"Frosty CI","Street1":"410 Terry Ave N","City":"Seattle","StateOrProvince":"WA","PostalCode":"98109","Country":"US","PhoneNumber":"+1 206 555 0100"}')
want_match AddressId '^ADID[0-9a-f-]{36}$' "$address_id"
ok "$address_id"

create_job() { # create_job DESCRIPTION: prints the JobId
	sb create-job --output text --query JobId \
		--job-type IMPORT --snowball-type EDGE --shipping-option SECOND_DAY \
		--address-id "$address_id" --description "$1" \
		--role-arn arn:aws:iam::000000000000:role/snowball-import \
		--resources '{"S3Resources":[{"BucketArn":"arn:aws:s3:::frosty-ci-import","KeyRange":{}}]}' \
		--notification '{"JobStatesToNotify":[],"NotifyAll":false}'
}

begin "create-job"
job_id=$(create_job "frosty awscli main job")
want_match JobId '^JID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "$job_id"
second_id=$(create_job "frosty awscli second job")
ok "$job_id"

begin "describe-job"
got=$(sb describe-job --job-id "$job_id" --output text \
	--query 'JobMetadata.[JobState, JobType, SnowballType, Description, AddressId, ShippingDetails.ShippingOption, length(Notification.JobStatesToNotify)]')
want_eq "describe-job" "$(printf '%s\t' New IMPORT EDGE "frosty awscli main job" "$address_id" SECOND_DAY 0 | sed 's/\t$//')" "$got"
ok "New, fields echoed"

begin "list-jobs --page-size 1"
# --page-size 1 makes the CLI follow NextToken once per job.
listed=$(sb list-jobs --page-size 1 --output text --query 'JobListEntries[].JobId' | tr -s '\t\n' '  ' | sed 's/ *$//')
want_eq "list-jobs (creation order)" "$job_id $second_id" "$listed"
ok "2 jobs, in creation order"

begin "get-job-manifest in New (error)"
if sb get-job-manifest --job-id "$job_id" >"$tmp/out" 2>"$tmp/err"; then
	fail "get-job-manifest of a New job succeeded: $(cat "$tmp/out")"
fi
grep -q InvalidJobStateException "$tmp/err" || fail "want InvalidJobStateException in stderr, got: $(cat "$tmp/err")"
ok "exit non-zero, InvalidJobStateException"

begin "cancel-job twice (error)"
sb cancel-job --job-id "$second_id"
want_eq "state after cancel" Cancelled "$(sb describe-job --job-id "$second_id" --output text --query JobMetadata.JobState)"
if sb cancel-job --job-id "$second_id" >"$tmp/out" 2>"$tmp/err"; then
	fail "a second cancel-job succeeded"
fi
grep -q InvalidJobStateException "$tmp/err" || fail "want InvalidJobStateException in stderr, got: $(cat "$tmp/err")"
ok "Cancelled; second cancel InvalidJobStateException"

begin "frosty advance -> WithCustomer"
got=$("$frosty" advance --endpoint "$endpoint" --data "$data" --job "$job_id" --to WithCustomer)
want_eq "frosty advance" "$job_id WithCustomer" "$got"
tracking=$(sb describe-job --job-id "$job_id" --output text --query 'JobMetadata.ShippingDetails.OutboundShipment.TrackingNumber')
want_match "OutboundShipment.TrackingNumber" '^1Z[0-9A-Z]{16}$' "$tracking"
ok "WithCustomer, tracking $tracking"

begin "get-job-unlock-code"
code=$(sb get-job-unlock-code --job-id "$job_id" --output text --query UnlockCode)
want_match UnlockCode '^[0-9a-z]{5}(-[0-9a-z]{5}){4}$' "$code"
ok "$code"

begin "get-job-manifest + download"
url=$(sb get-job-manifest --job-id "$job_id" --output text --query ManifestURI)
want_match ManifestURI "$job_id" "$url"
manifest=$tmp/manifest.bin
if command -v curl >/dev/null 2>&1; then
	curl -fsS --max-time 30 -o "$manifest" "$url" || fail "curl $url failed"
else
	"$python" -c 'import sys, urllib.request
open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=30).read())' "$url" "$manifest"
fi
[[ -s $manifest ]] || fail "the downloaded manifest is empty"
ok "$(wc -c <"$manifest") bytes"

begin "frosty unlock"
"$frosty" unlock --manifest "$manifest" --unlock-code "$code" >"$tmp/manifest.json"
grep -q "\"jobId\": *\"$job_id\"" "$tmp/manifest.json" || fail "the decrypted manifest lacks jobId $job_id: $(cat "$tmp/manifest.json")"
wrong=$([[ ${code:0:1} == 0 ]] && echo 1 || echo 0)${code:1}
rc=0
"$frosty" unlock --manifest "$manifest" --unlock-code "$wrong" >"$tmp/out" 2>"$tmp/err" || rc=$?
want_eq "frosty unlock with a wrong code: exit status" 1 "$rc"
[[ ! -s $tmp/out ]] || fail "wrong code: want empty stdout, got $(cat "$tmp/out")"
want_eq "wrong code: stderr lines" 1 "$(wc -l <"$tmp/err" | tr -d ' ')"
ok "jobId matches; wrong code exits 1"

begin "update-job-shipment-state RETURNED"
sb update-job-shipment-state --job-id "$job_id" --shipment-state RETURNED
got=$(sb describe-job --job-id "$job_id" --output text \
	--query 'JobMetadata.[JobState, ShippingDetails.InboundShipment.TrackingNumber]')
read -r state inbound <<<"$got"
want_eq "state after RETURNED" InTransitToAWS "$state"
want_match "InboundShipment.TrackingNumber" '^1Z[0-9A-Z]{16}$' "$inbound"
ok "InTransitToAWS, inbound $inbound"

begin "describe-job unknown id (error)"
if sb describe-job --job-id JID00000000-0000-4000-8000-000000000000 >"$tmp/out" 2>"$tmp/err"; then
	fail "describe-job of an unknown job succeeded"
fi
grep -q InvalidResourceException "$tmp/err" || fail "want InvalidResourceException in stderr, got: $(cat "$tmp/err")"
ok "InvalidResourceException"

begin "get-snowball-usage"
got=$(sb get-snowball-usage --output text --query '[SnowballLimit, SnowballsInUse]')
read -r limit in_use <<<"$got"
want_match SnowballLimit '^[0-9]+$' "$limit"
want_eq SnowballsInUse 1 "$in_use"
ok "limit $limit, in use $in_use"

echo "awscli session: $step steps passed"
