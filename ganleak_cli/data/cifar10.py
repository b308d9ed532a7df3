"""CIFAR-10, binary version: read straight from ``cifar-10-binary.tar.gz`` (never pickle).

The archive is taken from ``--data-dir`` (flat or under ``cifar10/``) or the cache, where it is
downloaded from the authors' site; either way its sha256 must match the registry. Each member
``cifar-10-batches-bin/*.bin`` holds records of 1 label byte + 3072 pixel bytes (the red, green
and blue 32×32 planes). The split is the archive's: data_batch_1..5 train, test_batch held out.
"""

from __future__ import annotations

import tarfile

import numpy as np

from ganleak_cli.core.errors import DataError
from ganleak_cli.data.mnist import Dataset
from ganleak_cli.data.registry import locate
from ganleak_cli.data.source import DatasetSource

NAME = "cifar10"
SIDE = 32
RECORD = 1 + 3 * SIDE * SIDE
TRAIN_MEMBERS = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_MEMBERS = ("test_batch.bin",)
LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601-2, as Pillow's "L"


def parse_records(blob: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    """One ``.bin`` member → (uint8 N×32×32×3 RGB images, int64 labels); DataError naming it."""
    if len(blob) == 0 or len(blob) % RECORD:
        raise DataError(f"{where}: {len(blob)} bytes is not a whole number of "
                        f"{RECORD}-byte CIFAR-10 records")
    rows = np.frombuffer(blob, np.uint8).reshape(-1, RECORD)
    labels = rows[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise DataError(f"{where}: label {labels.max()} outside 0..9")
    images = rows[:, 1:].reshape(-1, 3, SIDE, SIDE).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels


def read_archive(path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every training and test member of the archive, parsed, by member file name."""
    wanted = set(TRAIN_MEMBERS + TEST_MEMBERS)
    out = {}
    try:
        with tarfile.open(path, "r:gz") as bundle:
            for member in bundle.getmembers():
                name = member.name.rsplit("/", 1)[-1]
                if name in wanted and member.isfile():
                    out[name] = parse_records(bundle.extractfile(member).read(),
                                              f"{path}:{member.name}")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DataError(f"{path}: cannot read the archive ({type(exc).__name__}: {exc})") from None
    missing = sorted(wanted - set(out))
    if missing:
        raise DataError(f"{path}: the archive lacks {', '.join(missing)}")
    return out


def shape_images(images: np.ndarray, size: int, color: str) -> np.ndarray:
    """RGB uint8 images → ``color`` (grey: Pillow's luma) at size×size (bilinear)."""
    if color == "grey":
        images = np.rint(images.astype(np.float32) @ LUMA).astype(np.uint8)[..., None]
    if size == SIDE:
        return images
    from PIL import Image

    mode = "L" if images.shape[-1] == 1 else "RGB"
    resized = [np.asarray(Image.fromarray(im.squeeze(-1) if mode == "L" else im, mode)
                          .resize((size, size), Image.Resampling.BILINEAR)) for im in images]
    out = np.stack(resized)
    return out[..., None] if out.ndim == 3 else out


def load_cifar10(data_dir=None, image_size: int | None = None, color: str = "grey") -> Dataset:
    """Load CIFAR-10 from the verified archive as uint8 ``image_size``² × (1 | 3), default 32."""
    parts = read_archive(locate(NAME, "archive", data_dir))
    size = image_size or SIDE

    def join(members):
        images = np.concatenate([parts[m][0] for m in members])
        return shape_images(images, size, color), np.concatenate([parts[m][1] for m in members])

    (x_train, y_train), (x_test, y_test) = join(TRAIN_MEMBERS), join(TEST_MEMBERS)
    return Dataset(name=NAME, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test,
                   num_classes=10)


class Cifar10(DatasetSource):
    """CIFAR-10 (32×32 RGB, or grey with ``--color grey``); victims hold classes 0–4."""

    name = NAME

    def load(self, data_dir=None, image_size=None, color="grey") -> Dataset:
        return load_cifar10(data_dir, image_size, color)
