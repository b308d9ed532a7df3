"""ganleak: simulate collaborative deep learning with a GAN insider and measure the leakage.

``ganleak_cli.simulate(**options)`` runs a simulation and returns a ``Run``; ``ganleak_cli.Run``
reads any run folder. Both load lazily, so importing the package stays cheap.
"""

import importlib

__version__ = "0.1.0"

__all__ = ["Run", "simulate"]


def __getattr__(name):
    """``simulate`` and ``Run`` from ganleak_cli.simulation.api, imported on first use (the
    layers below import ``__version__`` from here, so nothing is imported eagerly)."""
    if name in __all__:
        return getattr(importlib.import_module("ganleak_cli.simulation.api"), name)
    raise AttributeError(f"module 'ganleak_cli' has no attribute {name!r}")
