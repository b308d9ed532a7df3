"""``ganleak datasets list | fetch | verify``: the registered dataset files and where they are.

Nothing here imports TensorFlow; only ``fetch`` may, through keras' downloader, when a file is
neither in ``--data-dir`` nor in the cache.
"""

from __future__ import annotations

import json
import os

import click

from ganleak_cli.cli.commands.options import command_option
from ganleak_cli.core.errors import DataError
from ganleak_cli.data import registry

option = command_option("datasets")  # GANLEAK_DATASETS_<OPTION>

DATA_DIR = option("--data-dir", type=click.Path(exists=True, file_okay=False), default=None,
                  show_default=False,
                  help="Local folder with the dataset files (flat or under <dataset>/); "
                       "files not there are looked for in the cache.")
AS_JSON = option("--json", "as_json", is_flag=True, default=False,
                 help="Print a JSON list with one record per file instead of lines.")
MISSING_EXIT = 3  # verify: files missing (corrupt ones exit 1)


def _check_names(ctx: click.Context, param: click.Parameter, names: tuple[str, ...]) -> list[str]:
    """Callback: every DATASET must be registered (else a usage error); none given means all."""
    known = registry.registered_datasets()
    ctx.meta["ganleak_names_given"] = bool(names)
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


def dataset_line(name: str, records: list[dict]) -> str:
    """``mnist  4/4 files  55,440,...B  data-dir  /path`` for one dataset."""
    found = [r for r in records if r["status"] != "missing"]
    size = sum(r["bytes"] or 0 for r in records)
    places = sorted({r["where"] for r in found}) or ["missing"]
    folders = sorted({os.path.dirname(r["path"]) for r in found if r["path"]})
    where = os.path.commonpath(folders) if folders else ""
    return (f"{name:<8} {len(found):>3}/{len(records):<3} files {size:>13,} B  "
            f"{'+'.join(places):<8} {where}").rstrip()


@datasets.command("list", short_help="Each registered dataset: files found, size, where.")
@DATA_DIR
@AS_JSON
@option("--files", "per_file", is_flag=True, default=False,
        help="One line (or JSON record) per file instead of one per dataset.")
@DATASET_ARGS
def list_files(data_dir, as_json, per_file, names):
    """Show each registered dataset (with --files: each file), its size and where it was found
    (no hashing)."""
    records = _records(names, data_dir, check=False)
    if not per_file:
        by_name = {n: [r for r in records if r["dataset"] == n] for n in names}
        if as_json:
            click.echo(json.dumps([{"dataset": n, "files": len(rs),
                                    "found": sum(r["status"] != "missing" for r in rs),
                                    "bytes": sum(r["bytes"] or 0 for r in rs)}
                                   for n, rs in by_name.items()], indent=2))
        else:
            for n, rs in by_name.items():
                click.echo(dataset_line(n, rs))
        return
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
    """Hash every file found. Exit 1 if any is corrupt or truncated, 3 if files are missing;
    without DATASET names, a dataset none of whose files is there counts as not fetched (an
    optional download, reported, exit 0)."""
    records = _records(names, data_dir, check=True)
    unfetched = set() if _names_given(ctx) else not_fetched(records)
    if as_json:
        click.echo(json.dumps(records, indent=2))
    else:
        for record in records:
            if record["dataset"] not in unfetched:
                click.echo(_verify_line(record, data_dir))
        for name in sorted(unfetched):
            click.echo(f"ABSENT   {name}: not fetched (optional; `ganleak datasets fetch {name}`)")
    checked = [r for r in records if r["dataset"] not in unfetched]
    counts = {s: sum(r["status"] == s for r in checked) for s in ("ok", "corrupt", "missing")}
    click.echo(f"{len(checked)} files: " + ", ".join(f"{n} {s}" for s, n in counts.items())
               + (f"; not fetched: {', '.join(sorted(unfetched))}" if unfetched else ""),
               err=True)
    ctx.exit(1 if counts["corrupt"] else MISSING_EXIT if counts["missing"] else 0)


def _names_given(ctx: click.Context) -> bool:
    """Whether DATASET names were given on the command line (not all datasets by default)."""
    return bool(ctx.meta.get("ganleak_names_given"))


def not_fetched(records: list[dict]) -> set[str]:
    """Datasets none of whose files is present (not downloaded yet)."""
    names = {r["dataset"] for r in records}
    return {n for n in names if all(r["status"] == "missing" for r in records
                                    if r["dataset"] == n)}


@datasets.command(short_help="Make every file available, downloading if needed.")
@DATA_DIR
@DATASET_ARGS
def fetch(data_dir, names):
    """Make every file available (local dir or cache, downloading when missing), sha256-checked."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keras' downloader, if it is needed
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
