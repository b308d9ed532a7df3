"""Who takes a turn when: round-robin, random, or asynchronous exchange order."""

from __future__ import annotations

import numpy as np

ORDERS = ("round-robin", "random", "async")


def round_turns(order: str, n_participants: int, rng: np.random.Generator) -> list[int]:
    """The participants' turns in one round (a round has ``n_participants`` turns).

    ``round-robin``: 0, 1, …, n−1 every round. ``random``: a fresh permutation each round.
    ``async``: each turn an independently drawn participant (some may go twice, some not at all).
    """
    if order == "round-robin":
        return list(range(n_participants))
    if order == "random":
        return [int(i) for i in rng.permutation(n_participants)]
    if order == "async":
        return [int(i) for i in rng.integers(0, n_participants, size=n_participants)]
    raise ValueError(f"order: unknown order {order!r}; choose from {', '.join(ORDERS)}")
