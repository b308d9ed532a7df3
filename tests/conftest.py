"""Shared fixtures: the real MNIST files and AT&T faces (skipped when GANLEAK_DATA_DIR does not
hold them)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Train the MNIST oracle into the cache unless it is there (run in a subprocess: the test
# process itself never imports TensorFlow for it).
WARM_ORACLE = """
import sys
from ganleak_cli.data import load_mnist
from ganleak_cli.metrics.oracle import Oracle
data = load_mnist(sys.argv[1])
if not Oracle.is_cached(data.name, data.x_test, data.y_test):
    Oracle.for_data(data.name, data.x_test, data.y_test, data.num_classes)
"""


def pytest_collection_modifyitems(config, items):
    """Test files with slow tests first, the order otherwise kept: pytest-xdist hands the
    workers one file at a time in this order (``--no-loadscope-reorder``; its own reordering
    puts files with many tests first, which left a file of three long runs to one worker at
    the end while the other idled), so the long files start early and the many short ones even
    the workers out at the end."""
    slow = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow)


@pytest.fixture(scope="session", autouse=True)
def warm_mnist_oracle():
    """The MNIST oracle, trained once into the cache before any test starts a run. Without it
    the first runs of a fresh cache (CI's) each train it side by side, a sweep's two at a time,
    and a 2-core machine spends minutes on every copy. One pytest-xdist worker trains it; the
    other waits on the oracle's own training lock (metrics/oracle.py) and finds it cached."""
    from ganleak_cli.data.registry import find_local

    data_dir = os.environ.get("GANLEAK_DATA_DIR")
    if not data_dir or find_local("mnist", "test_images", data_dir) is None:
        return

    subprocess.run([sys.executable, "-c", WARM_ORACLE, data_dir], check=False,
                   timeout=1800, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


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
