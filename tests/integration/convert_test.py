"""`tarn convert` from the outside: JSON lines to Parquet and back, and its errors."""
import gzip
import json
import os
import shutil
import subprocess

import tarn_test_util as util
from tarn_test_util import run

SCHEMA = "name string, tstamp timestamp, payload string, payload_md5 string"


class ConvertTest(util.TempDirTest):
    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def to_parquet(self, source, *extra, rc=0):
        return run("convert", source, self.path("out.parquet"), "--schema", SCHEMA, "-q", *extra,
                   check_rc=rc)

    def back(self):
        text = run("convert", self.path("out.parquet"), "-", "-q", check_rc=0).stdout.decode()
        return [json.loads(line) for line in text.splitlines()]

    def test_generated_events_round_trip_with_every_codec(self):
        events = self.path("events.ndjson.gz")
        run("generate", "--sessions", "2000", "--seed", "1", "-q", "-o", events, check_rc=0)
        with gzip.open(events, "rt") as f:
            source = [json.loads(line) for line in f]
        for codec in ("snappy", "gzip", "zstd", "uncompressed"):
            with self.subTest(codec=codec):
                self.to_parquet(events, "--compression", codec)
                self.assertEqual(self.back(), source)

    def test_concatenated_records_are_counted(self):
        source = self.write("cat.json", '{"name": "a"}{"name": "b"} {"name": "c"}\n{"name": "d"}')
        out = run("convert", source, self.path("out.parquet"), "--schema", SCHEMA, check_rc=0)
        self.assertIn("4 rows", out.stderr)
        self.assertEqual([r["name"] for r in self.back()], ["a", "b", "c", "d"])

    def test_missing_fields_are_null(self):
        source = self.write("sparse.json", '{"name": "x"}\n{"tstamp": "2023-06-18T14:27:52Z"}\n')
        self.to_parquet(source)
        rows = self.back()
        self.assertEqual(rows[0], {"name": "x", "tstamp": None, "payload": None, "payload_md5": None})
        self.assertEqual(rows[1]["tstamp"], "2023-06-18 14:27:52.000000")

    def test_zstd_input(self):
        if shutil.which("zstd") is None:
            self.skipTest("zstd is not installed")
        source = self.write("events.json", '{"name": "z"}\n' * 1000)
        subprocess.run(["zstd", "-q", source, "-o", source + ".zst"], check=True)
        self.to_parquet(source + ".zst")
        self.assertEqual(len(self.back()), 1000)

    def test_malformed_record_names_file_and_line_and_leaves_no_output(self):
        source = self.write("bad.json", '{"name": "a"}\n{"name": "b"}\n{"name": \n{"name": "d"}\n')
        out = self.to_parquet(source, rc=1)
        self.assertIn("bad.json", out.stderr)
        self.assertIn("line 3", out.stderr)
        self.assertFalse(os.path.exists(self.path("out.parquet")))

    def test_skip_malformed_keeps_going_and_says_so(self):
        source = self.write("bad.json", '{"name": "a"}\n{"name": \n{"name": "c"}\n')
        out = run("convert", source, self.path("out.parquet"), "--schema", SCHEMA,
                  "--skip-malformed", check_rc=0)
        self.assertIn("1 malformed", out.stderr)
        self.assertEqual([r["name"] for r in self.back()], ["a", None, "c"])

    def test_usage_errors_name_the_flag(self):
        source = self.write("ok.json", '{"name": "a"}\n')
        out = run("convert", source, self.path("out.parquet"))
        self.assertEqual(out.returncode, 2)
        self.assertIn("--schema", out.stderr)
        out = run("convert", source, self.path("out.parquet"), "--schema", "a nosuchtype")
        self.assertEqual(out.returncode, 2)
        self.assertIn("--schema", out.stderr)
        self.assertIn("nosuchtype", out.stderr)
        out = run("convert", source, self.path("out.parquet"), "--schema", "a int",
                  "--compression", "lzo")
        self.assertEqual(out.returncode, 2)
        self.assertIn("--compression", out.stderr)
        out = run("convert", source, self.path("out.json"))
        self.assertEqual(out.returncode, 2)
        self.assertIn(".parquet", out.stderr)

    def test_corrupt_parquet_is_reported_with_its_name(self):
        bad = self.write("bad.parquet", "PAR1 this is not really parquet PAR1")
        out = run("convert", bad, "-")
        self.assertEqual(out.returncode, 1)
        self.assertIn("bad.parquet", out.stderr)
        self.assertEqual(len(out.stderr.strip().splitlines()), 1)

    def test_missing_input(self):
        out = run("convert", self.path("nope.json"), self.path("out.parquet"), "--schema", "a int")
        self.assertEqual(out.returncode, 1)
        self.assertIn("nope.json", out.stderr)


if __name__ == "__main__":
    util.main()
