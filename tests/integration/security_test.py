"""Security of `tarn serve` with real clients: encryption at rest (nothing readable in the lake
or the write-ahead log, tampering detected, key rotation), AWS Signature Version 4 with
credentials from `tarn credentials create` (Debian's AWS CLI and boto3), permissions, the audit
log, and hostile partition values that try to leave the lake.

usage: security_test.py PATH_TO_TARN
"""
import base64
import glob
import gzip
import json
import os
import re
import subprocess
import sys
import textwrap

import seed_lake
import tarn_test_util as util
from serve_test import AWS, DEBIAN_PYTHON, SEED, Server, put_batch
from tarn_test_util import run

MARKER = b"PLAINTEXT-MARKER-7f3a19"
BUCKET = "tarn-demo"


def encrypted_seed_streams(dest):
    """The seed's two streams, each asking for server-side encryption as the seed's Terraform
    does (AWS_OWNED_CMK), in folder `dest`."""
    os.makedirs(dest, exist_ok=True)
    for name in ("events_json", "events_parquet"):
        with open(os.path.join(SEED, f"{name}.json")) as f:
            stream = json.load(f)
        stream["DeliveryStreamEncryptionConfigurationInput"] = {"KeyType": "AWS_OWNED_CMK"}
        with open(os.path.join(dest, f"{name}.json"), "w") as f:
            json.dump(stream, f)
    return dest


def events_with_marker(n):
    """Seed-shaped events whose payload holds MARKER."""
    return [json.dumps({
        "id": f"e{i}", "name": "measurement_recorded", "tstamp": "2023-06-18 14:27:52.123",
        "payload_md5": "0" * 32,
        "payload": json.dumps({"value": 120 + i, "note": MARKER.decode()}),
        "user_id": f"u{i % 7}", "session_id": f"s{i % 3}"}).encode() for i in range(n)]


def files_under(root):
    return [p for p in glob.glob(os.path.join(root, "**", "*"), recursive=True)
            if os.path.isfile(p)]


def read_bytes(path, size=-1):
    with open(path, "rb") as f:
        return f.read(size)


def lake_files_holding(lake, needle):
    found = []
    for path in files_under(lake):
        with open(path, "rb") as f:
            if needle in f.read():
                found.append(os.path.relpath(path, lake))
    return found


def objects(lake, folder):
    return sorted(files_under(os.path.join(lake, BUCKET, folder)))


def query(lake, sql, rc=0):
    proc = run("query", "--lake", lake, "-d", "kozlovski", "--format", "csv", sql, check_rc=rc)
    return proc.stdout.decode(), proc.stderr


