"""The report's verdict card, on real MNIST reference lines: real images of the class pass,
crafted fakes (a flat image, real images of another class, a collapsed pattern) do not, even when
the oracle is fooled; and report.html rendered in a real headless browser (Chromium) shows it."""

import json
import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from cli_runs import invoke
from PIL import Image

from ganleak_cli.metrics.reference import ANOTHER, ITSELF, NOISE
from ganleak_cli.metrics.similarity import nearest_ssim
from ganleak_cli.report.card import LEAKED, NO_VERDICT, NOT_SHOWN


@pytest.fixture(scope="module")
def mnist():
    if not os.environ.get("GANLEAK_DATA_DIR"):
        pytest.skip("GANLEAK_DATA_DIR is not set")
    from ganleak_cli.data import load_dataset
    return load_dataset("mnist")


def run_folder(root, ssim, oracle, **summary):
    """A finished MNIST run (target 3, victims 0–4) whose final figures are given."""
    (root / "grids").mkdir(parents=True)
    config = {"dataset": "mnist", "data_dir": os.environ.get("GANLEAK_DATA_DIR"),
              "image_size": None, "target_class": 3, "victim_classes": [0, 1, 2, 3, 4],
              "attack": "active", "rounds": 10}
    figures = {"oracle_target_rate": oracle, "nn_ssim_heldout": ssim, "model_accuracy": 0.9,
               **summary}
    (root / "config.json").write_text(json.dumps(config))
    (root / "metrics.jsonl").write_text(json.dumps({"round": 10, **figures}) + "\n")
    (root / "summary.json").write_text(json.dumps({"rounds": 10, "attack": "active",
                                                   **figures}))
    Image.fromarray(np.full((28, 56), 128, np.uint8)).save(root / "grids" / "round_0010.png")
    return root


def crafted(mnist):
    """Sample sets scored with the run's own code (nn_ssim_heldout against held-out 3s)."""
    threes = mnist.x_test[mnist.y_test == 3]
    pattern = np.tile(np.eye(28, dtype=np.uint8)[..., None] * 255, (64, 1, 1, 1))
    return {"real 3s (held-out vs the rest)": (threes[:64], threes[100:]),
            "flat grey": (np.full((64, 28, 28, 1), 128, np.uint8), threes),
            "real 1s": (mnist.x_test[mnist.y_test == 1][:64], threes),
            "collapsed pattern": (pattern, threes)}


