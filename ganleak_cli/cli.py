"""The ``ganleak`` command line. No ML code here, and no TensorFlow import until a command runs."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import click

from ganleak_cli import __version__
from ganleak_cli.attacks import ATTACKS, MIA_PROCESSES
from ganleak_cli.audit_cli import audit_command
from ganleak_cli.cli_options import option
from ganleak_cli.config import ACCOUNTANTS, DEFENSES, FAKE_POOLS, PARTITIONS, SimConfig
from ganleak_cli.configfile import apply_config_file
from ganleak_cli.data import DATASETS, dataset_num_classes
from ganleak_cli.data.folder import PREFIX as FOLDER_PREFIX
from ganleak_cli.data.images import COLOR_MODES
from ganleak_cli.datasets_cli import datasets
from ganleak_cli.errors import ConfigError, GanleakError
from ganleak_cli.protocol.order import ORDERS
from ganleak_cli.protocol.rounds import PROTOCOLS
from ganleak_cli.protocol.selection import SELECTIONS
from ganleak_cli.report_cli import report_command
from ganleak_cli.reproduce_cli import reproduce_command
from ganleak_cli.resume_cli import resume_config
from ganleak_cli.runname import named_config
from ganleak_cli.stdio import stdout_to_stderr
from ganleak_cli.sweep_cli import sweep_command

# What `ganleak privacy` offers: the options that change the ε a victim spends or the mechanism
# that spends it (the rest of a simulate configuration file is checked, then ignored).
PRIVACY_FIELDS = frozenset({
    "config", "dataset", "image_size", "color", "victims", "rounds", "victim_classes",
    "records_per_class", "theta_u", "defense", "dp_eps", "dp_eps_per_param", "dp_gamma", "dp_tau",
    "dp_delta", "dp_adversary", "local_steps", "batch_size", "noise_multiplier", "l2_clip",
    "accountant", "as_json"})
POSITIVE_INT = click.IntRange(min=1)
FRACTION = click.FloatRange(min=0.0, max=1.0, min_open=True)
POSITIVE_FLOAT = click.FloatRange(min=0.0, min_open=True)


class ClassList(click.ParamType):
    """A comma-separated list of class indices, e.g. ``0,1,2,3,4`` or ``0-4``; ``none`` is the
    empty list (an adversary without records of its own)."""

    name = "CLASSES"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        if str(value).strip().lower() == "none":
            return ()
        try:
            out = []
            for part in str(value).split(","):
                lo, _, hi = part.strip().partition("-")
                out.extend(range(int(lo), int(hi) + 1) if hi else [int(lo)])
            return tuple(out)
        except ValueError:
            self.fail(f"{value!r} is not a comma-separated list of class numbers", param, ctx)


class DatasetName(click.ParamType):
    """A registered dataset (``data.DATASETS``) or ``folder:PATH`` (your own images)."""

    name = "DATASET"

    def convert(self, value, param, ctx):
        if value in DATASETS or (str(value).startswith(FOLDER_PREFIX)
                                        and len(str(value)) > len(FOLDER_PREFIX)):
            return value
        self.fail(f"{value!r} is not one of {', '.join(sorted(DATASETS))} or "
                  f"{FOLDER_PREFIX}PATH", param, ctx)


SIMULATE_OPTIONS = [
    option("--config", type=click.Path(exists=True, dir_okay=False), default=None,
           show_default=False, is_eager=True, expose_value=False, callback=apply_config_file,
           help="TOML or JSON file of option values (keys are option names, e.g. "
                "theta-u = 0.1; a run's config.json works). Command-line flags and GANLEAK_* "
                "variables override it."),
    option("--dataset", type=DatasetName(), default="mnist",
           help="Dataset: mnist, att (AT&T/ORL faces), cifar10 (binary archive), or "
                "folder:PATH (one sub-folder of images per class)."),
    option("--image-size", type=POSITIVE_INT, default=None,
           show_default="64; cifar10 32; mnist 28 only",
           help="Side of the square images att, cifar10 and folder datasets are resized to "
                "(a multiple of 4, ≥ 24)."),
    option("--color", type=click.Choice(tuple(COLOR_MODES)), default="grey",
           help="Colour of folder:PATH and cifar10 images (att and mnist are grey)."),
    option("--data-dir", type=click.Path(file_okay=False), default=None, show_default=False,
           help="Local folder with the dataset files (flat or under <dataset>/, att: "
                "att_faces/); otherwise they are downloaded and cached."),
    option("--out", type=click.Path(file_okay=False), default="runs/latest",
           help="Run folder to write."),
    option("--overwrite", is_flag=True, default=False, help="Replace an existing --out folder."),
    option("--seed", type=click.IntRange(min=0), default=0, help="Seed of every random choice."),
    option("--victims", type=POSITIVE_INT, default=1, help="Number of honest participants."),
    option("--rounds", type=POSITIVE_INT, default=None, show_default="100 (att: 1000)",
           help="Rounds (every participant takes one turn per round)."),
    option("--victim-classes", type=ClassList(), default=None,
           show_default="mnist 0-4; others the first half (att 0-19)",
           help="Classes the victims hold (records split between victims without overlap)."),
    option("--adversary-classes", type=ClassList(), default=None,
           show_default="mnist 5-9; others the second half (att 20-39)",
           help="Classes the adversary holds; 'none': no records of its own (with --attack "
                "active it trains only on its generated samples)."),
    option("--records-per-class", type=POSITIVE_INT, default=None, show_default="all",
           help="Use at most this many training records of each class."),
    option("--partition", type=click.Choice(PARTITIONS), default="shuffle",
           help="How the victims share their classes' records: shuffle (disjoint random "
                "shares) or by-class (victim i holds whole classes i, i+N, …; with 40 victims "
                "on att, one person each)."),
    option("--target-class", type=click.IntRange(min=0), default=None,
           show_default="mnist 3; att 7 (person s8); others 0",
           help="The victims' class the adversary reconstructs."),
    option("--attack", type=click.Choice(ATTACKS), default="active",
           help="active: inject generated samples as the artificial class; passive: generator "
                "only; none: the adversary is an honest participant; mia: honest participant "
                "that runs the MI-FACE model inversion baseline at each evaluation."),
    option("--theta-u", type=FRACTION, default=1.0, help="Fraction of Δ uploaded per turn."),
    option("--theta-d", type=FRACTION, default=1.0,
           help="Fraction of parameters downloaded per turn (most-updated first)."),
    option("--selection", type=click.Choice(SELECTIONS), default="largest",
           help="Upload rule: largest |Δ|, or random among |Δ| ≥ τ."),
    option("--tau", type=click.FloatRange(min=0.0), default=0.0,
           help="Threshold τ of the random upload rule."),
    option("--gamma", type=POSITIVE_FLOAT, default=None, show_default="no bound",
           help="Clip each uploaded value to [−γ, γ]."),
    option("--order", type=click.Choice(ORDERS), default="round-robin",
           help="Exchange order of the participants (dssgd only)."),
    option("--protocol", type=click.Choice(PROTOCOLS), default="dssgd",
           help="dssgd: Shokri & Shmatikov's selective SGD turns; fedavg: every participant "
                "trains from the global model and the server averages the models, weighted by "
                "record count."),
    option("--lr", type=POSITIVE_FLOAT, default=0.05, help="Local SGD learning rate."),
    option("--batch-size", type=POSITIVE_INT, default=64, help="Local mini-batch size."),
    option("--local-steps", type=POSITIVE_INT, default=None, show_default="10 (att: 1)",
           help="Mini-batches of own records per turn."),
    option("--gen-steps", type=POSITIVE_INT, default=None, show_default="10 (att: 1)",
           help="Generator updates per adversary turn."),
    option("--gen-batch", type=POSITIVE_INT, default=64, help="Generator mini-batch size."),
    option("--gen-lr", type=POSITIVE_FLOAT, default=2e-4, help="Generator Adam learning rate."),
    option("--gen-tv", type=click.FloatRange(min=0.0), default=None,
           show_default="0 (att: 4)",
           help="Weight of a total-variation penalty in the generator's loss (an adversary's "
                "prior that images are smooth; 0 is the paper's attack)."),
    option("--fakes-per-turn", type=click.IntRange(min=0), default=None,
           show_default="640 (att: 64)",
           help="Generated samples labelled as the artificial class per adversary turn."),
    option("--fake-pool", type=click.Choice(FAKE_POOLS), default="replace",
           help="replace: train on this turn's fakes only; accumulate: keep earlier ones too."),
    option("--defense", type=click.Choice(DEFENSES), default="none",
           help="Defence of the honest participants: Shokri's DP uploads or DP-SGD "
                "(a --dp-eps budget alone selects shokri)."),
    option("--dp-eps", type=POSITIVE_FLOAT, default=None, show_default="off",
           help="Shokri: ε per upload (one local training turn) per participant."),
    option("--dp-eps-per-param", type=POSITIVE_FLOAT, default=None, show_default="off",
           help="Shokri: the paper's ε/c, c = ⌈θu·|w|⌉ (excludes --dp-eps)."),
    option("--dp-gamma", type=POSITIVE_FLOAT, default=0.01,
           help="Shokri: clip bound γ of released values (sensitivity 2γ)."),
    option("--dp-tau", type=click.FloatRange(min=0.0), default=0.0001,
           help="Shokri: selection threshold τ."),
    option("--dp-delta", type=click.FloatRange(min=0.0, max=1.0, min_open=True, max_open=True),
           default=1e-5, help="δ at which composed ε is reported."),
    option("--dp-adversary", is_flag=True, default=False,
           help="Apply the defence to the adversary's uploads too."),
    option("--noise-multiplier", type=POSITIVE_FLOAT, default=1.0,
           help="DP-SGD: Gaussian noise σ (std σ·C on the summed gradients)."),
    option("--l2-clip", type=POSITIVE_FLOAT, default=1.0,
           help="DP-SGD: per-example gradient L2 clip C."),
    option("--accountant", type=click.Choice(ACCOUNTANTS), default="rdp",
           help="DP-SGD accountant (Shokri's pure-ε uploads use PLD or basic composition)."),
    option("--attack-after", type=click.IntRange(min=0), default=0,
           help="Honest turns the adversary takes before it starts the attack (a patient "
                "insider waits for the shared model to learn the victims' classes)."),
    option("--mia-iterations", type=POSITIVE_INT, default=1000,
           help="MI-FACE (--attack mia): at most α gradient steps per evaluation "
                "(the paper: 5000)."),
    option("--mia-window", type=POSITIVE_INT, default=100,
           help="MI-FACE: β, the window of the plateau stopping rule."),
    option("--mia-min-improvement", type=click.FloatRange(min=0.0), default=1e-4,
           help="MI-FACE: stop a sample when its best cost improved by no more than this "
                "over the last --mia-window steps."),
    option("--mia-cost-threshold", type=click.FloatRange(min=0.0, max=1.0, max_open=True),
           default=0.0, help="MI-FACE: the paper's γ, stop a sample once its cost "
                             "1 − p(target) ≤ this (0: off)."),
    option("--mia-lr", type=POSITIVE_FLOAT, default=4.0,
           help="MI-FACE: λ, the gradient step on the image in the model's range [−1, 1] "
                "(the paper's λ = 0.1 on [0, 1] pixels is 0.4 here)."),
    option("--mia-process", type=click.Choice(MIA_PROCESSES), default="none",
           help="MI-FACE: the Process step after each gradient step (blur: 3×3 Gaussian "
                "denoise)."),
    option("--mia-init-noise", type=click.FloatRange(min=0.0), default=0.1,
           help="MI-FACE: std of the seeded noise added to the paper's start x₀ = 0 (black), "
                "so that the --eval-samples inversions differ (0: all identical)."),
    option("--eval-every", type=POSITIVE_INT, default=None, show_default="10 (att: 100)",
           help="Evaluate every K rounds."),
    option("--eval-samples", type=click.IntRange(min=64), default=100,
           help="Generated samples scored and saved per evaluation."),
    option("--checkpoint-every", type=POSITIVE_INT, default=None,
           show_default="every evaluation",
           help="Write checkpoint.npz every K rounds (what --resume continues from)."),
    option("--deterministic/--no-deterministic", default=True,
           help="TensorFlow op determinism: the same seed gives byte-identical metrics and "
                "samples (see docs/benchmarks.md for its cost in speed)."),
    option("--tensorboard", is_flag=True, default=False,
           help="Also write TensorBoard event files (every metric and the sample grid at "
                "each evaluation) under RUN_DIR/tensorboard/."),
    option("--json", "as_json", is_flag=True, default=False,
           help="Print summary.json to stdout (progress stays on stderr)."),
]


def option_name(decorator) -> str:
    """The parameter name of a click option decorator."""
    return decorator(lambda: None).__click_params__[-1].name


def options_named(options, names) -> list:
    """The option decorators of ``options`` whose parameter is in ``names`` (in order)."""
    return [opt for opt in options if option_name(opt) in names]


def apply_options(options):
    """Decorate a command with a list of options (in order)."""
    def decorate(func):
        for opt in reversed(options):
            func = opt(func)
        return func
    return decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ganleak")
def main():
    """Simulate collaborative deep learning with a GAN insider and measure what leaks."""


main.add_command(datasets)
main.add_command(report_command)
main.add_command(sweep_command)
main.add_command(reproduce_command)
main.add_command(audit_command)


def usage_error(exc: ValueError) -> click.BadParameter:
    """``ValueError('<field>: message')`` → a usage error naming the option ``--<field>``."""
    field, _, message = str(exc).partition(": ")
    return click.BadParameter(message, param_hint="'--" + field.replace("_", "-") + "'")


def build_config(params: dict) -> SimConfig:
    """Options → validated SimConfig; an inconsistent setting becomes a usage error (exit 2)."""
    fields = {k: v for k, v in params.items() if k in SimConfig.__dataclass_fields__}
    try:
        cfg = SimConfig(**fields).with_defense()
        return cfg.validate(dataset_num_classes(cfg.dataset))
    except ValueError as exc:
        raise usage_error(exc) from None


def check_writable(out: str) -> None:
    """Fail early (exit 1, one line) when --out cannot be created or written."""
    ancestor = Path(out).absolute()
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise click.ClickException(f"--out {out}: cannot create it, {ancestor} is a file")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise click.ClickException(f"--out {out}: {ancestor} is not writable")


def prepare_out(out: str, overwrite: bool) -> None:
    """Refuse a non-empty --out unless --overwrite (then clear it); check it can be written."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise click.BadParameter(f"{out} exists and is not a folder", param_hint="--out")
    check_writable(out)
    if path.is_dir() and any(path.iterdir()):
        if not overwrite:
            raise click.BadParameter(f"{out} is not empty (use --overwrite to replace it, or "
                                     "--resume to continue it)",
                                     param_hint="--out")
        shutil.rmtree(path)


