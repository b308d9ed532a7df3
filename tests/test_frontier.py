"""The defence frontier (`make frontier`, the `frontier` preset): its points over seeds, the
reference lines measured on real MNIST, the stopping table, the preset's checks and the report
section with its two figures."""

import json
import os

import pytest
from click.testing import CliRunner

from ganleak_cli.cli.main import main
from ganleak_cli.cli.reproduce import frontier
from ganleak_cli.cli.reproduce.figures import write_report
from ganleak_cli.cli.reproduce.presets import load_presets, shipped_presets


def summaries(ssim, accuracy, epsilon=None):
    return [{"nn_ssim_heldout": s, "oracle_target_rate": 1.0, "victim_class_accuracy": accuracy,
             **({"epsilon_total": epsilon} if epsilon else {})} for s in ssim]


FRONTIER = {"dp": ["weak", "strong"], "sparse": ["all"]}
SUMMARIES = {"weak": summaries([0.60, 0.62, 0.61], 0.95, 1e6),
             "strong": summaries([0.40, 0.46, 0.43], 0.70, 10.0),
             "all": summaries([0.55, 0.58, 0.57], 0.97) + [None]}


def test_points_are_means_and_t_intervals_over_the_finished_seeds():
    points = {p.run: p for p in frontier.points(FRONTIER, SUMMARIES)}
    mean, half = points["weak"].figures["nn_ssim_heldout"]
    assert mean == pytest.approx(0.61) and half == pytest.approx(4.303 * 0.01 / 3 ** 0.5, 1e-3)
    assert points["all"].seeds == 3 and points["all"].figures["epsilon_total"] is None
    assert [p.defence for p in frontier.points(FRONTIER, SUMMARIES)] == ["dp", "dp", "sparse"]


def test_the_stopping_table_names_the_weakest_setting_that_no_longer_beats_the_line():
    points = frontier.points(FRONTIER, SUMMARIES)
    rows = frontier.stopping_rows(points, line=0.45)
    assert rows[0][:2] == ["dp", "strong"] and rows[0][3].startswith("0.7")
    assert rows[1][:2] == ["sparse", "none of these settings"]
    # a line below every interval: no defence stops the attack; above all: the weakest does
    assert all(r[1] == "none of these settings" for r in frontier.stopping_rows(points, 0.1))
    assert [r[1] for r in frontier.stopping_rows(points, 0.9)] == ["weak", "all"]


@pytest.mark.parametrize("table, named", [
    ('[frontier]\ndp = ["nope"]\n', "no run named 'nope'"),
    ('[frontier]\ndp = "one"\n', "expected a list of run names"),
    ('[frontier]\ndp = ["one"]\nsparse = ["one"]\n', "on two lines"),
])
def test_a_bad_frontier_table_is_named(tmp_path, table, named):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "demo.toml").write_text('title = "demo"\n[runs.one]\n' + table)
    result = CliRunner().invoke(main, ["reproduce", "--presets", str(tmp_path / "p"),
                                       "--runs", str(tmp_path / "r"), "--figures",
                                       str(tmp_path / "f")])
    assert result.exit_code == 2 and named in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "r").exists()


def test_the_shipped_frontier_covers_four_defences_with_three_seeds_in_quick():
    preset = {p.name: p for p in load_presets(shipped_presets(), "quick")}["frontier"]
    assert set(preset.frontier) == {"shokri", "dpsgd", "sparsification", "kpc"}
    assert preset.seeds >= 3
    assert [preset.runs[r]["dp-eps-per-param"] for r in preset.frontier["shokri"]] == [
        10, 1, 0.01]    # weakest defence first
    assert [preset.runs[r]["noise-multiplier"] for r in preset.frontier["dpsgd"]] == [0.5, 1, 2]
    assert all(preset.runs[r]["defense"] == "dpsgd" for r in preset.frontier["dpsgd"])
    assert [preset.runs[r]["theta-u"] for r in preset.frontier["sparsification"]] == [
        1, 0.1, 0.01]
    assert [preset.runs[r]["kpc-insider-key"] for r in preset.frontier["kpc"]] == [
        "leaked", "guess"]     # the key known to the insider first
    assert all(preset.runs[r]["defense"] == "kpc" for r in preset.frontier["kpc"])
    # one attack for every point: only the defence changes
    schedules = {tuple(preset.runs[r][k] for k in ("rounds", "attack-after", "fakes-per-turn"))
                 for names in preset.frontier.values() for r in names}
    assert schedules == {(180, 100, 128)}


def fake_run(folder, summary, data_dir):
    """A finished run folder of the frontier preset with ``summary`` as its figures."""
    (folder / "grids").mkdir(parents=True)
    config = {"dataset": "mnist", "data_dir": data_dir, "image_size": None, "target_class": 3,
              "victim_classes": [0, 1, 2, 3, 4], "rounds": 3}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "metrics.jsonl").write_text(json.dumps({"round": 3, **summary}) + "\n")
    (folder / "summary.json").write_text(json.dumps(summary))


def reference_lines(report: str) -> dict:
    """The reference table's figures, by the start of each row's name."""
    out = {}
    for name in ("another class", "the class itself", "uniform noise"):
        row = next(line for line in report.splitlines() if line.startswith(f"| {name}"))
        out[name] = float(row.rstrip(" |").rsplit("|", 1)[1])
    return out


def test_the_report_section_and_figures_on_real_mnist(tmp_path):
    """Reference lines measured on the real digits: noise far below another digit, another
    digit below the digit itself; the section places each point against them."""
    data_dir = os.environ.get("GANLEAK_DATA_DIR")
    if not data_dir:
        pytest.skip("GANLEAK_DATA_DIR is not set")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "demo.toml").write_text(
        'title = "demo"\n[runs.weak]\n[runs.strong]\n[runs.all]\n[profiles.quick]\nseeds = 3\n'
        '[frontier]\ndp = ["weak", "strong"]\nsparse = ["all"]\n')
    presets = load_presets(tmp_path / "p", "quick")
    for run, seeds in SUMMARIES.items():
        for k, summary in enumerate(seeds):
            if summary is not None:
                fake_run(tmp_path / "runs" / f"demo--{run}--s{k}", summary, data_dir)
    text = write_report(presets, tmp_path / "runs", tmp_path / "fig", {}).read_text()
    lines = reference_lines(text)
    assert lines["uniform noise"] < 0.2 < lines["another class"] < lines["the class itself"]
    assert lines["the class itself"] - lines["another class"] > 0.1
    assert "| dp | strong | 3 |" in text and "| sparse | none of these settings |" in text
    for key in ("victim_class_accuracy", "epsilon_total"):
        assert (tmp_path / "fig" / "demo" / f"frontier_{key}.png").stat().st_size > 10_000
