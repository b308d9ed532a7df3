"""Run one audit: sample the mechanism on its neighbours, bound ε from below with every
estimator that applies, compare the verdict estimator's bound with the claim."""

from __future__ import annotations

from ganleak_cli.audit.estimators import ESTIMATORS, applicable
from ganleak_cli.audit.events import Bound, epsilon_lower_bound
from ganleak_cli.audit.mechanisms import MECHANISMS, Settings


def bound_json(bound: Bound, claimed: float) -> dict:
    """One estimator's bound, its fraction of the claim, the event and its held-out counts."""
    return {"epsilon_lower_bound": bound.epsilon_lower_bound,
            "fraction_of_claim": bound.epsilon_lower_bound / claimed,
            "event": bound.event.describe(),
            "held_out": {"samples": bound.samples, "hits_numerator": bound.hits_numerator,
                         "hits_denominator": bound.hits_denominator}}


def audit(mechanism: str, settings: Settings) -> dict:
    """The audit's result as plain JSON: the claim, each estimator's lower bound at the
    confidence, the verdict (PASS when the verdict estimator's bound does not exceed the claimed
    ε) and its event."""
    spec = MECHANISMS[mechanism]
    trials = settings.trials or spec.default_trials
    samples = spec.sample(settings, trials)
    bounds = {name: epsilon_lower_bound(samples.features, samples.on_d, samples.on_d2,
                                        settings.confidence, samples.delta, name, settings.seed,
                                        spec.search_share)
              for name in applicable(samples.delta)}
    chosen = bounds[spec.estimator]
    passed = chosen.epsilon_lower_bound <= samples.claimed_epsilon
    return {
        "mechanism": mechanism,
        "negative_control": spec.negative_control,
        "exact_claim": spec.exact,
        "claimed_epsilon": samples.claimed_epsilon,
        "claim": samples.claim,
        "delta": samples.delta,
        "estimator": spec.estimator,
        **bound_json(chosen, samples.claimed_epsilon),
        "estimators": {name: bound_json(b, samples.claimed_epsilon) for name, b in bounds.items()},
        "confidence": settings.confidence,
        "verdict": "PASS" if passed else "FAIL",
        "trials": trials,
        "search_share": spec.search_share,
        "seed": settings.seed,
        "neighbours": samples.neighbours,
        "references": [{"name": name, "epsilon": value,
                        "fraction": chosen.epsilon_lower_bound / value}
                       for name, value in samples.references],
    }


def estimator_line(name: str, bound: dict, verdict_estimator: str) -> str:
    """E.g. ``  gdp              4.046  0.92 of the claim  (verdict; assumes …)``."""
    mark = "verdict; " if name == verdict_estimator else ""
    return (f"  {name:<16} {bound['epsilon_lower_bound']:<8.4g} "
            f"{bound['fraction_of_claim']:.2f} of the claim  ({mark}{ESTIMATORS[name].assumes})")


def searched(result: dict) -> str:
    """The share of the runs the event was searched on, in words."""
    share = result.get("search_share", 0.5)
    return "half" if share == 0.5 else f"{share:.0%}"


def describe(result: dict) -> str:
    """Human-readable lines for ``ganleak audit``."""
    held = result["held_out"]
    verdict = result["verdict"]
    if result["negative_control"]:
        verdict += " (a negative control, broken on purpose: FAIL is the expected verdict)"
    elif result["exact_claim"]:
        verdict += " (a positive control: its claim is its true ε)"
    delta = f" at δ = {result['delta']:g}" if result["delta"] else ""
    return "\n".join([
        f"mechanism: {result['mechanism']}   trials: {result['trials']} per input   "
        f"seed: {result['seed']}",
        f"neighbours: {result['neighbours']}",
        f"claimed ε{delta}: {result['claimed_epsilon']:.4g}  ({result['claim']})",
        f"ε lower bounds at confidence {result['confidence']:g} (event searched on "
        f"{searched(result)} of the runs, bounded on the rest):",
        *(estimator_line(name, bound, result["estimator"])
          for name, bound in result["estimators"].items()),
        f"  event ({result['estimator']}): {result['event']}; held-out hits "
        f"{held['hits_numerator']} vs {held['hits_denominator']} of {held['samples']} each",
        *(f"  reference: {ref['name']} {ref['epsilon']:.4g} (the verdict's bound is "
          f"{ref['fraction']:.2f} of it)" for ref in result["references"]),
        f"verdict: {verdict}",
    ])
