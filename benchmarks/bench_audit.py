"""Every audited mechanism at its defaults, measured in one run: the bound of each estimator, the
verdict's bound as a fraction of the ε it should reach, the target, and the seconds it took.

Targets (each audit within 60 s on 2 cores): the positive controls (Laplace, randomized response)
≥ 0.95 of their exact ε; the correct sparse vector technique ≥ 0.9; the Shokri upload ≥ 0.9 of
the largest privacy loss of its neighbours (its claim is loose: ``audit/shokri_exact.py``); one
DP-SGD step ≥ 0.9; every negative control ≥ 2× its claim.

    python benchmarks/bench_audit.py [--json FILE]
    python benchmarks/bench_audit.py --sweep FILE --plot FILE.svg   # the bound across ε

``--sweep`` audits every mechanism at several strengths instead (ε = 0.5, 1, 2, 4 where the
mechanism takes an ε; noise multipliers 4, 2, 1, 0.7 for DP-SGD) and ``--plot`` draws each
bound against the ε it is read against.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ganleak_cli.audit.mechanisms import EXACT_LOSS, MECHANISMS, Settings  # noqa: E402
from ganleak_cli.audit.run import audit  # noqa: E402

SECONDS = 60.0


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


EPSILONS = (0.5, 1.0, 2.0, 4.0)
NOISE_MULTIPLIERS = (4.0, 2.0, 1.0, 0.7)


def strengths(name: str) -> list[dict]:
    """The settings a sweep audits ``name`` at."""
    if MECHANISMS[name].family == "dpsgd":
        return [{"noise_multiplier": s} for s in NOISE_MULTIPLIERS]
    return [{"epsilon": e} for e in EPSILONS]


def sweep_row(name: str, setting: dict) -> dict:
    """One audit of a sweep: the setting, the ε its bound is read against, every bound."""
    result = audit(name, Settings(**setting))
    against, reference, _ = target(name, result)
    return {"mechanism": name, "setting": setting, "against": against, "reference": reference,
            "claimed_epsilon": result["claimed_epsilon"],
            "bound": result["epsilon_lower_bound"], "estimator": result["estimator"],
            "negative_control": result["negative_control"],
            "bounds": {k: v["epsilon_lower_bound"] for k, v in result["estimators"].items()}}


def line(row: dict) -> str:
    """One row of the printed table."""
    bounds = "  ".join(f"{k} {v['epsilon_lower_bound']:.3f}"
                       for k, v in row["result"]["estimators"].items())
    return (f"{row['mechanism']:<24} {row['reference']:>7.3f} {row['against']:<24} "
            f"{row['ratio']:>6.2f} ≥ {row['wanted']:<4g} {row['seconds']:>6.1f}s  "
            f"{'met' if row['met'] else 'NOT MET':<7}  {bounds}")


def sweep(path: str, plot: str | None) -> None:
    """Every mechanism at every strength, printed, written to ``path`` and drawn to ``plot``."""
    rows = []
    for name in MECHANISMS:
        for setting in strengths(name):
            rows.append(sweep_row(name, setting))
            print(f"{name:<24} {setting} against {rows[-1]['reference']:.3f}: "
                  f"bound {rows[-1]['bound']:.3f}", flush=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(rows, handle, indent=1, sort_keys=True)
    if plot:
        from ganleak_cli.report.audit_table import bounds_plot

        bounds_plot(rows, plot)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="Also write the rows (with each full audit) here.")
    parser.add_argument("--sweep", help="Audit across ε instead; write the rows here.")
    parser.add_argument("--plot", help="With --sweep: draw the bounds into this SVG.")
    args = parser.parse_args()
    if args.sweep:
        return sweep(args.sweep, args.plot)
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
