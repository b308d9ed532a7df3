"""The ``ganleak`` command line: the group and its commands (each in its own module, imported
only when it runs or shows its own help). No ML code here, and no TensorFlow import until a
command runs, so ``ganleak --help`` answers at once."""

from __future__ import annotations

import importlib

import click

from ganleak_cli import __version__
from ganleak_cli.core.components import ComponentError

ENVIRONMENT = """\b
Environment: every option has a variable, shown in each command's --help:
  GANLEAK_<OPTION>            simulate and privacy (shared: the same option)
  GANLEAK_<COMMAND>_<OPTION>  every other command (e.g. GANLEAK_SWEEP_JOBS)
  GANLEAK_DATA_DIR            a local folder with the dataset files (every command)
  GANLEAK_CACHE_DIR           downloads and the oracle cache (default ~/.cache/ganleak)
  TF_CPP_MIN_LOG_LEVEL        TensorFlow's own logging (default here: 3, errors only)"""

# name → (module:attribute, the line ``ganleak --help`` shows); tests/test_cli.py checks that each
# line is the command's own short help.
COMMANDS = {
    "simulate": ("ganleak_cli.cli.commands.simulate:simulate",
                 "Run collaborative learning with victims and a GAN insider; write a run folder."),
    "privacy": ("ganleak_cli.cli.commands.privacy:privacy",
                "Print the ε a simulate configuration would spend, without training."),
    "datasets": ("ganleak_cli.cli.commands.datasets:datasets",
                 "List, fetch and verify the dataset files."),
    "report": ("ganleak_cli.cli.commands.report:report_command",
               "Curves, final grids and final numbers of one or more runs, side by side."),
    "sweep": ("ganleak_cli.cli.commands.sweep:sweep_command",
              "Run every configuration of a sweep file (locally or on Ray)."),
    "reproduce": ("ganleak_cli.cli.commands.reproduce:reproduce_command",
                  "Run the paper's experiments and score every claim."),
    "audit": ("ganleak_cli.cli.commands.audit:audit_command",
              "Estimate a lower bound on ε from a mechanism's outputs."),
    "doctor": ("ganleak_cli.cli.commands.doctor:doctor_command",
               "Print the versions, devices and threads a run would use."),
}


class LazyCommands(dict):
    """``group.commands``: a command's module is imported on its first lookup."""

    def __missing__(self, name):
        if name not in COMMANDS:
            raise KeyError(name)
        module, _, attribute = COMMANDS[name][0].partition(":")
        try:
            self[name] = getattr(importlib.import_module(module), attribute)
        except ComponentError as exc:   # a plugin that cannot load: one line, not a traceback
            raise click.ClickException(str(exc)) from None
        return self[name]


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is used."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands()

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        return self.commands[name] if name in COMMANDS else None

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog=ENVIRONMENT)
@click.version_option(__version__, prog_name="ganleak")
def main():
    """Simulate collaborative deep learning with a GAN insider and measure what leaks."""

