"""One run's settings: ``SimConfig`` composes the per-concern settings (settings.py).

The options stay flat where a user meets them (command line, ``GANLEAK_*`` variables, config
files, sweeps, config.json): ``SimConfig.from_options`` is the one step from flat options to a
config, where the dataset's defaults are resolved; ``to_dict`` is the flat record again.
``validate`` names the offending option."""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
from dataclasses import dataclass
from pathlib import Path

from ganleak_cli.attacks import ATTACKS, AttackContext
from ganleak_cli.core.components import ComponentError
from ganleak_cli.core.settings import check_field, declared, settings_from
from ganleak_cli.data import check_image_size, class_defaults, own_defaults
from ganleak_cli.data.images import COLOR_MODES
from ganleak_cli.defences import DEFENCES, DefenceContext
from ganleak_cli.protocol.rounds import PROTOCOLS, ProtocolContext, make_protocol
from ganleak_cli.protocol.selection import SELECTIONS
from ganleak_cli.simulation.settings import (
    DataSettings,
    EvaluationSettings,
    ExchangeSettings,
    RunSettings,
    component_settings,
)

PARTITIONS = ("shuffle", "by-class", "target-alone")
# The layout of config.json. 1: written without this key; 2: the same keys, with the defences'
# settings declared by the defences. ``migrate_config`` brings an older layout up to this one.
CONFIG_SCHEMA = 2
MIGRATIONS = {1: dict}   # schema n → n + 1: nothing was renamed from 1 to 2
MIN_IMAGE_SIZE = 24  # the smallest side the MNIST-style CNN's valid convolutions accept
# Fields whose default is the dataset's own: None means "the dataset's default", resolved by
# ``SimConfig.from_options`` (``dataset_defaults``), so from_options(dataset="att") is att's.
# Components' settings add theirs (declared ``per_dataset``, e.g. Shokri's γ and τ).
CLASS_FIELDS = ("victim_classes", "adversary_classes", "target_class")
ATTACK_FIELDS = ("rounds", "eval_every", "local_steps")
CORE_ATTACK_DEFAULTS = {"rounds": 100, "eval_every": 10, "local_steps": 10}


def component_fields() -> list:
    """Every registered component's declared settings, each an option of the run (a
    command-line option, config-file and sweep key): (component, dataclasses.Field). A name
    declared twice, in one registry or across them, is an error."""
    fields = (PROTOCOLS.settings_fields() + DEFENCES.settings_fields()
              + ATTACKS.settings_fields())
    seen = {}
    for component, field in fields:
        if field.name in seen:
            raise ComponentError(f"{field.name}: declared by {seen[field.name]!r} and "
                                 f"{component.name!r}")
        seen[field.name] = component.name
    return fields


COMPONENT_FIELDS = component_fields()
PER_DATASET_FIELDS = ATTACK_FIELDS + tuple(
    field.name for _, field in COMPONENT_FIELDS if declared(field).per_dataset)
# the default of each per-dataset field where the dataset sets none
CORE_DEFAULTS = {**CORE_ATTACK_DEFAULTS, **{
    field.name: declared(field).base_default for _, field in COMPONENT_FIELDS
    if declared(field).per_dataset}}


def migrate_config(recorded: dict) -> dict:
    """A run's recorded config.json in the current layout (``CONFIG_SCHEMA``); ValueError
    ('config_schema: …') for a layout newer than this ganleak reads."""
    schema = recorded.get("config_schema", 1)
    if not isinstance(schema, int) or isinstance(schema, bool) or not 1 <= schema <= CONFIG_SCHEMA:
        raise ValueError(f"config_schema: {schema!r} is not a layout this ganleak reads "
                         f"(1 to {CONFIG_SCHEMA}; a newer ganleak wrote it?)")
    for step in range(schema, CONFIG_SCHEMA):
        recorded = MIGRATIONS[step](recorded)
    return {**recorded, "config_schema": CONFIG_SCHEMA}


def dataset_defaults(dataset: str, classes: bool = True) -> dict:
    """The per-dataset defaults of ``dataset``: the declared ones, the dataset's own defaults
    over them (``own_defaults``) and, with ``classes``, its victim, adversary and target
    classes (``class_defaults``: a folder dataset's classes are read from disk, and a dataset
    that cannot be read is a ValueError naming it, never another dataset's classes)."""
    own = class_defaults(dataset) if classes else {}
    return {**CORE_DEFAULTS, **own, **own_defaults(dataset)}


