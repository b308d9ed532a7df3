"""--gen-width and --gen-ema: the generator's width, and the weight average the evaluation renders
(the adversary's fakes always come from the generator itself)."""

import numpy as np
import pytest

from ganleak_cli.attacks.gan import GanSettings, Generator
from ganleak_cli.config import SimConfig
from ganleak_cli.models import LATENT_DIM, build_classifier

SHAPE = (28, 28, 1)


def settings(**changes) -> GanSettings:
    values = dict(mode="active", target_class=0, fake_class=2, gen_steps=3, gen_batch=8,
                  gen_lr=1e-3, gen_tv=0.0, gen_width=32, gen_ema=0.0, fakes_per_turn=8,
                  fake_pool="replace", attack_after=0)
    return GanSettings(**{**values, **changes})


def trained(**changes) -> Generator:
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


@pytest.mark.parametrize("field, value", [("gen_ema", 1.0), ("gen_ema", -0.1),
                                          ("gen_width", 4)])
def test_out_of_range_values_are_named(field, value):
    with pytest.raises(ValueError, match=field):
        SimConfig(**{field: value}).validate()
