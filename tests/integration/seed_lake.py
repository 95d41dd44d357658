"""Builds the seed article's lake (database kozlovski, tables events_json and events_parquet over
s3://tarn-demo/events_raw/{json,parquet}/name=NAME/d=DAY/) for the query tests and benchmarks.

Two ways, same tables:
  build_via_serve(tarn, lake, sessions)  the real path: tarn generate, the seed's DDL, tarn serve
                                         with examples/seed's streams, tarn send to both streams,
                                         SIGTERM; partitions are registered by delivery and d= is
                                         the arrival date (today).
  build_direct(tarn, lake, sessions)     no server: tarn generate, lines split by name into
                                         name=NAME/d=DAY/ folders as gzip JSON lines and as GZIP
                                         Parquet (tarn convert), then MSCK REPAIR TABLE on both.
                                         DAY is fixed (2023-08-01, the generator's --now), so the
                                         lake is the same bytes on every run.
  ensure_direct(tarn, lake, sessions)    build_direct once, reused while a marker file in the lake
                                         records the same sessions, seed and day.

DuckDB reads the same files with duckdb_json_source(lake) / duckdb_parquet_source(lake), which
give the tables' columns (tstamp, payload, payload_md5) plus the partition columns name and d,
both varchar, as the catalog declares them.

Also a command: seed_lake.py PATH_TO_TARN LAKE [--sessions N] [--seed S] [--serve].
"""
import argparse
import collections
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED_DIR = os.path.join(ROOT, "examples", "seed")
TABLES_SQL = os.path.join(SEED_DIR, "tables.sql")


def plain_streams(dest):
    """Copies the seed's stream definitions into folder `dest` without their server-side
    encryption, and returns `dest`: DuckDB and gzip read what such streams deliver straight from
    the lake, which sealed objects would not allow (tests/integration/security_test.py covers
    encryption)."""
    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(SEED_DIR)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(SEED_DIR, name)) as f:
            stream = json.load(f)
        stream.pop("DeliveryStreamEncryptionConfigurationInput", None)
        with open(os.path.join(dest, name), "w") as f:
            json.dump(stream, f, indent=2)
    return dest
DATABASE = "kozlovski"
BUCKET = "tarn-demo"
JSON_PREFIX = "events_raw/json"
PARQUET_PREFIX = "events_raw/parquet"
NOW = "2023-08-01 00:00:00"
DAY = "2023-08-01"
SCHEMA = "tstamp timestamp, payload string, payload_md5 string"
MARKER = "_seed_lake.json"

# The seed's June-2023 query as the article writes it (examples/seed/june_2023.sql, on
# events_json); {table} is events_json or events_parquet.
with open(os.path.join(SEED_DIR, "june_2023.sql")) as _f:
    JUNE_QUERY = _f.read().replace("kozlovski.events_json", "kozlovski.{table}")


def _run(cmd, **kwargs):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr}")
    return proc.stdout


def json_root(lake):
    return os.path.join(lake, BUCKET, JSON_PREFIX)


def parquet_root(lake):
    return os.path.join(lake, BUCKET, PARQUET_PREFIX)


def duckdb_json_source(lake):
    """A DuckDB table expression over the JSON table's files, with its columns and partitions."""
    glob = os.path.join(json_root(lake), "*", "*", "*.gz")
    return (f"read_json('{glob}', format='newline_delimited', compression='gzip', "
            f"columns={{tstamp: 'TIMESTAMP', payload: 'VARCHAR', payload_md5: 'VARCHAR'}}, "
            f"hive_partitioning=true, hive_types={{name: 'VARCHAR', d: 'VARCHAR'}})")


def duckdb_parquet_source(lake):
    glob = os.path.join(parquet_root(lake), "*", "*", "*.parquet")
    return (f"read_parquet('{glob}', hive_partitioning=true, "
            f"hive_types={{name: 'VARCHAR', d: 'VARCHAR'}})")


def generate(tarn, path, sessions, seed):
    _run([tarn, "generate", "--sessions", str(sessions), "--seed", str(seed), "--now", NOW,
          "-q", "-o", path])


def create_tables(tarn, lake):
    _run([tarn, "catalog", "--lake", lake, "import", TABLES_SQL])


def query(tarn, lake, sql, *flags):
    """Runs one statement in database kozlovski; returns its standard output."""
    return _run([tarn, "query", "--lake", lake, "-d", DATABASE, *flags, sql])


