"""Every attack (the GAN insider, MI-FACE) implements ``reconstruct(adversary)`` and hands back
a ``values.Reconstruction``; the scoring code sees only that value, never the run's world."""

from __future__ import annotations

import numpy as np

from ganleak_cli.core.values import Reconstruction


class GanReconstruction:
    """The GAN insider's reconstruction: its generator rendered from the run's fixed noise."""

    def __init__(self, fixed_noise: np.ndarray):
        self.fixed_noise = fixed_noise

    def reconstruct(self, adversary) -> Reconstruction:
        """Render the adversary's generator (its weight average with ``--gen-ema``, the
        generator itself then ``live``); its last loss is the attack's figure."""
        generator = adversary.generator
        live = None if generator.average is None else generator.render_live(self.fixed_noise)
        return Reconstruction(generator.render(self.fixed_noise),
                              {"generator_loss": generator.last_loss}, live)


class MiFaceReconstruction:
    """MI-FACE on the model the adversary holds (its local weights)."""

    def __init__(self, inversion):
        self.inversion = inversion

    def reconstruct(self, adversary) -> Reconstruction:
        """Invert the adversary's local model from the run's fixed start points."""
        samples, figures = self.inversion.reconstruct(adversary.local_weights)
        return Reconstruction(samples, figures)
