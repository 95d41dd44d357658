#!/usr/bin/env python3
"""Benchmark of tarn's lake formats against DuckDB, measured in the same run on the same files.

Data: the generator's 100,000-session data set (about 700,000 events), as gzip JSON lines.
  1. NDJSON.gz -> Parquet with GZIP: `tarn convert` against DuckDB's
     COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet, COMPRESSION gzip):
     time, file size and tarn's peak memory.
  2. Scanning one column of a Parquet file (payload_md5: count and total length; tstamp:
     count and sum), each side on its own file.
  3. Scanning two fields of the gzip NDJSON (count(payload_md5), max(tstamp)).
Each figure is the median of --repeat runs; times are measured inside each process. The ratio
tarn/DuckDB is printed last for each (below 1.0 means tarn is faster).

usage: bench/formats.py [BUILD_DIR] [--sessions N] [--repeat N]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = os.path.join(ROOT, "tests", "peers", "duckdb_bench.mjs")
SCHEMA = "name string, tstamp timestamp, payload string, payload_md5 string"
DUCK_COLUMNS = "{name:'VARCHAR', tstamp:'TIMESTAMP', payload:'VARCHAR', payload_md5:'VARCHAR'}"


def seconds_from(output):
    for line in output.splitlines():
        if line.startswith("seconds "):
            return float(line.split()[1])
    raise RuntimeError(f"no timing in output:\n{output}")


def duckdb(sql):
    out = subprocess.run(["node", PEER, sql], check=True, stdout=subprocess.PIPE, text=True).stdout
    return seconds_from(out), json.loads(out.splitlines()[0])


def timed_child(cmd):
    """Runs cmd; returns (wall seconds, peak RSS MiB of the child, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, (peak if peak > before else before) / 1024, proc.stdout


def median_of(repeat, fn):
    results = [fn() for _ in range(repeat)]
    return statistics.median(r[0] for r in results), results[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", nargs="?", default="build")
    parser.add_argument("--sessions", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tarn = os.path.join(args.build_dir, "tarn")
    scan = os.path.join(args.build_dir, "bench", "tarn_scan_bench")

    with tempfile.TemporaryDirectory(prefix="tarn-formats-bench-") as tmp:
        events = os.path.join(tmp, "events.ndjson.gz")
        subprocess.run([tarn, "generate", "--sessions", str(args.sessions), "--seed", "1",
                        "--now", "2023-08-01 00:00:00", "-q", "-o", events], check=True)
        ours = os.path.join(tmp, "tarn.parquet")
        theirs = os.path.join(tmp, "duckdb.parquet")
        print(f"data set: {args.sessions:,} sessions, {os.path.getsize(events) / 2**20:.1f} MiB "
              f"of gzip JSON lines")

        # 1. Conversion.
        peaks = []

        def convert_tarn():
            wall, peak, _ = timed_child([tarn, "convert", events, ours, "--schema", SCHEMA,
                                         "--compression", "gzip", "-q"])
            peaks.append(peak)
            return wall, None

        def convert_duckdb():
            return duckdb(f"COPY (SELECT * FROM read_json('{events}', format='newline_delimited', "
                          f"columns={DUCK_COLUMNS})) TO '{theirs}' "
                          f"(FORMAT parquet, COMPRESSION gzip)")

        t_convert, _ = median_of(args.repeat, convert_tarn)
        d_convert, _ = median_of(args.repeat, convert_duckdb)
        size_ours, size_theirs = os.path.getsize(ours), os.path.getsize(theirs)
        print(f"\n1. NDJSON.gz -> Parquet (GZIP)")
        print(f"   tarn convert : {t_convert:7.3f} s  {size_ours / 2**20:6.2f} MiB  "
              f"peak memory {max(peaks):.0f} MiB")
        print(f"   DuckDB COPY  : {d_convert:7.3f} s  {size_theirs / 2**20:6.2f} MiB")
        print(f"   ratio time {t_convert / d_convert:.2f}x, size {size_ours / size_theirs:.3f}x")

        # 2. One Parquet column.
        print(f"\n2. One Parquet column: each side on the file it wrote, and DuckDB on tarn's file")
        for column, duck_expr in (("payload_md5", "count(payload_md5), sum(length(payload_md5))"),
                                  ("tstamp", "count(tstamp), sum(epoch_us(tstamp))")):
            def scan_tarn():
                out = subprocess.run([scan, "parquet", ours, column], check=True,
                                     stdout=subprocess.PIPE, text=True).stdout
                return seconds_from(out), out.split()[1]

            t, (_, t_count) = median_of(args.repeat, scan_tarn)
            d, (_, d_rows) = median_of(
                args.repeat, lambda: duckdb(f"SELECT {duck_expr} FROM read_parquet('{theirs}')"))
            same, _ = median_of(
                args.repeat, lambda: duckdb(f"SELECT {duck_expr} FROM read_parquet('{ours}')"))
            d_count = list(d_rows[0].values())[0]
            print(f"   {column:12} tarn {t:7.4f} s ({t_count} values)   DuckDB {d:7.4f} s on its "
                  f"own file ({d_count} values), {same:.4f} s on tarn's   ratio {t / d:.2f}x own "
                  f"file, {t / same:.2f}x same file")

        # 3. Two fields of the gzip NDJSON.
        def json_tarn():
            out = subprocess.run([scan, "json", events], check=True, stdout=subprocess.PIPE,
                                 text=True).stdout
            return seconds_from(out), out.split()[1]

        t, (_, t_count) = median_of(args.repeat, json_tarn)
        d, (_, d_rows) = median_of(args.repeat, lambda: duckdb(
            f"SELECT count(payload_md5), max(tstamp) FROM read_json('{events}', "
            f"format='newline_delimited', columns={{tstamp:'TIMESTAMP', payload_md5:'VARCHAR'}})"))
        print(f"\n3. Two fields of the gzip NDJSON")
        print(f"   tarn {t:7.3f} s ({t_count} records)   DuckDB {d:7.3f} s "
              f"({list(d_rows[0].values())[0]} records)   ratio {t / d:.2f}x")


if __name__ == "__main__":
    main()
