"""`ganleak datasets list | fetch | verify`, and that a damaged data file is never used.

Nothing here touches the network: the cache is an empty tmp folder, and downloads either are
forbidden (``no_download``) or go through a keras ``get_file`` that fails (``offline_keras``).
Real MNIST comes from GANLEAK_DATA_DIR (the tests that need it are skipped without it) and is
only ever copied into tmp_path.
"""

import hashlib
import json
import os
import shutil
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from ganleak_cli.cli.main import main
from ganleak_cli.core.errors import DataError
from ganleak_cli.data import load_dataset, registry

MNIST = registry.registry_entry("mnist")["files"]
LABELS = MNIST["train_labels"]["name"]


def invoke(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.fixture(scope="module")
def real_mnist():
    """key → path of the four real MNIST files in GANLEAK_DATA_DIR (else the test is skipped)."""
    data_dir = os.environ.get("GANLEAK_DATA_DIR")
    if not data_dir or not Path(data_dir).is_dir():
        pytest.skip("GANLEAK_DATA_DIR is unset or not a directory")
    found = {key: registry.find_local("mnist", key, data_dir) for key in MNIST}
    if None in found.values():
        pytest.skip(f"GANLEAK_DATA_DIR={data_dir} lacks some MNIST files")
    return found


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty GANLEAK_CACHE_DIR, so that nothing is taken from a real cache."""
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def no_download(cache, monkeypatch):
    """Any download attempt fails loudly and is recorded."""
    attempts = []

    def refuse(dataset, spec, mirrors):
        attempts.append(spec["name"])
        raise DataError(f"{spec['name']}: download attempted in a test")
    monkeypatch.setattr(registry, "_download", refuse)
    return attempts


@pytest.fixture
def offline_keras(cache, monkeypatch):
    """A stand-in ``keras.utils`` whose get_file raises OSError, as without a network.

    The real ``_download`` runs (every mirror is tried); TensorFlow is not imported.
    """
    origins = []

    def get_file(fname, origin=None, **kwargs):
        origins.append(origin)
        raise OSError(f"offline: {origin}")
    monkeypatch.setitem(sys.modules, "keras.utils", types.SimpleNamespace(get_file=get_file))
    return origins


def copy_mnist(real_mnist, folder: Path) -> Path:
    """Copy the four real files, flat, into ``folder`` (writable copies)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in real_mnist.values():
        shutil.copyfile(path, folder / path.name)
    return folder


def damage(path: Path, how: str) -> None:
    """Truncate the file to half its size, or flip one byte in its middle (same size)."""
    raw = bytearray(path.read_bytes())
    if how == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    else:
        raw[len(raw) // 2] ^= 0xFF
        path.write_bytes(raw)


@pytest.fixture(params=["truncate", "flip"])
def damaged(request, real_mnist, tmp_path, no_download):
    """A data dir with the real MNIST files, train-labels damaged (truncated or a byte flipped)."""
    folder = copy_mnist(real_mnist, tmp_path / "data")
    damage(folder / LABELS, request.param)
    return folder, request.param


# --- real files -------------------------------------------------------------------------------

def test_registered_datasets_include_mnist():
    assert "mnist" in registry.registered_datasets()


def test_list_shows_real_files_in_data_dir(real_mnist, no_download):
    data_dir = os.environ["GANLEAK_DATA_DIR"]
    result = invoke("datasets", "list", "--files", "--data-dir", data_dir)
    assert result.exit_code == 0, result.output
    for key, path in real_mnist.items():
        line = next(ln for ln in result.output.splitlines() if MNIST[key]["name"] in ln)
        assert "data-dir" in line and str(path) in line and f"{MNIST[key]['bytes']:,}" in line


def test_verify_real_files_ok(real_mnist, no_download):
    result = invoke("datasets", "verify", "--data-dir", os.environ["GANLEAK_DATA_DIR"], "mnist")
    assert result.exit_code == 0, result.output
    assert sorted(ln.split()[-1] for ln in result.stdout.splitlines() if ln.startswith("ok ")) == \
        sorted(str(p) for p in real_mnist.values())
    assert "4 ok, 0 corrupt, 0 missing" in result.output
    assert no_download == []


def test_verify_json_from_the_environment(real_mnist, no_download):
    result = invoke("datasets", "verify", "--json", "mnist",
                    env={"GANLEAK_DATA_DIR": os.environ["GANLEAK_DATA_DIR"]})
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["status"] for r in records] == ["ok"] * 4
    assert [r["where"] for r in records] == ["data-dir"] * 4


# --- damaged files are rejected everywhere ----------------------------------------------------

def test_damaged_file_fails_verify(damaged):
    folder, how = damaged
    result = invoke("datasets", "verify", "--data-dir", folder, "mnist")
    assert result.exit_code == 1
    bad = [ln for ln in result.stdout.splitlines() if not ln.startswith("ok ")]
    assert bad == [bad[0]] and bad[0].startswith("CORRUPT") and str(folder / LABELS) in bad[0]
    assert ("truncated" if how == "truncate" else "sha256 mismatch") in bad[0]
    assert "3 ok, 1 corrupt, 0 missing" in result.output
    assert "Traceback" not in result.output


def test_damaged_file_fails_loading(damaged):
    folder, _ = damaged
    with pytest.raises(DataError, match=LABELS):
        load_dataset("mnist", str(folder))


def test_damaged_file_stops_simulate_without_run_folder(damaged, tmp_path):
    folder, _ = damaged
    out = tmp_path / "run"
    result = invoke("simulate", "--data-dir", folder, "--out", out, "--rounds", "1")
    assert result.exit_code == 1
    assert LABELS in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_damaged_file_fails_fetch(damaged):
    folder, _ = damaged
    result = invoke("datasets", "fetch", "--data-dir", folder, "mnist")
    assert result.exit_code == 1
    assert "Error:" in result.output and LABELS in result.output
    assert "Traceback" not in result.output


# --- fetch ------------------------------------------------------------------------------------

def test_fetch_with_complete_data_dir(real_mnist, tmp_path, no_download):
    folder = copy_mnist(real_mnist, tmp_path / "data" / "mnist")  # the nested layout
    result = invoke("datasets", "fetch", "--data-dir", tmp_path / "data", "mnist")
    assert result.exit_code == 0, result.output
    assert sorted(ln.split()[-1] for ln in result.stdout.splitlines()) == \
        sorted(str(folder / p.name) for p in real_mnist.values())
    assert no_download == []


def test_fetch_offline_with_empty_dir_is_one_line(tmp_path, offline_keras):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("datasets", "fetch", "--data-dir", empty, "mnist")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:")
    assert MNIST["train_images"]["name"] in lines[0] and "OSError" in lines[0]
    assert "Traceback" not in result.output
    mirrors = registry.registry_entry("mnist")["mirrors"]
    assert offline_keras == [m + MNIST["train_images"]["name"] for m in mirrors]


def test_verify_missing_files(tmp_path, cache):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("datasets", "verify", "--data-dir", empty, "mnist")
    assert result.exit_code == 3  # missing (a named dataset), not corrupt
    missing = [ln for ln in result.stdout.splitlines() if ln.startswith("MISSING")]
    assert len(missing) == 4 and all(str(cache) in ln and str(empty) in ln for ln in missing)
    assert "Traceback" not in result.output


# --- usage errors -----------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["list", "verify", "fetch"])
def test_unknown_dataset_is_a_usage_error(command, cache):
    result = invoke("datasets", command, "mnist", "nosuch")
    assert result.exit_code == 2
    assert "DATASET" in result.output and "'nosuch'" in result.output
    assert "known: att, cifar10, mnist" in result.output


@pytest.mark.parametrize("command", ["list", "verify", "fetch"])
def test_bad_data_dir_is_a_usage_error(command, tmp_path, cache):
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a folder")
    for bad in (tmp_path / "nowhere", a_file):
        result = invoke("datasets", command, "--data-dir", bad)
        assert result.exit_code == 2 and "--data-dir" in result.output, result.output
    result = invoke("datasets", command, env={"GANLEAK_DATA_DIR": str(tmp_path / "nowhere")})
    assert result.exit_code == 2 and "--data-dir" in result.output


# --- nothing MNIST-specific: a toy registry entry, no real data needed ------------------------

@pytest.fixture
def toy(tmp_path, monkeypatch, cache):
    """A registry entry `toy` (a.bin ok under toy/, b.bin truncated, c.bin missing locally)."""
    contents = {"a.bin": b"alpha" * 100, "b.bin": b"bravo" * 100, "c.bin": b"charlie"}
    files = {name[0]: {"name": name, "bytes": len(raw), "sha256": _sha(raw)}
             for name, raw in contents.items()}
    reg = tmp_path / "registry"
    reg.mkdir()
    (reg / "toy.json").write_text(json.dumps({"name": "toy", "mirrors": [], "files": files}))
    monkeypatch.setattr(registry, "_source_dir", lambda: reg)
    data = tmp_path / "data"
    (data / "toy").mkdir(parents=True)
    (data / "toy" / "a.bin").write_bytes(contents["a.bin"])
    (data / "b.bin").write_bytes(contents["b.bin"][:10])
    return data, contents


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def test_toy_registry_list_verify_and_cache(toy, cache):
    data, contents = toy
    assert "toy" in registry.registered_datasets()
    listed = invoke("datasets", "list", "--files", "--data-dir", data, "toy")
    assert listed.exit_code == 0
    where = {ln.split()[1]: ln.split()[4] for ln in listed.stdout.splitlines()}
    assert where == {"a.bin": "data-dir", "b.bin": "data-dir", "c.bin": "missing"}
    result = invoke("datasets", "verify", "--data-dir", data, "toy")
    assert result.exit_code == 1
    assert "CORRUPT  " + str(data / "b.bin") + ": truncated (10 of 500 bytes)" in result.stdout
    assert "MISSING  toy/c.bin" in result.stdout
    (cache / "datasets" / "toy").mkdir(parents=True)
    (cache / "datasets" / "toy" / "c.bin").write_bytes(contents["c.bin"])
    (data / "b.bin").write_bytes(contents["b.bin"])
    result = invoke("datasets", "verify", "--json", "--data-dir", data, "toy")
    assert result.exit_code == 0, result.output
    assert [r["where"] for r in json.loads(result.stdout)] == ["data-dir", "data-dir", "cache"]


def test_list_is_one_line_per_dataset_unless_files(real_mnist, no_download):
    data_dir = os.environ["GANLEAK_DATA_DIR"]
    result = invoke("datasets", "list", "--data-dir", data_dir)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(registry.registered_datasets())
    mnist = next(ln for ln in lines if ln.startswith("mnist "))
    assert "4/4" in mnist and "data-dir" in mnist
    per_file = invoke("datasets", "list", "--files", "--json", "--data-dir", data_dir, "mnist")
    assert len(json.loads(per_file.stdout)) == 4


def test_verify_tells_an_optional_dataset_not_fetched_from_a_damaged_one(toy, cache):
    """Without names, a dataset with no file present is reported ABSENT (exit 0); a missing
    file of a dataset that is partly there exits 3, a corrupt one 1."""
    data, contents = toy
    empty = data.parent / "nothing"
    empty.mkdir()
    result = invoke("datasets", "verify", "--data-dir", empty)
    assert "ABSENT   toy: not fetched" in result.stdout
    partial = invoke("datasets", "verify", "--data-dir", data, "toy")
    assert partial.exit_code == 1  # b.bin is truncated: corrupt wins over missing
    (data / "b.bin").write_bytes(contents["b.bin"])
    missing = invoke("datasets", "verify", "--data-dir", data, "toy")
    assert missing.exit_code == 3 and "MISSING  toy/c.bin" in missing.stdout
