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
from ganleak_cli.metrics.rows import border_steps, row_steps


def person_photographs(config: dict) -> np.ndarray:
    data = load_dataset(config["dataset"], config["data_dir"], image_size=config["image_size"])
    target = config["target_class"]
    return np.concatenate([data.x_train[data.y_train == target],
                           data.x_test[data.y_test == target]])


def main(runs: list[str]) -> None:
    for run in map(Path, runs):
        config = json.loads((run / "config.json").read_text())
        last = sorted((run / "samples").glob("round_*.npz"))[-1]
        photographs = person_photographs(config)
        with np.load(last) as npz:
            figures = border_steps(npz["images"], photographs)
            steps = row_steps(npz["images"])
        top = int(np.argmax(steps))
        print(f"{run.name} {last.stem}: at the grid borders {figures['step']:.1f} at row "
              f"{figures['row']} (median elsewhere {figures['median_elsewhere']:.1f}; the "
              f"person's photographs {figures['reference_step']:.1f} there); largest anywhere "
              f"{steps[top]:.1f} at row {top + 1} (photographs {row_steps(photographs)[top]:.1f})")


if __name__ == "__main__":
    main(sys.argv[1:])
