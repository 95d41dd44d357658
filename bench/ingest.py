#!/usr/bin/env python3
"""Benchmark of ingestion: `tarn send` into `tarn serve` against `gzip -6` on the same file.

Data: the generator's 100,000-session data set (705,916 events, 175 MB = 167 MiB of JSON lines),
sent by `tarn send --concurrency 8` over loopback into the seed's streams (examples/seed), with
durable acknowledgements (`tarn serve`'s default: a record is acknowledged once fsynced in the
stream's write-ahead log):
  - events_json: jq partitioning, GZIP JSON lines;
  - events_parquet: jq partitioning, Parquet with GZIP pages (its table comes from
    examples/seed/tables.sql).
End to end is from starting `tarn send` to the server's exit after the SIGTERM sent as soon as
`tarn send` returns: the seed's streams buffer 64 MiB / 60 s, so the SIGTERM flush commits the
last objects ("first request to last object committed"). Throughput = input bytes / end-to-end
time. tarn runs unpinned (client and server share the machine's cores); the peer,
`taskset -c 0 gzip -6 -c FILE > /dev/null`, runs on one core in the same run, median of --runs
(one gzip run before each round of tarn runs, so both sides see the same machine load); the
CPU time other processes used meanwhile is printed, as a warning that the figures are noisy.
Targets: JSON stream >= 1.0x gzip's throughput, Parquet stream >= 0.7x, server peak memory
(peak RSS, from wait4) < 1 GiB. Also reports PutRecordBatch latency p50/p99 (from
`tarn send --stats-json`).

Each stream runs --runs times on a fresh lake; the median counts. Every run is checked: the
server exits 0 having delivered everything, `tarn send` accepted every line, the delivered
objects hold exactly one record per input line (gzip lines for JSON; DuckDB's count(*) for
Parquet, skipped with a note when tests/peers/node_modules is missing) and no error object
was written.

usage: bench/ingest.py [BUILD_DIR] [--sessions N] [--runs N] [--concurrency N] [--keep]
                       [--streams json,parquet]
"""
import argparse
import gzip
import json
import os
import re
import resource
import signal
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(ROOT, "examples", "seed")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import seed_lake  # noqa: E402  (the seed's streams without encryption: checks read objects)
DUCKDB_PEER = os.path.join(ROOT, "tests", "peers", "duckdb_peer.mjs")
NOW = "2023-08-01 00:00:00"
STREAMS = {  # short name -> (stream, folder of its objects under the bucket, target ratio)
    "json": ("events_json", "events_raw/json", 1.0),
    "parquet": ("events_parquet", "events_raw/parquet", 0.7),
}
BUCKET = "tarn-demo"
MEMORY_TARGET_MIB = 1024
READY = re.compile(r"listening on (http://\S+)")


def fail(message):
    sys.exit(f"bench/ingest.py: {message}")


