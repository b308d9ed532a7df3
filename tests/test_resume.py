"""Reliability on real MNIST: identical runs agree byte for byte; a run killed with SIGKILL
resumes and finishes exactly as an uninterrupted run with the same seed."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# Small but complete: an active GAN insider under Shokri's DP (the adversary noised too, so
# every kind of state is exercised: generator, Adam, seed states, fake pool, RNGs, ledgers).
ARGS = ["--rounds", "6", "--eval-every", "2", "--checkpoint-every", "1",
        "--records-per-class", "100", "--local-steps", "3", "--gen-steps", "3",
        "--fakes-per-turn", "64", "--eval-samples", "64", "--theta-u", "0.1",
        "--dp-eps-per-param", "100", "--dp-adversary", "--seed", "7"]


def command(*extra):
    return [sys.executable, "-m", "ganleak_cli.cli", "simulate", *extra]


def run(*extra):
    done = subprocess.run(command(*extra), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def outputs(folder: Path) -> dict:
    """Every file whose bytes must agree: metrics and each round's samples and grid."""
    names = ["metrics.jsonl"] + [f"{sub}/{p.name}" for sub in ("samples", "grids")
                                 for p in sorted((folder / sub).iterdir())]
    return {name: (folder / name).read_bytes() for name in names}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "run"
    run(*ARGS, "--out", str(out))
    return out


def test_two_identical_runs_agree_byte_for_byte(reference, tmp_path):
    run(*ARGS, "--out", str(tmp_path / "again"))
    first, second = outputs(reference), outputs(tmp_path / "again")
    # metrics + samples, sample grids and comparison grids of rounds 2, 4, 6 + the strip
    assert len(first) == 1 + 3 * 3 + 1
    assert first == second


def _kill_after_checkpoint(proc, checkpoint: Path, newer_than: float, mid: float) -> float:
    """Wait for a checkpoint written after ``newer_than``, then SIGKILL ``mid`` s later."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        if checkpoint.is_file() and checkpoint.stat().st_mtime > newer_than:
            stamp = checkpoint.stat().st_mtime
            time.sleep(mid)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return stamp
        time.sleep(0.05)
    pytest.fail("the run ended or stalled before writing a checkpoint")


def test_sigkill_then_resume_matches_uninterrupted_run(reference, tmp_path):
    out = tmp_path / "killed"
    checkpoint = out / "checkpoint.npz"
    proc = subprocess.Popen(command(*ARGS, "--out", str(out)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    stamp = _kill_after_checkpoint(proc, checkpoint, 0.0, 0.3)
    assert proc.returncode == -signal.SIGKILL
    assert (out / "INCOMPLETE").is_file() and not (out / "summary.json").exists()
    # Kill the resumed run too, once it has got further, then let a second resume finish.
    proc = subprocess.Popen(command("--resume", str(out)), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _kill_after_checkpoint(proc, checkpoint, stamp, 0.5)
    done = run("--resume", str(out), "--json")
    summary = json.loads(done.stdout)
    assert summary["rounds"] == 6
    assert (out / "summary.json").is_file() and not (out / "INCOMPLETE").exists()
    assert outputs(out) == outputs(reference)


def test_resume_of_a_finished_run_reports_it(reference):
    done = run("--resume", str(reference), "--json")
    assert json.loads(done.stdout) == json.loads((reference / "summary.json").read_text())
    assert "already finished" in done.stderr


def test_resume_refuses_new_options(reference):
    done = subprocess.run(command("--resume", str(reference), "--rounds", "9"),
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "--resume" in done.stderr and "--rounds" in done.stderr
    assert "Traceback" not in done.stderr


def test_how_often_a_run_is_evaluated_changes_none_of_its_figures(reference, tmp_path):
    """Evaluation draws no random numbers (fixed sampling noise, no training): evaluating only at
    the end gives the last round's samples and figures of a run evaluated every 2 rounds. The
    slow attack tests evaluate rarely because of this."""
    once = tmp_path / "once"
    run(*ARGS, "--eval-every", "6", "--out", str(once))
    last = "round_0006"
    assert (once / "samples" / f"{last}.npz").read_bytes() == \
        (reference / "samples" / f"{last}.npz").read_bytes()
    every_two = json.loads((reference / "metrics.jsonl").read_text().splitlines()[-1])
    only = [json.loads(line) for line in (once / "metrics.jsonl").read_text().splitlines()]
    assert len(only) == 1 and only[0] == every_two
