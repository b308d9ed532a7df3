"""``--config FILE``: option values from TOML/JSON, precedence, strict errors, config.json
replay."""

import json
import os

import pytest
from cli_runs import invoke, plan

from ganleak_cli.cli.commands.simulate_options import build_config
from ganleak_cli.cli.main import main
from ganleak_cli.simulation.config import OPTION_FIELDS, SimConfig


@pytest.fixture(autouse=True)
def _no_option_variables(monkeypatch):
    """CI sets GANLEAK_DATA_DIR; option variables would override the files under test."""
    for name in list(os.environ):
        if name.startswith("GANLEAK_") and name != "GANLEAK_CACHE_DIR":
            monkeypatch.delenv(name)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def usage_error(args, *named, env=None):
    """Run, expect exit 2 with every string of ``named`` in the output and no traceback."""
    result = invoke(args, env=env)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for text in named:
        assert text in result.output
    return result.output


def simulate_params(*args) -> dict:
    """The parameters ``ganleak simulate`` would pass to build_config (nothing runs)."""
    with main.commands["simulate"].make_context("simulate", list(args)) as ctx:
        return dict(ctx.params)


SHOKRI_TOML = """\
# a Shokri budget, both key spellings
dp-eps-per-param = 100
theta_u = 0.1
rounds = 7
victim-classes = [0, 1, 2]
adversary-classes = "5-6"
target-class = 1
"""


def test_toml_values_are_used(tmp_path):
    out = plan("--config", write(tmp_path, "cfg.toml", SHOKRI_TOML))
    assert out["defense"] == "shokri"
    assert out["rounds"] == 7
    assert out["theta_u"] == pytest.approx(0.1)
    assert out["epsilon_per_param"] == pytest.approx(100)
    assert out["epsilon_total"] == pytest.approx(7 * out["epsilon_nominal"])


def test_toml_classes_and_types_reach_the_config(tmp_path):
    cfg = build_config(simulate_params("--config", write(tmp_path, "cfg.toml", SHOKRI_TOML)))
    assert cfg.data.victim_classes == (0, 1, 2) and cfg.data.adversary_classes == (5, 6)
    assert cfg.run.rounds == 7 and cfg.exchange.theta_u == pytest.approx(0.1)
    assert cfg.data.target_class == 1


def test_command_line_overrides_the_file(tmp_path):
    out = plan("--config", write(tmp_path, "cfg.toml", SHOKRI_TOML), "--rounds", "3")
    assert out["rounds"] == 3
    out = plan("--rounds", "3", "--config", write(tmp_path, "cfg.toml", SHOKRI_TOML))
    assert out["rounds"] == 3  # position on the command line does not matter


def test_environment_overrides_the_file_and_file_overrides_default(tmp_path):
    path = write(tmp_path, "cfg.toml", 'rounds = 7\nlr = 1\nout = "elsewhere"\n')
    assert simulate_params("--config", path)["rounds"] == 7
    env = {"GANLEAK_ROUNDS": "4"}
    assert plan("--config", path, env=env)["rounds"] == 4
    assert plan("--config", path, "--rounds", "2", env=env)["rounds"] == 2
    params = simulate_params("--config", path)
    assert params["lr"] == 1.0 and isinstance(params["lr"], float)
    assert params["out"] == "elsewhere" and params["seed"] == 0


def test_config_from_environment_variable(tmp_path):
    path = write(tmp_path, "cfg.toml", "rounds = 9\n")
    assert plan(env={"GANLEAK_CONFIG": path})["rounds"] == 9


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    path = write(tmp_path, "cfg.toml", "rounds = 3\ntheta_uu = 0.5\n")
    output = usage_error(["privacy", "--config", path], "--config", "cfg.toml",
                         "unknown key 'theta_uu'", "did you mean 'theta-u'?")
    assert len(output.strip().splitlines()) <= 4  # usage, hint, one error line


def test_the_config_key_itself_is_unknown(tmp_path):
    path = write(tmp_path, "cfg.toml", 'config = "other.toml"\n')
    usage_error(["privacy", "--config", path], "unknown key 'config'")


