"""Your own images: ``--dataset folder:PATH``, one sub-folder per class.

Classes are the sub-folders of PATH in sorted name order (class 0 is the first name). Every
non-hidden file in a class folder must be an image Pillow reads; it is converted to grey or RGB
(``--color``) and resized to ``--image-size`` (default 64, aspect ratio not kept). Of each class,
``HELDOUT_FRACTION`` (30 %, at least one image) is held out as the test split (oracle and
held-out metrics), chosen with the fixed ``SPLIT_SEED`` so that the split never depends on
``--seed``; the rest are the training records. A class needs at least two images.

Problems are ConfigErrors naming ``dataset`` (the CLI exits 2 naming ``--dataset``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganleak_cli.core.errors import ConfigError, DataError
from ganleak_cli.data.images import read_image, stack
from ganleak_cli.data.mnist import Dataset
from ganleak_cli.data.source import DatasetSource

PREFIX = "folder:"
DEFAULT_SIZE = 64
HELDOUT_FRACTION = 0.3
SPLIT_SEED = 0


def is_folder_dataset(name: str) -> bool:
    """Whether ``name`` is ``folder:PATH``."""
    return name.startswith(PREFIX)


def _problem(name: str, message: str) -> ConfigError:
    return ConfigError(f"dataset: {name}: {message}")


def class_folders(name: str) -> list[Path]:
    """The class sub-folders of ``folder:PATH`` in sorted order (at least two, none empty)."""
    root = Path(name[len(PREFIX):]).expanduser()
    if not root.is_dir():
        raise _problem(name, f"{root} is not a folder")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(folders) < 2:
        raise _problem(name, f"needs at least two class sub-folders, found {len(folders)}")
    for folder in folders:
        if len(image_files(folder)) < 2:
            raise _problem(name, f"class folder {folder} needs at least two images, "
                                 f"has {len(image_files(folder))}")
    return folders


def image_files(folder: Path) -> list[Path]:
    """The non-hidden files of a class folder, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def heldout_count(n: int) -> int:
    """Images of a class of ``n`` held out: 30 % rounded, at least 1, at most n − 1."""
    return min(max(1, round(HELDOUT_FRACTION * n)), n - 1)


def _read(name: str, path: Path, size: int, color: str) -> np.ndarray:
    try:
        return read_image(path, size, color)
    except DataError as exc:
        raise _problem(name, str(exc)) from None


def load_folder(name: str, image_size: int | None = None, color: str = "grey") -> Dataset:
    """Load ``folder:PATH`` (see the module docstring) as uint8 images and int labels."""
    size, rng = image_size or DEFAULT_SIZE, np.random.default_rng(SPLIT_SEED)
    parts = {"x_train": [], "y_train": [], "x_test": [], "y_test": []}
    folders = class_folders(name)
    for label, folder in enumerate(folders):
        files = image_files(folder)
        held = set(rng.permutation(len(files))[:heldout_count(len(files))].tolist())
        for i, path in enumerate(files):
            side = "test" if i in held else "train"
            parts[f"x_{side}"].append(_read(name, path, size, color))
            parts[f"y_{side}"].append(label)
    shape = (size, size, 1 if color == "grey" else 3)
    return Dataset(name="folder-" + Path(name[len(PREFIX):]).resolve().name,
                   x_train=stack(parts["x_train"], shape),
                   y_train=np.array(parts["y_train"], np.int64),
                   x_test=stack(parts["x_test"], shape),
                   y_test=np.array(parts["y_test"], np.int64),
                   num_classes=len(folders))


class FolderSource(DatasetSource):
    """``folder:PATH``: made from its name (not registered); its classes are its sub-folders."""

    def __init__(self, name: str):
        self.name = name

    def num_classes(self) -> int:
        return len(class_folders(self.name))

    def load(self, data_dir=None, image_size=None, color="grey") -> Dataset:
        return load_folder(self.name, image_size, color)
