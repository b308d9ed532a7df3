"""Each configuration → checked SimConfig, run folder, command-line arguments and state.

The arguments are parsed exactly as ``ganleak simulate`` parses them (``GANLEAK_*`` variables
included) and checked by the same ``build_config``, so a configuration that would fail as a
usage error fails here, before anything runs. A folder's state: ``finished`` (summary.json),
``resume`` (config.json but no summary.json), ``new``, or ``conflict`` (it holds a run with
other options).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import click

from ganleak_cli.cli.commands.simulate_options import build_config
from ganleak_cli.cli.sweep.executors import NOT_PASSED, args_for_folder
from ganleak_cli.cli.sweep.spec import Configuration, simulate_command
from ganleak_cli.runfolder.artifacts import CONFIG, RunFolder
from ganleak_cli.runfolder.names import field_value, format_name, safe_component
from ganleak_cli.simulation.config import SimConfig

RESULTS_NAME = "results.csv"
LOGS_NAME = "sweep-logs"
# Options that may differ between a folder's run and the sweep's configuration.
NOT_COMPARED = frozenset({"out", "data_dir", "tensorboard"})


@dataclass
class PlannedRun:
    """One configuration, ready to run."""

    index: int
    name: str
    folder: Path
    args: list
    config: SimConfig
    configuration: Configuration
    state: str
    detail: str = ""


def plan_runs(configs: list[Configuration], out: str, template: str | None) -> list[PlannedRun]:
    """Check every configuration and give each its folder ``<out>/<name>``."""
    command = simulate_command()
    runs = [plan_run(command, i, c, Path(out), template) for i, c in enumerate(configs, 1)]
    check_unique(runs)
    return runs


def plan_run(command, index: int, configuration: Configuration, out: Path,
             template: str | None) -> PlannedRun:
    """One configuration checked as ``ganleak simulate`` checks it; its folder and state."""
    label = f"#{index} ({default_name(configuration)})"
    args = option_args(command, configuration.values)
    cfg = checked_config(command, args, label)
    name = run_name(configuration, cfg, template, label)
    cfg = cfg.with_options(out=str(out / name))
    state, detail = folder_state(out / name, cfg)
    return PlannedRun(index, name, out / name, args, cfg, configuration, state, detail)


def default_name(configuration: Configuration) -> str:
    """``theta_u=0.1,seed=2``: the values that define the configuration (``run`` if none)."""
    parts = [f"{name}={field_value(configuration.values.get(name))}"
             for name in configuration.varying]
    return safe_component(",".join(parts)) if parts else "run"


def run_name(configuration: Configuration, cfg: SimConfig, template: str | None,
             label: str) -> str:
    """The folder name: the configuration's own ``name``, else ``--name``, else the default."""
    template = configuration.values.get("name") or template
    if not template:
        return default_name(configuration)
    try:
        name = format_name(template, cfg.to_dict())
    except ValueError as exc:
        raise click.BadParameter(f"configuration {label}: {exc}", param_hint="'--name'") from None
    if name in (RESULTS_NAME, LOGS_NAME):
        raise click.BadParameter(f"configuration {label}: {name!r} is the sweep's own file",
                                 param_hint="'--name'")
    return name


def option_args(command: click.Command, values: dict) -> list[str]:
    """The ``ganleak simulate`` options that set ``values`` (None: leave the default)."""
    params = {p.name: p for p in command.params}
    args = []
    for name, value in values.items():
        if name != "name" and value is not None:
            args += flag_args(params[name], value)
    return args


def flag_args(param: click.Option, value) -> list[str]:
    """``--theta-u 0.1``, ``--dp-adversary``, ``--no-deterministic``, ``--victim-classes 0,1``."""
    if param.is_flag:
        if value:
            return [param.opts[0]]
        return [param.secondary_opts[0]] if param.secondary_opts else []
    if isinstance(value, (tuple, list)):
        text = ",".join(str(v) for v in value) or "none"  # ClassList: none is the empty list
    else:
        text = repr(value) if isinstance(value, float) else str(value)
    return [max(param.opts, key=len), text]


def checked_config(command: click.Command, args: list, label: str) -> SimConfig:
    """Parse ``args`` as ``ganleak simulate`` does and check them with ``build_config``."""
    try:
        with without_variables(NOT_PASSED):  # as the run will see its environment
            ctx = command.make_context("simulate", list(args))
        return build_config(ctx.params)
    except click.UsageError as exc:
        raise click.UsageError(f"configuration {label}: {exc.format_message()}") from None


@contextlib.contextmanager
def without_variables(names):
    """Hide environment variables ``names`` while the block runs."""
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def check_unique(runs: list[PlannedRun]) -> None:
    """Two configurations may not share a folder."""
    seen = {}
    for run in runs:
        if run.name in seen:
            raise click.UsageError(f"configurations #{seen[run.name]} and #{run.index} would both "
                                   f"write {run.folder}; give --name a template with more fields")
        seen[run.name] = run.index


def folder_state(folder: Path, cfg: SimConfig) -> tuple[str, str]:
    """(state, why it conflicts) of a configuration's folder."""
    run_folder = RunFolder(folder)
    if run_folder.complete:
        state = "finished"
    elif run_folder.path(CONFIG).is_file():
        state = "resume"
    else:
        return "new", ""
    diff = differences(run_folder.path(CONFIG), cfg)
    return ("conflict", diff) if diff else (state, "")


def differences(path: Path, cfg: SimConfig) -> str:
    """How the run recorded in ``path`` differs from ``cfg`` ('' when it does not)."""
    if not path.is_file():
        return ""
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return f"{path} cannot be read ({type(exc).__name__})"
    wanted = cfg.to_dict()
    diffs = [f"{key} {recorded[key]!r} there, {wanted[key]!r} here"
             for key in wanted if key not in NOT_COMPARED and key in recorded
             and same(recorded[key]) != same(wanted[key])]
    return "; ".join(diffs)


def same(value):
    """JSON lists and tuples compare equal."""
    return tuple(value) if isinstance(value, list) else value


def command_args(run: PlannedRun) -> list[str]:
    """The arguments after ``simulate`` that start (or resume) ``run``."""
    return args_for_folder(run.args, run.folder, run.configuration.values.get("data_dir"))
