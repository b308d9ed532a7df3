"""`ganleak reproduce` / make reproduce-figures: presets, claims and the report (no training:
run folders are written by hand here; the real pipeline runs as PROFILE=tiny in .ci/run)."""

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ganleak_cli.cli.main import main
from ganleak_cli.cli.reproduce.claims import ClaimError, judge, parse_check
from ganleak_cli.cli.reproduce.figures import write_report
from ganleak_cli.cli.reproduce.presets import PROFILES, load_presets, shipped_presets, sweep_spec
from ganleak_cli.cli.sweep.plan import plan_runs
from ganleak_cli.cli.sweep.spec import expand

PRESETS = shipped_presets()


# --- claims -------------------------------------------------------------------------------------

def claim(check):
    return {"claim": "c", "check": check, "explain": "because"}


@pytest.mark.parametrize("check, verdict", [
    ("a.x >= 0.5", "PASS"), ("a.x >= 0.61", "FAIL"), ("a.x > b.x", "PASS"),
    ("a.x > b.x + 0.5", "FAIL"), ("a.x < b.x - 0.1", "FAIL"), ("b.x <= 0.1", "PASS"),
    ("a.missing >= 0", "MISSING"), ("c.x >= 0", "MISSING"),
])
def test_checks_compare_measured_numbers(check, verdict):
    summaries = {"a": {"x": 0.6}, "b": {"x": 0.1}, "c": None}
    result = judge(claim(check), summaries)
    assert result.verdict == verdict
    assert result.explain == {"PASS": "", "FAIL": "because"}.get(verdict, result.explain)
    if verdict == "MISSING":
        assert "did not finish" in result.explain


def test_measured_values_are_shown():
    result = judge(claim("a.x > b.x + 0.2"), {"a": {"x": 0.6}, "b": {"x": 0.1}})
    assert result.measured == "a.x = 0.6; b.x = 0.1" and result.verdict == "PASS"


@pytest.mark.parametrize("check, message", [
    ("a.x", "expected"), ("a.x == 1", "expected"), ("__import__('os') > 1", "expected"),
    ("z.x > 1", "no run named 'z'"),
])
def test_bad_checks_are_rejected(check, message):
    with pytest.raises(ClaimError, match=message):
        parse_check(check, {"a": {}})


# --- presets ------------------------------------------------------------------------------------

@pytest.mark.parametrize("profile", PROFILES)
def test_shipped_presets_load_and_check_as_simulate_options(profile, tmp_path):
    presets = load_presets(PRESETS, profile)
    names = {p.name for p in presets}
    assert {"mnist_attack", "mnist_dp", "mnist_fedavg", "att_faces", "att_faces_dp",
            "att_many"} <= names
    runs = plan_runs(expand(sweep_spec(presets)), str(tmp_path / "runs"), None)
    assert len(runs) == sum(len(p.runs) * p.seeds for p in presets)
    assert all(r.state == "new" for r in runs)
    by_name = {r.name: r.config for r in runs}
    dp = "mnist_dp--eps_c_{}" + ("--s0" if profile == "quick" else "")  # quick: 3 seeds
    assert by_name[dp.format("0_01")].defence.dp_eps_per_param == 0.01
    assert by_name["att_many--fedavg"].data.adversary_classes == ()
    if profile == "tiny":  # the profile's scale wins over a preset's own rounds
        assert all(cfg.run.rounds == 2 for cfg in by_name.values())
    else:
        assert by_name[dp.format("100")].run.rounds >= 180


def test_the_paper_claims_are_all_covered():
    presets = {p.name: p for p in load_presets(PRESETS, "quick")}
    assert set(presets["mnist_attack"].runs) >= {"active", "theta_u_0_1", "theta_u_0_01",
                                                  "passive", "mia"}
    assert set(presets["mnist_dp"].runs) == {"eps_c_100", "eps_c_10", "eps_c_0_01"}
    assert all(c["explain"] for p in presets.values() for c in p.claims)


def write_preset(folder: Path, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "demo.toml").write_text(text)


GOOD = '''title = "demo"
[base]
rounds = 3
[runs.one]
theta-u = 0.5
[[claims]]
claim = "it leaks"
check = "one.oracle_target_rate >= 0.9"
explain = "too few rounds"
'''


