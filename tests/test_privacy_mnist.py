"""Shokri's DP on real MNIST with θu = 0.1 and one victim: how much the shared model learns at
ε/c = 100, 10 and 0.01, and the user's example `--victims 2 --dp-eps 0.1`. Slow; runs in CI."""

import json

import pytest
from cli_runs import run_cli

pytestmark = pytest.mark.slow

# θu = 0.1 with a larger local step and a selection threshold, so that the victim's few noisy
# values carry signal (README, "Privacy").
DP_LEARNING = ["--victims", "1", "--theta-u", "0.1", "--lr", "0.2", "--dp-tau", "0.005",
               "--attack", "none", "--rounds", "100", "--eval-every", "50"]


def summary_of(out):
    return json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("eps_per_param,least", [("100", 0.85), ("10", 0.6)])
def test_shared_model_still_learns_under_shokri_dp(tmp_path_factory, eps_per_param, least):
    out, _ = run_cli(tmp_path_factory, f"learn{eps_per_param}", *DP_LEARNING,
                     "--dp-eps-per-param", eps_per_param)
    summary = summary_of(out)
    assert summary["victim_class_accuracy"] >= least
    assert summary["epsilon_per_param"] == pytest.approx(float(eps_per_param))
    assert summary["epsilon_total"] == pytest.approx(100 * summary["epsilon_nominal"])
    assert summary["accountant"] == "basic"


def test_tiny_budget_keeps_the_model_near_chance_on_victim_classes(tmp_path_factory):
    out, _ = run_cli(tmp_path_factory, "learn001", *DP_LEARNING, "--dp-eps-per-param", "0.01")
    summary = summary_of(out)
    assert summary["victim_class_accuracy"] <= 0.3  # 5 victim classes: chance is 0.2
    assert summary["epsilon_per_param"] == pytest.approx(0.01)


def test_user_example_two_victims_dp_eps_runs_with_defaults(tmp_path_factory):
    out, done = run_cli(tmp_path_factory, "dpeps", "--victims", "2", "--dp-eps", "0.1")
    summary = summary_of(out)
    assert summary["epsilon_nominal"] == pytest.approx(0.1)
    assert summary["accountant"] == "pld" and summary["delta"] == 1e-5
    assert 0.1 < summary["epsilon_total"] < 100 * 0.1  # composition at δ beats k·ε
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    spent = [r["epsilon_total"] for r in records]
    assert spent == sorted(spent) and spent[0] < spent[-1]
    assert len(list((out / "grids").glob("round_*.png"))) == len(records)
    assert "ε" in done.stderr
