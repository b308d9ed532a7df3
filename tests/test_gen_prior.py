"""--gen-prior: a realism critic the adversary trains on its own records, whose verdict joins the
shared model's in the generator's loss."""

import keras
import numpy as np
import pytest
from click.testing import CliRunner
from test_generator_options import NOISE, SHAPE, settings

from ganleak_cli.attacks.gan import Generator
from ganleak_cli.cli.main import main
from ganleak_cli.core.models import build_classifier
from ganleak_cli.core.pixels import to_model_range


def own_images(count=32, seed=0) -> np.ndarray:
    """uint8 records (as a participant holds them) with a bright disc in the middle: easy for a
    critic to tell from a generator's first outputs."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:SHAPE[0], :SHAPE[1]]
    disc = ((yy - 14) ** 2 + (xx - 14) ** 2 < 64).astype(np.float32)
    images = 1.6 * disc - 0.8 + 0.05 * rng.normal(size=(count, *SHAPE[:2]))
    return np.round((np.clip(images, -1, 1) + 1) * 127.5).astype(np.uint8)[..., None]


def test_the_critic_sees_own_records_in_the_generators_range():
    """The records are uint8 in [0, 255]; the generator's samples are in [−1, 1]. Fed raw, the
    critic would tell them apart by range alone."""
    generator = trained(gen_prior=1.0, steps=1)
    real = generator.prior.images.numpy()
    np.testing.assert_allclose(real, to_model_range(own_images()))
    assert real.min() >= -1.0 and real.max() <= 1.0 and real.max() > 0.5


def trained(steps=20, **changes) -> Generator:
    keras.utils.set_random_seed(0)
    generator = Generator(SHAPE, settings(gen_steps=steps, **changes), seed=3,
                          own_images=own_images())
    generator.train(build_classifier(SHAPE, 3))
    return generator


def test_off_by_default_and_then_the_plain_generator():
    plain = trained(gen_prior=0.0)
    assert plain.prior is None and "prior" not in plain.state_dict()
    keras.utils.set_random_seed(0)
    without = Generator(SHAPE, settings(gen_steps=20), seed=3)   # no images at all
    without.train(build_classifier(SHAPE, 3))
    np.testing.assert_array_equal(plain.render(NOISE), without.render(NOISE))


def test_the_critic_learns_to_tell_own_images_from_samples():
    generator = trained(gen_prior=1.0, steps=30)
    critic = generator.prior.model
    real = critic(to_model_range(own_images(16, seed=1)), training=False).numpy().mean()
    fake = critic(generator.render(NOISE), training=False).numpy().mean()
    assert real > fake + 0.5, (real, fake)


def test_the_prior_pulls_samples_towards_own_images():
    """The same 40 steps against the same classifier, with and without the prior: with it the
    samples sit nearer the adversary's images (its disc) than without."""
    disc = to_model_range(own_images(1))[0]
    distance = {w: np.abs(trained(gen_prior=w, steps=40).render(NOISE) - disc).mean()
                for w in (0.0, 2.0)}
    assert distance[2.0] < distance[0.0] - 0.05, distance


def test_the_critic_survives_a_checkpoint():
    generator = trained(gen_prior=1.0)
    state = generator.state_dict()
    fresh = Generator(SHAPE, settings(gen_steps=20, gen_prior=1.0), seed=3,
                      own_images=own_images())
    probe = to_model_range(own_images(4, seed=2))
    assert not np.allclose(fresh.prior.model(probe).numpy(), generator.prior.model(probe).numpy())
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.prior.model(probe).numpy(),
                                  generator.prior.model(probe).numpy())
    np.testing.assert_array_equal(fresh.render(NOISE), generator.render(NOISE))


def test_a_prior_without_own_images_is_refused():
    with pytest.raises(ValueError, match="gen_prior"):
        Generator(SHAPE, settings(gen_prior=1.0), seed=0, own_images=np.empty((0, *SHAPE)))


def test_a_prior_for_an_adversary_without_records_is_a_usage_error(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["simulate", "--adversary-classes", "none",
                                       "--gen-prior", "1", "--out", str(out)])
    assert result.exit_code == 2 and "gen-prior" in result.output.replace("_", "-")
    assert "Traceback" not in result.output and not out.exists()