ProtocolSettings = component_settings(
    "ProtocolSettings", [("protocol", str, "dssgd")], PROTOCOLS.settings_fields(),
    "The round protocol (``protocol``) and every registered protocol's declared settings.",
    __name__)
DefenceSettings = component_settings(
    "DefenceSettings", [("defense", str, "none"), ("dp_delta", float, 1e-5),
                        ("dp_adversary", bool, False)], DEFENCES.settings_fields(),
    "The defence (``defense``), the δ at which ε is reported, whether the insider applies the "
    "defence too (``dp_adversary``) and every registered defence's declared settings.",
    __name__)
AttackSettings = component_settings(
    "AttackSettings", [("attack", str, "active")], ATTACKS.settings_fields(),
    "What the insider does (``attack``) and every registered attack's declared settings.",
    __name__)
# SimConfig's fields: each concern's settings
CONCERNS = {"data": DataSettings, "exchange": ExchangeSettings, "protocol": ProtocolSettings,
            "defence": DefenceSettings, "attack": AttackSettings,
            "evaluation": EvaluationSettings, "run": RunSettings}
# The options no component declares, in config.json's order (the components' follow them)
CORE_OPTIONS = (
    "dataset", "data_dir", "image_size", "color", "out", "seed", "victims", "rounds",
    "victim_classes", "adversary_classes", "records_per_class", "partition", "target_class",
    "attack", "theta_u", "theta_d", "selection", "tau", "gamma", "protocol", "lr", "batch_size",
    "local_steps", "defense", "dp_delta", "dp_adversary", "eval_every", "eval_samples",
    "checkpoint_every", "deterministic", "tensorboard")
CONCERN_OF = {field.name: concern for concern, settings in CONCERNS.items()
              for field in dataclasses.fields(settings)}


def option_fields() -> dict:
    """Every option of ``ganleak simulate`` → its settings field (its default and, for a
    component's setting, its declaration), in config.json's order: the core options, then each
    component's."""
    names = (*CORE_OPTIONS, *(field.name for _, field in COMPONENT_FIELDS))
    if sorted(names) != sorted(CONCERN_OF):
        raise ComponentError(f"options {sorted(set(names) ^ set(CONCERN_OF))}: not one field "
                             "each of the run's settings")
    fields = {field.name: field for settings in CONCERNS.values()
              for field in dataclasses.fields(settings)}
    return {name: fields[name] for name in names}


OPTION_FIELDS = option_fields()


def resolved_defaults(options: dict) -> dict:
    """The values of the per-dataset options left None in ``options`` (the dataset's defaults,
    ``dataset_defaults``; a folder dataset's classes are read from disk only when a class option
    is left None). A dataset that cannot be read is a ValueError naming it."""
    unset = [name for name in CLASS_FIELDS + PER_DATASET_FIELDS if options[name] is None]
    if not unset:
        return {}
    dataset = options["dataset"]
    try:
        defaults = dataset_defaults(dataset, any(name in CLASS_FIELDS for name in unset))
    except OSError as exc:
        raise ValueError(f"dataset: {dataset}: its classes cannot be read ({exc})") from None
    return {name: defaults[name] for name in unset}


