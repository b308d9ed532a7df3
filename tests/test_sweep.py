"""``ganleak sweep`` and the shell contract it builds on: expansion, names, strict validation,
dry runs, results.csv, the executors (local and Ray), skip/resume after a kill, a failing run."""

import contextlib
import csv
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ganleak_cli.cli.main import main
from ganleak_cli.cli.sweep import executors
from ganleak_cli.cli.sweep.plan import command_args, plan_runs
from ganleak_cli.cli.sweep.results import columns, result_row, write_results
from ganleak_cli.cli.sweep.spec import build_spec, expand
from ganleak_cli.runfolder.names import format_name, named_out
from ganleak_cli.simulation.config import SimConfig

TINY = """\
[base]
rounds = 4
eval-every = 2
records-per-class = 100
local-steps = 3
gen-steps = 3
fakes-per-turn = 64
eval-samples = 64
"""
AXES = """
[axes]
seed = [1, 2]
theta-u = [1, 0.5]
"""
BROKEN = """
[[runs]]
name = "broken"
data-dir = "/nonexistent/ganleak-data"
"""
FOLDERS = ["seed=1,theta_u=1.0", "seed=1,theta_u=0.5", "seed=2,theta_u=1.0",
           "seed=2,theta_u=0.5"]


@pytest.fixture(autouse=True)
def _no_option_variables(monkeypatch):
    """Option variables of the caller's shell would change what the tests expect."""
    for name in list(os.environ):
        if name.startswith("GANLEAK_") and name not in ("GANLEAK_CACHE_DIR", "GANLEAK_DATA_DIR"):
            monkeypatch.delenv(name)