def test_real_images_of_the_class_leak_and_crafted_fakes_do_not(mnist, tmp_path):
    expected = {"real 3s (held-out vs the rest)": LEAKED, "flat grey": NOT_SHOWN,
                "real 1s": NOT_SHOWN, "collapsed pattern": NOT_SHOWN}
    folders = []
    for i, (name, (images, refs)) in enumerate(crafted(mnist).items()):
        ssim = float(nearest_ssim(images, refs)[0].mean())
        folders.append(run_folder(tmp_path / f"r{i}", ssim, oracle=1.0))  # a fooled oracle
    result = invoke(["report", *map(str, folders), "--out", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "rep" / "report.md").read_text()
    verdicts = [line.split("|")[2].strip(" *") for line in text.splitlines()
                if re.match(r"\| r\d \| \*\*", line)]
    assert verdicts == list(expected.values()), text


def test_the_card_reads_the_reference_lines_and_the_oracle(mnist):
    from ganleak_cli.report.card import card
    from ganleak_cli.report.document import load_run

    def verdict(tmp, **figures):
        return card(load_run(run_folder(tmp, **figures), "r"))

    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        good = verdict(tmp / "a", ssim=0.58, oracle=1.0)
        assert good.verdict == LEAKED and good.lines[NOISE] < good.lines[ANOTHER] < 0.58
        assert good.lines[ANOTHER] < good.lines[ITSELF]
        assert verdict(tmp / "b", ssim=0.58, oracle=0.5).verdict == NOT_SHOWN
        spent = verdict(tmp / "c", ssim=0.2, oracle=1.0, epsilon_total=8.0, delta=1e-5)
        assert spent.verdict == NOT_SHOWN and "ε = 8 at δ = 1e-05" in spent.reasons[-1]


def test_a_run_whose_data_cannot_be_read_gets_no_verdict(tmp_path):
    from ganleak_cli.report.card import card
    from ganleak_cli.report.document import load_run

    root = run_folder(tmp_path / "r", ssim=0.6, oracle=1.0)
    config = json.loads((root / "config.json").read_text())
    (root / "config.json").write_text(json.dumps({**config, "dataset": "folder:/nonexistent"}))
    result = card(load_run(root, "r"))
    assert result.verdict == NO_VERDICT and "could not be read" in result.reasons[0]


def browser():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("GANLEAK_REQUIRE_BROWSER"):
            pytest.fail("GANLEAK_REQUIRE_BROWSER is set but no chromium is on the PATH")
        pytest.skip("no chromium (apt-get install chromium)")
    return found


def test_report_html_in_a_headless_browser_shows_the_verdict_card_first(mnist, tmp_path):
    chromium = browser()
    leaked = run_folder(tmp_path / "leaked", ssim=0.58, oracle=1.0)
    result = invoke(["report", str(leaked), "--out", str(tmp_path / "rep"), "--format", "html"])
    assert result.exit_code == 0, result.output
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--screenshot={shot}", "--window-size=1200,1400",
                    (tmp_path / "rep" / "report.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert pixels.shape == (1400, 1200, 3)
    assert np.mean(pixels.sum(axis=2) < 600) > 0.02          # not a blank page
    top = pixels[:400]
    card_red = np.all(np.abs(top - [248, 208, 204]) <= 6, axis=2)  # the LEAKED card's fill
    assert card_red.mean() > 0.05, card_red.mean()
    assert not np.all(np.abs(pixels[700:] - [248, 208, 204]) <= 6, axis=2).any(axis=1).all()


def test_the_report_command_keeps_tensorflows_start_up_lines_off_stderr(mnist, tmp_path):
    """Measuring the reference lines imports TensorFlow; its native start-up lines (absl's
    pre-init warning, oneDNN's notice) stay off stderr, as in every command."""
    import sys

    leaked = run_folder(tmp_path / "leaked", ssim=0.58, oracle=1.0)
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([sys.executable, "-m", "ganleak_cli.cli", "report", str(leaked),
                           "--out", str(tmp_path / "rep")], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    for noise in ("absl", "oneDNN", "I0000", "E0000", "W0000"):
        assert noise not in done.stderr, done.stderr


def face_run(root, failed: str, own_failed: str | None):
    """A finished face run whose verdict fails on ``failed`` ("" passes), with a calibration.json
    whose ``private_faces`` row (the victim's own photographs) fails on ``own_failed``."""
    root.mkdir(parents=True)
    figures = {"oracle_target_rate": 0.77, "identity_match": 1.0, "nn_ssim_heldout": 0.59,
               "sample_self_ssim": 0.54, "face_verdict": 0.0 if failed else 1.0,
               "face_verdict_failed": failed}
    (root / "config.json").write_text(json.dumps({"dataset": "att", "target_class": 17,
                                                  "attack": "active", "rounds": 10}))
    (root / "metrics.jsonl").write_text(json.dumps({"round": 10, **figures}) + "\n")
    (root / "summary.json").write_text(json.dumps({"rounds": 10, "attack": "active", **figures}))
    if own_failed is not None:
        own = {"set": "private_faces", "oracle_target_rate": 0.71,
               "face_verdict": 0.0 if own_failed else 1.0, "face_verdict_failed": own_failed}
        (root / "calibration.json").write_text(json.dumps({"target_class": 17, "rows": [own]}))
    return root


def test_a_failed_face_run_gets_no_verdict_when_the_persons_own_photographs_fail_too(tmp_path):
    from ganleak_cli.report.card import card
    from ganleak_cli.report.document import load_run

    def verdict(name, failed, own_failed):
        return card(load_run(face_run(tmp_path / name, failed, own_failed), name))

    unjudgeable = verdict("a", "oracle", own_failed="oracle")
    assert unjudgeable.verdict == NO_VERDICT
    assert "own photographs of the person fail it too (on: oracle)" in unjudgeable.reasons[1]
    assert verdict("b", "oracle", own_failed="").verdict == NOT_SHOWN
    assert verdict("c", "oracle", own_failed=None).verdict == NOT_SHOWN   # no calibration rows
    assert verdict("d", "", own_failed="oracle").verdict == LEAKED
    result = invoke(["report", str(tmp_path / "a"), "--out", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    assert "cannot judge this person" in (tmp_path / "rep" / "report.md").read_text()


def test_a_face_card_gives_the_persons_bar_and_the_memorisation_gap():
    from ganleak_cli.report.card import face_figures_lines
    lines = face_figures_lines({"nn_ssim_heldout": 0.536, "face_ssim_bar": 0.46,
                                "nn_ssim_private": 0.732})
    assert lines == ["SSIM to the person's held-out faces 0.536, the person's bar 0.460",
                     "memorisation: SSIM to the victim's private photographs 0.732 against "
                     "0.536 to the held-out ones (gap +0.196)"]
    assert face_figures_lines({"nn_ssim_heldout": 0.5}) == []
