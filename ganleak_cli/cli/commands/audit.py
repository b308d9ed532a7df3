"""``ganleak audit --mechanism NAME``: an empirical lower bound on a DP mechanism's ε, beside the
ε it claims; ``ganleak audit --run-config FILE``: the same for a whole simulated run under DP-SGD
or Shokri's mechanism, with canaries in one victim. Exit 0 when the bounds stay below the claim,
1 when one exceeds it."""

from __future__ import annotations

import json

import click

from ganleak_cli.cli.commands.options import command_option
from ganleak_cli.cli.commands.params import FiniteFloat
from ganleak_cli.core.stdio import import_tensorflow_quietly, stdout_to_stderr

option = command_option("audit")  # GANLEAK_AUDIT_<OPTION>

MECHANISM_NAMES = ("laplace", "randomized-response", "shokri", "dpsgd", "svt",
                   "svt-noisy-value", "svt-unscaled-noise", "svt-no-threshold-noise",
                   "dpsgd-unclipped")
FAMILY_OPTIONS = {"shokri": ("epsilon", "params", "c"), "svt": ("epsilon",),
                  "control": ("epsilon",), "dpsgd": ("noise_multiplier", "l2_clip", "delta")}


POSITIVE = FiniteFloat(min=0.0, min_open=True)
OPEN_UNIT = FiniteFloat(min=0.0, max=1.0, min_open=True, max_open=True)


def family(mechanism: str) -> str:
    """control, shokri, svt or dpsgd (the options that apply)."""
    if mechanism in ("laplace", "randomized-response"):
        return "control"
    return "svt" if mechanism.startswith("svt") else mechanism.split("-")[0]


RUN_OPTIONS = ("canaries", "noise_scale")


def given(ctx: click.Context, name: str) -> bool:
    """Whether option ``name`` was given on the command line."""
    return ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE


def reject_run_options(ctx: click.Context) -> None:
    """--canaries and --noise-scale belong to --run-config."""
    for name in RUN_OPTIONS:
        if given(ctx, name):
            raise click.BadParameter("applies only with --run-config",
                                     param_hint="'--" + name.replace("_", "-") + "'")


def run_settings(path: str):
    """The run config of FILE, read and checked as ``ganleak simulate --config FILE`` would."""
    from ganleak_cli.cli.commands.simulate import simulate
    from ganleak_cli.cli.commands.simulate_options import build_config

    try:
        ctx = simulate.make_context("simulate", ["--config", path])
        return build_config(ctx.params)
    except click.UsageError as exc:
        raise click.BadParameter(exc.format_message(), param_hint="'--run-config'") from None


def audit_run(ctx, path: str, canaries: int, noise_scale: float, confidence: float,
              as_json: bool) -> None:
    """Run the whole-run audit and print it; exit 1 when a bound exceeds the claim."""
    import_tensorflow_quietly()   # its start-up lines and warnings off stderr, as for simulate
    from ganleak_cli.core.errors import ConfigError
    from ganleak_cli.simulation.canary_audit import canary_audit, describe_run_audit

    cfg = run_settings(path)
    with stdout_to_stderr():
        try:
            result = {"run_config": path,
                      **canary_audit(cfg, canaries, noise_scale, confidence,
                                     note=lambda text: click.echo(text, err=True))}
        except (ConfigError, ValueError) as exc:
            raise click.BadParameter(f"{path}: {exc}", param_hint="'--run-config'") from None
    click.echo(json.dumps(result, sort_keys=True) if as_json else describe_run_audit(result))
    if result["verdict"] != "PASS":
        ctx.exit(1)


def reject_inapplicable(ctx: click.Context, mechanism: str) -> None:
    """An option given on the command line that this mechanism does not use is a usage error."""
    used = FAMILY_OPTIONS[family(mechanism)]
    for name in sorted({n for names in FAMILY_OPTIONS.values() for n in names} - set(used)):
        if given(ctx, name):
            hint = "'--" + name.replace("_", "-") + "'"
            raise click.BadParameter(f"does not apply to --mechanism {mechanism}",
                                     param_hint=hint)


