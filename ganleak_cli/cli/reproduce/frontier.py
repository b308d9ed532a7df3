"""The defence frontier (a preset's ``[frontier]`` table): the attack's success against the
shared model's accuracy and against the honest ε a victim spends, one line per defence, each
point the mean and 95 % interval over the preset's seeds.

Success is ``nn_ssim_heldout`` (SSIM of each sample to its nearest held-out image of the target
class), read against reference lines measured with the same code on real images: another class
of the victims (what a reconstruction that learned nothing of the target scores), the target
class itself (held-out images scored against the rest), and uniform noise. The attack *beats* a
line when the lower end of its interval is above it; the frontier table names, per defence, the
weakest setting at which it no longer does, and what the model's accuracy is there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ganleak_cli.core.tables import md_table
from ganleak_cli.metrics import reference
from ganleak_cli.report.intervals import interval
from ganleak_cli.report.plots import draw_reference_lines, new_figure, png_bytes

SUCCESS = "nn_ssim_heldout"
FIGURES = ("oracle_target_rate", "nn_ssim_heldout", "victim_class_accuracy", "epsilon_total")


@dataclass(frozen=True)
class Point:
    """One run of the frontier: its defence, name and each figure's (mean, half-width)."""

    defence: str
    run: str
    figures: dict        # figure → (mean, half-width), or None when no seed reported it
    seeds: int           # finished seeds


def reference_lines(config: dict) -> dict:
    """The reference lines of a run's data and target (``metrics.reference``, cached), named
    for the report."""
    target, classes = int(config["target_class"]), tuple(config["victim_classes"])
    lines = reference.run_lines(config["dataset"], config.get("data_dir"),
                                config.get("image_size"), target, classes)
    closest = lines["another_class"]
    others = sorted(c for c in classes if c != target)
    return {f"{reference.ANOTHER} ({closest}, the closest of {others})": lines[reference.ANOTHER],
            f"{reference.ITSELF} ({target}, held-out vs the rest)": lines[reference.ITSELF],
            reference.NOISE: lines[reference.NOISE]}


def points(frontier: dict, summaries: dict) -> list[Point]:
    """Every run of ``frontier`` (defence → run names) with its figures over the finished
    seeds (``summaries``: run → list over seeds of summary dicts or None)."""
    out = []
    for defence, runs in frontier.items():
        for run in runs:
            done = [s for s in summaries.get(run, []) if s is not None]
            out.append(Point(defence, run, {key: _mean(done, key) for key in FIGURES},
                             len(done)))
    return out


def _mean(summaries: list[dict], key: str):
    values = [float(s[key]) for s in summaries
              if isinstance(s.get(key), (int, float)) and math.isfinite(s[key])]
    return interval(values) if values else None


def beats(point: Point, line: float) -> bool | None:
    """Whether the attack's success interval lies wholly above ``line`` (None: no figure)."""
    figure = point.figures[SUCCESS]
    return None if figure is None else figure[0] - figure[1] > line


def stopping_rows(all_points: list[Point], line: float) -> list[list[str]]:
    """Per defence, the weakest run whose success no longer beats ``line``, and its accuracy."""
    rows = []
    for defence in dict.fromkeys(p.defence for p in all_points):
        mine = [p for p in all_points if p.defence == defence]
        stop = next((p for p in mine if beats(p, line) is False), None)
        if stop is None:
            rows.append([defence, "none of these settings", "—", "—"])
        else:
            rows.append([defence, stop.run, _cell(stop.figures[SUCCESS]),
                         _cell(stop.figures["victim_class_accuracy"])])
    return rows


def _cell(figure) -> str:
    if figure is None:
        return "—"
    mean, half = figure
    return f"{mean:.3g} ± {half:.2g}" if half else f"{mean:.3g}"


def section(all_points: list[Point], lines: dict) -> list[str]:
    """REPORT.md's frontier section: the points, the reference lines and the stopping table."""
    another = next(v for k, v in lines.items() if k.startswith("another class"))
    out = ["### The defence frontier", "",
           "Each point: mean ± 95 % interval over its finished seeds.", "",
           "\"Beats another class\": the lower end of the point's 95 % interval of "
           f"{SUCCESS} is above the line; \"no\" means not shown to beat it with these seeds "
           "(a wide interval reads no), not that every seed fell under it.", "",
           *md_table(["defence", "run", "seeds", *FIGURES, "beats another class"],
                     [[p.defence, p.run, str(p.seeds), *(_cell(p.figures[k]) for k in FIGURES),
                       {True: "yes", False: "no", None: "—"}[beats(p, another)]]
                      for p in all_points]),
           "", f"Reference lines ({SUCCESS} of real images, the same code):", "",
           *md_table(["images", SUCCESS], [[k, f"{v:.3f}"] for k, v in lines.items()]),
           "", "The weakest setting of each defence at which the attack no longer beats the "
           "'another class' line, and the model's accuracy on the victims' classes there:", "",
           *md_table(["defence", "weakest stopping setting", SUCCESS, "victim_class_accuracy"],
                     stopping_rows(all_points, another))]
    return out


def plot(all_points: list[Point], lines: dict, x_key: str, x_label: str, log_x: bool) -> bytes:
    """Success against ``x_key``, one line per defence with both intervals, and the reference
    lines dashed; points without an ``x_key`` figure (no ε for plain sparsification) are left
    out of that plot."""
    fig, ax = new_figure((6.4, 4.0))
    for index, defence in enumerate(dict.fromkeys(p.defence for p in all_points)):
        mine = [p for p in all_points if p.defence == defence
                and p.figures[x_key] is not None and p.figures[SUCCESS] is not None]
        if mine:
            ax.errorbar([p.figures[x_key][0] for p in mine], [p.figures[SUCCESS][0] for p in mine],
                        xerr=[p.figures[x_key][1] for p in mine],
                        yerr=[p.figures[SUCCESS][1] for p in mine], marker="o", capsize=3,
                        label=defence, color=f"C{index}")
    draw_reference_lines(ax, lines)
    ax.set(xlabel=x_label, ylabel=SUCCESS, title=f"attack success vs {x_label}")
    if log_x:
        ax.set_xscale("log")
    return png_bytes(fig, ax, "x-small")
