"""`tarn serve` driven by real clients: Debian's AWS CLI and boto3 (both /usr/bin/python3's),
raw HTTP for the error cases, DuckDB for the Parquet it writes, and kill -9 for the crash
cases. The seed's two streams (examples/seed) are created at start-up.

usage: serve_test.py PATH_TO_TARN
"""
import base64
import datetime
import glob
import gzip
import http.client
import json
import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import time

import seed_lake
import tarn_test_util as util
from tarn_test_util import run


def plain_streams(tmp):
    """The seed's streams without server-side encryption, so that the checks below can read
    the delivered objects directly (security_test.py covers the encrypted ones)."""
    return seed_lake.plain_streams(os.path.join(tmp, "streams"))

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEED = os.path.join(ROOT, "examples", "seed")  # Tables; streams from plain_streams().
PEERS = os.path.join(os.path.dirname(HERE), "peers")
AWS = "/usr/bin/aws"
DEBIAN_PYTHON = "/usr/bin/python3"  # Where Debian's python3-boto3 is.
CLIENT_ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
                  AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="", AWS_EC2_METADATA_DISABLED="true")
OBJECT_NAME = re.compile(r"^(events_json|events_parquet)-(\d+)-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-"
                         r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
                         r"(\.gz|\.parquet)?$")