def progress_line(record: dict, seconds: float) -> None:
    """One human progress line on stderr."""
    parts = [f"round {record['round']:4d}", f"{seconds:7.1f}s",
             f"acc {record['model_accuracy']:.3f}",
             f"victim-acc {record['victim_class_accuracy']:.3f}"]
    if "oracle_target_rate" in record:
        parts += [f"oracle {record['oracle_target_rate']:.2f}",
                  f"ssim {record['nn_ssim_heldout']:.3f}"]
    if "identity_match" in record:
        parts.append(f"identity {record['identity_match']:.2f} "
                     f"(flat {record['identity_flat_baseline']:.2f})")
    if "face_verdict" in record:
        failed = record["face_verdict_failed"]
        parts.append(f"self-ssim {record['sample_self_ssim']:.2f}  "
                     f"verdict {'fail (' + failed + ')' if failed else 'pass'}")
    if "epsilon_total" in record:
        parts.append(f"ε {record['epsilon_total']:.4g} (δ={record['delta']:g})")
    click.echo("  ".join(parts), err=True)


def finished_summary(run_dir: str) -> dict | None:
    """The summary of a run folder that already finished (None when it has not)."""
    path = Path(run_dir) / "summary.json"
    return json.loads(path.read_text()) if path.is_file() else None


