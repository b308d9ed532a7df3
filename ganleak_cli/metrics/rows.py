"""Horizontal steps in an image set: how far the mean brightness jumps from one row to the next.

The generator starts from a coarse grid (4×4 for 64×64 faces) and doubles it; a jump learnt at
that grid's borders shows in every sample as a straight line across the face, where the
person's photographs change gradually. ``row_steps`` is the profile; ``border_steps`` compares
the largest jump at the grid's borders with the jumps elsewhere and with a reference set (the
person's photographs).
"""

from __future__ import annotations

import numpy as np

from ganleak_cli.core.models import base_side


def row_steps(images: np.ndarray) -> np.ndarray:
    """For each pair of neighbouring rows (r, r + 1): the mean over the images of the absolute
    difference of the two rows' mean values, in the images' own units (H − 1 values)."""
    images = np.asarray(images, np.float64)
    if images.ndim == 4:
        images = images.mean(axis=3)
    means = images.mean(axis=2)                       # N × H
    return np.abs(np.diff(means, axis=1)).mean(axis=0)


def grid_borders(side: int) -> list[int]:
    """Indices into ``row_steps`` of the borders between the generator's starting-grid rows
    (64: 15, 31, 47 — the steps from row 15 to 16, 31 to 32 and 47 to 48)."""
    base, _ = base_side(side)
    cell = side // base
    return [k * cell - 1 for k in range(1, base)]


def border_steps(images: np.ndarray, reference: np.ndarray) -> dict:
    """The largest step within a row of the generator's grid borders (its strided, padded
    upsamplings can shift a border by a row), the median step of the other rows, and the
    reference set's step at that same place (all in the images' units). ``row``: the first row
    below the step."""
    steps, ref = row_steps(images), row_steps(reference)
    near = sorted({b + d for b in grid_borders(np.asarray(images).shape[1]) for d in (-1, 0, 1)})
    worst = max(near, key=lambda b: steps[b])
    others = np.delete(steps, near)
    return {"row": worst + 1, "step": float(steps[worst]),
            "median_elsewhere": float(np.median(others)), "reference_step": float(ref[worst])}
