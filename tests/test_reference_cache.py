"""The reference lines are measured once per data, target and candidate classes, then read from
the cache folder by any process (the report and the frontier reuse them)."""

import types

import numpy as np

from ganleak_cli.metrics import reference


def tiny_data(seed: int):
    rng = np.random.default_rng(seed)
    return types.SimpleNamespace(x_test=rng.integers(0, 256, (30, 16, 16, 1), dtype=np.uint8),
                                 y_test=np.repeat([0, 1, 2], 10))


def test_lines_are_measured_once_then_read(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path))
    calls = []
    measured = {reference.ANOTHER: 0.25, reference.ITSELF: 0.5, reference.NOISE: 0.125,
                "another_class": 1}

    def measure(data, target, classes):
        calls.append((target, tuple(classes)))
        return measured

    monkeypatch.setattr(reference, "reference_lines", measure)
    data = tiny_data(0)
    assert reference.cached_lines(data, 0, (0, 1, 2)) == measured
    assert reference.cached_lines(data, 0, (0, 1, 2)) == measured      # from the file
    assert calls == [(0, (0, 1, 2))]
    reference.cached_lines(data, 1, (0, 1, 2))        # another target: measured anew
    reference.cached_lines(tiny_data(1), 0, (0, 1, 2))   # other data: measured anew
    assert len(calls) == 3
    assert len(list((tmp_path / "reference").glob("*.json"))) == 3


def test_a_cached_line_equals_the_measured_one(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path))
    data = tiny_data(2)
    first = reference.cached_lines(data, 0, (0, 1))
    again = reference.cached_lines(data, 0, (0, 1))
    assert first == again == reference.reference_lines(data, 0, (0, 1))   # exact, through JSON
    assert first["another_class"] == 1