@dataclass(frozen=True)
class SimConfig:
    """Every setting of one run, by concern; made from the flat options by ``from_options``."""

    data: DataSettings
    exchange: ExchangeSettings
    protocol: ProtocolSettings
    defence: DefenceSettings
    attack: AttackSettings
    evaluation: EvaluationSettings
    run: RunSettings

    @classmethod
    def from_options(cls, **options) -> "SimConfig":
        """The config of the options given by name (``ganleak simulate``'s, with underscores;
        the rest take their defaults). This is the one step that resolves the per-dataset
        defaults (``resolved_defaults``: it may read a folder dataset's classes); an unknown
        name is a TypeError, a dataset that cannot be read a ValueError naming it."""
        unknown = [name for name in options if name not in OPTION_FIELDS]
        if unknown:
            raise TypeError(f"{unknown[0]}: not an option of ganleak simulate")
        values = {**{name: field.default for name, field in OPTION_FIELDS.items()}, **options}
        values.update(resolved_defaults(values))
        return cls(**{concern: settings(**{field.name: values[field.name]
                                           for field in dataclasses.fields(settings)})
                      for concern, settings in CONCERNS.items()})

    def to_dict(self) -> dict:
        """Every option by name, flat and in config.json's order (what config.json records and
        ``from_options`` reads back)."""
        return {name: self._option(name) for name in OPTION_FIELDS}

    def with_options(self, **changes) -> "SimConfig":
        """This config with the named options changed (no default is resolved again)."""
        by_concern: dict[str, dict] = {}
        for name, value in changes.items():
            if name not in CONCERN_OF:
                raise TypeError(f"{name}: not an option of ganleak simulate")
            by_concern.setdefault(CONCERN_OF[name], {})[name] = value
        return dataclasses.replace(self, **{
            concern: dataclasses.replace(getattr(self, concern), **values)
            for concern, values in by_concern.items()})

    def _option(self, name: str):
        return getattr(getattr(self, CONCERN_OF[name]), name)

    def make_defence(self, fake_class: int = 10):
        """The chosen defence, built with its own settings and the run's context
        (``fake_class``: the artificial class, the dataset's class count)."""
        component = DEFENCES.get(self.defence.defense)
        return component(settings_from(component.Settings, dataclasses.asdict(self.defence)),
                         self.defence_context(fake_class))

    def make_protocol(self):
        """The chosen round protocol, built with its own settings and the run's context."""
        context = ProtocolContext(participants=self.data.victims + 1,
                                  theta_u=self.exchange.theta_u, theta_d=self.exchange.theta_d)
        return make_protocol(self.protocol.protocol, dataclasses.asdict(self.protocol), context)

    def make_attack(self, fake_class: int):
        """The chosen attack, built with its own settings and the run's context (``fake_class``:
        the artificial class, the dataset's class count)."""
        component = ATTACKS.get(self.attack.attack)
        context = AttackContext(target_class=self.data.target_class, fake_class=fake_class,
                                own_records=bool(self.data.adversary_classes))
        return component(settings_from(component.Settings, dataclasses.asdict(self.attack)),
                         context)

    def defence_context(self, fake_class: int = 10) -> DefenceContext:
        """What a defence may read of the run: exchange and training rules, δ, --dp-adversary,
        the insider's classes (its artificial one included) and its target."""
        exchange, data = self.exchange, self.data
        return DefenceContext(theta_u=exchange.theta_u, gamma=exchange.gamma,
                              batch_size=exchange.batch_size, local_steps=exchange.local_steps,
                              protocol=self.protocol.protocol,
                              selective=PROTOCOLS.get(self.protocol.protocol).selective,
                              delta=self.defence.dp_delta,
                              adversary_private=self.defence.dp_adversary,
                              insider_classes=(*data.adversary_classes, fake_class),
                              target_class=data.target_class)

    def validate(self, num_classes: int = 10) -> "SimConfig":
        """Raise ValueError('<option>: …') for the first inconsistent setting; return self."""
        for name, value in self.to_dict().items():
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{name}: must be a finite number, got {value}")
        data, exchange, run = self.data, self.exchange, self.run
        for name, value, low in (("victims", data.victims, 1), ("rounds", run.rounds, 1),
                                 ("batch_size", exchange.batch_size, 1),
                                 ("local_steps", exchange.local_steps, 1),
                                 ("eval_every", self.evaluation.eval_every, 1),
                                 ("eval_samples", self.evaluation.eval_samples, 64)):
            if value < low:
                raise ValueError(f"{name}: must be ≥ {low}, got {value}")
        for name, value in (("theta_u", exchange.theta_u), ("theta_d", exchange.theta_d)):
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name}: must be in (0, 1], got {value}")
        if not exchange.lr > 0:
            raise ValueError(f"lr: must be > 0, got {exchange.lr}")
        if exchange.tau < 0:
            raise ValueError(f"tau: must be ≥ 0, got {exchange.tau}")
        if exchange.gamma is not None and not exchange.gamma > 0:
            raise ValueError(f"gamma: must be > 0, got {exchange.gamma}")
        if run.checkpoint_every is not None and run.checkpoint_every < 1:
            raise ValueError(f"checkpoint_every: must be ≥ 1, got {run.checkpoint_every}")
        if data.records_per_class is not None and data.records_per_class < 1:
            raise ValueError(f"records_per_class: must be ≥ 1, got {data.records_per_class}")
        _validate_image_size(data)
        self._validate_protocol()
        self._validate_choices()
        _validate_classes(data, self.attack.attack, num_classes)
        self._validate_components(num_classes)
        return self

    def with_out(self, root: str = "runs") -> "SimConfig":
        """``out`` given, or a fresh folder ``<root>/<date>-<time>-<dataset>-<attack>`` (``-2``,
        ``-3``, … when that exists), so that running the same command twice never collides."""
        if self.run.out is not None:
            return self
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        dataset = re.sub(r"[^A-Za-z0-9]+", "_", self.data.dataset.split(":")[0])
        base = Path(root) / f"{stamp}-{dataset}-{self.attack.attack}"
        folder, n = base, 1
        while folder.exists():
            n += 1
            folder = base.with_name(f"{base.name}-{n}")
        return self.with_options(out=str(folder))

    def with_defense(self) -> "SimConfig":
        """A setting that selects its defence (a Shokri budget), given without ``--defense``,
        selects that defence."""
        if self.defence.defense != OPTION_FIELDS["defense"].default:  # a defence was named
            return self
        for component, field in COMPONENT_FIELDS:
            if declared(field).selects and self._option(field.name) is not None:
                return self.with_options(defense=component.name)
        return self

    def _validate_components(self, num_classes: int) -> None:
        if not 0 < self.defence.dp_delta < 1:
            raise ValueError(f"dp_delta: must be in (0, 1), got {self.defence.dp_delta}")
        for component, field in COMPONENT_FIELDS:
            value = self._option(field.name)
            check_field(field.name, value, declared(field))
            if (declared(field).selects and value is not None
                    and component.name != self.defence.defense):
                raise ValueError(f"{field.name}: a {component.name} setting cannot be used "
                                 f"with --defense {self.defence.defense}")
        self.make_defence(num_classes).validate()
        self.make_attack(num_classes).validate()

    def _validate_protocol(self) -> None:
        chosen = PROTOCOLS.get(self.protocol.protocol)
        for component, field in PROTOCOLS.settings_fields():
            if component is not chosen and getattr(self.protocol, field.name) != field.default:
                raise ValueError(f"{field.name}: a {component.name} setting; it needs "
                                 f"--protocol {component.name}")
        self.make_protocol().validate()

    def _validate_choices(self) -> None:
        for name, value, allowed in (
                ("selection", self.exchange.selection, SELECTIONS),
                ("protocol", self.protocol.protocol, PROTOCOLS.names()),
                ("partition", self.data.partition, PARTITIONS),
                ("color", self.data.color, tuple(COLOR_MODES))):
            if value not in allowed:
                raise ValueError(f"{name}: must be one of {', '.join(allowed)}, got {value!r}")


