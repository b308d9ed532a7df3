"""``ganleak report``: curves, grids and a table of final numbers from synthetic run folders
(no TensorFlow needed)."""

import base64
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from ganleak_cli.cli.main import main


def make_run(root, *, seed, acc, finished=True, eps=None, rounds=6, extra_grids=False):
    """A run folder as `ganleak simulate` writes it, evaluated every 2 rounds."""
    (root / "grids").mkdir(parents=True)
    (root / "config.json").write_text(json.dumps({"rounds": rounds, "seed": seed,
                                                  "attack": "active", "target_class": 3,
                                                  "defense": "none" if eps is None else "dpsgd"}))
    records = []
    for round_no in range(2, rounds + 1, 2):
        record = {"round": round_no, "model_accuracy": acc * round_no / rounds,
                  "victim_class_accuracy": acc / 2 * round_no / rounds,
                  "oracle_target_rate": 0.1 * round_no, "nn_ssim_heldout": 0.05 * round_no,
                  "generator_loss": 1.0, "accuracy_per_class": {"3": 0.5},
                  "participant_loss": {"victim0": 1.0}}
        if eps is not None:
            record.update(epsilon_total=eps * round_no / rounds, accountant="rdp", delta=1e-5)
        records.append(record)
        pixels = np.full((20, 20), 20 * round_no, np.uint8)
        Image.fromarray(pixels).save(root / "grids" / f"round_{round_no:04d}.png")
    (root / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    if extra_grids:
        compare = root / "grids" / f"compare_{rounds:04d}.png"
        Image.fromarray(np.zeros((10, 30), np.uint8)).save(compare)
        Image.fromarray(np.zeros((10, 50), np.uint8)).save(root / "grids" / "strip.png")
    if finished:
        last = {k: v for k, v in records[-1].items() if k != "round"}
        (root / "summary.json").write_text(json.dumps(
            {"rounds": rounds, "seed": seed, "attack": "active", "target_class": 3, **last,
             "wall_seconds": 12.5}))
    return root


@pytest.fixture
def runs(tmp_path):
    return (make_run(tmp_path / "alpha", seed=1, acc=0.875, extra_grids=True),
            make_run(tmp_path / "beta", seed=2, acc=0.625, eps=8.0))


def report(*args):
    return CliRunner().invoke(main, ["report", *map(str, args)])


def table(text):
    """{row name: [cells]} of the Markdown table."""
    rows = [line.strip("|").split("|") for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| |")]
    return {cells[0].strip(): [c.strip() for c in cells[1:]] for cells in rows}


def test_markdown_report_has_curves_grids_and_both_runs_numbers(runs, tmp_path):
    out = tmp_path / "report"
    result = report(*runs, "--out", out)
    assert result.exit_code == 0, result.output
    text = (out / "report.md").read_text()
    referenced = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert referenced and all((out / name).is_file() for name in referenced)
    for name in referenced:
        with Image.open(out / name) as image:
            image.verify()
    curves = [n for n in referenced if n.startswith("curve_")]
    assert curves == ["curve_model_accuracy.png", "curve_victim_class_accuracy.png",
                      "curve_oracle_target_rate.png", "curve_nn_ssim_heldout.png",
                      "curve_epsilon_total.png"]
    grids = [n for n in referenced if not n.startswith("curve_")]
    assert grids == ["grid1_alpha_round_0006.png", "grid1_alpha_compare_0006.png",
                     "grid1_alpha_strip.png", "grid2_beta_round_0006.png"]
    # the copied grid is the one of the last evaluation
    assert (out / "grid2_beta_round_0006.png").read_bytes() == \
        (runs[1] / "grids" / "round_0006.png").read_bytes()
    rows = table(text)
    assert rows["status"] == ["finished", "finished"]
    assert rows["seed"] == ["1", "2"]
    assert rows["rounds"] == ["6", "6"]
    assert rows["attack"] == ["active", "active"]
    assert rows["model_accuracy"] == ["0.875", "0.625"]
    assert rows["victim_class_accuracy"] == ["0.4375", "0.3125"]
    assert rows["oracle_target_rate"] == ["0.6", "0.6"]
    assert rows["epsilon_total"] == ["—", "8"]
    assert rows["wall_seconds"] == ["12.5", "12.5"]  # other numeric keys both runs have
    assert "delta" not in rows  # only beta has it


class Sources(HTMLParser):
    """Every src/href attribute of a page."""

    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        self.refs += [value for name, value in attrs if name in ("src", "href")]


def test_html_report_is_self_contained(runs, tmp_path):
    out = tmp_path / "report"
    result = report(*runs, "--out", out, "--format", "html")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["report.html"]
    page = (out / "report.html").read_text()
    parser = Sources()
    parser.feed(page)
    assert len(parser.refs) == 5 + 4
    assert all(ref.startswith("data:image/png;base64,") for ref in parser.refs)
    for ref in parser.refs:
        assert base64.b64decode(ref.split(",", 1)[1]).startswith(b"\x89PNG")
    assert "url(" not in page
    assert "0.875" in page and "0.625" in page


def test_unfinished_run_is_included_and_marked(runs, tmp_path):
    unfinished = make_run(tmp_path / "gamma", seed=3, acc=0.5, finished=False, rounds=10)
    (unfinished / "metrics.jsonl").open("a").write('{"round": 12, "model_acc')  # torn line
    out = tmp_path / "report"
    result = report(runs[0], unfinished, "--out", out)
    assert result.exit_code == 0, result.output
    assert "unfinished: gamma" in result.output
    text = (out / "report.md").read_text()
    rows = table(text)
    assert rows["status"] == ["finished", "unfinished: round 10 of 10"]
    assert rows["model_accuracy"] == ["0.875", "0.5"]  # its last metrics line
    assert rows["rounds"] == ["6", "10"]
    assert "wall_seconds" not in rows  # not in every run
    assert "(grid2_gamma_round_0010.png)" in text


@pytest.mark.parametrize("breakage", ["no config", "no metrics", "empty folder"])
def test_a_folder_that_is_not_a_run_is_a_usage_error(runs, tmp_path, breakage):
    bad = tmp_path / "bad"
    if breakage == "empty folder":
        bad.mkdir()
    else:
        make_run(bad, seed=0, acc=0.5)
        (bad / ("config.json" if breakage == "no config" else "metrics.jsonl")).unlink()
    result = report(runs[0], bad, "--out", tmp_path / "report")
    assert result.exit_code == 2
    assert str(bad) in result.output and "not a run folder" in result.output
    assert not (tmp_path / "report").exists()


def test_missing_run_dir_is_a_usage_error(tmp_path):
    result = report(tmp_path / "nowhere", "--out", tmp_path / "report")
    assert result.exit_code == 2
    assert "nowhere" in result.output


def test_non_empty_out_is_refused_unless_overwrite(runs, tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = report(*runs, "--out", out)
    assert result.exit_code == 2
    assert "not empty" in result.output and "--overwrite" in result.output
    assert (out / "keep.txt").read_text() == "mine"
    result = report(*runs, "--out", out, "--overwrite")
    assert result.exit_code == 0, result.output
    assert not (out / "keep.txt").exists() and (out / "report.md").is_file()


def test_out_inside_a_run_folder_is_refused_even_with_overwrite(runs):
    result = report(*runs, "--out", runs[0], "--overwrite")
    assert result.exit_code == 2
    assert (runs[0] / "config.json").is_file()


def test_same_folder_names_are_told_apart(tmp_path):
    first = make_run(tmp_path / "a" / "run", seed=1, acc=0.5)
    second = make_run(tmp_path / "b" / "run", seed=2, acc=0.5)
    out = tmp_path / "report"
    assert report(first, second, "--out", out).exit_code == 0
    text = (out / "report.md").read_text()
    assert "|  | a/run | b/run |" in text


def test_face_runs_show_their_verdict_beside_the_calibration_rows(runs, tmp_path):
    alpha = runs[0]
    summary = json.loads((alpha / "summary.json").read_text())
    summary.update(identity_match=1.0, identity_flat_baseline=0.0,
                   identity_shuffled_baseline=0.02, sample_self_ssim=0.93, face_verdict=0.0,
                   face_verdict_failed="ssim_heldout,not_collapsed")
    (alpha / "summary.json").write_text(json.dumps(summary))
    real = {"oracle_target_rate": 1.0, "identity_match": 1.0, "identity_flat_baseline": 0.0,
            "identity_shuffled_baseline": 0.0, "nn_ssim_heldout": 0.661,
            "sample_self_ssim": 0.574, "face_verdict": 1.0, "face_verdict_failed": ""}
    noise = {**real, "oracle_target_rate": 0.0, "identity_match": 0.0, "nn_ssim_heldout": 0.014,
             "face_verdict": 0.0, "face_verdict_failed": "oracle,identity"}
    (alpha / "calibration.json").write_text(json.dumps(
        {"target_class": 3, "rows": [{"set": "private_faces", **real},
                                     {"set": "uniform_noise", **noise}]}))
    result = report(alpha, runs[1], "--out", tmp_path / "rep")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "rep" / "report.md").read_text()
    section = text.split("## Face verdict and calibration")[1].split("## Final grids")[0]
    assert "### alpha" in section and "### beta" not in section   # beta has no calibration
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.strip().strip("|").split("|")]
            for line in section.splitlines() if line.startswith("| ")}
    assert rows["this run (round 6)"][-1] == "fail: ssim_heldout,not_collapsed"
    assert rows["this run (round 6)"][6] == "0.93"
    assert rows["private_faces"][-1] == "pass" and rows["private_faces"][5] == "0.661"
    assert rows["uniform_noise"][-1] == "fail: oracle,identity"
    html_page = report(alpha, "--out", tmp_path / "html", "--format", "html")
    assert html_page.exit_code == 0, html_page.output
    assert "fail: ssim_heldout,not_collapsed" in (tmp_path / "html" / "report.html").read_text()


def test_a_damaged_metrics_line_is_named_not_skipped(tmp_path):
    """A damaged line inside metrics.jsonl is a usage error naming file and line; the torn last
    line of an unfinished run (a kill mid-write) is left out with a warning that names it."""
    from click.testing import CliRunner

    from ganleak_cli.cli.main import main

    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"rounds": 4}))
    good = json.dumps({"round": 2, "model_accuracy": 0.5, "victim_class_accuracy": 0.4})
    (run / "metrics.jsonl").write_text(good + "\n" + '{"round": 4, "model_acc' + "\n")
    torn = CliRunner().invoke(main, ["report", str(run), "--out", str(tmp_path / "a")])
    assert torn.exit_code == 0, torn.output
    assert "line 2 is torn" in torn.output and "metrics.jsonl" in torn.output
    (run / "metrics.jsonl").write_text("garbage\n" + good + "\n")
    damaged = CliRunner().invoke(main, ["report", str(run), "--out", str(tmp_path / "b")])
    assert damaged.exit_code == 2 and "line 1 is damaged" in damaged.output
    assert "Traceback" not in damaged.output and not (tmp_path / "b").exists()
