"""The reproduction's machine-readable results: ``results.json`` beside ``REPORT.md``.

Every number a results page or the README shows is rendered from such a file
(``ganleak_cli.report.results_page``), so a committed copy under ``results/`` is the single
source of the published figures. Per preset it keeps each run's settings, every numeric
summary metric per finished seed, and each claim's verdict as REPORT.md gives it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from ganleak_cli.core.tables import is_number

SCHEMA = 1
RESULTS_JSON = "results.json"


def results_document(results: list, header: dict) -> dict:
    """The JSON document of a reproduction's PresetResults and its REPORT.md header."""
    return {"schema": SCHEMA, "header": header,
            "presets": [preset_entry(result) for result in results]}


def preset_entry(result) -> dict:
    """One preset: its title, seeds, claims with verdicts, and runs."""
    preset = result.preset
    return {"name": preset.name, "title": preset.title, "paper": preset.paper,
            "seeds": preset.seeds,
            "claims": [dataclasses.asdict(v) for v in result.verdicts],
            "runs": {name: run_entry(preset.runs[name], seeds)
                     for name, seeds in result.summaries.items()}}


def run_entry(settings: dict, summaries: list) -> dict:
    """A run's options, how many seeds finished, and each numeric summary metric over them."""
    finished = [s for s in summaries if s]
    keys = sorted({k for s in finished for k, v in s.items() if is_number(v)})
    metrics = {k: [s[k] for s in finished] for k in keys
               if all(is_number(s.get(k)) for s in finished)}
    return {"settings": settings, "seeds_finished": len(finished), "metrics": metrics}


def write_results_json(path: Path, results: list, header: dict) -> None:
    """Write the document, keys sorted and indented, so a rerun's diff reads line by line."""
    text = json.dumps(results_document(results, header), indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
