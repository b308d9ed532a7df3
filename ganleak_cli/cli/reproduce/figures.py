"""The reproduction's ``figures/`` folder: per preset the paper-style grids (generated row over
the nearest private row), reconstruction over rounds, accuracy and leakage curves; the ε/c vs
composed-ε table; ``REPORT.md`` with every claim's measured numbers and verdict; and
``results.json``, the same results as data (``ganleak_cli.cli.reproduce.results``).

The folder is written next to its final place and renamed into it, so an interrupted report
never leaves a half-written ``figures/``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ganleak_cli.cli.reproduce import frontier
from ganleak_cli.cli.reproduce.claims import judge
from ganleak_cli.cli.reproduce.presets import Preset, run_folder_name
from ganleak_cli.cli.reproduce.results import RESULTS_JSON, write_results_json
from ganleak_cli.core.tables import md_table
from ganleak_cli.report.document import (
    CALIBRATION_HEADER,
    calibration_table,
    final_grid,
    format_value,
    load_run,
    plot_curve,
    strip_file,
)
from ganleak_cli.runfolder.artifacts import RunFolder

CURVES = [("model_accuracy", "Model accuracy (test set)", (0.0, 1.0)),
          ("oracle_target_rate", "Oracle target rate", (0.0, 1.0)),
          ("identity_match", "identity_match (nearest face is the target)", (0.0, 1.0)),
          ("nn_ssim_heldout", "Nearest-neighbour SSIM to held-out target images", None),
          ("epsilon_total", "ε total (composed)", None)]
EPSILON_KEYS = ("epsilon_per_param", "epsilon_nominal", "epsilon_round", "epsilon_total",
                "accountant")
REPORT_NAME = "REPORT.md"


@dataclass
class PresetResult:
    """A preset's loaded runs, verdicts and figure files (relative to ``figures/``)."""

    preset: Preset
    runs: dict          # run name → report.Run of its first seed, or None when it never started
    verdicts: list
    figures: list       # (caption, relative path)
    frontier: list = field(default_factory=list)   # REPORT.md lines of a [frontier] preset
    summaries: dict = field(default_factory=dict)  # run name → summary per seed (None: unfinished)


def load_preset_runs(preset: Preset, runs_root: Path) -> dict:
    """Each run's folders, one per seed, read as ``ganleak report`` reads them (None when it
    never started): run name → list over seeds."""
    out = {}
    for run in preset.runs:
        out[run] = []
        for k in range(preset.seeds):
            folder = runs_root / run_folder_name(preset, run, k)
            out[run].append(load_run(folder, run) if RunFolder(folder).started else None)
    return out


def preset_result(preset: Preset, runs_root: Path, folder: Path) -> PresetResult:
    """Judge the preset's claims and draw its figures into ``folder/<preset>/``."""
    per_seed = load_preset_runs(preset, runs_root)
    summaries = {name: [run.summary if run and run.finished else None for run in seeds]
                 for name, seeds in per_seed.items()}
    runs = {name: seeds[0] for name, seeds in per_seed.items()}  # figures: the first seed
    verdicts = [judge(claim, summaries) for claim in preset.claims]
    target = folder / preset.name
    target.mkdir(parents=True, exist_ok=True)
    lines, figures = frontier_part(preset, runs, summaries, target)
    figures += grid_figures(runs, target) + curve_figures(runs, target)
    return PresetResult(preset, runs, verdicts,
                        [(c, f"{preset.name}/{p.name}") for c, p in figures], lines, summaries)


FRONTIER_PLOTS = (("victim_class_accuracy", "model accuracy on the victims' classes", False),
                  ("epsilon_total", "honest total ε of a victim", True))


def frontier_part(preset: Preset, runs: dict, summaries: dict, target: Path):
    """A ``[frontier]`` preset's section lines and its two figures (nothing for other presets,
    or before any of its runs started)."""
    started = [run for run in runs.values() if run is not None]
    if not preset.frontier or not started:
        return [], []
    lines = frontier.reference_lines(started[0].config)
    all_points = frontier.points(preset.frontier, summaries)
    figures = []
    for key, label, log_x in FRONTIER_PLOTS:
        path = target / f"frontier_{key}.png"
        path.write_bytes(frontier.plot(all_points, lines, key, label, log_x))
        figures.append((f"attack success vs {label}", path))
    return frontier.section(all_points, lines), figures


