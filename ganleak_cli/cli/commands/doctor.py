"""``ganleak doctor``: versions, devices, threads, and where data and caches are looked for."""

from __future__ import annotations

import json
import os

import click

from ganleak_cli.cli.commands.options import command_option
from ganleak_cli.core.stdio import import_tensorflow_quietly, stdout_to_stderr
from ganleak_cli.data import registry

option = command_option("doctor")  # GANLEAK_DOCTOR_<OPTION>


@click.command("doctor", short_help="Print the versions, devices and threads a run would use.")
@option("--json", "as_json", is_flag=True, default=False, help="Print one JSON object.")
def doctor_command(as_json):
    """Print the versions, devices and threads a run would use, and the data and cache folders."""
    import_tensorflow_quietly()
    from ganleak_cli.core import environment

    with stdout_to_stderr():
        report = {"versions": environment.versions(), "devices": environment.devices(),
                  "run_device": environment.run_device(), "threads": environment.threads(),
                  "data_dir": os.environ.get("GANLEAK_DATA_DIR"),
                  "cache_dir": str(registry.cache_dir()),
                  "tf_log_level": os.environ.get("TF_CPP_MIN_LOG_LEVEL")}
    if as_json:
        click.echo(json.dumps(report, sort_keys=True))
        return
    for key, value in report.items():
        shown = ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) \
            else ", ".join(value) if isinstance(value, list) else value
        click.echo(f"{key:<13} {shown if shown is not None else '(not set)'}")
