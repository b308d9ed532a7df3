"""Keep stdout for the one JSON document of ``--json``: libraries' chatter goes to stderr."""

from __future__ import annotations

import contextlib
import logging
import os
import sys

# TF_CPP_MIN_LOG_LEVEL → the least severe record TensorFlow's Python logger still shows (its
# retracing warnings, for one, come from Python, not from the runtime the variable governs)
PYTHON_LOG_LEVELS = {"0": logging.INFO, "1": logging.WARNING}


@contextlib.contextmanager
def stdout_to_stderr():
    """While the block runs, send everything written to stdout to stderr: Python's
    ``sys.stdout`` and file descriptor 1 (C/C++ libraries such as TensorFlow's runtime)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 1)
        os.close(saved)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow and Keras with their native start-up lines (absl's "before
    InitializeLog" warning, oneDNN's notice) kept off stderr, which TF_CPP_MIN_LOG_LEVEL does not
    silence; afterwards TF_CPP_MIN_LOG_LEVEL (3 unless the user set it: errors surface as Python
    exceptions) governs what the runtime logs, and TensorFlow's Python logger follows it (errors
    only from 2 on). Import errors still propagate."""
    level = os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("tensorflow").setLevel(PYTHON_LOG_LEVELS.get(level.strip(), logging.ERROR))
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
