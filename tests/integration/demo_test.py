"""`tarn demo` on a small data set: every step it prints, checked against the lake it leaves on
disk, the data set it generated and (when the objects are readable without tarn) DuckDB; and its
care with existing folders.

TARN_DEMO_EXAMPLES, when set, is passed as --examples (other stream definitions).
"""
import collections
import json
import math
import os
import re
import subprocess
import tempfile

import tarn_test_util as util
from tarn_test_util import run

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(os.path.dirname(HERE), "peers")
SESSIONS = 2000
GIB = 1024 ** 3
MIB = 1024 ** 2

def demo_args(lake, *extra):
    args = ["demo", "--sessions", str(SESSIONS), "--dir", lake, *extra]
    if os.environ.get("TARN_DEMO_EXAMPLES"):
        args += ["--examples", os.environ["TARN_DEMO_EXAMPLES"]]
    return args


def split_steps(out):
    """{step number: text of that step}."""
    parts = re.split(r"^Step (\d)\. ", out, flags=re.M)
    return {int(parts[i]): parts[i + 1] for i in range(1, len(parts), 2)}


def objects_on_disk(lake, fmt):
    root = os.path.join(lake, "tarn-demo", "events_raw", fmt)
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, os.path.join(lake, "tarn-demo"))] = os.path.getsize(path)
    return found


def june_query_in_python(source):
    """The article's June-2023 query computed from the generated events themselves."""
    seen = set()
    with open(source) as f:
        for line in f:
            event = json.loads(line)
            if event["name"] == "anonymous_visited" and event["tstamp"].startswith("2023-06"):
                session = json.loads(event["payload"]).get("session_id")
                seen.add((event["tstamp"][:10], session))
    counts = collections.Counter(day for day, _ in seen)
    return sorted(counts.items())


