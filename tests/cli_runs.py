"""Shared test helpers for the command line: in-process (CliRunner) and as a subprocess, as a
user or a script runs it."""

import json
import subprocess
import sys

from click.testing import CliRunner

from ganleak_cli.cli.main import main


def invoke(args, env=None):
    """``ganleak ARGS`` in-process; the click Result."""
    return CliRunner().invoke(main, args, env=env)


def plan(*args, env=None) -> dict:
    """``ganleak privacy ARGS --json``: the plan (the command must succeed)."""
    result = invoke(["privacy", *args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_cli(tmp_path_factory, name, *args):
    """`ganleak simulate --out <fresh folder> --json ARGS`; returns (run folder, process)."""
    out = tmp_path_factory.mktemp(name) / "run"
    done = subprocess.run([sys.executable, "-m", "ganleak_cli.cli", "simulate", "--out", str(out),
                           "--json", *args], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done
