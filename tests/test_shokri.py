"""Shokri & Shmatikov's DP selective upload (Algorithm 2 as implemented): scales, noise size,
exactly c released values, γ-clipping after the noise, the ε → ∞ limit, and ledger events."""

import numpy as np
import pytest

from ganleak_cli.privacy import shokri
from ganleak_cli.privacy.accounting import Ledger
from ganleak_cli.privacy.shokri import ShokriUpload, shokri_release, shokri_scales
from ganleak_cli.protocol.selection import fraction_count, select_upload
from ganleak_cli.protocol.server import Upload


def expected_scales(epsilon, c, gamma):
    """The brief's formulas: ε1 = 8ε/9, ε2 = 2ε/9, Δf = 2γ, σ(x) = 2·c·Δf/x."""
    sensitivity = 2.0 * gamma
    sigma = lambda x: 2.0 * c * sensitivity / x  # noqa: E731
    eps1, eps2 = 8.0 * epsilon / 9.0, 2.0 * epsilon / 9.0
    return sigma(eps1), 2.0 * sigma(eps1), sigma(eps2)


@pytest.mark.parametrize("epsilon,c,gamma", [
    (1.0, 1, 0.01), (9.0, 100, 0.5), (1057100.0, 10571, 0.01), (0.3, 7, 2.0),
])
def test_scales_follow_the_formulas(epsilon, c, gamma):
    scales = shokri_scales(epsilon, c, gamma)
    threshold, query, value = expected_scales(epsilon, c, gamma)
    assert scales.threshold == pytest.approx(threshold, rel=1e-12)
    assert scales.query == pytest.approx(query, rel=1e-12)
    assert scales.value == pytest.approx(value, rel=1e-12)
    # closed forms: σ(ε1) = 4.5·γ·c/ε, σ(ε2) = 18·γ·c/ε
    assert scales.threshold == pytest.approx(4.5 * gamma * c / epsilon, rel=1e-12)
    assert scales.query == pytest.approx(9.0 * gamma * c / epsilon, rel=1e-12)
    assert scales.value == pytest.approx(18.0 * gamma * c / epsilon, rel=1e-12)


@pytest.mark.parametrize("epsilon,c,gamma", [
    (0.0, 1, 0.01), (-1.0, 1, 0.01), (1.0, 0, 0.01), (1.0, -3, 0.01),
    (1.0, 1, 0.0), (1.0, 1, -0.5),
])
def test_scales_reject_non_positive_arguments(epsilon, c, gamma):
    with pytest.raises(ValueError):
        shokri_scales(epsilon, c, gamma)


@pytest.mark.parametrize("gamma", [1.0, 0.01])
def test_released_noise_has_the_formula_std(gamma):
    """Δ = 0 and c = n (all released), ε/c = 1000: σ(ε2) = 18γ/(ε/c) = 0.018γ ≪ γ, so the clip to
    [−γ, γ] practically never binds (P ≈ e^{-55}) and each released value is Lap(σ(ε2)) with
    std sqrt(2)·σ(ε2). At n = 20,000 the relative standard error of a Laplace sample std is
    sqrt((kurtosis − 1)/(4n)) = sqrt(5/(4n)) ≈ 0.8%, so the tolerance is 5% (> 6 s.e.) on the
    std and 6 s.e. on the mean."""
    n = 20_000
    c = n
    epsilon = 1000.0 * c
    rng = np.random.default_rng(1234)
    indices, values = shokri_release(np.zeros(n), c, epsilon, gamma, 0.0, rng)
    assert len(indices) == c
    sigma2 = shokri_scales(epsilon, c, gamma).value
    assert sigma2 == pytest.approx(18.0 * gamma / 1000.0)
    assert np.all(np.abs(values) < gamma)  # clipping did not bind
    std = float(np.std(values.astype(np.float64)))
    assert std == pytest.approx(np.sqrt(2.0) * sigma2, rel=0.05)
    assert abs(float(np.mean(values))) < 6 * np.sqrt(2.0) * sigma2 / np.sqrt(n)


