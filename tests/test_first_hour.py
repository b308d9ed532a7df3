"""The frictions of a newcomer's first hour, each fixed: a missing data folder, a failed
download, Ctrl-C, a non-empty --out, ``ganleak report`` without --out, a budget that selects a
defence, the evaluation schedule, "done in", choices in any case, one-point curves."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from cli_runs import invoke
from test_report import make_run

import ganleak_cli.cli.commands.simulate as simulate_command
from ganleak_cli.simulation.runner import evaluation_schedule
from ganleak_cli.simulation.settings import EvaluationSettings


def test_a_missing_data_folder_is_a_usage_error_before_anything_is_printed(tmp_path):
    out = tmp_path / "run"
    result = invoke(["simulate", "--data-dir", str(tmp_path / "nope"), "--out", str(out)])
    assert result.exit_code == 2
    assert "Invalid value for '--data-dir'" in result.output
    assert "ganleak datasets fetch mnist" in result.output
    assert "run folder" not in result.output and not out.exists()


def test_a_missing_data_folder_from_the_environment_is_named_so(tmp_path):
    result = invoke(["simulate", "--out", str(tmp_path / "run")],
                    env={"GANLEAK_DATA_DIR": str(tmp_path / "nope")})
    assert result.exit_code == 2 and "(GANLEAK_DATA_DIR)" in result.output


def test_a_failed_download_names_its_cause_and_the_ways_out(tmp_path, monkeypatch):
    import keras

    from ganleak_cli.core.errors import DataError
    from ganleak_cli.data.registry import locate

    def offline(*args, **kwargs):
        try:
            raise OSError("[Errno -2] Name or service not known")
        except OSError as cause:
            raise Exception("URL fetch failure") from cause

    monkeypatch.setattr(keras.utils, "get_file", offline)
    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError) as caught:
        locate("mnist", "train_labels", tmp_path / "empty")
    message = str(caught.value)
    assert "OSError: [Errno -2] Name or service not known" in message
    assert "--data-dir" in message and "GANLEAK_DATA_DIR" in message
    assert "ganleak datasets fetch mnist" in message


def finished_run(root):
    return make_run(root, seed=1, acc=0.5)


def unfinished_run(root):
    run = make_run(root, seed=1, acc=0.5, finished=False)
    (run / "INCOMPLETE").write_text("unfinished")
    return run


@pytest.mark.parametrize("make, says", [
    (finished_run, "holds a finished run (read it with: ganleak report {out})"),
    (unfinished_run, "holds an unfinished run; continue it with: ganleak simulate --resume {out}"),
    (lambda root: root.mkdir() or (root / "notes.txt").write_text("x"),
     "is not empty and is not a run folder; add --overwrite"),
])
def test_a_non_empty_out_says_what_it_holds_and_the_command_to_use(tmp_path, make, says):
    out = tmp_path / "same"
    make(out)
    result = invoke(["simulate", "--out", str(out)])
    assert result.exit_code == 2
    assert says.format(out=out) in " ".join(result.output.split())


def test_report_without_out_writes_beside_the_run_and_shows_its_steps(tmp_path):
    run = finished_run(tmp_path / "alpha")
    first = invoke(["report", str(run)])
    assert first.exit_code == 0, first.output
    page = tmp_path / "alpha-report" / "report.md"
    assert first.stdout.strip().splitlines()[-1] == str(page) and page.is_file()
    assert "reading 1 run folder…" in first.stderr and "curves and grids…" in first.stderr
    again = invoke(["report", str(run)])   # an earlier report of its own is replaced
    assert again.exit_code == 0 and page.is_file()


@pytest.fixture
def no_run(monkeypatch):
    """``simulate`` with its run replaced: what the command says around a run, and the config
    it would run (0.3 s stands for the run)."""
    seen = {}

    def fake(cfg, resume, quiet=False):
        seen["cfg"] = cfg
        time.sleep(0.3)
        return {"wall_seconds": 0.0}

    monkeypatch.setattr(simulate_command, "run_checked", fake)
    return seen


def test_a_budget_that_selects_a_defence_says_so(tmp_path, no_run):
    result = invoke(["simulate", "--dp-eps", "0.1", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert "--defense shokri: selected by its settings given (--dp-eps 0.1)" in result.stderr
    assert no_run["cfg"].defence.defense == "shokri"


def test_done_in_counts_the_whole_command(tmp_path, no_run):
    result = invoke(["simulate", "--out", str(tmp_path / "run")])
    seconds = float(re.search(r"done in ([0-9.]+)s", result.stderr).group(1))
    assert seconds >= 0.3          # the summary's wall_seconds says 0.0


def test_choices_are_matched_in_any_case(tmp_path, no_run):
    result = invoke(["simulate", "--protocol", "FedAvg", "--attack", "NONE",
                     "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert (no_run["cfg"].protocol.protocol, no_run["cfg"].attack.attack) == ("fedavg", "none")


@pytest.mark.parametrize("rounds, every, first, says", [
    (3, 10, 1, "evaluating at round 3"),
    (20, 10, 1, "evaluating at rounds 10, 20"),
    (100, 10, 1, "evaluating at rounds 10, 20, …, 100"),
    (105, 10, 1, "evaluating at rounds 10, 20, …, 100, 105"),
    (100, 10, 51, "evaluating at rounds 60, 70, …, 100"),
])
def test_the_evaluation_schedule_is_said_as_it_will_happen(rounds, every, first, says):
    assert evaluation_schedule(first, rounds, EvaluationSettings(eval_every=every)) == says


def test_a_one_point_curve_has_one_whole_round_tick():
    from ganleak_cli.report.plots import new_figure, round_axis

    fig, ax = new_figure()
    ax.plot([3], [0.5], marker="o")
    round_axis(ax, [3])
    assert list(ax.get_xticks()) == [3] and ax.get_xlim() == (2, 4)


@pytest.mark.slow
def test_ctrl_c_stops_after_the_round_and_says_how_to_continue(tmp_path):
    """A real MNIST run interrupted by SIGINT as its rounds start: it stops after round 1 with
    exit 130 and the exact resume command, and the resumed run finishes."""
    if not os.environ.get("GANLEAK_DATA_DIR"):
        pytest.skip("GANLEAK_DATA_DIR is not set (real MNIST needed)")
    out = tmp_path / "run"
    args = [sys.executable, "-m", "ganleak_cli.cli", "simulate", "--rounds", "3",
            "--eval-every", "3", "--records-per-class", "30", "--local-steps", "2",
            "--eval-samples", "64", "--out", str(out)]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.startswith("rounds 1-3"):          # the round loop is starting
            proc.send_signal(signal.SIGINT)
            break
    said = "".join(lines) + proc.communicate(timeout=600)[1]
    assert proc.returncode == 130, said[-2000:]
    assert f"interrupted after round 1; continue with: ganleak simulate --resume {out}" in said
    assert (out / "checkpoint.npz").is_file() and not (out / "summary.json").exists()
    resumed = subprocess.run([sys.executable, "-m", "ganleak_cli.cli", "simulate", "--resume",
                              str(out)], capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "rounds 2-3, evaluating at round 3" in resumed.stderr
    assert [json.loads(line)["round"] for line in (out / "metrics.jsonl").open()] == [3]
    assert (out / "summary.json").is_file()
