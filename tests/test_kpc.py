"""Key-protected classification (--defense kpc): private unit keys that never travel, the
cosine-distance loss on a record's own key, and an insider that sees its own keys only."""

import numpy as np
import pytest

from ganleak_cli.defences.kpc import key_distance, unit_keys
from ganleak_cli.simulation.config import SimConfig


def kpc(**changes):
    return SimConfig.from_options(defense="kpc", kpc_dim=16, **changes).make_defence(10)


def test_keys_are_unit_columns_drawn_from_the_seed():
    a, b = unit_keys(np.random.default_rng(1), 32, 11), unit_keys(np.random.default_rng(1), 32, 11)
    assert np.allclose(np.linalg.norm(a, axis=0), 1.0) and np.array_equal(a, b)


@pytest.mark.parametrize("insider_key,target_known", [("guess", False), ("leaked", True)])
def test_the_insider_holds_its_own_keys_and_guesses_the_rest(insider_key, target_known):
    defence = kpc(kpc_insider_key=insider_key)
    model = defence.build_model((28, 28, 1), 11, seed=4)
    true, mine = model.layers[-1].keys.numpy(), defence.insider_keys
    for held in (5, 6, 7, 8, 9, 10):            # its own classes and the artificial one
        assert np.array_equal(mine[:, held], true[:, held])
    assert np.array_equal(mine[:, 3], true[:, 3]) is target_known
    for victim_class in (0, 1, 2, 4):
        assert abs(float(mine[:, victim_class] @ true[:, victim_class])) < 0.9


def test_the_keys_never_travel_with_the_shared_weights():
    from ganleak_cli.protocol.flat import FlatWeights

    defence = kpc()
    model = defence.build_model((28, 28, 1), 11, seed=0)
    keys = model.layers[-1].keys
    assert not keys.trainable
    assert all(v is not keys for v in FlatWeights(model).variables)
    scores = model.predict(np.zeros((2, 28, 28, 1), np.float32), verbose=0)
    assert scores.shape == (2, 11) and np.all(np.abs(scores) <= 1.0 + 1e-5)


def test_the_insider_view_swaps_the_keys_and_restores_them_even_on_error():
    defence = kpc()
    model = defence.build_model((28, 28, 1), 11, seed=0)
    true = model.layers[-1].keys.numpy().copy()
    view = defence.insider_view(model)
    with pytest.raises(RuntimeError):
        with view():
            assert np.array_equal(model.layers[-1].keys.numpy(), defence.insider_keys)
            raise RuntimeError("a failing turn")
    assert np.array_equal(model.layers[-1].keys.numpy(), true)


def test_the_loss_is_the_cosine_distance_to_the_record_s_own_key():
    scores = np.array([[1.0, 0.0, -1.0], [0.2, 0.5, 0.1]], np.float32)
    assert float(key_distance(np.array([0, 2]), scores)) == pytest.approx(((1 - 1) + (1 - 0.1)) / 2)


def test_kpc_spends_no_accounted_epsilon():
    defence = kpc()
    assert defence.turn_ledger(1000, 100) is None
    assert defence.epsilon_figures([], None, 1000) == {}
