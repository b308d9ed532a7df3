"""Tests for ganleak_cli.protocol.order.round_turns."""

import numpy as np
import pytest

from ganleak_cli.protocol.order import round_turns


def test_round_robin_is_in_order():
    assert round_turns("round-robin", 5, np.random.default_rng(0)) == [0, 1, 2, 3, 4]


def test_random_is_a_permutation():
    turns = round_turns("random", 7, np.random.default_rng(0))
    assert sorted(turns) == list(range(7))


def test_random_varies_across_calls():
    rng = np.random.default_rng(0)
    rounds = {tuple(round_turns("random", 6, rng)) for _ in range(20)}
    assert len(rounds) > 1


def test_async_length_and_range():
    rng = np.random.default_rng(0)
    for _ in range(50):
        turns = round_turns("async", 4, rng)
        assert len(turns) == 4
        assert all(0 <= t < 4 for t in turns)
        assert all(isinstance(t, int) for t in turns)


def test_async_some_round_repeats_a_participant():
    rng = np.random.default_rng(0)
    rounds = [round_turns("async", 4, rng) for _ in range(50)]
    assert any(len(set(r)) < len(r) for r in rounds)


def test_unknown_order_raises():
    with pytest.raises(ValueError, match="unknown order"):
        round_turns("reverse", 3, np.random.default_rng(0))
