"""results.json beside REPORT.md, and the pages rendered from it (docs/results.md, the README's
table): the numbers come from the runs' summaries, and a page that differs is caught."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_reproduce import GOOD, fake_run, write_preset

from ganleak_cli.cli.reproduce.figures import write_report
from ganleak_cli.cli.reproduce.presets import load_presets
from ganleak_cli.report.results_page import (
    BEGIN,
    END,
    ResultsError,
    readme_block,
    render_page,
    splice,
    value,
)

ROOT = Path(__file__).resolve().parent.parent


def two_seed_results(tmp_path) -> dict:
    """A preset with two seeds of run `one`, reported; its results.json."""
    write_preset(tmp_path / "p", GOOD + "[profiles.quick]\nseeds = 2\n")
    presets = load_presets(tmp_path / "p", "quick")
    for k, rate in enumerate((0.97, 0.98)):
        fake_run(tmp_path / "runs" / f"demo--one--s{k}",
                 {"oracle_target_rate": rate, "nn_ssim_heldout": 0.5 + k / 10, "note": "x"})
    report = write_report(presets, tmp_path / "runs", tmp_path / "fig", {"profile": "quick"})
    return json.loads((report.parent / "results.json").read_text())


def test_results_json_holds_every_seed_and_the_verdicts(tmp_path):
    doc = two_seed_results(tmp_path)
    preset, = doc["presets"]
    run = preset["runs"]["one"]
    assert doc["schema"] == 1 and doc["header"] == {"profile": "quick"}
    assert run["settings"] == {"rounds": 3, "theta-u": 0.5} and run["seeds_finished"] == 2
    assert run["metrics"]["oracle_target_rate"] == [0.97, 0.98]
    assert run["metrics"]["nn_ssim_heldout"] == [0.5, 0.6] and "note" not in run["metrics"]
    claim, = preset["claims"]
    assert claim["verdict"] == "PASS" and claim["check"] == "one.oracle_target_rate >= 0.9"


def test_the_page_shows_means_with_intervals_from_the_file(tmp_path):
    doc = two_seed_results(tmp_path)
    page = render_page([("demo.json", doc)])
    # mean 0.975, half-width t(1) · sd / √2 = 12.706 · 0.00707 / 1.414 = 0.0635
    assert "0.975 ± 0.064 (2)" in page and "0.55 ± 0.64 (2)" in page
    assert "`--theta-u 0.5`" in page and "**PASS**" in page and "results/demo.json" in page
    assert value([0.5]) == "0.5" and value([]) == "—"


def test_the_readme_block_is_replaced_between_its_markers(tmp_path):
    doc = two_seed_results(tmp_path)
    block = readme_block([("demo.json", doc)], "demo")
    text = f"intro\n{BEGIN}\nold table 0.1\n{END}\noutro\n"
    new = splice(text, block)
    assert new.startswith("intro\n") and new.endswith("\noutro\n") and "old table" not in new
    assert "0.975 ± 0.064 (2)" in new and splice(new, block) == new
    with pytest.raises(ResultsError, match="markers"):
        splice("no markers here", block)
    with pytest.raises(ResultsError, match="'nope'"):
        readme_block([("demo.json", doc)], "nope")


def test_committed_pages_are_what_the_committed_results_render():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "render_results.py"),
                             "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_typed_number_in_the_page_is_caught(tmp_path):
    for part in ("results", "docs", "tools"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    page = tmp_path / "docs" / "results.md"
    page.write_text(page.read_text().replace("±", "+/-", 1))
    result = subprocess.run([sys.executable, str(tmp_path / "tools" / "render_results.py"),
                             "--check"], capture_output=True, text=True)
    assert result.returncode == 1 and "docs/results.md differs" in result.stderr
    assert "README.md" not in result.stderr


def test_the_audit_table_renders_each_row_and_marks_a_missed_target():
    from ganleak_cli.report.audit_table import audit_block
    from ganleak_cli.report.results_page import markers

    def row(name, ratio, met, estimators):
        result = {"estimators": {k: {"epsilon_lower_bound": v} for k, v in estimators.items()},
                  "negative_control": name.endswith("broken"), "exact_claim": False,
                  "claimed_epsilon": 1.0}
        return {"mechanism": name, "against": "claim", "reference": 1.0, "ratio": ratio,
                "wanted": 2.0 if name.endswith("broken") else 0.9, "seconds": 12.3, "met": met,
                "result": result}

    document = {"machine": {"cpus": 2, "load_at_start": 0.4},
                "rows": [row("ok", 0.93, True, {"clopper-pearson": 0.91, "gdp": 0.93}),
                         row("x-broken", 1.5, False, {"clopper-pearson": 1.5})]}
    block = audit_block(document, "results/audit/x.json")
    begin, end = markers("audit")
    assert block[0] == begin and block[-1] == end
    text = "\n".join(block)
    assert "| `ok` | 1 | claim 1 | 0.910 | — | 0.930 | 0.93 (≥ 0.9) | 12 s | met |" in text
    assert "`x-broken` (negative control)" in text and "**not met**" in text
    assert "1 of 2 targets met" in text and "load average of 0.4" in text
    spliced = splice(f"a\n{begin}\nold\n{end}\nb\n", block, "audit")
    assert "old" not in spliced and spliced.startswith("a\n") and spliced.endswith("b\n")
    with pytest.raises(ResultsError, match="audit:begin"):
        splice("no markers", block, "audit")


def test_the_whole_run_audit_table_shows_the_claim_beside_both_bounds():
    from ganleak_cli.report.audit_table import runs_block

    result = {"run_config": "examples/audit/x.toml", "rounds": 10, "canaries": 4000,
              "mechanism": "dpsgd",
              "noise_multiplier_claimed": 2.0, "noise_multiplier_trained": 1.0,
              "claimed_epsilon": 5.9037, "accountant": "rdp", "delta": 1e-5, "verdict": "FAIL",
              "estimators": {"one-run": {"epsilon_lower_bound": 2.773},
                             "gdp": {"epsilon_lower_bound": 6.897}}}
    text = "\n".join(runs_block([("results/audit/run-x.json", result)]))
    assert ("| `examples/audit/x.toml` | 10 | 4000 | DP-SGD σ 2 (trained with 1) "
            "| 5.9 (rdp, δ = 1e-05) | 2.773 | 6.897 | FAIL |") in text
    assert "`results/audit/run-x.json`" in text
