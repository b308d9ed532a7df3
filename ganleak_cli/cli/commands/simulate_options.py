"""Every option of ``ganleak simulate``, declared once; ``privacy`` takes a subset of them, and
config files, ``GANLEAK_*`` variables and sweeps read the same declarations. ``build_config``
turns the parsed options into a validated SimConfig (``SimConfig.from_options``: per-dataset
defaults resolve there)."""

from __future__ import annotations

import click

from ganleak_cli.attacks import ATTACKS
from ganleak_cli.cli.commands.declared import declared_option
from ganleak_cli.cli.commands.options import option
from ganleak_cli.cli.commands.params import (
    FRACTION,
    NON_NEGATIVE_FLOAT,
    POSITIVE_FLOAT,
    POSITIVE_INT,
    ClassList,
    DatasetName,
    FiniteFloat,
)
from ganleak_cli.cli.configfile import apply_config_file
from ganleak_cli.core.settings import declared
from ganleak_cli.data import dataset_names, dataset_num_classes, own_defaults
from ganleak_cli.data.images import COLOR_MODES
from ganleak_cli.defences import DEFENCES
from ganleak_cli.protocol.rounds import PROTOCOLS
from ganleak_cli.protocol.selection import SELECTIONS
from ganleak_cli.simulation.config import (
    CORE_DEFAULTS,
    OPTION_FIELDS,
    PARTITIONS,
    SimConfig,
)

# What `ganleak privacy` offers: the options that change the ε a victim spends or the mechanism
# that spends it (the rest of a simulate configuration file is checked, then ignored): these and
# every defence's own settings.
PRIVACY_FIELDS = frozenset({
    "config", "dataset", "image_size", "color", "victims", "rounds", "victim_classes",
    "records_per_class", "theta_u", "defense", "dp_delta", "dp_adversary", "local_steps",
    "batch_size", "as_json"} | {field.name for _, field in DEFENCES.settings_fields()})


def sim_option(*decls: str, **kwargs):
    """A simulate option of the run's settings: its default is the settings field's (the one
    source)."""
    names = [d for d in decls if not d.startswith("-")]
    name = names[0] if names else decls[0].split("/")[0].lstrip("-").replace("-", "_")
    return option(*decls, default=OPTION_FIELDS[name].default, **kwargs)


def per_dataset_default(name: str) -> str:
    """``--help``'s default of a per-dataset field, e.g. ``100 (att: 1000)``."""
    tables = {dataset: own_defaults(dataset) for dataset in dataset_names()}
    own = "; ".join(f"{dataset}: {table[name]}" for dataset, table in tables.items()
                    if name in table)
    core = CORE_DEFAULTS[name]
    return f"{core} ({own})" if own else str(core)


def component_options(registry, help_text: str) -> list:
    """The option choosing a component of ``registry`` (``--defense``, ``--attack``: every
    registered one, each with its one-line summary) and the options of each component's own
    declared settings."""
    summaries = "; ".join(f"{c.name}: {c.summary}" for c in registry.all() if c.summary)
    chosen = sim_option(f"--{registry.kind}", type=click.Choice(registry.names()),
                        help=f"{help_text} ({summaries}).")
    return [chosen] + [declared_option(field, per_dataset_default(field.name)
                                       if declared(field).per_dataset else None)
                       for _, field in registry.settings_fields()]