def test_released_noise_std_when_c_is_a_fraction():
    """Same check with c < n (c = n/2) and Δ = 0: the released values' spread depends on c only
    through σ(ε2) = 18γc/ε; 5% tolerance on ~25,000 samples (relative s.e. ≈ 0.7%)."""
    n, c, gamma = 50_000, 25_000, 0.5
    epsilon = 1000.0 * c
    indices, values = shokri_release(np.zeros(n), c, epsilon, gamma, 0.0,
                                     np.random.default_rng(7))
    assert len(indices) == c
    sigma2 = 18.0 * gamma / 1000.0
    assert float(np.std(values.astype(np.float64))) == pytest.approx(np.sqrt(2) * sigma2,
                                                                     rel=0.05)
    assert abs(float(np.mean(values))) < 6 * np.sqrt(2.0) * sigma2 / np.sqrt(c)


def check_indices(indices, n, c):
    assert len(indices) == c
    assert np.issubdtype(indices.dtype, np.integer)
    assert np.unique(indices).size == indices.size
    assert np.all(np.diff(indices) > 0)  # sorted, strictly (unique)
    assert indices.min() >= 0 and indices.max() < n


@pytest.mark.parametrize("n,c,eps_per_param,tau", [
    (1000, 1, 1.0, 0.0),
    (1000, 10, 1.0, 0.0),
    (1000, 1000, 1.0, 0.0),
    (5000, 250, 10.0, 0.001),
    (20_000, 2000, 0.1, 0.0001),
    (3000, 1500, 100.0, 0.0),
])
def test_exactly_c_unique_sorted_indices(n, c, eps_per_param, tau):
    gamma = 0.01
    rng = np.random.default_rng(n + c)
    delta = rng.normal(0.0, 0.005, n)
    indices, values = shokri_release(delta, c, eps_per_param * c, gamma, tau, rng)
    check_indices(indices, n, c)
    assert values.shape == (c,)
    assert np.all(np.abs(values) <= gamma)


@pytest.mark.parametrize("eps_per_param", [1.0, 10.0])
def test_exactly_c_even_when_tau_exceeds_most_magnitudes(eps_per_param):
    """τ = γ is above every clipped |Δ| but one in a thousand; the noisy test (query noise scale
    9γ/(ε/c) ≥ 0.9γ) still passes a sizeable share of parameters per pass, so c are found well
    within MAX_PASSES."""
    n, c, gamma = 10_000, 500, 0.01
    tau = gamma
    rng = np.random.default_rng(99)
    delta = rng.uniform(-0.5 * gamma, 0.5 * gamma, n)
    delta[rng.choice(n, 10, replace=False)] = 2 * gamma  # a few above τ
    assert np.mean(np.abs(np.clip(delta, -gamma, gamma)) >= tau) < 0.01
    assert shokri.MAX_PASSES >= 100
    indices, values = shokri_release(delta, c, eps_per_param * c, gamma, tau, rng)
    check_indices(indices, n, c)
    assert np.all(np.abs(values) <= gamma)


def test_values_are_clipped_to_gamma_after_the_noise():
    """Tiny ε: σ(ε2) is astronomically larger than γ, so nearly every value is clipped to ±γ."""
    n, c, gamma = 5000, 1000, 0.01
    rng = np.random.default_rng(3)
    delta = rng.normal(0.0, 0.1, n)
    indices, values = shokri_release(delta, c, 1e-3, gamma, 0.0, rng)
    check_indices(indices, n, c)
    assert values.dtype == np.float32
    assert np.all(np.abs(values) <= np.float32(gamma))
    at_bound = np.isin(values, [np.float32(gamma), np.float32(-gamma)])
    assert at_bound.mean() > 0.9
    # both signs occur (the noise is symmetric)
    assert np.any(values == np.float32(gamma)) and np.any(values == np.float32(-gamma))


