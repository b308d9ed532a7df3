"""Tests for ganleak_cli.data.partition.split_records on synthetic labels."""

import numpy as np
import pytest

from ganleak_cli.data.partition import split_records

VICTIM_CLASSES = [0, 1, 2, 3, 4]
ADVERSARY_CLASSES = [5, 6, 7, 8, 9]


def _labels():
    return np.random.default_rng(123).permutation(np.repeat(np.arange(10), 50))


def _split(labels=None, n_victims=3, seed=0, records_per_class=None):
    labels = _labels() if labels is None else labels
    return split_records(labels, VICTIM_CLASSES, ADVERSARY_CLASSES, n_victims,
                         np.random.default_rng(seed), records_per_class)


def test_no_record_held_twice():
    part = _split()
    everything = np.concatenate(list(part.victims) + [part.adversary])
    assert np.unique(everything).size == everything.size


def test_victims_hold_exactly_victim_class_records():
    labels = _labels()
    part = _split(labels)
    union = np.sort(np.concatenate(part.victims))
    np.testing.assert_array_equal(union, np.flatnonzero(np.isin(labels, VICTIM_CLASSES)))


def test_adversary_holds_exactly_adversary_class_records():
    labels = _labels()
    part = _split(labels)
    np.testing.assert_array_equal(part.adversary,
                                  np.flatnonzero(np.isin(labels, ADVERSARY_CLASSES)))


def test_adversary_never_holds_target_class():
    labels = _labels()
    part = _split(labels)
    assert part.adversary.size > 0
    assert not np.any(labels[part.adversary] == 3)


@pytest.mark.parametrize("n_victims", [1, 2, 3, 7])
def test_victim_shares_near_equal(n_victims):
    part = _split(n_victims=n_victims)
    sizes = [s.size for s in part.victims]
    assert len(sizes) == n_victims
    assert max(sizes) - min(sizes) <= 1
    assert sum(sizes) == 250


def test_records_per_class_caps_counts():
    labels = _labels()
    part = _split(labels, records_per_class=8)
    victim_labels = labels[np.concatenate(part.victims)]
    adversary_labels = labels[part.adversary]
    assert np.bincount(victim_labels, minlength=10).tolist() == [8] * 5 + [0] * 5
    assert np.bincount(adversary_labels, minlength=10).tolist() == [0] * 5 + [8] * 5


def test_records_per_class_above_class_size_keeps_all():
    part = _split(records_per_class=1000)
    assert sum(s.size for s in part.victims) == 250
    assert part.adversary.size == 250


def test_same_seed_same_partition():
    labels = _labels()
    a = _split(labels, seed=5, records_per_class=20)
    b = _split(labels, seed=5, records_per_class=20)
    assert len(a.victims) == len(b.victims)
    for va, vb in zip(a.victims, b.victims):
        np.testing.assert_array_equal(va, vb)
    np.testing.assert_array_equal(a.adversary, b.adversary)


def test_different_seed_different_partition():
    labels = _labels()
    a = _split(labels, seed=1)
    b = _split(labels, seed=2)
    assert any(not np.array_equal(va, vb) for va, vb in zip(a.victims, b.victims))


def test_target_alone_gives_one_victim_the_target_class_and_nothing_else():
    labels = _labels()
    part = split_records(labels, VICTIM_CLASSES, ADVERSARY_CLASSES, 4, np.random.default_rng(0),
                         mode="target-alone", target=3)
    np.testing.assert_array_equal(part.victims[0], np.flatnonzero(labels == 3))
    others = np.concatenate(part.victims[1:])
    assert not np.any(labels[others] == 3) and np.unique(others).size == 200
    assert max(s.size for s in part.victims[1:]) - min(s.size for s in part.victims[1:]) <= 1


@pytest.mark.parametrize("change", [{"victims": 1}, {"victim_classes": (3,)}])
def test_target_alone_needs_another_victim_and_class(change):
    from ganleak_cli.simulation.config import SimConfig

    with pytest.raises(ValueError, match="target-alone"):
        SimConfig.from_options(**{"partition": "target-alone", "victims": 3, "target_class": 3,
                                  **change}).validate()