class DemoRunTest(util.TempDirTest):
    """One `tarn demo --sessions 2000` run, checked step by step."""

    @classmethod
    def setUpClass(cls):
        cls._class_tmp = tempfile.TemporaryDirectory(prefix="tarn-demo-it-")
        cls.lake = os.path.join(cls._class_tmp.name, "demo-lake")
        proc = run(*demo_args(cls.lake), check_rc=0, timeout=120)
        cls.out = proc.stdout.decode()
        cls.err = proc.stderr
        cls.steps = split_steps(cls.out)
        cls.source = os.path.join(cls.lake, "source", "events.ndjson")
        with open(cls.source) as f:
            cls.events = [json.loads(line) for line in f]

    @classmethod
    def tearDownClass(cls):
        cls._class_tmp.cleanup()

    def test_eight_steps_in_order_each_fitting_a_screen(self):
        self.assertEqual(list(self.steps), list(range(1, 9)), self.out)
        for number, text in self.steps.items():
            self.assertLessEqual(len(text.splitlines()), 50, f"step {number}:\n{text}")
        self.assertRegex(self.out, r"tarn demo: done in [\d.]+ s")

    def test_step1_generates_and_summarises_the_data_set(self):
        step = self.steps[1]
        self.assertIn("Generate the seed's synthetic app events (2,000 sessions", step)
        events = int(re.search(r"wrote ([\d,]+) events", step).group(1).replace(",", ""))
        self.assertEqual(events, len(self.events))
        names = [e["name"] for e in self.events]
        for name in ("anonymous_visited", "account_created", "measurement_recorded"):
            row = re.search(rf"{name} +([\d,]+) +([\d.]+)%", step)
            self.assertIsNotNone(row, step)
            self.assertEqual(int(row.group(1).replace(",", "")), names.count(name))
        self.assertRegex(step, r"events per session +\d\.\d\d")

    def test_step2_creates_both_streams_through_the_api(self):
        step = self.steps[2]
        self.assertRegex(step, r"listening on http://127\.0\.0\.1:\d+")
        for stream in ("events_json", "events_parquet"):
            self.assertRegex(
                step, rf"{stream} +created arn:aws:firehose:[^ ]+:deliverystream/{stream} ")
        with open(os.path.join(HERE, "..", "..", "examples", "seed", "events_json.json")) as f:
            definition = json.load(f)
        self.assertEqual(definition["DeliveryStreamEncryptionConfigurationInput"],
                         {"KeyType": "AWS_OWNED_CMK"})

    def test_step3_shows_the_two_tables(self):
        step = self.steps[3]
        for table, fmt in (("events_json", "json"), ("events_parquet", "parquet")):
            self.assertIn(f"kozlovski.{table}", step)
            self.assertIn(f"s3://tarn-demo/events_raw/{fmt}/ ({fmt})", step)
        self.assertIn("tstamp timestamp", step)
        self.assertIn("partitions  name varchar, d varchar", step)

    def test_step4_sends_everything_and_lists_what_is_on_disk(self):
        step = self.steps[4]
        sent = re.findall(r"tarn send: ([\d,]+) records .* to stream '(\w+)'.* (\d+) failed",
                          self.err)
        self.assertEqual(sorted(s[1] for s in sent), ["events_json", "events_parquet"], self.err)
        for records, _, failed in sent:
            self.assertEqual(int(records.replace(",", "")), len(self.events))
            self.assertEqual(failed, "0")
        raw = os.path.getsize(self.source)
        blocks = re.findall(r"\$ tarn ls .*?s3://tarn-demo/events_raw/(\w+)/ --recursive "
                            r"--human-readable --summarize\n(.*?)\n  \1 sink: [^\n]*?"
                            r"([\d.]+)x smaller", step, flags=re.S)
        self.assertEqual([b[0] for b in blocks], ["json", "parquet"], step)
        for fmt, listing, ratio in blocks:
            on_disk = objects_on_disk(self.lake, fmt)
            total = sum(on_disk.values())
            self.assertIn(f"Total Objects: {len(on_disk)}\n", listing)
            self.assertIn(f"   Total Size: {util.aws_human_size(total)}", listing)
            self.assertAlmostEqual(float(ratio), raw / total, delta=0.06)
            for line in listing.splitlines():
                m = re.match(r"  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d (.{10}) (events_raw/\S+)$", line)
                if m:
                    self.assertEqual(m.group(1), util.aws_human_size(on_disk[m.group(2)]).rjust(10))
        self.assertLess(sum(objects_on_disk(self.lake, "json").values()), raw / 2)

    def test_step5_cat_prints_json_events_of_the_object(self):
        step = self.steps[5]
        uri = re.search(r"\$ tarn cat --lake \S+ (s3://tarn-demo/(\S+)) \| head -5", step)
        self.assertIsNotNone(uri, step)
        partition = re.search(r"name=(\w+)/", uri.group(2)).group(1)
        lines = [l.strip() for l in step.splitlines() if l.strip().startswith("{")]
        self.assertEqual(len(lines), 5, step)
        for line in lines:
            event = json.loads(line)
            self.assertEqual(set(event), {"name", "tstamp", "payload", "payload_md5"})
            self.assertEqual(event["name"], partition)
            self.assertIn(event, self.events)
        # The same lines through the command.
        proc = run("cat", "--lake", self.lake, uri.group(1), check_rc=0)
        self.assertEqual(proc.stdout.decode().splitlines()[:5], lines)
        with open(os.path.join(self.lake, "tarn-demo", uri.group(2)), "rb") as f:
            stored = f.read()
        encrypted = stored.startswith(b"TARNENC1")
        self.assertIn("stored encrypted" if encrypted else "stored unencrypted", step)
        if encrypted:  # Without the lake's keyring the object cannot be read.
            other = os.path.join(self.tmp, "other-lake")
            os.makedirs(os.path.join(other, "b"))
            with open(os.path.join(other, "b", "x.gz"), "wb") as f:
                f.write(stored)
            proc = run("cat", "--lake", other, "s3://b/x.gz", check_rc=1)
            self.assertIn("encrypted", proc.stderr)
            self.assertEqual(proc.stdout, b"")

    def test_step6_june_query_equal_on_both_tables_and_to_the_events(self):
        step = self.steps[6]
        # Two halves side by side: each line holds one or two (day, json, parquet) triples.
        rows = sorted(re.findall(r"(\d{4}-\d\d-\d\d) 00:00:00\.000 +(\d+) +(\d+)", step))
        self.assertTrue(rows, step)
        self.assertEqual([(d, int(j)) for d, j, _ in rows], [(d, int(p)) for d, _, p in rows])
        self.assertEqual([(d, int(j)) for d, j, _ in rows], june_query_in_python(self.source))
        self.assertIn("the two results are equal", step)
        scanned = dict(re.findall(r"(events_\w+) +Run time: [\d.]+ sec, Data scanned: .*? "
                                  r"\(([\d,]+) bytes\)", step))
        json_bytes = int(scanned["events_json"].replace(",", ""))
        parquet_bytes = int(scanned["events_parquet"].replace(",", ""))
        self.assertLess(parquet_bytes, json_bytes)
        # gzip is not splittable: the JSON table reads every object of the one partition.
        anonymous = sum(size for key, size in objects_on_disk(self.lake, "json").items()
                        if "name=anonymous_visited/" in key)
        self.assertEqual(json_bytes, anonymous)
        # Parquet reads only the footer and the needed column chunks of the same partition.
        anonymous_parquet = sum(size for key, size in objects_on_disk(self.lake, "parquet").items()
                                if "name=anonymous_visited/" in key)
        self.assertLessEqual(parquet_bytes, anonymous_parquet)
        self.assertRegex(step, r"events_parquet scanned [\d.]+x less than events_json")
        self.check_with_duckdb(rows)

    def check_with_duckdb(self, rows):
        """DuckDB reads the JSON objects itself, when they are plain gzip and node is here."""
        keys = objects_on_disk(self.lake, "json")
        first = os.path.join(self.lake, "tarn-demo", next(iter(keys)))
        with open(first, "rb") as f:
            if f.read(2) != b"\x1f\x8b" or not os.path.isdir(os.path.join(PEERS, "node_modules")):
                return  # Encrypted objects (or no peer): the Python check above stands.
        glob = os.path.join(self.lake, "tarn-demo", "events_raw", "json", "*", "*", "*.gz")
        sql = ("SELECT strftime(day, '%Y-%m-%d') AS day, count(*) AS n FROM ("
               f"SELECT DISTINCT date_trunc('day', tstamp) AS day, "
               f"json_extract_string(payload, '$.session_id') AS s FROM read_json('{glob}', "
               "format='newline_delimited', compression='gzip', columns={tstamp: 'TIMESTAMP', "
               "payload: 'VARCHAR', payload_md5: 'VARCHAR'}, hive_partitioning=true, "
               "hive_types={name: 'VARCHAR', d: 'VARCHAR'}) WHERE name = 'anonymous_visited' "
               "AND date_trunc('month', tstamp) = DATE '2023-06-01') GROUP BY 1 ORDER BY 1")
        proc = subprocess.run(["node", os.path.join(PEERS, "duckdb_peer.mjs"), "sql", sql],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        duck = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        self.assertEqual([(r["day"], int(r["n"])) for r in duck],
                         [(d, int(j)) for d, j, _ in rows])

    def test_step7_cost_table_follows_the_volumes(self):
        step = self.steps[7]
        cost = {}
        for line in step.splitlines():
            m = re.match(r"  \| (.*?) +\| (.*?) +\| +\$([\d.]+) \|$", line)
            if m:
                cost[m.group(1).strip() or m.group(2).strip()] = float(m.group(3))
        self.assertEqual(set(cost), {"Kinesis Data Firehose", "dynamic partitioning",
                                     "format conversion", "S3", "Glue", "Athena", "total"}, step)
        records = len(self.events)
        # Every seed event is under 5 KB, so Firehose bills 5 KB for each, on both streams.
        self.assertEqual(round(cost["Kinesis Data Firehose"], 2),
                         round(2 * records * 5120 / GIB * 0.029, 2))
        self.assertEqual(round(cost["format conversion"], 2), round(records * 5120 / GIB * 0.018, 2))
        json_total = sum(objects_on_disk(self.lake, "json").values())
        athena = 100 * 30 * math.ceil(max(json_total, 10 * MIB) / MIB) / MIB * 5
        self.assertEqual(cost["Athena"], round(athena, 2))
        parts = sum(v for k, v in cost.items() if k != "total")
        self.assertAlmostEqual(cost["total"], parts, delta=0.011)
        self.assertIn("Glue", step)
        self.assertIn("$0.83", step)  # The article's own total, for comparison.

    def test_step8_says_how_to_explore_further(self):
        step = self.steps[8]
        self.assertIn("Explore further:", step)
        self.assertIn(f"tarn query --lake {self.lake}", step)
        self.assertIn(f"tarn serve --lake {self.lake}", step)
        self.assertIn("tarn ls --lake", step)


class DemoFolderTest(util.TempDirTest):
    """The demo's care with its folder."""

    def demo(self, *extra, rc=0):
        return run(*demo_args(self.lake, *extra), check_rc=rc, timeout=120)

    def setUp(self):
        super().setUp()
        self.lake = os.path.join(self.tmp, "demo-lake")

    def test_second_run_starts_afresh_and_keep_reuses(self):
        self.demo()
        stray = os.path.join(self.lake, "stray.txt")
        open(stray, "w").close()
        self.demo("--keep")
        self.assertTrue(os.path.exists(stray))
        # --keep reuses the streams, and the objects of both runs are in the lake.
        self.assertEqual(len(objects_on_disk(self.lake, "json")) % 2, 0)
        self.demo()
        self.assertFalse(os.path.exists(stray))

    def test_refuses_a_folder_it_did_not_make(self):
        os.makedirs(self.lake)
        precious = os.path.join(self.lake, "precious.txt")
        with open(precious, "w") as f:
            f.write("keep me")
        out = self.demo(rc=2)
        self.assertIn("refusing", out.stderr)
        with open(precious) as f:
            self.assertEqual(f.read(), "keep me")


if __name__ == "__main__":
    util.main()
