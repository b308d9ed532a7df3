"""--gen-diversity: Mao et al.'s mode-seeking term, which makes a generator that maps different
noise onto one image pay for it."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from click.testing import CliRunner
from test_generator_options import NOISE, SHAPE, settings

from ganleak_cli.attacks.gan import Generator, mode_seeking_penalty
from ganleak_cli.cli.main import main
from ganleak_cli.core.models import LATENT_DIM, build_classifier
from ganleak_cli.simulation.config import SimConfig


def test_the_penalty_is_large_for_a_collapsed_batch_and_small_for_a_varied_one():
    rng = np.random.default_rng(0)
    z = tf.constant(rng.normal(size=(8, LATENT_DIM)), tf.float32)
    one = rng.uniform(-1, 1, size=(1, *SHAPE))
    collapsed = tf.constant(np.repeat(one, 8, axis=0) + 0.01 * rng.normal(size=(8, *SHAPE)),
                            tf.float32)
    varied = tf.constant(rng.uniform(-1, 1, size=(8, *SHAPE)), tf.float32)
    assert float(mode_seeking_penalty(collapsed, z)) > 20 * float(mode_seeking_penalty(varied, z))
    # the same images from noise twice as far apart: a twice as large penalty
    np.testing.assert_allclose(float(mode_seeking_penalty(varied, 2 * z)),
                               2 * float(mode_seeking_penalty(varied, z)), rtol=1e-3)


def trained(steps=30, **changes) -> Generator:
    keras.utils.set_random_seed(0)
    generator = Generator(SHAPE, settings(gen_steps=steps, gen_batch=16, **changes), seed=3)
    generator.train(build_classifier(SHAPE, 3))
    return generator


def spread(samples: np.ndarray) -> float:
    """Mean absolute difference between the samples of different noise."""
    return float(np.mean([np.abs(a - b).mean() for i, a in enumerate(samples)
                          for b in samples[i + 1:]]))


def test_off_is_the_plain_step_and_on_the_samples_spread_further_apart():
    plain, zero = trained(), trained(gen_diversity=0.0)
    np.testing.assert_array_equal(plain.render(NOISE), zero.render(NOISE))
    diverse = trained(gen_diversity=1.0)
    assert spread(diverse.render(NOISE)) > 1.2 * spread(plain.render(NOISE))


@pytest.mark.parametrize("changes, named", [(dict(gen_diversity=-1.0), "gen_diversity"),
                                            (dict(gen_diversity=0.1, gen_batch=1),
                                             "gen_diversity")])
def test_bad_values_are_named(changes, named):
    with pytest.raises(ValueError, match=named):
        SimConfig.from_options(**changes).validate()


def test_a_negative_weight_on_the_command_line_is_a_usage_error(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["simulate", "--gen-diversity", "-1", "--out", str(out)])
    assert result.exit_code == 2 and "gen-diversity" in result.output
    assert "Traceback" not in result.output and not out.exists()
