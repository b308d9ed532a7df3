"""Tiny class folders of synthetic PNGs for runs that need a dataset but not real data."""

import numpy as np
from PIL import Image


def png_classes(root, classes=4, per_class=7, side=12):
    """``root/class{c}/{i}.png``: grey noise around a different level per class (seeded)."""
    rng = np.random.default_rng(1)
    for c in range(classes):
        (root / f"class{c}").mkdir(parents=True)
        for i in range(per_class):
            pixels = np.full((side, side), 40 * c, np.uint8) + rng.integers(0, 30, (side, side),
                                                                             dtype=np.uint8)
            Image.fromarray(pixels).save(root / f"class{c}" / f"{i}.png")
    return root
