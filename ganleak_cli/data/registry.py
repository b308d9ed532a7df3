"""Find, download and verify registered dataset files.

The registry entries live in the repository's ``datasets/`` folder (shipped as the package
``ganleak_cli.registry``). A file is taken from ``--data-dir`` / ``GANLEAK_DATA_DIR`` (flat or
under ``<dataset>/``) or from the cache, where ``keras.utils.get_file`` downloads it; either way
its sha256 must match the registry before it is used.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import resources
from pathlib import Path

from ganleak_cli.errors import DataError

DATA_DIR_ENV = "GANLEAK_DATA_DIR"
CACHE_DIR_ENV = "GANLEAK_CACHE_DIR"


def registry_entry(name: str) -> dict:
    """Return the parsed registry entry ``datasets/<name>.json``.

    A source checkout (and an editable install) reads the repository's ``datasets/`` folder; a
    wheel carries the same files as the package ``ganleak_cli.registry``.
    """
    source = Path(__file__).resolve().parents[2] / "datasets" / f"{name}.json"
    if source.is_file():
        return json.loads(source.read_text())
    return json.loads(resources.files("ganleak_cli.registry").joinpath(f"{name}.json").read_text())


def cache_dir() -> Path:
    """The folder for downloads and cached artefacts (``GANLEAK_CACHE_DIR`` or ~/.cache/ganleak)."""
    return Path(os.environ.get(CACHE_DIR_ENV) or Path.home() / ".cache" / "ganleak")


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, sha256: str) -> Path:
    """Return ``path`` if its sha256 matches, else raise DataError naming the file."""
    actual = sha256_of(path)
    if actual != sha256:
        raise DataError(
            f"{path}: sha256 mismatch (expected {sha256[:12]}…, got {actual[:12]}…); "
            "the file is corrupt or truncated: delete it or fetch it again"
        )
    return path


def _local_candidates(data_dir: Path, dataset: str, fname: str) -> list[Path]:
    return [data_dir / fname, data_dir / dataset / fname]


def _download(dataset: str, spec: dict, mirrors: list[str]) -> Path:
    from keras.utils import get_file  # heavy import, only when a download is needed

    target = cache_dir() / "datasets" / dataset
    cached = target / spec["name"]
    if cached.exists():
        return verify(cached, spec["sha256"])
    errors = []
    for mirror in mirrors:
        try:
            got = get_file(spec["name"], origin=mirror + spec["name"], file_hash=spec["sha256"],
                           hash_algorithm="sha256", cache_dir=str(target), cache_subdir=".")
            return verify(Path(got), spec["sha256"])
        except Exception as exc:  # noqa: BLE001 - each mirror may fail in its own way
            errors.append(f"{mirror}: {type(exc).__name__}")
    raise DataError(f"{spec['name']}: not found locally and download failed ({'; '.join(errors)})")


def locate(dataset: str, key: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Path to a verified copy of the registry file ``key`` of ``dataset``.

    Looks in ``data_dir`` (or ``GANLEAK_DATA_DIR``), then the cache, then downloads.
    """
    entry = registry_entry(dataset)
    spec = entry["files"][key]
    data_dir = data_dir or os.environ.get(DATA_DIR_ENV)
    if data_dir:
        root = Path(data_dir)
        if not root.is_dir():
            raise DataError(f"--data-dir {root}: not a directory")
        for candidate in _local_candidates(root, dataset, spec["name"]):
            if candidate.is_file():
                return verify(candidate, spec["sha256"])
    try:
        return _download(dataset, spec, entry["mirrors"])
    except DataError as exc:
        looked = f" (looked in {data_dir} and {data_dir}/{dataset})" if data_dir else ""
        raise DataError(f"{exc}{looked}") from None
