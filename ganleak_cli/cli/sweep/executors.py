"""Run a sweep's jobs: each one ``python -m ganleak_cli.cli simulate ...`` in a subprocess.

``run_local`` keeps N of them going on this machine, dividing the cores between them;
``run_ray`` makes each one a Ray remote task that runs the same subprocess (Ray is an
optional extra, imported only here, only when asked for). A job is a plain dict so that Ray
can ship it; its outcome is a plain dict too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import click

from ganleak_cli.core.stdio import stdout_to_stderr
from ganleak_cli.runfolder.artifacts import CONFIG, RunFolder

THREAD_VARIABLES = ("TF_NUM_INTEROP_THREADS", "TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS")
# Variables of the sweep's own shell that must not reach a run: the sweep sets these itself.
NOT_PASSED = ("GANLEAK_NAME", "GANLEAK_RESUME", "GANLEAK_OVERWRITE", "GANLEAK_JSON",
              "GANLEAK_OUT", "GANLEAK_CONFIG")
RAY_MISSING = "--executor ray needs Ray, an optional extra: pip install -e .[ray]"
RAY_RETRIES = 3   # attempts after a lost worker or node, per run


def job_env(environ=None) -> dict:
    """What a run inherits from the sweep: its ``GANLEAK_*`` settings (data and cache
    folders, option values) and TensorFlow's log level, less what the sweep sets itself."""
    environ = os.environ if environ is None else environ
    keep = {k: v for k, v in environ.items()
            if k.startswith("GANLEAK_") and k not in NOT_PASSED}
    keep.setdefault("TF_CPP_MIN_LOG_LEVEL", environ.get("TF_CPP_MIN_LOG_LEVEL", "3"))
    return keep


def thread_env(threads: int) -> dict:
    """TensorFlow's (and OpenMP's) thread pools sized to ``threads``."""
    return {name: str(max(1, int(threads))) for name in THREAD_VARIABLES}


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def args_for_folder(fresh: list[str], folder, data_dir: str | None = None) -> list[str]:
    """The arguments after ``simulate`` that start the run of ``fresh`` in ``folder``, or
    continue it, as the folder is now: an executor asks again when a job starts, so a job that
    Ray retries after losing a node resumes what the lost attempt began."""
    run_folder = RunFolder(folder)
    if run_folder.path(CONFIG).is_file():
        return ["--resume", str(folder)] + (["--data-dir", data_dir] if data_dir else [])
    # A start killed before config.json leaves only the run folder's skeleton behind.
    return [*fresh, "--out", str(folder)] + (["--overwrite"] if run_folder.incomplete else [])


def run_job(job: dict) -> dict:
    """Run one job's subprocess, its stdout and stderr into its log; return the outcome. The
    arguments are read off the run folder as it is now (``args_for_folder``); a folder that
    already holds the finished run (a retried job whose first attempt finished) runs nothing.
    With ``job["die_with_parent"]`` (Ray) the subprocess dies with the worker that runs this, so
    a lost node leaves no run behind that still writes into the folder."""
    start = time.monotonic()
    if RunFolder(job["folder"]).complete:
        return {"name": job["name"], "exit_code": 0, "error": "", "seconds": 0.0}
    command = [sys.executable, "-m", "ganleak_cli.cli", "simulate",
               *args_for_folder(job["fresh"], job["folder"], job.get("data_dir"))]
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    env.update(job["env"])
    log = Path(job["log"])
    log.parent.mkdir(parents=True, exist_ok=True)
    hook = death_hook() if job.get("die_with_parent") else None
    with open(log, "w") as handle:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=handle,
                              stderr=subprocess.STDOUT, env=env, check=False, preexec_fn=hook)
    return {"name": job["name"], "exit_code": done.returncode,
            "error": failure_line(log, done.returncode), "seconds": time.monotonic() - start}