def write(tmp_path, text, name="sweep.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def invoke(args, env=None):
    return CliRunner().invoke(main, args, env=env)


def usage_error(args, *named):
    """Exit 2, every string of ``named`` in the output, no traceback, nothing written."""
    result = invoke(args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for text in named:
        assert text in result.output
    return result.output


# --- expansion and names ---------------------------------------------------------------

def test_product_of_axes_then_explicit_runs(tmp_path):
    configs = expand(build_spec(write(tmp_path, TINY + AXES + BROKEN)))
    assert len(configs) == 5
    axes = [(c.values["seed"], c.values["theta_u"]) for c in configs[:4]]
    assert axes == [(1, 1.0), (1, 0.5), (2, 1.0), (2, 0.5)]
    assert all(c.values["rounds"] == 4 and c.varying == ("seed", "theta_u") for c in configs[:4])
    assert configs[4].values["data_dir"] == "/nonexistent/ganleak-data"
    assert configs[4].values["name"] == "broken" and configs[4].varying == ("data_dir",)


def test_set_and_grid_join_or_override_the_file(tmp_path):
    spec = build_spec(write(tmp_path, TINY + AXES), grids=["seed=3,4,5"], sets=["theta_u=0.1"])
    assert spec.axes == {"seed": [3, 4, 5]} and spec.base["theta_u"] == 0.1
    assert len(expand(spec)) == 3
    only_cli = expand(build_spec(None, grids=["lr=0.1,0.2"], sets=["rounds=2"]))
    assert [c.values for c in only_cli] == [{"rounds": 2, "lr": 0.1}, {"rounds": 2, "lr": 0.2}]
    assert len(expand(build_spec(None, sets=["rounds=2"]))) == 1


def test_grid_class_lists_use_semicolons_and_flags_take_words():
    spec = build_spec(None, grids=["victim-classes=0-4;0,1,2,3"],
                      sets=["deterministic=false", "dp-adversary=true"])
    assert spec.axes["victim_classes"] == [(0, 1, 2, 3, 4), (0, 1, 2, 3)]
    runs = plan_runs(expand(spec), "sw", None)
    assert runs[1].name == "victim_classes=0+1+2+3"
    assert "--no-deterministic" in runs[0].args and "--dp-adversary" in runs[0].args
    assert runs[1].args[-2:] == ["--victim-classes", "0,1,2,3"]


def test_default_names_template_names_and_folders(tmp_path):
    configs = expand(build_spec(write(tmp_path, TINY + AXES + BROKEN)))
    runs = plan_runs(configs, str(tmp_path / "sw"), None)
    assert [r.name for r in runs] == FOLDERS + ["broken"]
    assert runs[0].folder == tmp_path / "sw" / FOLDERS[0]
    assert runs[0].config.run.out == str(runs[0].folder) and runs[0].config.run.seed == 1
    named = plan_runs(configs[:4], "sw", "tu{theta_u}_s{seed}_r{rounds}")
    assert [r.name for r in named] == ["tu1.0_s1_r4", "tu0.5_s1_r4", "tu1.0_s2_r4",
                                       "tu0.5_s2_r4"]
    assert plan_runs(expand(build_spec(None, sets=["rounds=2"])), "sw", None)[0].name == "run"


def test_format_name_fields_and_safety():
    fields = {"seed": 2, "theta_u": 0.1, "dp_eps_per_param": None, "victim_classes": (0, 1)}
    assert format_name("eps{dp_eps_per_param}_tu{theta_u}_s{seed}", fields) == \
        "epsNone_tu0.1_s2"
    assert format_name("v{victim_classes}_{theta_u:g}", fields) == "v0+1_0.1"
    options = SimConfig.from_options(out="runs/x", seed=2, theta_u=0.5).to_dict()
    assert named_out("runs/x", options, "tu{theta_u}_s{seed}") == str(Path("runs/x/tu0.5_s2"))
    assert named_out("runs/x", options, None) == "runs/x"
    for bad, said in [("{sed}", "did you mean {seed}"), ("{}", "not an option name"),
                      ("a/{seed}", "'/'"), ("..", "not a folder name"), ("a b", "' '"),
                      ("{seed:q}", "cannot format")]:
        with pytest.raises(ValueError) as info:
            format_name(bad, fields)
        assert said in str(info.value)


# --- validation: exit 2, naming the key ---------------------------------------------------

@pytest.mark.parametrize("text,named", [
    (TINY + "[axes]\nthetau = [1, 0.5]\n", ["[axes]", "'thetau'", "did you mean 'theta-u'"]),
    (TINY.replace("rounds = 4", "rounds = \"4\""), ["[base]", "'rounds'", "integer"]),
    (TINY + "[axes]\ntheta-u = [1, 1.5]\n", ["'theta-u'", "1.5"]),
    (TINY + "[axes]\nseed = 3\n", ["'seed'", "non-empty array"]),
    (TINY + "[axes]\nseed = []\n", ["'seed'", "non-empty array"]),
    (TINY + "[axis]\nseed = [1]\n", ["unknown table 'axis'"]),
    (TINY + "out = \"x\"\n", ["'out'", "--out and --name"]),
    (TINY + "[axes]\nrounds = [1, 2]\n", ["'rounds'", "[base] and [axes]"]),
    (TINY + "[[runs]]\nsed = 1\n", ["[[runs]] #1", "'sed'", "did you mean 'seed'"]),
    (TINY + "[axes]\ntarget-class = [3, 7]\n", ["#2 (target_class=7)", "--target-class"]),
    ("rounds = [", ["invalid TOML"]),
])
def test_bad_sweep_file_is_a_usage_error(tmp_path, text, named):
    usage_error(["sweep", write(tmp_path, text), "--out", str(tmp_path / "sw")], *named)
    assert not (tmp_path / "sw").exists()


@pytest.mark.parametrize("args,named", [
    (["--grid", "thetau=1,2"], ["--grid", "'thetau'", "did you mean 'theta-u'"]),
    (["--grid", "seed=1,x"], ["--grid", "'seed'", "'x'"]),
    (["--grid", "seed=1,,2"], ["--grid", "empty value"]),
    (["--grid", "seed=1", "--grid", "seed=2"], ["--grid", "already an axis"]),
    (["--set", "theta-u=2"], ["--set", "'theta-u'"]),
    (["--set", "rounds"], ["--set", "KEY=VALUE"]),
    (["--set", "resume=x"], ["--set", "resumes unfinished runs"]),
    (["--grid", "seed=1,2", "--name", "s{sed}"], ["--name", "{sed}", "did you mean {seed}"]),
    (["--grid", "seed=1,2", "--name", "same"], ["#1 and #2", "--name"]),
    (["--grid", "seed=1,2", "--name", "a/{seed}"], ["--name", "'/'"]),
    (["--set", "rounds=2", "--executor", "ray", "--jobs", "2"], ["--jobs"]),
    (["--set", "rounds=2", "--executor", "ray", "--threads-per-job", "2"], ["--threads-per-job"]),
    (["--set", "rounds=2", "--threads-per-job", "0"], ["--threads-per-job"]),
    ([], ["sweep file, --grid or --set"]),
])
def test_bad_command_line_is_a_usage_error(tmp_path, args, named):
    usage_error(["sweep", *args, "--out", str(tmp_path / "sw")], *named)
    assert not (tmp_path / "sw").exists()


# --- dry run and folder states -------------------------------------------------------------

def fake_run(folder: Path, config: dict, finished: bool) -> None:
    """A run folder as simulate leaves it: config.json, and summary.json once finished."""
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({**config, "versions": {}}))
    if finished:
        (folder / "summary.json").write_text(json.dumps({"model_accuracy": 0.5}))


def test_dry_run_lists_states_and_runs_nothing(tmp_path):
    sweep = write(tmp_path, TINY + AXES)
    out = tmp_path / "sw"
    runs = plan_runs(expand(build_spec(sweep)), str(out), None)
    fake_run(runs[0].folder, runs[0].config.to_dict(), finished=True)
    fake_run(runs[1].folder, runs[1].config.to_dict(), finished=False)
    result = invoke(["sweep", sweep, "--out", str(out), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["finished", "resume", "new", "new"]
    assert f"--resume {out / FOLDERS[1]}" in lines[1]
    assert "--seed 2 --theta-u 1.0 --out" in lines[2]
    assert "4 configurations: 1 finished, 1 to resume, 2 new" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(FOLDERS[:2])


def test_folder_with_other_options_is_a_conflict(tmp_path):
    sweep = write(tmp_path, TINY + AXES)
    out = tmp_path / "sw"
    run = plan_runs(expand(build_spec(sweep)), str(out), None)[0]
    fake_run(run.folder, {**run.config.to_dict(), "rounds": 9}, finished=True)
    result = invoke(["sweep", sweep, "--out", str(out), "--dry-run"])
    assert result.exit_code == 2 and "rounds 9 there, 4 here" in result.stdout
    usage_error(["sweep", sweep, "--out", str(out)], "holds a run with other options")


def test_command_args_resume_and_aborted_start(tmp_path):
    configs = expand(build_spec(write(tmp_path, TINY + AXES + BROKEN)))
    runs = plan_runs(configs, str(tmp_path / "sw"), None)
    assert command_args(runs[0])[-2:] == ["--out", str(runs[0].folder)]
    runs[0].folder.mkdir(parents=True)
    (runs[0].folder / "INCOMPLETE").write_text("")  # killed before config.json
    assert command_args(runs[0])[-1] == "--overwrite"
    runs[4].folder.mkdir(parents=True)
    (runs[4].folder / "config.json").write_text("{}")   # begun: resumed, as the folder is now
    assert command_args(runs[4]) == ["--resume", str(runs[4].folder),
                                     "--data-dir", "/nonexistent/ganleak-data"]


# --- results.csv --------------------------------------------------------------------------

def test_results_csv_columns_and_rows(tmp_path):
    configs = expand(build_spec(write(tmp_path, TINY + AXES)))[:2]
    runs = plan_runs(configs, str(tmp_path / "sw"), None)
    fake_run(runs[0].folder, runs[0].config.to_dict(), finished=False)
    (runs[0].folder / "summary.json").write_text(json.dumps(
        {"rounds": 4, "attack": "active", "model_accuracy": 0.75, "wall_seconds": 3.5,
         "accuracy_per_class": {"3": 0.25}, "dp_adversary": False}))
    rows = [result_row(runs[0], {"exit_code": 0, "error": "", "seconds": 1.0}),
            result_row(runs[1], {"exit_code": 1, "error": "Error: boom", "seconds": 1.0})]
    path = write_results(tmp_path / "sw" / "results.csv", rows)
    table = list(csv.DictReader(path.open()))
    header = columns(rows)
    assert header[:7] == ["name", "status", "action", "exit_code", "error", "folder", "node"]
    assert {"seed", "theta_u", "victim_classes", "model_accuracy",
            "accuracy_per_class/3", "wall_seconds"} <= set(header)
    assert "attack" in header and header.count("rounds") == 1
    assert table[0]["status"] == "finished" and table[0]["model_accuracy"] == "0.75"
    assert table[0]["victim_classes"] == "0,1,2,3,4" and table[0]["gamma"] == ""
    assert table[1]["status"] == "failed" and table[1]["exit_code"] == "1"
    assert table[1]["error"] == "Error: boom" and table[1]["model_accuracy"] == ""


# --- executors ----------------------------------------------------------------------------

def test_local_executor_divides_threads(monkeypatch):
    seen = []
    monkeypatch.setattr(executors, "cpu_count", lambda: 8)
    monkeypatch.setattr(executors, "run_job", lambda job: seen.append(job["env"]) or
                        {"name": job["name"], "exit_code": 0, "error": "", "seconds": 0.0})
    done = []
    executors.run_local([{"name": str(i), "env": {"GANLEAK_X": "1"}} for i in range(3)], 3,
                        done.append)
    assert len(done) == 3
    assert all(env["TF_NUM_INTRAOP_THREADS"] == env["TF_NUM_INTEROP_THREADS"] == "2"
               and env["OMP_NUM_THREADS"] == "2" and env["GANLEAK_X"] == "1" for env in seen)
    assert executors.thread_env(0)["OMP_NUM_THREADS"] == "1"
    seen.clear()
    executors.run_local([{"name": "a", "env": {}}], 3, done.append, threads=5)
    assert seen[0]["TF_NUM_INTRAOP_THREADS"] == seen[0]["OMP_NUM_THREADS"] == "5"


def test_job_env_keeps_settings_but_not_what_the_sweep_sets():
    env = executors.job_env({"GANLEAK_DATA_DIR": "d", "GANLEAK_NAME": "n", "GANLEAK_OUT": "o",
                             "GANLEAK_RESUME": "r", "GANLEAK_ROUNDS": "3", "HOME": "/h"})
    assert env == {"GANLEAK_DATA_DIR": "d", "GANLEAK_ROUNDS": "3", "TF_CPP_MIN_LOG_LEVEL": "3"}


def test_run_job_records_exit_code_and_error_line(tmp_path, monkeypatch):
    job = {"name": "bad", "fresh": ["--rounds", "0"], "folder": str(tmp_path / "r"),
           "log": str(tmp_path / "logs" / "bad.log"), "env": {}}
    outcome = executors.run_job(job)
    assert outcome["exit_code"] == 2 and outcome["error"].startswith("Error:")
    assert "--rounds" in outcome["error"]


class FakeRay(types.ModuleType):
    """Just enough of Ray's API: tasks run at ``.remote`` time, in this process."""

    def __init__(self):
        super().__init__("ray")
        self.calls = {}

    def init(self, **kwargs):
        self.calls["init"] = kwargs

    def remote(self, **resources):
        self.calls["resources"] = resources
        return lambda func: types.SimpleNamespace(remote=lambda job: self.put(func(job)))

    def put(self, outcome):
        """An object reference (a number) to ``outcome``."""
        self.store = getattr(self, "store", {})
        self.store[len(self.store)] = outcome
        return len(self.store) - 1

    def wait(self, pending, num_returns):
        return pending[:num_returns], pending[num_returns:]

    def get(self, ref):
        return self.store[ref]

    def shutdown(self):
        self.calls["shutdown"] = True

    def get_runtime_context(self):
        return types.SimpleNamespace(get_node_id=lambda: "node-1")

    def nodes(self):
        return [{"Alive": True}]


def test_ray_executor_joins_address_and_reserves_resources(monkeypatch):
    fake = FakeRay()
    monkeypatch.setitem(sys.modules, "ray", fake)
    monkeypatch.setattr(executors, "run_job", lambda job: {"name": job["name"], "env": job["env"],
                                                           "die": job["die_with_parent"]})
    done = []
    executors.run_ray([{"name": "a", "env": {}}], "ray://head:10001", 2.0, 0.5, done.append)
    assert fake.calls["init"]["address"] == "ray://head:10001"
    assert fake.calls["resources"] == {"num_cpus": 2.0, "num_gpus": 0.5,
                                       "max_retries": executors.RAY_RETRIES}
    assert done[0]["env"]["TF_NUM_INTRAOP_THREADS"] == "2" and fake.calls["shutdown"]
    assert done[0]["node"] == "node-1" and done[0]["die"]   # the run dies with its worker
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.1:6379")
    assert executors.ray_init_kwargs(None) == {}
    monkeypatch.delenv("RAY_ADDRESS")
    assert "address" not in executors.ray_init_kwargs(None)


def test_missing_ray_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray → ImportError
    result = invoke(["sweep", "--set", "rounds=1", "--out", str(tmp_path / "sw"),
                     "--executor", "ray"])
    assert result.exit_code == 1
    assert "pip install -e .[ray]" in result.output and "Traceback" not in result.output


# --- the shell contract of simulate -------------------------------------------------------

def test_every_simulate_option_has_a_variable():
    for param in main.commands["simulate"].params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.envvar == "GANLEAK_" + param.name.upper().replace("AS_JSON", "JSON"), \
                param.name


@pytest.mark.parametrize("template,named", [("x{sed}", "did you mean {seed}"),
                                            ("a/{seed}", "'/'"), ("..", "not a folder name")])
def test_simulate_bad_name_is_a_usage_error(tmp_path, template, named):
    usage_error(["simulate", "--out", str(tmp_path / "runs"), "--name", template], "--name",
                named)
    assert not (tmp_path / "runs").exists()


def test_stdout_to_stderr_catches_file_descriptor_writes():
    code = ("import os, sys\nfrom ganleak_cli.core.stdio import stdout_to_stderr\n"
            "with stdout_to_stderr():\n    os.write(1, b'c-level\\n')\n    print('python')\n"
            "print('{}')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout == "{}\n"
    assert "c-level" in done.stderr and "python" in done.stderr


# --- real sweeps on MNIST -----------------------------------------------------------------

def needs_data():
    if not os.environ.get("GANLEAK_DATA_DIR"):
        pytest.skip("GANLEAK_DATA_DIR is not set")


# Ray on the loopback address only (tests/ray_cluster.py), for the cluster and the sweep alike
RAY_ENV = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


def sweep_command(sweep_file, out, *args):
    return [sys.executable, "-m", "ganleak_cli.cli", "sweep", sweep_file, "--out", str(out),
            *args]


def two_cpus():
    """Pin the local sweep to (at most) two cores: with --jobs 2 each run then has one
    TensorFlow thread, as each Ray task with --ray-cpus-per-task 1 has, and the numbers of
    a seed depend on the thread count."""
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:2])


def wait_for_a_summary(proc, out: Path) -> None:
    """Until the first run of the sweep has finished (or the sweep ended)."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        if any((out / name / "summary.json").is_file() for name in FOLDERS):
            return
        time.sleep(0.2)
    pytest.fail("the sweep ended or stalled before a run finished")


def read_results(out: Path) -> dict:
    with (out / "results.csv").open() as handle:
        return {row["name"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def killed_then_rerun(tmp_path_factory):
    """A local 2-worker sweep, SIGKILLed (with its runs) once a run has finished, then rerun:
    (its folder, the summary.json mtimes at the kill, the rerun's process)."""
    needs_data()
    root = tmp_path_factory.mktemp("sweep")
    sweep = write(root, TINY + AXES + BROKEN)
    out = root / "local"
    proc = subprocess.Popen(sweep_command(sweep, out, "--jobs", "2"), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=two_cpus)
    wait_for_a_summary(proc, out)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    stamps = {name: (out / name / "summary.json").stat().st_mtime_ns for name in FOLDERS
              if (out / name / "summary.json").is_file()}
    rerun = subprocess.run(sweep_command(sweep, out, "--jobs", "2"), capture_output=True,
                           text=True, timeout=900, preexec_fn=two_cpus)
    return out, stamps, rerun


@pytest.mark.slow
def test_killed_sweep_reruns_only_the_missing_runs(killed_then_rerun):
    out, stamps, rerun = killed_then_rerun
    assert 1 <= len(stamps) < 4
    assert rerun.returncode == 1, rerun.stderr[-3000:]  # the broken run fails again
    assert rerun.stdout.strip() == str(out / "results.csv")
    rows = read_results(out)
    assert all(rows[name]["status"] == "finished" for name in FOLDERS)
    for name, stamp in stamps.items():
        assert (out / name / "summary.json").stat().st_mtime_ns == stamp
        assert rows[name]["action"] == "skipped"
    assert {rows[name]["action"] for name in FOLDERS if name not in stamps} <= {"ran", "resumed"}


@pytest.mark.slow
def test_failing_configuration_is_recorded_and_the_rest_finish(killed_then_rerun):
    out, _, rerun = killed_then_rerun
    broken = read_results(out)["broken"]
    assert broken["status"] == "failed" and broken["exit_code"] == "2"   # a usage error
    assert "--data-dir" in broken["error"] and "/nonexistent/ganleak-data" in broken["error"]
    assert "broken: FAILED (exit 2)" in rerun.stderr and "4 finished, 1 failed" in rerun.stderr


@contextlib.contextmanager
def ray_cluster(head_cpus: int, workers: int):
    """A Ray cluster on 127.0.0.1 (tests/ray_cluster.py, in its own process): yields
    (its address, the helper process, to which ``remove-worker`` may be written)."""
    if importlib.util.find_spec("ray") is None:
        pytest.skip("ray is not installed (pip install -e .[ray])")
    helper = subprocess.Popen([sys.executable, str(Path(__file__).with_name("ray_cluster.py")),
                               str(head_cpus), str(workers)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=RAY_ENV)
    try:
        line = helper.stdout.readline()
        assert line, "the Ray cluster did not start"
        yield json.loads(line)["address"], helper
    finally:
        with contextlib.suppress(OSError, ValueError):
            helper.stdin.write("shutdown\n")
            helper.stdin.close()
        try:
            helper.wait(timeout=120)
        except subprocess.TimeoutExpired:
            helper.kill()


def command(helper, line: str) -> str:
    helper.stdin.write(line + "\n")
    helper.stdin.flush()
    return helper.stdout.readline().strip()


@pytest.mark.slow
def test_ray_sweep_on_two_nodes_gives_the_local_sweeps_numbers(killed_then_rerun):
    """A head and a worker node (one CPU each) on 127.0.0.1, joined with --ray-address: the
    runs are spread over both nodes and results.csv holds the local executor's numbers."""
    local, _, _ = killed_then_rerun
    out = local.parent / "ray"
    with ray_cluster(head_cpus=1, workers=1) as (address, _):
        done = subprocess.run(sweep_command(str(local.parent / "sweep.toml"), out,
                                            "--executor", "ray", "--ray-address", address,
                                            "--ray-cpus-per-task", "1"),
                              capture_output=True, text=True, timeout=900, env=RAY_ENV)
    assert done.returncode == 1, done.stderr[-3000:]
    assert done.stdout.strip() == str(out / "results.csv")  # Ray's messages stay on stderr
    first, second = read_results(local), read_results(out)
    assert second["broken"]["status"] == "failed"
    assert len({second[name]["node"] for name in FOLDERS}) == 2      # both nodes ran runs
    assert {first[name]["node"] for name in FOLDERS} <= {"local", ""}
    differ = {"action", "exit_code", "folder", "out", "wall_seconds", "node"}  # where, how long
    for name in FOLDERS:
        assert second[name]["status"] == "finished" and second[name]["action"] == "ran"
        assert sum("/" in key for key in first[name]) > 10  # e.g. accuracy_per_class/3
        same = [key for key in first[name] if key not in differ]
        assert {k: first[name][k] for k in same} == {k: second[name][k] for k in same}


def wait_for_runs_started(out: Path, count: int) -> None:
    """Until ``count`` runs have written their config.json."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if sum((out / name / "config.json").is_file() for name in FOLDERS) >= count:
            return
        time.sleep(0.2)
    pytest.fail("the runs did not start")


def start_ray_sweep(sweep, out: Path, address: str) -> subprocess.Popen:
    """``ganleak sweep SWEEP --executor ray --ray-address ADDRESS`` in the background."""
    return subprocess.Popen(sweep_command(sweep, out, "--executor", "ray", "--ray-address",
                                          address, "--ray-cpus-per-task", "1"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=RAY_ENV)


@pytest.mark.slow
def test_a_lost_worker_node_costs_no_run(tmp_path):
    """Two worker nodes (the head runs nothing); one is removed while both run: Ray retries
    its task on the other node, which resumes the run folder, and the sweep completes with
    every run finished once (each round's record once in its metrics.jsonl)."""
    sweep = write(tmp_path, TINY + AXES)
    out = tmp_path / "out"
    with ray_cluster(head_cpus=0, workers=2) as (address, helper):
        proc = start_ray_sweep(sweep, out, address)
        wait_for_runs_started(out, 2)
        assert command(helper, "remove-worker") == "removed"
        stdout, stderr = proc.communicate(timeout=900)
    assert proc.returncode == 0, stderr[-3000:]
    rows = read_results(out)
    assert all(rows[name]["status"] == "finished" for name in FOLDERS)
    for name in FOLDERS:
        rounds = [json.loads(line)["round"]
                  for line in (out / name / "metrics.jsonl").read_text().splitlines()]
        assert rounds == [2, 4]


@pytest.mark.slow
def test_losing_the_whole_cluster_ends_the_sweep_with_a_clear_error(tmp_path):
    sweep = write(tmp_path, TINY + AXES)
    out = tmp_path / "out"
    with ray_cluster(head_cpus=1, workers=0) as (address, helper):
        proc = start_ray_sweep(sweep, out, address)
        wait_for_a_summary(proc, out)
        command(helper, "shutdown")
        stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 1, stderr[-3000:]
    assert "the Ray cluster was lost mid-sweep" in stderr and "Traceback" not in stderr
    rows = read_results(out)
    finished = [name for name in FOLDERS if rows[name]["status"] == "finished"]
    assert 1 <= len(finished) < len(FOLDERS)
    assert all((out / name / "summary.json").is_file() for name in finished)


def test_seeds_make_a_seed_axis_and_repeat_explicit_runs():
    from ganleak_cli.cli.sweep.spec import SweepSpec, with_seeds

    spec = with_seeds(SweepSpec(base={"seed": 5, "rounds": 2}, axes={"theta_u": [0.1, 1.0]}), 3)
    assert spec.axes["seed"] == [5, 6, 7] and "seed" not in spec.base
    runs = with_seeds(SweepSpec(runs=[{"name": "a", "rounds": 2}]), 2).runs
    assert runs == [{"name": "a--s0", "rounds": 2, "seed": 0},
                    {"name": "a--s1", "rounds": 2, "seed": 1}]
    with pytest.raises(click.BadParameter, match="already an axis"):
        with_seeds(SweepSpec(axes={"seed": [1, 2]}), 2)


def test_intervals_csv_gives_mean_and_95_percent_half_width_over_seeds(tmp_path):
    from ganleak_cli.cli.sweep.results import interval_rows, write_intervals

    rows = [{"status": "finished", "theta_u": tu, "seed": s, "nn_ssim_heldout": v}
            for tu, s, v in ((0.1, 0, "0.40"), (0.1, 1, "0.42"), (0.1, 2, "0.41"),
                             (1.0, 0, "0.58"), (1.0, 1, "0.60"))]
    rows.append({"status": "failed", "theta_u": 1.0, "seed": 2, "nn_ssim_heldout": ""})
    grouped = {row["theta_u"]: row for row in interval_rows(rows)}
    assert grouped[0.1]["seeds"] == 3 and float(grouped[0.1]["nn_ssim_heldout"]) == \
        pytest.approx(0.41)
    assert float(grouped[0.1]["nn_ssim_heldout_ci95"]) == pytest.approx(4.3027 * 0.01 / 3 ** 0.5)
    assert grouped[1.0]["seeds"] == 2  # the failed run is not averaged in
    text = write_intervals(tmp_path / "intervals.csv", rows).read_text()
    assert text.splitlines()[0].startswith("seeds,") and "nn_ssim_heldout_ci95" in text


def test_the_sweep_progress_line_counts_runs_and_gives_the_eta():
    from ganleak_cli.cli.commands.sweep import progress_line

    ok = {"name": "lr=0.1", "exit_code": 0, "seconds": 21.3}
    line = progress_line(ok, 2, 6, "out", elapsed=90.0)
    assert line == "[2/6] lr=0.1: finished in 21.3s  (elapsed 0:01:30, ETA 0:03:00)"
    failed = {"name": "lr=9", "exit_code": 1, "error": "boom", "seconds": 1.0}
    line = progress_line(failed, 6, 6, "out", elapsed=4000.0)
    assert line.startswith("[6/6] lr=9: FAILED (exit 1): boom") and "ETA 0:00:00" in line
    assert "elapsed 1:06:40" in line
