"""Declared settings: a component's options as fields of a small frozen dataclass.

Each field made with ``setting`` carries its type, default, range, choices and help. That one
declaration is what the command line's options, the ``GANLEAK_*`` variables, config-file and
sweep keys, ``--help`` and validation are derived from (commands/declared.py turns a field into a
click option; ``check_field`` validates a value), so an option is declared once, beside the code
that uses it. No heavy imports: this runs while the command line is parsed.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Declared:
    """What a settings field declares beyond its Python default."""

    help: str
    kind: type
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] | None = None
    per_dataset: bool = False      # None means "the dataset's default" (see config.py)
    base_default: object = None    # the default of a per-dataset field where no dataset sets one
    shown_default: str | None = None
    selects: bool = False          # given alone, this field selects its component


def setting(default, help: str, *, kind: type | None = None, low=None, high=None,
            low_open: bool = False, high_open: bool = False, choices=None,
            per_dataset: bool = False, shown_default: str | None = None,
            selects: bool = False):
    """A dataclass field declaring one option. ``per_dataset``: the field defaults to None and
    is resolved to the dataset's value (or ``default``) when the run config is made.
    ``selects``: a value given without naming the component chooses that component (a Shokri
    budget alone selects Shokri's defence)."""
    if kind is None:
        kind = str if choices else type(default)
    declared = Declared(help=help, kind=kind, low=low, high=high, low_open=low_open,
                        high_open=high_open, choices=tuple(choices) if choices else None,
                        per_dataset=per_dataset, base_default=default if per_dataset else None,
                        shown_default=shown_default, selects=selects)
    return dataclasses.field(default=None if per_dataset else default,
                             metadata={"ganleak": declared})


def declared(field: dataclasses.Field) -> Declared | None:
    """The declaration of a settings field (None for a plain dataclass field)."""
    return field.metadata.get("ganleak")


def declared_fields(settings_class) -> list[dataclasses.Field]:
    """The declared fields of a settings dataclass, in order."""
    return [f for f in dataclasses.fields(settings_class) if declared(f) is not None]


def check_field(name: str, value, spec: Declared) -> None:
    """Raise ValueError('<name>: …') when ``value`` breaks the field's declared range or
    choices (None, an unset optional value, passes)."""
    if value is None or isinstance(value, bool):
        return
    if spec.choices is not None:
        if value not in spec.choices:
            raise ValueError(f"{name}: must be one of {', '.join(spec.choices)}, got {value!r}")
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{name}: must be a finite number, got {value}")
    if spec.low is not None and (value <= spec.low if spec.low_open else value < spec.low):
        raise ValueError(f"{name}: must be {'>' if spec.low_open else '≥'} {spec.low}, "
                         f"got {value}")
    if spec.high is not None and (value >= spec.high if spec.high_open else value > spec.high):
        raise ValueError(f"{name}: must be {'<' if spec.high_open else '≤'} {spec.high}, "
                         f"got {value}")


def check_settings(settings) -> None:
    """Check every declared field of a settings instance (``check_field``)."""
    for field in declared_fields(type(settings)):
        check_field(field.name, getattr(settings, field.name), declared(field))


def settings_from(settings_class, values: dict):
    """An instance of ``settings_class`` from the matching keys of ``values``."""
    names = {f.name for f in dataclasses.fields(settings_class)}
    return settings_class(**{k: v for k, v in values.items() if k in names})
