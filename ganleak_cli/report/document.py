"""``ganleak report``: one page comparing run folders — curves over rounds, the final sample
grids, and a table of final numbers (Markdown with PNGs beside it, or one self-contained HTML)."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ganleak_cli.core.errors import GanleakError
from ganleak_cli.core.tables import is_number, md_table
from ganleak_cli.report.card import card, shared_lines
from ganleak_cli.report.plots import draw_reference_lines, new_figure, png_bytes, round_axis
from ganleak_cli.runfolder.artifacts import CALIBRATION, CONFIG, METRICS, SUMMARY, RunFolder

# (metric key, plot title, fixed y range or None)
CURVES = [
    ("model_accuracy", "Model accuracy (test set)", (0.0, 1.0)),
    ("victim_class_accuracy", "Victim-class accuracy", (0.0, 1.0)),
    ("oracle_target_rate", "Oracle target rate (samples the oracle calls the target)", (0.0, 1.0)),
    ("nn_ssim_heldout", "Nearest-neighbour SSIM to held-out target images", None),
    ("epsilon_total", "ε total (composed, largest over private participants)", None),
    ("fid_oracle", "Fréchet distance to held-out target images (oracle features)", None),
    ("diversity", "Sample diversity (mean pairwise distance)", None),
]
REFERENCE_CURVE = "nn_ssim_heldout"   # the curve the verdict cards' reference lines are drawn on
# Rows of the table, in this order, when any run has them; then every other numeric
# top-level key that all runs share.
TABLE_KEYS = ["rounds", "seed", "attack", "target_class", "defense", "model_accuracy",
              "victim_class_accuracy", "oracle_target_rate", "nn_ssim_heldout", "identity_match",
              "sample_self_ssim", "face_verdict", "face_verdict_failed", "epsilon_total"]
CONFIG_KEYS = ("rounds", "seed", "attack", "defense", "target_class")


class NotARunFolder(GanleakError):
    """A path given to ``ganleak report`` that is not a run folder."""


@dataclass
class Run:
    """One run folder as the report sees it."""

    root: Path
    name: str
    config: dict
    records: list[dict]
    summary: dict
    finished: bool
    notes: tuple = ()     # what the reader left out and why (a torn last line)

    @property
    def last_round(self) -> int | None:
        """The round of the last evaluation (None before the first)."""
        return self.records[-1]["round"] if self.records else None

    @property
    def status(self) -> str:
        """'finished', or 'unfinished: round R of N'."""
        if self.finished:
            return "finished"
        return f"unfinished: round {self.last_round or 0} of {self.config.get('rounds', '?')}"


@dataclass
class Image:
    """A PNG of the report: its file name in the report folder, caption and bytes."""

    name: str
    caption: str
    data: bytes


@dataclass
class Report:
    """Everything the page shows."""

    runs: list[Run]
    table: list[tuple[str, list[str]]]
    curves: list[Image] = field(default_factory=list)
    grids: dict[str, list[Image]] = field(default_factory=dict)
    calibration: dict[str, list[list[str]]] = field(default_factory=dict)
    cards: list = field(default_factory=list)      # report_card.Card per run


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise NotARunFolder(f"{path}: unreadable ({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise NotARunFolder(f"{path}: not a JSON object")
    return value


def _is_record(record) -> bool:
    """An evaluation record: a JSON object with a whole, non-negative round number."""
    if not isinstance(record, dict):
        return False
    number = record.get("round")
    return isinstance(number, int) and not isinstance(number, bool) and number >= 0


def read_records(path: Path, finished: bool = False) -> tuple[list[dict], tuple]:
    """The evaluations of metrics.jsonl, and notes on what was left out. A damaged line is named
    (NotARunFolder), except the last line of an unfinished run, which a kill may have torn: that
    one is left out, with a note."""
    lines = path.read_text().splitlines()
    records, notes = [], ()
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not _is_record(record):
            if number == len(lines) and not finished:
                notes = (f"{path}: line {number} is torn (a killed run?); left out",)
                continue
            raise NotARunFolder(f"{path}: line {number} is damaged (not an evaluation record)")
        records.append(record)
    return records, notes


def load_run(root: Path, name: str) -> Run:
    """Read a run folder (NotARunFolder when config.json or metrics.jsonl is missing)."""
    missing = [n for n in (CONFIG, METRICS) if not (root / n).is_file()]
    if missing:
        raise NotARunFolder(f"{root}: not a run folder (no {' or '.join(missing)})")
    config = _read_json(root / CONFIG)
    finished = RunFolder(root).complete
    records, notes = read_records(root / METRICS, finished)
    if finished:
        summary = _read_json(root / SUMMARY)
    else:
        last = dict(records[-1]) if records else {}
        last.pop("round", None)
        summary = last
    summary = {**{k: config[k] for k in CONFIG_KEYS if k in config}, **summary}
    return Run(root=root, name=name, config=config, records=records, summary=summary,
               finished=finished, notes=notes)


def run_names(roots: list[Path]) -> list[str]:
    """Folder names, made unique by adding parent folders where two would clash."""
    parts = [r.resolve().parts for r in roots]
    depth = 1
    while True:
        names = ["/".join(p[-depth:]) for p in parts]
        if len(set(names)) == len(names) or depth >= max(len(p) for p in parts):
            return names
        depth += 1


def load_runs(paths: list[str]) -> list[Run]:
    """Every run folder given, in order."""
    roots = [Path(p) for p in paths]
    return [load_run(root, name) for root, name in zip(roots, run_names(roots))]


def format_value(value) -> str:
    """A table cell: 4 significant digits for floats, '—' when absent."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def table_rows(runs: list[Run]) -> list[tuple[str, list[str]]]:
    """(row name, one cell per run): status, the TABLE_KEYS any run has, then the other
    numeric top-level keys all runs share."""
    keys = [k for k in TABLE_KEYS if any(k in run.summary for run in runs)]
    shared = set.intersection(*({k for k, v in run.summary.items() if is_number(v)}
                                for run in runs))
    keys += sorted(shared - set(keys))
    rows = [("status", [run.status for run in runs])]
    return rows + [(k, [format_value(run.summary.get(k)) for run in runs]) for k in keys]


