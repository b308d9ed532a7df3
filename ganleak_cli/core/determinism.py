"""TensorFlow op determinism: identical results for identical seeds (costs some speed).

TensorFlow's public API only enables it; turning it off again (``--no-deterministic`` after a
deterministic run in the same process, as in tests and benchmarks) uses TensorFlow's own
``disable_op_determinism``.
"""

from __future__ import annotations

import contextlib


def _tf_config():
    from tensorflow.python.framework import config as tf_config

    return tf_config


def set_determinism(on: bool) -> None:
    """Turn op determinism on or off for the rest of the process."""
    if on:
        _tf_config().enable_op_determinism()
    else:
        _tf_config().disable_op_determinism()


@contextlib.contextmanager
def deterministic_ops():
    """Op determinism inside the block, the caller's setting restored after it."""
    was_on = _tf_config().is_op_determinism_enabled()
    set_determinism(True)
    try:
        yield
    finally:
        set_determinism(was_on)
