"""The SSIM search computes tf.image.ssim's SSIM (shared window statistics, separable window):
the same values to float32 rounding, on real digits and faces and on colour images.

On smooth images (faces) a local variance is a small difference of two large local means, so
float32 rounding is amplified: tf.image.ssim (which always computes in float32) is then about
3e-5 off the exact value, and the tolerance for faces is 1e-4."""

import numpy as np
import pytest
import tensorflow as tf

from ganleak_cli.core.pixels import to_unit
from ganleak_cli.metrics.similarity import (
    Stats,
    nearest_ssim,
    nearest_ssim_prefiltered,
    ssim_matrix,
)
from ganleak_cli.metrics.verdict import sample_self_ssim


def tf_ssim_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    units_a, units_b = to_unit(a), to_unit(b)
    if units_a.ndim == 3:
        units_a, units_b = units_a[..., None], units_b[..., None]
    return tf.image.ssim(units_a[:, None], units_b[None], max_val=1.0).numpy()


def assert_same_as_tf(a, b, atol=2e-6):
    ours = ssim_matrix(Stats.of(a), Stats.of(b))
    theirs = tf_ssim_matrix(a, b)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=atol, rtol=0)
    return ours


def test_real_digits_score_as_tf_image_ssim(mnist):
    threes = mnist.x_test[mnist.y_test == 3][:12]
    others = mnist.x_test[:40]
    scores = assert_same_as_tf(threes, others)
    assert scores.min() < 0.2 < 0.9 < scores.max()   # a wide range of real SSIMs compared


def test_real_faces_at_64_score_as_tf_image_ssim(faces):
    scores = assert_same_as_tf(faces.x_test[:6], faces.x_train[:30], atol=1e-4)
    assert np.isclose(ssim_matrix(Stats.of(faces.x_test[:3]),
                                  Stats.of(faces.x_test[:3])).diagonal(), 1.0, atol=1e-5).all()
    assert scores.max() < 1.0


def test_colour_and_float_images_score_as_tf_image_ssim():
    rng = np.random.default_rng(5)
    colour = rng.integers(0, 256, (5, 32, 32, 3)).astype(np.uint8)
    assert_same_as_tf(colour, np.clip(colour.astype(int) + rng.integers(-40, 40, colour.shape),
                                      0, 255).astype(np.uint8))
    floats = rng.uniform(-1, 1, (4, 28, 28, 1)).astype(np.float32)
    assert_same_as_tf(floats, floats[::-1])


def test_the_searches_find_tf_image_ssims_best(mnist):
    samples = mnist.x_test[mnist.y_test == 3][:10]
    refs = mnist.x_train[mnist.y_train == 3][:300]
    theirs = tf_ssim_matrix(samples, refs)
    best, where = nearest_ssim(samples, refs, chunk=3)
    np.testing.assert_allclose(best, theirs.max(axis=1), atol=2e-6, rtol=0)
    assert (where == theirs.argmax(axis=1)).all()
    shortlisted, _ = nearest_ssim_prefiltered(samples, refs, candidates=64, chunk=4)
    assert (shortlisted <= best + 1e-6).all()
    assert np.isclose(shortlisted, best, atol=2e-6).mean() > 0.8


def test_self_ssim_of_copies_is_one_and_of_noise_near_zero():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (1, 28, 28)).astype(np.uint8)
    assert sample_self_ssim(np.repeat(image, 6, axis=0)) == pytest.approx(1.0, abs=1e-5)
    assert abs(sample_self_ssim(rng.integers(0, 256, (16, 28, 28)).astype(np.uint8))) < 0.05
    assert np.isnan(sample_self_ssim(image))
