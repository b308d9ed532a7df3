"""Attacks by an insider participant: the GAN attack of Hitaj et al., and the MI-FACE baseline
(Fredrikson et al.) run against the model the insider holds."""

ATTACKS = ("active", "passive", "none", "mia")
MIA_PROCESSES = ("none", "blur")
