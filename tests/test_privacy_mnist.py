"""Shokri's DP on real MNIST (θu = 0.1, one victim): the attack survives ε/c = 100 and 10,
and ε/c = 0.01 stops the shared model from learning the victims' classes. Slow; runs in CI."""

import json

import pytest

from test_attack_mnist import run_cli

pytestmark = pytest.mark.slow

# The DP preset (README, "The attack under Shokri's DP"): θu = 0.1, a larger local step and a
# selection threshold so that the victim's few noisy values carry signal, and a patient
# adversary that waits for the shared model to learn before it attacks.
DP_PRESET = ["--victims", "1", "--theta-u", "0.1", "--lr", "0.2", "--dp-tau", "0.005",
             "--rounds", "250", "--attack-after", "150", "--eval-every", "50"]


def summary_of(out):
    return json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("eps_per_param", ["100", "10"])
def test_attack_still_leaks_under_shokri_dp(tmp_path_factory, eps_per_param):
    out, _ = run_cli(tmp_path_factory, f"dp{eps_per_param}", *DP_PRESET,
                     "--dp-eps-per-param", eps_per_param)
    summary = summary_of(out)
    assert summary["oracle_target_rate"] >= 0.9
    assert summary["nn_ssim_heldout"] >= 0.45
    assert summary["real_class_accuracy"] >= 0.8  # the shared model still learns
    assert summary["epsilon_per_param"] == pytest.approx(float(eps_per_param))
    assert summary["epsilon_total"] == pytest.approx(250 * summary["epsilon_nominal"])


def test_tiny_budget_keeps_the_model_near_chance_on_victim_classes(tmp_path_factory):
    out, _ = run_cli(tmp_path_factory, "dp001", *DP_PRESET, "--attack", "none",
                     "--dp-eps-per-param", "0.01")
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
