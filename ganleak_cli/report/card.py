"""The report's verdict card: per run, did the attack leak the target class, read against what
real images score, and how much privacy did a victim spend.

* A face run (its summary has ``face_verdict``) is judged by the face verdict
  (docs/faces.md), beside its calibration rows. A run that fails it gets no verdict when the
  victim's own photographs of the person (the ``private_faces`` calibration row) fail it too:
  the instrument cannot judge that person, so the failure says nothing about the attack.
* Any other attack run leaked when the oracle names the target in at least ``ORACLE_BAR`` of
  the samples **and** ``nn_ssim_heldout`` is closer to what real images of the class score than
  to what real images of the closest other class score (above the midpoint of the two
  ``metrics.reference`` lines). Merely above the other class's line is not enough: a sample of
  real images of the other class can score just above its own line by chance. The lines need
  the run's dataset; when it cannot be read the card says so and gives no verdict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ganleak_cli.core.errors import GanleakError
from ganleak_cli.core.tables import is_number
from ganleak_cli.metrics.reference import ANOTHER, ITSELF, NOISE, run_lines
from ganleak_cli.runfolder.artifacts import CALIBRATION

ORACLE_BAR = 0.9
LEAKED, NOT_SHOWN, NO_VERDICT = "LEAKED", "NOT SHOWN TO LEAK", "NO VERDICT"


@dataclass(frozen=True)
class Card:
    """One run's verdict: the word, the reasons, and the reference lines used (may be empty)."""

    run: str
    verdict: str
    reasons: list
    lines: dict = field(default_factory=dict)


def lines_for(config: dict) -> tuple[dict, str]:
    """The run's reference lines and "" — or {} and why they are unavailable."""
    try:
        key = (config["dataset"], config.get("data_dir"), config.get("image_size"),
               int(config["target_class"]), tuple(config["victim_classes"]))
    except (KeyError, TypeError, ValueError) as exc:
        return {}, f"the run's config.json does not say which data ({exc})"
    try:
        return run_lines(*key), ""
    except (OSError, ValueError, GanleakError) as exc:
        return {}, f"the run's data could not be read ({exc})"


def _figure(summary: dict, key: str):
    value = summary.get(key)
    return float(value) if is_number(value) else None


def privacy_line(summary: dict) -> str | None:
    """What a victim spent, when the run had a defence."""
    eps = _figure(summary, "epsilon_total")
    if eps is None:
        return None
    delta = _figure(summary, "delta")
    return f"privacy spent: ε = {eps:.4g}" + (f" at δ = {delta:g}" if delta else "")


def own_photographs_row(root) -> dict | None:
    """The ``private_faces`` row of the run's calibration.json (what the victim's own photographs
    of the person score), or None when the run has none."""
    try:
        rows = json.loads((root / CALIBRATION).read_text()).get("rows")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(rows, list):
        return None
    found = [row for row in rows if isinstance(row, dict) and row.get("set") == "private_faces"]
    return found[0] if found else None


def face_figures_lines(summary: dict) -> list[str]:
    """The SSIM against the person's bar, and the memorisation evidence: how much nearer the
    samples are to the victim's private photographs than to the held-out ones."""
    ssim, bar = _figure(summary, "nn_ssim_heldout"), _figure(summary, "face_ssim_bar")
    private = _figure(summary, "nn_ssim_private")
    lines = []
    if ssim is not None and bar is not None:
        lines.append(f"SSIM to the person's held-out faces {ssim:.3f}, the person's bar "
                     f"{bar:.3f}")
    if ssim is not None and private is not None:
        lines.append(f"memorisation: SSIM to the victim's private photographs {private:.3f} "
                     f"against {ssim:.3f} to the held-out ones (gap {private - ssim:+.3f})")
    return lines


def face_card(name: str, summary: dict, root) -> Card:
    """The face verdict's card; NO VERDICT for a failing run whose person's own photographs
    (its calibration row in ``root``) fail the verdict too."""
    figures = face_figures_lines(summary)
    if summary.get("face_verdict") == 1.0:
        return Card(name, LEAKED, ["the face verdict passes: oracle, identity above its "
                                   "baselines, SSIM and no collapse, together", *figures])
    reasons = [f"the face verdict fails on: {summary.get('face_verdict_failed') or ''}",
               *figures]
    own = own_photographs_row(root)
    if own is not None and own.get("face_verdict") == 0.0:
        reasons.append("it cannot judge this person: the victim's own photographs of the "
                       f"person fail it too (on: {own.get('face_verdict_failed')})")
        return Card(name, NO_VERDICT, reasons)
    return Card(name, NOT_SHOWN, reasons)


def attack_card(name: str, summary: dict, config: dict) -> Card:
    oracle, ssim = _figure(summary, "oracle_target_rate"), _figure(summary, "nn_ssim_heldout")
    if oracle is None or ssim is None:
        return Card(name, NO_VERDICT, ["no evaluation of an attack's samples"])
    lines, why = lines_for(config)
    if not lines:
        return Card(name, NO_VERDICT, [f"no reference lines: {why}"])
    midpoint = (lines[ANOTHER] + lines[ITSELF]) / 2
    beats = ssim > midpoint
    reasons = [f"oracle names the target in {oracle:.2f} of the samples "
               f"({'≥' if oracle >= ORACLE_BAR else '<'} {ORACLE_BAR})",
               f"nn_ssim_heldout {ssim:.3f}: {'closer to' if beats else 'not closer to'} real "
               f"images of the class ({lines[ITSELF]:.3f}) than of the closest other class "
               f"({lines['another_class']}: {lines[ANOTHER]:.3f}; midpoint {midpoint:.3f}); "
               f"noise {lines[NOISE]:.3f}"]
    leaked = oracle >= ORACLE_BAR and beats
    return Card(name, LEAKED if leaked else NOT_SHOWN, reasons, lines)


def reconstructs(attack) -> bool:
    """Whether a run's attack reconstructs anything to judge (an attack this installation does
    not know, a plugin's, is judged by its figures)."""
    from ganleak_cli.attacks import ATTACKS
    from ganleak_cli.core.components import ComponentError

    try:
        return ATTACKS.get(attack).reconstructs
    except ComponentError:
        return True


def card(run) -> Card:
    """The verdict card of one report.Run."""
    summary = run.summary or (run.records[-1] if run.records else {})
    if not reconstructs(summary.get("attack", run.config.get("attack"))):
        result = Card(run.name, NO_VERDICT, ["no attack in this run"])
    elif "face_verdict" in summary:
        result = face_card(run.name, summary, run.root)
    else:
        result = attack_card(run.name, summary, run.config)
    spent = privacy_line(summary)
    if not run.finished:
        result.reasons.append(f"unfinished: the last evaluation (round {run.last_round})")
    if spent:
        result.reasons.append(spent)
    return result


def shared_lines(cards: list[Card]) -> dict:
    """The reference lines to draw on the SSIM curve: those of the cards that have any, when
    they all agree (one dataset and target); else none."""
    found = [c.lines for c in cards if c.lines]
    if not found or any(lines != found[0] for lines in found):
        return {}
    lines = found[0]
    return {f"real images of another class ({lines['another_class']})": lines[ANOTHER],
            "real images of the class": lines[ITSELF], "uniform noise": lines[NOISE]}
