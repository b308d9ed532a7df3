"""The run folder: config.json, metrics.jsonl, grids/, samples/, checkpoint.npz while it runs,
and summary.json, written last; until then an ``INCOMPLETE`` file marks the run unfinished."""

from __future__ import annotations

import io
import json
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

from ganleak_cli.core.pixels import to_uint8


@contextmanager
def atomic_open(path: Path):
    """A binary handle on ``path.tmp``; on success it is fsynced and renamed over ``path``, so
    readers see the old file or the whole new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _atomic_write(path: Path, data: bytes) -> None:
    with atomic_open(path) as handle:
        handle.write(data)


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


def compare_tile(top: np.ndarray, bottom: np.ndarray, columns: int = 8, pairs: int = 4,
                 pad: int = 2, rule: int = 2) -> np.ndarray:
    """``pairs`` pairs of rows, ``columns`` wide: a row of ``top`` images above the row of the
    ``bottom`` images at the same positions; a grey ``rule`` pixels high separates the pairs.
    Size: (pairs·(2·(H + pad) + pad) + (pairs − 1)·rule) × (columns·(W + pad) + pad)."""
    pairs = min(pairs, -(-len(top) // columns))
    blocks = []
    for i in range(pairs):
        part = slice(i * columns, (i + 1) * columns)
        rows = [_pad_row(top[part], columns), _pad_row(bottom[part], columns)]
        block = tile(np.concatenate(rows), columns, pad)
        if blocks:
            blocks.append(np.full((rule,) + block.shape[1:], 128, np.uint8))
        blocks.append(block)
    return np.concatenate(blocks)


def _pad_row(images: np.ndarray, columns: int) -> np.ndarray:
    """Fill a short last row with black images so that pairs stay aligned."""
    missing = columns - len(images)
    return images if missing <= 0 else np.concatenate(
        [images, np.zeros((missing,) + images.shape[1:], images.dtype)])


def _save_png(path: Path, grid: np.ndarray, scale: int = 3) -> None:
    """Save a uint8 grid enlarged ``scale`` times (nearest neighbour), atomically."""
    buffer = io.BytesIO()
    Image.fromarray(grid).resize((grid.shape[1] * scale, grid.shape[0] * scale),
                                 Image.NEAREST).save(buffer, format="PNG")
    _atomic_write(path, buffer.getvalue())


INCOMPLETE = "INCOMPLETE"
# The run folder's files, named here only (every reader and writer goes through these).
CONFIG = "config.json"
METRICS = "metrics.jsonl"
SUMMARY = "summary.json"
CALIBRATION = "calibration.json"
GRIDS = "grids"
SAMPLES = "samples"
INCOMPLETE_TEXT = ("This run has not finished (no summary.json yet). "
                   "`ganleak simulate --resume {root}` continues it from its last checkpoint.\n")


def saved_samples(root: Path) -> list[tuple[int, np.ndarray]]:
    """(round, images N×H×W×C) of every samples/round_*.npz under the run folder ``root``, in
    round order (grey samples are saved N×H×W: a channel is added)."""
    found = [f for f in (Path(root) / SAMPLES).glob("round_*.npz") if f.stem[6:].isdigit()]
    out = []
    for path in sorted(found, key=lambda f: int(f.stem[6:])):
        with np.load(path, allow_pickle=False) as npz:
            images = npz["images"]
        out.append((int(path.stem[6:]), images[..., None] if images.ndim == 3 else images))
    return out


class RunFolder:
    """Writes one run's outputs; ``summary.json`` is written last and marks the run complete."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def create(self, config: dict | None = None) -> "RunFolder":
        """Make the folder tree, marked incomplete (raises OSError when it cannot be written).

        ``config`` is written first, so that a run killed at any later moment can be resumed."""
        self.root.mkdir(parents=True, exist_ok=True)
        if config is not None:
            self.write_json(CONFIG, config)
        for sub in (GRIDS, SAMPLES):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        _atomic_write(self.root / INCOMPLETE, INCOMPLETE_TEXT.format(root=self.root).encode())
        _atomic_write(self.root / METRICS, b"")
        return self

    @property
    def complete(self) -> bool:
        """Whether the run finished (its summary.json exists)."""
        return (self.root / SUMMARY).is_file()

    @property
    def started(self) -> bool:
        """Whether a run was begun here (its config.json and metrics.jsonl exist)."""
        return (self.root / CONFIG).is_file() and (self.root / METRICS).is_file()

    @property
    def incomplete(self) -> bool:
        """Whether the run was begun and has not finished (its INCOMPLETE marker exists)."""
        return (self.root / INCOMPLETE).is_file()

    def summary(self) -> dict | None:
        """The finished run's summary.json (None before it finished)."""
        path = self.root / SUMMARY
        return json.loads(path.read_text()) if path.is_file() else None

    def path(self, name: str) -> Path:
        """Where one of the run's files (CONFIG, METRICS, SUMMARY, CALIBRATION, …) lives."""
        return self.root / name

    def finish(self, summary: dict) -> None:
        """Write summary.json (the run is complete from here on) and drop the marker."""
        self.write_json(SUMMARY, summary)
        (self.root / INCOMPLETE).unlink(missing_ok=True)

    def read_metrics(self) -> list[str]:
        """The lines of metrics.jsonl written so far."""
        path = self.root / METRICS
        return path.read_text().splitlines(keepends=True) if path.is_file() else []

    def keep_metrics(self, count: int) -> None:
        """Cut metrics.jsonl back to its first ``count`` lines (those a checkpoint covers)."""
        lines = self.read_metrics()
        if len(lines) < count:
            raise OSError(f"{self.root / METRICS}: has {len(lines)} lines, the "
                          f"checkpoint expects {count}")
        _atomic_write(self.root / METRICS, "".join(lines[:count]).encode())

    def write_json(self, name: str, obj: dict) -> Path:
        """Write ``obj`` as pretty JSON, atomically."""
        path = self.root / name
        _atomic_write(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())
        return path

    def append_metrics(self, record: dict) -> None:
        """Append one evaluation to metrics.jsonl."""
        with open(self.root / METRICS, "a") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def write_samples(self, round_no: int, images: np.ndarray, target_class: int,
                      grid_count: int = 64) -> None:
        """Save the raw samples (uint8 N×H×W[×C]) and an 8×8 grid PNG of the first 64."""
        pixels = to_uint8(images)
        squeezed = pixels[..., 0] if pixels.shape[-1] == 1 else pixels
        path = self.root / SAMPLES / f"round_{round_no:04d}.npz"
        with atomic_open(path) as handle:
            np.savez_compressed(handle, images=squeezed, target_class=np.int64(target_class))
        grid = tile(pixels[:grid_count])
        Image.fromarray(grid).resize((grid.shape[1] * 3, grid.shape[0] * 3), Image.NEAREST).save(
            self.root / GRIDS / f"round_{round_no:04d}.png")

    def write_compare(self, round_no: int, images: np.ndarray, nearest: np.ndarray) -> None:
        """grids/compare_NNNN.png: 4 pairs of rows of 8, generated samples (floats in [−1, 1])
        above each one's nearest private record (uint8 N×H×W×C) by SSIM, as in the paper."""
        _save_png(self.root / GRIDS / f"compare_{round_no:04d}.png",
                  compare_tile(to_uint8(images), nearest))

    def write_strip(self, columns: int = 10) -> Path | None:
        """grids/strip.png: one row per evaluation, the first ``columns`` fixed-noise samples of
        each samples/round_*.npz in round order (read from disk, so a resumed run gets all of
        them). Nothing is written when there are no samples (no attack)."""
        rows = [_pad_row(images[:columns], columns) for _, images in saved_samples(self.root)]
        if not rows:
            return None
        path = self.root / GRIDS / "strip.png"
        _save_png(path, tile(np.concatenate(rows), columns))
        return path
