"""The Python API: run a simulation from settings and read what it wrote.

    from ganleak_cli import simulate
    run = simulate(victims=1, rounds=20, eval_every=10, out="runs/notebook")
    run.summary["oracle_target_rate"], run.metrics[-1]["nn_ssim_heldout"]
    run.samples(20)            # the generated samples of round 20, N×H×W×C uint8

``simulate`` takes the options of ``ganleak simulate`` as keyword arguments (their names with
underscores) or a ready ``SimConfig`` (``SimConfig.from_options`` makes one of the same
options), and writes the same run folder the command line does; ``Run`` reads any run folder,
whoever wrote it. The command line is a layer over the same ``run.simulate``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ganleak_cli.data import dataset_num_classes
from ganleak_cli.runfolder.artifacts import CONFIG, GRIDS, RunFolder, saved_samples
from ganleak_cli.simulation.config import SimConfig


class Run:
    """A run folder read back: its config, the record of each evaluation, its summary, the
    samples and grids of each evaluated round."""

    def __init__(self, folder):
        self.folder = RunFolder(folder)
        if not self.folder.started:
            raise FileNotFoundError(f"{folder}: not a run folder (no config.json and "
                                    "metrics.jsonl)")

    @property
    def path(self) -> Path:
        """The run folder."""
        return self.folder.root

    @property
    def config(self) -> dict:
        """config.json: every option used, the seed, library versions."""
        return json.loads(self.folder.path(CONFIG).read_text())

    @property
    def metrics(self) -> list[dict]:
        """One record per evaluation, in round order (metrics.jsonl)."""
        return [json.loads(line) for line in self.folder.read_metrics() if line.strip()]

    @property
    def summary(self) -> dict | None:
        """summary.json, or None while the run has not finished."""
        return self.folder.summary()

    @property
    def rounds(self) -> list[int]:
        """The evaluated rounds."""
        return [record["round"] for record in self.metrics]

    def samples(self, round_no: int) -> np.ndarray:
        """The generated samples saved at ``round_no`` (N×H×W×C uint8)."""
        found = dict(saved_samples(self.path))
        if round_no not in found:
            raise KeyError(f"round {round_no}: no samples saved (saved: {sorted(found)})")
        return found[round_no]

    def grid(self, round_no: int) -> Path:
        """The PNG grid of ``round_no``'s samples."""
        return self.path / GRIDS / f"round_{round_no:04d}.png"


def configure(settings: SimConfig | None = None, **options) -> SimConfig:
    """A validated SimConfig from ``settings`` or the options (ValueError naming the option)."""
    cfg = settings if settings is not None else SimConfig.from_options(**options)
    cfg = cfg.with_defense()
    return cfg.validate(dataset_num_classes(cfg.data.dataset)).with_out()


def simulate(settings: SimConfig | None = None, *, reporter=None, **options) -> Run:
    """Run one simulation (``ganleak simulate`` with these options) into its run folder
    (``out``; a fresh one under runs/ when not given) and return the ``Run``. A non-empty
    ``out`` is refused: a run folder is never mixed with another's files."""
    from ganleak_cli.simulation.runner import simulate as run_simulation

    cfg = configure(settings, **options)
    out = Path(cfg.run.out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"out: {out} is not empty")
    run_simulation(cfg, reporter)
    return Run(out)
