"""No defence: plain θu selection and γ clipping, no noise, no ε spent."""

from __future__ import annotations

from ganleak_cli.defences import Defence


class NoDefence(Defence):
    """The protocol as Shokri & Shmatikov describe it without DP (every hook's default)."""

    name = "none"
    summary = "no defence (the paper's undefended protocol)"

    def applies_to(self, adversary: bool) -> bool:
        """Nobody applies it: no participant is private."""
        return False