@pytest.mark.parametrize("line,key", [
    ("rounds = 5.0", "rounds"),             # int option: float
    ("rounds = true", "rounds"),            # int option: bool
    ('rounds = "5"', "rounds"),             # int option: string
    ('theta-u = "0.5"', "theta-u"),         # float option: string
    ("theta_u = true", "theta_u"),          # float option: bool
    ('dp-adversary = "yes"', "dp-adversary"),  # flag: string
    ("overwrite = 1", "overwrite"),         # flag: integer
    ("attack = 1", "attack"),               # choice: integer
    ("out = 3", "out"),                     # path: integer
    ("victim-classes = [0, 1.5]", "victim-classes"),  # class list: float element
    ("victim-classes = 4", "victim-classes"),         # class list: bare integer
    ("lr = [0.1]", "lr"),                   # scalar option: array
])
def test_wrong_types_name_the_key(tmp_path, line, key):
    path = write(tmp_path, "cfg.toml", line + "\n")
    usage_error(["privacy", "--config", path], "--config", f"key '{key}'", "expected")


@pytest.mark.parametrize("line,key", [
    ("theta-u = 1.5", "theta-u"), ("rounds = 0", "rounds"), ('attack = "loud"', "attack"),
    ('victim-classes = "0,x"', "victim-classes"), ("eval-samples = 10", "eval-samples"),
])
def test_out_of_range_values_name_the_key(tmp_path, line, key):
    path = write(tmp_path, "cfg.toml", line + "\n")
    usage_error(["privacy", "--config", path], "--config", f"key '{key}'")


def test_same_option_twice_is_an_error(tmp_path):
    path = write(tmp_path, "cfg.toml", "theta-u = 0.5\ntheta_u = 0.5\n")
    usage_error(["privacy", "--config", path], "'theta-u'", "'theta_u'")


def test_null_means_default_only_where_the_default_is_none(tmp_path):
    path = write(tmp_path, "cfg.json", '{"gamma": null, "records_per_class": null}')
    params = simulate_params("--config", path)
    assert params["gamma"] is None and params["records_per_class"] is None
    path = write(tmp_path, "dataset.json", '{"rounds": null}')   # the dataset's default
    assert simulate_params("--config", path)["rounds"] is None
    path = write(tmp_path, "bad.json", '{"lr": null}')
    usage_error(["privacy", "--config", path], "key 'lr'", "null")


def test_unparseable_toml_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "broken.toml", "rounds = 3\ntheta-u = = 1\n")
    usage_error(["privacy", "--config", path], "--config", "broken.toml", "invalid TOML",
                "line 2")


def test_unparseable_json_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "broken.json", '{\n  "rounds": 3,\n}\n')
    usage_error(["privacy", "--config", path], "broken.json", "invalid JSON", "line 3")


def test_json_top_level_must_be_an_object(tmp_path):
    path = write(tmp_path, "list.json", "[1, 2]")
    usage_error(["privacy", "--config", path], "list.json", "got array")


def test_missing_file_is_a_usage_error(tmp_path):
    usage_error(["privacy", "--config", str(tmp_path / "nope.toml")], "--config", "nope.toml")


def test_unsupported_extension_is_a_usage_error(tmp_path):
    path = write(tmp_path, "cfg.yaml", "rounds: 3\n")
    usage_error(["privacy", "--config", path], "--config", "cfg.yaml", "'.yaml'")


def test_simulate_rejects_a_bad_config_before_writing_anything(tmp_path):
    run = tmp_path / "run"
    path = write(tmp_path, "cfg.toml", f'out = "{run.as_posix()}"\nrounds = 1\nroundz = 2\n')
    usage_error(["simulate", "--config", path], "unknown key 'roundz'")
    usage_error(["simulate", "--config", path, "--out", str(run)], "unknown key 'roundz'")
    assert not run.exists()


REPLAY = SimConfig.from_options(
    out="runs/replayed", seed=5, victims=2, rounds=7, victim_classes=(0, 1, 2),
    adversary_classes=(5, 6), records_per_class=500, target_class=1, theta_u=0.1, theta_d=0.5,
    selection="random", tau=0.001, gamma=0.5, lr=0.01, dp_eps_per_param=100, defense="shokri",
    dp_adversary=True, eval_samples=64)
REPLAY_FLAGS = ["--out", "runs/replayed", "--seed", "5", "--victims", "2", "--rounds", "7",
                "--victim-classes", "0,1,2", "--adversary-classes", "5,6",
                "--records-per-class", "500", "--target-class", "1", "--theta-u", "0.1",
                "--theta-d", "0.5", "--selection", "random", "--tau", "0.001",
                "--gamma", "0.5", "--lr", "0.01", "--dp-eps-per-param", "100",
                "--defense", "shokri", "--dp-adversary", "--eval-samples", "64"]

