"""Sweep throughput: the same 8 small configurations with 1 worker, then with 2 (local executor).

Each side is one ``ganleak sweep --executor local --jobs N`` into a fresh temporary folder
(seeds 1..8 of a tiny active-attack run); the wall times and their ratio are printed. With N
workers every run gets cores // N TensorFlow threads, so the speed-up shows how much better N
processes use the cores than one process with all of them (target ≥ 1.8× for 2 workers).

A third sweep, 1 worker with one thread per run, separates the two effects in the same session:
``1 thread / 2 workers`` is how well the executor scales processes at a fixed thread count, and
``1 thread / all threads`` is how much a single run already gains from the other cores, which a
second worker cannot gain again: with 2 workers at one thread each scaling exactly 2×, the
speed-up over 1 worker with 2 threads is 2 / that gain.

    GANLEAK_DATA_DIR=../shared/datasets python benchmarks/bench_sweep.py [--configs 8]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TINY = ["rounds=4", "eval-every=2", "records-per-class=100", "local-steps=3", "gen-steps=3",
        "fakes-per-turn=64", "eval-samples=64"]


def sweep_seconds(configs: int, jobs: int, root: Path, threads: int | None = None) -> float:
    """Wall seconds of one local sweep of ``configs`` seeds with ``jobs`` workers
    (``threads`` TensorFlow threads per run; None: the sweep's default)."""
    seeds = ",".join(str(s) for s in range(1, configs + 1))
    command = [sys.executable, "-m", "ganleak_cli.cli", "sweep", "--grid", f"seed={seeds}",
               *[arg for value in TINY for arg in ("--set", value)],
               "--out", str(root / f"jobs{jobs}-threads{threads}"), "--jobs", str(jobs),
               *(["--threads-per-job", str(threads)] if threads else [])]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    """Time both sweeps and print the speed-up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=8)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        one = sweep_seconds(args.configs, 1, Path(tmp))
        two = sweep_seconds(args.configs, 2, Path(tmp))
        single = sweep_seconds(args.configs, 1, Path(tmp), threads=1)
        cores = os.cpu_count()
        shared = sweep_seconds(args.configs, 2, Path(tmp), threads=cores)

    print(f"{args.configs} configurations, 1 worker, {cores} threads: {one:7.1f} s")
    print(f"{args.configs} configurations, 2 workers, {max(1, cores // 2)} thread(s) each:"
          f" {two:7.1f} s")
    print(f"{args.configs} configurations, 1 worker, 1 thread:  {single:7.1f} s")
    print(f"{args.configs} configurations, 2 workers, {cores} threads each: {shared:7.1f} s")
    print(f"speed-up (1 worker / 2 workers):        {one / two:6.2f}x  (target 1.8x)")
    print(f"speed-up, 2 workers with {cores} threads each: {one / shared:6.2f}x")
    print(f"process scaling (1 thread / 2 workers): {single / two:6.2f}x")
    print(f"one run's own thread gain (1 thread / {cores} threads): {single / one:6.2f}x")
    print(f"speed-up if 2 workers scaled exactly 2x (2 / thread gain): "
          f"{2 * one / single:6.2f}x")


if __name__ == "__main__":
    main()
