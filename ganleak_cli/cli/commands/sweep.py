"""``ganleak sweep``: run many ``ganleak simulate`` configurations, one run folder each, skip
finished ones, resume interrupted ones, and gather everything into results.csv.
No TensorFlow (or Ray) import here: every run is a subprocess."""

from __future__ import annotations

import shlex
import time
from pathlib import Path

import click

from ganleak_cli.cli.commands.options import command_option
from ganleak_cli.cli.commands.outdir import check_writable
from ganleak_cli.cli.commands.params import FiniteFloat
from ganleak_cli.cli.sweep.executors import ClusterLost, job_env, run_local, run_ray
from ganleak_cli.cli.sweep.plan import LOGS_NAME, RESULTS_NAME, command_args, plan_runs
from ganleak_cli.cli.sweep.results import result_row, write_intervals, write_results
from ganleak_cli.cli.sweep.spec import build_spec, expand, with_seeds
from ganleak_cli.runfolder.artifacts import RunFolder

option = command_option("sweep")  # GANLEAK_SWEEP_<OPTION>
INTERVALS_NAME = "intervals.csv"

STATE_WORDS = {"finished": "finished", "resume": "to resume", "new": "new",
               "conflict": "in conflict"}


@click.command("sweep", short_help="Run every configuration of a sweep file (locally or on Ray).")
@click.argument("sweep_file", required=False, type=click.Path(exists=True, dir_okay=False))
@option("--grid", "grids", multiple=True, metavar="KEY=V1,V2", show_default=False,
        help="An axis: run every value (repeat for the product of several axes; class lists "
             "are separated by ';').")
@option("--set", "sets", multiple=True, metavar="KEY=VALUE", show_default=False,
        help="An option value shared by every configuration (repeatable).")
@option("--out", type=click.Path(file_okay=False), required=True,
        help="Folder of the sweep: one run folder per configuration, results.csv.")
@option("--name", default=None, show_default="the axis values, e.g. theta_u=0.1,seed=2",
        metavar="TEMPLATE", help="Run folder name, formatted with each configuration's "
                                 "options, e.g. 'tu{theta_u}_s{seed}'.")
@option("--executor", type=click.Choice(["local", "ray"]), default="local",
        help="local: --jobs processes on this machine; ray: one Ray task per configuration.")
@option("--jobs", type=click.IntRange(min=1), default=1,
        help="Local executor: runs at a time.")
@option("--threads-per-job", type=click.IntRange(min=1), default=None,
        show_default="cores // jobs", help="Local executor: TensorFlow threads of each run.")
@option("--ray-address", default=None, show_default="RAY_ADDRESS, else a new local runtime",
        help="Ray: address of the cluster to join.")
@option("--ray-cpus-per-task", type=FiniteFloat(min=0.0, min_open=True), default=1.0,
        help="Ray: CPUs reserved per run (also its TensorFlow threads).")
@option("--ray-gpus-per-task", type=FiniteFloat(min=0.0), default=0.0,
        help="Ray: GPUs reserved per run.")
@option("--seeds", type=click.IntRange(min=1), default=None, show_default="one run each",
        help="Run every configuration with this many seeds (s, s + 1, …) and write "
             "intervals.csv: each metric's mean and 95 % interval over them.")
@option("--dry-run", is_flag=True, default=False,
        help="List the configurations, their folders and states; run nothing.")
@click.pass_context
def sweep_command(ctx, sweep_file, grids, sets, out, name, executor, jobs, threads_per_job,
                  seeds, dry_run, **ray):
    """Run every configuration of SWEEP_FILE (TOML: [base], [axes], [[runs]]) and/or
    --grid/--set, each into <--out>/<name>; write <--out>/results.csv and print its path."""
    for hint, given in (("--jobs", jobs != 1), ("--threads-per-job", threads_per_job)):
        if executor == "ray" and given:
            raise click.BadParameter("is for --executor local; Ray schedules by "
                                     "--ray-cpus-per-task", param_hint=f"'{hint}'")
    if not (sweep_file or grids or sets):
        raise click.UsageError("give a sweep file, --grid or --set")
    spec = build_spec(sweep_file, grids, sets)
    runs = plan_runs(expand(with_seeds(spec, seeds) if seeds else spec), out, name)
    if dry_run:
        show_plan(runs)
        ctx.exit(2 if any(run.state == "conflict" for run in runs) else 0)
    refuse_conflicts(runs)
    prepare_folder(out)
    outcomes, lost = {}, None
    try:
        execute(runs, out, executor, (jobs, threads_per_job), ray, outcomes)
    except ClusterLost as exc:
        lost = exc
    rows = [result_row(r, outcomes.get(r.name)) for r in runs]
    path = write_results(Path(out) / RESULTS_NAME, rows)
    if lost:
        click.echo(str(path))
        raise lost
    if seeds:
        click.echo(str(write_intervals(Path(out) / INTERVALS_NAME, rows)), err=True)
    failed = [r.name for r in runs if not RunFolder(r.folder).complete]
    click.echo(f"{len(runs) - len(failed)} finished, {len(failed)} failed", err=True)
    click.echo(str(path))
    ctx.exit(1 if failed else 0)


