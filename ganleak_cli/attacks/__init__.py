"""Attacks by an insider participant: the GAN attack of Hitaj et al., and the MI-FACE baseline
(Fredrikson et al.) run against the model the insider holds."""

from ganleak_cli.attacks.names import ATTACKS, MIA_PROCESSES

__all__ = ["ATTACKS", "MIA_PROCESSES"]
