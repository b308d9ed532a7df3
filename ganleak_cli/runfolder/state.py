"""A run's state for checkpoints: what ``save_checkpoint`` writes and ``--resume`` restores.

Everything that changes while the round loop runs is here: the server's weights and counters,
every participant's local weights, RNG, sampler position and DP ledger, the trainers' optimiser
(and DP-SGD noise seed) state, the adversary's generator, Adam state, seed state and fake pool,
and the order RNG. The config is stored beside it so that a checkpoint is never restored into a
different experiment.
"""

from __future__ import annotations

import json

from ganleak_cli.runfolder.checkpoint import CheckpointError

STATE_FORMAT = 1
# Options that may differ between the run that wrote a checkpoint and the one resuming it
# (they do not change what the run computes).
RELOCATABLE = ("data_dir", "out", "tensorboard")


def _trainers(world) -> list:
    """The distinct local trainers, in participant order."""
    seen = []
    for participant in world.participants:
        if all(participant.trainer is not t for t in seen):
            seen.append(participant.trainer)
    return seen


def comparable_config(config_dict: dict) -> str:
    """The config as canonical JSON, without the options a resumed run may change."""
    kept = {k: v for k, v in config_dict.items() if k not in RELOCATABLE}
    return json.dumps(kept, sort_keys=True, default=list)


def world_state(world, round_no: int, metrics_lines: int, wall_seconds: float) -> dict:
    """Everything needed to continue ``world`` after ``round_no``."""
    return {"format": STATE_FORMAT, "round": round_no, "metrics_lines": metrics_lines,
            "wall_seconds": wall_seconds, "config": json.loads(comparable_config(
                world.options)),
            "server": world.server.state_dict(),
            "order_rng": world.order_rng.bit_generator.state,
            "trainers": {f"t{i}": t.state_dict() for i, t in enumerate(_trainers(world))},
            "participants": {p.name: p.state_dict() for p in world.participants}}


def restore_world(world, state: dict) -> None:
    """Load ``state`` into a freshly built ``world`` of the same config."""
    if state.get("format") != STATE_FORMAT:
        raise CheckpointError(f"checkpoint: format {state.get('format')!r} is not "
                              f"{STATE_FORMAT}; start the run again")
    if json.dumps(state["config"], sort_keys=True) != comparable_config(world.options):
        raise CheckpointError("checkpoint: it was written by a run with other options")
    world.server.load_state_dict(state["server"])
    world.order_rng.bit_generator.state = state["order_rng"]
    for i, trainer in enumerate(_trainers(world)):
        trainer.load_state_dict(state["trainers"][f"t{i}"])
    for participant in world.participants:
        participant.load_state_dict(state["participants"][participant.name])
