"""``ganleak audit``: the empirical ε lower bound (event searched on one half and bounded on the
other) stays below the claimed ε for the positive controls, the real Shokri upload and the real
DP-SGD step at several budgets, comes close to the exact ε where it is known, and exceeds the claim
for each negative control (three broken sparse vector variants of Lyu, Su & Li, and DP-SGD without
clipping). Fixed seeds: every number is deterministic; the trial counts keep each test to a few
seconds. How tight each audit is at its defaults is benchmarks/bench_audit.py's business."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from ganleak_cli.audit import svt
from ganleak_cli.audit.estimators import cp_lower, cp_upper
from ganleak_cli.audit.events import epsilon_lower_bound
from ganleak_cli.audit.mechanisms import Settings
from ganleak_cli.audit.run import audit
from ganleak_cli.cli.main import main

BROKEN_SVT = ("svt-noisy-value", "svt-unscaled-noise", "svt-no-threshold-noise")


def invoke(args):
    return CliRunner().invoke(main, ["audit", *args])


def test_clopper_pearson_bounds_have_their_closed_forms():
    n, alpha = 1000, 0.05
    assert cp_upper(0, n, alpha) == pytest.approx(1.0 - alpha ** (1.0 / n), rel=1e-9)
    assert cp_lower(n, n, alpha) == pytest.approx(alpha ** (1.0 / n), rel=1e-9)
    assert cp_lower(0, n, alpha) == 0.0 and cp_upper(n, n, alpha) == 1.0
    assert cp_lower(300, n, alpha) < 0.3 < cp_upper(300, n, alpha)


def test_same_distribution_gives_no_evidence():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20_000, 2)), rng.normal(size=(20_000, 2))
    bound = epsilon_lower_bound(("a", "b"), x, y)
    assert bound.epsilon_lower_bound < 0.1
    assert bound.samples == 10_000


def test_bound_of_a_known_laplace_mechanism_is_below_and_near_its_epsilon():
    """Lap(1/ε) on 0 vs 1 is exactly ε-DP: the bound must not exceed ε, and comes close."""
    rng = np.random.default_rng(1)
    epsilon, n = 1.0, 200_000
    x = rng.laplace(0.0, 1.0 / epsilon, (n, 1))
    y = 1.0 + rng.laplace(0.0, 1.0 / epsilon, (n, 1))
    bound = epsilon_lower_bound(("value",), x, y)
    assert 0.7 * epsilon < bound.epsilon_lower_bound <= epsilon
    assert not bound.event.forward  # D′ (shifted up) is the likelier one on the found event


@pytest.mark.parametrize("epsilon", [1.0, 2.0, 4.0])
def test_shokri_release_passes(epsilon):
    result = audit("shokri", Settings(epsilon=epsilon, trials=6000, seed=3))
    assert result["claimed_epsilon"] == epsilon
    assert result["verdict"] == "PASS"
    assert result["epsilon_lower_bound"] < epsilon
    if epsilon >= 4.0:  # the audit sees the mechanism's leakage, below the claim
        assert result["epsilon_lower_bound"] > 0.2


def test_shokri_release_passes_with_several_values_per_upload():
    result = audit("shokri", Settings(epsilon=4.0, trials=4000, params=12, c=3, seed=1))
    assert result["verdict"] == "PASS" and result["epsilon_lower_bound"] < 4.0


@pytest.mark.parametrize("noise_multiplier", [1.0, 2.0])
def test_dpsgd_step_passes(noise_multiplier):
    result = audit("dpsgd", Settings(noise_multiplier=noise_multiplier, trials=10_000))
    assert result["verdict"] == "PASS"
    assert 0.3 < result["epsilon_lower_bound"] < result["claimed_epsilon"]


def gaussian_delta(epsilon, sigma):
    """Exact δ(ε) of one Gaussian mechanism, sensitivity 1, std σ (Balle & Wang 2018)."""
    return (stats.norm.cdf(0.5 / sigma - epsilon * sigma)
            - math.exp(epsilon) * stats.norm.cdf(-0.5 / sigma - epsilon * sigma))


@pytest.mark.parametrize("sigma", [0.7, 1.0, 2.0])
def test_dpsgd_claim_is_the_tight_gaussian_epsilon_rounded_up(sigma):
    from ganleak_cli.audit.dpsgd_step import claimed_epsilon

    claimed = claimed_epsilon(sigma, 1e-5)
    assert gaussian_delta(claimed, sigma) <= 1e-5  # a valid (ε, δ): never below the truth
    assert gaussian_delta(0.97 * claimed, sigma) > 1e-5  # and tight to within 3 %


def test_dpsgd_without_clipping_is_flagged():
    result = audit("dpsgd-unclipped", Settings(noise_multiplier=2.0, trials=4000))
    assert result["negative_control"]
    assert result["verdict"] == "FAIL"
    assert result["epsilon_lower_bound"] > result["claimed_epsilon"] + 3.0


@pytest.mark.parametrize("epsilon", [2.0, 4.0])
@pytest.mark.parametrize("name", BROKEN_SVT)
def test_broken_sparse_vector_variants_are_flagged(name, epsilon):
    result = audit(name, Settings(epsilon=epsilon, trials=300_000))
    assert result["negative_control"]
    assert result["verdict"] == "FAIL"
    assert result["epsilon_lower_bound"] > 1.2 * epsilon


@pytest.mark.parametrize("name", BROKEN_SVT)
def test_the_correct_sparse_vector_passes_on_each_counterexample(name):
    """Algorithm 1 on the very neighbours that expose each broken variant: not flagged."""
    design = svt.VARIANTS[name][1]
    for epsilon in (2.0, 4.0):
        names, on_d, on_d2 = svt.svt_samples("svt", epsilon, 300_000, 5, design)
        assert epsilon_lower_bound(names, on_d, on_d2).epsilon_lower_bound < epsilon


def test_cli_json_result():
    result = invoke(["--mechanism", "shokri", "--epsilon", "2", "--trials", "2000", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["claimed_epsilon"] == 2.0 and out["confidence"] == 0.95
    assert out["verdict"] == "PASS" and 0.0 <= out["epsilon_lower_bound"] < 2.0
    assert out["trials"] == 2000 and out["mechanism"] == "shokri"


def test_cli_text_and_exit_code_of_a_flagged_control():
    result = invoke(["--mechanism", "svt-no-threshold-noise", "--epsilon", "4",
                     "--trials", "100000", "--confidence", "0.99"])
    assert result.exit_code == 1
    assert "claimed ε: 4" in result.output and "confidence 0.99" in result.output
    assert "verdict: FAIL" in result.output


@pytest.mark.parametrize("args,named", [
    (["--epsilon", "0"], "--epsilon"), (["--epsilon", "nan"], "--epsilon"),
    (["--epsilon", "inf"], "--epsilon"), (["--trials", "-5"], "--trials"),
    (["--confidence", "1.5"], "--confidence"), (["--c", "20"], "--c"),
    (["--noise-multiplier", "2"], "--noise-multiplier"), (["--seed", "-1"], "--seed"),
])
def test_bad_input_is_a_usage_error(args, named):
    result = invoke(["--mechanism", "shokri", *args])
    assert result.exit_code == 2
    assert named in result.output
    assert "Traceback" not in result.output


def test_epsilon_does_not_apply_to_dpsgd():
    result = invoke(["--mechanism", "dpsgd", "--epsilon", "2"])
    assert result.exit_code == 2 and "--epsilon" in result.output


def test_shokri_audit_and_help_do_not_import_tensorflow():
    code = ("import sys\nfrom ganleak_cli.cli.main import main\n"
            "for args in (['audit', '--help'], ['audit', '--mechanism', 'shokri', "
            "'--trials', '100']):\n"
            "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "--mechanism" in done.stdout and "verdict: PASS" in done.stdout


def test_the_command_offers_exactly_the_audited_mechanisms():
    """The command lists the names without importing the mechanisms (``--help`` stays light)."""
    from ganleak_cli.audit.mechanisms import MECHANISMS
    from ganleak_cli.cli.commands.audit import FAMILY_OPTIONS, MECHANISM_NAMES, family

    assert set(MECHANISM_NAMES) == set(MECHANISMS)
    assert all(family(name) in FAMILY_OPTIONS for name in MECHANISMS)
