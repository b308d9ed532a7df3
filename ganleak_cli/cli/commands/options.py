"""Option helpers shared by the ``ganleak`` commands (apart from cli.py: no import cycles).

Every option can be set from the environment. ``simulate`` and ``privacy`` share
``GANLEAK_<OPTION>`` (the same option, the same meaning); every other command's options are
``GANLEAK_<COMMAND>_<OPTION>``, so that a variable never means two things. ``GANLEAK_DATA_DIR`` is
shared by every command that reads data. A bad value that came from a variable is reported
naming the variable, not only the option.
"""

from __future__ import annotations

import functools
import os

import click
from click.core import ParameterSource

SHARED = {"data_dir": "GANLEAK_DATA_DIR"}


class EnvOption(click.Option):
    """A click option whose errors say when the value came from its environment variable."""

    def process_value(self, ctx: click.Context, value):
        try:
            return super().process_value(ctx, value)
        except click.BadParameter as exc:
            if ctx.get_parameter_source(self.name) is ParameterSource.ENVIRONMENT:
                exc.message = (f"{exc.message} (from the environment: "
                               f"{self.envvar}={os.environ.get(self.envvar, '')!r})")
            raise


def env_name(name: str, command: str | None) -> str:
    """``GANLEAK_<OPTION>`` (simulate, privacy) or ``GANLEAK_<COMMAND>_<OPTION>``."""
    key = name.split("/")[0].lstrip("-").replace("-", "_").upper()  # --x/--no-x
    if key.lower() in SHARED:
        return SHARED[key.lower()]
    return "GANLEAK_" + (f"{command.upper()}_" if command else "") + key


def option(name: str, *decls: str, command: str | None = None, **kwargs):
    """A click option that can also be set by its environment variable (``env_name``); its
    choices, if any, are matched without regard to case (``--protocol FedAvg`` is fedavg)."""
    env = env_name(name, command)
    if isinstance(kwargs.get("type"), click.Choice):
        kwargs["type"].case_sensitive = False
    kwargs.setdefault("show_default", True)
    kwargs["help"] = kwargs.get("help", "") + f"  [env: {env}]"
    return click.option(name, *decls, envvar=env, cls=EnvOption, **kwargs)


def command_option(command: str):
    """``option`` for one command's own variables: GANLEAK_<COMMAND>_<OPTION>."""
    return functools.partial(option, command=command)
