"""CLI contract: help without TensorFlow, options from the environment, usage errors exit 2."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from ganleak_cli.cli import main

# (option, bad value) for every numeric option of `simulate`.
BAD_NUMERIC = [
    ("--victims", "0"), ("--rounds", "0"), ("--seed", "-1"), ("--target-class", "-2"),
    ("--records-per-class", "0"), ("--theta-u", "0"), ("--theta-u", "1.5"),
    ("--theta-d", "0"), ("--theta-d", "2"), ("--tau", "-0.1"), ("--gamma", "0"),
    ("--lr", "0"), ("--lr", "abc"), ("--batch-size", "0"), ("--local-steps", "0"),
    ("--gen-steps", "0"), ("--gen-batch", "0"), ("--gen-lr", "-1"),
    ("--fakes-per-turn", "-5"), ("--eval-every", "0"), ("--eval-samples", "10"),
]


def invoke(args, env=None):
    return CliRunner().invoke(main, args, env=env)


def test_help_lists_simulate():
    result = invoke(["--help"])
    assert result.exit_code == 0
    assert "simulate" in result.output


def test_help_does_not_import_tensorflow():
    code = ("import sys\nfrom ganleak_cli.cli import main\n"
            "try:\n    main(['simulate', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "--theta-u" in done.stdout


@pytest.mark.parametrize("option,value", BAD_NUMERIC)
def test_bad_numeric_value_is_a_usage_error(option, value, tmp_path):
    result = invoke(["simulate", option, value, "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert option in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("args,named", [
    (["--target-class", "7"], "--target-class"),
    (["--adversary-classes", "3,5"], "--target-class"),
    (["--victim-classes", "0,1,2,3", "--adversary-classes", "2,5"], "--adversary-classes"),
    (["--victim-classes", "0,x"], "--victim-classes"),
    (["--victim-classes", "0,1,12", "--target-class", "1"], "--victim-classes"),
    (["--attack", "loud"], "--attack"),
    (["--selection", "best"], "--selection"),
    (["--order", "sometimes"], "--order"),
    (["--dataset", "cifar99"], "--dataset"),
])
def test_inconsistent_settings_name_the_option(args, named, tmp_path):
    result = invoke(["simulate", *args, "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert named in result.output
    assert "Traceback" not in result.output


def test_environment_variables_are_read(tmp_path):
    result = invoke(["simulate", "--out", str(tmp_path / "run")], env={"GANLEAK_ROUNDS": "0"})
    assert result.exit_code == 2
    assert "--rounds" in result.output


def test_non_empty_out_is_refused_without_overwrite(tmp_path):
    (tmp_path / "keep.txt").write_text("precious")
    result = invoke(["simulate", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--out" in result.output and "--overwrite" in result.output
    assert (tmp_path / "keep.txt").read_text() == "precious"


def test_missing_data_is_a_runtime_error_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("ganleak_cli.data.registry._download",
                        lambda *a, **k: (_ for _ in ()).throw(
                            __import__("ganleak_cli.errors").errors.DataError("no network")))
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke(["simulate", "--data-dir", str(empty), "--out", str(tmp_path / "run"),
                     "--rounds", "1"])
    assert result.exit_code == 1
    assert "no network" in result.output
    assert "Traceback" not in result.output
