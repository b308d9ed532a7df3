"""The three estimators of ``ganleak audit`` on mechanisms of known ε: each bound stays below the
truth and comes close to it with enough samples; GDP converts μ exactly (Balle & Wang's Gaussian
δ(ε)); the Bayesian bound is narrower than Clopper–Pearson's on the same counts; the positive
controls and the correct sparse vector technique at c = 1 are audited close to their exact ε; the
exact loss of the Shokri audit's neighbours matches the real ``shokri_release``."""

import math

import numpy as np
import pytest
from scipy import stats

from ganleak_cli.audit import estimators
from ganleak_cli.audit.events import epsilon_lower_bound
from ganleak_cli.audit.mechanisms import Settings
from ganleak_cli.audit.run import audit, describe
from ganleak_cli.audit.shokri_exact import neighbours_loss, proven_epsilon
from ganleak_cli.privacy.shokri import shokri_release, shokri_scales


def gaussian_delta(epsilon, sigma):
    """Exact δ(ε) of one Gaussian mechanism, sensitivity 1, std σ (Balle & Wang 2018)."""
    return (stats.norm.cdf(0.5 / sigma - epsilon * sigma)
            - math.exp(epsilon) * stats.norm.cdf(-0.5 / sigma - epsilon * sigma))


@pytest.mark.parametrize("mu", [0.5, 1.0, 2.0])
def test_gdp_conversion_is_the_exact_gaussian_profile(mu):
    epsilon = estimators.gdp_epsilon(mu, 1e-5)
    assert gaussian_delta(epsilon, 1.0 / mu) == pytest.approx(1e-5, rel=1e-6)
    assert estimators.gdp_epsilon(0.0, 1e-5) == 0.0


def test_gdp_applies_only_to_claims_with_delta():
    assert "gdp" not in estimators.applicable(0.0)
    assert estimators.applicable(1e-5) == ("clopper-pearson", "bayesian", "gdp")


@pytest.mark.parametrize("mu", [1.0, 2.0])
def test_gdp_bound_of_a_gaussian_mechanism_is_below_and_near_its_epsilon(mu):
    rng = np.random.default_rng(7)
    x, y = rng.normal(mu, 1.0, (100_000, 1)), rng.normal(0.0, 1.0, (100_000, 1))
    truth = estimators.gdp_epsilon(mu, 1e-5)
    bound = epsilon_lower_bound(("value",), x, y, delta=1e-5, estimator="gdp")
    assert 0.9 * truth < bound.epsilon_lower_bound <= truth
    clopper = epsilon_lower_bound(("value",), x, y, delta=1e-5)
    assert clopper.epsilon_lower_bound < 0.75 * truth  # why the DP-SGD verdict uses GDP


def test_bayesian_bound_is_narrower_than_clopper_pearson_and_below_the_truth():
    rng = np.random.default_rng(3)
    x = rng.laplace(0.0, 1.0, (200_000, 1))
    y = 1.0 + rng.laplace(0.0, 1.0, (200_000, 1))
    clopper = epsilon_lower_bound(("value",), x, y)
    bayes = epsilon_lower_bound(("value",), x, y, estimator="bayesian")
    assert bayes.event == clopper.event  # it searches with Clopper–Pearson's score
    assert clopper.epsilon_lower_bound < bayes.epsilon_lower_bound <= 1.0


def test_no_evidence_gives_zero_with_every_estimator():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20_000, 1)), rng.normal(size=(20_000, 1))
    for name in ("clopper-pearson", "bayesian", "gdp"):
        assert epsilon_lower_bound(("a",), x, y, delta=1e-5, estimator=name) \
            .epsilon_lower_bound < 0.1


@pytest.mark.parametrize("mechanism", ["laplace", "randomized-response"])
@pytest.mark.parametrize("epsilon", [0.5, 2.0])
def test_positive_controls_pass_close_to_their_exact_epsilon(mechanism, epsilon):
    result = audit(mechanism, Settings(epsilon=epsilon, trials=400_000, seed=2))
    assert result["verdict"] == "PASS" and result["exact_claim"]
    assert 0.9 * epsilon < result["epsilon_lower_bound"] <= epsilon
    assert result["estimators"]["bayesian"]["epsilon_lower_bound"] <= epsilon


def test_correct_sparse_vector_at_c_1_is_audited_close_to_its_epsilon():
    result = audit("svt", Settings(epsilon=1.0, trials=1_000_000, seed=4))
    assert result["verdict"] == "PASS"
    assert result["epsilon_lower_bound"] > 0.85


def test_dpsgd_verdict_uses_the_gdp_bound_close_to_the_claim():
    result = audit("dpsgd", Settings(noise_multiplier=1.0, trials=20_000, seed=1))
    assert result["estimator"] == "gdp" and result["verdict"] == "PASS"
    assert 0.85 * result["claimed_epsilon"] < result["epsilon_lower_bound"] \
        <= result["claimed_epsilon"]
    assert result["estimators"]["clopper-pearson"]["epsilon_lower_bound"] \
        < result["epsilon_lower_bound"]
    assert "gdp" in describe(result) and "verdict; assumes a Gaussian" in describe(result)


def test_unclipped_dpsgd_is_flagged_at_twice_its_claim():
    result = audit("dpsgd-unclipped", Settings(noise_multiplier=1.0, trials=4000))
    assert result["verdict"] == "FAIL"
    assert result["epsilon_lower_bound"] > 2.0 * result["claimed_epsilon"]


def test_shokri_neighbours_loss_matches_the_real_release():
    """The closed form's P[target selected] on D and D′ against 15,000 real uploads each."""
    epsilon, params, gamma = 1.0, 5, 1.0
    tau = gamma + 2.0 * shokri_scales(epsilon, 1, gamma).threshold
    exact = neighbours_loss(epsilon, params, gamma, tau)
    rng, on_d, n = np.random.default_rng(11), np.zeros(params), 15_000
    on_d[0] = gamma
    for key, delta in (("target_selected_on_d", on_d), ("target_selected_on_d2", gamma - on_d)):
        rate = np.mean([shokri_release(delta, 1, epsilon, gamma, tau, rng)[0][0] == 0
                        for _ in range(n)])
        assert rate == pytest.approx(exact[key], abs=4 * math.sqrt(exact[key] / n))
    assert exact["loss"] < proven_epsilon(epsilon, 1) < epsilon


def test_shokri_audit_stays_below_the_exact_loss_of_its_neighbours():
    result = audit("shokri", Settings(epsilon=2.0, trials=10_000, seed=5))
    exact = result["references"][1]
    assert exact["name"].startswith("largest privacy loss")
    assert 0.3 * exact["epsilon"] < result["epsilon_lower_bound"] <= exact["epsilon"]
    assert "reference: proven ε" in describe(result)
