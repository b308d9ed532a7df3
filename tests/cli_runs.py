"""Run `ganleak simulate` in a subprocess, as a user or a script does."""

import subprocess
import sys


def run_cli(tmp_path_factory, name, *args):
    """`ganleak simulate --out <fresh folder> --json ARGS`; returns (run folder, process)."""
    out = tmp_path_factory.mktemp(name) / "run"
    done = subprocess.run([sys.executable, "-m", "ganleak_cli.cli", "simulate", "--out", str(out),
                           "--json", *args], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done
