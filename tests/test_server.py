"""Tests for ganleak_cli.protocol.server."""

import numpy as np

from ganleak_cli.protocol.server import ParameterServer, Upload


def _server(n=10):
    return ParameterServer(np.arange(n, dtype=np.float32))


def test_apply_adds_values_only_at_indices():
    server = _server()
    server.apply(Upload(np.array([1, 4, 7]), np.array([0.5, -2.0, 10.0])))
    expected = np.arange(10, dtype=np.float32)
    expected[[1, 4, 7]] += [0.5, -2.0, 10.0]
    np.testing.assert_allclose(server.weights, expected)


def test_apply_bumps_counters_only_at_indices():
    server = _server()
    server.apply(Upload(np.array([1, 4, 7]), np.ones(3)))
    expected = np.zeros(10, dtype=np.int64)
    expected[[1, 4, 7]] = 1
    np.testing.assert_array_equal(server.counters, expected)


def test_apply_twice_counts_twice():
    server = _server()
    upload = Upload(np.array([2, 3]), np.array([1.0, 1.0]))
    server.apply(upload)
    server.apply(upload)
    np.testing.assert_array_equal(server.counters[[2, 3]], [2, 2])
    assert server.counters.sum() == 4
    np.testing.assert_allclose(server.weights[[2, 3]], [4.0, 5.0])


def test_constructor_copies_initial_weights():
    original = np.arange(5, dtype=np.float32)
    server = ParameterServer(original)
    original[:] = -1.0
    np.testing.assert_array_equal(server.weights, [0, 1, 2, 3, 4])


def test_apply_does_not_touch_original_input():
    original = np.zeros(4, dtype=np.float32)
    server = ParameterServer(original)
    server.apply(Upload(np.array([0]), np.array([3.0])))
    np.testing.assert_array_equal(original, [0, 0, 0, 0])


def test_download_full_returns_all_weights():
    server = _server()
    indices, values = server.download(1.0)
    np.testing.assert_array_equal(indices, np.arange(10))
    np.testing.assert_array_equal(values, np.arange(10, dtype=np.float32))


def test_download_half_returns_most_updated():
    server = _server()
    touched = np.array([0, 3, 5, 8, 9])
    server.apply(Upload(touched, np.full(5, 0.25)))
    server.apply(Upload(np.array([3]), np.array([1.0])))  # counters: 3 -> 2, others in touched -> 1
    indices, values = server.download(0.5)
    np.testing.assert_array_equal(indices, touched)
    np.testing.assert_array_equal(values, server.weights[touched])


def test_download_values_are_copies():
    server = _server()
    _, values = server.download(1.0)
    values[:] = 123.0
    np.testing.assert_array_equal(server.weights, np.arange(10, dtype=np.float32))
