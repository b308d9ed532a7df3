"""FedAvg (``--protocol fedavg``): the averaging arithmetic, one participant = local training,
the policy choice in one place, and a tiny real run on a folder dataset of synthetic PNGs."""

import dataclasses
import json
import os

import numpy as np
import pytest
from synthetic_images import png_classes

from ganleak_cli.protocol.dssgd import Dssgd
from ganleak_cli.protocol.fedavg import FedAvgRound, FedAvgSettings, weighted_average
from ganleak_cli.protocol.rounds import make_protocol
from ganleak_cli.protocol.server import ParameterServer
from ganleak_cli.simulation.config import SimConfig

# --- arithmetic (pure NumPy) ---------------------------------------------------------------

def test_weighted_average_weights_by_record_count():
    got = weighted_average([np.array([0.0, 10.0]), np.array([4.0, 2.0])], [1, 3])
    np.testing.assert_allclose(got, [3.0, 4.0])
    assert got.dtype == np.float32


def test_equal_counts_give_the_plain_mean():
    rng = np.random.default_rng(0)
    models = [rng.standard_normal(50) for _ in range(5)]
    np.testing.assert_allclose(weighted_average(models, [7] * 5), np.mean(models, axis=0),
                               rtol=1e-6, atol=1e-6)


def test_a_single_model_is_returned_unchanged():
    model = np.linspace(-1, 1, 9, dtype=np.float32)
    np.testing.assert_array_equal(weighted_average([model], [42]), model)


def test_zero_count_participant_has_no_weight():
    np.testing.assert_allclose(weighted_average([np.ones(3), np.full(3, 9.0)], [5, 0]), 1.0)


@pytest.mark.parametrize("models, counts", [([np.ones(2)], [1, 2]), ([], []),
                                            ([np.ones(2)], [0]), ([np.ones(2)] * 2, [3, -1])])
def test_bad_counts_are_rejected(models, counts):
    with pytest.raises(ValueError, match="weighted_average"):
        weighted_average(models, counts)


def test_server_replace_sets_weights_and_counts_every_parameter():
    server = ParameterServer(np.zeros(4, np.float32))
    server.replace(np.arange(4))
    np.testing.assert_array_equal(server.weights, [0, 1, 2, 3])
    np.testing.assert_array_equal(server.counters, [1, 1, 1, 1])


# --- policy selection and validation ----------------------------------------------------------

def test_protocols_are_registered_components():
    assert isinstance(make_protocol("dssgd"), Dssgd)
    fedavg = make_protocol("fedavg", {"clients_per_round": 3, "order": "random"})
    assert isinstance(fedavg, FedAvgRound) and fedavg.clients_per_round == 3
    with pytest.raises(ValueError, match="protocol: unknown 'gossip'; registered: dssgd, fedavg"):
        make_protocol("gossip")


@pytest.mark.parametrize("change", [{"dp_eps": 1.0, "defense": "shokri"}, {"theta_u": 0.1},
                                    {"theta_d": 0.5}])
def test_fedavg_rejects_partial_exchange(change):
    with pytest.raises(ValueError, match="^protocol:"):
        SimConfig.from_options(protocol="fedavg", **change).validate()


# --- one participant: FedAvg is plain local training --------------------------------------------

def tiny_participant(seed=3, records=20, local_steps=3, batch_size=5):
    """A participant holding ``records`` random 4×4 images, on a one-layer model."""
    import keras

    from ganleak_cli.privacy.accounting import Ledger
    from ganleak_cli.protocol.participant import ExchangeRules, Participant, PlainUpload
    from ganleak_cli.protocol.trainer import LocalTrainer

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3)])
    trainer = LocalTrainer(model, 0.1)
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (records, 4, 4, 1), dtype=np.uint8)
    rules = ExchangeRules(local_steps=local_steps, batch_size=batch_size)
    person = Participant("p", images, rng.integers(0, 3, records), trainer.flat.get(),
                         np.random.default_rng(seed), trainer, PlainUpload(rules), Ledger())
    return person, trainer, rules


def test_one_participant_fedavg_equals_local_training():
    person, trainer, rules = tiny_participant()
    start = trainer.flat.get()
    server = ParameterServer(start)
    FedAvgRound().play([person], server, rules, None)

    twin, twin_trainer, _ = tiny_participant()
    twin_trainer.flat.set(start)
    x, y = twin.local_data(rules)
    from ganleak_cli.protocol.sampler import stack_batches
    twin_trainer.train(*stack_batches(x, y, rules.batch_size))
    np.testing.assert_allclose(server.weights, twin_trainer.flat.get(), rtol=1e-6, atol=1e-6)
    assert not np.allclose(server.weights, start)


def test_every_participant_starts_from_the_global_model():
    person, trainer, rules = tiny_participant()
    server = ParameterServer(trainer.flat.get() + 1.0)
    person.local_weights = np.full_like(server.weights, -5.0)  # stale state must not matter
    FedAvgRound().play([person], server, rules, None)
    assert np.abs(server.weights - (trainer.flat.get())).max() < 1e-6
    assert np.abs(server.weights).max() < 5.0


# --- a tiny real run ---------------------------------------------------------------------------

