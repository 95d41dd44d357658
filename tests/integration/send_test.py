"""`tarn send` against a fake Firehose endpoint that injects faults.

The fake speaks the Firehose JSON 1.1 PutRecordBatch call over HTTP/1.1 keep-alive, enforces
Firehose's limits, records what it accepted, and can fail records and calls on purpose.
"""
import base64
import collections
import gzip
import http.server
import json
import os
import socket
import sys
import threading
import time

import tarn_test_util as util
from tarn_test_util import run

TARGET = "Firehose_20150804.PutRecordBatch"


class FakeFirehose(http.server.ThreadingHTTPServer):
    """A Firehose endpoint on 127.0.0.1 with one known stream and configurable faults."""

    daemon_threads = True

    def __init__(self, streams=("events",), fail_every_nth_record=0, fail_every_nth_call=0,
                 always_unavailable=False, answer_delay=0):
        super().__init__(("127.0.0.1", 0), FirehoseHandler)
        self.streams = set(streams)
        self.fail_every_nth_record = fail_every_nth_record
        self.fail_every_nth_call = fail_every_nth_call
        self.always_unavailable = always_unavailable
        self.answer_delay = answer_delay  # Seconds to wait before answering.
        self.lock = threading.Lock()
        self.accepted = []          # Decoded records, in arrival order.
        self.calls = 0              # PutRecordBatch requests received.
        self.calls_refused = 0      # Answered 503 or 400.
        self.calls_with_failed_records = 0
        self.batch_sizes = []       # (records, decoded bytes) of each call.
        self.failed_once = set()    # Records failed on their first attempt.
        self.records_seen = 0
        self.connections = set()    # Client (host, port) pairs: one per TCP connection.
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request, client_address):
        # A client that gave up waiting (the timeout test) closes the connection under us.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class FirehoseHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # Keep-alive.
    disable_nagle_algorithm = True  # Else delayed ACKs add 40 ms to each call.

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, error_type, message):
        with self.server.lock:
            self.server.calls_refused += 1
        self.answer(status, {"__type": error_type, "message": message})

    def do_POST(self):
        server = self.server
        body = self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(server.answer_delay)
        with server.lock:
            server.calls += 1
            call = server.calls
            server.connections.add(self.client_address)
        if self.headers.get("X-Amz-Target") != TARGET:
            return self.error(400, "UnknownOperationException", self.headers.get("X-Amz-Target"))
        if self.headers.get("Content-Type") != "application/x-amz-json-1.1":
            return self.error(400, "InvalidArgumentException", "bad Content-Type")
        request = json.loads(body)
        stream = request["DeliveryStreamName"]
        if stream not in server.streams:
            return self.error(400, "ResourceNotFoundException",
                              f"Firehose {stream} under account 123456789012 not found.")
        records = [base64.b64decode(r["Data"], validate=True) for r in request["Records"]]
        size = sum(len(r) for r in records)
        if not 1 <= len(records) <= 500 or size > 4 * 1024 * 1024 or \
                any(len(r) > 1_024_000 for r in records):
            return self.error(400, "InvalidArgumentException",
                              f"{len(records)} records of {size} bytes break the limits")
        if server.always_unavailable or (server.fail_every_nth_call and
                                         call % server.fail_every_nth_call == 0):
            return self.error(503, "ServiceUnavailableException", "Slow down.")
        responses = []
        with server.lock:
            server.batch_sizes.append((len(records), size))
            for record in records:
                server.records_seen += 1
                if (server.fail_every_nth_record and record not in server.failed_once and
                        server.records_seen % server.fail_every_nth_record == 0):
                    server.failed_once.add(record)
                    responses.append({"ErrorCode": "ServiceUnavailableException",
                                      "ErrorMessage": "Slow down."})
                else:
                    server.accepted.append(record)
                    responses.append({"RecordId": f"id-{len(server.accepted)}"})
            failed = sum(1 for r in responses if "ErrorCode" in r)
            if failed:
                server.calls_with_failed_records += 1
        self.answer(200, {"FailedPutCount": failed, "Encrypted": False,
                          "RequestResponses": responses})


