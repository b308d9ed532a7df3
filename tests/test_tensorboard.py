"""``--tensorboard``: scalar and image summaries per evaluation, read back from the event files."""

import json
import os

import numpy as np
import pytest
from cli_runs import run_cli

from ganleak_cli.runfolder.artifacts import RunFolder
from ganleak_cli.runfolder.tboard import LOG_DIR, TensorBoardLog, flatten

RECORD = {"round": 4, "model_accuracy": 0.7, "victim_class_accuracy": 0.5,
          "oracle_target_rate": 0.25, "nn_ssim_heldout": 0.125, "epsilon_total": 3.5,
          "epsilon_per_param": None, "accountant": "rdp", "defense": "dpsgd",
          "accuracy_per_class": {"0": 0.9, "3": 0.375},
          "participant_loss": {"victim0": 1.5, "adversary": 2.25}}
EXPECTED = {"model_accuracy": 0.7, "victim_class_accuracy": 0.5, "oracle_target_rate": 0.25,
            "nn_ssim_heldout": 0.125, "epsilon_total": 3.5, "accuracy_per_class/0": 0.9,
            "accuracy_per_class/3": 0.375, "participant_loss/victim0": 1.5,
            "participant_loss/adversary": 2.25}


def read_events(logdir):
    """{step: {tag: float value or ('image', (h, w, c))}} from every event file in ``logdir``."""
    import tensorflow as tf

    out = {}
    for path in sorted(logdir.glob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                step = out.setdefault(event.step, {})
                plugin = value.metadata.plugin_data.plugin_name
                array = tf.make_ndarray(value.tensor) if value.HasField("tensor") else None
                if plugin == "images" or value.HasField("image"):
                    if value.HasField("image"):
                        decoded = tf.io.decode_png(value.image.encoded_image_string)
                    else:  # v2 image summary: [width, height, png bytes...]
                        decoded = tf.io.decode_png(array[2])
                    step.setdefault(value.tag, ("image", tuple(decoded.shape)))
                else:
                    step[value.tag] = (float(array) if array is not None
                                       else value.simple_value)
    return out


def test_flatten_keeps_numeric_leaves_only():
    assert flatten(RECORD) == EXPECTED


def test_writer_logs_scalars_and_the_sample_grid(tmp_path):
    folder = RunFolder(tmp_path / "run").create()
    samples = np.random.default_rng(0).integers(0, 256, (70, 28, 28), dtype=np.uint8)
    log = TensorBoardLog(folder)
    log.write(RECORD, samples)
    log.close()
    events = read_events(tmp_path / "run" / LOG_DIR)
    assert set(events) == {4}
    logged = events[4]
    image = logged.pop("samples/grid")
    assert image[0] == "image" and image[1] == (8 * 30 + 2, 8 * 30 + 2, 1)  # 64 of 70, 8×8
    assert logged.keys() == EXPECTED.keys()
    for tag, value in EXPECTED.items():
        assert logged[tag] == pytest.approx(value, rel=1e-6), tag


def test_reopening_mirrors_metrics_jsonl(tmp_path):
    """A resumed run logs the kept records again (with their saved samples), and only those."""
    folder = RunFolder(tmp_path / "run").create()
    for round_no in (2, 4):
        folder.append_metrics({**RECORD, "round": round_no, "model_accuracy": round_no / 10})
        folder.write_samples(round_no, np.zeros((64, 28, 28, 1), np.float32), 3)
    stale = TensorBoardLog(folder)
    stale.write({**RECORD, "round": 6})  # evaluated, then the run died before a checkpoint
    stale.close()
    resumed = TensorBoardLog(folder)
    resumed.write({**RECORD, "round": 6, "model_accuracy": 0.6})
    resumed.close()
    events = read_events(tmp_path / "run" / LOG_DIR)
    assert sorted(events) == [2, 4, 6]
    assert [events[s]["model_accuracy"] for s in (2, 4, 6)] == pytest.approx([0.2, 0.4, 0.6])
    assert "samples/grid" in events[2] and "samples/grid" in events[4]
    assert "samples/grid" not in events[6]  # no samples/round_0006.npz


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GANLEAK_DATA_DIR"), reason="needs GANLEAK_DATA_DIR")
def test_simulate_with_tensorboard_writes_event_files(tmp_path_factory):
    out, done = run_cli(tmp_path_factory, "tb", "--tensorboard", "--rounds", "2",
                        "--eval-every", "1", "--records-per-class", "50", "--local-steps", "2",
                        "--gen-steps", "2", "--fakes-per-turn", "32", "--eval-samples", "64")
    assert json.loads((out / "config.json").read_text())["tensorboard"] is True
    assert list((out / LOG_DIR).glob("events.out.tfevents.*"))
    events = read_events(out / LOG_DIR)
    assert sorted(events) == [1, 2]
    for step in (1, 2):
        assert {"model_accuracy", "victim_class_accuracy", "oracle_target_rate",
                "nn_ssim_heldout", "participant_loss/victim0", "samples/grid"} <= set(events[step])


@pytest.mark.parametrize("flag", [True, False])
def test_resume_may_switch_tensorboard_on(tmp_path, monkeypatch, flag):
    """``--resume RUN_DIR --tensorboard`` logs the rest of a run (and replays what it has)."""
    from click.testing import CliRunner

    from ganleak_cli import cli
    from ganleak_cli.cli.commands import simulate as simulate_cli
    from ganleak_cli.simulation.config import SimConfig

    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps(SimConfig.from_options(out=str(run)).to_dict()))
    seen = {}

    def fake_run(cfg, resume, quiet=False):
        seen.update(cfg=cfg, resume=resume)
        return {"wall_seconds": 0.0}

    monkeypatch.setattr(simulate_cli, "run_checked", fake_run)
    args = ["simulate", "--resume", str(run)] + (["--tensorboard"] if flag else [])
    result = CliRunner().invoke(cli.main, args, env={"GANLEAK_TENSORBOARD": None})
    assert result.exit_code == 0, result.output
    assert seen["resume"] and seen["cfg"].run.tensorboard is flag
