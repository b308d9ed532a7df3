"""DP-SGD local training: per-example gradients, per-example L2 clipping, Gaussian noise of std
σ·C on the summed gradient, a weight-changing train step, and the step's DP event."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import dp_accounting  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from ganleak_cli.core.models import build_classifier  # noqa: E402
from ganleak_cli.privacy.dpsgd import DPSGDTrainer, clip_by_example  # noqa: E402

BATCH = 32
SHAPE = (28, 28, 1)


@pytest.fixture(scope="module")
def model():
    return build_classifier(SHAPE, 11)


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 1.0, (BATCH,) + SHAPE).astype(np.float32)
    y = rng.integers(0, 10, BATCH).astype(np.int64)
    return tf.constant(x), tf.constant(y)


def trainer_for(model, l2_clip=1.0, noise_multiplier=1.0):
    return DPSGDTrainer(model, 0.05, l2_clip=l2_clip, noise_multiplier=noise_multiplier, seed=0)


def per_example_norms(grads):
    return np.sqrt(sum(np.sum(np.reshape(np.square(g.numpy()), (BATCH, -1)), axis=1)
                       for g in grads))


@pytest.fixture(scope="module")
def grads(model, batch):
    return trainer_for(model).per_example_grads(*batch)


def test_per_example_grads_have_a_leading_batch_axis(model, grads):
    variables = model.trainable_variables
    assert len(grads) == len(variables)
    for g, v in zip(grads, variables):
        assert tuple(g.shape) == (BATCH,) + tuple(v.shape)
    assert sum(int(np.prod(v.shape)) for v in variables) == 105707


def test_per_example_grads_match_a_single_example_gradient(model, batch, grads):
    trainer = trainer_for(model)
    x, y = batch
    with tf.GradientTape() as tape:
        loss = trainer.loss_fn(y[3:4], model(x[3:4], training=True))
    single = tape.gradient(loss, model.trainable_variables)
    for g, s in zip(grads, single):
        np.testing.assert_allclose(g[3].numpy(), s.numpy(), rtol=1e-4, atol=1e-6)


def test_clip_with_large_bound_is_the_identity(grads):
    norms = per_example_norms(grads)
    big = float(norms.max()) * 10
    clipped, returned = clip_by_example(grads, big)
    np.testing.assert_allclose(returned.numpy(), norms, rtol=1e-5)
    for c, g in zip(clipped, grads):
        np.testing.assert_allclose(c.numpy(), g.numpy(), rtol=1e-6, atol=0)


def test_clip_with_small_bound_bounds_every_example(grads):
    norms = per_example_norms(grads)
    bound = float(np.median(norms))  # about half the examples are above, half below
    assert np.any(norms > bound * 1.01) and np.any(norms < bound * 0.99)
    clipped, returned = clip_by_example(grads, bound)
    np.testing.assert_allclose(returned.numpy(), norms, rtol=1e-5)  # the unclipped norms
    after = per_example_norms(clipped)
    assert np.all(after <= bound * (1 + 1e-5))
    above = norms > bound
    np.testing.assert_allclose(after[above], bound, rtol=1e-5)  # scaled onto the sphere
    below = norms <= bound
    for c, g in zip(clipped, grads):  # examples already within C are unchanged
        np.testing.assert_allclose(c.numpy()[below], g.numpy()[below], rtol=1e-6, atol=0)
        # clipping rescales: the direction of each example's gradient is kept
        ratio = norms[above] / after[above]
        np.testing.assert_allclose(c.numpy()[above] * ratio.reshape((-1,) + (1,) * (c.ndim - 1)),
                                   g.numpy()[above], rtol=1e-4, atol=1e-7)


def test_clip_with_tiny_bound_bounds_every_example(grads):
    clipped, _ = clip_by_example(grads, 1e-3)
    assert np.all(per_example_norms(clipped) <= 1e-3 * (1 + 1e-5))


@pytest.mark.parametrize("sigma,l2_clip", [(1.0, 1.0), (0.5, 0.1)])
def test_private_gradient_noise_has_std_sigma_c_over_b(model, batch, sigma, l2_clip):
    """private_gradient − mean of the clipped per-example gradients = N(0, σ²C²)/B on each of the
    105,707 coordinates; the relative standard error of a Gaussian sample std at that size is
    1/sqrt(2n) ≈ 0.2%, so 5% is a wide margin. The mean is ≈ 0 (6 standard errors)."""
    trainer = trainer_for(model, l2_clip=l2_clip, noise_multiplier=sigma)
    x, y = batch
    noisy = trainer.private_gradient(x, y)
    clipped, _ = clip_by_example(trainer.per_example_grads(x, y), l2_clip)
    noise = np.concatenate([(n.numpy() - np.mean(c.numpy(), axis=0)).ravel()
                            for n, c in zip(noisy, clipped)]).astype(np.float64)
    assert noise.size == 105707
    expected = sigma * l2_clip / BATCH
    assert np.std(noise) == pytest.approx(expected, rel=0.05)
    assert abs(np.mean(noise)) < 6 * expected / np.sqrt(noise.size)


def test_private_gradient_noise_is_fresh_each_call(model, batch):
    trainer = trainer_for(model)
    a = np.concatenate([g.numpy().ravel() for g in trainer.private_gradient(*batch)])
    b = np.concatenate([g.numpy().ravel() for g in trainer.private_gradient(*batch)])
    assert not np.allclose(a, b)


def test_train_changes_the_weights_and_returns_a_finite_loss():
    model = build_classifier(SHAPE, 11)
    trainer = trainer_for(model, l2_clip=1.0, noise_multiplier=1.0)
    rng = np.random.default_rng(1)
    xb = rng.uniform(-1.0, 1.0, (2, 8) + SHAPE).astype(np.float32)
    yb = rng.integers(0, 10, (2, 8)).astype(np.int64)
    before = trainer.flat.get()
    loss = trainer.train(xb, yb)
    after = trainer.flat.get()
    assert np.isfinite(loss)
    assert before.shape == after.shape == (105707,)
    assert not np.array_equal(before, after)
    assert np.all(np.isfinite(after))


def test_step_event_is_a_poisson_sampled_gaussian(model):
    trainer = trainer_for(model, noise_multiplier=1.3)
    event = trainer.step_event(0.02)
    assert isinstance(event, dp_accounting.PoissonSampledDpEvent)
    assert event.sampling_probability == pytest.approx(0.02)
    assert isinstance(event.event, dp_accounting.GaussianDpEvent)
    assert event.event.noise_multiplier == pytest.approx(1.3)
    assert trainer.step_event(5.0).sampling_probability == 1.0  # q capped at 1
