"""The command line: the ``ganleak`` group, one module per command, the option plumbing derived
from the declared settings, config files, and the batch drivers (sweeps and reproductions) that
run the ``simulate`` command many times. Nothing outside this package imports it."""

from ganleak_cli.cli.main import main

__all__ = ["main"]
