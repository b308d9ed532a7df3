"""MI-FACE (Fredrikson, Jha and Ristenpart, CCS'15) against the model the insider holds, the
baseline the paper compares the GAN insider with (docs/mi-face.md); the insider trains
honestly. The inversion itself is attacks/inversion.py."""

from __future__ import annotations

from dataclasses import dataclass

from ganleak_cli.attacks import Attack
from ganleak_cli.core.settings import setting

PROCESSES = ("none", "blur")   # MI-FACE's Process step after each gradient step


@dataclass(frozen=True)
class MiFaceOptions:
    """MI-FACE's knobs."""

    mia_iterations: int = setting(
        1000, "MI-FACE (--attack mia): at most α gradient steps per evaluation (the paper: "
              "5000).", low=1)
    mia_window: int = setting(100, "MI-FACE: β, the window of the plateau stopping rule.",
                              low=1)
    mia_min_improvement: float = setting(
        1e-4, "MI-FACE: stop a sample when its best cost improved by no more than this over the "
              "last --mia-window steps.", low=0.0)
    mia_cost_threshold: float = setting(
        0.0, "MI-FACE: the paper's γ, stop a sample once its cost 1 − p(target) ≤ this (0: "
             "off).", low=0.0, high=1.0, high_open=True)
    mia_lr: float = setting(
        4.0, "MI-FACE: λ, the gradient step on the image in the model's range [−1, 1] (the "
             "paper's λ = 0.1 on [0, 1] pixels is 0.4 here).", low=0.0, low_open=True)
    mia_process: str = setting(
        "none", "MI-FACE: the Process step after each gradient step (blur: 3×3 Gaussian "
                "denoise).", choices=PROCESSES)
    mia_init_noise: float = setting(
        0.1, "MI-FACE: std of the seeded noise added to the paper's start x₀ = 0 (black), so "
             "that the --eval-samples inversions differ (0: all identical).", low=0.0)


class MiFace(Attack):
    """An honest insider that inverts its local model at each evaluation."""

    name = "mia"
    summary = "honest participant that runs the MI-FACE model inversion baseline at each " \
              "evaluation"
    Settings = MiFaceOptions
    reconstructs = True

    def reconstruction(self, model, flat, image_shape, fixed_noise, rng):
        """MI-FACE from fixed seeded start points, one per evaluated sample."""
        from ganleak_cli.attacks.inversion import InversionSettings, MiFaceAttack, start_points
        from ganleak_cli.attacks.reconstruction import MiFaceReconstruction

        s = self.settings
        settings = InversionSettings(
            target_class=self.context.target_class, iterations=s.mia_iterations,
            window=s.mia_window, min_improvement=s.mia_min_improvement,
            cost_threshold=s.mia_cost_threshold, lr=s.mia_lr, process=s.mia_process,
            init_noise=s.mia_init_noise)
        starts = start_points(len(fixed_noise), image_shape, s.mia_init_noise, rng)
        return MiFaceReconstruction(MiFaceAttack(model, flat, settings, starts))