class EncryptionAtRestTest(util.TempDirTest):
    def setUp(self):
        super().setUp()
        self.lake = os.path.join(self.tmp, "lake")
        run("catalog", "--lake", self.lake, "import", os.path.join(SEED, "tables.sql"),
            check_rc=0)
        self.streams = encrypted_seed_streams(os.path.join(self.tmp, "streams"))
        self.server = None

    def tearDown(self):
        if self.server is not None and self.server.proc.poll() is None:
            self.server.kill()
        super().tearDown()

    def deliver(self, records):
        """Sends `records` to both streams; checks that nothing is in clear while they wait in
        the log and after delivery; returns the number sent."""
        self.server = Server(self.lake, "--streams", self.streams)
        for stream in ("events_json", "events_parquet"):
            status, body = put_batch(self.server, stream, records)
            self.assertEqual((status, body["FailedPutCount"]), (200, 0), body)
            self.assertTrue(body["Encrypted"], "an encrypted stream says so, as Firehose does")
        # Acknowledged and buffered (60 s hints): only the write-ahead log holds them.
        self.assertEqual(lake_files_holding(self.lake, MARKER), [])
        self.assertTrue(glob.glob(os.path.join(self.lake, "_tarn", "wal", "events_json", "**",
                                               "*.wal"), recursive=True))
        rc, err = self.server.stop()
        self.assertEqual(rc, 0, err)
        self.assertEqual(lake_files_holding(self.lake, MARKER), [])
        return len(records)

    def test_nothing_readable_on_disk_and_queries_read_it_back(self):
        sent = self.deliver(events_with_marker(300))
        json_objects = objects(self.lake, "events_raw/json")
        parquet_objects = objects(self.lake, "events_raw/parquet")
        self.assertTrue(json_objects and parquet_objects)
        for path in json_objects + parquet_objects:
            with open(path, "rb") as f:
                self.assertEqual(f.read(8), b"TARNENC1", path)
        for table in ("events_json", "events_parquet"):
            out, _ = query(self.lake, f"SELECT count(*) AS n FROM {table} "
                                      f"WHERE payload LIKE '%{MARKER.decode()}%'")
            self.assertEqual(out.splitlines()[1], f'"{sent}"', table)
        # tarn cat decrypts and decompresses one object, as `aws s3 cp - | gzip -d` would.
        key = os.path.relpath(json_objects[0], os.path.join(self.lake, BUCKET))
        proc = run("cat", f"s3://{BUCKET}/{key}", "--lake", self.lake, check_rc=0)
        self.assertIn(MARKER, proc.stdout)
        self.assertEqual(json.loads(proc.stdout.splitlines()[0])["name"], "measurement_recorded")

    def test_a_flipped_bit_fails_the_query_naming_the_object(self):
        self.deliver(events_with_marker(200))
        for table, folder in (("events_json", "events_raw/json"),
                              ("events_parquet", "events_raw/parquet")):
            path = objects(self.lake, folder)[0]
            with open(path, "r+b") as f:
                data = bytearray(f.read())
                data[len(data) // 2] ^= 0x10
                f.seek(0)
                f.write(data)
            out, err = query(self.lake, f"SELECT count(*) FROM {table}", rc=1)
            self.assertEqual(out, "", "no rows from a tampered object")
            self.assertIn(os.path.basename(path), err)
            self.assertRegex(err, r"authentication failed|altered|tamper")

    def test_rotation_rewraps_keys_and_retires_the_old_version(self):
        sent = self.deliver(events_with_marker(100))
        proc = run("keys", "--lake", self.lake, "retire", "1", check_rc=1)
        self.assertIn("tarn keys rotate", proc.stderr)
        before = {p: read_bytes(p) for p in objects(self.lake, "events_raw")}
        proc = run("keys", "--lake", self.lake, "rotate", check_rc=0)
        count = int(re.search(r"re-wrapped (\d+) data key", proc.stdout.decode()).group(1))
        self.assertGreaterEqual(count, len(before))
        self.assertEqual(before, {p: read_bytes(p) for p in before},
                         "rotation rewrites no data")
        run("keys", "--lake", self.lake, "retire", "1", check_rc=0)
        listing = run("keys", "--lake", self.lake, "list", check_rc=0).stdout.decode()
        self.assertRegex(listing, r"\n +2 .*active")
        self.assertNotRegex(listing, r"\n +1 ")
        for table in ("events_json", "events_parquet"):
            out, _ = query(self.lake, f"SELECT count(*) FROM {table}")
            self.assertEqual(out.splitlines()[1], f'"{sent}"', table)
        # New objects are wrapped under version 2 (the header's u32 after the magic).
        self.deliver(events_with_marker(10))
        versions = {int.from_bytes(read_bytes(p, 12)[8:12], "little")
                    for p in objects(self.lake, "events_raw") if p not in before}
        self.assertEqual(versions, {2})


def hostile_stream(name="hostile"):
    return {
        "DeliveryStreamName": name,
        "ExtendedS3DestinationConfiguration": {
            "RoleARN": "arn:aws:iam::000000000000:role/r",
            "BucketARN": f"arn:aws:s3:::{BUCKET}",
            "Prefix": "safe/name=!{partitionKeyFromQuery:event_name}/",
            "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60},
            "DynamicPartitioningConfiguration": {"Enabled": True},
            "ProcessingConfiguration": {"Enabled": True, "Processors": [{
                "Type": "MetadataExtraction", "Parameters": [
                    {"ParameterName": "MetadataExtractionQuery",
                     "ParameterValue": "{event_name:.name}"},
                    {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}]}}}


class HostilePartitionValuesTest(util.TempDirTest):
    def test_values_that_would_leave_the_prefix_go_to_partitioning_failed(self):
        lake = os.path.join(self.tmp, "lake")
        server = Server(lake)
        try:
            status, body = server.call("CreateDeliveryStream", hostile_stream())
            self.assertEqual(status, 200, body)
            hostile = ["..", ".", "../../../../etc/passwd", "a/b", "/absolute", "x\u0000y",
                       "tab\there", "line\nbreak", "a" * 251, "\u007f", "..\\..\\windows"]
            records = [json.dumps({"name": v, "i": i}).encode() for i, v in enumerate(hostile)]
            records.append(json.dumps({"name": "good", "i": 99}).encode())
            status, body = put_batch(server, "hostile", records)
            self.assertEqual(body["FailedPutCount"], 0)
        finally:
            rc, err = server.stop()
        self.assertEqual(rc, 0, err)
        bucket = os.path.join(lake, BUCKET)
        outside = [p for p in files_under(self.tmp)
                   if not p.startswith(os.path.join(lake, "_tarn") + os.sep)
                   and not p.startswith(os.path.join(bucket, "safe") + os.sep)
                   and not p.startswith(os.path.join(bucket, "errors") + os.sep)]
        self.assertEqual(outside, [])
        folders = sorted(os.listdir(os.path.join(bucket, "safe")))
        # Backslashes are ordinary characters on POSIX: that value is a folder name like any.
        self.assertEqual(folders, ["name=..\\..\\windows", "name=good"])
        failed = []
        for path in files_under(os.path.join(bucket, "errors", "partitioning-failed")):
            with open(path, "rb") as f:
                data = f.read()
            if path.endswith(".gz"):
                data = gzip.decompress(data)
            failed += [json.loads(line) for line in data.splitlines() if line]
        raw = sorted(json.loads(base64.b64decode(r["rawData"]))["i"] for r in failed)
        self.assertEqual(raw, [i for i, v in enumerate(hostile) if v != "..\\..\\windows"])


class OneServerPerLakeTest(util.TempDirTest):
    def test_a_second_server_on_the_same_lake_is_refused(self):
        lake = os.path.join(self.tmp, "lake")
        first = Server(lake)
        try:
            proc = run("serve", "--lake", lake, "--listen", "127.0.0.1:0", check_rc=1,
                       timeout=60)
            self.assertIn(f"another tarn serve (pid {first.proc.pid}) is using the lake",
                          proc.stderr)
        finally:
            self.assertEqual(first.stop()[0], 0)


BOTO_SCRIPT = textwrap.dedent("""
    import datetime, http.client, json, os, sys
    import boto3, botocore.auth, botocore.awsrequest, botocore.credentials
    endpoint, stream = sys.argv[1], sys.argv[2]
    port = int(endpoint.rsplit(":", 1)[1])
    client = boto3.client("firehose", endpoint_url=endpoint, region_name="us-east-1")
    records = [{"Data": json.dumps({"name": "measurement_recorded", "i": i}).encode()}
               for i in range(10)]
    response = client.put_record_batch(DeliveryStreamName=stream, Records=records)
    print("batch", response["FailedPutCount"], response["Encrypted"])

    def signed(body, minutes_ago=0):
        # A request signed as botocore signs it, `minutes_ago` in the past.
        saved = botocore.auth.datetime.datetime

        class Clock(saved):
            @classmethod
            def utcnow(cls):
                return saved.utcnow() - datetime.timedelta(minutes=minutes_ago)
        botocore.auth.datetime.datetime = Clock
        try:
            credentials = botocore.credentials.Credentials(
                os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
            request = botocore.awsrequest.AWSRequest(
                method="POST", url=endpoint + "/", data=body, headers={
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": "Firehose_20150804.PutRecord"})
            botocore.auth.SigV4Auth(credentials, "firehose", "us-east-1").add_auth(request)
            return dict(request.headers.items())
        finally:
            botocore.auth.datetime.datetime = saved

    def post(body, headers):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/", body=body, headers=headers)
        answer = conn.getresponse()
        result = answer.status, json.loads(answer.read())
        conn.close()
        return result

    body = json.dumps({"DeliveryStreamName": stream,
                       "Record": {"Data": "eyJuYW1lIjoiYSJ9"}}).encode()
    status, answer = post(body, signed(body))
    print("fresh", status, answer.get("__type", "ok"))
    status, answer = post(body, signed(body, minutes_ago=20))
    print("stale", status, answer["__type"], answer["message"].split(":")[0])
    tampered = body.replace(b"eyJuYW1lIjoiYSJ9", b"eyJuYW1lIjoiYiJ9")
    status, answer = post(tampered, signed(body))
    print("tampered", status, answer["__type"])
""")


class SigV4Test(util.TempDirTest):
    """Credentials from `tarn credentials create`, used by Debian's AWS CLI and boto3."""

    def setUp(self):
        super().setUp()
        self.lake = os.path.join(self.tmp, "lake")
        run("catalog", "--lake", self.lake, "import", os.path.join(SEED, "tables.sql"),
            check_rc=0)
        self.admin = self.create("admin", "--put", "*", "--manage")
        self.writer = self.create("writer", "--put", "events_json")
        self.server = Server(self.lake, "--streams",
                             seed_lake.plain_streams(os.path.join(self.tmp, "streams")))

    def tearDown(self):
        if self.server.proc.poll() is None:
            self.server.kill()
        super().tearDown()

    def create(self, name, *flags):
        out = run("credentials", "create", name, "--lake", self.lake, *flags,
                  check_rc=0).stdout.decode()
        key = re.search(r"AWS_ACCESS_KEY_ID=(\S+)", out).group(1)
        secret = re.search(r"AWS_SECRET_ACCESS_KEY=(\S+)", out).group(1)
        self.assertEqual(len(key), 20)
        self.assertEqual(len(secret), 40)
        # The secret is shown once and kept only sealed.
        with open(os.path.join(self.lake, "_tarn", "credentials.json"), "rb") as f:
            self.assertNotIn(secret.encode(), f.read())
        return key, secret

    def env(self, key, secret):
        return dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret,
                    AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="",
                    AWS_EC2_METADATA_DISABLED="true")

    def aws(self, credentials, *args, sign=True):
        extra = [] if sign else ["--no-sign-request"]
        return subprocess.run([AWS, "firehose", *args, "--endpoint-url", self.server.endpoint,
                               *extra], env=self.env(*credentials), capture_output=True,
                              text=True, timeout=120)

    def audit(self):
        lines = []
        for path in sorted(glob.glob(os.path.join(self.lake, "_tarn", "audit", "*.jsonl"))):
            with open(path) as f:
                lines += [json.loads(line) for line in f]
        return lines

    def test_aws_cli_with_created_credentials_and_what_is_refused(self):
        listed = self.aws(self.admin, "list-delivery-streams")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn("events_json", json.loads(listed.stdout)["DeliveryStreamNames"])
        put = self.aws(self.writer, "put-record", "--delivery-stream-name", "events_json",
                       "--record", '{"Data": "eyJuYW1lIjoieCJ9"}')
        self.assertEqual(put.returncode, 0, put.stderr)
        refusals = {
            "wrong secret": (self.aws((self.admin[0], "x" * 40), "list-delivery-streams"),
                             "InvalidSignatureException"),
            "unknown key": (self.aws(("TKIAAAAAAAAAAAAAAAAA", self.admin[1]),
                                     "list-delivery-streams"), "UnrecognizedClientException"),
            "unsigned": (self.aws(self.admin, "list-delivery-streams", sign=False),
                         "MissingAuthenticationTokenException"),
            "no put permission": (self.aws(self.writer, "put-record", "--delivery-stream-name",
                                           "events_parquet", "--record", "Data=eA=="),
                                  "AccessDeniedException"),
            "no manage permission": (self.aws(self.writer, "delete-delivery-stream",
                                              "--delivery-stream-name", "events_json"),
                                     "AccessDeniedException"),
        }
        for case, (proc, error) in refusals.items():
            self.assertNotEqual(proc.returncode, 0, case)
            self.assertIn(error, proc.stderr, case)
        # Nothing refused changed anything: the stream is still there.
        listed = json.loads(self.aws(self.admin, "list-delivery-streams").stdout)
        self.assertIn("events_json", listed["DeliveryStreamNames"])
        rc, err = self.server.stop()
        self.assertEqual(rc, 0, err)
        audit = self.audit()
        outcomes = [(a["credential"], a["operation"], a["outcome"]) for a in audit]
        self.assertIn((self.writer[0], "PutRecord", "ok"), outcomes)
        self.assertIn((self.admin[0], "ListDeliveryStreams", "InvalidSignatureException"),
                      outcomes)
        self.assertIn((self.writer[0], "DeleteDeliveryStream", "AccessDeniedException"),
                      outcomes)
        self.assertIn(("anonymous", "ListDeliveryStreams", "MissingAuthenticationTokenException"),
                      outcomes)
        for line in audit:
            self.assertRegex(line["source"], r"^127\.0\.0\.1:\d+$")
            self.assertRegex(line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_signed_requests_over_https(self):
        self.assertEqual(self.server.stop()[0], 0)  # One server per lake: this one is HTTPS.
        run("tls", "self-signed", "--out", os.path.join(self.tmp, "tls"), check_rc=0)
        cert = os.path.join(self.tmp, "tls", "cert.pem")
        proc = subprocess.Popen(
            [util.TARN, "serve", "--lake", self.lake, "--listen", "127.0.0.1:0", "--tls-cert",
             cert, "--tls-key", os.path.join(self.tmp, "tls", "key.pem")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            line = proc.stdout.readline().decode()
            endpoint = re.search(r"listening on (https://127\.0\.0\.1:\d+)", line).group(1)
            for credentials, rc, error in ((self.admin, 0, ""),
                                           ((self.admin[0], "y" * 40), 254,
                                            "InvalidSignatureException")):
                answer = subprocess.run(
                    [AWS, "firehose", "list-delivery-streams", "--endpoint-url", endpoint,
                     "--ca-bundle", cert], env=self.env(*credentials), capture_output=True,
                    text=True, timeout=120)
                self.assertEqual(answer.returncode, rc, answer.stderr)
                self.assertIn(error, answer.stderr)
            script = ("import boto3, sys; c = boto3.client('firehose', endpoint_url=sys.argv[1], "
                      "region_name='us-east-1', verify=sys.argv[2]); "
                      "print(c.list_delivery_streams()['DeliveryStreamNames'])")
            answer = subprocess.run([DEBIAN_PYTHON, "-c", script, endpoint, cert],
                                    env=self.env(*self.admin), capture_output=True, text=True,
                                    timeout=120)
            self.assertEqual(answer.returncode, 0, answer.stderr)
            self.assertIn("events_json", answer.stdout)
        finally:
            proc.terminate()
            proc.communicate(timeout=60)

    def test_boto3_signs_stale_and_tampered_requests_are_refused(self):
        proc = subprocess.run([DEBIAN_PYTHON, "-c", BOTO_SCRIPT, self.server.endpoint,
                               "events_json"], env=self.env(*self.writer),
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = proc.stdout.splitlines()
        self.assertEqual(out[0], "batch 0 False")
        self.assertEqual(out[1], "fresh 200 ok")
        self.assertEqual(out[2], "stale 400 InvalidSignatureException Signature expired")
        self.assertEqual(out[3], "tampered 400 InvalidSignatureException")
        batch = [a for a in self.audit() if a["operation"] == "PutRecordBatch"]
        self.assertEqual([(a["credential"], a["records"]) for a in batch], [(self.writer[0], 10)])


if __name__ == "__main__":
    util.main()
