#!/usr/bin/env python3
"""Benchmark of `tarn generate` against its peer, the seed's Python generator, in one run.

Both make the seed's 100,000-session data set on one core (taskset -c 0) into a file under
/tmp. tarn runs --repeat times and its median counts; the peer runs once (it takes ~10-30 s).
Prints each side's time, events per second and peak memory, then the ratio.

usage: bench/generate.py [BUILD_DIR] [--sessions N] [--repeat N] [--no-peer]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = "2023-08-01 00:00:00"
NOW_EPOCH = 1690848000


def timed(cmd):
    """Runs cmd pinned to core 0; returns (seconds, peak RSS in MiB of that child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(["taskset", "-c", "0", *cmd], check=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def count_lines(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", nargs="?", default="build")
    parser.add_argument("--sessions", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-peer", action="store_true", help="measure tarn only")
    args = parser.parse_args()
    tarn = os.path.join(args.build_dir, "tarn")

    with tempfile.TemporaryDirectory(prefix="tarn-bench-") as tmp:
        out = os.path.join(tmp, "tarn.ndjson")
        runs = []
        for _ in range(args.repeat):
            runs.append(timed([tarn, "generate", "--sessions", str(args.sessions), "--seed", "1",
                               "--now", NOW, "-q", "-o", out]))
        tarn_seconds = statistics.median(s for s, _ in runs)
        tarn_peak = max(m for _, m in runs)
        events = count_lines(out)
        size = os.path.getsize(out)
        print(f"data set: {args.sessions:,} sessions, {events:,} events, {size / 2**20:.1f} MiB")
        print(f"tarn generate: {tarn_seconds:.3f} s median of {args.repeat} "
              f"(runs: {', '.join(f'{s:.3f}' for s, _ in runs)}), "
              f"{events / tarn_seconds:,.0f} events/s, peak {tarn_peak:.0f} MiB")
        if args.no_peer:
            return
        peer_out = os.path.join(tmp, "peer.ndjson")
        peer_seconds, peer_peak = timed([sys.executable, os.path.join(HERE, "peers",
                                         "seed_generator.py"), str(args.sessions), "1",
                                         str(NOW_EPOCH), peer_out])
        peer_events = count_lines(peer_out)
        print(f"seed's Python generator: {peer_seconds:.3f} s, "
              f"{peer_events / peer_seconds:,.0f} events/s, peak {peer_peak:.0f} MiB")
        print(f"ratio: tarn takes {tarn_seconds / peer_seconds:.3f}x the peer's time "
              f"({peer_seconds / tarn_seconds:.1f}x faster)")


if __name__ == "__main__":
    main()
