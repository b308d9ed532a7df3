"""A run's progress on stderr: plain lines off a terminal, a live bar on one, nothing quiet."""

import io

from rich.console import Console

from ganleak_cli.cli.progress import RunProgress, evaluation_line

RECORD = {"round": 20, "model_accuracy": 0.9, "victim_class_accuracy": 0.8,
          "oracle_target_rate": 0.97, "nn_ssim_heldout": 0.512}


def test_plain_lines_name_each_step_and_evaluation(capsys):
    with RunProgress(live=False) as progress:
        progress.note("loading mnist")
        progress.round_done(1, 100)
        progress.evaluation(RECORD, 12.5)
    out = capsys.readouterr()
    assert out.out == ""  # stdout stays for --json
    lines = out.err.splitlines()
    assert lines[0] == "loading mnist"
    assert lines[1] == evaluation_line(RECORD, 12.5) and "oracle 0.97" in lines[1]


def test_quiet_says_nothing(capsys):
    with RunProgress(quiet=True) as progress:
        progress.note("loading mnist")
        progress.evaluation(RECORD, 1.0)
    assert capsys.readouterr().err == ""


def test_a_terminal_gets_a_bar_with_rounds_eta_and_latest_figures():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=160)
    with RunProgress(live=True, console=console) as progress:
        progress.round_done(10, 100)
        progress.evaluation(RECORD, 3.0)
        progress.round_done(20, 100)
        progress.bar.refresh()
    shown = buffer.getvalue()
    assert "20/100" in shown and "ETA" in shown and "ssim 0.512" in shown
