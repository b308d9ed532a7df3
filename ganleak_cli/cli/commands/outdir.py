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
            raise click.BadParameter(f"{out} is not empty (use --overwrite to replace it, or "
                                     "--resume to continue it)",
                                     param_hint="--out")
        shutil.rmtree(path)