@pytest.mark.parametrize("tau", [0.0, 0.002, 0.005])
def test_infinite_epsilon_is_the_non_private_random_selection(tau):
    n, gamma, theta_u = 4000, 0.01, 0.05
    c = fraction_count(theta_u, n)
    delta = np.random.default_rng(5).normal(0.0, 0.01, n)
    clipped = np.clip(delta, -gamma, gamma)
    assert np.sum(np.abs(clipped) >= tau) > c  # enough qualify
    indices, values = shokri_release(delta, c, np.inf, gamma, tau, np.random.default_rng(11))
    check_indices(indices, n, c)
    assert np.all(np.abs(clipped[indices]) >= tau)
    np.testing.assert_array_equal(values, clipped[indices].astype(np.float32))
    # reproducible with the same seed
    again = shokri_release(delta, c, np.inf, gamma, tau, np.random.default_rng(11))
    np.testing.assert_array_equal(again[0], indices)
    np.testing.assert_array_equal(again[1], values)
    # the non-private rule chooses among the same eligible entries, and as many
    plain = select_upload(delta, theta_u, "random", tau, np.random.default_rng(11))
    assert plain.size == indices.size == c
    eligible = set(np.flatnonzero(np.abs(delta) >= tau).tolist())
    assert set(plain.tolist()) <= eligible
    assert set(indices.tolist()) <= eligible


def test_infinite_epsilon_releases_every_eligible_entry_when_fewer_than_c_qualify():
    """With ε = ∞ the threshold is exact, so when fewer than c entries have |Δ| ≥ τ only those
    are released — the same set the non-private random rule returns."""
    n, gamma, tau, theta_u = 2000, 0.01, 0.005, 0.5
    c = fraction_count(theta_u, n)
    rng = np.random.default_rng(8)
    delta = rng.uniform(-0.004, 0.004, n)
    big = rng.choice(n, 30, replace=False)
    delta[big] = rng.choice([-1, 1], 30) * rng.uniform(0.005, 0.05, 30)
    indices, values = shokri_release(delta, c, np.inf, gamma, tau, np.random.default_rng(0))
    plain = select_upload(delta, theta_u, "random", tau, np.random.default_rng(0))
    np.testing.assert_array_equal(indices, np.sort(big))
    np.testing.assert_array_equal(plain, indices)
    np.testing.assert_array_equal(values, np.clip(delta[indices], -gamma, gamma)
                                  .astype(np.float32))


def test_seeded_release_is_reproducible_with_finite_epsilon():
    delta = np.random.default_rng(2).normal(0.0, 0.01, 3000)
    a = shokri_release(delta, 300, 30.0, 0.01, 0.001, np.random.default_rng(42))
    b = shokri_release(delta, 300, 30.0, 0.01, 0.001, np.random.default_rng(42))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_shokri_upload_returns_c_values_and_the_event_it_spent():
    n, c = 2000, 100
    uploader = ShokriUpload(epsilon=5.0, c=c, gamma=0.01, tau=0.0001)
    ledger = Ledger()
    rng = np.random.default_rng(0)
    for call in range(1, 4):
        upload, event = uploader(rng.normal(0.0, 0.01, n), rng)
        ledger.record(event)
        assert isinstance(upload, Upload)
        check_indices(upload.indices, n, c)
        assert upload.values.shape == (c,)
        assert np.all(np.abs(upload.values) <= 0.01)
        assert sum(ledger.events.values()) == call
    assert len(ledger.events) == 1  # the same ε-DP event each time
    (event,) = ledger.events
    assert 1.0 / event.noise_multiplier == pytest.approx(5.0)
    assert ledger.events[event] == 3


