"""Image files (any format Pillow reads) → uint8 H×W×C arrays of one size."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganleak_cli.core.errors import DataError

COLOR_MODES = {"grey": "L", "rgb": "RGB"}


def read_image(path: Path, size: int, color: str = "grey") -> np.ndarray:
    """One image, converted to ``color`` (grey or rgb) and resized to size×size (bilinear; the
    aspect ratio is not kept), as uint8 size×size×channels. Raises DataError naming the file."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image = image.convert(COLOR_MODES[color])
            image = image.resize((size, size), Image.Resampling.BILINEAR)
            pixels = np.asarray(image, dtype=np.uint8)
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the image ({type(exc).__name__}: {exc})") from None
    return pixels[..., None] if pixels.ndim == 2 else pixels


def stack(images: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """A list of equally shaped images as one uint8 N×H×W×C array (N may be 0)."""
    return np.stack(images) if images else np.zeros((0, *shape), np.uint8)
