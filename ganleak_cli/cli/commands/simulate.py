"""``ganleak simulate``: run one simulation into a run folder (or resume one)."""

from __future__ import annotations

import dataclasses
import json

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
from ganleak_cli.core.errors import ConfigError, GanleakError
from ganleak_cli.core.stdio import import_tensorflow_quietly, stdout_to_stderr
from ganleak_cli.runfolder.artifacts import RunFolder
from ganleak_cli.runfolder.names import named_config
from ganleak_cli.simulation.config import SimConfig


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
    if params["resume"]:
        cfg = build_config(resume_config(ctx, params["resume"]).to_dict())
        summary = finished_summary(cfg.out)
        if summary is not None:
            click.echo(f"{cfg.out} already finished; nothing to resume", err=True)
            report(summary, cfg, params["as_json"])
            return
    else:
        cfg = fresh_or_named(build_config(params), params["name"])
        prepare_out(cfg.out, params["overwrite"])
        click.echo(f"run folder: {cfg.out}", err=True)
    with stdout_to_stderr():  # stdout carries only the --json summary
        summary = run_checked(cfg, bool(params["resume"]), params["quiet"])
    report(summary, cfg, params["as_json"])


def fresh_or_named(cfg: SimConfig, name: str | None) -> SimConfig:
    """``--out`` as given (under it ``--name``'s folder); without ``--out``, ``runs/<name>`` or
    a fresh ``runs/<date>-<time>-<dataset>-<attack>``."""
    if cfg.out is None and name:
        return named_config(dataclasses.replace(cfg, out="runs"), name)
    return named_config(cfg, name).with_out()


def report(summary: dict, cfg: SimConfig, as_json: bool) -> None:
    """The closing line on stderr and, with --json, the summary on stdout."""
    click.echo(f"done in {summary['wall_seconds']:.1f}s; run folder: {cfg.out}", err=True)
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
    except ConfigError as exc:
        raise usage_error(exc) from None
    except (GanleakError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
