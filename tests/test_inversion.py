"""MI-FACE (Fredrikson et al., CCS'15, Algorithm 1): the descent, its stopping rules, the CLI
options, and — on real MNIST, marked slow — `ganleak simulate --attack mia` scored like the GAN."""

import json
import os

import numpy as np
import pytest
from click.testing import CliRunner

from ganleak_cli.cli.main import main

SHAPE = (2, 2, 1)


def linear_model(w0, w1):
    """A 2-class linear softmax model on 2×2 images: logits = (w0·x, w1·x)."""
    import keras

    model = keras.Sequential([keras.Input(shape=SHAPE), keras.layers.Flatten(),
                              keras.layers.Dense(2, use_bias=False)])
    model.layers[-1].set_weights([np.stack([w0, w1], axis=1).astype(np.float32)])
    return model


# Small weights: the softmax is far from saturation, so the descent reaches the corner quickly.
W0 = np.array([1.0, -2.0, 0.5, -0.25]) / 10
W1 = np.array([-1.0, 1.0, -0.5, 0.75]) / 10
# c(x) = 1 − σ((w0 − w1)·x): on the box [−1, 1]⁴ its minimum is at x = sign(w0 − w1).
OPTIMUM = np.sign(W0 - W1).reshape(SHAPE)


def invert(starts=None, **settings):
    from ganleak_cli.attacks.inversion import InversionSettings, Inverter

    settings = {"target_class": 0, "iterations": 500, "window": 10, "min_improvement": 0.0,
                "lr": 0.5, **settings}
    if starts is None:
        starts = np.zeros((3,) + SHAPE, np.float32)
    return Inverter(linear_model(W0, W1), InversionSettings(**settings)).invert(starts)


def start_cost(starts):
    from ganleak_cli.attacks.inversion import InversionSettings, Inverter

    inverter = Inverter(linear_model(W0, W1), InversionSettings(target_class=0))
    cost, _ = inverter.cost_and_gradient(np.asarray(starts, np.float32))
    return cost.numpy()


def test_descent_reaches_the_known_optimum_and_the_plateau_rule_stops_it():
    result = invert()
    np.testing.assert_allclose(result.images, np.broadcast_to(OPTIMUM, result.images.shape))
    optimum_cost = 1 - 1 / (1 + np.exp(-np.abs(W0 - W1).sum()))
    np.testing.assert_allclose(result.costs, optimum_cost, rtol=1e-4)
    # At the corner the cost no longer changes: β = 10 steps without improvement end it.
    assert (result.iterations < 500).all() and (result.iterations >= 10).all()


def test_cost_decreases_from_the_start():
    rng = np.random.default_rng(0)
    starts = rng.uniform(-0.5, 0.5, (8,) + SHAPE).astype(np.float32)
    result = invert(starts, iterations=3, window=100)
    assert (result.costs < start_cost(starts)).all()
    longer = invert(starts, iterations=30, window=100)
    assert (longer.costs <= result.costs).all()


def test_alpha_caps_the_steps():
    result = invert(iterations=3, window=100, lr=1e-3)
    assert (result.iterations == 3).all()


def test_min_improvement_ends_a_slow_descent_early():
    # A tiny step improves the cost by far less than 0.01 over β = 5 steps.
    result = invert(iterations=1000, window=5, min_improvement=0.01, lr=1e-3)
    assert (result.iterations == 5).all()
    patient = invert(iterations=50, window=5, min_improvement=0.0, lr=1e-3)
    assert (patient.iterations == 50).all()


def test_cost_threshold_is_the_papers_gamma():
    # From 0 the cost is 0.5; the first step (λ = 10) takes it to about 0.41.
    result = invert(iterations=1000, window=100, cost_threshold=0.45, lr=10.0)
    assert (result.iterations == 1).all()
    assert (result.costs <= 0.45).all()


@pytest.mark.parametrize("process", ["none", "blur"])
def test_images_stay_in_the_model_range(process):
    rng = np.random.default_rng(1)
    starts = rng.uniform(-1, 1, (5,) + SHAPE).astype(np.float32)
    result = invert(starts, lr=50.0, iterations=20, process=process)
    assert result.images.min() >= -1.0 and result.images.max() <= 1.0
    assert np.isfinite(result.costs).all()


def test_each_sample_keeps_its_own_best_and_stops_on_its_own():
    # One sample starts at the optimum (nothing to gain: stops after β), the other far away.
    starts = np.stack([OPTIMUM, -OPTIMUM]).astype(np.float32)
    result = invert(starts, lr=0.05, window=10, iterations=2000)
    assert result.iterations[0] == 10 and result.iterations[1] > 10
    np.testing.assert_allclose(result.images[0], OPTIMUM)


def test_attack_restores_the_shared_model_weights():
    from ganleak_cli.attacks.inversion import InversionSettings, MiFaceAttack
    from ganleak_cli.protocol.flat import FlatWeights

    model = linear_model(W0, W1)
    flat = FlatWeights(model)
    before = flat.get()
    attack = MiFaceAttack(model, flat, InversionSettings(target_class=0, iterations=50, lr=5.0),
                          np.zeros((4,) + SHAPE, np.float32))
    images, figures = attack.reconstruct(-before)  # the adversary's copy: the opposite model
    np.testing.assert_array_equal(flat.get(), before)
    np.testing.assert_allclose(images, np.broadcast_to(-OPTIMUM, images.shape))
    assert set(figures) == {"mia_cost", "mia_iterations"}
    assert 0 <= figures["mia_cost"] < 0.5 and 1 <= figures["mia_iterations"] <= 50


