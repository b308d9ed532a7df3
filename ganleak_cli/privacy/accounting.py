"""Privacy accounting with the ``dp-accounting`` library.

Each noised upload (Shokri) or noised local step (DP-SGD) is recorded as a ``DpEvent`` in the
participant's ledger. ε at δ is the composition of all of a participant's events:

* Shokri uploads are pure ε-DP mechanisms, recorded as ``LaplaceDpEvent(1/ε)`` and composed
  with the PLD accountant. When ε per upload exceeds ``PLD_MAX_EPSILON`` the PLD's
  discretisation no longer fits in memory and composition gains nothing measurable, so the
  total is the basic composition k·ε (named ``basic`` in the output).
* DP-SGD steps are ``PoissonSampledDpEvent(q, GaussianDpEvent(σ))`` with q = batch / records,
  composed with the RDP accountant (or PLD, by choice).
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter

import dp_accounting
from dp_accounting.pld import pld_privacy_accountant
from dp_accounting.rdp import rdp_privacy_accountant

PLD_MAX_EPSILON = 10.0
ACCOUNTANTS = {"pld": pld_privacy_accountant.PLDAccountant,
               "rdp": rdp_privacy_accountant.RdpAccountant}


def laplace_event(epsilon: float) -> dp_accounting.DpEvent:
    """A pure ε-DP upload, as a Laplace mechanism of noise multiplier 1/ε."""
    return dp_accounting.LaplaceDpEvent(noise_multiplier=1.0 / epsilon)


def dpsgd_event(noise_multiplier: float, sampling_rate: float) -> dp_accounting.DpEvent:
    """One DP-SGD step: a Poisson-sampled Gaussian mechanism."""
    return dp_accounting.PoissonSampledDpEvent(
        sampling_probability=sampling_rate,
        event=dp_accounting.GaussianDpEvent(noise_multiplier))


@contextlib.contextmanager
def _library_warnings_off():
    """dp-accounting's RDP accountant logs a warning (through absl) for each order α whose
    series does not converge and leaves that order out of the minimum, which is its documented
    behaviour and leaves ε valid; a run printed a dozen such lines for one evaluation."""
    logger = logging.getLogger("absl")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _make_accountant(name: str):
    if name not in ACCOUNTANTS:
        raise ValueError(f"accountant: unknown {name!r}; choose from {', '.join(ACCOUNTANTS)}")
    return ACCOUNTANTS[name]()


class Ledger:
    """One participant's DP events (counted by kind) and their composition."""

    def __init__(self):
        self.events: Counter = Counter()

    def record(self, event: dp_accounting.DpEvent, count: int = 1) -> None:
        """Add ``count`` occurrences of ``event``."""
        self.events[event] += count

    def epsilon(self, delta: float, accountant: str) -> tuple[float, str]:
        """Composed ε at δ over every recorded event, and the accountant that computed it."""
        if not self.events:
            return 0.0, accountant
        laplace = [e for e in self.events if isinstance(e, dp_accounting.LaplaceDpEvent)]
        if laplace and max(1.0 / e.noise_multiplier for e in laplace) > PLD_MAX_EPSILON:
            return self._basic(), "basic"
        acc = _make_accountant("pld" if laplace else accountant)
        with _library_warnings_off():
            for event, count in self.events.items():
                acc.compose(event, count)
            epsilon = float(acc.get_epsilon(delta))
        return epsilon, "pld" if laplace else accountant

    def state_dict(self) -> dict:
        """The recorded events as plain JSON (kind, parameters, count)."""
        return {"events": [{**_event_params(event), "count": count}
                           for event, count in self.events.items()]}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""
        self.events = Counter()
        for item in state["events"]:
            self.record(_event_from_params(item), int(item["count"]))

    def _basic(self) -> float:
        total = 0.0
        for event, count in self.events.items():
            if not isinstance(event, dp_accounting.LaplaceDpEvent):
                raise ValueError("accountant: basic composition covers pure Laplace events only")
            total += count / event.noise_multiplier
        return total


def _event_params(event: dp_accounting.DpEvent) -> dict:
    if isinstance(event, dp_accounting.LaplaceDpEvent):
        return {"kind": "laplace", "noise_multiplier": event.noise_multiplier}
    if isinstance(event, dp_accounting.PoissonSampledDpEvent):
        return {"kind": "poisson_gaussian", "sampling_probability": event.sampling_probability,
                "noise_multiplier": event.event.noise_multiplier}
    raise ValueError(f"accountant: cannot save a {type(event).__name__}")


def _event_from_params(item: dict) -> dp_accounting.DpEvent:
    if item["kind"] == "laplace":
        return dp_accounting.LaplaceDpEvent(noise_multiplier=float(item["noise_multiplier"]))
    if item["kind"] == "poisson_gaussian":
        return dpsgd_event(float(item["noise_multiplier"]), float(item["sampling_probability"]))
    raise ValueError(f"checkpoint: unknown DP event kind {item['kind']!r}")