def free_port():
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def event_lines(n):
    """Distinct JSON lines of varied length, some with non-ASCII text."""
    return [json.dumps({"n": i, "pad": "x" * (i * 37 % 300), "text": "ünï €" * (i % 3)},
                       ensure_ascii=False).encode() for i in range(n)]


class SendTest(util.TempDirTest):
    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "wb") as f:
            f.write(data)
        return path

    def send(self, server_or_url, path, *args, input=None):
        url = getattr(server_or_url, "url", server_or_url)
        return run("send", path, "--stream", "events", "--endpoint", url, *args, input=input)

    def test_every_line_accepted_once_despite_faults(self):
        lines = event_lines(2000)
        path = self.write("events.ndjson", b"\n".join(lines) + b"\n")
        stats_path = os.path.join(self.tmp, "stats.json")
        with FakeFirehose(fail_every_nth_record=7, fail_every_nth_call=5) as server:
            out = self.send(server, path, "--batch", "100", "--concurrency", "3",
                            "--stats-json", stats_path)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(collections.Counter(server.accepted), collections.Counter(lines))
        self.assertGreater(len(server.failed_once), 250)
        self.assertTrue(all(n <= 100 for n, _ in server.batch_sizes))
        # Keep-alive: one connection per worker, however many calls.
        self.assertLessEqual(len(server.connections), 3)
        self.assertGreater(server.calls, 30)
        with open(stats_path) as f:
            stats = json.load(f)
        self.assertEqual(stats["records"], 2000)
        self.assertEqual(stats["bytes"], sum(len(line) for line in lines))
        self.assertEqual(stats["batches"], 20)
        self.assertEqual(stats["failed"], 0)
        # Every 503 and every answer with failed records cost one resend.
        self.assertEqual(stats["retries"], server.calls_refused + server.calls_with_failed_records)
        self.assertGreater(stats["seconds"], 0)
        self.assertGreater(stats["latency_ms_p50"], 0)
        self.assertGreaterEqual(stats["latency_ms_p99"], stats["latency_ms_p50"])
        self.assertIn("tarn send: 2,000 records", out.stderr)
        self.assertIn(f"{stats['retries']} retries, 0 failed", out.stderr)

    def test_lines_are_sent_without_newline_and_empty_lines_skipped(self):
        path = self.write("events.ndjson", b'{"a":1}\r\n\n{"b":2}\n\n\n{"c":3}')
        with FakeFirehose() as server:
            out = self.send(server, path, "--quiet")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, "")
        self.assertEqual(sorted(server.accepted), [b'{"a":1}', b'{"b":2}', b'{"c":3}'])

    def test_append_newline(self):
        path = self.write("events.ndjson", b'{"a":1}\n{"b":2}\n')
        with FakeFirehose() as server:
            out = self.send(server, path, "--append-newline", "--concurrency", "1")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(server.accepted, [b'{"a":1}\n', b'{"b":2}\n'])

    def test_gzip_file_and_standard_input(self):
        lines = event_lines(1200)
        gz = self.write("events.ndjson.gz", b"\n".join(lines) + b"\n")
        with FakeFirehose() as server:
            out = self.send(server, gz)
            self.assertEqual(out.returncode, 0, out.stderr)
            out = self.send(server, "-", "--batch", "500", input=b"\n".join(lines))
            self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(collections.Counter(server.accepted),
                         collections.Counter(lines + lines))
        self.assertEqual(sorted(n for n, _ in server.batch_sizes), [200, 200, 500, 500, 500, 500])

    def test_batches_stay_under_four_mebibytes(self):
        big = [bytes([65 + i]) * 1_000_000 for i in range(9)] + [b"y" * 1_024_000]
        path = self.write("big.ndjson", b"\n".join(big))
        with FakeFirehose() as server:
            out = self.send(server, path, "--concurrency", "2")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(collections.Counter(server.accepted), collections.Counter(big))
        self.assertEqual(sorted(n for n, _ in server.batch_sizes), [2, 4, 4])

    def test_oversized_line_is_reported_and_counted(self):
        lines = [b'{"a":1}', b"z" * 1_024_001, b'{"b":2}']
        path = self.write("events.ndjson", b"\n".join(lines) + b"\n")
        stats_path = os.path.join(self.tmp, "stats.json")
        with FakeFirehose() as server:
            out = self.send(server, path, "--stats-json", stats_path)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn(f"{path}:2: a record of 1,024,001 bytes is larger than", out.stderr)
        self.assertEqual(sorted(server.accepted), [b'{"a":1}', b'{"b":2}'])
        with open(stats_path) as f:
            stats = json.load(f)
        self.assertEqual((stats["records"], stats["failed"]), (2, 1))

    def test_unknown_stream_is_not_retried(self):
        path = self.write("events.ndjson", b"\n".join(event_lines(50)))
        with FakeFirehose(streams=("other",)) as server:
            out = self.send(server, path, "--concurrency", "1")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn(f"{server.url}: PutRecordBatch: ResourceNotFoundException: "
                      "Firehose events under account 123456789012 not found. (HTTP 400)",
                      out.stderr)
        self.assertEqual(server.calls, 1)
        self.assertEqual(server.accepted, [])

    def test_gives_up_after_max_retries(self):
        path = self.write("events.ndjson", b"\n".join(event_lines(10)))
        stats_path = os.path.join(self.tmp, "stats.json")
        with FakeFirehose(always_unavailable=True) as server:
            out = self.send(server, path, "--max-retries", "2", "--stats-json", stats_path)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn(f"{path}: lines 1-10: 10 of 10 records still not accepted after 2 "
                      "retries; last error: ", out.stderr)
        self.assertIn("ServiceUnavailableException: Slow down. (HTTP 503)", out.stderr)
        self.assertEqual(server.calls, 3)
        with open(stats_path) as f:
            stats = json.load(f)
        self.assertEqual((stats["records"], stats["retries"], stats["failed"]), (0, 2, 10))
        self.assertIsNone(stats["latency_ms_p50"])

    def test_unreachable_endpoint(self):
        path = self.write("events.ndjson", b'{"a":1}\n')
        url = f"http://127.0.0.1:{free_port()}"
        out = self.send(url, path, "--max-retries", "1")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn(f"cannot connect to {url}: Connection refused", out.stderr)

    def test_call_timeout(self):
        path = self.write("events.ndjson", b'{"a":1}\n')
        with FakeFirehose(answer_delay=3) as server:
            start = time.monotonic()
            out = self.send(server, path, "--timeout", "0.3", "--max-retries", "0")
            elapsed = time.monotonic() - start
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn(f"{server.url}: PutRecordBatch: no answer within 300 ms", out.stderr)
        self.assertLess(elapsed, 2.5)

    def test_missing_file(self):
        missing = os.path.join(self.tmp, "missing.ndjson")
        out = self.send("http://127.0.0.1:9", missing)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertEqual(out.stderr,
                         f"tarn send: error: cannot open '{missing}': No such file or directory\n")

    def test_usage_errors_name_the_flag(self):
        path = self.write("events.ndjson", b'{"a":1}\n')
        for args, mention in [(["--batch", "0"], "--batch"), (["--batch", "501"], "--batch"),
                              (["--concurrency", "0"], "--concurrency"),
                              (["--endpoint", "127.0.0.1:4573"], "127.0.0.1:4573")]:
            out = run("send", path, "--stream", "events", *args)
            self.assertEqual(out.returncode, 2, out.stderr)
            self.assertEqual(len(out.stderr.strip().splitlines()), 1, out.stderr)
            self.assertIn(mention, out.stderr)
        for args in [[], ["--stream", "bad/name"]]:
            out = run("send", path, *args)
            self.assertEqual(out.returncode, 2, out.stderr)
            self.assertEqual(len(out.stderr.strip().splitlines()), 1, out.stderr)
            self.assertIn("--stream", out.stderr)


if __name__ == "__main__":
    util.main()
