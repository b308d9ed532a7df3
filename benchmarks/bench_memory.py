"""Peak memory of many participants: 40 AT&T victims + the adversary next to 1 victim.

Participants do not own Keras models: one model per architecture is built and every
participant's weights are swapped in and out of it as a flat vector, so 40 victims should cost
little more than one (target: peak RSS ≤ 2 GB for 40 victims + adversary). Each scenario runs
in a fresh child process (``--child``) that plays ``--rounds`` rounds of ``ganleak simulate``
on the real faces at 64×64 and reports its own peak RSS; the ratios are printed.

    GANLEAK_DATA_DIR=../shared/datasets python benchmarks/bench_memory.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile

SCENARIOS = {
    "1 victim, DSSGD": ["--victims", "1"],
    "40 victims, DSSGD": ["--victims", "40", "--victim-classes", "0-39",
                          "--adversary-classes", "none", "--partition", "by-class"],
    "40 victims, FedAvg": ["--victims", "40", "--victim-classes", "0-39",
                           "--adversary-classes", "none", "--partition", "by-class",
                           "--protocol", "fedavg"],
}
TARGET_GB = 2.0


def child(argv: list[str]) -> None:
    """Run one simulation in this process and print its peak RSS (bytes) as JSON."""
    from ganleak_cli.cli.main import main as cli_main

    cli_main.main(["simulate", *argv], standalone_mode=False)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"peak_rss": peak_kb * 1024}))


def peak_rss(extra: list[str], rounds: int, out: str) -> int:
    """Peak RSS in bytes of one scenario, run in a fresh child process."""
    argv = ["--dataset", "att", "--target-class", "7", "--rounds", str(rounds),
            "--eval-every", str(rounds), "--out", out, "--overwrite", *extra]
    done = subprocess.run([sys.executable, __file__, "--child", json.dumps(argv)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["peak_rss"]


def main() -> None:
    """Measure every scenario and print peak RSS and the ratios to 1 victim."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.child:
        child(json.loads(args.child))
        return
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        peaks = {name: peak_rss(extra, args.rounds, os.path.join(tmp, str(i)))
                 for i, (name, extra) in enumerate(SCENARIOS.items())}
    base = peaks["1 victim, DSSGD"]
    for name, peak in peaks.items():
        print(f"{name:<20} peak RSS {peak / 2 ** 30:5.2f} GiB  ({peak / base:4.2f}x 1 victim)")
    worst = max(peaks.values()) / 2 ** 30
    print(f"largest 40-victim peak: {worst:.2f} GiB (target ≤ {TARGET_GB:.0f} GB): "
          + ("met" if worst * 2 ** 30 <= TARGET_GB * 1e9 else "NOT met"))


if __name__ == "__main__":
    main()