def grid_figures(runs: dict, target: Path) -> list:
    """Each run's last comparison grid and its strip over rounds, copied."""
    out = []
    for name, run in runs.items():
        if run is None:
            continue
        for caption, source in ((f"{name}: generated (top) over nearest private (bottom)",
                                 final_grid(run, "compare")),
                                (f"{name}: reconstruction over rounds", strip_file(run))):
            if source is not None:
                copy = target / f"{name}_{source.name}"
                shutil.copyfile(source, copy)
                out.append((caption, copy))
    return out


def curve_figures(runs: dict, target: Path) -> list:
    """Curves over rounds of every CURVES metric some run reported."""
    loaded = [run for run in runs.values() if run is not None]
    out = []
    for key, title, ylim in CURVES:
        data = plot_curve(loaded, key, title, ylim) if loaded else None
        if data is not None:
            path = target / f"curve_{key}.png"
            path.write_bytes(data)
            out.append((title, path))
    return out


def epsilon_rows(results: list[PresetResult]) -> list[list[str]]:
    """One row per finished DP run: preset/run and the nominal vs composed ε figures."""
    rows = []
    for result in results:
        for name, run in result.runs.items():
            if run is not None and run.finished and "epsilon_total" in run.summary:
                rows.append([f"{result.preset.name}/{name}",
                             *[format_value(run.summary.get(k)) for k in EPSILON_KEYS]])
    return rows


def render(results: list[PresetResult], header: dict) -> str:
    """REPORT.md: totals, every claim with its numbers and verdict, the ε table, figures."""
    verdicts = [v for r in results for v in r.verdicts]
    counts = {k: sum(v.verdict == k for v in verdicts)
              for k in ("PASS", "FAIL", "UNCERTAIN", "MISSING")}
    lines = ["# ganleak: the paper's claims, reproduced and scored", ""]
    lines += [f"- {key}: {value}" for key, value in header.items()]
    lines += [f"- verdicts: {counts['PASS']} PASS, {counts['FAIL']} FAIL, "
              f"{counts['UNCERTAIN']} UNCERTAIN, {counts['MISSING']} MISSING "
              f"(of {len(verdicts)} claims)", "",
              "A claim over several seeds is judged on its 95 % interval: PASS or FAIL when the "
              "interval clears the threshold, UNCERTAIN when it straddles it.", "",
              "## Claims", ""]
    rows = [[r.preset.name, v.claim, f"`{v.check}`", v.measured, f"**{v.verdict}**", v.explain]
            for r in results for v in r.verdicts]
    lines += md_table(["preset", "claim", "check", "measured", "verdict", "why not"], rows)
    lines += ["", "## ε/c (per parameter) vs composed ε", ""]
    eps = epsilon_rows(results)
    lines += md_table(["run", *EPSILON_KEYS], eps) if eps else ["(no finished DP run)"]
    for result in results:
        lines += preset_section(result)
    return "\n".join(lines) + "\n"


def preset_section(result: PresetResult) -> list[str]:
    """One preset's runs (status) and figures."""
    p = result.preset
    lines = ["", f"## {p.name}: {p.title}", ""]
    if p.paper:
        lines += [f"Paper: {p.paper}", ""]
    if p.seeds > 1:
        lines += [f"{p.seeds} seeds per run; the figures show the first.", ""]
    for name, run in result.runs.items():
        lines.append(f"- run `{name}`: {run.status if run else 'not started'}")
    lines.append("")
    if result.frontier:
        lines += [*result.frontier, ""]
    for name, run in result.runs.items():
        table = calibration_table(run) if run is not None else []
        if table:
            lines += [f"Face verdict of `{name}` beside its calibration rows:", "",
                      *md_table(CALIBRATION_HEADER, table), ""]
    lines += [f"![{caption}]({path})  \n*{caption}*\n" for caption, path in result.figures]
    return lines


def write_report(presets: list[Preset], runs_root: Path, out: Path, header: dict) -> Path:
    """Build ``out`` (figures and REPORT.md) in a sibling folder, then swap it in."""
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    results = [preset_result(p, runs_root, staging) for p in presets]
    (staging / REPORT_NAME).write_text(render(results, header), encoding="utf-8")
    write_results_json(staging / RESULTS_JSON, results, header)
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return out / REPORT_NAME
