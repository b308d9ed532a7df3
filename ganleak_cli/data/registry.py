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
import zipfile
from importlib import resources
from pathlib import Path

from ganleak_cli.core.errors import DataError

DATA_DIR_ENV = "GANLEAK_DATA_DIR"
CACHE_DIR_ENV = "GANLEAK_CACHE_DIR"
DATA_HINT = ("point --data-dir (or GANLEAK_DATA_DIR) at a folder holding the files, or fetch "
             "them where there is a network with: ganleak datasets fetch {dataset}")


def _source_dir() -> Path:
    """The repository's ``datasets/`` folder (present in a source checkout or editable install)."""
    return Path(__file__).resolve().parents[2] / "datasets"


def registry_entry(name: str) -> dict:
    """Return the parsed registry entry ``datasets/<name>.json``.

    A source checkout (and an editable install) reads the repository's ``datasets/`` folder; a
    wheel carries the same files as the package ``ganleak_cli.registry``.
    """
    source = _source_dir() / f"{name}.json"
    if source.is_file():
        return json.loads(source.read_text())
    return json.loads(resources.files("ganleak_cli.registry").joinpath(f"{name}.json").read_text())


def registered_datasets() -> list[str]:
    """Sorted names of every registry entry (``datasets/*.json``, i.e. ``ganleak_cli.registry``)."""
    names = {path.stem for path in _source_dir().glob("*.json")}
    try:
        shipped = resources.files("ganleak_cli.registry").iterdir()
        names.update(item.name[:-5] for item in shipped if item.name.endswith(".json"))
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass  # a source checkout without the package resource: the folder is enough
    return sorted(names)


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
    subdir = registry_entry(dataset).get("subdir", dataset)  # e.g. att_faces/ for att
    return [data_dir / fname, data_dir / subdir / fname]


def local_dir(data_dir: str | os.PathLike | None = None) -> Path | None:
    """``data_dir`` (or ``GANLEAK_DATA_DIR``) as a Path, None when neither is set.

    Raises DataError naming --data-dir when it is set but not a directory.
    """
    data_dir = data_dir or os.environ.get(DATA_DIR_ENV)
    if not data_dir:
        return None
    root = Path(data_dir)
    if not root.is_dir():
        raise DataError(f"--data-dir {root}: not a directory")
    return root


def find_local(dataset: str, key: str, data_dir: str | os.PathLike | None = None) -> Path | None:
    """The file ``key`` of ``dataset`` in the local data dir (flat or under ``<dataset>/``) or None.

    Nothing is hashed; ``data_dir`` defaults to ``GANLEAK_DATA_DIR``.
    """
    root = local_dir(data_dir)
    if root is None:
        return None
    fname = registry_entry(dataset)["files"][key]["name"]
    return next((p for p in _local_candidates(root, dataset, fname) if p.is_file()), None)


def cached_file(dataset: str, fname: str) -> Path:
    """Where the cache keeps (or would keep) the downloaded file ``fname`` of ``dataset``."""
    return cache_dir() / "datasets" / dataset / fname


def find_file(dataset: str, key: str,
              data_dir: str | os.PathLike | None = None) -> tuple[str, Path | None]:
    """Where ``locate`` would take a file from, without hashing or downloading.

    Returns ``("data-dir", path)``, ``("cache", path)`` or ``("missing", None)``.
    """
    local = find_local(dataset, key, data_dir)
    if local is not None:
        return "data-dir", local
    cached = cached_file(dataset, registry_entry(dataset)["files"][key]["name"])
    return ("cache", cached) if cached.is_file() else ("missing", None)


def check_file(path: Path, spec: dict) -> tuple[str, str]:
    """``("ok", "")`` or ``("corrupt", why)`` for a file against its registry ``spec``.

    A file smaller than the registered size is reported as truncated without hashing it.
    """
    size, expected = path.stat().st_size, spec.get("bytes")
    if expected is not None and size < expected:
        return "corrupt", f"truncated ({size} of {expected} bytes)"
    actual = sha256_of(path)
    if actual == spec["sha256"]:
        return "ok", ""
    return "corrupt", f"sha256 mismatch (expected {spec['sha256'][:12]}…, got {actual[:12]}…)"


