"""Tests for ganleak_cli.protocol.selection (pure NumPy, no TensorFlow)."""

import math

import numpy as np
import pytest

from ganleak_cli.protocol.selection import clip, fraction_count, select_download, select_upload

# --- fraction_count -------------------------------------------------------------------------

def test_fraction_count_one_selects_all():
    assert fraction_count(1.0, 105) == 105


def test_fraction_count_rounds_up():
    assert fraction_count(0.1, 105) == 11  # 10.5 -> 11


def test_fraction_count_tiny_fraction_selects_at_least_one():
    assert fraction_count(1e-9, 105) == 1


def test_fraction_count_exact_product_is_not_bumped_by_float_error():
    assert fraction_count(0.07, 100) == 7
    assert fraction_count(0.17, 10000) == 1700


# --- select_upload: largest ----------------------------------------------------------------

def _random_delta(seed=0, n=1000):
    # continuous values, both signs: ties in |delta| have probability zero
    return np.random.default_rng(seed).normal(size=n)


@pytest.mark.parametrize("theta", [0.01, 0.1, 0.33, 0.5, 1.0])
def test_largest_returns_ceil_theta_n_indices(theta):
    delta = _random_delta()
    idx = select_upload(delta, theta, "largest")
    assert idx.size == math.ceil(theta * delta.size)


@pytest.mark.parametrize("theta", [0.01, 0.1, 0.33, 0.5])
def test_largest_matches_sort_reference(theta):
    delta = _random_delta(seed=1)
    k = math.ceil(theta * delta.size)
    reference = np.sort(np.argsort(-np.abs(delta))[:k])
    idx = select_upload(delta, theta, "largest")
    np.testing.assert_array_equal(idx, reference)


def test_largest_uses_magnitude_not_sign():
    delta = np.array([0.1, -5.0, 0.2, 3.0, -0.3])
    idx = select_upload(delta, 0.4, "largest")  # ceil(0.4*5) = 2
    np.testing.assert_array_equal(idx, [1, 3])


def test_largest_indices_sorted_and_unique():
    idx = select_upload(_random_delta(seed=2), 0.2, "largest")
    assert np.all(np.diff(idx) > 0)


# --- select_upload: random -----------------------------------------------------------------

def test_random_only_picks_entries_above_tau():
    delta = _random_delta(seed=3)
    tau = 1.0
    idx = select_upload(delta, 0.05, "random", tau=tau, rng=np.random.default_rng(0))
    assert idx.size > 0
    assert np.all(np.abs(delta[idx]) >= tau)


def test_random_count_is_k_when_enough_qualify():
    delta = _random_delta(seed=4)
    tau = 0.5
    k = math.ceil(0.1 * delta.size)
    assert np.count_nonzero(np.abs(delta) >= tau) > k  # precondition
    idx = select_upload(delta, 0.1, "random", tau=tau, rng=np.random.default_rng(0))
    assert idx.size == k
    assert np.all(np.diff(idx) > 0)  # sorted, unique


def test_random_returns_all_qualifying_when_fewer_than_k():
    delta = np.zeros(100)
    delta[[5, 17, 80]] = [2.0, -3.0, 1.5]
    idx = select_upload(delta, 0.5, "random", tau=1.0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(idx, [5, 17, 80])


def test_random_tau_is_inclusive():
    delta = np.array([1.0, -1.0, 0.999, 0.0])
    idx = select_upload(delta, 1.0, "random", tau=1.0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(idx, [0, 1])


def test_random_different_seeds_differ():
    delta = _random_delta(seed=5)
    a = select_upload(delta, 0.1, "random", tau=0.0, rng=np.random.default_rng(1))
    b = select_upload(delta, 0.1, "random", tau=0.0, rng=np.random.default_rng(2))
    assert not np.array_equal(a, b)


def test_random_same_seed_same_choice():
    delta = _random_delta(seed=5)
    a = select_upload(delta, 0.1, "random", tau=0.0, rng=np.random.default_rng(7))
    b = select_upload(delta, 0.1, "random", tau=0.0, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)


def test_random_without_rng_raises():
    with pytest.raises(ValueError, match="random generator"):
        select_upload(_random_delta(), 0.1, "random", tau=0.0, rng=None)


def test_unknown_rule_raises():
    with pytest.raises(ValueError, match="unknown rule"):
        select_upload(_random_delta(), 0.1, "smallest")


# --- clip -----------------------------------------------------------------------------------

def test_clip_bounds_values():
    values = np.array([-5.0, -0.5, 0.0, 0.3, 7.0])
    np.testing.assert_array_equal(clip(values, 1.0), [-1.0, -0.5, 0.0, 0.3, 1.0])


def test_clip_random_values_within_gamma():
    values = _random_delta(seed=6) * 10
    out = clip(values, 0.25)
    assert out.min() >= -0.25 and out.max() <= 0.25
    inside = np.abs(values) <= 0.25
    np.testing.assert_array_equal(out[inside], values[inside])


def test_clip_none_leaves_values_unchanged():
    values = np.array([-5.0, 0.5, 100.0])
    np.testing.assert_array_equal(clip(values, None), [-5.0, 0.5, 100.0])


# --- select_download -----------------------------------------------------------------------

def test_select_download_picks_highest_counters():
    counters = np.array([3, 0, 9, 1, 7, 2, 8, 5, 4, 6])
    idx = select_download(counters, 0.3)  # ceil(0.3*10) = 3 -> counters 9, 8, 7
    np.testing.assert_array_equal(idx, [2, 4, 6])


def test_select_download_full_fraction_returns_all():
    counters = np.array([0, 5, 1, 2])
    np.testing.assert_array_equal(select_download(counters, 1.0), [0, 1, 2, 3])


def test_select_download_matches_sort_reference():
    counters = np.random.default_rng(0).permutation(500)
    idx = select_download(counters, 0.1)
    np.testing.assert_array_equal(idx, np.sort(np.argsort(-counters)[:50]))
