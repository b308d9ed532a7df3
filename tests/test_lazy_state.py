"""Lazy participant state: a participant that downloads the whole model (θd = 1, and every
FedAvg participant) keeps no weight vector between turns, and plays exactly as one that does."""

import keras
import numpy as np
import pytest

from ganleak_cli.privacy.accounting import Ledger
from ganleak_cli.protocol.fedavg import FedAvgRound
from ganleak_cli.protocol.participant import ExchangeRules, Participant, PlainUpload
from ganleak_cli.protocol.server import ParameterServer
from ganleak_cli.protocol.trainer import LocalTrainer
from ganleak_cli.simulation.config import SimConfig


def setup(keep_local: bool, theta_d: float = 1.0, theta_u: float = 0.5):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3)])
    trainer = LocalTrainer(model, 0.1)
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (20, 4, 4, 1), dtype=np.uint8)
    rules = ExchangeRules(local_steps=3, batch_size=5, theta_d=theta_d, theta_u=theta_u)
    people = [Participant(f"p{i}", images, rng.integers(0, 3, 20), trainer.flat.get(),
                          np.random.default_rng(i), trainer, PlainUpload(rules), Ledger(),
                          keep_local=keep_local) for i in range(3)]
    return people, ParameterServer(trainer.flat.get()), rules


def play_dssgd(keep_local: bool, turns: int = 6):
    people, server, rules = setup(keep_local)
    for turn in range(turns):
        server.apply(people[turn % 3].turn(server, rules))
    return people, server


def test_without_a_kept_copy_a_participant_holds_no_weights_between_turns():
    people, _ = play_dssgd(keep_local=False)
    assert all(p.local_weights is None for p in people)
    kept, _ = play_dssgd(keep_local=True)
    assert all(p.local_weights is not None for p in kept)


def test_dssgd_with_theta_d_1_plays_the_same_with_or_without_the_copy():
    _, lazy = play_dssgd(keep_local=False)
    _, kept = play_dssgd(keep_local=True)
    np.testing.assert_array_equal(lazy.weights, kept.weights)
    np.testing.assert_array_equal(lazy.counters, kept.counters)


def test_fedavg_plays_the_same_with_or_without_the_copy():
    servers = []
    for keep in (False, True):
        people, server, rules = setup(keep)
        for _ in range(3):
            FedAvgRound().play(people, server, rules, None)
        assert all((p.local_weights is None) != keep for p in people)
        servers.append(server.weights)
    np.testing.assert_array_equal(*servers)


def test_a_lazy_participant_checkpoints_and_restores_its_missing_copy():
    people, _ = play_dssgd(keep_local=False)
    state = people[0].state_dict()
    assert state["local_weights"] is None
    fresh, _, _ = setup(keep_local=False)
    fresh[0].load_state_dict(state)
    assert fresh[0].local_weights is None


@pytest.mark.parametrize("changes, victims_keep", [
    ({}, False),                                      # the headline: θd = 1, DSSGD
    ({"protocol": "fedavg"}, False),
    ({"theta_d": 0.5}, True),                         # the rest of the model is their own
])
def test_the_world_keeps_local_copies_only_where_they_are_needed(monkeypatch, tmp_path, changes,
                                                                  victims_keep):
    from ganleak_cli.protocol.rounds import PROTOCOLS
    from ganleak_cli.simulation.runner import _participants, _trainers, named_seeds

    cfg = SimConfig.from_options(victims=3, records_per_class=20, **changes).validate(10)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(11)])

    class Data:
        y_train = np.repeat(np.arange(10), 30)
        x_train = np.zeros((300, 28, 28, 1), np.uint8)
        num_classes, image_shape = 10, (28, 28, 1)

    cfg, seeds = cfg.with_defense(), named_seeds(0, 3)
    defence, attack = cfg.make_defence(10), cfg.make_attack(10)
    trainers = _trainers(defence, model, cfg.exchange.lr, seeds["dpsgd"])
    selective = PROTOCOLS.get(cfg.protocol.protocol).selective
    people = _participants(cfg.data, cfg.exchange.rules(), selective, defence, attack, Data,
                           trainers, seeds)
    assert [p.local_weights is not None for p in people[:-1]] == [victims_keep] * 3
    assert people[-1].local_weights is not None   # the adversary's (MI-FACE inverts it)
