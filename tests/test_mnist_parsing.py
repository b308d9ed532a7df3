"""Tests for IDX parsing (ganleak_cli.data.mnist) and the dataset registry, on synthetic files."""

import gzip
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest

import ganleak_cli.data.registry as registry
from ganleak_cli.core.errors import DataError
from ganleak_cli.data.mnist import parse_idx, read_idx_gz

REPO = Path(__file__).resolve().parents[1]


def _idx3(images: np.ndarray) -> bytes:
    n, h, w = images.shape
    header = (0x00000803).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in (n, h, w))
    return header + images.astype(np.uint8).tobytes()


def _idx1(labels: np.ndarray) -> bytes:
    return (0x00000801).to_bytes(4, "big") + len(labels).to_bytes(4, "big") + \
        labels.astype(np.uint8).tobytes()


# --- parse_idx / read_idx_gz -----------------------------------------------------------------

def test_parse_idx_images_shape_and_values():
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    out = parse_idx(_idx3(images), "imgs")
    assert out.shape == (2, 3, 4)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, images)


def test_parse_idx_labels():
    labels = np.array([7, 2, 1, 0, 4], dtype=np.uint8)
    out = parse_idx(_idx1(labels), "lbls")
    assert out.shape == (5,)
    np.testing.assert_array_equal(out, labels)


def test_parse_idx_wrong_magic_raises_with_name():
    raw = bytearray(_idx1(np.zeros(3, dtype=np.uint8)))
    raw[2] = 0x0D  # float data type, not unsigned bytes
    with pytest.raises(DataError, match="bad-magic-file"):
        parse_idx(bytes(raw), "bad-magic-file")


def test_parse_idx_nonzero_leading_bytes_raise():
    raw = b"\x01" + _idx1(np.zeros(3, dtype=np.uint8))[1:]
    with pytest.raises(DataError, match="lead"):
        parse_idx(raw, "lead")


def test_parse_idx_too_short_raises():
    with pytest.raises(DataError, match="tiny"):
        parse_idx(b"\x00\x00", "tiny")


def test_parse_idx_size_mismatch_raises_with_name():
    raw = _idx3(np.zeros((2, 3, 3), dtype=np.uint8))
    with pytest.raises(DataError, match="short-file"):
        parse_idx(raw[:-1], "short-file")
    with pytest.raises(DataError, match="long-file"):
        parse_idx(raw + b"\x00", "long-file")


def test_read_idx_gz_roundtrip(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(3, 5, 5), dtype=np.uint8)
    path = tmp_path / "imgs.gz"
    path.write_bytes(gzip.compress(_idx3(images)))
    np.testing.assert_array_equal(read_idx_gz(path), images)


def test_read_idx_gz_truncated_raises(tmp_path):
    data = gzip.compress(_idx3(np.random.default_rng(0).integers(0, 256, (4, 8, 8), np.uint8)))
    path = tmp_path / "truncated.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="truncated.gz"):
        read_idx_gz(path)


def test_read_idx_gz_not_gzip_raises(tmp_path):
    path = tmp_path / "plain.gz"
    path.write_bytes(b"this is not gzip data at all")
    with pytest.raises(DataError, match="plain.gz"):
        read_idx_gz(path)


# --- registry: verify ------------------------------------------------------------------------

def _write(path: Path, payload: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return hashlib.sha256(payload).hexdigest()


def test_verify_right_sha_returns_path(tmp_path):
    path = tmp_path / "f.bin"
    sha = _write(path, b"hello")
    assert registry.verify(path, sha) == path


def test_verify_wrong_sha_raises_naming_file(tmp_path):
    path = tmp_path / "wrong.bin"
    _write(path, b"hello")
    with pytest.raises(DataError, match="wrong.bin"):
        registry.verify(path, "0" * 64)


# --- registry: locate with a fake entry -------------------------------------------------------

PAYLOAD = b"fake test labels payload"
FNAME = "t10k-labels-idx1-ubyte.gz"


def _fake_entry():
    real = json.loads((REPO / "datasets" / "mnist.json").read_text())
    fake = dict(real)
    fake["files"] = {key: dict(spec) for key, spec in real["files"].items()}
    fake["files"]["test_labels"] = {"name": FNAME, "bytes": len(PAYLOAD),
                                    "sha256": hashlib.sha256(PAYLOAD).hexdigest()}
    return fake


@pytest.fixture
def fake_registry(monkeypatch):
    monkeypatch.setattr(registry, "registry_entry", lambda name: _fake_entry())

    def no_download(dataset, spec, mirrors):
        raise DataError("x: not found")

    monkeypatch.setattr(registry, "_download", no_download)


def test_locate_finds_flat_file(tmp_path, fake_registry):
    _write(tmp_path / FNAME, PAYLOAD)
    assert registry.locate("mnist", "test_labels", data_dir=tmp_path) == tmp_path / FNAME


def test_locate_finds_file_under_dataset_folder(tmp_path, fake_registry):
    _write(tmp_path / "mnist" / FNAME, PAYLOAD)
    found = registry.locate("mnist", "test_labels", data_dir=tmp_path)
    assert found == tmp_path / "mnist" / FNAME


def test_locate_corrupt_file_raises_naming_it(tmp_path, fake_registry):
    _write(tmp_path / FNAME, PAYLOAD + b"corrupt")
    with pytest.raises(DataError, match=re.escape(FNAME)):
        registry.locate("mnist", "test_labels", data_dir=tmp_path)


def test_locate_empty_dir_without_download_raises(tmp_path, fake_registry):
    with pytest.raises(DataError, match="not found"):
        registry.locate("mnist", "test_labels", data_dir=tmp_path)


def test_locate_missing_data_dir_raises(tmp_path, fake_registry):
    with pytest.raises(DataError, match="not a directory"):
        registry.locate("mnist", "test_labels", data_dir=tmp_path / "nope")


# --- the real registry file -------------------------------------------------------------------

def test_real_registry_lists_four_files_with_sha_and_mirrors():
    entry = registry.registry_entry("mnist")
    assert set(entry["files"]) == {"train_images", "train_labels", "test_images", "test_labels"}
    for spec in entry["files"].values():
        assert re.fullmatch(r"[0-9a-f]{64}", spec["sha256"])
        assert spec["name"].endswith(".gz")
    assert isinstance(entry["mirrors"], list) and len(entry["mirrors"]) >= 1
    assert all(m.startswith("https://") and m.endswith("/") for m in entry["mirrors"])
