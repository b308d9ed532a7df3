"""Which participant holds which records: victims share their classes without overlap."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Partition:
    """Record indices (into the training split) held by each victim and by the adversary."""

    victims: tuple[np.ndarray, ...]
    adversary: np.ndarray


def split_records(labels: np.ndarray, victim_classes, adversary_classes, n_victims: int,
                  rng: np.random.Generator, records_per_class: int | None = None,
                  mode: str = "shuffle", target: int | None = None) -> Partition:
    """Give the victims' classes' records to the victims and the adversary's classes' records
    (possibly none) to the adversary.

    ``shuffle`` (default): the victims' pooled records in disjoint, shuffled, near-equal shares.
    ``by-class``: victim i holds every record of classes ``victim_classes[i::n_victims]`` (with 40
    victims and 40 AT&T persons, one person each).
    ``target-alone``: victim 1 holds every record of class ``target`` and nothing else; the other
    victims share the other victim classes as ``shuffle`` does (the target held by one client of
    a big federation). ``records_per_class`` caps how many records of
    each class are used (None: all). The two class lists must be disjoint (``SimConfig.validate``
    checks it); a class in both would be given to both roles.
    """
    victim_pool = _take_classes(labels, victim_classes, rng, records_per_class)
    adversary = np.sort(_take_classes(labels, adversary_classes, rng, records_per_class))
    if mode == "by-class":
        shares = [victim_pool[np.isin(labels[victim_pool], victim_classes[i::n_victims])]
                  for i in range(n_victims)]
    elif mode == "target-alone":
        alone = labels[victim_pool] == target
        rest = np.array_split(rng.permutation(victim_pool[~alone]), n_victims - 1)
        shares = [victim_pool[alone], *rest]
    else:
        shares = np.array_split(rng.permutation(victim_pool), n_victims)
    return Partition(victims=tuple(np.sort(s) for s in shares), adversary=adversary)


def _take_classes(labels, classes, rng, cap) -> np.ndarray:
    chosen = []
    for cls in classes:
        idx = np.flatnonzero(labels == cls)
        if cap is not None and idx.size > cap:
            idx = rng.choice(idx, size=cap, replace=False)
        chosen.append(idx)
    return np.concatenate(chosen).astype(np.int64) if chosen else np.empty(0, dtype=np.int64)
