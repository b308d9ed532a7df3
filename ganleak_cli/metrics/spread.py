"""How much an oracle's verdict on a sample set owes to its members.

A small-set oracle (AT&T faces) averages ``ENSEMBLE`` models trained alike with different seeds
(``ganleak_cli.metrics.oracle``). They agree on photographs none of them saw (0.89–0.94 of the
AT&T faces each), not always on generated samples: one named a round's samples as the target in
0.78 of them, the others in 0.95–1.00 (docs/faces.md). ``spread`` scores an image set with each
member and with the oracle itself (their mean probabilities), so that a reader sees whether a
verdict holds under every member or only on average.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganleak_cli.metrics.oracle import Oracle, mean_probabilities


@dataclass(frozen=True)
class Spread:
    """Each member's rate (the first is ``ORACLE_SEED``'s) and the oracle's (their mean's)."""
    rates: tuple[float, ...]
    ensemble: float

    @property
    def low(self) -> float:
        return min(self.rates)

    @property
    def high(self) -> float:
        return max(self.rates)


def oracle_of(data, count: int | None = None) -> Oracle:
    """The runs' oracle for ``data``'s held-out split; with ``count``, an oracle of that many
    members (the first ones are the runs' own; any more are trained once and cached alike)."""
    return Oracle.for_data(data.name, data.x_test, data.y_test, data.num_classes, count=count)


def spread(images: np.ndarray, labels, oracle) -> Spread:
    """Share of ``images`` (uint8 or [−1, 1]) each member and the oracle name as ``labels``
    (one class for all, or one per image)."""
    probs = oracle.member_probabilities(images)
    rates = tuple(float(np.mean(p.argmax(axis=1) == labels)) for p in probs)
    ensemble = float(np.mean(mean_probabilities(probs).argmax(axis=1) == labels))
    return Spread(rates, ensemble)
