"""``ganleak simulate --resume RUN_DIR``: the options come from the run's own config.json."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.core import ParameterSource

from ganleak_cli.artifacts import CONFIG, RunFolder
from ganleak_cli.config import SimConfig

# Options that may be given together with --resume (they do not change the experiment).
RESUME_COMPATIBLE = ("resume", "data_dir", "as_json", "config", "tensorboard")
CLASS_FIELDS = ("victim_classes", "adversary_classes")


def _explicit(ctx: click.Context) -> list[str]:
    """Names of the options given on the command line."""
    return [name for name in ctx.params
            if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE]


def read_run_config(run_dir: Path) -> dict:
    """The SimConfig fields recorded in ``run_dir/config.json`` (usage error when absent)."""
    path = RunFolder(run_dir).path(CONFIG)
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"{path}: not a run folder with a readable config.json "
                                 f"({type(exc).__name__})", param_hint="'--resume'") from None
    fields = {f for f in SimConfig.__dataclass_fields__}
    values = {k: v for k, v in recorded.items() if k in fields}
    for name in CLASS_FIELDS:
        if name in values:
            values[name] = tuple(values[name])
    return values


def resume_config(ctx: click.Context, run_dir: str) -> SimConfig:
    """The recorded config of ``run_dir`` (``--data-dir`` may point elsewhere now)."""
    clash = [n for n in _explicit(ctx) if n not in RESUME_COMPATIBLE]
    if clash:
        names = ", ".join("--" + n.replace("_", "-") for n in clash)
        raise click.BadParameter(f"continues the run with its recorded options; do not combine "
                                 f"it with {names}", param_hint="'--resume'")
    values = read_run_config(Path(run_dir))
    values["out"] = run_dir
    if ctx.get_parameter_source("data_dir") in (ParameterSource.COMMANDLINE,
                                                 ParameterSource.ENVIRONMENT):
        values["data_dir"] = ctx.params["data_dir"]
    if ctx.params.get("tensorboard"):  # may be switched on for the rest of a run
        values["tensorboard"] = True
    try:
        return SimConfig(**values)
    except TypeError as exc:
        raise click.BadParameter(f"{run_dir}/config.json: {exc}", param_hint="'--resume'") from None
