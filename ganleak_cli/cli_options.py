"""Option helpers shared by the ``ganleak`` commands (apart from cli.py: no import cycles)."""

from __future__ import annotations

import click


def option(name: str, *decls: str, **kwargs):
    """A click option that can also be set by the environment variable GANLEAK_<NAME>."""
    env = "GANLEAK_" + name.split("/")[0].lstrip("-").replace("-", "_").upper()  # --x/--no-x
    kwargs.setdefault("show_default", True)
    kwargs["help"] = kwargs.get("help", "") + f"  [env: {env}]"
    return click.option(name, *decls, envvar=env, **kwargs)
