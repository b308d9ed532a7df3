"""Run one audit: sample the mechanism on its neighbours, bound ε from below, compare with the
claim."""

from __future__ import annotations

from ganleak_cli.audit.events import epsilon_lower_bound
from ganleak_cli.audit.mechanisms import MECHANISMS, Settings


def audit(mechanism: str, settings: Settings) -> dict:
    """The audit's result as plain JSON: the claim, the lower bound at the confidence, the
    verdict (PASS when the lower bound does not exceed the claimed ε) and the event."""
    spec = MECHANISMS[mechanism]
    trials = settings.trials or spec.default_trials
    samples = spec.sample(settings, trials)
    bound = epsilon_lower_bound(samples.features, samples.on_d, samples.on_d2,
                                settings.confidence, samples.delta)
    passed = bound.epsilon_lower_bound <= samples.claimed_epsilon
    return {
        "mechanism": mechanism,
        "negative_control": spec.negative_control,
        "claimed_epsilon": samples.claimed_epsilon,
        "claim": samples.claim,
        "delta": samples.delta,
        "epsilon_lower_bound": bound.epsilon_lower_bound,
        "confidence": settings.confidence,
        "verdict": "PASS" if passed else "FAIL",
        "trials": trials,
        "seed": settings.seed,
        "neighbours": samples.neighbours,
        "event": bound.event.describe(),
        "held_out": {"samples": bound.samples, "hits_numerator": bound.hits_numerator,
                     "hits_denominator": bound.hits_denominator},
    }


def describe(result: dict) -> str:
    """Human-readable lines for ``ganleak audit``."""
    held = result["held_out"]
    verdict = result["verdict"]
    if result["negative_control"]:
        verdict += " (a negative control, broken on purpose: FAIL is the expected verdict)"
    delta = f" at δ = {result['delta']:g}" if result["delta"] else ""
    return "\n".join([
        f"mechanism: {result['mechanism']}   trials: {result['trials']} per input   "
        f"seed: {result['seed']}",
        f"neighbours: {result['neighbours']}",
        f"claimed ε{delta}: {result['claimed_epsilon']:.4g}  ({result['claim']})",
        f"ε lower bound: {result['epsilon_lower_bound']:.4g} at confidence "
        f"{result['confidence']:g}",
        f"  event: {result['event']}; held-out hits {held['hits_numerator']} vs "
        f"{held['hits_denominator']} of {held['samples']} each",
        f"verdict: {verdict}",
    ])
