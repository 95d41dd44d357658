"""`tarn serve` over HTTPS and its connection limits, driven by real clients: `tarn tls
self-signed` for the certificate, Debian's AWS CLI and boto3 (/usr/bin/python3's), `tarn send
--ca`, and Python's ssl module for protocol versions, certificate reload, plain HTTP on the TLS
port, connection floods and slow clients.

usage: tls_test.py PATH_TO_TARN
"""
import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
import warnings

import tarn_test_util as util
from tarn_test_util import run

AWS = "/usr/bin/aws"
DEBIAN_PYTHON = "/usr/bin/python3"  # Where Debian's python3-boto3 is.
CLIENT_ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret",
                  AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="", AWS_EC2_METADATA_DISABLED="true")
# TLS is what this file tests; signatures are tested with credentials elsewhere. A loopback
# server without credentials configured takes unsigned requests.
UNSIGNED = ["--no-sign-request"]
STREAM = {
    "DeliveryStreamName": "tls_copy", "DeliveryStreamType": "DirectPut",
    "ExtendedS3DestinationConfiguration": {
        "RoleARN": "arn:aws:iam::000000000000:role/r",
        "BucketARN": "arn:aws:s3:::tarn-demo", "Prefix": "copy/",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
        "CompressionFormat": "GZIP"}}


def self_signed(out):
    """Runs `tarn tls self-signed --out OUT`; returns (cert path, key path)."""
    run("tls", "self-signed", "--out", out, check_rc=0)
    return os.path.join(out, "cert.pem"), os.path.join(out, "key.pem")