PRIVACY_REPLAY_FLAGS = ["--victims", "2", "--rounds", "7", "--victim-classes", "0,1,2",
                        "--records-per-class", "500", "--theta-u", "0.1",
                        "--dp-eps-per-param", "100", "--defense", "shokri", "--dp-adversary"]


def write_run_config(tmp_path, cfg: SimConfig) -> str:
    """config.json exactly as run_config writes it (without running a simulation)."""
    versions = {"ganleak": "0.1.0", "tensorflow": "2.x", "keras": "3.x", "numpy": "2.x"}
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**cfg.to_dict(), "versions": versions, "oracle_seed": 1234}))
    return str(path)


def test_run_config_json_replays_the_same_configuration(tmp_path):
    path = write_run_config(tmp_path, REPLAY)
    assert build_config(simulate_params("--config", path)) == REPLAY
    assert build_config(simulate_params(*REPLAY_FLAGS)) == REPLAY
    # privacy takes the privacy options of the same configuration and ignores the rest
    assert plan("--config", path) == plan(*PRIVACY_REPLAY_FLAGS)


def test_run_config_json_of_defaults_replays(tmp_path):
    path = write_run_config(tmp_path, SimConfig.from_options())
    assert build_config(simulate_params("--config", path)) == SimConfig.from_options()


def test_replay_accepts_cli_only_keys_and_overrides(tmp_path):
    data = {**REPLAY.to_dict(), "versions": {}, "oracle_seed": 1234, "overwrite": True,
            "json": True}
    path = write(tmp_path, "config.json", json.dumps(data))
    params = simulate_params("--config", path, "--out", "runs/again")
    assert params["overwrite"] is True and params["as_json"] is True
    assert build_config(params).run.out == "runs/again"


def test_on_off_flag_is_set_by_its_primary_name(tmp_path):
    path = write(tmp_path, "cfg.toml", "deterministic = false\n")
    assert simulate_params("--config", path)["deterministic"] is False
    path = write(tmp_path, "neg.toml", "no-deterministic = true\n")
    usage_error(["privacy", "--config", path], "unknown key 'no-deterministic'")


def test_resume_cannot_come_from_a_file(tmp_path):
    path = write(tmp_path, "cfg.toml", 'resume = "runs/old"\n')
    usage_error(["simulate", "--config", path], "key 'resume'")


def test_a_simconfig_of_a_dataset_has_that_datasets_defaults():
    """Per-dataset defaults are resolved in the config, not the CLI:
    SimConfig.from_options(dataset="att") is what `ganleak simulate --dataset att` runs;
    explicit values win."""
    att = SimConfig.from_options(dataset="att")
    assert (att.data.victim_classes, att.data.adversary_classes) == \
        (tuple(range(20)), tuple(range(20, 40)))
    assert (att.data.target_class, att.run.rounds, att.exchange.local_steps,
            att.attack.gen_tv) == (7, 1000, 1, 4.0)
    assert (att.defence.dp_gamma, att.defence.dp_tau) == (0.002, 0.0005)
    from_cli = build_config(simulate_params("--dataset", "att"))
    assert {**from_cli.to_dict(), "data_dir": None} == att.to_dict()
    mnist = SimConfig.from_options()
    assert (mnist.data.target_class, mnist.run.rounds, mnist.exchange.local_steps,
            mnist.attack.fakes_per_turn) == (3, 100, 10, 640)
    assert (mnist.defence.dp_gamma, mnist.defence.dp_tau) == (0.01, 0.0001)
    assert SimConfig.from_options(dataset="att", rounds=5, target_class=2).run.rounds == 5
    assert SimConfig.from_options(dataset="att", dp_gamma=0.01).defence.dp_gamma == 0.01


def test_every_simconfig_field_is_a_simulate_option_with_the_fields_default():
    """Each option is declared once: simulate's click default is its settings field's default,
    and the command line with no flags builds exactly SimConfig.from_options()."""
    params = {p.name: p for p in main.commands["simulate"].params}
    for name, field in OPTION_FIELDS.items():
        assert name in params, f"option field {name} has no simulate option"
        assert params[name].default == field.default, name
    with_env_cleared = {k: v for k, v in os.environ.items() if not k.startswith("GANLEAK_")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "environ", with_env_cleared)
        assert build_config(simulate_params()) == SimConfig.from_options()
