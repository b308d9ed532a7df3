"""Attacks by an insider participant: the GAN attack of Hitaj et al."""

ATTACKS = ("active", "passive", "none")