def _validate_image_size(data: DataSettings) -> None:
    size = data.image_size
    if size is not None and (size < MIN_IMAGE_SIZE or size % 4):
        raise ValueError(f"image_size: must be a multiple of 4 and ≥ {MIN_IMAGE_SIZE} "
                         f"(the generator doubles its side from ≥ 4), got {size}")
    check_image_size(data.dataset, size)


def _validate_classes(data: DataSettings, attack: str, num_classes: int) -> None:
    """The class options against each other, the partition and the chosen ``attack``."""
    for name in ("victim_classes", "adversary_classes"):
        classes = getattr(data, name)
        if len(set(classes)) != len(classes) or not (classes or name == "adversary_classes"):
            raise ValueError(f"{name}: must list distinct classes, got {list(classes)}")
        if any(not 0 <= c < num_classes for c in classes):
            raise ValueError(f"{name}: classes must be in 0..{num_classes - 1}")
    if not data.adversary_classes and not ATTACKS.get(attack).trains_without_records:
        raise ValueError("adversary_classes: an adversary without records of its own (none) "
                         "trains only on its generated samples; it needs --attack active")
    if data.partition == "by-class" and data.victims > len(data.victim_classes):
        raise ValueError(f"victims: --partition by-class gives each victim whole classes; "
                         f"{data.victims} victims cannot share "
                         f"{len(data.victim_classes)} classes")
    if data.partition == "target-alone" and (data.victims < 2 or len(data.victim_classes) < 2):
        raise ValueError("victims: --partition target-alone gives one victim the target class "
                         "alone and the others the other victim classes; it needs at least "
                         "2 victims and 2 victim classes")
    if data.target_class in data.adversary_classes:
        raise ValueError(f"target_class: {data.target_class} is held by the adversary; "
                         "the target must be a class only victims hold")
    if data.target_class not in data.victim_classes:
        raise ValueError(f"target_class: {data.target_class} is not held by any victim "
                         f"(victim classes {list(data.victim_classes)})")
    if set(data.victim_classes) & set(data.adversary_classes):
        raise ValueError("adversary_classes: must not overlap victim_classes")