def death_hook():
    """A ``preexec_fn`` that asks Linux to SIGKILL the child when its parent dies (prctl
    PR_SET_PDEATHSIG), resolved here, before the fork; None where there is no prctl."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):   # pragma: no cover - not Linux
        return None

    def hook() -> None:
        prctl(1, int(signal.SIGKILL))   # 1 = PR_SET_PDEATHSIG

    return hook


def failure_line(log: Path, code: int) -> str:
    """Why a run failed: its ``Error:`` line (else its last line, or the signal)."""
    if code == 0:
        return ""
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    lines = [ln.strip() for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("Error:")]
    return (errors or lines or [f"exit code {code}"])[-1][:500]


def run_local(jobs: list[dict], workers: int, on_done, threads: int | None = None) -> None:
    """Run ``jobs`` ``workers`` at a time here; each gets ``threads`` TensorFlow threads
    (None: cores // workers)."""
    threads = thread_env(threads or max(1, cpu_count() // workers))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_job, {**job, "env": {**job["env"], **threads}})
                   for job in jobs]
        for future in as_completed(futures):
            on_done(future.result())


def import_ray():
    """The ``ray`` module, or a one-line error (exit 1) saying how to install it."""
    try:
        import ray
    except ImportError:
        raise click.ClickException(RAY_MISSING) from None
    return ray


def ray_init_kwargs(address: str | None) -> dict:
    """Join ``address`` (or ``RAY_ADDRESS``); else start a small local runtime."""
    if address:
        return {"address": address}
    if os.environ.get("RAY_ADDRESS"):
        return {}  # ray.init() joins it
    return {"include_dashboard": False, "object_store_memory": 128 * 1024 ** 2}


class ClusterLost(click.ClickException):
    """The Ray cluster went away mid-sweep (exit 1); the sweep still writes results.csv."""


def ray_job(job: dict) -> dict:
    """A job as a Ray task: its outcome, and the node it ran on."""
    import ray

    return {**run_job({**job, "die_with_parent": True}),
            "node": ray.get_runtime_context().get_node_id()}


def run_ray(jobs: list[dict], address: str | None, cpus: float, gpus: float, on_done) -> None:
    """Run each job as a Ray remote task (``cpus``/``gpus`` per task) running the same
    subprocess; Ray's own messages go to stderr. A task whose worker or node is lost is retried
    (``RAY_RETRIES`` times; the retry resumes the run folder), then reported failed; losing the
    whole cluster raises ``ClusterLost`` once the runs that finished were reported."""
    ray = import_ray()
    threads = thread_env(max(1, int(cpus)))
    with stdout_to_stderr():
        ray.init(log_to_driver=False, **ray_init_kwargs(address))
        try:
            task = ray.remote(num_cpus=cpus, num_gpus=gpus, max_retries=RAY_RETRIES)(ray_job)
            names = {}
            for job in jobs:
                names[task.remote({**job, "env": {**job["env"], **threads}})] = job["name"]
            pending = list(names)
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                on_done(task_outcome(ray, done[0], names[done[0]]))
        except Exception as exc:   # noqa: BLE001 - which error a dying cluster raises varies
            if cluster_alive(ray):
                raise
            raise ClusterLost(f"the Ray cluster was lost mid-sweep ({type(exc).__name__}); "
                              "results.csv says which runs finished; run the sweep again to "
                              "do the rest") from None
        finally:
            with contextlib.suppress(Exception):
                ray.shutdown()


def task_outcome(ray, ref, name: str) -> dict:
    """A finished task's outcome; a task that lost its worker or node more often than it may be
    retried is a failed run (while the cluster lives; else the error propagates)."""
    try:
        return ray.get(ref)
    except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
            ray.exceptions.RayTaskError) as exc:
        if not cluster_alive(ray):
            raise
        return {"name": name, "exit_code": -1, "seconds": 0.0,
                "error": f"its Ray task failed ({type(exc).__name__}) after "
                         f"{RAY_RETRIES} retries"}


def cluster_alive(ray) -> bool:
    """Whether the driver still reaches a cluster with a live node."""
    try:
        return any(node.get("Alive") for node in ray.nodes())
    except Exception:   # noqa: BLE001 - a dead cluster fails in many ways
        return False
