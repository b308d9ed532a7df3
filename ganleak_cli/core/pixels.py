"""Pixel ranges, in one place: images are stored as uint8 in [0, 255], the models and the
generator work in [−1, 1] (tanh), and the metrics and the oracle read [0, 1]."""

from __future__ import annotations

import numpy as np


def to_model_range(images: np.ndarray) -> np.ndarray:
    """uint8 images in [0, 255] → float32 in [−1, 1] (the generator's tanh range)."""
    return images.astype(np.float32) / 127.5 - 1.0


def to_unit(images: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] or float [−1, 1] images → float32 in [0, 1]."""
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return np.clip((images.astype(np.float32) + 1.0) / 2.0, 0.0, 1.0)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Float images in [−1, 1] → uint8 in [0, 255]."""
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)
