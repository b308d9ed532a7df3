"""Run-folder names from the options: ``--name 'eps{dp_eps_per_param}_s{seed}'``.

A template is a ``str.format`` string whose fields are option names; the formatted name
must be one safe path component (letters, digits and ``._,=+@%-``), so that a shell loop or a
sweep can build ``<--out>/<name>`` without quoting surprises. No heavy imports here.
"""

from __future__ import annotations

import difflib
import re
import string
from pathlib import Path

import click

SAFE_NAME = re.compile(r"[A-Za-z0-9._,=+@%-]+")
UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9._,=+@%-]")
MAX_NAME_BYTES = 255


def field_value(value):
    """An option's value as a name shows it (class lists as ``0+1+2``, the empty one as
    ``none``; others unchanged)."""
    if isinstance(value, (tuple, list)):
        return "+".join(str(v) for v in value) or "none"
    return value


def template_fields(template: str) -> list[str]:
    """The field names a template uses (ValueError for positional or indexed fields)."""
    names = []
    for _, field, _, _ in string.Formatter().parse(template):
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(f"field {{{field}}} is not an option name (use e.g. {{seed}})")
        names.append(field)
    return names


def format_name(template: str, fields: dict) -> str:
    """Format ``template`` with ``fields``; ValueError naming an unknown field or bad name."""
    for name in template_fields(template):
        if name not in fields:
            close = difflib.get_close_matches(name, sorted(fields), n=1)
            hint = f" (did you mean {{{close[0]}}}?)" if close else ""
            raise ValueError(f"unknown field {{{name}}}{hint}; fields are the option names, "
                             "e.g. {seed}, {theta_u}")
    try:
        name = template.format_map({k: field_value(v) for k, v in fields.items()})
    except (ValueError, TypeError) as exc:
        raise ValueError(f"cannot format {template!r}: {exc}") from None
    check_component(name)
    return name


def check_component(name: str) -> None:
    """ValueError unless ``name`` is one safe, non-empty path component."""
    if name in ("", ".", ".."):
        raise ValueError(f"the name {name!r} is not a folder name")
    bad = UNSAFE_CHAR.search(name)
    if bad:
        raise ValueError(f"the name {name!r} has the character {bad.group()!r}; a name may "
                         "hold letters, digits and ._,=+@%- only")
    if len(name.encode()) > MAX_NAME_BYTES:
        raise ValueError(f"the name is longer than {MAX_NAME_BYTES} bytes")


def safe_component(text: str) -> str:
    """``text`` with every character a name may not hold replaced by ``_``."""
    cleaned = UNSAFE_CHAR.sub("_", text)[:MAX_NAME_BYTES]
    return "_" if cleaned in ("", ".", "..") else cleaned


def named_out(out: str | None, options: dict, template: str | None,
               param_hint: str = "'--name'") -> str | None:
    """``<out>/<template formatted with options>`` (``out`` unchanged without a template);
    ``options`` are the run's options by name. A bad template is a usage error (exit 2)
    naming ``--name``."""
    if not template:
        return out
    try:
        name = format_name(template, options)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=param_hint) from None
    return str(Path(out) / name)
