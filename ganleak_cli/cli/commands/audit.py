"""``ganleak audit --mechanism shokri|dpsgd``: an empirical lower bound on a DP mechanism's ε,
beside the ε it claims. Exit 0 when the bound stays below the claim, 1 when it exceeds it."""

from __future__ import annotations

import json

import click

from ganleak_cli.cli.commands.options import command_option
from ganleak_cli.cli.commands.params import FiniteFloat
from ganleak_cli.core.stdio import stdout_to_stderr

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


def reject_inapplicable(ctx: click.Context, mechanism: str) -> None:
    """An option given on the command line that this mechanism does not use is a usage error."""
    used = FAMILY_OPTIONS[family(mechanism)]
    for name in sorted({n for names in FAMILY_OPTIONS.values() for n in names} - set(used)):
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE:
            hint = "'--" + name.replace("_", "-") + "'"
            raise click.BadParameter(f"does not apply to --mechanism {mechanism}",
                                     param_hint=hint)


@click.command("audit", short_help="Estimate a lower bound on ε from a mechanism's outputs.")
@option("--mechanism", type=click.Choice(MECHANISM_NAMES), required=True, show_default=False,
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
@option("--json", "as_json", is_flag=True, default=False, help="Print the result as JSON.")
@click.pass_context
def audit_command(ctx, mechanism, as_json, **params):
    """Estimate a lower bound on ε from the mechanism's outputs on neighbouring inputs, at the
    given confidence, and print it beside the claimed ε: PASS (exit 0) when the bound does not
    exceed the claim, FAIL (exit 1) when it does."""
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
