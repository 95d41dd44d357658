"""tarn's Parquet against an independent implementation, DuckDB (tests/peers, from npm):
DuckDB reads every file tarn writes with identical values, and tarn reads the files DuckDB
writes with each codec and page version with identical values.

usage: parquet_duckdb_test.py PATH_TO_TARN PATH_TO_TARN_PARQUET_FIXTURE
"""
import decimal
import json
import os
import re
import subprocess
import sys

import tarn_test_util as util
from tarn_test_util import run

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(os.path.dirname(HERE), "peers")
FIXTURE = None
TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(\.\d+)?$")
INTEGER = re.compile(r"^-?\d+$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def normalize(value):
    """One form for the values both sides print: DuckDB's JSON gives bigints as strings, drops
    trailing zeros from timestamps and lists map entries as {key, value} objects."""
    if isinstance(value, dict):
        # An empty map prints as {} here and as [] from DuckDB: one form for both.
        return {k: normalize(v) for k, v in value.items()} if value else []
    if isinstance(value, list):
        if value and all(isinstance(e, dict) and set(e) == {"key", "value"} for e in value):
            return {str(e["key"]): normalize(e["value"]) for e in value}
        return [normalize(v) for v in value]
    if isinstance(value, str):
        m = TIMESTAMP.match(value)
        if m:
            fraction = (m.group(2) or ".")[1:]
            return m.group(1) + "." + (fraction + "000000")[:6]
        if INTEGER.match(value) and len(value) < 21:
            return int(value)
        if NUMBER.match(value):
            return decimal.Decimal(value)  # Exact: decimals are text on both sides.
    return value


def rows(text):
    return [normalize(json.loads(line)) for line in text.splitlines() if line.strip()]


def duckdb(*args):
    proc = subprocess.run(["node", os.path.join(PEERS, "duckdb_peer.mjs"), *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError(f"duckdb_peer {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


class ParquetDuckDbTest(util.TempDirTest):
    def test_duckdb_reads_every_file_tarn_writes(self):
        out = subprocess.run([FIXTURE, self.tmp], check=True, stdout=subprocess.PIPE, text=True)
        names = out.stdout.split()
        self.assertGreaterEqual(len(names), 15)
        for name in names:
            with self.subTest(file=name):
                with open(os.path.join(self.tmp, name + ".expected.ndjson")) as f:
                    expected = rows(f.read())
                actual = rows(duckdb("read", os.path.join(self.tmp, name + ".parquet")))
                self.assertEqual(len(actual), len(expected))
                for i, (a, e) in enumerate(zip(actual, expected)):
                    self.assertEqual(a, e, f"{name} row {i}")

    def test_tarn_reads_what_duckdb_writes(self):
        for codec in ("uncompressed", "snappy", "gzip", "zstd"):
            for version in ("v1", "v2"):
                with self.subTest(codec=codec, version=version):
                    path = os.path.join(self.tmp, f"duck_{codec}_{version}.parquet")
                    duckdb("write", path, codec, version, "12000")
                    expected = rows(duckdb("read", path))
                    actual = rows(run("convert", path, "-", "-q", check_rc=0).stdout.decode())
                    self.assertEqual(len(actual), 12000)
                    for i, (a, e) in enumerate(zip(actual, expected)):
                        self.assertEqual(a, e, f"{codec} {version} row {i}")

    def test_converted_events_read_identically_in_duckdb(self):
        events = os.path.join(self.tmp, "events.ndjson.gz")
        parquet = os.path.join(self.tmp, "events.parquet")
        run("generate", "--sessions", "3000", "--seed", "3", "--now", "2023-08-01 00:00:00",
            "-q", "-o", events, check_rc=0)
        run("convert", events, parquet, "-q", "--compression", "gzip", "--schema",
            "name string, tstamp timestamp, payload string, payload_md5 string", check_rc=0)
        ours = rows(run("convert", parquet, "-", "-q", check_rc=0).stdout.decode())
        theirs = rows(duckdb("read", parquet))
        self.assertEqual(ours, theirs)
        import gzip
        with gzip.open(events, "rt") as f:
            source = [json.loads(line) for line in f]
        self.assertEqual([r["payload_md5"] for r in ours], [r["payload_md5"] for r in source])
        self.assertEqual([r["tstamp"] for r in ours], [r["tstamp"] for r in source])


if __name__ == "__main__":
    FIXTURE = os.path.abspath(sys.argv.pop(2))
    util.main()
