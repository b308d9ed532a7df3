"""--gen-width, --gen-ema and --gen-jitter: the generator's width, the weight average the
evaluation renders (the adversary's fakes always come from the generator itself), and the random
shift of the images the shared model judges in a generator step."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganleak_cli.attacks.gan import GanSettings, Generator, jitter
from ganleak_cli.core.models import LATENT_DIM, build_classifier
from ganleak_cli.simulation.config import SimConfig

SHAPE = (28, 28, 1)


def settings(**changes) -> GanSettings:
    values = dict(mode="active", target_class=0, fake_class=2, gen_steps=3, gen_batch=8,
                  gen_lr=1e-3, gen_tv=0.0, gen_width=32, gen_ema=0.0, gen_jitter=0,
                  gen_upsample="transpose", gen_prior=0.0, gen_diversity=0.0, fakes_per_turn=8,
                  fake_pool="replace",
                  attack_after=0)
    return GanSettings(**{**values, **changes})


def trained(**changes) -> Generator:
    keras.utils.set_random_seed(0)    # the same initial generator and classifier each time
    generator = Generator(SHAPE, settings(**changes), seed=3)
    generator.train(build_classifier(SHAPE, 3))
    return generator


NOISE = np.random.default_rng(0).normal(size=(4, LATENT_DIM)).astype(np.float32)


def test_width_sets_the_generators_channels():
    narrow, wide = (Generator(SHAPE, settings(gen_width=w), seed=0) for w in (16, 64))
    assert wide.model.count_params() > 4 * narrow.model.count_params()
    assert narrow.render(NOISE).shape == (4, *SHAPE)


def test_without_ema_the_evaluation_renders_the_generator():
    generator = trained()
    assert generator.average is None
    np.testing.assert_array_equal(generator.render(NOISE),
                                  generator.model(NOISE, training=False).numpy())


def test_ema_renders_an_average_that_lags_the_generator_and_survives_a_checkpoint():
    generator = trained(gen_ema=0.9)
    averaged = generator.render(NOISE)
    live = generator.model(NOISE, training=False).numpy()
    assert not np.allclose(averaged, live)        # the average lags three steps behind
    state = generator.state_dict()
    fresh = Generator(SHAPE, settings(gen_ema=0.9), seed=3)
    assert not np.allclose(fresh.render(NOISE), averaged)
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.render(NOISE), averaged)


def test_the_average_warms_up_and_forgets_the_untrained_start():
    """At decay 0.999 a plain average of 30 steps would still be 97 % the untrained generator
    (what --gen-ema 0.999 rendered at 64x64: oracle 0.00); warmed up it follows the trained
    one, batch-norm statistics included."""
    keras.utils.set_random_seed(0)
    generator = Generator(SHAPE, settings(gen_ema=0.999, gen_steps=30), seed=3)
    start = generator.render(NOISE)
    generator.train(build_classifier(SHAPE, 3))
    averaged, live = generator.render(NOISE), generator.model(NOISE, training=False).numpy()
    assert np.abs(averaged - live).mean() < 0.5 * np.abs(averaged - start).mean()
    stats = [w for w in generator.average.weights if "moving_mean" in w.path]
    assert stats and all(np.any(w.numpy() != 0) for w in stats)   # not the initial zeros


def test_resize_upsampling_has_no_transposed_convolution_and_the_same_output_shape():
    plain = Generator((64, 64, 1), settings(), seed=0).model
    resize = Generator((64, 64, 1), settings(gen_upsample="resize"), seed=0).model
    kinds = [type(layer).__name__ for layer in resize.layers]
    assert "Conv2DTranspose" not in kinds and kinds.count("UpSampling2D") == 4
    assert kinds.count("Conv2D") == 4
    assert resize.output_shape == plain.output_shape == (None, 64, 64, 1)


def test_resize_upsampling_leaves_no_period_of_four_in_a_flat_start():
    """The checkerboard the resize generator avoids: from one latent vector whose projection is
    the same in every cell, a transposed-convolution generator's output alternates between
    neighbouring pixels with the period of its strides; the resize generator's output is flat
    at the centre (the 4×4 pixels that the zero padding of its convolutions cannot reach)."""
    keras.utils.set_random_seed(0)
    shape = (32, 32, 1)
    for upsample, periodic in (("transpose", True), ("resize", False)):
        model = Generator(shape, settings(gen_upsample=upsample), seed=0).model
        dense = model.layers[0]
        dense.kernel.assign(np.zeros(dense.kernel.shape))   # every cell the same: flat input
        first_bn = model.layers[1]
        first_bn.beta.assign(np.ones(first_bn.beta.shape))
        out = model(np.zeros((1, LATENT_DIM), np.float32), training=False).numpy()
        out = out[0, 14:18, 14:18, 0]
        alternates = np.abs(out[:, 1:] - out[:, :-1]).max()
        assert (alternates > 1e-4) == periodic, (upsample, alternates)


def test_jitter_shifts_the_whole_batch_by_one_offset_within_range():
    images = tf.reshape(tf.range(2 * 6 * 6, dtype=tf.float32), (2, 6, 6, 1))
    seed = keras.random.SeedGenerator(0)
    offsets = set()
    for _ in range(40):
        shifted = jitter(images, 1, seed).numpy()
        assert shifted.shape == (2, 6, 6, 1)
        centre = images.numpy()[:, 1:5, 1:5, 0]    # never reaches a reflected edge at 1 pixel
        found = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
                 if np.array_equal(shifted[:, 1 + dy:5 + dy, 1 + dx:5 + dx, 0], centre)]
        assert len(found) == 1
        offsets.add(found[0])
    assert len(offsets) == 9    # every offset of the 3×3 range turns up


def test_jitter_changes_the_generator_and_zero_jitter_is_the_plain_step():
    plain, zero, shifted = trained(), trained(gen_jitter=0), trained(gen_jitter=2)
    np.testing.assert_array_equal(plain.render(NOISE), zero.render(NOISE))
    assert not np.allclose(plain.render(NOISE), shifted.render(NOISE))


@pytest.mark.parametrize("field, value", [("gen_ema", 1.0), ("gen_ema", -0.1),
                                          ("gen_width", 4), ("gen_jitter", -1),
                                          ("gen_upsample", "bicubic"),
                                          ("gen_prior", -0.5)])
def test_out_of_range_values_are_named(field, value):
    with pytest.raises(ValueError, match=field):
        SimConfig.from_options(**{field: value}).validate()


class StubOracle:
    def target_rate(self, samples, target):
        return float(np.mean(samples.mean(axis=(1, 2, 3)) > 0)), 0.5


def test_with_ema_the_reconstruction_scores_the_generator_itself_beside_its_average():
    from types import SimpleNamespace

    from ganleak_cli.attacks.reconstruction import GanReconstruction
    from ganleak_cli.core.values import GroundTruth
    from ganleak_cli.metrics.score import live_figures

    plain = GanReconstruction(NOISE).reconstruct(SimpleNamespace(generator=trained()))
    assert plain.live is None
    generator = trained(gen_ema=0.9)
    both = GanReconstruction(NOISE).reconstruct(SimpleNamespace(generator=generator))
    np.testing.assert_array_equal(both.samples, generator.render(NOISE))
    np.testing.assert_array_equal(both.live, generator.model(NOISE, training=False).numpy())
    heldout = np.random.default_rng(1).integers(0, 256, size=(5, *SHAPE), dtype=np.uint8)
    truth = GroundTruth(0, heldout, heldout, None)
    figures = live_figures(both.live, truth, StubOracle(), faces=True)
    assert set(figures) == {"live_oracle_target_rate", "live_oracle_confidence",
                            "live_nn_ssim_heldout", "live_sample_self_ssim"}
    assert 0 <= figures["live_nn_ssim_heldout"] <= 1