def count_states(runs) -> str:
    """``4 configurations: 1 finished, 1 to resume, 2 new``."""
    counts = [f"{sum(r.state == s for r in runs)} {word}" for s, word in STATE_WORDS.items()
              if any(r.state == s for r in runs)]
    return f"{len(runs)} configurations: " + ", ".join(counts)


def show_plan(runs) -> None:
    """One line per configuration on stdout (state, folder, the simulate arguments); the
    counts on stderr."""
    for run in runs:
        detail = f"differs: {run.detail}" if run.detail else shlex.join(command_args(run))
        click.echo(f"{run.state:<9} {run.folder}  {detail}")
    click.echo(count_states(runs), err=True)


def refuse_conflicts(runs) -> None:
    """A folder that holds a run with other options is a usage error (exit 2)."""
    for run in runs:
        if run.state == "conflict":
            raise click.UsageError(f"{run.folder} holds a run with other options "
                                   f"({run.detail}); use another --out or --name")


def prepare_folder(out: str) -> None:
    """Create --out (exit 2 when it is a file, 1 when it cannot be written)."""
    if Path(out).exists() and not Path(out).is_dir():
        raise click.BadParameter(f"{out} exists and is not a folder", param_hint="'--out'")
    check_writable(out)
    Path(out).mkdir(parents=True, exist_ok=True)


def execute(runs, out: str, executor: str, local: tuple, ray: dict, outcomes: dict) -> None:
    """Run every unfinished configuration, putting their outcomes by name into ``outcomes`` as
    they come (so that a sweep whose Ray cluster is lost still knows them). ``local`` is
    (jobs, threads per job or None) of the local executor."""
    jobs = local[0]
    todo = [run for run in runs if run.state != "finished"]
    click.echo(f"{count_states(runs)}; running {len(todo)} with the {executor} executor"
               + (f", {jobs} at a time" if executor == "local" else ""), err=True)
    started = time.monotonic()

    def on_done(outcome: dict) -> None:
        """Record one finished (or failed) run and say so on stderr, with the time elapsed
        and the time left at the pace so far."""
        outcomes[outcome["name"]] = outcome
        click.echo(progress_line(outcome, len(outcomes), len(todo), out,
                                 time.monotonic() - started), err=True)

    work = [job(run, out) for run in todo]
    if work and executor == "local":
        run_local(work, jobs, on_done, threads=local[1])
    elif work:
        run_ray(work, ray["ray_address"], ray["ray_cpus_per_task"],
                ray["ray_gpus_per_task"], on_done)


def job(run, out: str) -> dict:
    """What an executor needs to run one configuration."""
    return {"name": run.name, "folder": str(run.folder), "fresh": list(run.args),
            "data_dir": run.configuration.values.get("data_dir"),
            "log": str(Path(out) / LOGS_NAME / f"{run.name}.log"), "env": job_env()}


def progress_line(outcome: dict, done: int, total: int, out: str,
                  elapsed: float | None = None) -> str:
    """``[2/4] theta_u=1.0,seed=2: finished in 21.3s  (elapsed 0:00:43, ETA 0:00:43)`` (or why
    it failed); the ETA is the time left at the pace of the runs done so far."""
    head = f"[{done}/{total}] {outcome['name']}: "
    pace = ""
    if elapsed is not None:
        left = elapsed / done * (total - done)
        pace = f"  (elapsed {_clock(elapsed)}, ETA {_clock(left)})"
    if outcome["exit_code"] == 0:
        return head + f"finished in {outcome['seconds']:.1f}s" + pace
    log = Path(out) / LOGS_NAME / f"{outcome['name']}.log"
    return (head + f"FAILED (exit {outcome['exit_code']}): {outcome['error']}  [log: {log}]"
            + pace)


def _clock(seconds: float) -> str:
    """``H:MM:SS``."""
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