def plot_curve(runs: list[Run], key: str, title: str, ylim, lines=None) -> bytes | None:
    """One PNG with the runs that have ``key`` overlaid over rounds (None when none has it),
    and ``lines`` (name → value) as dashed horizontal reference lines."""
    series = [(i, run, [(r["round"], r[key]) for r in run.records if is_number(r.get(key))])
              for i, run in enumerate(runs)]
    series = [(i, run, points) for i, run, points in series if points]
    if not series:
        return None
    fig, ax = new_figure()
    for index, run, points in series:  # a run keeps its colour in every plot
        label = run.name if run.finished else f"{run.name} (unfinished)"
        ax.plot(*zip(*points), marker="o", markersize=3, label=label, color=f"C{index % 10}")
    draw_reference_lines(ax, lines)
    ax.set(title=title, xlabel="round", ylabel=key)
    round_axis(ax, [r for _, _, points in series for r, _ in points])
    if ylim:
        ax.set_ylim(*ylim)
    return png_bytes(fig, ax)


def all_curves() -> list[tuple]:
    """The CURVES, then those every registered metric family declares."""
    from ganleak_cli.metrics.families import METRICS as FAMILIES

    return CURVES + [curve for family in FAMILIES.all() for curve in family.curves]


def curve_images(runs: list[Run], lines=None) -> list[Image]:
    """The curves any run has data for; ``lines`` drawn on the REFERENCE_CURVE."""
    images = []
    for key, title, ylim in all_curves():
        data = plot_curve(runs, key, title, ylim, lines if key == REFERENCE_CURVE else None)
        if data is not None:
            images.append(Image(f"curve_{key}.png", title, data))
    return images


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "run"


def latest_grid(grids: Path, pattern: str) -> Path | None:
    """The last (by name) grid matching ``pattern`` in ``grids``, or None."""
    found = sorted(grids.glob(pattern))
    return found[-1] if found else None


def final_grid(run: Run, prefix: str) -> Path | None:
    """The run's ``<prefix>_NNNN.png`` grid (``round``: samples, ``compare``: generated over
    nearest private) of its last evaluation, else the last one there is, else None."""
    grids, last = run.root / "grids", run.last_round
    path = grids / f"{prefix}_{last:04d}.png" if last is not None else None
    return path if path is not None and path.is_file() else latest_grid(grids, f"{prefix}_*.png")


def strip_file(run: Run) -> Path | None:
    """The run's strip of samples over rounds, or None."""
    path = run.root / "grids" / "strip.png"
    return path if path.is_file() else None


def grid_files(run: Run) -> list[tuple[str, Path]]:
    """(caption, path) of the run's final grids: the sample grid of the last evaluation, the
    comparison grid (compare_NNNN.png) and the strip over rounds, where they exist."""
    out = []
    for prefix, caption in (("round", "generated samples"), ("compare", "comparison")):
        path = final_grid(run, prefix)
        if path is not None:
            out.append((f"{caption}, {path.stem.replace('_', ' ')}", path))
    strip = strip_file(run)
    if strip is not None:
        out.append(("samples over rounds (strip)", strip))
    return out


