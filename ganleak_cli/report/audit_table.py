"""The audit table of docs/privacy.md, rendered from benchmarks/bench_audit.py's JSON (committed
as results/audit/bench_audit.json): each mechanism's claim, what its bound is read against, each
estimator's bound, the ratio against its target and the seconds it took."""

from __future__ import annotations

import json
from pathlib import Path

from ganleak_cli.core.tables import md_table
from ganleak_cli.report.results_page import ResultsError, markers

ESTIMATOR_COLUMNS = ("clopper-pearson", "bayesian", "gdp")


def load_rows(path: Path) -> dict:
    """The benchmark's document: ``machine`` and ``rows`` (ResultsError when it cannot be
    read)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ResultsError(f"{path}: not an audit benchmark file ({exc})") from exc


def cells(row: dict) -> list[str]:
    """One mechanism's row."""
    result = row["result"]
    bounds = [f"{result['estimators'][k]['epsilon_lower_bound']:.3f}"
              if k in result["estimators"] else "—" for k in ESTIMATOR_COLUMNS]
    kind = ("negative control" if result["negative_control"]
            else "exact ε" if result["exact_claim"] else "")
    return [f"`{row['mechanism']}`" + (f" ({kind})" if kind else ""),
            f"{result['claimed_epsilon']:.3g}", f"{row['against']} {row['reference']:.3g}",
            *bounds, f"{row['ratio']:.2f} (≥ {row['wanted']:g})", f"{row['seconds']:.0f} s",
            "met" if row["met"] else "**not met**"]


def audit_block(document: dict, source: str) -> list[str]:
    """The block spliced into docs/privacy.md between the ``audit`` markers."""
    begin, end = markers("audit")
    rows, machine = document["rows"], document["machine"]
    head = ["mechanism", "claimed ε", "read against", *ESTIMATOR_COLUMNS,
            "verdict's bound / target", "time", "target"]
    met = sum(row["met"] for row in rows)
    return [begin, "", *md_table(head, [cells(row) for row in rows]), "",
            f"*{met} of {len(rows)} targets met; every audit at its defaults (seed 0, confidence "
            f"0.95), on {machine['cpus']} CPUs at a load average of "
            f"{machine['load_at_start']:.1f}; from `{source}`, written by `make bench-audit`.*",
            "", end]