def build_direct(tarn, lake, sessions, seed=1, day=DAY):
    """Lays out `sessions` generated sessions as both tables in `lake` (which must not hold
    them already) and registers the partitions. Returns {name: event count}."""
    os.makedirs(lake, exist_ok=True)
    counts = collections.Counter()
    with tempfile.TemporaryDirectory(prefix="tarn-seed-") as tmp:
        events = os.path.join(tmp, "events.ndjson")
        generate(tarn, events, sessions, seed)
        by_name = collections.defaultdict(list)
        with open(events, "rb") as f:
            for line in f:
                if line.strip():
                    by_name[json.loads(line)["name"]].append(line)
        stamp = day + "-00-00-00"
        for name, lines in sorted(by_name.items()):
            counts[name] = len(lines)
            folder = os.path.join(json_root(lake), f"name={name}", f"d={day}")
            os.makedirs(folder, exist_ok=True)
            # Firehose's object names: STREAM-VERSION-YYYY-MM-DD-HH-MM-SS-ID(.gz)
            with gzip.open(os.path.join(folder, f"events_json-1-{stamp}-0001.gz"), "wb") as out:
                out.writelines(lines)
            plain = os.path.join(tmp, f"{name}.ndjson")
            with open(plain, "wb") as out:
                out.writelines(lines)
            folder = os.path.join(parquet_root(lake), f"name={name}", f"d={day}")
            os.makedirs(folder, exist_ok=True)
            _run([tarn, "convert", plain,
                  os.path.join(folder, f"events_parquet-1-{stamp}-0001.parquet"),
                  "--schema", SCHEMA, "--compression", "gzip", "-q"])
    create_tables(tarn, lake)
    for table in ("events_json", "events_parquet"):
        query(tarn, lake, f"MSCK REPAIR TABLE {table}")
    return dict(counts)


def ensure_direct(tarn, lake, sessions, seed=1, day=DAY):
    """build_direct, unless `lake` already holds exactly that build (a marker file says so).
    A lake holding anything else is removed first."""
    key = {"sessions": sessions, "seed": seed, "day": day, "now": NOW}
    marker = os.path.join(lake, MARKER)
    if os.path.exists(marker):
        with open(marker) as f:
            saved = json.load(f)
        if saved.get("key") == key:
            return saved["counts"]
    if os.path.exists(lake):
        shutil.rmtree(lake)
    counts = build_direct(tarn, lake, sessions, seed, day)
    with open(marker, "w") as f:
        json.dump({"key": key, "counts": counts}, f)
    return counts


def build_via_serve(tarn, lake, sessions, seed=1, timeout=600):
    """The real ingestion path into `lake`. Returns the number of events sent to each stream."""
    os.makedirs(lake, exist_ok=True)
    create_tables(tarn, lake)
    with tempfile.TemporaryDirectory(prefix="tarn-seed-") as tmp:
        events = os.path.join(tmp, "events.ndjson")
        generate(tarn, events, sessions, seed)
        with open(events, "rb") as f:
            sent = sum(1 for line in f if line.strip())
        server = subprocess.Popen([tarn, "serve", "--lake", lake, "--listen", "127.0.0.1:0",
                                   "--streams", plain_streams(os.path.join(tmp, "streams")),
                                   "--durability", "none"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()
            match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            if not match:
                raise RuntimeError(f"tarn serve did not say where it listens: {line!r}")
            for stream in ("events_json", "events_parquet"):
                _run([tarn, "send", events, "--stream", stream, "--endpoint", match.group(1),
                      "-q"], timeout=timeout)
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
            _, err = server.communicate(timeout=timeout)
        if server.returncode != 0:
            raise RuntimeError(f"tarn serve exited {server.returncode}:\n{err}")
    return sent


def main():
    parser = argparse.ArgumentParser(description="Build the seed's lake for query tests.")
    parser.add_argument("tarn")
    parser.add_argument("lake")
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve", action="store_true", help="use tarn serve, not files")
    args = parser.parse_args()
    if args.serve:
        print(f"{build_via_serve(args.tarn, args.lake, args.sessions, args.seed)} events sent")
    else:
        print(json.dumps(ensure_direct(args.tarn, args.lake, args.sessions, args.seed)))


if __name__ == "__main__":
    main()