def file_status(dataset: str, key: str, data_dir: str | os.PathLike | None = None,
                check: bool = True) -> dict:
    """What is known about one registered file, as a JSON-ready dict.

    ``status`` is ``ok`` / ``corrupt`` / ``missing`` with ``check`` (sha256 computed), else
    ``found`` / ``missing``; ``where`` is ``data-dir``, ``cache`` or ``missing``.
    """
    spec = registry_entry(dataset)["files"][key]
    where, path = find_file(dataset, key, data_dir)
    status, detail = ("missing", "") if path is None else ("found", "")
    if path is not None and check:
        status, detail = check_file(path, spec)
    return {"dataset": dataset, "key": key, "name": spec["name"], "bytes": spec.get("bytes"),
            "where": where, "path": str(path) if path else None,
            "size": path.stat().st_size if path else None, "status": status, "detail": detail}


def _download(dataset: str, spec: dict, mirrors: list[str]) -> Path:
    from keras.utils import get_file  # heavy import, only when a download is needed

    cached = cached_file(dataset, spec["name"])
    target = cached.parent
    if cached.exists():
        return verify(cached, spec["sha256"])
    if not mirrors and "archive" in registry_entry(dataset):
        return _from_archive(dataset, spec)
    errors = []
    for mirror in mirrors:
        try:
            got = get_file(spec["name"], origin=mirror + spec["name"], file_hash=spec["sha256"],
                           hash_algorithm="sha256", cache_dir=str(target), cache_subdir=".")
            return verify(Path(got), spec["sha256"])
        except Exception as exc:  # noqa: BLE001 - each mirror may fail in its own way
            errors.append(f"{mirror}: {failure_cause(exc)}")
    raise DataError(f"{spec['name']}: not found locally and download failed ({'; '.join(errors)})")


def failure_cause(exc: BaseException) -> str:
    """The innermost cause of a failed download in one line, e.g. ``URLError: [Errno -3]
    Temporary failure in name resolution``."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _from_archive(dataset: str, spec: dict) -> Path:
    """The file ``spec`` from the dataset's archive, downloaded and extracted into the cache."""
    cached = cached_file(dataset, spec["name"])
    if not cached.exists():
        try:
            extract_archive(dataset)
        except Exception as exc:  # noqa: BLE001 - network, zip or disk trouble alike
            raise DataError(f"{spec['name']}: not found locally and the archive could not be "
                            f"fetched ({type(exc).__name__}: {exc})") from None
    if not cached.exists():
        raise DataError(f"{spec['name']}: not in the downloaded archive")
    return verify(cached, spec["sha256"])


def extract_archive(dataset: str) -> Path:
    """Download the dataset's zip archive (``keras.utils.get_file``) and extract the registered
    files into the cache (a leading folder in the archive is ignored).

    The archive itself has no registered sha256 (it could not be known offline): only the
    registered member files are extracted, and each is verified by its caller before use.
    """
    from keras.utils import get_file  # heavy import, only when a download is needed

    entry = registry_entry(dataset)
    archive, root = entry["archive"], cached_file(dataset, "x").parent
    got = get_file(archive["name"], origin=archive["url"], cache_dir=str(root.parent),
                   cache_subdir="archives")
    wanted = {spec["name"] for spec in entry["files"].values()}
    with zipfile.ZipFile(got) as bundle:
        for member in bundle.namelist():
            name = "/".join(member.split("/")[-2:])  # sN/M.pgm, wherever the archive puts it
            if name in wanted:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(bundle.read(member))
    return root


def locate(dataset: str, key: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Path to a verified copy of the registry file ``key`` of ``dataset``.

    Looks in ``data_dir`` (or ``GANLEAK_DATA_DIR``), then the cache, then downloads.
    """
    entry = registry_entry(dataset)
    spec = entry["files"][key]
    data_dir = data_dir or os.environ.get(DATA_DIR_ENV)
    local = find_local(dataset, key, data_dir)
    if local is not None:
        return verify(local, spec["sha256"])
    try:
        return _download(dataset, spec, entry["mirrors"])
    except DataError as exc:
        looked = f" (looked in {data_dir} and {data_dir}/{dataset})" if data_dir else ""
        raise DataError(f"{exc}{looked}; {DATA_HINT.format(dataset=dataset)}") from None

