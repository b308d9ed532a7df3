"""Means with 95 % t-intervals over seeds (no scipy at import: `ganleak --help` stays fast)."""

from __future__ import annotations

import math

CONFIDENCE = 0.95
# Student's t quantile at 0.975 for 1..30 degrees of freedom (scipy.stats.t.ppf, to 4 decimals;
# a table, so that `ganleak --help` need not import scipy.stats); beyond 30, the normal's 1.96
# with the first Cornish-Fisher term.
T_975 = (12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201,
         2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739,
         2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423)


def t_975(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom."""
    z = 1.959964
    return T_975[df - 1] if df <= len(T_975) else z + (z ** 3 + z) / (4 * df)




def interval(values: list[float]) -> tuple[float, float]:
    """Mean and half-width of the two-sided CONFIDENCE t-interval (0 for a single value)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, 0.0
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return mean, t_975(n - 1) * sd / math.sqrt(n)
