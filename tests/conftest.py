"""Shared fixtures: the real MNIST files (skipped when GANLEAK_DATA_DIR is not available)."""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def mnist():
    """The real MNIST dataset from GANLEAK_DATA_DIR, or skip the test."""
    data_dir = os.environ.get("GANLEAK_DATA_DIR")
    if not data_dir or not Path(data_dir).is_dir():
        pytest.skip("GANLEAK_DATA_DIR is unset or not a directory")
    from ganleak_cli.data import load_mnist
    return load_mnist(data_dir)