@main.command()
@apply_options(SIMULATE_OPTIONS)
@option("--name", default=None, show_default=False, metavar="TEMPLATE",
        help="Name the run folder <--out>/<TEMPLATE formatted with the options>, e.g. "
             "'eps{dp_eps_per_param}_tu{theta_u}_s{seed}' (letters, digits and ._,=+@%- only).")
@option("--resume", type=click.Path(exists=True, file_okay=False), default=None,
        show_default=False,
        help="Continue the run in RUN_DIR from its last checkpoint, with the options "
             "recorded in its config.json (a finished run is only reported).")
@click.pass_context
def simulate(ctx, **params):
    """Run collaborative learning with victims and a GAN insider; write a run folder."""
    if params["resume"]:
        cfg = build_config(resume_config(ctx, params["resume"]).to_dict())
        summary = finished_summary(cfg.out)
        if summary is not None:
            click.echo(f"{cfg.out} already finished; nothing to resume", err=True)
            report(summary, cfg, params["as_json"])
            return
    else:
        cfg = named_config(build_config(params), params["name"])
        prepare_out(cfg.out, params["overwrite"])
    with stdout_to_stderr():  # stdout carries only the --json summary
        summary = run_checked(cfg, bool(params["resume"]))
    report(summary, cfg, params["as_json"])


