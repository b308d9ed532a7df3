"""The Python API runs the headline attack in a few lines and writes the very run folder the
command line writes for the same options (the CLI is a layer over the same simulation)."""

import subprocess
import sys

import numpy as np
import pytest

from ganleak_cli import Run, simulate

SMALL = {"rounds": 4, "eval_every": 2, "records_per_class": 60, "seed": 5}


@pytest.fixture(scope="module")
def api_and_cli(mnist, tmp_path_factory):
    """The headline (one victim, MNIST, the GAN insider) from Python and from the shell."""
    root = tmp_path_factory.mktemp("api")
    run = simulate(victims=1, out=str(root / "api"), **SMALL)
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in SMALL.items()]
    subprocess.run([sys.executable, "-m", "ganleak_cli.cli", "simulate", "--victims", "1",
                    "--out", str(root / "cli"), *flags], check=True, capture_output=True,
                   timeout=1200)
    return run, Run(root / "cli")


def test_the_api_run_is_the_cli_run(api_and_cli):
    api, cli = api_and_cli
    for name in ("metrics.jsonl", "samples/round_0004.npz", "grids/round_0004.png"):
        assert (api.path / name).read_bytes() == (cli.path / name).read_bytes(), name


def test_the_run_object_reads_its_folder(api_and_cli):
    run, _ = api_and_cli
    assert run.rounds == [2, 4]
    last = run.metrics[-1]
    assert run.summary["oracle_target_rate"] == last["oracle_target_rate"]
    assert run.samples(4).shape == (100, 28, 28, 1) and run.samples(4).dtype == np.uint8
    assert run.grid(4).is_file()
    assert run.config["target_class"] == 3 and run.config["seed"] == 5
    with pytest.raises(KeyError, match="round 3: no samples saved"):
        run.samples(3)


def test_bad_settings_and_a_used_folder_are_refused(api_and_cli, tmp_path):
    run, _ = api_and_cli
    with pytest.raises(ValueError, match="theta_u: must be in"):
        simulate(theta_u=2.0, out=str(tmp_path / "x"))
    with pytest.raises(FileExistsError, match="is not empty"):
        simulate(out=str(run.path), **SMALL)
    with pytest.raises(FileNotFoundError, match="not a run folder"):
        Run(tmp_path)
