"""The audit table of docs/privacy.md, rendered from benchmarks/bench_audit.py's JSON (committed
as results/audit/bench_audit.json): each mechanism's claim, what its bound is read against, each
estimator's bound, the ratio against its target and the seconds it took; and the plot of every
mechanism's bound across ε from the benchmark's sweep."""

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


def run_setting(result: dict) -> str:
    """``σ 2 (trained with 1)`` or ``ε/upload 10 (released at 1000)``."""
    if result["mechanism"] == "dpsgd":
        claimed, actual = result["noise_multiplier_claimed"], result["noise_multiplier_trained"]
        return f"DP-SGD σ {claimed:g}" + (f" (trained with {actual:g})" if actual != claimed
                                           else "")
    claimed, actual = result["epsilon_upload_claimed"], result["epsilon_upload_released"]
    return f"Shokri ε/upload {claimed:.3g}" + (f" (released at {actual:.3g})"
                                               if actual != claimed else "")


def run_cells(result: dict) -> list[str]:
    """One whole-run audit's row."""
    bounds = result["estimators"]
    return [f"`{result['run_config']}`", str(result["rounds"]), str(result["canaries"]),
            run_setting(result),
            f"{result['claimed_epsilon']:.3g} ({result['accountant']}, δ = {result['delta']:g})",
            f"{bounds['one-run']['epsilon_lower_bound']:.3f}",
            f"{bounds['gdp']['epsilon_lower_bound']:.3f}", result["verdict"]]


def runs_block(results: list[tuple[str, dict]]) -> list[str]:
    """The whole-run audits' table, spliced between the ``audit-runs`` markers."""
    begin, end = markers("audit-runs")
    head = ["run config", "rounds", "canaries", "mechanism as claimed", "claimed ε",
            "one-run bound", "gdp bound", "verdict"]
    sources = ", ".join(f"`{name}`" for name, _ in results)
    return [begin, "", *md_table(head, [run_cells(r) for _, r in results]), "",
            f"*Rendered from {sources} (`make audit-runs`).*", "", end]


def bounds_plot(rows: list[dict], path: str) -> None:
    """Each mechanism's verdict bound against the ε it is read against (the exact ε, the
    claim, or for Shokri its neighbours' exact loss), with the lines y = x and y = 2x."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "ganleak"
    fig, ax = plt.subplots(figsize=(7.5, 5.0))
    top = max(max(r["reference"] for r in rows), 1.0)
    ax.plot([0, top], [0, top], color="black", lw=1, label="bound = ε (tight)")
    ax.plot([0, top / 2], [0, top], color="grey", lw=1, ls="--", label="bound = 2ε")
    ceiling = 1.6 * top
    for name in dict.fromkeys(r["mechanism"] for r in rows):
        mine = [r for r in rows if r["mechanism"] == name]
        clipped = any(r["bound"] > ceiling for r in mine)
        ax.plot([r["reference"] for r in mine], [min(r["bound"], ceiling) for r in mine],
                marker="^" if clipped else "o", ls=":" if mine[0]["negative_control"] else "-",
                label=f"{name} ({mine[0]['estimator']})" + (" — above the top" if clipped
                                                             else ""))
    ax.set_xlabel("ε the bound is read against (exact ε, claim, or Shokri's neighbours' loss)")
    ax.set_ylabel("ε lower bound (confidence 0.95)")
    ax.set_ylim(0, ceiling * 1.02)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None})
    plt.close(fig)
