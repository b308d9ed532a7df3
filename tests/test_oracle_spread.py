"""The small-set oracle is an ensemble; tools/oracle_spread.py and ganleak_cli.metrics.spread
score a run's samples with each of its members and with the oracle (their mean). Stand-in
members and tiny synthetic PNG classes, so that the tests check how the members' scores are
combined and cached without needing a real dataset."""

import importlib.util
import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner
from synthetic_images import png_classes

from ganleak_cli.simulation.config import SimConfig

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("oracle_spread", ROOT / "tools" / "oracle_spread.py")
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)


class Member:
    """A keras-model stand-in whose logits are the log of the given probabilities."""

    def __init__(self, probs):
        self.logits = np.log(np.asarray(probs, dtype=np.float32))

    def predict(self, images, batch_size=None, verbose=0):
        return self.logits


def test_the_oracle_is_the_argmax_of_its_members_mean_probabilities_not_a_vote():
    from ganleak_cli.metrics.oracle import Oracle
    from ganleak_cli.metrics.spread import spread

    sure = Member([[0.9, 0.1], [0.9, 0.1]])         # names class 0 in both, confidently
    unsure = Member([[0.4, 0.6], [0.4, 0.6]])       # names class 1 in both, barely
    oracle = Oracle([sure, unsure, unsure])
    images = np.zeros((2, 4, 4, 1), np.float32)
    row = spread(images, 0, oracle)
    assert row.rates == (1.0, 0.0, 0.0)
    assert (row.low, row.high) == (0.0, 1.0)
    assert row.ensemble == 1.0                       # mean 0.57 / 0.43: class 0, against 2 votes
    assert oracle.target_rate(images, 0)[0] == 1.0   # the runs' figure is the mean's too
    np.testing.assert_allclose(oracle.probabilities(images)[0], [17 / 30, 13 / 30], rtol=1e-5)


def test_per_image_labels_are_scored_one_by_one():
    from ganleak_cli.metrics.oracle import Oracle
    from ganleak_cli.metrics.spread import spread

    oracle = Oracle([Member([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])])
    assert spread(np.zeros((3, 4, 4, 1)), np.array([0, 1, 1]), oracle).rates == (2 / 3,)


def test_a_small_set_gets_five_members_the_first_under_the_old_name(tmp_path, monkeypatch):
    from ganleak_cli.data import load_dataset
    from ganleak_cli.metrics import oracle as oracle_module
    from ganleak_cli.metrics.oracle import ENSEMBLE, ORACLE_SEED, Oracle, oracle_version

    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(oracle_module, "AUGMENTED_SIZE", 400)   # the members, not their quality
    data = load_dataset(f"folder:{png_classes(tmp_path / 'imgs')}", image_size=28)
    args = (data.name, data.x_test, data.y_test, data.num_classes)
    assert not Oracle.is_cached(*args[:3])
    oracle = Oracle.for_data(*args, epochs=1)
    assert Oracle.is_cached(*args[:3]) and len(oracle.members) == ENSEMBLE == 5
    names = sorted(p.name for p in (tmp_path / "cache" / "oracles").iterdir())
    assert len(names) == ENSEMBLE
    assert sum("seed" not in n for n in names) == 1             # ORACLE_SEED's: the v3-aug name
    assert all(any(f"-seed{ORACLE_SEED + k}-" in n for n in names) for k in range(1, ENSEMBLE))
    first, second = (m.get_weights() for m in oracle.members[:2])
    assert any(not np.array_equal(a, b) for a, b in zip(first, second))
    assert oracle_version(len(data.y_test)) == "v3-aug-ens5"
    assert oracle_version(10_000) == "v2"                       # MNIST keeps one model


def _tiny_run(root, out):
    from ganleak_cli.simulation.runner import simulate

    simulate(SimConfig.from_options(
        dataset=f"folder:{root}", image_size=28, rounds=2, eval_every=1, victim_classes=(0, 1),
        adversary_classes=(2, 3), target_class=0, local_steps=2, batch_size=4, gen_steps=1,
        gen_batch=8, fakes_per_turn=8, eval_samples=64, out=str(out)))
    return out


def test_the_tool_prints_every_oracle_on_the_photographs_and_each_evaluation(tmp_path,
                                                                              monkeypatch):
    from ganleak_cli.metrics import oracle as oracle_module

    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(oracle_module, "ENSEMBLE", 2)   # the run's oracle: two members (cheaper)
    monkeypatch.setattr(oracle_module, "AUGMENTED_SIZE", 400)   # … on fewer augmented copies
    run = _tiny_run(png_classes(tmp_path / "imgs"), tmp_path / "run")
    result = CliRunner().invoke(tool.main, [str(run), "--oracles", "3"])
    assert result.exit_code == 0, result.output
    lines = {line.split("  ")[0].strip(): line for line in result.output.splitlines()}
    photos = lines["photographs, every class"].split()
    rates = [float(v) for v in photos[3:6]]
    assert min(rates) >= 0.8        # the synthetic classes are easy: every member knows them
    assert {"round 1", "round 2", "photographs of class 0"} <= set(lines)
    assert len(list((tmp_path / "cache" / "oracles").glob("*-seed*"))) == 2   # 1 + the extra


def test_a_folder_that_is_not_a_run_is_refused_with_exit_2(tmp_path):
    result = CliRunner().invoke(tool.main, [str(tmp_path)])
    assert result.exit_code == 2
    assert "RUN_DIR" in result.output and "config.json" in result.output
    (tmp_path / "config.json").write_text(json.dumps({"dataset": "mnist", "target_class": 3}))
    result = CliRunner().invoke(tool.main, [str(tmp_path)])
    assert result.exit_code == 2 and "samples/round_*.npz" in result.output
