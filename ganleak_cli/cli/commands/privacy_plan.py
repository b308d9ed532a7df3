"""``ganleak privacy``'s figures: the ε a configuration would spend, computed without training
(the command's wiring: it reads the whole run config and asks the chosen defence)."""

from __future__ import annotations

from ganleak_cli.core.errors import ConfigError
from ganleak_cli.data.registry import registered_datasets, registry_entry
from ganleak_cli.simulation.config import SimConfig
from ganleak_cli.simulation.settings import DataSettings


def smallest_share(data: DataSettings, label_counts: list[int]) -> int:
    """Records of the smallest victim share (the largest sampling rate for DP-SGD)."""
    cap = data.records_per_class
    held = sum(min(label_counts[c], cap) if cap else label_counts[c]
               for c in data.victim_classes)
    return held // data.victims


def model_size(image_shape, n_outputs: int) -> int:
    """Parameters of the shared model (built, so it always follows the architecture)."""
    from ganleak_cli.core.models import build_classifier

    return int(build_classifier(image_shape, n_outputs).count_params())


def privacy_plan(cfg: SimConfig) -> dict:
    """Nominal, per-parameter and composed ε (one round and the whole run) for ``cfg``.

    Every private participant takes one turn per round (round-robin and random order; in
    async order that is the expected number).
    """
    data, rounds = cfg.data, cfg.run.rounds
    if data.dataset not in registered_datasets():
        raise ConfigError(f"dataset: `ganleak privacy` needs a registered dataset "
                          f"({', '.join(registered_datasets())}), got {data.dataset!r}")
    entry = registry_entry(data.dataset)
    side = data.image_size or entry["image_shape"][0]
    colour = entry["image_shape"][2] == 3 and data.color == "rgb"  # cifar10 loads grey by default
    n_params = model_size((side, side, 3 if colour else 1), entry["num_classes"] + 1)
    records = smallest_share(data, entry["train_label_counts"])
    defence = cfg.make_defence()
    whole = defence.turn_ledger(n_params, records, turns=rounds)
    one = defence.turn_ledger(n_params, records, turns=1)
    figures = defence.epsilon_figures([whole] if whole else [], one, n_params)
    return {"defense": cfg.defence.defense, "parameters": n_params, "rounds": rounds,
            "turns_per_participant": rounds, "records_per_victim": records,
            "theta_u": cfg.exchange.theta_u, **figures}