@pytest.mark.parametrize("text, named", [
    (GOOD.replace("theta-u = 0.5", "theta-u = 5"), "theta-u"),
    (GOOD.replace("theta-u", "theta-uu"), "theta-uu"),
    (GOOD.replace('explain = "too few rounds"\n', ""), "explain"),
    (GOOD.replace("one.oracle", "two.oracle"), "no run named 'two'"),
    ("figure = 1\n" + GOOD, "unknown key 'figure'"),
    ('title = "x"\n', "runs.NAME"),
])
def test_bad_presets_are_usage_errors_naming_the_problem(tmp_path, text, named):
    write_preset(tmp_path / "p", text)
    result = CliRunner().invoke(main, ["reproduce", "--presets", str(tmp_path / "p"),
                                       "--runs", str(tmp_path / "runs"),
                                       "--figures", str(tmp_path / "fig")])
    assert result.exit_code == 2 and named in result.output, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "runs").exists() and not (tmp_path / "fig").exists()


def test_a_foreign_figures_folder_is_never_replaced(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("keep me")
    result = CliRunner().invoke(main, ["reproduce", "--figures", str(tmp_path / "mine"),
                                       "--runs", str(tmp_path / "r")])
    assert result.exit_code == 2 and "--figures" in result.output and "REPORT.md" in result.output
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "keep me"
    assert not (tmp_path / "r").exists()


def test_unknown_only_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["reproduce", "--only", "nope", "--runs",
                                       str(tmp_path / "r")])
    assert result.exit_code == 2 and "--only" in result.output and "'nope'" in result.output


# --- the report from finished (hand-written) run folders --------------------------------------

def fake_run(folder: Path, summary: dict, finished: bool = True) -> None:
    (folder / "grids").mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"rounds": 3, "seed": 0}))
    record = {"round": 3, **summary}
    (folder / "metrics.jsonl").write_text(json.dumps(record) + "\n")
    if finished:
        (folder / "summary.json").write_text(json.dumps(summary))
    from PIL import Image
    Image.new("L", (8, 8)).save(folder / "grids" / "compare_0003.png")


def test_report_scores_every_claim_and_copies_the_figures(tmp_path):
    write_preset(tmp_path / "p", GOOD + '''[runs.two]
[[claims]]
claim = "two leaks less"
check = "two.oracle_target_rate < one.oracle_target_rate"
explain = "x"
''')
    presets = load_presets(tmp_path / "p", "quick")
    fake_run(tmp_path / "runs" / "demo--one", {"oracle_target_rate": 0.8, "model_accuracy": 0.9})
    fake_run(tmp_path / "runs" / "demo--two", {"oracle_target_rate": 0.1}, finished=False)
    report = write_report(presets, tmp_path / "runs", tmp_path / "fig", {"profile": "quick"})
    text = report.read_text()
    assert "1 FAIL, 0 UNCERTAIN, 1 MISSING (of 2 claims)" in text
    assert "one.oracle_target_rate = 0.8" in text and "too few rounds" in text
    assert "unfinished: round 3 of 3" in text
    assert (tmp_path / "fig" / "demo" / "one_compare_0003.png").is_file()
    assert (tmp_path / "fig" / "demo" / "curve_model_accuracy.png").is_file()
    assert not list(tmp_path.glob("fig.*"))  # no staging folder left behind


def test_a_run_whose_preset_changed_is_run_again(tmp_path, monkeypatch):
    import ganleak_cli.cli.commands.reproduce as reproduce_cli

    write_preset(tmp_path / "p", GOOD)
    runs = tmp_path / "runs"
    fake_run(runs / "demo--one", {"oracle_target_rate": 0.95})
    (runs / "demo--one" / "config.json").write_text(json.dumps({"rounds": 3, "theta_u": 1.0}))
    ran = []

    def execute(planned, out, executor, local, ray, outcomes):
        ran.extend((r.name, r.state) for r in planned)
    monkeypatch.setattr(reproduce_cli, "execute", execute)
    result = CliRunner().invoke(main, ["reproduce", "--presets", str(tmp_path / "p"),
                                       "--runs", str(runs), "--figures", str(tmp_path / "f")])
    assert "its preset changed" in result.output and ran == [("demo--one", "new")]
    assert "theta_u" in result.output and not (runs / "demo--one").exists()
    assert result.exit_code == 1  # the (faked) run did not finish: reported, not hidden
    assert "MISSING" in (tmp_path / "f" / "REPORT.md").read_text()