SIMULATE_OPTIONS = [
    option("--config", type=click.Path(exists=True, dir_okay=False), default=None,
           show_default=False, is_eager=True, expose_value=False, callback=apply_config_file,
           help="TOML or JSON file of option values (keys are option names, e.g. "
                "theta-u = 0.1; a run's config.json works). Command-line flags and GANLEAK_* "
                "variables override it."),
    sim_option("--dataset", type=DatasetName(),
               help="Dataset: mnist, att (AT&T/ORL faces), cifar10 (binary archive), or "
                    "folder:PATH (one sub-folder of images per class)."),
    sim_option("--image-size", type=POSITIVE_INT,
               show_default="64; cifar10 32; mnist 28 only",
               help="Side of the square images att, cifar10 and folder datasets are resized to "
                    "(a multiple of 4, ≥ 24)."),
    sim_option("--color", type=click.Choice(tuple(COLOR_MODES)),
               help="Colour of folder:PATH and cifar10 images (att and mnist are grey)."),
    sim_option("--data-dir", type=click.Path(file_okay=False), show_default=False,
               help="Local folder with the dataset files (flat or under <dataset>/, att: "
                    "att_faces/); otherwise they are downloaded and cached."),
    sim_option("--out", type=click.Path(file_okay=False),
               show_default="a fresh runs/<date>-<time>-<dataset>-<attack>, printed first",
               help="Run folder to write."),
    option("--overwrite", is_flag=True, default=False, help="Replace an existing --out folder."),
    sim_option("--seed", type=click.IntRange(min=0), help="Seed of every random choice."),
    sim_option("--victims", type=POSITIVE_INT, help="Number of honest participants."),
    sim_option("--rounds", type=POSITIVE_INT, show_default=per_dataset_default("rounds"),
               help="Rounds (every participant takes one turn per round)."),
    sim_option("--victim-classes", type=ClassList(),
               show_default="mnist 0-4; others the first half (att 0-19)",
               help="Classes the victims hold (records split between victims without overlap)."),
    sim_option("--adversary-classes", type=ClassList(),
               show_default="mnist 5-9; others the second half (att 20-39)",
               help="Classes the adversary holds; 'none': no records of its own (with --attack "
                    "active it trains only on its generated samples)."),
    sim_option("--records-per-class", type=POSITIVE_INT, show_default="all",
               help="Use at most this many training records of each class."),
    sim_option("--partition", type=click.Choice(PARTITIONS),
               help="How the victims share their classes' records: shuffle (disjoint random "
                    "shares), by-class (victim i holds whole classes i, i+N, …; with 40 victims "
                    "on att, one person each) or target-alone (victim 1 holds the target class "
                    "alone, the others share the rest: the target held by one client)."),
    sim_option("--target-class", type=click.IntRange(min=0),
               show_default="mnist 3; att 7 (person s8); others 0",
               help="The victims' class the adversary reconstructs."),
    sim_option("--theta-u", type=FRACTION, help="Fraction of Δ uploaded per turn."),
    sim_option("--theta-d", type=FRACTION,
               help="Fraction of parameters downloaded per turn (most-updated first)."),
    sim_option("--selection", type=click.Choice(SELECTIONS),
               help="Upload rule: largest |Δ|, or random among |Δ| ≥ τ."),
    sim_option("--tau", type=NON_NEGATIVE_FLOAT,
               help="Threshold τ of the random upload rule."),
    sim_option("--gamma", type=POSITIVE_FLOAT, show_default="no bound",
               help="Clip each uploaded value to [−γ, γ]."),
    *component_options(PROTOCOLS, "How a round is played"),
    sim_option("--lr", type=POSITIVE_FLOAT, help="Local SGD learning rate."),
    sim_option("--batch-size", type=POSITIVE_INT, help="Local mini-batch size."),
    sim_option("--local-steps", type=POSITIVE_INT, show_default=per_dataset_default("local_steps"),
               help="Mini-batches of own records per turn."),
    *component_options(ATTACKS, "What the insider does"),
    *component_options(DEFENCES, "Defence of the honest participants"),
    sim_option("--dp-delta", type=FiniteFloat(min=0.0, max=1.0, min_open=True, max_open=True),
               help="δ at which composed ε is reported."),
    sim_option("--dp-adversary", is_flag=True,
               help="Apply the defence to the adversary's uploads too."),
    sim_option("--eval-every", type=POSITIVE_INT, show_default=per_dataset_default("eval_every"),
               help="Evaluate every K rounds."),
    sim_option("--eval-samples", type=click.IntRange(min=64),
               help="Generated samples scored and saved per evaluation."),
    sim_option("--checkpoint-every", type=POSITIVE_INT,
               show_default="every evaluation",
               help="Write checkpoint.npz every K rounds (what --resume continues from)."),
    sim_option("--deterministic/--no-deterministic",
               help="TensorFlow op determinism: the same seed gives byte-identical metrics and "
                    "samples (see docs/benchmarks.md for its cost in speed)."),
    sim_option("--tensorboard", is_flag=True,
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


def usage_error(exc: ValueError) -> click.BadParameter:
    """``ValueError('<field>: message')`` → a usage error naming the option ``--<field>``."""
    field, _, message = str(exc).partition(": ")
    return click.BadParameter(message, param_hint="'--" + field.replace("_", "-") + "'")


def build_config(params: dict) -> SimConfig:
    """Options → validated SimConfig; an inconsistent setting becomes a usage error (exit 2)."""
    fields = {k: v for k, v in params.items() if k in OPTION_FIELDS}
    try:
        cfg = SimConfig.from_options(**fields).with_defense()
        return cfg.validate(dataset_num_classes(cfg.data.dataset))
    except ValueError as exc:
        raise usage_error(exc) from None