def test_infinite_epsilon_with_theta_u_one_releases_only_eligible_entries():
    delta = np.array([0.0, 0.02, 0.001, -0.03, 0.0])
    gamma, tau = 0.01, 0.005
    plain = select_upload(delta, 1.0, "random", tau, np.random.default_rng(0))
    np.testing.assert_array_equal(plain, [1, 3])
    # c = n − 1: only the two eligible entries
    below, _ = shokri_release(delta, 4, np.inf, gamma, tau, np.random.default_rng(0))
    np.testing.assert_array_equal(below, [1, 3])
    # c = n (θu = 1): expected the same two, not all five
    indices, _ = shokri_release(delta, delta.size, np.inf, gamma, tau, np.random.default_rng(0))
    np.testing.assert_array_equal(indices, plain)


@pytest.mark.parametrize("tau, eps_per_param", [(0.008, 10.0), (0.005, 100.0), (0.0, 1.0)])
def test_the_closed_form_selects_as_the_sweeps_do(tau, eps_per_param):
    """``sparse_vector_select`` draws the sweep of each parameter's first pass in closed form;
    ``sparse_vector_select_by_sweeps`` plays the sweeps out. Over 3000 uploads each, every
    parameter's inclusion rate agrees within sampling error (|z| < 4.5 over 40 parameters),
    in a regime that needs many sweeps (τ above most |Δ|) and in one that needs one."""
    n, c, gamma, trials = 40, 8, 0.01, 3000
    delta = np.random.default_rng(5).uniform(-gamma, gamma, n)
    delta[:5] = 2 * gamma
    scales = shokri.shokri_scales(eps_per_param * c, c, gamma)
    rates = []
    for select in (shokri.sparse_vector_select, shokri.sparse_vector_select_by_sweeps):
        rng, counts = np.random.default_rng(1), np.zeros(n)
        for _ in range(trials):
            chosen = select(delta, c, gamma, tau, scales, rng)
            assert chosen.size == c and np.unique(chosen).size == c
            counts[chosen] += 1
        rates.append(counts / trials)
    pooled = (rates[0] + rates[1]) / 2
    z = np.abs(rates[0] - rates[1]) / np.sqrt(np.maximum(pooled * (1 - pooled), 1e-4) * 2 / trials)
    assert z.max() < 4.5, z.max()
    if eps_per_param >= 10:                                   # little noise: large |Δ| win
        assert rates[0][:5].mean() > rates[0][5:].mean()


def test_the_closed_form_keeps_the_limit_on_sweeps():
    """With τ far above every |Δ| and little noise, almost nothing passes within MAX_PASSES
    sweeps: both forms return fewer than c, and the closed form as few as the sweeps."""
    n, c, gamma = 2000, 500, 0.01
    delta = np.random.default_rng(2).uniform(-0.2 * gamma, 0.2 * gamma, n)
    scales = shokri.shokri_scales(1000.0 * c, c, gamma)
    sizes = [select(delta, c, gamma, gamma, scales, np.random.default_rng(3)).size
             for select in (shokri.sparse_vector_select, shokri.sparse_vector_select_by_sweeps)]
    assert sizes[0] < c and sizes[1] < c
    assert abs(sizes[0] - sizes[1]) <= 4 * np.sqrt(max(sizes)) + 2


def test_first_pass_sweep_is_geometric():
    rng = np.random.default_rng(0)
    p = np.full(200_000, 0.2)
    sweeps = shokri.first_pass_sweep(p, rng.random(p.size))
    assert sweeps.min() == 1 and sweeps.mean() == pytest.approx(1 / 0.2, rel=0.02)
    assert np.mean(sweeps == 1) == pytest.approx(0.2, abs=0.005)
    edge = shokri.first_pass_sweep(np.array([0.0, 1.0, 1e-30]), np.array([0.5, 0.5, 0.5]))
    assert edge[0] == np.inf and edge[1] == 1 and 1e28 < edge[2] < np.inf
