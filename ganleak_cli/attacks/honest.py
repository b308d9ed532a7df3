"""No attack: the insider is an honest participant (the control run)."""

from __future__ import annotations

from ganleak_cli.attacks import Attack


class HonestInsider(Attack):
    """Every hook's default: trains on its own records, reconstructs nothing."""

    name = "none"
    summary = "the adversary is an honest participant"
