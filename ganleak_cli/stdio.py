"""Keep stdout for the one JSON document of ``--json``: libraries' chatter goes to stderr."""

from __future__ import annotations

import contextlib
import os
import sys


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
