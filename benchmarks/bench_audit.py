"""Every audited mechanism at its defaults, measured in one run: the bound of each estimator, the
verdict's bound as a fraction of the ε it should reach, the target, and the seconds it took.

Targets (each audit within 60 s on 2 cores): the positive controls (Laplace, randomized response)
≥ 0.95 of their exact ε; the correct sparse vector technique ≥ 0.9; the Shokri upload ≥ 0.9 of
the largest privacy loss of its neighbours (its claim is loose: ``audit/shokri_exact.py``); one
DP-SGD step ≥ 0.9; every negative control ≥ 2× its claim.

    python benchmarks/bench_audit.py [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ganleak_cli.audit.mechanisms import MECHANISMS, Settings  # noqa: E402
from ganleak_cli.audit.run import audit  # noqa: E402

SECONDS = 60.0
EXACT_LOSS = "largest privacy loss of these neighbours (computed exactly)"


def target(name: str, result: dict) -> tuple[str, float, float]:
    """(what the bound is read against, that ε, the fraction it must reach)."""
    if result["negative_control"]:
        return "claim", result["claimed_epsilon"], 2.0
    if name == "shokri":
        exact = next(r["epsilon"] for r in result["references"] if r["name"] == EXACT_LOSS)
        return "neighbours' exact loss", exact, 0.9
    if result["exact_claim"]:
        return "exact ε", result["claimed_epsilon"], 0.95 if name != "svt" else 0.9
    return "claim", result["claimed_epsilon"], 0.9


def measure(name: str) -> dict:
    """One audit at the defaults, timed, with its target."""
    start = time.perf_counter()
    result = audit(name, Settings())
    seconds = time.perf_counter() - start
    against, reference, wanted = target(name, result)
    ratio = result["epsilon_lower_bound"] / reference
    return {"mechanism": name, "seconds": seconds, "against": against, "reference": reference,
            "ratio": ratio, "wanted": wanted,
            "met": ratio >= wanted and seconds <= SECONDS, "result": result}


def line(row: dict) -> str:
    """One row of the printed table."""
    bounds = "  ".join(f"{k} {v['epsilon_lower_bound']:.3f}"
                       for k, v in row["result"]["estimators"].items())
    return (f"{row['mechanism']:<24} {row['reference']:>7.3f} {row['against']:<24} "
            f"{row['ratio']:>6.2f} ≥ {row['wanted']:<4g} {row['seconds']:>6.1f}s  "
            f"{'met' if row['met'] else 'NOT MET':<7}  {bounds}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="Also write the rows (with each full audit) here.")
    args = parser.parse_args()
    load = os.getloadavg()[0]  # the seconds mean little on a busy machine: recorded with them
    print(f"{'mechanism':<24} {'ε':>7} {'read against':<24} {'ratio':>6}   target "
          f"{'time':>7}  verdict  bounds (every estimator)")
    rows = []
    for name in MECHANISMS:
        rows.append(measure(name))
        print(line(rows[-1]), flush=True)
    print(f"targets met: {sum(r['met'] for r in rows)} of {len(rows)}")
    if args.json:
        machine = {"cpus": os.cpu_count(), "load_at_start": load, "load_at_end": os.getloadavg()[0]}
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"machine": machine, "rows": rows}, handle, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