def grid_images(runs: list[Run]) -> dict[str, list[Image]]:
    """Each run's final grids, renamed ``<index>_<run>_<file>`` for the report folder."""
    return {run.name: [Image(f"grid{i}_{_slug(run.name)}_{path.name}", caption, path.read_bytes())
                       for caption, path in grid_files(run)]
            for i, run in enumerate(runs, 1)}


CALIBRATION_COLUMNS = ("oracle_target_rate", "identity_match", "identity_flat_baseline",
                       "identity_shuffled_baseline", "nn_ssim_heldout", "sample_self_ssim",
                       "face_verdict_failed")
CALIBRATION_HEADER = ["sample set", "oracle", "identity", "flat", "shuffled", "nn_ssim_heldout",
                      "self-SSIM", "verdict"]


def calibration_table(run: Run) -> list[list[str]]:
    """The run's final figures beside its calibration rows (calibration.json; faces and other
    datasets with identity figures): one row of CALIBRATION_HEADER's cells per sample set."""
    path = run.root / CALIBRATION
    if not path.is_file():
        return []
    rows = _read_json(path).get("rows")
    if not isinstance(rows, list):
        raise NotARunFolder(f"{path}: no list of rows")
    sets = [(f"this run (round {run.last_round})", run.summary),
            *((row.get("set", "?"), row) for row in rows if isinstance(row, dict))]
    table = []
    for name, figures in sets:
        cells = [format_value(figures.get(k)) for k in CALIBRATION_COLUMNS[:-1]]
        failed = figures.get("face_verdict_failed")
        verdict = "—" if failed is None else ("fail: " + failed if failed else "pass")
        table.append([name, *cells, verdict])
    return table


def build(paths: list[str], say=None) -> Report:
    """Read the runs and draw everything the page shows; ``say`` hears each step."""
    say = say or (lambda text: None)
    say(f"reading {len(paths)} run folder{'s' if len(paths) > 1 else ''}")
    runs = load_runs(paths)
    say("verdicts, calibration and reference lines")
    calibration = {run.name: calibration_table(run) for run in runs}
    cards = [card(run) for run in runs]
    say("curves and grids")
    return Report(runs=runs, table=table_rows(runs), curves=curve_images(runs, shared_lines(cards)),
                  grids=grid_images(runs),
                  calibration={name: rows for name, rows in calibration.items() if rows},
                  cards=cards)


def render_markdown(report: Report) -> str:
    """report.md: images referenced by file name (written beside it)."""
    lines = ["# ganleak report", "", "## Verdict", ""]
    lines += md_table(["run", "verdict", "why"],
                      [[c.run, f"**{c.verdict}**", "; ".join(c.reasons)] for c in report.cards])
    lines += ["", "Runs:", ""]
    lines += [f"- **{run.name}** — `{run.root}` ({run.status})" for run in report.runs]
    lines += ["", "## Final numbers", ""]
    lines += md_table(["", *[run.name for run in report.runs]],
                      [[key, *cells] for key, cells in report.table])
    lines += ["", "Final numbers come from summary.json; an unfinished run shows its last "
              "evaluation.", "", "## Curves over rounds", ""]
    lines += [f"![{image.caption}]({image.name})\n" for image in report.curves]
    if not report.curves:
        lines += ["(no evaluations recorded)", ""]
    lines += calibration_markdown(report)
    lines += ["## Final grids", ""]
    for name, images in report.grids.items():
        lines += [f"### {name}", ""]
        lines += [f"{image.caption}:\n\n![{image.caption}]({image.name})\n" for image in images]
        if not images:
            lines += ["(no grids: the run has no attack or no evaluation yet)", ""]
    return "\n".join(lines) + "\n"


CALIBRATION_NOTE = ("Each run's final figures beside the same figures for sample sets whose "
                    "answer is known (see docs/faces.md, *The face verdict*): a recognisable "
                    "reconstruction reads like the person's real faces, not like the rows "
                    "below them.")


def calibration_markdown(report: Report) -> list[str]:
    """The calibration section of report.md (empty when no run has calibration rows)."""
    if not report.calibration:
        return []
    lines = ["## Face verdict and calibration", "", CALIBRATION_NOTE, ""]
    for name, rows in report.calibration.items():
        lines += [f"### {name}", "", *md_table(CALIBRATION_HEADER, rows), ""]
    return lines


