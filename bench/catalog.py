#!/usr/bin/env python3
"""Benchmark of MSCK REPAIR TABLE: discovering and registering 10,000 partitions.

Lays out a table location with 100 x 100 `name=…/d=…/` folders (one small object each),
then times `tarn query "MSCK REPAIR TABLE …"` end to end (process start to exit), twice: a
first run that registers every partition and a second that finds nothing new. The floor it is
compared with in the same run is `find` listing the same folders. Target: under 2 seconds.

usage: bench/catalog.py [BUILD_DIR] [--keys1 N] [--keys2 N]
"""
import argparse
import os
import subprocess
import tempfile
import time


def timed(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return time.perf_counter() - start, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", nargs="?", default="build")
    parser.add_argument("--keys1", type=int, default=100)
    parser.add_argument("--keys2", type=int, default=100)
    args = parser.parse_args()
    tarn = os.path.join(args.build_dir, "tarn")
    with tempfile.TemporaryDirectory(prefix="tarn-msck-bench-") as lake:
        root = os.path.join(lake, "lake", "events_raw", "json")
        for a in range(args.keys1):
            for b in range(args.keys2):
                folder = os.path.join(root, f"name=event_{a:03d}", f"d=2023-{b:05d}")
                os.makedirs(folder)
                open(os.path.join(folder, "part-0.gz"), "w").close()
        subprocess.run([tarn, "query", "--lake", lake,
                        "CREATE EXTERNAL TABLE events_json (tstamp timestamp, payload string) "
                        "PARTITIONED BY (name string, d string) ROW FORMAT SERDE "
                        "'org.openx.data.jsonserde.JsonSerDe' "
                        "LOCATION 's3://lake/events_raw/json/'"], check=True,
                       stdout=subprocess.DEVNULL)
        partitions = args.keys1 * args.keys2
        floor, _ = timed(["find", root, "-type", "d"])
        first, out = timed([tarn, "query", "--lake", lake, "MSCK REPAIR TABLE events_json"])
        assert f"{partitions} partition(s) added" in out, out[-400:]
        second, out = timed([tarn, "query", "--lake", lake, "MSCK REPAIR TABLE events_json"])
        assert "0 partition(s) added" in out, out[-400:]
        print(f"partitions: {partitions:,}")
        print(f"find (listing floor)      : {floor:.3f} s")
        print(f"tarn MSCK REPAIR, first   : {first:.3f} s ({partitions / first:,.0f} partitions/s)")
        print(f"tarn MSCK REPAIR, again   : {second:.3f} s")
        print(f"target 2 s: {'met' if first < 2 else 'NOT met'}; ratio to the find floor "
              f"{first / floor:.1f}x")


if __name__ == "__main__":
    main()