def test_report_only_runs_nothing_and_reports_what_is_there(tmp_path, monkeypatch):
    import ganleak_cli.cli.commands.reproduce as reproduce_cli

    write_preset(tmp_path / "p", GOOD + "[runs.two]\n")
    runs = tmp_path / "runs"
    fake_run(runs / "demo--one", {"oracle_target_rate": 0.95})
    (runs / "demo--one" / "config.json").write_text(json.dumps({"rounds": 3, "theta_u": 9.0}))

    def execute(*args):
        raise AssertionError("--report-only ran something")
    monkeypatch.setattr(reproduce_cli, "execute", execute)
    result = CliRunner().invoke(main, ["reproduce", "--presets", str(tmp_path / "p"),
                                       "--runs", str(runs), "--figures", str(tmp_path / "f"),
                                       "--report-only"])
    assert result.exit_code == 0, result.output
    assert "1 runs finished, 1 not finished" in result.output
    assert (runs / "demo--one" / "summary.json").is_file()   # a changed preset is not rerun
    report = (tmp_path / "f" / "REPORT.md").read_text()
    assert "1 PASS" in report and "run `two`: not started" in report
    results = json.loads((tmp_path / "f" / "results.json").read_text())
    assert results["presets"][0]["runs"]["two"]["seeds_finished"] == 0


# --- seeds and intervals ------------------------------------------------------------------------

@pytest.mark.parametrize("left,op,right,verdict", [
    ([0.60, 0.62, 0.61], ">=", [0.55], "PASS"),     # interval clears the bar
    ([0.40, 0.42, 0.41], ">=", [0.55], "FAIL"),     # interval wholly below
    ([0.50, 0.60, 0.56], ">=", [0.55], "UNCERTAIN"),  # straddles: no third-decimal verdict
    ([0.30, 0.31, 0.29], "<", [0.50, 0.52, 0.49], "PASS"),   # paired runs
    ([0.60], ">=", [0.55], "PASS"),                 # one seed: a plain comparison
])
def test_claims_over_seeds_are_judged_on_the_95_percent_interval(left, op, right, verdict):
    summaries = {"a": [{"m": v} for v in left]}
    check = f"a.m {op} 0.55"
    if len(right) > 1:
        summaries["b"] = [{"m": v} for v in right]
        check = f"a.m {op} b.m"
    result = judge({"claim": "c", "check": check, "explain": "x"}, summaries)
    assert result.verdict == verdict
    if len(left) > 1:
        assert "3 seeds" in result.measured and "95 % interval" in result.measured


def test_the_interval_is_the_t_interval_of_the_paired_differences():
    diffs = [0.01, 0.03, 0.02]  # mean 0.02, sd 0.01, t(0.975, 2) = 4.303
    summaries = {"a": [{"m": 0.5 + d} for d in diffs], "b": [{"m": 0.5}] * 3}
    result = judge({"claim": "c", "check": "a.m > b.m", "explain": ""}, summaries)
    assert "+0.02 ± 0.025" in result.measured and result.verdict == "UNCERTAIN"


def test_a_preset_profile_sets_seeds_and_each_seed_is_its_own_run(tmp_path):
    write_preset(tmp_path / "p", GOOD + "[profiles.quick]\nseeds = 3\n")
    preset, = load_presets(tmp_path / "p", "quick")
    assert preset.seeds == 3
    runs = expand(sweep_spec([preset]))
    assert [r.values["name"] for r in runs] == ["demo--one--s0", "demo--one--s1", "demo--one--s2"]
    assert [r.values.get("seed", 0) for r in runs] == [0, 1, 2]
    write_preset(tmp_path / "q", GOOD + "[profiles.quick]\nseeds = 0\n")
    with pytest.raises(click.BadParameter, match="seeds"):
        load_presets(tmp_path / "q", "quick")


def test_report_over_seeds_counts_uncertain_claims(tmp_path):
    write_preset(tmp_path / "p", GOOD + "[profiles.quick]\nseeds = 2\n")
    presets = load_presets(tmp_path / "p", "quick")
    for k, rate in enumerate((0.2, 0.9)):
        fake_run(tmp_path / "runs" / f"demo--one--s{k}", {"oracle_target_rate": rate})
    text = write_report(presets, tmp_path / "runs", tmp_path / "fig", {}).read_text()
    assert "UNCERTAIN" in text and "2 seeds per run" in text


def test_the_t_table_matches_scipy():
    from scipy import stats

    from ganleak_cli.report.intervals import t_975
    for df in (1, 2, 5, 30, 31, 100, 1000):
        assert t_975(df) == pytest.approx(stats.t.ppf(0.975, df), rel=2e-3)
