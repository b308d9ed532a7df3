"""Results pages rendered from reproduction results (``results.json`` files, see
``ganleak_cli.cli.reproduce.results``): the documentation's results page and the README's
headline table. Nothing here measures; every number comes from the files, so a committed page
can be checked against the committed results by rendering it again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ganleak_cli.core.errors import GanleakError
from ganleak_cli.core.tables import md_table
from ganleak_cli.report.intervals import interval

PAGE_METRICS = ("oracle_target_rate", "nn_ssim_heldout", "fid_oracle", "identity_match",
                "real_class_accuracy", "victim_class_accuracy", "epsilon_total")
README_METRICS = ("oracle_target_rate", "nn_ssim_heldout", "real_class_accuracy")
BEGIN = "<!-- results:begin (rendered by `make results` from results/*.json; do not edit) -->"
END = "<!-- results:end -->"
PAGE_INTRO = """# Results

Every number on this page is rendered by `make results` from the results files committed under
`results/` in the repository, each one the `results.json` that `make reproduce-figures` (or
`ganleak reproduce --only PRESET`) wrote beside its `REPORT.md`. CI renders the page again and
fails when it differs. A value reads `mean ± half-width` of the 95 % t-interval over the seeds
(the count in brackets); a claim over several seeds is judged on the interval of its
difference, as in REPORT.md ([reproducing](reproducing.md)). What the metrics mean:
[metrics](metrics.md)."""


class ResultsError(GanleakError):
    """A results file that cannot be read or lacks what a page needs."""


def load_results(folder: Path) -> list[tuple[str, dict]]:
    """(file name, document) for every ``*.json`` under ``folder``, by name."""
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        try:
            out.append((path.name, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError) as exc:
            raise ResultsError(f"{path}: not a results file ({exc})") from exc
    return out


def value(values: list) -> str:
    """``mean ± half (n)``, or the single value, to three significant digits; '—' for none."""
    if not values:
        return "—"
    mean, half = interval([float(v) for v in values])
    if len(values) == 1:
        return f"{mean:.3g}"
    return f"{mean:.3g} ± {half:.2g} ({len(values)})"


def settings_text(settings: dict) -> str:
    """A run's options as the command line spells them."""
    return " ".join(f"`--{k} {v}`" for k, v in settings.items()) or "defaults"


def runs_table(preset: dict, metrics: tuple, finished_only: bool = False) -> list[str]:
    """One row per run (with ``finished_only``, per run with a finished seed): its options, how
    many of its seeds finished, and each metric that some run reported."""
    runs = {name: run for name, run in preset["runs"].items()
            if run["seeds_finished"] or not finished_only}
    shown = [m for m in metrics if any(m in r["metrics"] for r in runs.values())]
    rows = [[f"`{name}`", settings_text(run["settings"]),
             f"{run['seeds_finished']} of {preset['seeds']}",
             *[value(run["metrics"].get(m, [])) for m in shown]]
            for name, run in runs.items()]
    return md_table(["run", "options", "seeds", *[f"`{m}`" for m in shown]], rows)


def claims_table(preset: dict) -> list[str]:
    """Each claim, what was measured, and its verdict."""
    rows = [[c["claim"], c["measured"], f"**{c['verdict']}**"] for c in preset["claims"]]
    return md_table(["claim", "measured", "verdict"], rows)


def preset_section(source: str, doc: dict, preset: dict) -> list[str]:
    """A preset's heading, provenance, claims and runs."""
    profile = doc.get("header", {}).get("profile", "?")
    lines = ["", f"## {preset['title']}", ""]
    if preset.get("paper"):
        lines += [f"Paper: {preset['paper']}", ""]
    lines += [f"Preset `{preset['name']}`, profile `{profile}`, {preset['seeds']} seed(s) per "
              f"run; source: `results/{source}`.", ""]
    lines += claims_table(preset) + [""] + runs_table(preset, PAGE_METRICS)
    return lines


def render_page(documents: list[tuple[str, dict]]) -> str:
    """The whole results page."""
    lines = PAGE_INTRO.splitlines()
    for source, doc in documents:
        for preset in doc["presets"]:
            lines += preset_section(source, doc, preset)
    return "\n".join(lines) + "\n"


def find_preset(documents: list[tuple[str, dict]], name: str) -> tuple[str, dict, dict]:
    """The first preset called ``name`` in the documents (ResultsError when none is)."""
    for source, doc in documents:
        for preset in doc["presets"]:
            if preset["name"] == name:
                return source, doc, preset
    raise ResultsError(f"no results file holds the preset {name!r}")


def readme_block(documents: list[tuple[str, dict]], preset_name: str) -> list[str]:
    """The README's headline table: the preset's runs and README_METRICS."""
    source, doc, preset = find_preset(documents, preset_name)
    profile = doc.get("header", {}).get("profile", "?")
    return [BEGIN, "", *runs_table(preset, README_METRICS, finished_only=True), "",
            f"*{preset['title']}; profile `{profile}`, {preset['seeds']} seed(s) per run, "
            f"mean ± 95 % half-width (seeds); from `results/{source}`.*", "", END]


def markers(name: str) -> tuple[str, str]:
    """The BEGIN and END comments of a rendered block called ``name`` (``results``: BEGIN, END)."""
    return BEGIN.replace("results:begin", f"{name}:begin"), END.replace("results:", f"{name}:")


def splice(text: str, block: list[str], name: str = "results") -> str:
    """``text`` with the part between the block's markers (included) replaced by ``block``."""
    begin, end = markers(name)
    prefix = begin.split(" (")[0]
    pattern = re.compile(re.escape(prefix) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ResultsError(f"no {prefix} … {end} markers to render into")
    return pattern.sub(lambda _: "\n".join(block), text, count=1)
