"""``ganleak simulate``: run one simulation into a run folder (or resume one)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from ganleak_cli.cli.commands.options import option
from ganleak_cli.cli.commands.outdir import prepare_out
from ganleak_cli.cli.commands.resume import resume_config
from ganleak_cli.cli.commands.simulate_options import (
    SIMULATE_OPTIONS,
    apply_options,
    build_config,
    usage_error,
)
from ganleak_cli.core.errors import ConfigError, GanleakError, RunInterrupted
from ganleak_cli.core.stdio import import_tensorflow_quietly, stdout_to_stderr
from ganleak_cli.runfolder.artifacts import RunFolder
from ganleak_cli.runfolder.names import named_out
from ganleak_cli.simulation.config import SimConfig
from ganleak_cli.simulation.settings import DataSettings


def finished_summary(run_dir: str) -> dict | None:
    """The summary of a run folder that already finished (None when it has not)."""
    return RunFolder(run_dir).summary()


@click.command()
@apply_options(SIMULATE_OPTIONS)
@option("--name", default=None, show_default=False, metavar="TEMPLATE",
        help="Name the run folder <--out>/<TEMPLATE formatted with the options>, e.g. "
             "'eps{dp_eps_per_param}_tu{theta_u}_s{seed}' (letters, digits and ._,=+@%- only).")
@option("--quiet", "-q", is_flag=True, default=False,
        help="No progress on stderr (errors only); a terminal otherwise gets a live bar.")
@option("--resume", type=click.Path(exists=True, file_okay=False), default=None,
        show_default=False,
        help="Continue the run in RUN_DIR from its last checkpoint, with the options "
             "recorded in its config.json (a finished run is only reported).")
@click.pass_context
def simulate(ctx, **params):
    """Run collaborative learning with victims and a GAN insider; write a run folder."""
    started = time.monotonic()
    if params["resume"]:
        cfg = build_config(resume_config(ctx, params["resume"]).to_dict())
        summary = finished_summary(cfg.run.out)
        if summary is not None:
            click.echo(f"{cfg.run.out} already finished; nothing to resume", err=True)
            report(summary, cfg.run.out, params["as_json"], started)
            return
    else:
        cfg = fresh_or_named(build_config(params), params["name"])
        check_data_dir(ctx, cfg.data)
        prepare_out(cfg.run.out, params["overwrite"])
        click.echo(f"run folder: {cfg.run.out}", err=True)
        defense = cfg.defence.defense
        if defense != params["defense"]:
            click.echo(f"--defense {defense}: selected by its settings given "
                       f"({selected_by(ctx, defense)})", err=True)
    with stdout_to_stderr():  # stdout carries only the --json summary
        summary = run_checked(cfg, bool(params["resume"]), params["quiet"])
    report(summary, cfg.run.out, params["as_json"], started)


def check_data_dir(ctx: click.Context, data: DataSettings) -> None:
    """A --data-dir (or GANLEAK_DATA_DIR) that is not a folder is a usage error before anything
    is printed or written, with where the data can come from instead."""
    if data.data_dir is None or Path(data.data_dir).expanduser().is_dir():
        return
    given = ("GANLEAK_DATA_DIR" if ctx.get_parameter_source("data_dir")
             is click.core.ParameterSource.ENVIRONMENT else "--data-dir")
    raise click.BadParameter(
        f"{data.data_dir} is not a folder ({given}); point it at the folder holding the "
        f"{data.dataset} files, or fetch them with: ganleak datasets fetch {data.dataset}",
        param_hint="'--data-dir'")


def fresh_or_named(cfg: SimConfig, name: str | None) -> SimConfig:
    """``--out`` as given (under it ``--name``'s folder); without ``--out``, ``runs/<name>`` or
    a fresh ``runs/<date>-<time>-<dataset>-<attack>``."""
    if cfg.run.out is None and name:
        cfg = cfg.with_options(out="runs")
    if name:
        cfg = cfg.with_options(out=named_out(cfg.run.out, cfg.to_dict(), name))
    return cfg.with_out()


def selected_by(ctx: click.Context, defense: str) -> str:
    """The options given that belong to ``defense``, which they selected, e.g.
    ``--dp-eps 0.1``."""
    from ganleak_cli.defences import DEFENCES

    names = [field.name for component, field in DEFENCES.settings_fields()
             if component.name == defense and ctx.params.get(field.name) is not None
             and field.metadata["ganleak"].selects]
    return ", ".join(f"--{name.replace('_', '-')} {ctx.params[name]}" for name in names)


def report(summary: dict, out: str, as_json: bool, started: float) -> None:
    """The closing line on stderr (the whole command's time and the run folder ``out``) and,
    with --json, the summary on stdout."""
    click.echo(f"done in {time.monotonic() - started:.1f}s; run folder: {out}", err=True)
    if as_json:
        click.echo(json.dumps(summary, sort_keys=True))


def run_checked(cfg: SimConfig, resume: bool, quiet: bool = False) -> dict:
    """Run the simulation; configuration problems exit 2, runtime failures exit 1."""
    import_tensorflow_quietly()
    from ganleak_cli.cli.progress import (
        RunProgress,  # lazy: rich, like TensorFlow, stays out of --help
    )
    from ganleak_cli.simulation.runner import simulate as run_simulation

    try:
        with RunProgress(quiet) as reporter:
            return run_simulation(cfg, reporter, resume=resume)
    except RunInterrupted as exc:
        click.echo(f"{exc}; continue with: ganleak simulate --resume {exc.out}", err=True)
        raise click.exceptions.Exit(130) from None
    except KeyboardInterrupt:
        click.echo(interrupted_now(cfg.run.out), err=True)
        raise click.exceptions.Exit(130) from None
    except ConfigError as exc:
        raise usage_error(exc) from None
    except (GanleakError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


def interrupted_now(out: str) -> str:
    """What a second Ctrl-C (or one before the first round) leaves: the last checkpoint, if
    any, to resume from."""
    from ganleak_cli.runfolder.checkpoint import CHECKPOINT_NAME

    if (Path(out) / CHECKPOINT_NAME).is_file():
        return (f"interrupted; continue from its last checkpoint with: ganleak simulate "
                f"--resume {out}")
    return (f"interrupted before its first checkpoint; start it again with --out {out} "
            "--overwrite")
