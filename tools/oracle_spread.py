"""Does a run's oracle verdict hold under each of the oracle's members, or only on average?

    python tools/oracle_spread.py runs/att64_s8 [--oracles 8]

Reads the run folder's config.json (dataset, data directory, image size, target) and its
samples/round_*.npz, loads the runs' oracle (for faces five models trained alike, seeded
``ORACLE_SEED`` + k; ``--oracles`` trains more, once, cached beside them) and prints, for the
victims' photographs that no member saw (the calibration: every class, and the target) and for
each evaluation's samples, each member's rate, their range and the oracle's (their mean
probabilities': with the default members, the run's ``oracle_target_rate``;
``ganleak_cli.metrics.spread``). ``GANLEAK_CACHE_DIR`` as for the runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np

from ganleak_cli.data import load_dataset
from ganleak_cli.metrics.oracle import ORACLE_SEED
from ganleak_cli.metrics.spread import Spread, oracle_of, spread
from ganleak_cli.runfolder.artifacts import saved_samples


def _config(run_dir: Path) -> dict:
    try:
        return json.loads((run_dir / "config.json").read_text())
    except (OSError, ValueError) as err:
        raise click.BadParameter(f"{run_dir}: no readable config.json (not a run folder?): {err}",
                                 param_hint="RUN_DIR")


def _rounds(run_dir: Path) -> list[tuple[str, np.ndarray]]:
    sets = [(f"round {round_no}", images) for round_no, images in saved_samples(run_dir)]
    if not sets:
        raise click.BadParameter(f"{run_dir}: no samples/round_*.npz (a run without the attack?)",
                                 param_hint="RUN_DIR")
    return sets


def _line(label: str, row: Spread) -> str:
    each = " ".join(f"{r:.2f}" for r in row.rates)
    return f"{label:<28} {each}   {row.low:.2f}-{row.high:.2f}   {row.ensemble:.2f}"


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--oracles", "count", type=click.IntRange(2, 20), default=None,
              help="members to score with (default: the runs' oracle's own; more are trained)")
def main(run_dir: Path, count: int):
    """Print each member's rate on the calibration photographs and on every evaluation."""
    config = _config(run_dir)
    sets = _rounds(run_dir)
    data = load_dataset(config["dataset"], config.get("data_dir"), config.get("image_size"),
                        config.get("color", "grey"))
    target = int(config["target_class"])
    oracle = oracle_of(data, count)
    y_train = np.asarray(data.y_train)
    print(f"{'set':<28} each member's rate (seeds {ORACLE_SEED}…)   range   oracle (mean)")
    print(_line("photographs, every class", spread(data.x_train, y_train, oracle)))
    print(_line(f"photographs of class {target}",
                spread(data.x_train[y_train == target], target, oracle)))
    for label, images in sets:
        print(_line(label, spread(images, target, oracle)))


if __name__ == "__main__":
    main()
