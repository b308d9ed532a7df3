"""Click options derived from declared settings fields (ganleak_cli.core.settings): the type, range,
choices, default and help of a component's option come from its one declaration."""

from __future__ import annotations

import dataclasses

import click

from ganleak_cli.cli.commands.options import option
from ganleak_cli.cli.commands.params import FiniteFloat
from ganleak_cli.core.settings import Declared, declared


def click_type(spec: Declared):
    """The click type of a declared field: a choice, a finite float range or an int range."""
    if spec.choices is not None:
        return click.Choice(spec.choices)
    if spec.kind is float:
        return FiniteFloat(min=spec.low, max=spec.high, min_open=spec.low_open,
                           max_open=spec.high_open)
    if spec.kind is int:
        return click.IntRange(min=spec.low, max=spec.high, min_open=spec.low_open,
                              max_open=spec.high_open)
    return click.STRING


def declared_option(field: dataclasses.Field, shown_default: str | None = None):
    """The ``--<field-name>`` option of a declared settings field (``shown_default``: what
    ``--help`` gives as the default of a per-dataset field)."""
    spec = declared(field)
    flag = "--" + field.name.replace("_", "-")
    if spec.kind is bool:
        return option(flag, is_flag=True, default=field.default, help=spec.help)
    shown = spec.shown_default or shown_default
    return option(flag, type=click_type(spec), default=field.default, help=spec.help,
                  **({"show_default": shown} if shown else {}))
