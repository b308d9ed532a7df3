"""The run folder: config.json, metrics.jsonl, grids/, samples/, summary.json (written last)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from PIL import Image


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Float images in [−1, 1] → uint8 in [0, 255]."""
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def tile(images: np.ndarray, columns: int = 8, pad: int = 2) -> np.ndarray:
    """uint8 N×H×W×C images → one (rows·H)×(columns·W) grid with ``pad`` pixels between."""
    n, h, w, c = images.shape
    rows = -(-n // columns)
    grid = np.zeros((rows * (h + pad) + pad, columns * (w + pad) + pad, c), np.uint8)
    for i, img in enumerate(images):
        r, col = divmod(i, columns)
        grid[pad + r * (h + pad): pad + r * (h + pad) + h,
             pad + col * (w + pad): pad + col * (w + pad) + w] = img
    return grid[..., 0] if c == 1 else grid


class RunFolder:
    """Writes one run's outputs; ``summary.json`` is written last and marks the run complete."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def create(self) -> "RunFolder":
        """Make the folder tree (raises OSError when it cannot be written)."""
        for sub in ("grids", "samples"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "metrics.jsonl").write_text("")
        return self

    def write_json(self, name: str, obj: dict) -> Path:
        """Write ``obj`` as pretty JSON, atomically."""
        path = self.root / name
        _atomic_write(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())
        return path

    def append_metrics(self, record: dict) -> None:
        """Append one evaluation to metrics.jsonl."""
        with open(self.root / "metrics.jsonl", "a") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def write_samples(self, round_no: int, images: np.ndarray, target_class: int,
                      grid_count: int = 64) -> None:
        """Save the raw samples (uint8 N×H×W[×C]) and an 8×8 grid PNG of the first 64."""
        pixels = to_uint8(images)
        squeezed = pixels[..., 0] if pixels.shape[-1] == 1 else pixels
        path = self.root / "samples" / f"round_{round_no:04d}.npz"
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, images=squeezed, target_class=np.int64(target_class))
        os.replace(tmp, path)
        grid = tile(pixels[:grid_count])
        Image.fromarray(grid).resize((grid.shape[1] * 3, grid.shape[0] * 3), Image.NEAREST).save(
            self.root / "grids" / f"round_{round_no:04d}.png")