def report(summary: dict, cfg: SimConfig, as_json: bool) -> None:
    """The closing line on stderr and, with --json, the summary on stdout."""
    click.echo(f"done in {summary['wall_seconds']:.1f}s; run folder: {cfg.out}", err=True)
    if as_json:
        click.echo(json.dumps(summary, sort_keys=True))


def run_checked(cfg: SimConfig, resume: bool) -> dict:
    """Run the simulation; configuration problems exit 2, runtime failures exit 1."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from ganleak_cli.run import simulate as run_simulation

    try:
        return run_simulation(cfg, progress=progress_line, resume=resume)
    except ConfigError as exc:
        raise usage_error(exc) from None
    except (GanleakError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


def describe_plan(plan: dict) -> str:
    """Human-readable lines for ``ganleak privacy``."""
    if plan["defense"] == "none":
        return "defense: none — nothing is noised, no ε is spent (give --dp-eps or --defense)"
    lines = [f"defense: {plan['defense']}   parameters |w| = {plan['parameters']}   "
             f"rounds = {plan['rounds']}"]
    if plan["defense"] == "shokri":
        lines += [f"values released per upload c = ⌈θu·|w|⌉ = {plan['released_per_upload']}",
                  "ε per upload (nominal, per epoch per participant): "
                  f"{plan['epsilon_nominal']:.6g}",
                  f"ε/c (per parameter, as the paper quotes it): {plan['epsilon_per_param']:.6g}"]
    lines += [f"composed ε at δ = {plan['delta']:g} ({plan['accountant']}): "
              f"one round {plan['epsilon_round']:.6g}, whole run {plan['epsilon_total']:.6g}"]
    return "\n".join(lines)


@main.command()
@apply_options(options_named(SIMULATE_OPTIONS, PRIVACY_FIELDS))
def privacy(**params):
    """Print the ε a simulate configuration would spend, without training."""
    cfg = build_config(victims_only(params))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with stdout_to_stderr():
        from ganleak_cli.privacy.plan import privacy_plan

        try:
            plan = privacy_plan(cfg)
        except ConfigError as exc:
            raise usage_error(exc) from None
    click.echo(json.dumps(plan, sort_keys=True) if params["as_json"] else describe_plan(plan))


privacy.config_also_checks = simulate  # a simulate config file (or a run's config.json) works


def victims_only(params: dict) -> dict:
    """Given the victims' classes, privacy needs no adversary classes or target (they change no
    victim's ε): the adversary holds none and the target is the victims' first class."""
    classes = params.get("victim_classes")
    if not classes:
        return params
    return {**params, "adversary_classes": (), "target_class": classes[0]}


if __name__ == "__main__":
    sys.exit(main())
