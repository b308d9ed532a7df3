"""release_fidelity: what one Shokri release keeps of the update it releases."""

import math

import numpy as np

from ganleak_cli.core.pixels import to_model_range
from ganleak_cli.privacy.fidelity import probe_fidelity, release_fidelity
from ganleak_cli.simulation.config import SimConfig

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


def test_on_the_real_face_cnn_mnists_scales_release_noise_and_atts_defaults_do_not(faces):
    """att's own default γ and τ (what `--dataset att` runs with) against MNIST's γ = 0.01,
    τ = 0.005, on the 64×64 face CNN's first one-batch changes (lr 0.2, θu 0.1, ε/c = 100)."""
    att = SimConfig.from_options(dataset="att").defence
    rows = probe_fidelity(to_model_range(faces.x_train), faces.y_train, faces.num_classes + 1,
                          [(0.01, 0.005), (att.dp_gamma, att.dp_tau)], lr=0.2, theta_u=0.1,
                          eps_per_param=100.0, steps=(0,), batches=4)
    mnist_scales, face_scales = rows
    assert mnist_scales.cosine < 0.12 and mnist_scales.norm_ratio > 2
    assert face_scales.cosine > 0.3 and face_scales.cosine > 4 * mnist_scales.cosine
