"""Participants at scale: MNIST with 10, 100, 1,000 and 10,000 victims plus the GAN insider.

The victims split the records of digits 0–4 between them (at 10,000 each holds about 3), the
insider holds 5–9 and targets 3; FedAvg samples ``--clients`` participants a round
(``--clients-per-round``, the insider among the candidates). Each scale runs in a fresh child
process that plays ``--rounds`` rounds (one local mini-batch each, evaluated only at the end) and
reports its peak RSS, the set-up time (data, oracle, building the participants) and the seconds
of each round. The per-round figure is the mean of the rounds after the first (which traces the
TensorFlow functions) and before the last (which evaluates). Targets: peak RSS ≤ 2 GB at
10,000 victims, and time per round set by the participants who train that round, not by how
many exist (the ratio of the 10,000-victim round to the 10-victim round is printed).

    GANLEAK_DATA_DIR=../shared/datasets python benchmarks/bench_scale.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

SCALES = (10, 100, 1_000, 10_000)
TARGET_GB = 2.0


class Clock:
    """A reporter that notes when each round ended."""

    def __init__(self):
        self.ends = []

    def note(self, text: str) -> None:
        pass

    def round_done(self, round_no: int, total: int) -> None:
        self.ends.append(time.monotonic())

    def evaluation(self, record: dict, seconds: float) -> None:
        pass


def child(victims: int, clients: int, rounds: int, out: str) -> None:
    """Run one simulation in this process; print peak RSS, set-up and round seconds as JSON."""
    from ganleak_cli.core.stdio import import_tensorflow_quietly
    from ganleak_cli.simulation.config import SimConfig
    from ganleak_cli.simulation.runner import simulate

    import_tensorflow_quietly()
    cfg = SimConfig.from_options(
        victims=victims, protocol="fedavg", clients_per_round=clients, rounds=rounds,
        eval_every=rounds, local_steps=1, gen_steps=1, fakes_per_turn=64,
        data_dir=os.environ.get("GANLEAK_DATA_DIR"), out=out)
    clock, start = Clock(), time.monotonic()
    summary = simulate(cfg, reporter=clock)
    setup = time.monotonic() - start - summary["wall_seconds"]
    steps = [b - a for a, b in zip(clock.ends, clock.ends[1:])][:-1]   # rounds 2 .. R−1
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"peak_rss": peak_kb * 1024, "setup": setup,
                      "round": sum(steps) / len(steps)}))


def measure(victims: int, clients: int, rounds: int, out: str) -> dict:
    """One scale's figures, measured in a fresh child process."""
    done = subprocess.run([sys.executable, __file__, "--child", str(victims), "--clients",
                           str(clients), "--rounds", str(rounds), "--out", out],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure every scale and print peak RSS, set-up and round times, and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="at least 3")
    parser.add_argument("--clients", type=int, default=10, help="FedAvg clients per round")
    parser.add_argument("--scales", default=",".join(map(str, SCALES)))
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.clients, max(3, args.rounds), args.out)
        return
    scales = [int(s) for s in args.scales.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        figures = {n: measure(n, args.clients, max(3, args.rounds), os.path.join(tmp, str(n)))
                   for n in scales}
    first = figures[scales[0]]
    print(f"FedAvg, {args.clients} clients a round, one local mini-batch; MNIST 0-4 split "
          "between the victims, the insider on 5-9")
    for n, f in figures.items():
        print(f"{n:>6} victims  peak RSS {f['peak_rss'] / 2 ** 30:5.2f} GiB  set-up "
              f"{f['setup']:6.1f} s  round {f['round']:6.2f} s  "
              f"({f['round'] / first['round']:4.2f}x the {scales[0]}-victim round)")
    last = figures[scales[-1]]
    print(f"{scales[-1]} victims: peak {last['peak_rss'] / 1e9:.2f} GB (target ≤ "
          f"{TARGET_GB:.0f} GB): " + ("met" if last["peak_rss"] <= TARGET_GB * 1e9 else "NOT met"))


if __name__ == "__main__":
    main()
