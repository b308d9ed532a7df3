"""MNIST from the four original IDX files."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import numpy as np

from ganleak_cli.core.errors import DataError
from ganleak_cli.data.registry import locate
from ganleak_cli.data.source import DatasetSource

SIDE = 28


@dataclass(frozen=True)
class Dataset:
    """Images as uint8 N×H×W×C and integer labels, for the train and test splits."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of one image."""
        return tuple(self.x_train.shape[1:])


def parse_idx(raw: bytes, name: str) -> np.ndarray:
    """Decode an (uncompressed) IDX byte string of unsigned bytes into an array."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(f"{name}: not an IDX file of unsigned bytes")
    ndim = raw[3]
    header = 4 + 4 * ndim
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if len(raw) != header + int(np.prod(dims)):
        raise DataError(f"{name}: IDX size does not match its header {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def read_idx_gz(path) -> np.ndarray:
    """Read a gzip-compressed IDX file."""
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as exc:
        raise DataError(f"{path}: cannot decompress ({exc})") from None
    return parse_idx(raw, str(path))


def load_mnist(data_dir=None) -> Dataset:
    """Load MNIST (60k train, 10k test) as uint8 28×28×1 images, verified by sha256."""
    arrays = {key: read_idx_gz(locate("mnist", key, data_dir))
              for key in ("train_images", "train_labels", "test_images", "test_labels")}
    return Dataset(
        name="mnist",
        x_train=arrays["train_images"][..., None],
        y_train=arrays["train_labels"].astype(np.int64),
        x_test=arrays["test_images"][..., None],
        y_test=arrays["test_labels"].astype(np.int64),
        num_classes=10,
    )


class Mnist(DatasetSource):
    """MNIST with the paper's split: victims hold digits 0–4, the adversary 5–9, target 3."""

    name = "mnist"

    def class_defaults(self) -> dict:
        return {"victim_classes": (0, 1, 2, 3, 4), "adversary_classes": (5, 6, 7, 8, 9),
                "target_class": 3}

    def check_image_size(self, image_size: int | None) -> None:
        """MNIST is used only at its native 28×28 (its oracle and figures assume it)."""
        if image_size not in (None, SIDE):
            raise ValueError(f"image_size: MNIST images are {SIDE}×{SIDE}; --image-size "
                             f"{image_size} applies to att and folder datasets only")

    def load(self, data_dir=None, image_size=None, color="grey") -> Dataset:
        return load_mnist(data_dir)
