"""A toy ganleak plugin: ``--defense toy`` adds Gaussian noise to every upload of the private
participants (``--toy-sigma``), the ``toy_brightness`` family records the generated samples'
mean pixel value in [−1, 1], and ``--protocol toy_reverse`` plays DSSGD turns last participant
first, saying so on stderr each round (``--toy-say``)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ganleak_cli.core.settings import setting
from ganleak_cli.defences import Defence
from ganleak_cli.metrics.families import MetricFamily
from ganleak_cli.protocol.rounds import Protocol


@dataclass(frozen=True)
class ToySettings:
    """The noise of the toy defence."""

    toy_sigma: float = setting(0.001, "Toy: std of the Gaussian noise on each uploaded value.",
                               low=0.0)


class NoisyUpload:
    """The plain upload, then Gaussian noise on every released value."""

    def __init__(self, plain, sigma: float):
        self.plain, self.sigma = plain, sigma

    def __call__(self, delta, rng):
        upload, event = self.plain(delta, rng)
        noise = rng.normal(0.0, self.sigma, size=upload.values.shape).astype(upload.values.dtype)
        return type(upload)(upload.indices, upload.values + noise), event


class ToyNoise(Defence):
    """Noisy uploads for the private participants; nothing accounted."""

    name = "toy"
    summary = "a plugin's noisy uploads (tests/plugins/ganleak_toy)"
    Settings = ToySettings

    def uploader(self, rules, n_params, private):
        plain = super().uploader(rules, n_params, private)
        return NoisyUpload(plain, self.settings.toy_sigma) if private else plain


class Brightness(MetricFamily):
    """The samples' mean value."""

    name = "toy_brightness"
    curves = (("toy_brightness", "Toy: mean sample value", (-1.0, 1.0)),)

    def figures(self, reconstruction, truth, oracle, record):
        return {"toy_brightness": float(reconstruction.samples.mean())}


@dataclass(frozen=True)
class ReverseSettings:
    """What the toy protocol says each round."""

    toy_say: str = setting("toy_reverse round", "Toy: the line printed to stderr each round.")


class ReverseTurns(Protocol):
    """DSSGD turns from the last participant (the insider) to the first."""

    name = "toy_reverse"
    summary = "a plugin's DSSGD turns in reverse order"
    Settings = ReverseSettings

    def play(self, participants, server, rules, rng):
        for person in reversed(participants):
            server.apply(person.turn(server, rules))
        print(f"{self.settings.toy_say}: {len(participants)} turns", file=sys.stderr)
