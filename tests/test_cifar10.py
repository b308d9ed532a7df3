"""CIFAR-10 from its binary archive: registry, parsing (a small archive made here), errors, and
the real archive when GANLEAK_DATA_DIR holds it (skipped otherwise: no download in tests)."""

import io
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest

from ganleak_cli.cli.commands.simulate_options import build_config
from ganleak_cli.core.errors import DataError
from ganleak_cli.data import cifar10, load_dataset, registry

MEMBERS = cifar10.TRAIN_MEMBERS + cifar10.TEST_MEMBERS


def records(labels, rng):
    """Raw CIFAR-10 records: label byte + R, G, B planes."""
    pixels = rng.integers(0, 256, (len(labels), 3 * 32 * 32), dtype=np.uint8)
    return np.concatenate([np.array(labels, np.uint8)[:, None], pixels], axis=1), pixels


def write_archive(path: Path, blobs: dict) -> Path:
    with tarfile.open(path, "w:gz") as bundle:
        for name, blob in blobs.items():
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(blob)
            bundle.addfile(info, io.BytesIO(blob))
    return path


@pytest.fixture
def small_archive(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    blobs, planes = {}, {}
    for i, name in enumerate(MEMBERS):
        rows, pixels = records([i % 10, (i + 3) % 10], rng)
        blobs[name], planes[name] = rows.tobytes(), pixels
    path = write_archive(tmp_path / "cifar-10-binary.tar.gz", blobs)
    monkeypatch.setattr(cifar10, "locate", lambda name, key, data_dir: path)
    return path, planes


def test_registry_has_the_archive_with_size_and_sha256():
    spec = registry.registry_entry("cifar10")["files"]["archive"]
    assert spec["name"] == "cifar-10-binary.tar.gz" and spec["bytes"] == 170052171
    assert len(spec["sha256"]) == 64 and "cifar10" in registry.registered_datasets()


def test_records_parse_to_rgb_images_and_labels(small_archive):
    _, planes = small_archive
    data = load_dataset("cifar10", color="rgb")
    assert data.x_train.shape == (10, 32, 32, 3) and data.x_test.shape == (2, 32, 32, 3)
    assert list(data.y_train[:4]) == [0, 3, 1, 4] and data.num_classes == 10
    first = planes["data_batch_1.bin"][0].reshape(3, 32, 32)
    np.testing.assert_array_equal(data.x_train[0, :, :, 1], first[1])  # green plane


def test_grey_and_resize(small_archive):
    data = load_dataset("cifar10", image_size=24)
    assert data.x_train.shape == (10, 24, 24, 1) and data.x_train.dtype == np.uint8


@pytest.mark.parametrize("blob, message", [(b"\x00" * 100, "whole number"),
                                           (bytes([12]) + b"\x00" * 3072, "label 12")])
def test_a_damaged_member_is_named(tmp_path, blob, message):
    blobs = {name: bytes([1]) + b"\x00" * 3072 for name in MEMBERS}
    blobs["data_batch_3.bin"] = blob
    path = write_archive(tmp_path / "bad.tar.gz", blobs)
    with pytest.raises(DataError, match=f"data_batch_3.bin.*{message}"):
        cifar10.read_archive(path)


def test_a_missing_member_and_a_broken_archive_are_named(tmp_path):
    path = write_archive(tmp_path / "part.tar.gz", {"data_batch_1.bin": bytes(3073)})
    with pytest.raises(DataError, match="lacks data_batch_2.bin"):
        cifar10.read_archive(path)
    (tmp_path / "junk.tar.gz").write_bytes(b"not a tarball")
    with pytest.raises(DataError, match="cannot read the archive"):
        cifar10.read_archive(tmp_path / "junk.tar.gz")


def test_cli_config_for_cifar10_uses_half_split_defaults():
    cfg = build_config({"dataset": "cifar10", "victim_classes": None, "adversary_classes": None,
                        "target_class": None, "color": "rgb"})
    assert cfg.data.victim_classes == (0, 1, 2, 3, 4) and cfg.data.target_class == 0
    assert cfg.data.color == "rgb"


def test_the_real_archive_when_present():
    data_dir = os.environ.get("GANLEAK_DATA_DIR")
    found = data_dir and registry.find_local("cifar10", "archive", data_dir)
    if not found:
        pytest.skip("no cifar-10-binary.tar.gz in GANLEAK_DATA_DIR (tests never download)")
    data = load_dataset("cifar10", data_dir, color="rgb")
    assert data.x_train.shape == (50000, 32, 32, 3) and data.x_test.shape == (10000, 32, 32, 3)
    assert np.bincount(data.y_train).tolist() == [5000] * 10


@pytest.mark.slow
def test_a_tiny_rgb_run_on_a_cifar_shaped_archive(tmp_path, monkeypatch):
    """The whole pipeline on 3-channel 32×32 images (an archive of random records made here,
    every class in every member)."""
    import json

    rng = np.random.default_rng(1)
    blobs = {name: records([k % 10 for k in range(40)], rng)[0].tobytes() for name in MEMBERS}
    path = write_archive(tmp_path / "cifar-10-binary.tar.gz", blobs)
    monkeypatch.setattr(cifar10, "locate", lambda name, key, data_dir: path)

    from ganleak_cli.simulation.config import SimConfig
    from ganleak_cli.simulation.runner import simulate

    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path / "cache"))
    # random records never fit: the oracle would train every epoch of all its members; the
    # pipeline, not the instrument, is under test here
    from ganleak_cli.metrics import oracle as oracle_module
    monkeypatch.setattr(oracle_module, "ENSEMBLE", 1)
    monkeypatch.setattr(oracle_module, "AUGMENTED_EPOCHS", 1)
    cfg = SimConfig.from_options(
        dataset="cifar10", color="rgb", victim_classes=(0, 1, 2, 3, 4),
        adversary_classes=(5, 6, 7, 8, 9), target_class=0, rounds=1, eval_every=1,
        local_steps=1, gen_steps=1, batch_size=4, fakes_per_turn=8, eval_samples=64,
        out=str(tmp_path / "run"))
    summary = simulate(cfg)
    assert summary["rounds"] == 1 and 0.0 <= summary["model_accuracy"] <= 1.0
    grid = tmp_path / "run" / "grids" / "round_0001.png"
    from PIL import Image
    assert Image.open(grid).mode == "RGB"
    assert json.loads((tmp_path / "run" / "config.json").read_text())["color"] == "rgb"


def test_privacy_plan_counts_the_colour_channels():
    from ganleak_cli.cli.commands.privacy_plan import privacy_plan

    grey = build_config({"dataset": "cifar10", "victim_classes": None, "adversary_classes": None,
                         "target_class": None, "dp_eps": 1.0})
    rgb = build_config({"dataset": "cifar10", "victim_classes": None, "adversary_classes": None,
                        "target_class": None, "dp_eps": 1.0, "color": "rgb"})
    grey_plan, rgb_plan = privacy_plan(grey), privacy_plan(rgb)
    assert rgb_plan["parameters"] > grey_plan["parameters"]
    assert grey_plan["records_per_victim"] == 25000  # 5 classes × 5000, one victim
