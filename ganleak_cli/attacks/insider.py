"""The GAN insider of Hitaj, Ateniese and Perez-Cruz (CCS'17) as a component: ``active``
injects generated samples as the artificial class, ``passive`` only trains its generator. Its
options are the choices the paper leaves open (docs/attack.md); the training itself is
attacks/gan.py."""

from __future__ import annotations

from dataclasses import dataclass

from ganleak_cli.attacks import Attack
from ganleak_cli.core.settings import setting


@dataclass(frozen=True)
class GanOptions:
    """The generator's and the injection's options."""

    gen_steps: int | None = setting(10, "Generator updates per adversary turn.", kind=int, low=1,
                                    per_dataset=True)
    gen_batch: int = setting(64, "Generator mini-batch size.", low=1)
    gen_lr: float | None = setting(2e-4, "Generator Adam learning rate.", low=0.0, low_open=True,
                                   per_dataset=True)
    gen_tv: float | None = setting(
        0.0, "Weight of a total-variation penalty in the generator's loss (an adversary's prior "
             "that images are smooth; 0 is the paper's attack).", low=0.0, per_dataset=True)
    gen_width: int = setting(
        128, "Width of the DCGAN generator: its projection has 2× this many channels, halved at "
             "each ×2 stage (DCGAN's own 64×64 generator is 512).", low=8)
    gen_ema: float = setting(
        0.0, "Evaluate (and draw the grids from) an exponential moving average of the "
             "generator's weights with this decay; 0: the generator itself. The fakes the "
             "adversary trains on always come from the generator.", low=0.0, high=1.0,
        high_open=True)
    gen_jitter: int = setting(
        0, "Shift the generator's images by a random offset of up to this many pixels (edges "
           "reflected) before the shared model judges them in a generator step: detail that "
           "survives a shift, not pixel noise tuned to the model; 0: off.", low=0)
    gen_upsample: str = setting(
        "transpose", "How the generator doubles its side: transpose (DCGAN's strided transposed "
                     "convolutions) or resize (nearest-neighbour ×2, then a convolution: no "
                     "checkerboard pattern).", choices=("transpose", "resize"))
    gen_prior: float = setting(
        0.0, "Weight of a realism prior in the generator's loss: a small real-vs-generated "
             "critic the adversary trains on its own records (never the victims'), so that "
             "samples look like real images as well as like the target class to the shared "
             "model; 0: off (the paper's attack).", low=0.0)
    gen_diversity: float = setting(
        0.0, "Weight of a mode-seeking term in the generator's loss (Mao et al., MSGAN): "
             "different noise must give different images, against a generator collapsed onto "
             "one sample; 0: off (the paper's attack).", low=0.0)
    fakes_per_turn: int | None = setting(
        640, "Generated samples labelled as the artificial class per adversary turn.", kind=int,
        low=0, per_dataset=True)
    fake_pool: str = setting(
        "replace", "replace: train on this turn's fakes only; accumulate: keep every earlier one "
                   "too (the pool holds fakes-per-turn × the attack's turns images: at 64×64, "
                   "64 a turn for 1000 turns is 1 GB).", choices=("replace", "accumulate"))
    attack_after: int = setting(
        0, "Honest turns the adversary takes before it starts the attack (a patient insider "
           "waits for the shared model to learn the victims' classes).", low=0)


class ActiveGan(Attack):
    """The paper's attack: the generator's samples are uploaded as the artificial class."""

    name = "active"
    summary = "inject generated samples as the artificial class"
    Settings = GanOptions
    reconstructs = True
    trains_without_records = True

    def validate(self) -> None:
        """The mode-seeking term pairs samples; the realism prior needs the insider's records."""
        s = self.settings
        if s.gen_diversity and s.gen_batch < 2:
            raise ValueError("gen_diversity: the mode-seeking term pairs samples of a batch; "
                             f"needs --gen-batch ≥ 2, got {s.gen_batch}")
        if s.gen_prior and not self.context.own_records:
            raise ValueError("gen_prior: the realism prior learns from the adversary's own "
                             "records, and --adversary-classes none gives it none")

    def gan_settings(self):
        """The generator's settings for this run (attacks.gan.GanSettings)."""
        from ganleak_cli.attacks.gan import GanSettings

        return GanSettings(mode=self.name, target_class=self.context.target_class,
                           fake_class=self.context.fake_class, **vars(self.settings))

    def insider(self, args: tuple, role: dict, image_shape, seed: int):
        """A GanAdversary with its own seeded generator, which aims the shared model's own
        training loss at the target (the insider trains with it too)."""
        from ganleak_cli.attacks.gan import GanAdversary, Generator

        settings = self.gan_settings()
        generator = Generator(image_shape, settings, seed=seed, own_images=args[1],
                              loss_fn=role["trainer"].loss_fn)
        return GanAdversary(*args, **role, settings=settings, generator=generator)

    def reconstruction(self, model, flat, image_shape, fixed_noise, rng):
        """The generator rendered from the run's fixed noise."""
        from ganleak_cli.attacks.reconstruction import GanReconstruction

        return GanReconstruction(fixed_noise)


class PassiveGan(ActiveGan):
    """The generator learns from the shared model; nothing is injected."""

    name = "passive"
    summary = "train the generator only, inject nothing"
    trains_without_records = False
