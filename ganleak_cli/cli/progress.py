"""A run's progress on stderr. On a terminal: a live bar (rounds done of the total, elapsed,
ETA, the latest leakage figures) with each evaluation's line printed above it; elsewhere (a
log, a pipe): plain lines, one per set-up step and per evaluation; with ``--quiet``: nothing.
stdout is never touched (it carries only ``--json``)."""

from __future__ import annotations

import signal
import sys
import threading

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def evaluation_line(record: dict, seconds: float) -> str:
    """One human line for an evaluation record."""
    parts = [f"round {record['round']:4d}", f"{seconds:7.1f}s",
             f"acc {record['model_accuracy']:.3f}",
             f"victim-acc {record['victim_class_accuracy']:.3f}"]
    if "oracle_target_rate" in record:
        parts += [f"oracle {record['oracle_target_rate']:.2f}",
                  f"ssim {record['nn_ssim_heldout']:.3f}"]
        if "face_ssim_bar" in record:
            parts[-1] += f" (bar {record['face_ssim_bar']:.3f})"
    if "identity_match" in record:
        parts.append(f"identity {record['identity_match']:.2f} "
                     f"(flat {record['identity_flat_baseline']:.2f})")
    if "face_verdict" in record:
        failed = record["face_verdict_failed"]
        parts.append(f"self-ssim {record['sample_self_ssim']:.2f}  "
                     f"verdict {'fail (' + failed + ')' if failed else 'pass'}")
    if "epsilon_total" in record:
        parts.append(f"ε {record['epsilon_total']:.4g} (δ={record['delta']:g})")
    return "  ".join(parts)


class RunProgress:
    """What ``run.simulate`` reports as it goes: ``note`` (a set-up step), ``round_done`` and
    ``evaluation``. ``live`` defaults to whether stderr is a terminal. While it is entered, a
    first Ctrl-C asks the run to stop after the round it is playing (``stop_requested``: the run
    checkpoints there, so nothing is lost); a second one stops at once."""

    def __init__(self, quiet: bool = False, live: bool | None = None,
                 console: Console | None = None):
        self.quiet, self.console = quiet, console
        self.live = (sys.stderr.isatty() if live is None else live) and not quiet
        self.bar = None
        self.task = None
        self.stopping = False
        self._sigint = None

    def __enter__(self) -> "RunProgress":
        if self.live:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                                TimeRemainingColumn(), TextColumn("{task.fields[latest]}"),
                                console=self.console or Console(stderr=True),
                                transient=False)
            self.bar.start()
        if threading.current_thread() is threading.main_thread():
            self._sigint = signal.signal(signal.SIGINT, self._interrupt)
        return self

    def __exit__(self, *exc) -> None:
        if self._sigint is not None:
            signal.signal(signal.SIGINT, self._sigint)
        if self.bar is not None:
            self.bar.stop()

    def _interrupt(self, signum, frame) -> None:
        if self.stopping:
            raise KeyboardInterrupt
        self.stopping = True
        click.echo("stopping after this round (Ctrl-C again to stop at once)", err=True)

    def stop_requested(self) -> bool:
        """Whether Ctrl-C asked the run to stop after the round just played."""
        return self.stopping

    def _say(self, text: str) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.console.print(text, markup=False, highlight=False)
        else:
            click.echo(text, err=True)

    def note(self, text: str) -> None:
        """A set-up step as it happens (loading data, training the oracle, …)."""
        self._say(text)

    def round_done(self, round_no: int, total: int) -> None:
        """Advance the bar (a no-op without one)."""
        if self.bar is None:
            return
        if self.task is None:
            self.task = self.bar.add_task("rounds", total=total, completed=round_no - 1,
                                          latest="")
        self.bar.update(self.task, completed=round_no)

    def evaluation(self, record: dict, seconds: float) -> None:
        """Print the evaluation's line; the bar shows its headline figures."""
        self._say(evaluation_line(record, seconds))
        if self.bar is not None and self.task is not None and "nn_ssim_heldout" in record:
            self.bar.update(self.task, latest=f"oracle {record['oracle_target_rate']:.2f} "
                                              f"ssim {record['nn_ssim_heldout']:.3f}")
