#!/usr/bin/env python3
"""Watch a job live through the timed lifecycle with boto3.

Run against a `frosty serve --lifecycle timed` with a high --time-scale (see
scripts/with_server.sh and SERVE_FLAGS): a job is created, moves on its own to
WithCustomer, is returned by the customer, and goes on by itself to Complete.
Its history from the operator API must show every state in order.
"""
import argparse
import json
import os
import sys
import time
import urllib.request

import boto3

PATH = ["New", "PreparingAppliance", "PreparingShipment", "InTransitToCustomer", "WithCustomer",
        "InTransitToAWS", "WithAWSSortingFacility", "WithAWS", "InProgress", "Complete"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", default=os.environ.get("FROSTY_ENDPOINT"))
    ap.add_argument("--data", default=os.environ.get("FROSTY_DATA"))
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    creds = json.load(open(os.path.join(args.data, "credentials.json")))[0]
    admin = json.load(open(os.path.join(args.data, "secrets.json")))["adminToken"]
    sb = boto3.client("snowball", endpoint_url=args.endpoint, region_name="us-west-2",
                      aws_access_key_id=creds["accessKeyId"], aws_secret_access_key=creds["secretAccessKey"])

    addr = sb.create_address(Address={"Name": "Ops", "Street1": "1 Main St", "City": "Seattle", "Country": "US"})["AddressId"]
    job = sb.create_job(JobType="IMPORT", SnowballType="EDGE", AddressId=addr, ShippingOption="SECOND_DAY",
                        Resources={"S3Resources": [{"BucketArn": "arn:aws:s3:::timed"}]})["JobId"]
    print("ok  created", job)

    def watch(until):
        seen = []
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            md = sb.describe_job(JobId=job)["JobMetadata"]
            state = md["JobState"]
            if not seen or seen[-1] != state:
                seen.append(state)
                print("    saw", state)
            if state == "InProgress":
                p = md.get("DataTransferProgress", {})
                assert p.get("TotalBytes", 0) > 0, "InProgress without DataTransferProgress totals: %r" % md
            if state == until:
                return seen
            time.sleep(0.02)
        sys.exit("FAIL: job stuck in %s, never reached %s within %ss (saw %s)" % (seen[-1], until, args.timeout, seen))

    seen = watch("WithCustomer")
    assert all(PATH.index(a) < PATH.index(b) for a, b in zip(seen, seen[1:])), "states out of order: %s" % seen
    md = sb.describe_job(JobId=job)["JobMetadata"]
    assert md["ShippingDetails"]["OutboundShipment"]["TrackingNumber"].startswith("1Z"), md
    assert "SnowballId" in md or "SnowballId" not in sb.meta.service_model.shape_for("JobMetadata").members, md
    print("ok  reached WithCustomer on its own")

    time.sleep(0.3)  # WithCustomer waits for the customer, however long
    assert sb.describe_job(JobId=job)["JobMetadata"]["JobState"] == "WithCustomer", "left WithCustomer by itself"
    print("ok  stays WithCustomer until returned")

    sb.update_job_shipment_state(JobId=job, ShipmentState="RETURNED")
    seen = watch("Complete")
    assert all(PATH.index(a) < PATH.index(b) for a, b in zip(seen, seen[1:])), "states out of order: %s" % seen
    print("ok  returned and Complete on its own")

    req = urllib.request.Request(args.endpoint + "/_frosty/jobs/%s/events" % job, headers={"Authorization": "Bearer " + admin})
    events = json.load(urllib.request.urlopen(req))["events"]
    got = [e["to"] for e in events]
    assert got == PATH, "history %s, want %s" % (got, PATH)
    causes = {e["to"]: e["cause"] for e in events}
    assert causes["InTransitToAWS"] == "customer", causes
    assert all(causes[s] == "timer" for s in PATH[1:] if s != "InTransitToAWS"), causes
    print("ok  history has every state in order:", " → ".join(got))
    print("timed session: 5 checks passed")


if __name__ == "__main__":
    main()