def count_lines(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def files_under(folder):
    for parent, _, names in os.walk(folder):
        for name in sorted(names):
            yield os.path.join(parent, name)


def children_cpu():
    """CPU seconds (user + system) of the children reaped so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_busy():
    """CPU seconds all cores have spent busy since boot, from /proc/stat (Linux only)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu():
    """CPU seconds of this process and every child it has reaped."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def gzip_peer(data):
    """Runs `gzip -6 -c data > /dev/null` on core 0; returns (wall seconds, CPU seconds)."""
    with open(os.devnull, "wb") as sink:
        cpu = children_cpu()
        start = time.perf_counter()
        subprocess.run(["taskset", "-c", "0", "gzip", "-6", "-c", data], stdout=sink, check=True)
        return time.perf_counter() - start, children_cpu() - cpu


def start_server(tarn, lake, log_dir):
    """Starts `tarn serve` on a free loopback port; returns (Popen, endpoint URL)."""
    out_path = os.path.join(log_dir, "serve.out")
    err_path = os.path.join(log_dir, "serve.err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([tarn, "serve", "--lake", lake, "--listen", "127.0.0.1:0",
                                 "--streams", seed_lake.plain_streams(os.path.join(log_dir,
                                                                                  "streams"))],
                                stdout=out, stderr=err)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open(out_path) as f:
            match = READY.search(f.read())
        if match:
            return proc, match.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    with open(err_path) as f:
        fail(f"tarn serve (lake {lake}) did not report its address; stderr:\n{f.read()[-2000:]}")


def stop_server(proc):
    """Sends SIGTERM and reaps the server; returns (exit code, peak RSS in MiB, CPU seconds)."""
    proc.send_signal(signal.SIGTERM)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux.
    return proc.returncode, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def count_json_records(folder):
    objects, records = 0, 0
    for path in files_under(folder):
        objects += 1
        with gzip.open(path, "rb") as f:
            records += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    return objects, records


def count_parquet_records(folder):
    """Returns (objects, records); records is None when DuckDB is not installed."""
    objects = sum(1 for _ in files_under(folder))
    if not os.path.isdir(os.path.join(ROOT, "tests", "peers", "node_modules")) or \
            shutil.which("node") is None:
        return objects, None
    glob = os.path.join(folder, "**", "*.parquet").replace("'", "''")
    out = subprocess.run(["node", DUCKDB_PEER, "sql",
                          f"SELECT count(*) AS n FROM read_parquet('{glob}')"],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return objects, int(json.loads(out.splitlines()[0])["n"])


def one_run(tarn, tmp, data, lines, kind, index, concurrency):
    stream, folder, _ = STREAMS[kind]
    run_dir = os.path.join(tmp, f"{kind}-{index}")
    lake = os.path.join(run_dir, "lake")
    os.makedirs(lake)
    subprocess.run([tarn, "catalog", "--lake", lake, "import",
                    os.path.join(SEED, "tables.sql")], check=True, stdout=subprocess.DEVNULL)
    server, endpoint = start_server(tarn, lake, run_dir)
    stats_path = os.path.join(run_dir, "send.json")
    send_cpu = children_cpu()
    start = time.perf_counter()
    send = subprocess.run([tarn, "send", data, "--stream", stream, "--endpoint", endpoint,
                           "--concurrency", str(concurrency), "--stats-json", stats_path, "-q"],
                          stderr=subprocess.PIPE, text=True)
    sent = time.perf_counter()
    send_cpu = children_cpu() - send_cpu
    code, peak_mib, server_cpu = stop_server(server)
    end = time.perf_counter()

    where = f"{kind} run {index + 1} (lake {lake})"
    with open(os.path.join(run_dir, "serve.err")) as f:
        serve_err = f.read()
    if send.returncode != 0:
        fail(f"{where}: tarn send exited {send.returncode}:\n{send.stderr[-2000:]}")
    if code != 0 or "everything accepted was delivered" not in serve_err:
        fail(f"{where}: tarn serve exited {code} without delivering everything:\n"
             f"{serve_err[-2000:]}")
    with open(stats_path) as f:
        stats = json.load(f)
    if stats["records"] != lines or stats["failed"] != 0:
        fail(f"{where}: tarn send accepted {stats['records']} of {lines} records "
             f"({stats['failed']} failed)")
    errors = list(files_under(os.path.join(lake, BUCKET, "errors")))
    if errors:
        fail(f"{where}: {len(errors)} error object(s), the first {errors[0]}")
    objects_dir = os.path.join(lake, BUCKET, folder)
    if kind == "json":
        objects, records = count_json_records(objects_dir)
    else:
        objects, records = count_parquet_records(objects_dir)
    if records is not None and records != lines:
        fail(f"{where}: the delivered objects hold {records} records, the input {lines} lines")
    lake_bytes = sum(os.path.getsize(p) for p in files_under(objects_dir))
    return {"seconds": end - start, "send_seconds": sent - start, "flush_seconds": end - sent,
            "cpu_seconds": send_cpu + server_cpu, "server_cpu": server_cpu, "send_cpu": send_cpu,
            "p50": stats["latency_ms_p50"], "p99": stats["latency_ms_p99"],
            "retries": stats["retries"], "peak_mib": peak_mib, "objects": objects,
            "records": records, "lake_bytes": lake_bytes}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", nargs="?", default="build")
    parser.add_argument("--sessions", type=int, default=100000)
    parser.add_argument("--runs", type=int, default=3, help="runs of each stream and of gzip")
    parser.add_argument("--concurrency", type=int, default=8, help="tarn send --concurrency")
    parser.add_argument("--streams", default="json,parquet",
                        help="comma-separated, of: " + ", ".join(STREAMS))
    parser.add_argument("--keep", action="store_true",
                        help="keep the data set and the lakes (their folder is printed)")
    args = parser.parse_args()
    kinds = [k for k in args.streams.split(",") if k]
    for kind in kinds:
        if kind not in STREAMS:
            fail(f"--streams: unknown stream '{kind}'; expected some of {', '.join(STREAMS)}")
    tarn = os.path.abspath(os.path.join(args.build_dir, "tarn"))
    if not os.access(tarn, os.X_OK):
        fail(f"no tarn binary at {tarn}")

    tmp = tempfile.mkdtemp(prefix="tarn-ingest-bench-")
    finished = False
    try:
        data = os.path.join(tmp, "events.ndjson")
        subprocess.run([tarn, "generate", "--sessions", str(args.sessions), "--seed", "1",
                        "--now", NOW, "-q", "-o", data], check=True)
        lines, size = count_lines(data), os.path.getsize(data)
        print(f"data set: {args.sessions:,} sessions, {lines:,} events, {size / 1e6:.1f} MB "
              f"({size / 2**20:.1f} MiB) of JSON lines")

        # Rounds interleave the peer with tarn's runs, so that both see the same conditions when
        # other work shares the machine.
        gzip_runs, gzip_cpus, results = [], [], {kind: [] for kind in kinds}
        busy_before, own_before, wall_before = machine_busy(), own_cpu(), time.perf_counter()
        for i in range(args.runs):
            wall, cpu = gzip_peer(data)
            gzip_runs.append(wall)
            gzip_cpus.append(cpu)
            for kind in kinds:
                results[kind].append(one_run(tarn, tmp, data, lines, kind, i, args.concurrency))
        other_cpu = (machine_busy() - busy_before) - (own_cpu() - own_before)
        wall = time.perf_counter() - wall_before
        gzip_seconds = statistics.median(gzip_runs)
        gzip_mbps = size / gzip_seconds / 1e6
        print(f"gzip -6, one core   : {gzip_seconds:.3f} s median of {args.runs} "
              f"(runs: {', '.join(f'{s:.3f}' for s in gzip_runs)}), {gzip_mbps:.1f} MB/s")
        for kind, runs in results.items():
            seconds = statistics.median(r["seconds"] for r in runs)
            checked = runs[-1]["records"]
            check = (f"{checked:,} records checked" if checked is not None
                     else "record count skipped (no DuckDB in tests/peers/node_modules)")
            each = ", ".join(f"{r['seconds']:.3f}" for r in runs)
            server_cpu = statistics.median(r["server_cpu"] for r in runs)
            send_cpu = statistics.median(r["send_cpu"] for r in runs)
            retries = sum(r["retries"] for r in runs)
            print(f"tarn -> {STREAMS[kind][0]:15}: {seconds:.3f} s median of {args.runs} "
                  f"(runs: {each}), {size / seconds / 1e6:.1f} MB/s; CPU server {server_cpu:.2f} s"
                  f" + send {send_cpu:.2f} s; {retries} retries; {runs[-1]['objects']} objects, "
                  f"{check}")

        cores = os.cpu_count()
        print(f"\nother processes used {max(other_cpu, 0):.1f} CPU-seconds during the "
              f"{wall:.0f} s of runs ({max(other_cpu, 0) / (wall * cores):.0%} of {cores} cores; "
              f"above a few % the figures are noisy). tarn's client and server are not pinned; "
              f"gzip is on core 0.")
        print(f"\n{'stream':16} {'end to end':>10} {'send':>7} {'flush':>7} {'MB/s':>7} "
              f"{'x gzip':>7} {'target':>7} {'CPU s':>7} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'peak MiB':>9} {'lake MiB':>9}")
        verdicts = []
        for kind, runs in results.items():
            stream, _, target = STREAMS[kind]

            def med(key, runs=runs):
                return statistics.median(r[key] for r in runs)

            seconds = med("seconds")
            ratio = (size / seconds) / (size / gzip_seconds)
            peak = max(r["peak_mib"] for r in runs)
            print(f"{stream:16} {seconds:9.3f}s {med('send_seconds'):6.2f}s "
                  f"{med('flush_seconds'):6.2f}s {size / seconds / 1e6:7.1f} {ratio:7.2f} "
                  f"{target:>6.1f}x {med('cpu_seconds'):7.2f} {med('p50'):7.1f} "
                  f"{med('p99'):7.1f} {peak:9.0f} {med('lake_bytes') / 2**20:9.1f}")
            verdicts.append(f"{stream} {ratio:.2f}x gzip (target {target:.1f}x: "
                            f"{'met' if ratio >= target else 'NOT met'}), peak {peak:.0f} MiB "
                            f"(target < {MEMORY_TARGET_MIB} MiB: "
                            f"{'met' if peak < MEMORY_TARGET_MIB else 'NOT met'})")
        print(f"{'gzip -6 (1 core)':16} {gzip_seconds:9.3f}s {'':>7} {'':>7} {gzip_mbps:7.1f} "
              f"{1.0:7.2f} {'':>7} {statistics.median(gzip_cpus):7.2f}")
        print("(medians; send = tarn send alone, flush = SIGTERM to the server's exit; CPU = user "
              "+ system seconds of tarn send and tarn serve together; peak = the server's peak "
              "RSS, max over runs; p50/p99 = PutRecordBatch latency)")
        for verdict in verdicts:
            print(verdict)
        finished = True
    finally:
        # A failed run keeps its lakes and server logs for a look.
        if args.keep or not finished:
            print(f"kept: {tmp}", file=sys.stdout if finished else sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
