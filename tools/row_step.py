"""Print the horizontal steps at the generator's grid borders in a face run's samples, beside
the same figure for the target person's photographs.

    python tools/row_step.py RUN_DIR [RUN_DIR ...]   # each run's last saved samples
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from ganleak_cli.data import load_dataset
from ganleak_cli.metrics.rows import border_steps


def person_photographs(config: dict) -> np.ndarray:
    data = load_dataset(config["dataset"], config["data_dir"], image_size=config["image_size"])
    target = config["target_class"]
    return np.concatenate([data.x_train[data.y_train == target],
                           data.x_test[data.y_test == target]])


def main(runs: list[str]) -> None:
    for run in map(Path, runs):
        config = json.loads((run / "config.json").read_text())
        last = sorted((run / "samples").glob("round_*.npz"))[-1]
        with np.load(last) as npz:
            figures = border_steps(npz["images"], person_photographs(config))
        print(f"{run.name} {last.stem}: step {figures['step']:.1f} at row {figures['row']} "
              f"(median elsewhere {figures['median_elsewhere']:.1f}; the person's photographs "
              f"{figures['reference_step']:.1f} there)")


if __name__ == "__main__":
    main(sys.argv[1:])
