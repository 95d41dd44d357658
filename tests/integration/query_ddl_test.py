"""`tarn query` with Athena DDL through the real binary: the seed's two tables as written,
a Hive-style folder tree, MSCK REPAIR TABLE, SHOW PARTITIONS, and errors."""
import os
import subprocess

import tarn_test_util as util
from tarn_test_util import run

EVENTS_JSON = (
    "CREATE EXTERNAL TABLE IF NOT EXISTS events_json (tstamp timestamp, payload string, "
    "payload_md5 string) PARTITIONED BY (name string, d string) ROW FORMAT SERDE "
    "'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://lake/events_raw/json/' "
    "TBLPROPERTIES ('EXTERNAL'='true', 'classification'='json');")
EVENTS_PARQUET = (
    "CREATE EXTERNAL TABLE IF NOT EXISTS events_parquet (tstamp timestamp, payload string, "
    "payload_md5 string) PARTITIONED BY (name string, d string) ROW FORMAT SERDE "
    "'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' WITH SERDEPROPERTIES "
    "('serialization.format' = '1') STORED AS INPUTFORMAT "
    "'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat' OUTPUTFORMAT "
    "'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat' LOCATION "
    "'s3://lake/events_raw/parquet/' TBLPROPERTIES ('EXTERNAL'='TRUE', "
    "'classification'='parquet');")


class QueryDdlTest(util.TempDirTest):
    def query(self, sql, rc=0):
        return run("query", "--lake", self.tmp, sql, check_rc=rc)

    def touch(self, relative):
        path = os.path.join(self.tmp, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").close()

    def test_seed_tables_msck_repair_and_show_partitions(self):
        self.query(EVENTS_JSON)
        self.query(EVENTS_PARQUET)
        tables = self.query("SHOW TABLES").stdout.decode()
        self.assertIn("events_json", tables)
        self.assertIn("events_parquet", tables)
        for name in ("anonymous_visited", "account_created", "measurement_recorded"):
            for day in ("2023-06-01", "2023-06-02"):
                self.touch(f"lake/events_raw/json/name={name}/d={day}/events-1.gz")
        self.touch("lake/events_raw/json/not_a_partition/x.gz")
        out = self.query("MSCK REPAIR TABLE events_json").stdout.decode()
        self.assertIn("6 partition(s) added", out)
        self.assertIn("1 path(s) skipped", out)
        partitions = self.query("SHOW PARTITIONS events_json").stdout.decode()
        self.assertIn("name=measurement_recorded/d=2023-06-02", partitions)
        self.assertIn("(6 rows", partitions)
        self.assertIn("0 partition(s) added",
                      self.query("MSCK REPAIR TABLE events_json").stdout.decode())
        self.assertIn("(0 rows", self.query("SHOW PARTITIONS events_parquet").stdout.decode())

    def test_catalog_persists_between_runs(self):
        self.query(EVENTS_JSON)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "_tarn", "catalog.db")))
        out = self.query("SHOW CREATE TABLE events_json").stdout.decode()
        self.assertIn("CREATE EXTERNAL TABLE", out)
        self.assertIn("org.openx.data.jsonserde.JsonSerDe", out)

    def test_export_then_import_recreates_the_catalog(self):
        self.query("CREATE DATABASE analytics")
        self.query(EVENTS_JSON.replace("events_json", "analytics.events_json"))
        self.query(EVENTS_PARQUET)
        for i in range(250):
            self.touch(f"lake/events_raw/parquet/name=n{i % 3}/d=2023-06-{i:03d}/part.parquet")
        self.query("MSCK REPAIR TABLE events_parquet")
        exported = run("catalog", "--lake", self.tmp, "export", check_rc=0).stdout.decode()
        self.assertIn("CREATE DATABASE IF NOT EXISTS analytics;", exported)
        self.assertIn("CREATE EXTERNAL TABLE IF NOT EXISTS analytics.events_json", exported)
        self.assertEqual(exported.count("ADD IF NOT EXISTS"), 3)  # 250 in batches of 100.
        script = os.path.join(self.tmp, "catalog.sql")
        with open(script, "w") as f:
            f.write(exported)
        fresh = os.path.join(self.tmp, "fresh")
        out = run("catalog", "--lake", fresh, "import", script, check_rc=0).stdout.decode()
        self.assertIn("6 statement(s)", out)
        again = run("catalog", "--lake", fresh, "export", check_rc=0).stdout.decode()
        self.assertEqual(again, exported)

    def test_import_stops_at_the_first_bad_statement(self):
        script = os.path.join(self.tmp, "bad.sql")
        with open(script, "w") as f:
            f.write("CREATE DATABASE a;\n\nCREATE TABLE nope (x int);\nCREATE DATABASE b;\n")
        out = run("catalog", "--lake", self.tmp, "import", script)
        self.assertEqual(out.returncode, 1)
        self.assertIn("statement 2 (line 3)", out.stderr)
        self.assertIn("1 statement(s) before it were applied", out.stderr)

    def test_concurrent_writers_lose_nothing(self):
        self.query(EVENTS_JSON)
        procs = []
        for w in range(4):
            script = os.path.join(self.tmp, f"w{w}.sql")
            with open(script, "w") as f:
                for i in range(25):
                    f.write(f"ALTER TABLE events_json ADD PARTITION (name='w{w}', d='{i}');\n")
            procs.append(subprocess.Popen([util.TARN, "catalog", "--lake", self.tmp, "import",
                                           script], stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE))
        for p in procs:
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err.decode())
        self.assertIn("(100 rows", self.query("SHOW PARTITIONS events_json").stdout.decode())

    def test_errors(self):
        out = self.query("DESCRIBE events_json", rc=1)
        self.assertIn("table default.events_json does not exist", out.stderr)
        out = self.query("CREATE EXTERNAL TABLE t (a int", rc=2)
        self.assertIn("syntax error at line 1", out.stderr)
        out = self.query("CREATE TABLE t (a int)", rc=2)
        self.assertIn("EXTERNAL", out.stderr)
        out = self.query("CREATE EXTERNAL TABLE t (a int) PARTITIONED BY (a string)", rc=2)
        self.assertIn("partition column name repeats a data column", out.stderr)


if __name__ == "__main__":
    util.main()
