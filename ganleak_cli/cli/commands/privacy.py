"""``ganleak privacy``: the ε a simulate configuration would spend, without training."""

from __future__ import annotations

import json

import click

from ganleak_cli.cli.commands.simulate import simulate
from ganleak_cli.cli.commands.simulate_options import (
    PRIVACY_FIELDS,
    SIMULATE_OPTIONS,
    apply_options,
    build_config,
    options_named,
    usage_error,
)
from ganleak_cli.core.errors import ConfigError
from ganleak_cli.core.stdio import import_tensorflow_quietly, stdout_to_stderr


def describe_plan(plan: dict, defence) -> str:
    """Human-readable lines for ``ganleak privacy`` (``defence``: the chosen one, which
    describes its own figures)."""
    if not defence.applies_to(adversary=False):
        return (f"defense: {plan['defense']} — nothing is noised, no ε is spent (give --dp-eps "
                "or --defense)")
    if "epsilon_total" not in plan:
        return f"defense: {plan['defense']} — spends no ε that ganleak accounts"
    lines = [f"defense: {plan['defense']}   parameters |w| = {plan['parameters']}   "
             f"rounds = {plan['rounds']}", *defence.describe(plan),
             f"composed ε at δ = {plan['delta']:g} ({plan['accountant']}): "
             f"one round {plan['epsilon_round']:.6g}, whole run {plan['epsilon_total']:.6g}"]
    return "\n".join(lines)


@click.command()
@apply_options(options_named(SIMULATE_OPTIONS, PRIVACY_FIELDS))
def privacy(**params):
    """Print the ε a simulate configuration would spend, without training."""
    cfg = build_config(victims_only(params))
    import_tensorflow_quietly()
    with stdout_to_stderr():
        from ganleak_cli.cli.commands.privacy_plan import privacy_plan

        try:
            plan = privacy_plan(cfg)
        except ConfigError as exc:
            raise usage_error(exc) from None
    click.echo(json.dumps(plan, sort_keys=True) if params["as_json"]
               else describe_plan(plan, cfg.make_defence()))


privacy.config_also_checks = simulate  # a simulate config file (or a run's config.json) works


def victims_only(params: dict) -> dict:
    """Given the victims' classes, privacy needs no adversary classes or target (they change no
    victim's ε): the adversary holds none and the target is the victims' first class."""
    classes = params.get("victim_classes")
    if not classes:
        return params
    return {**params, "adversary_classes": (), "target_class": classes[0]}
