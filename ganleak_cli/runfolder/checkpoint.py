"""Checkpoints: a run's whole state in one ``checkpoint.npz``, written atomically.

A state is a nested dict whose leaves are NumPy arrays or JSON values. Arrays become members of
the .npz named by their path (``participants/victim0/local_weights``); everything else becomes
one JSON document in the member ``__meta__``. Nothing is pickled and loading uses
``allow_pickle=False``. The file is written to a temporary name, fsynced and renamed, so a run
killed at any moment leaves either the previous checkpoint or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np

from ganleak_cli.core.errors import GanleakError
from ganleak_cli.runfolder.artifacts import atomic_open

CHECKPOINT_NAME = "checkpoint.npz"
META = "__meta__"
ARRAY = "__array__"


class CheckpointError(GanleakError):
    """A checkpoint that cannot be read or does not belong to this run."""


def split_state(state: dict, prefix: str = "") -> tuple[dict, dict]:
    """(JSON part, {path: array}) of a nested state dict."""
    meta, arrays = {}, {}
    for key, value in state.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            meta[key], sub_arrays = split_state(value, path + "/")
            arrays.update(sub_arrays)
        elif isinstance(value, np.ndarray):
            arrays[path] = value
            meta[key] = {ARRAY: path}
        else:
            meta[key] = value
    return meta, arrays


def join_state(meta, arrays: dict):
    """Inverse of ``split_state``."""
    if isinstance(meta, dict):
        if set(meta) == {ARRAY}:
            return arrays[meta[ARRAY]]
        return {key: join_state(value, arrays) for key, value in meta.items()}
    return meta


def save_checkpoint(folder: str | os.PathLike, state: dict) -> Path:
    """Write ``state`` to ``folder/checkpoint.npz`` atomically (tmp, fsync, rename)."""
    path = Path(folder) / CHECKPOINT_NAME
    meta, arrays = split_state(state)
    with atomic_open(path) as handle:
        np.savez(handle, **{META: np.array(json.dumps(meta))}, **arrays)
    _fsync_dir(path.parent)
    return path


def load_checkpoint(folder: str | os.PathLike) -> dict | None:
    """The state saved in ``folder`` (None when there is no checkpoint)."""
    path = Path(folder) / CHECKPOINT_NAME
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files if key != META}
            meta = json.loads(str(data[META]))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise CheckpointError(f"{path}: unreadable checkpoint ({exc})") from None
    return join_state(meta, arrays)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
