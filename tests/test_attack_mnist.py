"""The GAN attack on real MNIST, through the CLI as a user runs it: measured leakage.

These runs take minutes (marked slow) and run in `make test` and CI. They need the real MNIST
files: GANLEAK_DATA_DIR (CI: ../shared/datasets) or a download.
"""

import json

import numpy as np
import pytest
from cli_runs import run_cli
from PIL import Image

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def headline(tmp_path_factory):
    """`ganleak simulate --victims 1 --rounds 60`, every other option at its default: the
    headline attack's first 60 of its 100 rounds, where it already clears the bars below (the
    whole run is the `mnist_attack` preset's `active` run, `make reproduce-figures`)."""
    return run_cli(tmp_path_factory, "headline", "--victims", "1", "--rounds", "60")


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    """The control: the same run with an honest adversary (no generator)."""
    return run_cli(tmp_path_factory, "honest", "--victims", "1", "--attack", "none")


def test_headline_leaks_recognisable_target_digits(headline):
    out, _ = headline
    summary = json.loads((out / "summary.json").read_text())
    assert summary["oracle_target_rate"] >= 0.9
    assert summary["nn_ssim_heldout"] >= 0.5


def test_leakage_grows_over_rounds(headline):
    out, _ = headline
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert records[-1]["nn_ssim_heldout"] > records[0]["nn_ssim_heldout"] + 0.1


def test_json_stdout_is_exactly_the_summary(headline):
    out, done = headline
    assert json.loads(done.stdout) == json.loads((out / "summary.json").read_text())
    assert "round" in done.stderr and "done in" in done.stderr


def test_run_folder_contents(headline):
    out, _ = headline
    config = json.loads((out / "config.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    assert config["seed"] == summary["seed"] == 0
    for key in ("rounds", "wall_seconds", "model_accuracy", "oracle_target_rate",
                "nn_ssim_heldout", "seed"):
        assert key in summary
    records = (out / "metrics.jsonl").read_text().splitlines()
    assert len(records) == config["rounds"] // config["eval_every"]
    last = f"round_{config['rounds']:04d}"
    with np.load(out / "samples" / f"{last}.npz") as npz:
        images, target = npz["images"], int(npz["target_class"])
    assert images.dtype == np.uint8 and images.ndim == 3 and images.shape[0] >= 64
    assert target == 3
    grid = Image.open(out / "grids" / f"{last}.png")
    assert grid.size[0] > 8 * 28 and grid.size[1] > 8 * 28


def test_honest_control_learns_the_victims_classes(honest):
    out, _ = honest
    summary = json.loads((out / "summary.json").read_text())
    assert summary["victim_class_accuracy"] >= 0.9
    assert "oracle_target_rate" not in summary
    assert not list((out / "grids").glob("*.png"))
