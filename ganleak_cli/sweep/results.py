"""results.csv: one row per configuration with its status, every option of the run and every
final number of its summary.json (nested ones flattened: ``accuracy_per_class/3``)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ganleak_cli.artifacts import SUMMARY, RunFolder, atomic_open
from ganleak_cli.config import SimConfig
from ganleak_cli.tables import numeric_leaves

LEAD_COLUMNS = ["name", "status", "action", "exit_code", "error", "folder"]
ACTIONS = {"finished": "skipped", "resume": "resumed", "new": "ran"}


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
           "error": "" if outcome is None else outcome["error"], "folder": str(run.folder)}
    row.update({key: cell(value) for key, value in run.config.to_dict().items()})
    row.update({k: cell(v) for k, v in numeric_leaves(summary or {}).items() if k not in row})
    return row


def columns(rows: list[dict]) -> list[str]:
    """Lead columns, then the options (SimConfig order), then the metrics (sorted)."""
    options = list(SimConfig.__dataclass_fields__)
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
