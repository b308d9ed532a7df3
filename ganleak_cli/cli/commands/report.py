"""``ganleak report RUN_DIR... [--out REPORT_DIR]``: compare run folders on one page."""

from __future__ import annotations

from pathlib import Path

import click

from ganleak_cli.cli.commands.options import command_option

option = command_option("report")  # GANLEAK_REPORT_<OPTION>


@click.command("report")
@click.argument("run_dirs", metavar="RUN_DIR...", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False))
@option("--out", type=click.Path(), default=None,
        show_default="<RUN_DIR>-report beside the (first) run, replaced when it holds an "
                     "earlier report",
        help="Folder to write the report into (report.md and its PNGs, or report.html).")
@option("--format", "fmt", type=click.Choice(["md", "html"]), default="md",
              show_default=True,
              help="md: report.md with PNG files beside it; html: one self-contained "
                   "report.html (images embedded).")
@option("--overwrite", is_flag=True, default=False, help="Replace a non-empty --out.")
def report_command(run_dirs, out, fmt, overwrite):
    """Curves, final grids and final numbers of one or more runs, side by side.

    An unfinished run (no summary.json) is included, marked unfinished, with its last
    evaluation as its final numbers.
    """
    from ganleak_cli.report.document import NotARunFolder, build, check_out, write

    if out is None:
        out, overwrite = default_out(run_dirs, overwrite)
    try:
        report = build(list(run_dirs), say=lambda text: click.echo(f"{text}…", err=True))
    except NotARunFolder as exc:
        raise click.BadParameter(str(exc), param_hint="'RUN_DIR...'") from None
    try:
        check_out(Path(out), [run.root for run in report.runs], overwrite)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--out'") from None
    try:
        page = write(report, Path(out), fmt)
    except OSError as exc:
        raise click.ClickException(f"--out {out}: {exc}") from None
    for note in (note for run in report.runs for note in run.notes):
        click.echo(f"warning: {note}", err=True)
    unfinished = [run.name for run in report.runs if not run.finished]
    if unfinished:
        click.echo(f"unfinished: {', '.join(unfinished)}", err=True)
    click.echo(str(page))


def default_out(run_dirs, overwrite: bool) -> tuple[str, bool]:
    """``<RUN_DIR>-report`` beside the first run (``report-<N>-runs`` for several); an earlier
    report there is replaced, anything else is refused as for --out."""
    first = Path(run_dirs[0]).resolve()
    name = f"{first.name}-report" if len(run_dirs) == 1 else f"report-{len(run_dirs)}-runs"
    out = first.parent / name
    earlier = any((out / page).is_file() for page in ("report.md", "report.html"))
    return str(out), overwrite or earlier