@pytest.mark.slow
def test_tiny_fedavg_run_with_the_attack(tmp_path, monkeypatch):
    from ganleak_cli.metrics import oracle as oracle_module
    from ganleak_cli.simulation.runner import simulate

    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path / "cache"))
    # the run is the subject, not its oracle: one member, one epoch
    monkeypatch.setattr(oracle_module, "ENSEMBLE", 1)
    monkeypatch.setattr(oracle_module, "AUGMENTED_EPOCHS", 1)
    root = png_classes(tmp_path / "imgs")
    cfg = SimConfig.from_options(
        dataset=f"folder:{root}", image_size=28, protocol="fedavg", rounds=2, eval_every=2,
        victim_classes=(0, 1), adversary_classes=(2, 3), target_class=0, local_steps=1,
        batch_size=4, gen_steps=1, gen_batch=8, fakes_per_turn=8, eval_samples=64,
        out=str(tmp_path / "run"))
    summary = simulate(cfg)
    assert summary["rounds"] == 2 and 0.0 <= summary["identity_match"] <= 1.0
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["protocol"] == "fedavg" and config["image_size"] == 28


# --- client sampling (--clients-per-round) ------------------------------------------------------

def test_every_client_by_default_drawing_nothing():
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    assert FedAvgRound().sampled(5, rng) == [0, 1, 2, 3, 4]
    assert FedAvgRound(FedAvgSettings(clients_per_round=5)).sampled(5, rng) == [0, 1, 2, 3, 4]
    assert rng.bit_generator.state == before   # runs without sampling keep their random stream


def test_k_clients_are_sampled_uniformly_without_replacement():
    policy, rng = FedAvgRound(FedAvgSettings(clients_per_round=2)), np.random.default_rng(1)
    rounds = [policy.sampled(5, rng) for _ in range(5000)]
    assert all(len(r) == 2 and r[0] < r[1] for r in rounds)
    share = np.bincount(np.concatenate(rounds), minlength=5) / 5000
    np.testing.assert_allclose(share, 2 / 5, atol=0.03)   # each client in 2 of 5 rounds


class Constant:
    """A participant whose local training gives a constant model; it reports ``count``
    examples."""

    def __init__(self, value, count=10):
        self.value, self.count, self.local_weights = value, count, None

    def turn(self, server, rules):
        self.local_weights = np.full_like(server.weights, self.value)

    def trained_weights(self):
        return self.local_weights

    def example_count(self):
        return self.count


@dataclasses.dataclass(frozen=True)
class Rules:
    theta_d: float = 1.0


def test_only_the_sampled_clients_are_averaged():
    """Two participants whose local training is replaced by a constant: the average is the
    sampled one's constant, never the other's."""
    server = ParameterServer(np.zeros(4, np.float32))
    FedAvgRound(FedAvgSettings(clients_per_round=1)).play(
        [Constant(1.0), Constant(3.0)], server, Rules(), np.random.default_rng(0))
    assert set(np.unique(server.weights)) <= {1.0, 3.0} and np.unique(server.weights).size == 1


@pytest.mark.parametrize("equal, expected", [(False, 2.5), (True, 2.0)])
def test_models_are_weighed_by_example_count_or_equally(equal, expected):
    server = ParameterServer(np.zeros(4, np.float32))
    weighting = "equal" if equal else "examples"
    FedAvgRound(FedAvgSettings(fedavg_weighting=weighting)).play(
        [Constant(1.0, 10), Constant(3.0, 30)], server, Rules(), np.random.default_rng(0))
    np.testing.assert_allclose(server.weights, expected)


@pytest.mark.parametrize("change, named", [
    ({"protocol": "dssgd", "clients_per_round": 1}, "needs --protocol fedavg"),
    ({"protocol": "fedavg", "victims": 2, "clients_per_round": 4}, "between 1 and the 3"),
    ({"protocol": "fedavg", "insider_sampling": "every-round"}, "needs --clients-per-round"),
    ({"protocol": "fedavg", "insider_sampling": "sometimes"}, "must be one of uniform"),
    ({"protocol": "dssgd", "fedavg_weighting": "equal"}, "needs --protocol fedavg"),
])
def test_clients_per_round_is_checked(change, named):
    with pytest.raises(ValueError, match=named):
        SimConfig.from_options(**change).validate()


@pytest.mark.slow
def test_sampled_fedavg_on_real_mnist_trains_k_clients_a_round(tmp_path, monkeypatch):
    """4 victims and the insider, 2 sampled a round, 4 rounds: 8 local trainings, and the
    shared model learns the victims' digits (well above chance 0.2)."""
    import ganleak_cli.protocol.fedavg as fedavg
    from ganleak_cli.simulation.runner import simulate

    if not os.environ.get("GANLEAK_DATA_DIR"):
        pytest.skip("GANLEAK_DATA_DIR is not set")
    calls = []
    real = fedavg.local_model
    monkeypatch.setattr(fedavg, "local_model",
                        lambda p, s, r: calls.append(p) or real(p, s, r))
    cfg = SimConfig.from_options(protocol="fedavg", victims=4, clients_per_round=2, rounds=4,
                                 eval_every=4, attack="none", records_per_class=200,
                                 out=str(tmp_path / "run"))
    summary = simulate(cfg)
    assert len(calls) == 8 and len({id(p) for p in calls}) >= 3
    assert summary["victim_class_accuracy"] > 0.5
    assert json.loads((tmp_path / "run" / "config.json").read_text())["clients_per_round"] == 2
