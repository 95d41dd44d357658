"""`tarn generate` checked from the outside: Python's own json and hashlib are the reference for
the seed's line format and checksums, and the seed's model fixes the statistics."""
import collections
import gzip
import hashlib
import json
import math
import os
import re

import tarn_test_util as util
from tarn_test_util import run

SESSIONS = 20000
NOW = "2023-08-01 00:00:00"
ARGS = ["generate", "--sessions", str(SESSIONS), "--seed", "7", "--now", NOW]


class GenerateTest(util.TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.output = run(*ARGS, check_rc=0).stdout
        cls.lines = cls.output.decode("ascii").splitlines()
        cls.records = [json.loads(line) for line in cls.lines]

    def test_lines_are_python_json_dumps_with_seed_key_order(self):
        for line, record in zip(self.lines, self.records):
            self.assertEqual(list(record), ["name", "tstamp", "payload", "payload_md5"])
            self.assertEqual(json.dumps(record), line)

    def test_payload_md5_is_md5_of_sorted_key_dump(self):
        for record in self.records:
            payload = json.loads(record["payload"])
            self.assertEqual(record["payload"], json.dumps(payload, sort_keys=True))
            digest = hashlib.md5(json.dumps(payload, sort_keys=True).encode()).hexdigest()
            self.assertEqual(record["payload_md5"], digest, record)

    def test_sorted_by_payload_md5(self):
        digests = [r["payload_md5"] for r in self.records]
        self.assertEqual(digests, sorted(digests))

    def test_payload_fields_per_event_name(self):
        keys = {"anonymous_visited": ["dvce_os", "session_id"],
                "account_created": ["account_id", "session_id"],
                "measurement_recorded": ["account_id", "measurement", "session_id"]}
        for record in self.records:
            payload = json.loads(record["payload"])
            self.assertEqual(list(payload), keys[record["name"]])
            self.assertRegex(payload["session_id"], r"^[A-Za-z]{20}$")
            if "dvce_os" in payload:
                self.assertRegex(payload["dvce_os"], r"^Android \d+\.\d+(\.\d+)?$")
            if "account_id" in payload:
                self.assertRegex(payload["account_id"], r"^[^@\s]+@[a-z0-9.-]+\.[a-z]+$")
            if "measurement" in payload:
                self.assertIsInstance(payload["measurement"], float)

    def test_timestamps_in_range_with_seed_format(self):
        for record in self.records:
            self.assertRegex(record["tstamp"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
            self.assertGreaterEqual(record["tstamp"], "2020-01-01 00:00:00.000000")
            self.assertLessEqual(record["tstamp"], NOW + ".000000")

    def test_statistical_shape_matches_the_seed(self):
        n = len(self.records)
        names = collections.Counter(r["name"] for r in self.records)
        # Expected per session: 5/3 visits, 2/3 accounts, 14/3 measurements, times 1.01.
        self.assertAlmostEqual(n / SESSIONS, 7.07, delta=0.25)
        self.assertAlmostEqual(names["anonymous_visited"] / n, 0.239, delta=0.012)
        self.assertAlmostEqual(names["account_created"] / n, 0.095, delta=0.006)
        self.assertAlmostEqual(names["measurement_recorded"] / n, 0.665, delta=0.015)
        sessions = {json.loads(r["payload"])["session_id"] for r in self.records}
        self.assertEqual(len(sessions), SESSIONS)

    def test_about_one_percent_exact_duplicate_lines(self):
        counts = collections.Counter(self.lines)
        repeats = sum(c - 1 for c in counts.values())
        self.assertAlmostEqual(repeats / len(self.lines), 0.0099, delta=0.0015)
        for i in range(1, len(self.lines)):
            if self.lines[i] in counts and counts[self.lines[i]] > 1 and self.lines[i] != self.lines[i - 1]:
                # The first of a group of equal lines: its copy must follow it.
                self.assertEqual(self.lines[i], self.lines[i + 1])

    def test_measurements_spread_a_tenth_of_their_session_mean(self):
        per_session = collections.defaultdict(list)
        for record in self.records:
            payload = json.loads(record["payload"])
            if "measurement" in payload:
                per_session[payload["session_id"]].append(payload["measurement"])
        ratios, means = [], []
        for values in per_session.values():
            values = sorted(set(values))  # Drop exact duplicates of an event.
            if len(values) >= 20:
                mean = sum(values) / len(values)
                sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
                ratios.append(sd / mean)
                means.append(mean)
        self.assertGreater(len(ratios), 100)
        self.assertAlmostEqual(sum(ratios) / len(ratios), 0.1, delta=0.01)
        self.assertGreater(min(means), 7)     # mu = 10 + U*170
        self.assertLess(max(means), 185)

    def test_same_seed_same_bytes_other_seed_other_bytes(self):
        small = ["generate", "--sessions", "3000", "--now", NOW, "-q"]
        first = run(*small, "--seed", "11", check_rc=0).stdout
        self.assertEqual(run(*small, "--seed", "11", check_rc=0).stdout, first)
        self.assertNotEqual(run(*small, "--seed", "12", check_rc=0).stdout, first)

    def test_file_and_gzip_outputs_hold_the_same_bytes(self):
        small = ["generate", "--sessions", "3000", "--now", NOW, "--seed", "5", "-q"]
        expected = run(*small, check_rc=0).stdout
        plain = os.path.join(self.tmp, "events.ndjson")
        packed = os.path.join(self.tmp, "events.ndjson.gz")
        run(*small, "-o", plain, check_rc=0)
        run(*small, "-o", packed, check_rc=0)
        with open(plain, "rb") as f:
            self.assertEqual(f.read(), expected)
        with gzip.open(packed, "rb") as f:
            self.assertEqual(f.read(), expected)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["events.ndjson", "events.ndjson.gz"])

    def test_summary_on_stderr_names_counts_and_seed(self):
        out = run("generate", "--sessions", "100", "--seed", "3", "--now", NOW, "-o",
                  os.path.join(self.tmp, "e.ndjson"), check_rc=0)
        self.assertRegex(out.stderr, r"[\d,]+ events \([\d.]+ \w+\) for 100 sessions .*seed 3")

    def test_duplicate_probability_flag(self):
        out = run("generate", "--sessions", "500", "--seed", "1", "--now", NOW, "-q",
                  "--duplicate-probability", "0", check_rc=0).stdout.splitlines()
        self.assertEqual(len(out), len(set(out)))
        out = run("generate", "--sessions", "500", "--seed", "1", "--now", NOW, "-q",
                  "--duplicate-probability", "1", check_rc=0).stdout.splitlines()
        self.assertEqual(len(out), 2 * len(set(out)))


if __name__ == "__main__":
    util.main()
