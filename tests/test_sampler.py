"""Tests for ganleak_cli.protocol.sampler."""

import numpy as np
import pytest

from ganleak_cli.protocol.sampler import BatchSampler, stack_batches


def test_take_covers_each_record_once_per_epoch():
    n = 50
    sampler = BatchSampler(n, np.random.default_rng(0))
    pieces = [sampler.take(7) for _ in range(7)] + [sampler.take(1)]  # 49 + 1 = 50
    epoch = np.concatenate(pieces)
    assert epoch.size == n
    np.testing.assert_array_equal(np.sort(epoch), np.arange(n))


def test_take_continues_across_calls():
    a = BatchSampler(30, np.random.default_rng(3))
    b = BatchSampler(30, np.random.default_rng(3))
    np.testing.assert_array_equal(np.concatenate([a.take(10), a.take(10)]), b.take(20))


def test_take_crosses_epoch_boundary():
    n = 10
    sampler = BatchSampler(n, np.random.default_rng(1))
    first = sampler.take(7)
    second = sampler.take(7)  # 3 from epoch 1, 4 from epoch 2
    assert second.size == 7
    epoch1 = np.concatenate([first, second[:3]])
    np.testing.assert_array_equal(np.sort(epoch1), np.arange(n))
    assert np.unique(second[3:]).size == 4
    rest = sampler.take(6)
    np.testing.assert_array_equal(np.sort(np.concatenate([second[3:], rest])), np.arange(n))


def test_take_more_than_an_epoch_at_once():
    sampler = BatchSampler(4, np.random.default_rng(0))
    out = sampler.take(12)
    for e in range(3):
        np.testing.assert_array_equal(np.sort(out[4 * e:4 * e + 4]), np.arange(4))


def test_zero_records_give_nothing_and_negative_raise():
    sampler = BatchSampler(0, np.random.default_rng(0))
    out = sampler.take(64)
    assert out.shape == (0,) and out.dtype == np.int64
    with pytest.raises(ValueError, match="negative"):
        BatchSampler(-1, np.random.default_rng(0))


def test_stack_batches_shape():
    x = np.zeros((12, 28, 28, 1))
    y = np.zeros(12, dtype=np.int64)
    xb, yb = stack_batches(x, y, 4)
    assert xb.shape == (3, 4, 28, 28, 1)
    assert yb.shape == (3, 4)


def test_stack_batches_drops_ragged_tail_and_keeps_alignment():
    n = 11
    x = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n)
    xb, yb = stack_batches(x, y, 3)
    assert xb.shape == (3, 3, 2) and yb.shape == (3, 3)
    np.testing.assert_array_equal(yb.ravel(), np.arange(9))
    # row i of x is [2i, 2i+1]: aligned with label i
    np.testing.assert_array_equal(xb[..., 0], 2 * yb)


# --- the batch of a participant with fewer records than a batch -----------------------------

def test_the_batch_is_the_batch_size_or_the_records_a_step_when_fewer():
    from ganleak_cli.protocol.participant import ExchangeRules, batch_for
    rules = ExchangeRules(local_steps=2, batch_size=64)
    assert batch_for(256, rules) == 64      # enough records: the batch size
    assert batch_for(128, rules) == 64
    assert batch_for(14, rules) == 7        # 7 records twice: batches of 7
    assert batch_for(1, rules) == 1         # never an empty batch


def test_a_participant_with_7_records_trains_each_step_on_its_7_records_once():
    """Not 64 draws that repeat each record nine times: every step is one pass over the 7."""
    from test_fedavg import tiny_participant
    person, _, rules = tiny_participant(records=7, local_steps=3, batch_size=64)
    x, y = person.local_data(rules)
    assert len(x) == 21
    for step in range(3):
        batch = x[7 * step:7 * step + 7].reshape(7, -1)
        assert len({row.tobytes() for row in batch}) == 7
    calls = []
    person.trainer.train = lambda xb, yb: calls.append(xb.shape) or 0.0
    person.train_and_upload(x, y, rules)
    assert calls == [(3, 7, 4, 4, 1)]
