"""The ``ganleak`` command line: the group and its commands (each in its own module). No ML
code here, and no TensorFlow import until a command runs."""

from __future__ import annotations

import sys

import click

from ganleak_cli import __version__
from ganleak_cli.commands.audit import audit_command
from ganleak_cli.commands.datasets import datasets
from ganleak_cli.commands.doctor import doctor_command
from ganleak_cli.commands.privacy import privacy
from ganleak_cli.commands.report import report_command
from ganleak_cli.commands.reproduce import reproduce_command
from ganleak_cli.commands.simulate import simulate
from ganleak_cli.commands.sweep import sweep_command

ENVIRONMENT = """\b
Environment: every option has a variable, shown in each command's --help:
  GANLEAK_<OPTION>            simulate and privacy (shared: the same option)
  GANLEAK_<COMMAND>_<OPTION>  every other command (e.g. GANLEAK_SWEEP_JOBS)
  GANLEAK_DATA_DIR            a local folder with the dataset files (every command)
  GANLEAK_CACHE_DIR           downloads and the oracle cache (default ~/.cache/ganleak)
  TF_CPP_MIN_LOG_LEVEL        TensorFlow's own logging (default here: 3, errors only)"""


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=ENVIRONMENT)
@click.version_option(__version__, prog_name="ganleak")
def main():
    """Simulate collaborative deep learning with a GAN insider and measure what leaks."""


for command in (simulate, privacy, datasets, report_command, sweep_command, reproduce_command,
                audit_command, doctor_command):
    main.add_command(command)


if __name__ == "__main__":
    sys.exit(main())