@click.command("audit", short_help="Estimate a lower bound on ε from a mechanism's outputs.")
@option("--mechanism", type=click.Choice(MECHANISM_NAMES, case_sensitive=False),
        show_default=False,
        help="laplace, randomized-response: positive controls of exactly known ε; shokri: the "
             "real Shokri upload; dpsgd: the real DP-SGD step; svt: the sparse vector technique "
             "(tight at c = 1); svt-* (three broken variants) and dpsgd-unclipped: negative "
             "controls the audit must FAIL.")
@option("--epsilon", type=POSITIVE, default=1.0,
        help="laplace, randomized-response: their ε; shokri: ε per upload; svt*: ε of the "
             "selection stage.")
@option("--noise-multiplier", type=POSITIVE, default=1.0,
        help="dpsgd: Gaussian noise σ (std σ·C on the summed gradients).")
@option("--l2-clip", type=POSITIVE, default=1.0, help="dpsgd: per-example L2 clip C.")
@option("--delta", type=OPEN_UNIT, default=1e-5,
        help="dpsgd: δ of the claimed ε (and subtracted in the bound).")
@option("--trials", type=click.IntRange(min=100), default=None,
        show_default="laplace, randomized-response 10⁶; shokri 1.5·10⁵; svt 2·10⁶ (unscaled-noise "
                     "10⁷, no-threshold-noise 4·10⁵); dpsgd* 2·10⁴",
        help="Runs of the mechanism on each of the two inputs (half search the event, half "
             "bound ε).")
@option("--confidence", type=OPEN_UNIT, default=0.95,
        help="Confidence of the lower bounds (each estimator's, both rates).")
@option("--seed", type=click.IntRange(min=0), default=0, help="Seed of the mechanism's noise.")
@option("--params", type=click.IntRange(min=2), default=5,
        help="shokri: parameters in the update.")
@option("--c", "c", type=click.IntRange(min=1), default=1,
        help="shokri: values released per upload (< --params).")
@option("--run-config", type=click.Path(exists=True, dir_okay=False), default=None,
        help="Audit a whole run instead of one mechanism: a `ganleak simulate` config file "
             "(TOML or JSON, e.g. a run's config.json) with defense = \"dpsgd\" or \"shokri\"; "
             "canaries go into the first victim.")
@option("--canaries", type=click.IntRange(min=100), default=4000,
        help="--run-config: canaries, each included with probability ½.")
@option("--noise-scale", type=FiniteFloat(min=0.0, min_open=True), default=1.0,
        help="--run-config: train with the noise multiplier times this (Shokri: release at the "
             "ε divided by it), account for the configured one (below 1: a deliberately wrong "
             "claim the audit should catch).")
@option("--json", "as_json", is_flag=True, default=False, help="Print the result as JSON.")
@click.pass_context
def audit_command(ctx, mechanism, run_config, canaries, noise_scale, as_json, **params):
    """Estimate a lower bound on ε from the mechanism's outputs on neighbouring inputs (or from
    canaries in a whole run, --run-config), at the given confidence, and print it beside the
    claimed ε: PASS (exit 0) when no bound exceeds the claim, FAIL (exit 1) when one does."""
    if (mechanism is None) == (run_config is None):
        raise click.UsageError("give either --mechanism or --run-config")
    if run_config is not None:
        return audit_run(ctx, run_config, canaries, noise_scale, params["confidence"], as_json)
    reject_run_options(ctx)
    mechanism = mechanism.lower()
    reject_inapplicable(ctx, mechanism)
    if params["c"] >= params["params"]:
        raise click.BadParameter(f"must be below --params ({params['params']})",
                                 param_hint="'--c'")
    from ganleak_cli.audit.mechanisms import Settings
    from ganleak_cli.audit.run import audit, describe

    with stdout_to_stderr():  # stdout carries only the result (TensorFlow may chatter)
        result = audit(mechanism, Settings(**params))
    click.echo(json.dumps(result, sort_keys=True) if as_json else describe(result))
    if result["verdict"] != "PASS":
        ctx.exit(1)
