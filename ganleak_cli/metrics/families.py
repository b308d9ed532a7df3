"""Metric families: figures added to every evaluation's record, found through the
``ganleak.metrics`` entry points (ganleak's own ones too, see pyproject.toml).

A family is a ``MetricFamily`` subclass in one module: a ``name``, the ``figures`` it computes
from the attack's ``Reconstruction`` and the ``GroundTruth`` (the only place besides the core
scoring that sees the victims' records), and the ``curves`` ``ganleak report`` draws of them.
Families run in name order after the core leakage figures, each seeing the record so far.
"""

from __future__ import annotations

from ganleak_cli.core.components import Registry

METRICS = Registry("ganleak.metrics", "metric")


class MetricFamily:
    """A set of figures of one evaluation; subclasses override ``figures``."""

    name = ""
    curves: tuple = ()      # (metric key, plot title, (low, high) or None) for ganleak report

    def figures(self, reconstruction, truth, oracle, record: dict) -> dict:
        """The family's figures of ``reconstruction`` (``record``: the figures so far)."""
        return {}
