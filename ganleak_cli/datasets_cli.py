"""``ganleak datasets list | fetch | verify``: the registered dataset files and where they are.

Nothing here imports TensorFlow; only ``fetch`` may, through keras' downloader, when a file is
neither in ``--data-dir`` nor in the cache.
"""

from __future__ import annotations

import json
import os

import click

from ganleak_cli.cli_options import option
from ganleak_cli.data import registry
from ganleak_cli.errors import DataError

DATA_DIR = option("--data-dir", type=click.Path(exists=True, file_okay=False), default=None,
                  show_default=False,
                  help="Local folder with the dataset files (flat or under <dataset>/); "
                       "files not there are looked for in the cache.")
AS_JSON = option("--json", "as_json", is_flag=True, default=False,
                 help="Print a JSON list with one record per file instead of lines.")


def _check_names(ctx: click.Context, param: click.Parameter, names: tuple[str, ...]) -> list[str]:
    """Callback: every DATASET must be registered (else a usage error); none given means all."""
    known = registry.registered_datasets()
    unknown = [name for name in names if name not in known]
    if unknown:
        raise click.BadParameter(f"unknown dataset {unknown[0]!r}; known: {', '.join(known)}",
                                 ctx, param)
    return list(names) or known


DATASET_ARGS = click.argument("names", metavar="[DATASET]...", nargs=-1, callback=_check_names)


def _records(names: list[str], data_dir: str | None, check: bool) -> list[dict]:
    """``registry.file_status`` of every file of every dataset in ``names``."""
    try:
        return [registry.file_status(name, key, data_dir, check=check)
                for name in names for key in registry.registry_entry(name)["files"]]
    except DataError as exc:
        raise click.ClickException(str(exc)) from None


def _looked(record: dict, data_dir: str | None) -> str:
    """Where a missing file was looked for, in words."""
    cache = registry.cached_file(record["dataset"], record["name"]).parent
    local = f"{data_dir} (flat or {record['dataset']}/) nor in " if data_dir else ""
    return f"not in {local}the cache {cache}"


def _verify_line(record: dict, data_dir: str | None) -> str:
    """One line per file: ok / CORRUPT / MISSING, naming the file's path."""
    if record["status"] == "ok":
        return f"ok       {record['path']}"
    if record["status"] == "corrupt":
        return f"CORRUPT  {record['path']}: {record['detail']}"
    return f"MISSING  {record['dataset']}/{record['name']}: {_looked(record, data_dir)}"


@click.group(short_help="List, fetch and verify the dataset files.")
def datasets():
    """List, fetch and verify the registered dataset files (datasets/*.json)."""


@datasets.command("list", short_help="Where each registered file is (no hashing).")
@DATA_DIR
@AS_JSON
@DATASET_ARGS
def list_files(data_dir, as_json, names):
    """Show each registered file, its expected size and where it was found (no hashing)."""
    records = _records(names, data_dir, check=False)
    if as_json:
        click.echo(json.dumps(records, indent=2))
        return
    width = max((len(r["name"]) for r in records), default=0)
    for r in records:
        size = f"{r['bytes']:>10,} B" if r["bytes"] is not None else "         ? B"
        click.echo(f"{r['dataset']:<8} {r['name']:<{width}} {size}  {r['where']:<8} "
                   f"{r['path'] or ''}".rstrip())


@datasets.command(short_help="Hash every file: ok / corrupt / missing.")
@DATA_DIR
@AS_JSON
@DATASET_ARGS
@click.pass_context
def verify(ctx, data_dir, as_json, names):
    """Hash every file found; exit 1 if any is corrupt, truncated or missing."""
    records = _records(names, data_dir, check=True)
    if as_json:
        click.echo(json.dumps(records, indent=2))
    else:
        for record in records:
            click.echo(_verify_line(record, data_dir))
    counts = {s: sum(r["status"] == s for r in records) for s in ("ok", "corrupt", "missing")}
    click.echo(f"{len(records)} files: " + ", ".join(f"{n} {s}" for s, n in counts.items()),
               err=True)
    ctx.exit(0 if counts["ok"] == len(records) else 1)


@datasets.command(short_help="Make every file available, downloading if needed.")
@DATA_DIR
@DATASET_ARGS
def fetch(data_dir, names):
    """Make every file available (local dir or cache, downloading when missing), sha256-checked."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    count = 0
    for name in names:
        for key in registry.registry_entry(name)["files"]:
            try:
                path = registry.locate(name, key, data_dir)
            except DataError as exc:
                raise click.ClickException(str(exc)) from None
            click.echo(f"ok       {path}")
            count += 1
    click.echo(f"{count} files available, sha256 verified", err=True)
