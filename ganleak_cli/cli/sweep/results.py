"""results.csv: one row per configuration with its status, every option of the run and every
final number of its summary.json (nested ones flattened: ``accuracy_per_class/3``)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ganleak_cli.core.tables import numeric_leaves
from ganleak_cli.report.intervals import interval
from ganleak_cli.runfolder.artifacts import SUMMARY, RunFolder, atomic_open
from ganleak_cli.simulation.config import OPTION_FIELDS

LEAD_COLUMNS = ["name", "status", "action", "exit_code", "error", "folder", "node"]
ACTIONS = {"finished": "skipped", "resume": "resumed", "new": "ran"}
# intervals.csv groups runs by every option but these (a configuration is the same over seeds)
GROUP_OPTIONS = [name for name in OPTION_FIELDS if name not in ("seed", "out")]


def read_summary(folder: Path) -> dict | None:
    """A run folder's summary.json (None when the run has not finished)."""
    try:
        return json.loads(RunFolder(folder).path(SUMMARY).read_text())
    except (OSError, ValueError):
        return None


def cell(value) -> str:
    """A value as results.csv writes it (class lists as ``0,1,2``; none as empty)."""
    if value is None:
        return ""
    if isinstance(value, (tuple, list)):
        return ",".join(str(v) for v in value)
    return repr(value) if isinstance(value, float) else str(value)


def result_row(run, outcome: dict | None) -> dict:
    """The row of one planned run after the sweep (``outcome`` is None when skipped)."""
    summary = read_summary(run.folder)
    row = {"name": run.name, "status": "finished" if summary is not None else "failed",
           "action": ACTIONS.get(run.state, run.state),
           "exit_code": "" if outcome is None else outcome["exit_code"],
           "error": "" if outcome is None else outcome["error"], "folder": str(run.folder),
           "node": "" if outcome is None else outcome.get("node", "local")}
    row.update({key: cell(value) for key, value in run.config.to_dict().items()})
    row.update({k: cell(v) for k, v in numeric_leaves(summary or {}).items() if k not in row})
    return row


def columns(rows: list[dict]) -> list[str]:
    """Lead columns, then the options (config.json's order), then the metrics (sorted)."""
    options = list(OPTION_FIELDS)
    fixed = set(LEAD_COLUMNS) | set(options)
    metrics = sorted({key for row in rows for key in row if key not in fixed})
    return LEAD_COLUMNS + options + metrics


def write_results(path: Path, rows: list[dict]) -> Path:
    """Write results.csv (atomically) and return its path."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(rows), restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with atomic_open(path) as handle:
        handle.write(buffer.getvalue().encode())
    return path


def interval_rows(rows: list[dict]) -> list[dict]:
    """One row per configuration but its seed (finished runs only): every metric's mean over
    the seeds, its 95 % t-interval half-width (``<metric>_ci95``) and the number of seeds."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        if row["status"] == "finished":
            groups.setdefault(tuple(row.get(name, "") for name in GROUP_OPTIONS), []).append(row)
    fixed = set(LEAD_COLUMNS) | set(OPTION_FIELDS)
    out = []
    for key, members in groups.items():
        merged = dict(zip(GROUP_OPTIONS, key))
        merged["seeds"] = len(members)
        metrics = sorted({k for row in members for k in row if k not in fixed})
        for metric in metrics:
            values = [float(row[metric]) for row in members if row.get(metric, "") != ""]
            if len(values) == len(members):
                mean, half = interval(values)
                merged[metric], merged[f"{metric}_ci95"] = repr(mean), repr(half)
        out.append(merged)
    return out


def write_intervals(path: Path, rows: list[dict]) -> Path:
    """Write intervals.csv (atomically): ``interval_rows`` of results.csv's rows."""
    grouped = interval_rows(rows)
    metrics = sorted({k for row in grouped for k in row} - set(GROUP_OPTIONS) - {"seeds"})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["seeds", *GROUP_OPTIONS, *metrics], restval="",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(grouped)
    with atomic_open(path) as handle:
        handle.write(buffer.getvalue().encode())
    return path
