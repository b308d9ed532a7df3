"""The attack names ``--attack`` accepts and MI-FACE's Process steps (no heavy imports)."""

ATTACKS = ("active", "passive", "none", "mia")
MIA_PROCESSES = ("none", "blur")