def calibration_html(report: Report) -> str:
    """The calibration section of report.html."""
    if not report.calibration:
        return ""
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in CALIBRATION_HEADER)
    parts = [f"<h2>Face verdict and calibration</h2><p>{esc(CALIBRATION_NOTE)}</p>"]
    for name, rows in report.calibration.items():
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
                       for row in rows)
        parts.append(f"<h3>{esc(name)}</h3><table><tr>{head}</tr>{body}</table>")
    return "".join(parts)


def _img_tag(image: Image) -> str:
    data = base64.b64encode(image.data).decode("ascii")
    alt = html.escape(image.caption)
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">'
            f"<figcaption>{alt}</figcaption></figure>")


STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
         "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;"
         "text-align:right}td:first-child,th:first-child{text-align:left}"
         "figure{display:inline-block;margin:.5em}img{max-width:100%}"
         ".unfinished{color:#b00}"
         ".card{border-radius:6px;padding:.6em 1em;margin:.4em 0;border:2px solid}"
         ".card h2{margin:.1em 0;font-size:1.3em}.card ul{margin:.3em 0}"
         ".leaked{background:#f8d0cc;border-color:#c0392b}"
         ".not-shown{background:#d4efd9;border-color:#27ae60}"
         ".no-verdict{background:#e4e4e4;border-color:#888}")
CARD_CLASSES = {"LEAKED": "leaked", "NOT SHOWN TO LEAK": "not-shown", "NO VERDICT": "no-verdict"}


def cards_html(report: Report) -> str:
    """The verdict cards at the top of report.html: one coloured box per run."""
    esc = html.escape
    return "".join(f'<div class="card {CARD_CLASSES[c.verdict]}"><h2>{esc(c.run)}: '
                   f"{esc(c.verdict)}</h2><ul>"
                   + "".join(f"<li>{esc(reason)}</li>" for reason in c.reasons)
                   + "</ul></div>" for c in report.cards)


def render_html(report: Report) -> str:
    """report.html: one file, every image embedded as a base64 data URI."""
    esc = html.escape
    runs = "".join(f"<li><b>{esc(run.name)}</b> — <code>{esc(str(run.root))}</code> "
                   f"<span class=\"{'' if run.finished else 'unfinished'}\">"
                   f"({esc(run.status)})</span></li>" for run in report.runs)
    head = "".join(f"<th>{esc(run.name)}</th>" for run in report.runs)
    rows = "".join(f"<tr><td>{esc(key)}</td>" + "".join(f"<td>{esc(c)}</td>" for c in cells)
                   + "</tr>" for key, cells in report.table)
    curves = "".join(_img_tag(image) for image in report.curves) or "<p>(no evaluations)</p>"
    grids = "".join(f"<h3>{esc(name)}</h3>" + ("".join(_img_tag(i) for i in images)
                                                or "<p>(no grids)</p>")
                    for name, images in report.grids.items())
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ganleak report</title>"
            f"<style>{STYLE}</style></head><body><h1>ganleak report</h1>{cards_html(report)}"
            f"<ul>{runs}</ul>"
            f"<h2>Final numbers</h2><table><tr><th></th>{head}</tr>{rows}</table>"
            f"<p>Final numbers come from summary.json; an unfinished run shows its last "
            f"evaluation.</p><h2>Curves over rounds</h2>{curves}{calibration_html(report)}"
            f"<h2>Final grids</h2>{grids}</body></html>\n")


def check_out(out: Path, run_roots: list[Path], overwrite: bool) -> None:
    """Refuse an --out that is a file, holds or is one of the runs, or (without ``overwrite``)
    is not empty; with ``overwrite`` clear it. Raises ValueError with the reason."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder")
    target = out.resolve()
    for root in run_roots:
        if root.resolve() == target or target in root.resolve().parents:
            raise ValueError(f"{out} holds the run folder {root}; choose another folder")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise ValueError(f"{out} is not empty (use --overwrite to replace it)")
        shutil.rmtree(out)


def write(report: Report, out: Path, fmt: str) -> Path:
    """Write report.md with its PNGs, or the self-contained report.html; return the page."""
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        page = out / "report.html"
        page.write_text(render_html(report), encoding="utf-8")
        return page
    for image in report.curves + [i for images in report.grids.values() for i in images]:
        (out / image.name).write_bytes(image.data)
    page = out / "report.md"
    page.write_text(render_markdown(report), encoding="utf-8")
    return page