class Server:
    """A `tarn serve` process on a free loopback port; standard error goes to a file."""

    def __init__(self, tmp, *extra, listen="127.0.0.1:0"):
        self.log_path = os.path.join(tmp, f"serve-{time.monotonic_ns()}.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [util.TARN, "serve", "--lake", os.path.join(tmp, "lake"), "--listen", listen, *extra],
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.proc.stdout.readline().decode()
        match = re.search(r"listening on (https?)://[^ ]*:(\d+) ", line)
        if not match:
            self.stop()
            raise AssertionError(f"server did not start: {line!r} {self.stderr()!r}")
        self.scheme, self.port = match.group(1), int(match.group(2))
        self.endpoint = f"{self.scheme}://127.0.0.1:{self.port}"

    def stderr(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_for_log(self, text, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in self.stderr():
                return
            time.sleep(0.05)
        raise AssertionError(f"server never logged {text!r}; its log:\n{self.stderr()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        return self.proc.returncode


def tls_context(cafile, minimum=None, maximum=None):
    context = ssl.create_default_context(cafile=cafile)
    if minimum is not None or maximum is not None:
        # Let the client offer old versions, so that only the server can refuse them.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0 and 1.1, on purpose.
            context.minimum_version = minimum or ssl.TLSVersion.TLSv1
            context.maximum_version = maximum or ssl.TLSVersion.TLSv1_3
    return context


def https_get(port, context, path="/health", source=None):
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10,
                                       source_address=source)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode(), conn.sock.version()
    finally:
        conn.close()


def closed_within(sock, seconds):
    """Whether the peer closes `sock` (a read returns nothing or is reset) within `seconds`."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


class TlsTest(util.TempDirTest):
    def setUp(self):
        super().setUp()
        self.cert, self.key = self_signed(os.path.join(self.tmp, "tls"))
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()
        super().tearDown()

    def serve(self, *extra, **kwargs):
        server = Server(self.tmp, *extra, **kwargs)
        self.servers.append(server)
        return server

    def serve_tls(self, *extra, **kwargs):
        return self.serve("--tls-cert", self.cert, "--tls-key", self.key, *extra, **kwargs)

    def test_self_signed_files(self):
        self.assertEqual(os.stat(self.key).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(self.cert).st_mode & 0o777, 0o644)
        again = run("tls", "self-signed", "--out", os.path.dirname(self.cert))
        self.assertEqual(again.returncode, 1)
        self.assertIn("already exists", again.stderr)

    def test_aws_cli_and_boto3_over_https(self):
        server = self.serve_tls()
        self.assertEqual(server.scheme, "https")
        definition = os.path.join(self.tmp, "stream.json")
        with open(definition, "w") as f:
            json.dump(STREAM, f)

        def aws(*args):
            proc = subprocess.run([AWS, "firehose", *args, "--endpoint-url", server.endpoint,
                                   "--ca-bundle", self.cert, *UNSIGNED], env=CLIENT_ENV,
                                  capture_output=True, text=True, timeout=60)
            self.assertEqual(proc.returncode, 0, f"aws {args}: {proc.stderr}")
            return json.loads(proc.stdout)

        created = aws("create-delivery-stream", "--cli-input-json", f"file://{definition}")
        self.assertTrue(created["DeliveryStreamARN"].endswith("/tls_copy"))
        put = aws("put-record", "--delivery-stream-name", "tls_copy", "--cli-binary-format",
                  "raw-in-base64-out", "--record", '{"Data": "{\\"a\\": 1}\\n"}')
        self.assertTrue(put["RecordId"])
        self.assertEqual(aws("list-delivery-streams")["DeliveryStreamNames"], ["tls_copy"])

        script = f"""
import boto3, botocore
client = boto3.client("firehose", endpoint_url={server.endpoint!r}, verify={self.cert!r},
                      config=botocore.config.Config(signature_version=botocore.UNSIGNED))
answer = client.put_record_batch(DeliveryStreamName="tls_copy",
                                 Records=[{{"Data": b'{{"b": 2}}\\n'}}] * 3)
print(answer["FailedPutCount"], len(answer["RequestResponses"]))
"""
        proc = subprocess.run([DEBIAN_PYTHON, "-c", script], env=CLIENT_ENV,
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.split(), ["0", "3"])

    def test_tarn_send_verifies_with_ca_and_fails_without(self):
        server = self.serve_tls()
        status, _, _ = https_get(server.port, tls_context(self.cert))
        self.assertEqual(status, 200)
        create = http.client.HTTPSConnection("127.0.0.1", server.port,
                                             context=tls_context(self.cert), timeout=10)
        create.request("POST", "/", body=json.dumps(STREAM), headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "Firehose_20150804.CreateDeliveryStream"})
        self.assertEqual(create.getresponse().status, 200)
        create.close()
        events = os.path.join(self.tmp, "events.ndjson")
        with open(events, "w") as f:
            f.writelines(f'{{"n": {i}}}\n' for i in range(100))

        sent = run("send", events, "--stream", "tls_copy", "--endpoint", server.endpoint,
                   "--ca", self.cert, "--quiet")
        self.assertEqual(sent.returncode, 0, sent.stderr)

        start = time.monotonic()
        refused = run("send", events, "--stream", "tls_copy", "--endpoint", server.endpoint,
                      "--quiet")
        self.assertEqual(refused.returncode, 1)
        self.assertIn(f"cannot verify the TLS certificate of {server.endpoint}", refused.stderr)
        self.assertNotIn("retrying", refused.stderr)
        self.assertLess(time.monotonic() - start, 10)  # Not retried with backoff.

        # Python's default context trusts only the system's CAs.
        with self.assertRaises(ssl.SSLCertVerificationError):
            https_get(server.port, ssl.create_default_context())

    def test_only_tls12_and_tls13_are_accepted(self):
        server = self.serve_tls()
        for version, name in ((ssl.TLSVersion.TLSv1_2, "TLSv1.2"),
                              (ssl.TLSVersion.TLSv1_3, "TLSv1.3")):
            status, _, used = https_get(server.port,
                                        tls_context(self.cert, minimum=version, maximum=version))
            self.assertEqual((status, used), (200, name))
        with self.assertRaises(ssl.SSLError) as refused:
            https_get(server.port, tls_context(self.cert, maximum=ssl.TLSVersion.TLSv1_1))
        # The server's alert, not the client's own refusal to offer TLS 1.1.
        self.assertIn("PROTOCOL_VERSION", str(refused.exception).upper())

    def test_plain_http_on_the_tls_port_fails_and_the_server_goes_on(self):
        server = self.serve_tls()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            conn.request("GET", "/health")
            conn.getresponse().read()
        conn.close()
        status, body, _ = https_get(server.port, tls_context(self.cert))
        self.assertEqual(status, 200)
        self.assertIn('"status":"ok"', body)

    def test_sighup_reloads_the_certificate_for_new_connections(self):
        server = self.serve_tls()
        old_context = tls_context(self.cert)
        kept = http.client.HTTPSConnection("127.0.0.1", server.port, context=old_context,
                                           timeout=10)
        kept.request("GET", "/health")
        kept.getresponse().read()
        with open(self.cert) as f:
            old_der = ssl.PEM_cert_to_DER_cert(f.read())

        new_cert, new_key = self_signed(os.path.join(self.tmp, "renewed"))
        shutil.copyfile(new_cert, self.cert)
        shutil.copyfile(new_key, self.key)
        server.proc.send_signal(signal.SIGHUP)
        server.wait_for_log("reloaded the TLS certificate")

        with open(new_cert) as f:
            new_der = ssl.PEM_cert_to_DER_cert(f.read())
        self.assertNotEqual(new_der, old_der)
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            with tls_context(new_cert).wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                self.assertEqual(tls.getpeercert(binary_form=True), new_der)
        # A connection opened before the reload keeps its certificate and is still served.
        kept.request("GET", "/health")
        self.assertEqual(kept.getresponse().status, 200)
        self.assertEqual(kept.sock.getpeercert(binary_form=True), old_der)
        kept.close()

        # A broken file: the reload fails, says why, and the server keeps the last good one.
        with open(self.key, "w") as f:
            f.write("not a key\n")
        server.proc.send_signal(signal.SIGHUP)
        server.wait_for_log("previous certificate stays")
        status, _, _ = https_get(server.port, tls_context(new_cert))
        self.assertEqual(status, 200)

    def test_non_loopback_listen_needs_tls_or_insecure_plaintext(self):
        lake = os.path.join(self.tmp, "lake")
        refused = run("serve", "--lake", lake, "--listen", "0.0.0.0:0", timeout=30)
        self.assertEqual(refused.returncode, 2)
        self.assertIn("without TLS", refused.stderr)
        self.assertIn("in clear text", refused.stderr)
        self.assertIn("--tls-cert", refused.stderr)
        self.assertIn("--insecure-plaintext", refused.stderr)

        server = self.serve("--insecure-plaintext", listen="0.0.0.0:0")
        self.assertEqual(server.scheme, "http")
        self.assertIn("warning: --insecure-plaintext", server.stderr())
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/health")
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()
        self.servers.remove(server)
        self.assertEqual(server.stop(), 0)  # One server per lake.

        tls = self.serve_tls(listen="0.0.0.0:0")
        self.assertEqual(tls.scheme, "https")

    def test_tls_flags_come_in_pairs(self):
        half = run("serve", "--lake", os.path.join(self.tmp, "lake"), "--tls-cert", self.cert,
                   timeout=30)
        self.assertEqual(half.returncode, 2)
        self.assertIn("--tls-cert given without --tls-key", half.stderr)

    def test_excess_connections_from_one_client_are_closed(self):
        server = self.serve_tls("--max-connections-per-client", "64")
        flood = [socket.create_connection(("127.0.0.1", server.port), timeout=10)
                 for _ in range(70)]
        try:
            closed = [closed_within(s, 0.2) for s in flood[64:]]
            self.assertEqual(closed, [True] * 6)
            # Another client address (127.0.0.2 reaches the loopback listener) is served.
            status, _, _ = https_get(server.port, tls_context(self.cert),
                                     source=("127.0.0.2", 0))
            self.assertEqual(status, 200)
            self.assertFalse(closed_within(flood[0], 0.2))
            server.wait_for_log("refused 1 connection(s) from 127.0.0.1")
        finally:
            for s in flood:
                s.close()

    def test_slow_clients_are_closed_by_the_deadline(self):
        server = self.serve_tls("--request-timeout-seconds", "2")
        # Connects and never starts the handshake.
        silent = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        start = time.monotonic()
        self.assertTrue(closed_within(silent, 6))
        self.assertLess(time.monotonic() - start, 4)
        silent.close()

        # Slow loris: handshakes, then sends its header one byte a second.
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        loris = tls_context(self.cert).wrap_socket(raw, server_hostname="127.0.0.1")
        start = time.monotonic()
        sent = 0
        try:
            for byte in b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 20:
                loris.send(bytes([byte]))
                sent += 1
                time.sleep(1)
        except (ssl.SSLError, OSError):
            pass
        # Closed about 2 s after its first byte: the rest of the writes failed.
        self.assertLess(sent, 6)
        self.assertLess(time.monotonic() - start, 8)
        loris.close()


if __name__ == "__main__":
    util.main()
