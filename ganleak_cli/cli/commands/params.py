"""Click parameter types and ranges of the simulate options (no heavy imports)."""

from __future__ import annotations

import math

import click

from ganleak_cli.data import dataset_names
from ganleak_cli.data.folder import PREFIX as FOLDER_PREFIX


class FiniteFloat(click.FloatRange):
    """A FloatRange that also refuses nan and ±inf (``nan`` passes a plain range: every
    comparison with it is false)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


POSITIVE_INT = click.IntRange(min=1)
FRACTION = FiniteFloat(min=0.0, max=1.0, min_open=True)
POSITIVE_FLOAT = FiniteFloat(min=0.0, min_open=True)
NON_NEGATIVE_FLOAT = FiniteFloat(min=0.0)


class ClassList(click.ParamType):
    """A comma-separated list of class indices, e.g. ``0,1,2,3,4`` or ``0-4``; ``none`` is the
    empty list (an adversary without records of its own)."""

    name = "CLASSES"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        if str(value).strip().lower() == "none":
            return ()
        try:
            out = []
            for part in str(value).split(","):
                lo, _, hi = part.strip().partition("-")
                out.extend(range(int(lo), int(hi) + 1) if hi else [int(lo)])
            return tuple(out)
        except ValueError:
            self.fail(f"{value!r} is not a comma-separated list of class numbers", param, ctx)


class DatasetName(click.ParamType):
    """A registered dataset (the ``ganleak.datasets`` entry points) or ``folder:PATH`` (your
    own images)."""

    name = "DATASET"

    def convert(self, value, param, ctx):
        if value in dataset_names() or (str(value).startswith(FOLDER_PREFIX)
                                        and len(str(value)) > len(FOLDER_PREFIX)):
            return value
        self.fail(f"{value!r} is not one of {', '.join(dataset_names())} or "
                  f"{FOLDER_PREFIX}PATH", param, ctx)
