#!/usr/bin/env python3
"""A realistic boto3 session against a running `frosty serve`.

Usage:
    python3 scripts/boto3_session.py --endpoint URL --data DIR --frosty BIN

The flags default to $FROSTY_ENDPOINT, $FROSTY_DATA and $FROSTY_BIN, which
scripts/with_server.sh sets.

DIR is the server's --data directory: the credentials of account
000000000000 are read from DIR/credentials.json and `frosty advance` reads
the operator token from it. The server must run with --lifecycle manual, so
that jobs move only when this script moves them.

Each step prints one line. The first failed check prints what was expected,
and the script exits with status 1. Only the standard library and boto3 are
used.
"""

import argparse
import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

REGION = "us-west-2"
ACCOUNT = "000000000000"
JOB_ID_RE = re.compile(r"^JID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CLUSTER_ID_RE = re.compile(r"^CID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ADDRESS_ID_RE = re.compile(r"^ADID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
LTP_ID_RE = re.compile(r"^LTPID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TRACKING_RE = re.compile(r"^1Z[0-9A-Z]{16}$")
UNLOCK_CODE_RE = re.compile(r"^[0-9a-z]{5}(-[0-9a-z]{5}){4}$")

ROLE_ARN = "arn:aws:iam::%s:role/snowball-import" % ACCOUNT
KMS_ARN = "arn:aws:kms:%s:%s:key/2f3a4b5c-6d7e-4f80-9a1b-2c3d4e5f6a7b" % (REGION, ACCOUNT)
BUCKET_ARN = "arn:aws:s3:::frosty-ci-import"

_step_no = 0
_skipped = 0
_current = "setup"


def begin(name):
    """Names the step that is running, for the failure message."""
    global _current
    _current = name


def ok(detail=""):
    """Prints the one line of a step that passed."""
    global _step_no
    _step_no += 1
    print("ok   %2d  %-34s %s" % (_step_no, _current, detail), flush=True)


def skip(reason):
    global _step_no, _skipped
    _step_no += 1
    _skipped += 1
    print("skip %2d  %-34s %s" % (_step_no, _current, reason), flush=True)


def error_code(err):
    return err.response.get("Error", {}).get("Code")


def expect_client_error(call, code, exc_class=None):
    """Runs call() and returns the ClientError it must raise with code."""
    try:
        result = call()
    except ClientError as e:
        if exc_class is not None:
            assert isinstance(e, exc_class), "want %s, got %s: %s" % (exc_class.__name__, type(e).__name__, e)
        assert error_code(e) == code, "want error code %s, got %s: %s" % (code, error_code(e), e)
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        assert status == 400, "want HTTP 400 for %s, got %s" % (code, status)
        return e
    raise AssertionError("want %s, but the call succeeded: %r" % (code, result))


def frosty(args, binary, timeout=60):
    """Runs the frosty binary; returns the CompletedProcess."""
    return subprocess.run([binary] + args, capture_output=True, text=True, timeout=timeout)


def describe(client, job_id):
    return client.describe_job(JobId=job_id)["JobMetadata"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    env = os.environ.get
    ap.add_argument("--endpoint", default=env("FROSTY_ENDPOINT"),
                    help="the running frosty serve, e.g. http://127.0.0.1:4590 (default: $FROSTY_ENDPOINT)")
    ap.add_argument("--data", default=env("FROSTY_DATA"), help="the server's --data directory (default: $FROSTY_DATA)")
    ap.add_argument("--frosty", default=env("FROSTY_BIN"),
                    help="the frosty binary, for advance and unlock (default: $FROSTY_BIN)")
    args = ap.parse_args()
    for name in ("endpoint", "data", "frosty"):
        if not getattr(args, name):
            ap.error("--%s is required (or set $FROSTY_%s)" % (name, "BIN" if name == "frosty" else name.upper()))
    binary = os.path.abspath(args.frosty)
    endpoint = args.endpoint.rstrip("/")

    print("boto3 %s, botocore %s, python %s" % (boto3.__version__, botocore.__version__, sys.version.split()[0]))

    begin("read credentials.json")
    with open(os.path.join(args.data, "credentials.json")) as f:
        creds = json.load(f)
    assert isinstance(creds, list) and creds, "credentials.json must be a non-empty JSON array, got %r" % (creds,)
    mine = [c for c in creds if c.get("accountId") == ACCOUNT]
    assert mine, "no credentials for account %s in %r" % (ACCOUNT, [c.get("accountId") for c in creds])
    akid, secret = mine[0]["accessKeyId"], mine[0]["secretAccessKey"]
    ok("account %s, key %s" % (ACCOUNT, akid))

    # No retries: an emulator error must show at once, not after backoff.
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=30)

    def new_client(key_id=akid, secret_key=secret, cfg=config):
        return boto3.client(
            "snowball",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret_key,
            config=cfg,
        )

    client = new_client()
    exc = client.exceptions

    # --- Addresses and the main job ---------------------------------------
    begin("create_address")
    address = {
        "Name": "Frosty CI",
        "Company": "Frosty",
        "Street1": "410 Terry Ave N",
        "City": "Seattle",
        "StateOrProvince": "WA",
        "PostalCode": "98109",
        "Country": "US",
        "PhoneNumber": "+1 206 555 0100",
    }
    address_id = client.create_address(Address=address)["AddressId"]
    assert ADDRESS_ID_RE.match(address_id), "AddressId %r is not ADID+UUID" % address_id
    got = client.describe_address(AddressId=address_id)["Address"]
    for k, v in address.items():
        assert got.get(k) == v, "DescribeAddress %s: want %r, got %r" % (k, v, got.get(k))
    ok(address_id)

    def create_import_job(description):
        return client.create_job(
            JobType="IMPORT",
            SnowballType="EDGE",
            AddressId=address_id,
            ShippingOption="SECOND_DAY",
            RoleARN=ROLE_ARN,
            KmsKeyARN=KMS_ARN,
            Description=description,
            Resources={"S3Resources": [{"BucketArn": BUCKET_ARN, "KeyRange": {}}]},
            Notification={"JobStatesToNotify": [], "NotifyAll": False},
        )["JobId"]

    begin("create_job IMPORT/EDGE")
    job_id = create_import_job("frosty ci main job")
    assert JOB_ID_RE.match(job_id), "JobId %r is not JID+UUID (39 chars)" % job_id
    ok(job_id)

    begin("describe_job (New)")
    meta = describe(client, job_id)
    want = {
        "JobId": job_id,
        "JobState": "New",
        "JobType": "IMPORT",
        "SnowballType": "EDGE",
        "AddressId": address_id,
        "Description": "frosty ci main job",
        "RoleARN": ROLE_ARN,
        "KmsKeyARN": KMS_ARN,
    }
    for k, v in want.items():
        assert meta.get(k) == v, "JobMetadata.%s: want %r, got %r" % (k, v, meta.get(k))
    assert meta.get("ShippingDetails", {}).get("ShippingOption") == "SECOND_DAY", \
        "ShippingDetails.ShippingOption: want SECOND_DAY, got %r" % (meta.get("ShippingDetails"),)
    assert "OutboundShipment" not in meta.get("ShippingDetails", {}), \
        "a New job has no OutboundShipment, got %r" % (meta["ShippingDetails"],)
    s3 = meta.get("Resources", {}).get("S3Resources")
    assert s3 == [{"BucketArn": BUCKET_ARN, "KeyRange": {}}], "Resources.S3Resources: want the request's, got %r" % (s3,)
    notification = meta.get("Notification")
    assert notification is not None, "JobMetadata.Notification is missing"
    assert "JobStatesToNotify" in notification, \
        "Notification.JobStatesToNotify must be echoed as an empty list, got %r" % (notification,)
    assert notification["JobStatesToNotify"] == [], \
        "Notification.JobStatesToNotify: want [], got %r" % (notification["JobStatesToNotify"],)
    assert notification.get("NotifyAll") is False, "Notification.NotifyAll: want False, got %r" % (notification,)
    assert meta.get("CreationDate") is not None, "JobMetadata.CreationDate is missing"
    for absent in ("DataTransferProgress", "JobLogInfo", "SnowballId"):
        assert absent not in meta, "a New job has no %s, got %r" % (absent, meta.get(absent))
    ok("state New, %d fields echoed" % (len(want) + 3))

    # --- ListJobs pagination -------------------------------------------------
    begin("create_job x2 (for paging)")
    second = create_import_job("frosty ci second job")
    third = create_import_job("frosty ci job to cancel")
    ok("%s %s" % (second, third))

    begin("list_jobs paginator PageSize=1")
    assert client.can_paginate("list_jobs"), "botocore has no paginator for list_jobs"
    pages = list(client.get_paginator("list_jobs").paginate(PaginationConfig={"PageSize": 1}))
    ids = [e["JobId"] for p in pages for e in p.get("JobListEntries", [])]
    for p in pages:
        n = len(p.get("JobListEntries", []))
        assert n <= 1, "PageSize 1 but a page has %d entries" % n
    assert len(ids) == len(set(ids)), "a job is listed twice: %r" % ids
    mine_listed = [i for i in ids if i in (job_id, second, third)]
    assert mine_listed == [job_id, second, third], \
        "want the 3 jobs once each, in creation order %r, got %r" % ([job_id, second, third], mine_listed)
    entry = next(e for p in pages for e in p["JobListEntries"] if e["JobId"] == job_id)
    assert entry.get("JobState") == "New" and entry.get("JobType") == "IMPORT" and entry.get("SnowballType") == "EDGE", \
        "JobListEntry of the main job: got %r" % (entry,)
    assert entry.get("IsMaster") is False, "JobListEntry.IsMaster of an import job: want False, got %r" % (entry,)
    ok("%d pages, %d jobs, in creation order" % (len(pages), len(ids)))

    # --- State errors before delivery ---------------------------------------
    begin("get_job_manifest in New")
    expect_client_error(lambda: client.get_job_manifest(JobId=job_id),
                        "InvalidJobStateException", exc.InvalidJobStateException)
    expect_client_error(lambda: client.get_job_unlock_code(JobId=job_id),
                        "InvalidJobStateException", exc.InvalidJobStateException)
    ok("InvalidJobStateException (manifest and unlock code)")

    begin("cancel_job, then cancel again")
    client.cancel_job(JobId=third)
    state = describe(client, third)["JobState"]
    assert state == "Cancelled", "after CancelJob: want Cancelled, got %s" % state
    expect_client_error(lambda: client.cancel_job(JobId=third),
                        "InvalidJobStateException", exc.InvalidJobStateException)
    listed = [e["JobId"] for e in client.list_jobs()["JobListEntries"]]
    assert third in listed, "a cancelled job stays in ListJobs, got %r" % listed
    ok("Cancelled; second cancel -> InvalidJobStateException")

    # --- The operator ships the device --------------------------------------
    begin("frosty advance -> WithCustomer")
    r = frosty(["advance", "--endpoint", endpoint, "--data", args.data, "--job", job_id, "--to", "WithCustomer"], binary)
    assert r.returncode == 0, "frosty advance: exit %d, stderr %r" % (r.returncode, r.stderr)
    assert r.stdout.strip() == "%s WithCustomer" % job_id, \
        "frosty advance: want %r, got %r" % ("%s WithCustomer" % job_id, r.stdout)
    ok(r.stdout.strip())

    begin("describe_job (WithCustomer)")
    meta = describe(client, job_id)
    assert meta["JobState"] == "WithCustomer", "want WithCustomer, got %s" % meta["JobState"]
    shipping = meta.get("ShippingDetails", {})
    outbound = shipping.get("OutboundShipment")
    assert outbound, "ShippingDetails.OutboundShipment is missing: %r" % (shipping,)
    tracking_out = outbound.get("TrackingNumber", "")
    assert tracking_out.startswith("1Z") and TRACKING_RE.match(tracking_out), \
        "OutboundShipment.TrackingNumber: want 1Z + 16 [0-9A-Z], got %r" % tracking_out
    assert "InboundShipment" not in shipping, "no InboundShipment before the return, got %r" % (shipping,)
    # An older botocore drops members its model lacks (SnowballId came in 2023).
    if "SnowballId" in client.meta.service_model.shape_for("JobMetadata").members:
        assert meta.get("SnowballId"), "a job past PreparingAppliance has a SnowballId, got %r" % (meta.get("SnowballId"),)
    ok("tracking %s, status %r" % (tracking_out, outbound.get("Status")))

    begin("get_job_unlock_code")
    code = client.get_job_unlock_code(JobId=job_id)["UnlockCode"]
    assert len(code) == 29, "UnlockCode: want 29 chars, got %d (%r)" % (len(code), code)
    assert UNLOCK_CODE_RE.match(code), "UnlockCode: want five groups of five [0-9a-z], got %r" % code
    again = client.get_job_unlock_code(JobId=job_id)["UnlockCode"]
    assert again == code, "UnlockCode must be stable: %r then %r" % (code, again)
    ok(code)

    begin("get_job_manifest")
    manifest_url = client.get_job_manifest(JobId=job_id)["ManifestURI"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(manifest_url).query)
    for k in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"):
        assert k in query, "ManifestURI lacks %s: %s" % (k, manifest_url)
    assert query["X-Amz-Expires"] == ["3600"], "ManifestURI X-Amz-Expires: want 3600, got %r" % query["X-Amz-Expires"]
    assert job_id in manifest_url, "ManifestURI must name the job: %s" % manifest_url
    ok(urllib.parse.urlsplit(manifest_url).path)

    workdir = tempfile.mkdtemp(prefix="frosty-boto3-")
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    manifest_path = os.path.join(workdir, job_id + "_manifest.bin")

    begin("download the manifest (urllib)")
    with urllib.request.urlopen(manifest_url, timeout=30) as resp:
        assert resp.status == 200, "manifest download: want 200, got %d" % resp.status
        body = resp.read()
    assert body, "the manifest is empty"
    with open(manifest_path, "wb") as f:
        f.write(body)
    ok("%d bytes" % len(body))

    begin("frosty unlock (right code)")
    r = frosty(["unlock", "--manifest", manifest_path, "--unlock-code", code], binary)
    assert r.returncode == 0, "frosty unlock: exit %d, stderr %r" % (r.returncode, r.stderr)
    doc = json.loads(r.stdout)
    for k in ("format", "jobId", "jobType", "device"):
        assert k in doc, "the decrypted manifest lacks %r: keys %r" % (k, sorted(doc))
    assert doc["jobId"] == job_id, "manifest jobId: want %s, got %r" % (job_id, doc["jobId"])
    assert doc["jobType"] == "IMPORT", "manifest jobType: want IMPORT, got %r" % doc["jobType"]
    ok("jobId matches, format %s" % doc["format"])

    begin("frosty unlock (wrong code)")
    wrong = ("0" if code[0] != "0" else "1") + code[1:]
    r = frosty(["unlock", "--manifest", manifest_path, "--unlock-code", wrong], binary)
    assert r.returncode == 1, "wrong unlock code: want exit 1, got %d (stdout %r)" % (r.returncode, r.stdout)
    assert r.stdout == "", "wrong unlock code: want empty stdout, got %r" % r.stdout
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].strip(), "wrong unlock code: want one stderr line, got %r" % r.stderr
    ok("exit 1: %s" % lines[0])

    begin("tampered manifest URL")
    sig = query["X-Amz-Signature"][0]
    bad_sig = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    tampered = manifest_url.replace("X-Amz-Signature=" + sig, "X-Amz-Signature=" + bad_sig)
    assert tampered != manifest_url, "could not tamper with %s" % manifest_url
    try:
        with urllib.request.urlopen(tampered, timeout=30) as resp:
            raise AssertionError("tampered URL: want HTTP 403, got %d" % resp.status)
    except urllib.error.HTTPError as e:
        err_body = e.read().decode("utf-8", "replace")
        assert e.code == 403, "tampered URL: want HTTP 403, got %d: %s" % (e.code, err_body)
        assert "SignatureDoesNotMatch" in err_body, "tampered URL: want SignatureDoesNotMatch in %r" % err_body
    ok("HTTP 403 SignatureDoesNotMatch")

    # --- The customer sends the device back ---------------------------------
    begin("update_job_shipment_state RETURNED")
    client.update_job_shipment_state(JobId=job_id, ShipmentState="RETURNED")
    meta = describe(client, job_id)
    assert meta["JobState"] == "InTransitToAWS", "after RETURNED: want InTransitToAWS, got %s" % meta["JobState"]
    shipping = meta.get("ShippingDetails", {})
    inbound = shipping.get("InboundShipment")
    assert inbound, "after RETURNED: ShippingDetails.InboundShipment is missing: %r" % (shipping,)
    assert TRACKING_RE.match(inbound.get("TrackingNumber", "")), \
        "InboundShipment.TrackingNumber: want 1Z + 16 [0-9A-Z], got %r" % (inbound,)
    assert shipping.get("OutboundShipment", {}).get("TrackingNumber") == tracking_out, \
        "OutboundShipment.TrackingNumber must not change: want %s, got %r" % (tracking_out, shipping.get("OutboundShipment"))
    ok("InTransitToAWS, inbound %s" % inbound["TrackingNumber"])

    # --- Errors ---------------------------------------------------------------
    begin("describe_job malformed id 'abc'")
    try:
        client.describe_job(JobId="abc")
        raise AssertionError("describe_job('abc') succeeded")
    except ParamValidationError:
        how = "botocore rejects it client-side; sent with parameter_validation=False"
    except ClientError as e:
        # A botocore without client-side min-length checks sends it as is.
        assert error_code(e) == "ValidationException", "want ValidationException, got %s: %s" % (error_code(e), e)
        how = "sent by the default client"
    raw = new_client(cfg=config.merge(Config(parameter_validation=False)))
    e = expect_client_error(lambda: raw.describe_job(JobId="abc"), "ValidationException")
    message = e.response["Error"].get("Message", "")
    assert "'jobId'" in message and "length greater than or equal to 39" in message, \
        "ValidationException message should name 'jobId' and its min length 39, got %r" % message
    ok("ValidationException (%s)" % how)

    begin("describe_job unknown id")
    unknown = "JID" + str(uuid.uuid4())
    e = expect_client_error(lambda: client.describe_job(JobId=unknown),
                            "InvalidResourceException", exc.InvalidResourceException)
    ok("InvalidResourceException%s" % (
        " (ResourceType %s)" % e.response["ResourceType"] if "ResourceType" in e.response else ""))

    begin("wrong secret key")
    bad_secret = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    expect_client_error(lambda: new_client(secret_key=bad_secret).list_jobs(), "InvalidSignatureException")
    ok("InvalidSignatureException")

    begin("unknown access key")
    expect_client_error(lambda: new_client(key_id="AKIAFROSTYUNKNOWNKEY00", secret_key=secret).list_jobs(),
                        "UnrecognizedClientException")
    ok("UnrecognizedClientException")

    # --- Clusters -------------------------------------------------------------
    begin("create_cluster 5 nodes")
    cluster_args = dict(
        JobType="LOCAL_USE",
        SnowballType="EDGE",
        AddressId=address_id,
        ShippingOption="SECOND_DAY",
        RoleARN=ROLE_ARN,
        KmsKeyARN=KMS_ARN,
        Description="frosty ci cluster",
        Resources={"S3Resources": [{"BucketArn": BUCKET_ARN, "KeyRange": {}}]},
    )
    members = client.meta.service_model.operation_model("CreateCluster").input_shape.members
    if "InitialClusterSize" in members:
        res = client.create_cluster(InitialClusterSize=5, **cluster_args)
        cluster_id = res["ClusterId"]
        created = [e["JobId"] for e in res.get("JobListEntries", [])]
        assert len(created) == 5, "CreateCluster InitialClusterSize 5: want 5 JobListEntries, got %r" % (created,)
        how = "InitialClusterSize=5"
    else:
        # botocore before 2023 has no InitialClusterSize: the legacy way is
        # an empty cluster plus one CreateJob{ClusterId} per node.
        cluster_id = client.create_cluster(**cluster_args)["ClusterId"]
        created = [client.create_job(ClusterId=cluster_id, Description="node-%03d" % (i + 1))["JobId"] for i in range(5)]
        how = "installed botocore lacks InitialClusterSize: empty cluster + 5 CreateJob{ClusterId}"
    assert CLUSTER_ID_RE.match(cluster_id), "ClusterId %r is not CID+UUID" % cluster_id
    ok("%s (%s)" % (cluster_id, how))

    begin("list_cluster_jobs")
    nodes = client.list_cluster_jobs(ClusterId=cluster_id)["JobListEntries"]
    node_ids = [e["JobId"] for e in nodes]
    assert len(nodes) == 5, "ListClusterJobs: want 5 nodes, got %d: %r" % (len(nodes), node_ids)
    assert node_ids == created, "ListClusterJobs: want the nodes in creation order %r, got %r" % (created, node_ids)
    for e in nodes:
        assert e.get("JobType") == "LOCAL_USE", "node %s JobType: want LOCAL_USE, got %r" % (e["JobId"], e.get("JobType"))
    cluster = client.describe_cluster(ClusterId=cluster_id)["ClusterMetadata"]
    assert cluster.get("ClusterState") == "AwaitingQuorum", \
        "DescribeCluster state (manual lifecycle): want AwaitingQuorum, got %r" % cluster.get("ClusterState")
    node_meta = describe(client, created[0])
    assert node_meta.get("ClusterId") == cluster_id, "node JobMetadata.ClusterId: want %s, got %r" % (cluster_id, node_meta.get("ClusterId"))
    ok("5 LOCAL_USE nodes, cluster AwaitingQuorum")

    # --- Account-level operations ----------------------------------------------
    begin("get_snowball_usage")
    usage = client.get_snowball_usage()
    assert isinstance(usage.get("SnowballLimit"), int), "SnowballLimit: want an int, got %r" % (usage,)
    # The main job (InTransitToAWS) holds a device; New and Cancelled jobs do not.
    assert usage.get("SnowballsInUse", 0) >= 1, "SnowballsInUse: want >= 1 (a job is InTransitToAWS), got %r" % (usage,)
    ok("limit %d, in use %d" % (usage["SnowballLimit"], usage["SnowballsInUse"]))

    begin("create_long_term_pricing")
    ltp_id = client.create_long_term_pricing(LongTermPricingType="OneYear", SnowballType="EDGE",
                                             IsLongTermPricingAutoRenew=False)["LongTermPricingId"]
    assert LTP_ID_RE.match(ltp_id), "LongTermPricingId %r is not LTPID+UUID (41 chars)" % ltp_id
    ok(ltp_id)

    begin("list_long_term_pricing")
    entries = client.list_long_term_pricing()["LongTermPricingEntries"]
    found = [e for e in entries if e.get("LongTermPricingId") == ltp_id]
    assert len(found) == 1, "ListLongTermPricing: want %s once, got %r" % (ltp_id, entries)
    assert found[0].get("LongTermPricingType") == "OneYear", "LongTermPricingType: want OneYear, got %r" % (found[0],)
    assert found[0].get("SnowballType") == "EDGE", "SnowballType: want EDGE, got %r" % (found[0],)
    ok("%d entries" % len(entries))

    # --- Operations an older botocore may lack -----------------------------------
    begin("list_service_versions")
    if hasattr(client, "list_service_versions"):
        res = client.list_service_versions(ServiceName="KUBERNETES")
        assert res.get("ServiceName") == "KUBERNETES", "ListServiceVersions ServiceName echo: got %r" % (res,)
        assert isinstance(res.get("ServiceVersions"), list), "ListServiceVersions.ServiceVersions: got %r" % (res,)
        ok("%d versions" % len(res["ServiceVersions"]))
    else:
        skip("skipped: the installed botocore %s lacks ListServiceVersions" % botocore.__version__)

    begin("list_pickup_locations")
    if hasattr(client, "list_pickup_locations"):
        res = client.list_pickup_locations()
        ok("%d locations" % len(res.get("Addresses", [])))
    else:
        skip("skipped: the installed botocore %s lacks ListPickupLocations" % botocore.__version__)

    print("boto3 session: %d steps passed, %d skipped" % (_step_no - _skipped, _skipped))


if __name__ == "__main__":
    if not __debug__:
        sys.exit("boto3_session.py checks with assert: do not run it with python -O")
    try:
        main()
    except Exception as e:  # any failure: name the step, show the cause, exit 1
        traceback.print_exc()
        print("FAIL at step %r: %s: %s" % (_current, type(e).__name__, e), file=sys.stderr, flush=True)
        sys.exit(1)
