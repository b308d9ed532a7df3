"""Shared fixtures: the real MNIST files and AT&T faces (skipped when GANLEAK_DATA_DIR does not
hold them)."""

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


@pytest.fixture(scope="module")
def att_dir():
    """GANLEAK_DATA_DIR when it holds att_faces/ (else the test is skipped)."""
    data_dir = os.environ.get("GANLEAK_DATA_DIR")
    if not data_dir or not (Path(data_dir) / "att_faces" / "s40" / "10.pgm").is_file():
        pytest.skip("GANLEAK_DATA_DIR is unset or has no att_faces/")
    return Path(data_dir)


@pytest.fixture(scope="module")
def faces(att_dir):
    """The real AT&T faces at 64×64."""
    from ganleak_cli.data import load_dataset
    return load_dataset("att", str(att_dir))