class Server:
    """A `tarn serve` process on a free loopback port."""

    def __init__(self, lake, *extra, preexec=None):
        self.lake = lake
        self.proc = subprocess.Popen(
            [util.TARN, "serve", "--lake", lake, "--listen", "127.0.0.1:0", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=preexec)
        line = self.proc.stdout.readline().decode()
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not match:
            self.proc.kill()
            raise AssertionError(f"server did not start: {line!r} {self.proc.stderr.read()!r}")
        self.port = int(match.group(1))
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def call(self, operation, body, raw=None, target=None):
        """POSTs a Firehose operation; returns (status, parsed JSON or text)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/x-amz-json-1.1",
                   "X-Amz-Target": target or f"Firehose_20150804.{operation}"}
        conn.request("POST", "/", body=raw if raw is not None else json.dumps(body),
                     headers=headers)
        response = conn.getresponse()
        data = response.read().decode()
        conn.close()
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, data

    def get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", path)
        response = conn.getresponse()
        result = response.status, response.read().decode()
        conn.close()
        return result

    def stop(self):
        """SIGTERM: the server delivers everything buffered, then exits 0."""
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=120)
        return self.proc.returncode, err.decode()

    def kill(self):
        self.proc.kill()
        self.proc.communicate(timeout=60)


def put_batch(server, stream, records):
    status, body = server.call("PutRecordBatch", {
        "DeliveryStreamName": stream,
        "Records": [{"Data": base64.b64encode(r).decode()} for r in records]})
    return status, body


def json_objects(lake, prefix):
    """{key: [lines]} of every gzip object under tarn-demo/prefix."""
    out = {}
    for path in sorted(glob.glob(os.path.join(lake, "tarn-demo", prefix, "**", "*"),
                                 recursive=True)):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read()
            if path.endswith(".gz"):
                data = gzip.decompress(data)
            out[os.path.relpath(path, os.path.join(lake, "tarn-demo"))] = data.split(b"\n")
    return out


def delivered_lines(lake, prefix="events_raw/json"):
    lines = []
    for key, content in json_objects(lake, prefix).items():
        assert content[-1] == b"", f"{key} does not end with a newline"
        lines.extend((key, line) for line in content[:-1])
    return lines


def generate(tmp, sessions):
    path = os.path.join(tmp, "events.ndjson")
    run("generate", "--sessions", str(sessions), "--seed", "5", "--now", "2023-08-01 00:00:00",
        "-o", path, "-q", check_rc=0)
    with open(path, "rb") as f:
        return path, f.read().splitlines()


class ServeTest(util.TempDirTest):
    def setUp(self):
        super().setUp()
        self.lake = os.path.join(self.tmp, "lake")
        run("catalog", "--lake", self.lake, "import", os.path.join(SEED, "tables.sql"),
            check_rc=0)
        self.server = Server(self.lake, "--streams", plain_streams(self.tmp))

    def tearDown(self):
        if self.server.proc.poll() is None:
            self.server.kill()
        super().tearDown()

    def aws(self, *args, check=True):
        proc = subprocess.run([AWS, "firehose", *args, "--endpoint-url", self.server.endpoint],
                              env=CLIENT_ENV, capture_output=True, text=True, timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)}: {proc.returncode}\n{proc.stderr}")
        return proc

    def test_aws_cli_control_plane_and_puts(self):
        listed = json.loads(self.aws("list-delivery-streams").stdout)
        self.assertEqual(listed, {"DeliveryStreamNames": ["events_json", "events_parquet"],
                                  "HasMoreDeliveryStreams": False})
        page = json.loads(self.aws("list-delivery-streams", "--limit", "1").stdout)
        self.assertEqual(page, {"DeliveryStreamNames": ["events_json"],
                                "HasMoreDeliveryStreams": True})
        page = json.loads(self.aws("list-delivery-streams", "--limit", "1",
                                   "--exclusive-start-delivery-stream-name",
                                   "events_json").stdout)
        self.assertEqual(page["DeliveryStreamNames"], ["events_parquet"])

        # A third stream, created with --cli-input-json: plain GZIP under a static prefix.
        definition = {
            "DeliveryStreamName": "raw_copy", "DeliveryStreamType": "DirectPut",
            "ExtendedS3DestinationConfiguration": {
                "RoleARN": "arn:aws:iam::000000000000:role/r",
                "BucketARN": "arn:aws:s3:::tarn-demo", "Prefix": "copy/",
                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
                "CompressionFormat": "GZIP"}}
        path = os.path.join(self.tmp, "raw_copy.json")
        with open(path, "w") as f:
            json.dump(definition, f)
        created = json.loads(self.aws("create-delivery-stream", "--cli-input-json",
                                      f"file://{path}").stdout)
        self.assertEqual(created["DeliveryStreamARN"],
                         "arn:aws:firehose:us-east-1:000000000000:deliverystream/raw_copy")
        again = self.aws("create-delivery-stream", "--cli-input-json", f"file://{path}",
                         check=False)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("ResourceInUseException", again.stderr)

        described = json.loads(self.aws("describe-delivery-stream", "--delivery-stream-name",
                                        "raw_copy").stdout)["DeliveryStreamDescription"]
        self.assertEqual(described["DeliveryStreamStatus"], "ACTIVE")
        self.assertEqual(described["VersionId"], "1")
        destination = described["Destinations"][0]
        self.assertEqual(destination["ExtendedS3DestinationDescription"]["CompressionFormat"],
                         "GZIP")

        record = b'{"name": "cli", "n": 1}'
        put = json.loads(self.aws("put-record", "--delivery-stream-name", "raw_copy",
                                  "--cli-binary-format", "raw-in-base64-out", "--record",
                                  json.dumps({"Data": record.decode() + "\n"})).stdout)
        self.assertTrue(put["RecordId"])
        batch = json.loads(self.aws(
            "put-record-batch", "--delivery-stream-name", "raw_copy", "--cli-binary-format",
            "raw-in-base64-out", "--records",
            json.dumps([{"Data": f'{{"i": {i}}}\n'} for i in range(3)])).stdout)
        self.assertEqual(batch["FailedPutCount"], 0)
        self.assertEqual(len({r["RecordId"] for r in batch["RequestResponses"]}), 3)

        # UpdateDestination: a stale version is refused, the right one bumps the version.
        stale = self.aws("update-destination", "--delivery-stream-name", "raw_copy",
                         "--current-delivery-stream-version-id", "7", "--destination-id",
                         "destinationId-000000000001", "--extended-s3-destination-update",
                         json.dumps({"Prefix": "copy2/"}), check=False)
        self.assertIn("ConcurrentModificationException", stale.stderr)
        self.aws("update-destination", "--delivery-stream-name", "raw_copy",
                 "--current-delivery-stream-version-id", "1", "--destination-id",
                 "destinationId-000000000001", "--extended-s3-destination-update",
                 json.dumps({"Prefix": "copy2/"}))
        described = json.loads(self.aws("describe-delivery-stream", "--delivery-stream-name",
                                        "raw_copy").stdout)["DeliveryStreamDescription"]
        self.assertEqual(described["VersionId"], "2")
        self.aws("put-record", "--delivery-stream-name", "raw_copy", "--cli-binary-format",
                 "raw-in-base64-out", "--record", json.dumps({"Data": '{"after": 1}\n'}))

        # Deleting delivers what the stream holds first.
        self.aws("delete-delivery-stream", "--delivery-stream-name", "raw_copy")
        gone = self.aws("describe-delivery-stream", "--delivery-stream-name", "raw_copy",
                        check=False)
        self.assertIn("ResourceNotFoundException", gone.stderr)
        first = json_objects(self.lake, "copy")
        self.assertEqual(sorted(l for lines in first.values() for l in lines if l),
                         sorted([record] + [f'{{"i": {i}}}'.encode() for i in range(3)]))
        for key in first:  # Version 1 wrote these, version 2 the next.
            self.assertRegex(os.path.basename(key), r"^raw_copy-1-")
        second = json_objects(self.lake, "copy2")
        self.assertEqual([l for lines in second.values() for l in lines if l], [b'{"after": 1}'])
        self.assertRegex(os.path.basename(next(iter(second))), r"^raw_copy-2-")
        rc, err = self.server.stop()
        self.assertEqual(rc, 0, err)

    def test_boto3_seed_emitter_into_both_streams(self):
        path, lines = generate(self.tmp, 300)
        # The seed's emitter: put_record_batch in batches of 500, one event a record.
        script = f"""
import boto3, json, sys
client = boto3.client("firehose", endpoint_url={self.server.endpoint!r})
lines = open({path!r}, "rb").read().splitlines()
for stream in ("events_json", "events_parquet"):
    for i in range(0, len(lines), 500):
        response = client.put_record_batch(
            DeliveryStreamName=stream, Records=[{{"Data": l}} for l in lines[i:i + 500]])
        assert response["FailedPutCount"] == 0, response
        assert len(response["RequestResponses"]) == len(lines[i:i + 500])
        assert all("RecordId" in r for r in response["RequestResponses"])
print("sent", len(lines))
"""
        proc = subprocess.run([DEBIAN_PYTHON, "-c", script], env=CLIENT_ENV,
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # Malformed records: not JSON, no name, a name that would leave the prefix.
        bad = [b"not json at all", b'{"tstamp": "2023-06-18 14:27:52.000000"}',
               b'{"name": "..", "tstamp": "2023-06-18 14:27:52.000000"}']
        status, body = put_batch(self.server, "events_json", bad)
        self.assertEqual((status, body["FailedPutCount"]), (200, 0))
        # A record the Parquet schema cannot take: jq's strptime lets February 30th through, a
        # timestamp column does not.
        unconvertible = (b'{"name": "account_created", "tstamp": "2023-02-30 10:00:00.000000", '
                         b'"payload": "{}", "payload_md5": "x"}')
        status, body = put_batch(self.server, "events_parquet", [unconvertible])
        self.assertEqual((status, body["FailedPutCount"]), (200, 0))
        today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
        rc, err = self.server.stop()
        self.assertEqual(rc, 0, err)

        # JSON: every record once, in its name=/d= partition, gzip, newline-delimited.
        delivered = delivered_lines(self.lake)
        self.assertEqual(sorted(l for _, l in delivered), sorted(lines))
        for key, line in delivered:
            record = json.loads(line)
            folder = os.path.dirname(key)
            self.assertRegex(folder, rf"^events_raw/json/name={record['name']}/d=\d{{4}}-\d\d-\d\d$")
            self.assertRegex(os.path.basename(key), OBJECT_NAME)
        errors = json_objects(self.lake, "errors/json")
        self.assertTrue(errors)
        error_records = [json.loads(l) for lines_ in errors.values() for l in lines_ if l]
        for key in errors:
            self.assertRegex(key, r"^errors/json/d=\d{4}-\d\d-\d\d/partitioning-failed/")
        self.assertEqual(sorted(base64.b64decode(r["rawData"]) for r in error_records),
                         sorted(bad))
        for r in error_records:
            self.assertEqual(set(r) >= {"attemptsMade", "arrivalTimestamp", "errorCode",
                                        "errorMessage", "rawData"}, True)
            self.assertGreater(r["arrivalTimestamp"], 1.6e12)  # epoch milliseconds

        # Parquet: DuckDB reads every object, with the catalog's columns, and the rows match.
        parquet = sorted(glob.glob(os.path.join(self.lake, "tarn-demo", "events_raw", "parquet",
                                                "**", "*.parquet"), recursive=True))
        self.assertTrue(parquet)
        sql = ("SELECT tstamp::VARCHAR AS tstamp, payload, payload_md5, name, d FROM read_parquet("
               f"{[p for p in parquet]!r}, hive_partitioning = true)")
        rows = self.duckdb(sql)
        expected = sorted((json.loads(l)["payload_md5"], json.loads(l)["name"]) for l in lines)
        self.assertEqual(sorted((r["payload_md5"], r["name"]) for r in rows), expected)
        by_md5 = {json.loads(l)["payload_md5"]: json.loads(l) for l in lines}
        for r in rows[:50]:
            source = by_md5[r["payload_md5"]]
            self.assertEqual(r["payload"], source["payload"])
            self.assertEqual(r["tstamp"][:19], source["tstamp"][:19])
        conversion = [json.loads(l) for lines_ in json_objects(self.lake, "errors/parquet").values()
                      for l in lines_ if l]
        self.assertEqual(len(conversion), 1)
        self.assertEqual(base64.b64decode(conversion[0]["rawData"]), unconvertible)
        self.assertIn("lastErrorCode", conversion[0])
        self.assertIn("tstamp", conversion[0]["lastErrorMessage"])
        self.assertEqual(conversion[0]["dataCatalogTable"]["tableName"], "events_parquet")

        # The partitions are registered in the catalog as the objects were committed.
        catalog = sqlite3.connect(os.path.join(self.lake, "_tarn", "catalog.db"))
        locations = {row[0] for row in catalog.execute(
            "SELECT location FROM partitions WHERE table_name = 'events_parquet'")}
        self.assertEqual(locations, {f"s3://tarn-demo/{os.path.dirname(os.path.relpath(p, os.path.join(self.lake, 'tarn-demo')))}/" for p in parquet})
        self.assertIn(today, " ".join(locations))

    def duckdb(self, sql):
        proc = subprocess.run(["node", os.path.join(PEERS, "duckdb_peer.mjs"), "sql", sql],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return [json.loads(l) for l in proc.stdout.splitlines()]

    def test_api_errors_health_and_metrics(self):
        status, body = self.server.call("PutRecordBatch", None, target="Firehose_20150804.Nope")
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "UnknownOperationException")
        status, body = self.server.call("PutRecordBatch", None, raw="{not json")
        self.assertEqual((status, body["__type"]), (400, "InvalidArgumentException"))
        status, body = self.server.call("PutRecordBatch", {
            "DeliveryStreamName": "events_json", "Records": [{"Data": "AA=="}] * 501})
        self.assertEqual(body["__type"], "InvalidArgumentException")
        self.assertIn("Records", body["message"])
        status, body = self.server.call("PutRecordBatch", {
            "DeliveryStreamName": "events_json", "Records": [{"Data": "***"}]})
        self.assertEqual(body["__type"], "InvalidArgumentException")
        self.assertIn("Records[0].Data", body["message"])
        status, body = put_batch(self.server, "nope", [b"{}"])
        self.assertEqual((status, body["__type"]), (400, "ResourceNotFoundException"))
        status, body = self.server.call("CreateDeliveryStream", {
            "DeliveryStreamName": "bad", "ExtendedS3DestinationConfiguration": {
                "RoleARN": "arn:aws:iam::000000000000:role/r",
                "BucketARN": "arn:aws:s3:::tarn-demo",
                "BufferingHints": {"SizeInMBs": 500, "IntervalInSeconds": 60}}})
        self.assertEqual(body["__type"], "InvalidArgumentException")
        self.assertIn("SizeInMBs", body["message"])
        status, body = self.server.call("PutRecord", {
            "DeliveryStreamName": "events_json",
            "Record": {"Data": base64.b64encode(b'{"name": "a", "tstamp": "2023-01-01 00:00:00.0"}').decode()}})
        self.assertEqual(status, 200)
        self.assertTrue(body["RecordId"])
        # This test's copy of the seed stream has no server-side encryption (security_test.py
        # checks that an encrypted stream answers True).
        self.assertFalse(body["Encrypted"])

        status, text = self.server.get("/health")
        self.assertEqual((status, json.loads(text)["status"]), (200, "ok"))
        status, text = self.server.get("/metrics")
        self.assertEqual(status, 200)
        for name in ["IncomingRecords", "IncomingBytes", "IncomingPutRequests", "ThrottledRecords",
                     "DeliveryToS3_Records", "DeliveryToS3_Bytes", "DeliveryToS3_ObjectCount",
                     "DeliveryToS3_Success", "DeliveryToS3_DataFreshness", "PartitionCount",
                     "PartitionCountExceeded", "JQProcessing_Duration",
                     "SucceedConversion_Records", "FailedConversion_Records"]:
            self.assertRegex(text, rf"tarn_firehose_{name}{{delivery_stream=\"events_json\"}} ")
        self.assertRegex(text, r'tarn_firehose_IncomingRecords\{delivery_stream="events_json"\} 1\n')
        self.assertRegex(text, r'tarn_firehose_PartitionCount\{delivery_stream="events_json"\} 1\n')
        status, _ = self.server.get("/nowhere")
        self.assertEqual(status, 404)
        rc, err = self.server.stop()
        self.assertEqual(rc, 0, err)
        self.assertIn("everything accepted was delivered", err)


class DurabilityTest(util.TempDirTest):
    """Every acknowledged record is in the lake exactly once, whatever happens to the server."""

    def setUp(self):
        super().setUp()
        self.lake = os.path.join(self.tmp, "lake")
        run("catalog", "--lake", self.lake, "import", os.path.join(SEED, "tables.sql"),
            check_rc=0)
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            if server.proc.poll() is None:
                server.kill()
        super().tearDown()

    def start(self, *extra, preexec=None):
        server = Server(self.lake, "--streams", plain_streams(self.tmp), *extra,
                        preexec=preexec)
        self.servers.append(server)
        return server

    def numbered(self, count, start=0):
        return [json.dumps({"name": f"n{i % 3}", "tstamp": "2023-06-18 14:27:52.000000",
                            "payload": "{}", "payload_md5": f"id-{i}"}).encode()
                for i in range(start, start + count)]

    def assert_exactly_once(self, acknowledged, unacknowledged=()):
        ids = [json.loads(line)["payload_md5"] for _, line in delivered_lines(self.lake)]
        counts = {}
        for i in ids:
            counts[i] = counts.get(i, 0) + 1
        for record in acknowledged:
            key = json.loads(record)["payload_md5"]
            self.assertEqual(counts.get(key, 0), 1, f"acknowledged {key} delivered "
                             f"{counts.get(key, 0)} times")
        for record in unacknowledged:  # Logged or not: never twice.
            self.assertLessEqual(counts.get(json.loads(record)["payload_md5"], 0), 1)
        self.assertEqual(set(counts) - {json.loads(r)["payload_md5"] for r in
                                        list(acknowledged) + list(unacknowledged)}, set())

    def test_kill_9_before_and_after_delivery_then_replay(self):
        server = self.start()
        records = self.numbered(3000)
        for i in range(0, 1500, 500):
            status, body = put_batch(server, "events_json", records[i:i + 500])
            self.assertEqual((status, body["FailedPutCount"]), (200, 0))
        server.kill()  # Nothing delivered yet: 60 s buffers.
        self.assertEqual(delivered_lines(self.lake), [])
        server = self.start()
        for i in range(1500, 3000, 500):
            status, body = put_batch(server, "events_json", records[i:i + 500])
            self.assertEqual(body["FailedPutCount"], 0)
        server.kill()
        server = self.start()
        rc, err = server.stop()
        self.assertEqual(rc, 0, err)
        self.assert_exactly_once(records)

    def test_kill_9_during_a_load_run(self):
        # Small objects (the size hint is 1 MiB), so that objects are being committed when the
        # server dies; a client thread records which batches were acknowledged.
        with open(os.path.join(SEED, "events_json.json")) as f:
            definition = json.load(f)
        definition["DeliveryStreamName"] = "small"
        definition.pop("DeliveryStreamEncryptionConfigurationInput", None)  # Read directly below.
        definition["ExtendedS3DestinationConfiguration"]["BufferingHints"] = {
            "SizeInMBs": 1, "IntervalInSeconds": 60}
        streams = os.path.join(self.tmp, "small-streams")
        os.makedirs(streams)
        with open(os.path.join(streams, "small.json"), "w") as f:
            json.dump(definition, f)
        server = Server(self.lake, "--streams", streams)
        self.servers.append(server)
        records = [r + b" " * 600 for r in self.numbered(20000)]
        acknowledged, unacknowledged = [], []
        killed = False
        for i in range(0, len(records), 500):
            batch = records[i:i + 500]
            if not killed and i >= 8000:
                # Kill while a request is in flight: send it and kill at once.
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                conn.request("POST", "/", body=json.dumps({
                    "DeliveryStreamName": "small",
                    "Records": [{"Data": base64.b64encode(r).decode()} for r in batch]}),
                    headers={"X-Amz-Target": "Firehose_20150804.PutRecordBatch"})
                server.kill()
                conn.close()
                killed = True
                unacknowledged.extend(batch)
                server = Server(self.lake, "--streams", streams)
                self.servers.append(server)
                continue
            status, body = put_batch(server, "small", batch)
            self.assertEqual((status, body["FailedPutCount"]), (200, 0))
            acknowledged.extend(batch)
        rc, err = server.stop()
        self.assertEqual(rc, 0, err)
        self.assertGreater(len(json_objects(self.lake, "events_raw/json")), 10)
        self.assert_exactly_once(acknowledged, unacknowledged)

    def test_failing_store_and_full_disk(self):
        # Every 3rd object write fails: retried until it succeeds, nothing lost or doubled.
        server = self.start("--fail-every-nth-put", "3")
        records = self.numbered(2000)
        for i in range(0, len(records), 500):
            self.assertEqual(put_batch(server, "events_json", records[i:i + 500])[1]
                             ["FailedPutCount"], 0)
        rc, err = server.stop()
        self.assertEqual(rc, 0, err)
        self.assertIn("injected failure", err)
        self.assert_exactly_once(records)

        # A disk that fills: the write-ahead log cannot grow past 1 MiB. Puts are refused
        # with ServiceUnavailableException (per record in a batch, 503 for PutRecord), the
        # server stays up, and what it acknowledged survives a restart. (The log's segment holds
        # the first part's records too, so the limit is 1 MiB and these records are larger.)
        def limit_files():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
        server = self.start(preexec=limit_files)
        more = [r + b" " * 1000 for r in self.numbered(2000, start=2000)]
        accepted, refused = [], []
        for i in range(0, len(more), 100):
            status, body = put_batch(server, "events_json", more[i:i + 100])
            self.assertEqual(status, 200)
            for record, outcome in zip(more[i:i + 100], body["RequestResponses"]):
                if "RecordId" in outcome:
                    accepted.append(record)
                else:
                    self.assertEqual(outcome["ErrorCode"], "ServiceUnavailableException")
                    refused.append(record)
        self.assertTrue(accepted)
        self.assertTrue(refused)
        status, body = server.call("PutRecord", {
            "DeliveryStreamName": "events_json",
            "Record": {"Data": base64.b64encode(more[0] + b" " * 100000).decode()}})
        self.assertEqual((status, body["__type"]), (503, "ServiceUnavailableException"))
        self.assertEqual(server.get("/health")[0], 200)
        server.kill()
        server = self.start()
        rc, err = server.stop()
        self.assertEqual(rc, 0, err)
        self.assert_exactly_once(records + accepted)
        ids = {json.loads(l)["payload_md5"] for _, l in delivered_lines(self.lake)}
        self.assertFalse(ids & {json.loads(r)["payload_md5"] for r in refused})


if __name__ == "__main__":
    util.main()
