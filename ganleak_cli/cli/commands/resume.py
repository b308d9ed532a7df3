"""``ganleak simulate --resume RUN_DIR``: the options come from the run's own config.json."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.core import ParameterSource

from ganleak_cli.runfolder.artifacts import CONFIG, RunFolder
from ganleak_cli.simulation.config import OPTION_FIELDS, SimConfig, migrate_config

# Options that may be given together with --resume (they do not change the experiment).
RESUME_COMPATIBLE = ("resume", "data_dir", "as_json", "config", "tensorboard")
CLASS_FIELDS = ("victim_classes", "adversary_classes")


def _explicit(ctx: click.Context) -> list[str]:
    """Names of the options given on the command line."""
    return [name for name in ctx.params
            if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE]


def read_run_config(run_dir: Path) -> dict:
    """The options recorded in ``run_dir/config.json`` (usage error when absent)."""
    path = RunFolder(run_dir).path(CONFIG)
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"{path}: not a run folder with a readable config.json "
                                 f"({type(exc).__name__})", param_hint="'--resume'") from None
    if not isinstance(recorded, dict):
        raise click.BadParameter(f"{path}: not a run's config (a JSON object of options)",
                                 param_hint="'--resume'")
    try:
        recorded = migrate_config(recorded)
    except ValueError as exc:
        raise click.BadParameter(f"{path}: {exc}", param_hint="'--resume'") from None
    values = {k: v for k, v in recorded.items() if k in OPTION_FIELDS}
    for name in CLASS_FIELDS:
        if name in values and values[name] is not None:
            if not (isinstance(values[name], list)
                    and all(isinstance(c, int) and not isinstance(c, bool)
                            for c in values[name])):
                raise click.BadParameter(f"{path}: {name} is not a list of class numbers",
                                         param_hint="'--resume'")
            values[name] = tuple(values[name])
    return values


def _wrong_kind(value, option: click.Parameter, default) -> bool:
    """JSON values a config.json cannot hold for this option: None where the option has a
    value by default, lists and objects, fractions for whole numbers, non-booleans for flags."""
    if value is None:
        return default is not None
    kind = option.type
    return (isinstance(value, (dict, list))
            or (isinstance(kind, click.types.IntParamType) and not isinstance(value, int))
            or (isinstance(kind, click.types.BoolParamType) and not isinstance(value, bool)))


def _checked(ctx: click.Context, values: dict, path: Path) -> dict:
    """Each recorded value passed through its option's own type (range, choice, dataset name):
    a damaged config.json is named, key and all, rather than failing later."""
    options = {p.name: p for p in ctx.command.params}
    defaults = {name: field.default for name, field in OPTION_FIELDS.items()}
    checked = dict(values)
    for name, value in values.items():
        option = options.get(name)
        if option is None or name in CLASS_FIELDS:
            continue
        if _wrong_kind(value, option, defaults.get(name)):
            raise click.BadParameter(f"{path}: key {name!r}: {value!r} is not a valid value",
                                     param_hint="'--resume'")
        if value is None:
            continue
        try:
            checked[name] = option.type.convert(value, option, ctx)
        except click.BadParameter as exc:
            raise click.BadParameter(f"{path}: key {name!r}: {exc.message}",
                                     param_hint="'--resume'") from None
    return checked


def resume_config(ctx: click.Context, run_dir: str) -> SimConfig:
    """The recorded config of ``run_dir`` (``--data-dir`` may point elsewhere now)."""
    clash = [n for n in _explicit(ctx) if n not in RESUME_COMPATIBLE]
    if clash:
        names = ", ".join("--" + n.replace("_", "-") for n in clash)
        raise click.BadParameter(f"continues the run with its recorded options; do not combine "
                                 f"it with {names}", param_hint="'--resume'")
    values = _checked(ctx, read_run_config(Path(run_dir)),
                      RunFolder(Path(run_dir)).path(CONFIG))
    values["out"] = run_dir
    if ctx.get_parameter_source("data_dir") in (ParameterSource.COMMANDLINE,
                                                 ParameterSource.ENVIRONMENT):
        values["data_dir"] = ctx.params["data_dir"]
    if ctx.params.get("tensorboard"):  # may be switched on for the rest of a run
        values["tensorboard"] = True
    try:
        return SimConfig.from_options(**values)
    except (TypeError, ValueError) as exc:
        raise click.BadParameter(f"{run_dir}/config.json: {exc}", param_hint="'--resume'") from None
