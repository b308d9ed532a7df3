"""The output folder of a command: refuse what cannot be written, clear it only when asked."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click


def check_writable(out: str) -> None:
    """Fail early (exit 1, one line) when --out cannot be created or written."""
    ancestor = Path(out).absolute()
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise click.ClickException(f"--out {out}: cannot create it, {ancestor} is a file")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise click.ClickException(f"--out {out}: {ancestor} is not writable")


def prepare_out(out: str, overwrite: bool) -> None:
    """Refuse a non-empty --out unless --overwrite (then clear it); check it can be written."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise click.BadParameter(f"{out} exists and is not a folder", param_hint="--out")
    check_writable(out)
    if path.is_dir() and any(path.iterdir()):
        if not overwrite:
            raise click.BadParameter(not_empty(out), param_hint="--out")
        shutil.rmtree(path)


def not_empty(out: str) -> str:
    """Why a non-empty --out is refused and the exact command for what the user may want."""
    from ganleak_cli.runfolder.artifacts import SUMMARY, RunFolder

    folder = RunFolder(out)
    if folder.path(SUMMARY).is_file():
        return (f"{out} holds a finished run (read it with: ganleak report {out}); add "
                "--overwrite to replace it, or choose another --out")
    if folder.started or folder.incomplete:
        return (f"{out} holds an unfinished run; continue it with: ganleak simulate --resume "
                f"{out} (its options come from its config.json), or add --overwrite to "
                "replace it")
    return f"{out} is not empty and is not a run folder; add --overwrite to replace it"
