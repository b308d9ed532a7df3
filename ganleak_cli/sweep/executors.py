"""Run a sweep's jobs: each one ``python -m ganleak_cli.cli simulate ...`` in a subprocess.

``run_local`` keeps N of them going on this machine, dividing the cores between them;
``run_ray`` makes each one a Ray remote task that runs the same subprocess (Ray is an
optional extra, imported only here, only when asked for). A job is a plain dict so that Ray
can ship it; its outcome is a plain dict too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import click

from ganleak_cli.stdio import stdout_to_stderr

THREAD_VARIABLES = ("TF_NUM_INTEROP_THREADS", "TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS")
# Variables of the sweep's own shell that must not reach a run: the sweep sets these itself.
NOT_PASSED = ("GANLEAK_NAME", "GANLEAK_RESUME", "GANLEAK_OVERWRITE", "GANLEAK_JSON",
              "GANLEAK_OUT", "GANLEAK_CONFIG")
RAY_MISSING = "--executor ray needs Ray, an optional extra: pip install -e .[ray]"


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


def run_job(job: dict) -> dict:
    """Run one job's subprocess, its stdout and stderr into its log; return the outcome."""
    command = [sys.executable, "-m", "ganleak_cli.cli", "simulate", *job["argv"]]
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    env.update(job["env"])
    log = Path(job["log"])
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with open(log, "w") as handle:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=handle,
                              stderr=subprocess.STDOUT, env=env, check=False)
    return {"name": job["name"], "exit_code": done.returncode,
            "error": failure_line(log, done.returncode), "seconds": time.monotonic() - start}


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


def run_ray(jobs: list[dict], address: str | None, cpus: float, gpus: float, on_done) -> None:
    """Run each job as a Ray remote task (``cpus``/``gpus`` per task) running the same
    subprocess; Ray's own messages go to stderr."""
    ray = import_ray()
    threads = thread_env(max(1, int(cpus)))
    with stdout_to_stderr():
        ray.init(log_to_driver=False, **ray_init_kwargs(address))
        try:
            task = ray.remote(num_cpus=cpus, num_gpus=gpus)(run_job)
            pending = [task.remote({**job, "env": {**job["env"], **threads}}) for job in jobs]
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                on_done(ray.get(done[0]))
        finally:
            ray.shutdown()
