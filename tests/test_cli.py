"""CLI contract: help without TensorFlow, options from the environment, usage errors exit 2."""

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runs import invoke

# (option, bad value) for every numeric option of `simulate`.
BAD_NUMERIC = [
    ("--victims", "0"), ("--rounds", "0"), ("--seed", "-1"), ("--target-class", "-2"),
    ("--records-per-class", "0"), ("--theta-u", "0"), ("--theta-u", "1.5"),
    ("--theta-d", "0"), ("--theta-d", "2"), ("--tau", "-0.1"), ("--gamma", "0"),
    ("--lr", "0"), ("--lr", "abc"), ("--batch-size", "0"), ("--local-steps", "0"),
    ("--gen-steps", "0"), ("--gen-batch", "0"), ("--gen-lr", "-1"),
    ("--fakes-per-turn", "-5"), ("--eval-every", "0"), ("--eval-samples", "10"),
]


def test_help_lists_simulate():
    result = invoke(["--help"])
    assert result.exit_code == 0
    assert "simulate" in result.output


def test_help_does_not_import_tensorflow():
    code = ("import sys\nfrom ganleak_cli.cli.main import main\n"
            "try:\n    main(['simulate', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "--theta-u" in done.stdout


def test_group_help_imports_no_command_module():
    code = ("import sys\nfrom ganleak_cli.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "loaded = [m for m in sys.modules if m.startswith('ganleak_cli.cli.commands')\n"
            "          or m in ('numpy', 'tensorflow')]\n"
            "assert not loaded, loaded\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "simulate" in done.stdout and "audit" in done.stdout


def test_each_listed_line_is_the_command_s_own_short_help():
    from click import Context

    from ganleak_cli.cli.main import COMMANDS, main

    for name, (_, line) in COMMANDS.items():
        command = main.get_command(Context(main), name)
        assert command.name == name
        assert command.get_short_help_str(limit=300) == line


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
                            __import__("ganleak_cli.core.errors").core.errors.DataError(
                                "no network")))
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke(["simulate", "--data-dir", str(empty), "--out", str(tmp_path / "run"),
                     "--rounds", "1"])
    assert result.exit_code == 1
    assert "no network" in result.output
    assert "Traceback" not in result.output


def test_without_out_each_run_gets_a_fresh_named_folder(tmp_path, monkeypatch):
    """The README's run command works twice: no --out → runs/<date>-<time>-<dataset>-<attack>,
    printed at the start; a second run gets its own folder; --name alone goes under runs/."""
    from ganleak_cli.cli.commands import simulate as simulate_cli

    seen = []

    def fake_run(cfg, resume, quiet=False):
        seen.append(cfg.run.out)
        Path(cfg.run.out).mkdir(parents=True)
        return {"wall_seconds": 0.0}

    monkeypatch.setattr(simulate_cli, "run_checked", fake_run)
    monkeypatch.chdir(tmp_path)
    env = {"GANLEAK_OUT": None}
    first = invoke(["simulate", "--attack", "passive"], env=env)
    second = invoke(["simulate", "--attack", "passive"], env=env)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert seen[0] != seen[1]
    for out, result in zip(seen, (first, second)):
        assert re.fullmatch(r"runs/\d{8}-\d{6}-mnist-passive(-\d+)?", out)
        assert f"run folder: {out}" in result.output.splitlines()[0]
    named = invoke(["simulate", "--name", "tu{theta_u}"], env=env)
    assert named.exit_code == 0 and seen[-1] == "runs/tu1.0"


def test_tensorflow_start_up_lines_stay_off_stderr():
    """`ganleak privacy` builds a Keras model; TensorFlow's native start-up lines (absl's
    pre-init warning, oneDNN's notice) are not shown, whatever TF_CPP_MIN_LOG_LEVEL says."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([sys.executable, "-m", "ganleak_cli.cli", "privacy", "--dp-eps", "1"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "ε per upload" in done.stdout
    for noise in ("absl", "oneDNN", "I0000", "E0000", "W0000"):
        assert noise not in done.stderr, done.stderr


def test_doctor_reports_versions_devices_and_folders(monkeypatch, tmp_path):
    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path / "cache"))
    result = invoke(["doctor", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["versions"]["tensorflow"] and report["versions"]["ganleak"]
    assert "CPU" in report["devices"] and report["run_device"] in report["devices"]
    assert report["cache_dir"] == str(tmp_path / "cache")
    assert report["threads"]["cpu_count"] >= 1


def test_a_bad_value_from_a_variable_names_the_variable():
    result = invoke(["privacy"], env={"GANLEAK_ROUNDS": "0"})
    assert result.exit_code == 2
    assert "GANLEAK_ROUNDS='0'" in result.output and "--rounds" in result.output
    assert "Traceback" not in result.output


def test_each_command_reads_its_own_variables():
    """simulate/privacy share GANLEAK_<OPTION>; other commands use GANLEAK_<COMMAND>_<OPTION>,
    so GANLEAK_JSON (simulate's --json) does not switch `datasets list` to JSON."""
    assert "GANLEAK_SWEEP_JOBS" in invoke(["sweep", "--help"]).output
    assert "GANLEAK_REPORT_OUT" in invoke(["report", "--help"]).output
    plain = invoke(["datasets", "list", "mnist"], env={"GANLEAK_JSON": "1"})
    assert plain.exit_code == 0 and not plain.stdout.lstrip().startswith("[")
    as_json = invoke(["datasets", "list", "mnist"], env={"GANLEAK_DATASETS_JSON": "1"})
    assert as_json.stdout.lstrip().startswith("[")
    assert "GANLEAK_CACHE_DIR" in invoke(["--help"]).output


@pytest.mark.parametrize("level, shown", [(None, logging.ERROR), ("2", logging.ERROR),
                                          ("1", logging.WARNING), ("0", logging.INFO)])
def test_tensorflows_python_logger_follows_tf_cpp_min_log_level(monkeypatch, level, shown):
    """TensorFlow's Python warnings (e.g. "triggered tf.function retracing" during an
    evaluation) are off by default too; a user who lowers TF_CPP_MIN_LOG_LEVEL sees them."""
    from ganleak_cli.core.stdio import import_tensorflow_quietly

    if level is None:
        monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    else:
        monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", level)
    monkeypatch.setattr(logging.getLogger("tensorflow"), "level", logging.NOTSET)
    import_tensorflow_quietly()
    assert logging.getLogger("tensorflow").level == shown