def test_start_points_are_seeded_and_distinct():
    from ganleak_cli.attacks.inversion import start_points

    a = start_points(4, (28, 28, 1), 0.1, np.random.default_rng(7))
    b = start_points(4, (28, 28, 1), 0.1, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[0], a[1]) and a.min() == -1.0 and a.max() <= 1.0
    assert (start_points(2, (28, 28, 1), 0.0, np.random.default_rng(7)) == -1.0).all()


@pytest.mark.parametrize("option,value", [
    ("--mia-iterations", "0"), ("--mia-window", "0"), ("--mia-min-improvement", "-0.1"),
    ("--mia-cost-threshold", "-0.5"), ("--mia-cost-threshold", "1"), ("--mia-lr", "0"),
    ("--mia-lr", "abc"), ("--mia-init-noise", "-1"), ("--mia-process", "sharpen"),
])
def test_bad_mia_option_is_a_usage_error(option, value, tmp_path):
    result = CliRunner().invoke(main, ["simulate", "--attack", "mia", option, value,
                                       "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert option in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("field,value", [
    ("mia_iterations", 0), ("mia_window", 0), ("mia_min_improvement", -1.0),
    ("mia_cost_threshold", 1.0), ("mia_lr", 0.0), ("mia_init_noise", -0.1),
    ("mia_process", "sharpen"),
])
def test_config_validation_names_the_field(field, value):
    from ganleak_cli.simulation.config import SimConfig

    with pytest.raises(ValueError, match=f"^{field}: "):
        SimConfig.from_options(attack="mia").with_options(**{field: value}).validate()


def test_mia_options_come_from_the_environment():
    from ganleak_cli.cli.commands.simulate_options import build_config

    result = CliRunner().invoke(main, ["simulate", "--help"])
    assert "GANLEAK_MIA_ITERATIONS" in result.output
    cfg = build_config({"attack": "mia", "mia_iterations": 7, "mia_process": "blur"})
    attack = cfg.attack
    assert (attack.attack, attack.mia_iterations, attack.mia_process) == ("mia", 7, "blur")


def test_mia_options_replay_from_config_json(tmp_path):
    """Every MI-FACE field has an option: a run's config.json gives back the same config."""
    from ganleak_cli.cli.commands.simulate_options import build_config
    from ganleak_cli.simulation.config import SimConfig

    cfg = SimConfig.from_options(attack="mia", mia_iterations=50, mia_window=7,
                                 mia_min_improvement=0.0, mia_cost_threshold=0.2, mia_lr=0.4,
                                 mia_process="blur", mia_init_noise=0.0)
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**cfg.to_dict(), "versions": {}, "oracle_seed": 1234}))
    ctx = main.commands["simulate"].make_context("simulate", ["--config", str(path)])
    replayed = build_config(ctx.params).to_dict()
    replayed.pop("data_dir")  # GANLEAK_DATA_DIR, when set, overrides the file
    assert replayed == {k: v for k, v in cfg.to_dict().items() if k != "data_dir"}


@pytest.fixture(scope="module")
def mia_run(tmp_path_factory):
    """A short headline-like run with MI-FACE as the adversary's attack."""
    if not os.environ.get("GANLEAK_DATA_DIR"):
        pytest.skip("GANLEAK_DATA_DIR is not set (real MNIST needed)")
    from cli_runs import run_cli

    return run_cli(tmp_path_factory, "mia", "--victims", "1", "--attack", "mia",
                   "--rounds", "20", "--eval-every", "10", "--mia-iterations", "300")


@pytest.mark.slow
def test_mia_run_writes_samples_and_scores_them_like_the_gan(mia_run):
    out, done = mia_run
    summary = json.loads(done.stdout)
    assert summary["attack"] == "mia"
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["round"] for r in records] == [10, 20]
    for record in records:
        for key in ("oracle_target_rate", "oracle_confidence", "nn_ssim_heldout", "mia_cost",
                    "mia_iterations"):
            assert np.isfinite(record[key]), key
        assert 1 <= record["mia_iterations"] <= 300
        assert "generator_loss" not in record
    for name in ("round_0010", "round_0020"):
        assert (out / "grids" / f"{name}.png").is_file()
        with np.load(out / "samples" / f"{name}.npz") as npz:
            assert npz["images"].shape == (100, 28, 28) and int(npz["target_class"]) == 3
    # The adversary trains honestly: the shared model learns the victims' classes.
    assert summary["victim_class_accuracy"] >= 0.9


@pytest.mark.slow
def test_mia_falls_short_of_the_gan_on_similarity(mia_run):
    """Hitaj et al.: MI-FACE does not recover the victims' digits from a CNN. What holds here
    (docs/mi-face.md) is half of that: its samples stay below the headline GAN's
    SSIM bar of 0.5 (measured 0.42 and 0.37 at rounds 10 and 20; the GAN reaches 0.57), while
    the oracle still calls them 3s (rate 1.0), so the oracle rate is not asserted."""
    out, done = mia_run
    summary = json.loads(done.stdout)
    assert summary["nn_ssim_heldout"] < 0.5
