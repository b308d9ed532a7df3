"""``ganleak reproduce``: run every preset of the paper (``ganleak_cli/presets/*.toml``, or
``--presets``) at one profile,
reusing finished runs, resuming interrupted ones (it is a sweep) and running again those whose
preset changed, then write ``figures/``
with the paper-style figures and REPORT.md scoring each claim PASS/FAIL.
No TensorFlow import here: the runs are sweep subprocesses."""

from __future__ import annotations

import dataclasses
import datetime
import shutil
import time
from pathlib import Path

import click

from ganleak_cli.cli.commands.options import command_option
from ganleak_cli.cli.commands.sweep import execute, prepare_folder
from ganleak_cli.cli.reproduce.figures import REPORT_NAME, write_report
from ganleak_cli.cli.reproduce.presets import PROFILES, load_presets, shipped_presets, sweep_spec
from ganleak_cli.cli.sweep.plan import RESULTS_NAME, plan_runs
from ganleak_cli.cli.sweep.results import result_row, write_results
from ganleak_cli.cli.sweep.spec import expand
from ganleak_cli.runfolder.artifacts import RunFolder

option = command_option("reproduce")  # GANLEAK_REPRODUCE_<OPTION>


@click.command("reproduce", short_help="Run the paper's experiments and score every claim.")
@option("--profile", type=click.Choice(PROFILES), default="quick",
        help="tiny: every preset for a few rounds (pipeline check); quick: about an hour on "
             "2 cores; full: the paper's scale (GPU or a long night).")
@option("--presets", type=click.Path(file_okay=False, exists=True), default=None,
        show_default="the presets shipped with ganleak",
        help="Folder of preset files (*.toml, and profiles.toml).")
@option("--only", multiple=True, metavar="PRESET", show_default=False,
        help="Run and report only this preset (repeatable).")
@option("--runs", type=click.Path(file_okay=False), default=None,
        show_default="runs/reproduce-<profile>", help="Folder of the runs (reused and resumed).")
@option("--figures", type=click.Path(file_okay=False), default=None,
        show_default="figures (tiny: figures-tiny)", help="Folder to write figures and "
                                                          "REPORT.md into (replaced).")
@option("--jobs", type=click.IntRange(min=1), default=1, help="Runs at a time.")
@option("--seeds", type=click.IntRange(min=1), default=None,
        show_default="each preset's own for the profile (quick: 3 for the MNIST presets)",
        help="Run every preset run with this many seeds and judge each claim on its 95 % "
             "interval (PASS, FAIL or UNCERTAIN).")
@option("--report-only", is_flag=True, default=False,
        help="Run nothing: write the report from the runs already in --runs (a run not "
             "finished there is reported as such, its claims MISSING).")
@click.pass_context
def reproduce_command(ctx, profile, presets, only, runs, figures, jobs, seeds, report_only):
    """Run the paper's experiments (PROFILE) and score every claim in <figures>/REPORT.md."""
    start = time.monotonic()
    figures_dir = Path(figures or default_figures(profile))
    check_figures_folder(figures_dir)
    chosen = load_presets(Path(presets) if presets else shipped_presets(), profile, only)
    if seeds is not None:
        chosen = [dataclasses.replace(preset, seeds=seeds) for preset in chosen]
    runs_root = Path(runs or f"runs/reproduce-{profile}")
    planned = plan_runs(expand(sweep_spec(chosen)), str(runs_root), None)
    if not report_only:
        prepare_folder(str(runs_root))
        replace_stale(planned)
        outcomes = {}
        execute(planned, str(runs_root), "local", (jobs, None), {}, outcomes)
        write_results(runs_root / RESULTS_NAME,
                      [result_row(r, outcomes.get(r.name)) for r in planned])
    reused = sum(r.state == "finished" for r in planned)
    header = {"profile": profile, "date": datetime.date.today().isoformat(),
              "runs": f"{runs_root} ({len(planned)} runs, {reused} "
                      + ("finished before; --report-only: none run)" if report_only else
                         "reused from an earlier invocation)"),
              "wall time of this invocation": f"{time.monotonic() - start:.0f} s"}
    report = write_report(chosen, runs_root, figures_dir, header)
    failed = [r.name for r in planned if not RunFolder(r.folder).complete]
    click.echo(f"{len(planned) - len(failed)} runs finished, {len(failed)} "
               f"{'not finished' if report_only else 'failed'}", err=True)
    click.echo(str(report))
    ctx.exit(1 if failed and not report_only else 0)


def replace_stale(planned) -> None:
    """A run whose preset changed since it ran (state ``conflict``) is run again: its folder
    under the reproduction's own runs folder is removed, and stderr says why."""
    for run in planned:
        if run.state == "conflict":
            click.echo(f"{run.name}: its preset changed ({run.detail}); running it again",
                       err=True)
            shutil.rmtree(run.folder)
            run.state = "new"


def check_figures_folder(folder: Path) -> None:
    """--figures is replaced as a whole: refuse a file, or a non-empty folder that does not
    hold an earlier report (exit 2), before anything runs."""
    if folder.exists() and not folder.is_dir():
        raise click.BadParameter(f"{folder} exists and is not a folder", param_hint="'--figures'")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / REPORT_NAME).is_file():
        raise click.BadParameter(f"{folder} is not empty and holds no {REPORT_NAME}; it would be "
                                 "replaced", param_hint="'--figures'")


def default_figures(profile: str) -> str:
    """``figures`` for the real profiles; the tiny pipeline check writes ``figures-tiny``."""
    return "figures-tiny" if profile == "tiny" else "figures"
