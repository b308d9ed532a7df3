"""The whole-run audit (``ganleak audit --run-config``): the one-run estimator of Steinke et al.
and the GDP one on canaries of known ε, then real MNIST runs under DP-SGD with white-box gradient
canaries in the victim's records: an honest run passes with the claim `ganleak privacy` gives for
the same config, a run trained with half the noise it accounts for is caught (exit 1)."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import special, stats

from ganleak_cli.audit.one_run import audit_scores, epsilon_bound, gdp_scores, p_value
from ganleak_cli.cli.main import main

SMALL_RUN = """defense = "dpsgd"
noise-multiplier = 2.0
rounds = 10
records-per-class = 60
attack = "none"
"""
SHOKRI_RUN = """defense = "shokri"
dp-eps = 1.0
theta-u = 0.0001
lr = 0.001
dp-tau = 0.005
rounds = 10
records-per-class = 60
attack = "none"
"""


def test_one_run_p_value_without_delta_is_the_binomial_tail():
    assert p_value(1000, 100, 80, 1.0, 0.0) == pytest.approx(
        stats.binom.sf(79, 100, special.expit(1.0)))
    assert p_value(1000, 100, 80, 1.0, 1e-5) > p_value(1000, 100, 80, 1.0, 0.0)
    assert p_value(1000, 100, 80, 2.0, 0.0) > p_value(1000, 100, 80, 1.0, 0.0)


def test_one_run_bound_is_the_epsilon_where_the_p_value_reaches_alpha():
    eps = epsilon_bound(1000, 100, 90, 0.05, 0.0)
    assert p_value(1000, 100, 90, eps, 0.0) == pytest.approx(0.05, abs=1e-4)
    assert epsilon_bound(1000, 100, 50, 0.05, 0.0) == 0.0   # a coin toss proves nothing


@pytest.mark.parametrize("epsilon", [0.5, 1.0, 2.0])
def test_both_estimators_stay_below_a_known_epsilon(epsilon):
    """Canaries whose scores are randomized response at ε (one-run) and Gaussian with the μ of
    a known GDP (gdp): the bounds stay below the truth and are not empty."""
    rng = np.random.default_rng(1)
    included = rng.random(20_000) < 0.5
    truthful = rng.random(20_000) < special.expit(epsilon)
    one = audit_scores(np.where(truthful, included, ~included).astype(float)
                       + rng.random(20_000) * 1e-6, included, 0.95, 0.0)
    assert 0.3 * epsilon < one["epsilon_lower_bound"] <= epsilon
    from ganleak_cli.audit.estimators import gdp_epsilon

    mu = epsilon  # μ-GDP scores: N(μ, 1) in, N(0, 1) out
    scores = rng.normal(size=20_000) + mu * included
    gdp = gdp_scores(scores, included, 0.95, 1e-5)
    assert 0.7 * gdp_epsilon(mu, 1e-5) < gdp["epsilon_lower_bound"] <= gdp_epsilon(mu, 1e-5)


def run_audit(tmp_path, *args):
    config = tmp_path / "run.toml"
    config.write_text(SMALL_RUN)
    result = CliRunner().invoke(main, ["audit", "--run-config", str(config), "--json", *args])
    return result, (json.loads(result.stdout.strip().splitlines()[-1])
                    if result.exit_code in (0, 1) else None)


def test_an_honest_dpsgd_run_passes_with_the_claim_privacy_gives(tmp_path, mnist):
    result, out = run_audit(tmp_path)
    assert result.exit_code == 0, result.output
    planned = CliRunner().invoke(main, ["privacy", "--config", str(tmp_path / "run.toml"),
                                        "--json"])
    assert out["claimed_epsilon"] == pytest.approx(
        json.loads(planned.stdout)["epsilon_total"], rel=1e-9)
    assert out["verdict"] == "PASS" and out["canaries"] == 4000
    gdp = out["estimators"]["gdp"]["epsilon_lower_bound"]
    assert 0.4 * out["claimed_epsilon"] < gdp <= out["claimed_epsilon"]  # it sees the run
    assert 0.0 < out["estimators"]["one-run"]["epsilon_lower_bound"] < gdp


def test_a_run_with_half_the_noise_it_accounts_for_is_caught(tmp_path, mnist):
    result, out = run_audit(tmp_path, "--noise-scale", "0.5")
    assert result.exit_code == 1, result.output
    assert out["noise_multiplier_trained"] == 1.0 and out["noise_multiplier_claimed"] == 2.0
    assert out["verdict"] == "FAIL" and "gdp" in out["exceeded_by"]


@pytest.mark.parametrize("args,named", [
    (["--mechanism", "laplace", "--run-config", "RUN"], "either --mechanism or --run-config"),
    ([], "either --mechanism or --run-config"),
    (["--mechanism", "laplace", "--noise-scale", "0.5"], "--noise-scale"),
    (["--run-config", "NODPSGD"], "needs DP-SGD or Shokri"),
    (["--run-config", "RUN", "--canaries", "5"], "--canaries"),
])
def test_whole_run_audit_usage_errors(tmp_path, args, named):
    (tmp_path / "run.toml").write_text(SMALL_RUN)
    (tmp_path / "plain.toml").write_text("rounds = 2\n")
    args = [{"RUN": str(tmp_path / "run.toml"), "NODPSGD": str(tmp_path / "plain.toml")}
            .get(a, a) for a in args]
    result = CliRunner().invoke(main, ["audit", *args])
    assert result.exit_code == 2, result.output
    assert named in result.output and "Traceback" not in result.output


def test_a_shokri_run_is_audited_and_a_huge_release_budget_is_seen(tmp_path, mnist):
    """Shokri's uploads: the honest run shows nothing; released at 10⁴ times the accounted ε
    the canaries are found (all top guesses right) though the composed claim is not exceeded."""
    config = tmp_path / "shokri.toml"
    config.write_text(SHOKRI_RUN)
    outs = []
    for scale in ("1", "0.0001"):
        result = CliRunner().invoke(main, ["audit", "--run-config", str(config), "--json",
                                           "--noise-scale", scale])
        assert result.exit_code == 0, result.output
        outs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    honest, loud = outs
    assert honest["mechanism"] == "shokri" and honest["epsilon_upload_claimed"] == 1.0
    assert honest["claimed_epsilon"] == loud["claimed_epsilon"]
    assert honest["estimators"]["one-run"]["epsilon_lower_bound"] == 0.0
    assert loud["epsilon_upload_released"] == pytest.approx(1e4)
    found = loud["estimators"]["one-run"]
    assert found["correct"] == found["guesses"] and found["epsilon_lower_bound"] > 1.0


def test_the_run_audit_keeps_tensorflows_warnings_off_stderr(tmp_path, mnist):
    """As a user runs it (a new process): the DP-SGD step's per-example gradients made
    TensorFlow warn on stderr ("Conv2DBackpropFilter uses a while_loop") before the bounds."""
    import os
    import subprocess
    import sys

    config = tmp_path / "run.toml"
    config.write_text(SMALL_RUN.replace("rounds = 10", "rounds = 1"))
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([sys.executable, "-m", "ganleak_cli.cli", "audit", "--run-config",
                           str(config), "--canaries", "200"], capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "WARNING" not in done.stderr and "while_loop" not in done.stderr, done.stderr
    assert "one-run" in done.stdout
