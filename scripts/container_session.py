#!/usr/bin/env python3
"""A boto3 session against Frosty running in its container image.

Usage:
    python3 scripts/container_session.py --endpoint URL --credentials FILE \\
        --admin-token TOKEN (--save FILE | --check FILE)

FILE of --credentials is the credentials file the container was started
with (its first entry is used). The container must run with
--public-url URL and --lifecycle manual.

--save: create an address and an import job, advance the job to
WithCustomer through the operator API, download its manifest through the
presigned URL (it must start with FROSTYMF) and check that a tampered URL
is refused; then write the JobId to FILE.

--check: the job in FILE must still be there, WithCustomer, with its
manifest: run against a new container on the same volume.

Each step prints one line. The first failed check prints what was expected,
and the script exits with status 1. Only the standard library and boto3 are
used.
"""

import argparse
import json
import re
import sys
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

REGION = "us-west-2"
MAGIC = b"FROSTYMF"
UNLOCK_CODE_RE = re.compile(r"^[0-9a-z]{5}(-[0-9a-z]{5}){4}$")


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


def step(name, detail=""):
    print("ok   %-30s %s" % (name, detail), flush=True)


def operator(endpoint, token, path, body):
    req = urllib.request.Request(
        endpoint.rstrip("/") + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def download(url):
    """GETs url: (status, body)."""
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def check_manifest(sb, endpoint, job_id):
    url = sb.get_job_manifest(JobId=job_id)["ManifestURI"]
    check(url.startswith(endpoint.rstrip("/") + "/"),
          "manifest URL %s is not under the public URL %s" % (url, endpoint))
    status, body = download(url)
    check(status == 200, "manifest download: HTTP %d %r" % (status, body[:200]))
    check(body.startswith(MAGIC), "the manifest starts with %r, want %r" % (body[:8], MAGIC))
    return url, body


def save(sb, args):
    address_id = sb.create_address(Address={
        "Name": "Frosty Container", "Street1": "1 Main St", "City": "Seattle",
        "StateOrProvince": "WA", "PostalCode": "98101", "Country": "US",
    })["AddressId"]
    step("CreateAddress", address_id)

    job_id = sb.create_job(
        JobType="IMPORT", SnowballType="EDGE", AddressId=address_id, ShippingOption="SECOND_DAY",
        Resources={"S3Resources": [{"BucketArn": "arn:aws:s3:::frosty-container"}]},
    )["JobId"]
    step("CreateJob", job_id)

    out = operator(args.endpoint, args.admin_token, "/_frosty/jobs/%s/advance" % job_id, {"to": "WithCustomer"})
    check(out.get("JobState") == "WithCustomer", "advance answered %r" % out)
    state = sb.describe_job(JobId=job_id)["JobMetadata"]["JobState"]
    check(state == "WithCustomer", "DescribeJob says %s, want WithCustomer" % state)
    step("advance (operator API)", state)

    url, body = check_manifest(sb, args.endpoint, job_id)
    step("GetJobManifest + download", "%d bytes from %s" % (len(body), url.split("?")[0]))

    sig = re.search(r"X-Amz-Signature=([0-9a-f])", url)
    check(sig, "manifest URL %s has no X-Amz-Signature" % url)
    flipped = "1" if sig.group(1) == "0" else "0"
    status, _ = download(url[:sig.start(1)] + flipped + url[sig.end(1):])
    check(status == 403, "a tampered manifest URL got HTTP %d, want 403" % status)
    step("tampered URL refused", "HTTP 403")

    code = sb.get_job_unlock_code(JobId=job_id)["UnlockCode"]
    check(UNLOCK_CODE_RE.match(code), "unlock code %r" % code)
    step("GetJobUnlockCode")

    with open(args.save, "w") as f:
        f.write(job_id + "\n")


def check_saved(sb, args):
    with open(args.check) as f:
        job_id = f.read().strip()
    state = sb.describe_job(JobId=job_id)["JobMetadata"]["JobState"]
    check(state == "WithCustomer", "after a restart the job is %s, want WithCustomer" % state)
    step("job kept in the volume", "%s %s" % (job_id, state))
    _, body = check_manifest(sb, args.endpoint, job_id)
    step("manifest after restart", "%d bytes" % len(body))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--credentials", required=True)
    p.add_argument("--admin-token", required=True)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save")
    mode.add_argument("--check")
    args = p.parse_args()

    with open(args.credentials) as f:
        cred = json.load(f)[0]
    sb = boto3.client(
        "snowball", endpoint_url=args.endpoint, region_name=REGION,
        aws_access_key_id=cred["accessKeyId"], aws_secret_access_key=cred["secretAccessKey"],
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=30),
    )
    try:
        if args.save:
            save(sb, args)
        else:
            check_saved(sb, args)
    except Failed as e:
        print("FAIL %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
