"""release_fidelity: what one Shokri release keeps of the update it releases."""

import math

import numpy as np

from ganleak_cli.privacy.fidelity import release_fidelity

C = 20_000


def _update(scale: float) -> np.ndarray:
    return np.random.default_rng(0).normal(0.0, scale, 10 * C).astype(np.float32)


def test_an_update_at_the_scale_of_tau_keeps_its_direction():
    f = release_fidelity(_update(0.003), C, 100.0 * C, gamma=0.01, tau=0.001,
                         rng=np.random.default_rng(1))
    assert f.released == C
    assert f.cosine > 0.25 and f.norm_ratio < 1.0


def test_an_update_far_below_tau_is_released_as_noise():
    f = release_fidelity(_update(0.00003), C, 100.0 * C, gamma=0.01, tau=0.005,
                         rng=np.random.default_rng(1))
    assert abs(f.cosine) < 0.02
    assert f.norm_ratio > 10  # the release is mostly Laplace noise of scale 0.18·γ


def test_gamma_and_tau_at_the_update_scale_bring_the_signal_back():
    small = _update(0.00003)
    noisy = release_fidelity(small, C, 100.0 * C, 0.01, 0.005, np.random.default_rng(1))
    scaled = release_fidelity(small, C, 100.0 * C, 0.0002, 0.00005, np.random.default_rng(1))
    assert scaled.cosine > 0.25 > noisy.cosine


def test_a_zero_update_has_no_direction_to_keep():
    f = release_fidelity(np.zeros(1000, np.float32), 100, 100.0 * 100, 0.01, 0.005,
                         np.random.default_rng(1))
    assert f.cosine == 0.0 and math.isinf(f.norm_ratio)
