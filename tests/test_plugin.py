"""An out-of-tree plugin (tests/plugins/ganleak_toy, installed by pip into a folder of its own)
adds a defence and a metric family through ganleak's entry points alone: the defence's option
appears in --help, a real MNIST run uses it, and its metric reaches metrics.jsonl and
``ganleak report``. Without the package neither exists."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PLUGIN = Path(__file__).parent / "plugins" / "ganleak_toy"


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory, mnist):
    """An environment whose PYTHONPATH holds the plugin as pip installed it."""
    target = tmp_path_factory.mktemp("plugin") / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(target), str(PLUGIN)], check=True, timeout=600)
    assert (target / "ganleak_toy-0.1.0.dist-info" / "entry_points.txt").is_file()
    return {**os.environ, "PYTHONPATH": str(target)}


def ganleak(*args, env=None, check=True):
    """``ganleak ARGS`` as a subprocess."""
    done = subprocess.run([sys.executable, "-m", "ganleak_cli.cli", *args], capture_output=True,
                          text=True, timeout=1200, env=env)
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_without_the_plugin_its_option_and_defence_are_absent():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    shown = ganleak("simulate", "--help", env=env).stdout
    assert "--toy-sigma" not in shown and "toy_reverse" not in shown
    refused = ganleak("simulate", "--defense", "toy", env=env, check=False)
    assert refused.returncode == 2
    assert "'toy' is not one of" in refused.stderr


def test_the_plugin_adds_its_option_and_defence(plugin_env):
    shown = " ".join(ganleak("simulate", "--help", env=plugin_env).stdout.split())  # unwrapped
    assert "--toy-sigma" in shown and "toy: a plugin's noisy uploads" in shown
    assert "--toy-say" in shown and "toy_reverse: a plugin's DSSGD turns" in shown
    refused = ganleak("simulate", "--defense", "toy", "--toy-sigma", "-1", env=plugin_env,
                      check=False)
    assert refused.returncode == 2 and "--toy-sigma" in refused.stderr


def test_the_plugin_s_settings_are_config_file_keys_and_reach_ganleak_privacy(plugin_env,
                                                                            tmp_path):
    config = tmp_path / "toy.toml"
    config.write_text('defense = "toy"\ntoy-sigma = 0.002\n')
    shown = ganleak("privacy", "--config", str(config), env=plugin_env).stdout
    assert "defense: toy" in shown and "spends no ε that ganleak accounts" in shown
    config.write_text('defense = "toy"\ntoy-sigma = -1\n')
    refused = ganleak("privacy", "--config", str(config), env=plugin_env, check=False)
    assert refused.returncode == 2 and "toy-sigma" in refused.stderr


@pytest.fixture(scope="module")
def toy_run(plugin_env, tmp_path_factory):
    """A real MNIST run under the plugin's defence: (run folder, report folder)."""
    root = tmp_path_factory.mktemp("toyrun")
    out = root / "run"
    done = ganleak("simulate", "--defense", "toy", "--toy-sigma", "0.0005", "--protocol",
                   "toy_reverse", "--toy-say", "reversed", "--rounds", "2", "--eval-every", "2",
                   "--records-per-class", "30", "--seed", "3", "--out", str(out), env=plugin_env)
    ganleak("report", str(out), "--out", str(root / "report"), env=plugin_env)
    return out, root / "report", done.stderr


def test_the_plugin_protocol_plays_the_rounds(toy_run):
    """The plugin's protocol is chosen by name, gets its own setting and plays every round."""
    out, _, stderr = toy_run
    config = json.loads((out / "config.json").read_text())
    assert config["protocol"] == "toy_reverse" and config["toy_say"] == "reversed"
    assert stderr.count("reversed: 2 turns") == 2     # one victim and the insider, 2 rounds


def test_a_setting_of_a_protocol_not_chosen_is_refused(plugin_env):
    refused = ganleak("simulate", "--toy-say", "x", env=plugin_env, check=False)
    assert refused.returncode == 2
    assert ("Invalid value for '--toy-say': a toy_reverse setting; it needs --protocol "
            "toy_reverse") in refused.stderr


def test_the_plugin_defence_runs_and_its_metric_is_recorded(toy_run):
    out, _, _ = toy_run
    config = json.loads((out / "config.json").read_text())
    assert config["defense"] == "toy" and config["toy_sigma"] == 0.0005
    record = json.loads((out / "metrics.jsonl").read_text().splitlines()[-1])
    samples = np.load(out / "samples" / "round_0002.npz")
    saved = samples["images"].astype(np.float64) / 127.5 - 1.0
    assert abs(record["toy_brightness"] - saved.mean()) < 0.01   # uint8 rounding only
    assert "epsilon_total" not in record     # the toy defence spends no accounted ε


def test_the_plugin_metric_is_in_the_report(toy_run):
    _, report, _ = toy_run
    page = (report / "report.md").read_text()
    assert "toy_brightness" in page
    assert (report / "curve_toy_brightness.png").is_file()


def test_a_broken_plugin_is_named_in_one_line(tmp_path):
    """A plugin whose entry point cannot be imported: the command says which, no traceback."""
    info = tmp_path / "ganleak_broken-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ganleak-broken\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ganleak.defences]\nbroken = no_such_module:Nope\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = ganleak("simulate", "--help", env=env, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "entry point 'broken' (no_such_module:Nope) cannot be loaded" in done.stderr
