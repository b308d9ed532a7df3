"""One run's settings as a frozen dataclass; ``validate`` names the offending field."""

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

PARTITIONS = ("shuffle", "by-class", "target-alone")
# The layout of config.json. 1: written without this key; 2: the same keys, with the defences'
# settings declared by the defences. ``migrate_config`` brings an older layout up to this one.
CONFIG_SCHEMA = 2
MIGRATIONS = {1: dict}   # schema n → n + 1: nothing was renamed from 1 to 2
MIN_IMAGE_SIZE = 24  # the smallest side the MNIST-style CNN's valid convolutions accept
# Fields whose default is the dataset's own: None means "the dataset's default", resolved when
# the SimConfig is made (``dataset_defaults``), so SimConfig(dataset="att") is att's setting.
# Components' settings add theirs (declared ``per_dataset``, e.g. Shokri's γ and τ).
CLASS_FIELDS = ("victim_classes", "adversary_classes", "target_class")
ATTACK_FIELDS = ("rounds", "eval_every", "local_steps")
CORE_ATTACK_DEFAULTS = {"rounds": 100, "eval_every": 10, "local_steps": 10}


def component_fields() -> list:
    """Every registered component's declared settings, each a field of the run config (its
    option, config-file and sweep key): (component, dataclasses.Field). A name declared twice,
    in one registry or across them, is an error."""
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


@dataclass(frozen=True)
class CoreConfig:
    """The options of ``ganleak simulate`` that no component declares; ``SimConfig`` adds
    every registered component's settings to them (defaults are the documented ones)."""

    dataset: str = "mnist"
    data_dir: str | None = None
    image_size: int | None = None
    color: str = "grey"
    out: str | None = None             # None: a fresh folder under runs/ (``with_out``)
    seed: int = 0
    victims: int = 1
    rounds: int | None = None
    victim_classes: tuple[int, ...] | None = None
    adversary_classes: tuple[int, ...] | None = None
    records_per_class: int | None = None
    partition: str = "shuffle"
    target_class: int | None = None
    attack: str = "active"
    theta_u: float = 1.0
    theta_d: float = 1.0
    selection: str = "largest"
    tau: float = 0.0
    gamma: float | None = None
    protocol: str = "dssgd"
    lr: float = 0.05
    batch_size: int = 64
    local_steps: int | None = None
    defense: str = "none"
    dp_delta: float = 1e-5
    dp_adversary: bool = False
    eval_every: int | None = None
    eval_samples: int = 100
    checkpoint_every: int | None = None
    deterministic: bool = True
    tensorboard: bool = False

    def __post_init__(self):
        """Fields left None take the dataset's defaults (``dataset_defaults``)."""
        unset = [name for name in CLASS_FIELDS + PER_DATASET_FIELDS if getattr(self, name) is None]
        if unset:
            defaults = dataset_defaults(self.dataset, any(n in CLASS_FIELDS for n in unset))
            for name in unset:
                object.__setattr__(self, name, defaults[name])

    def make_defence(self, fake_class: int = 10):
        """The chosen defence, built with its own settings and the run's context
        (``fake_class``: the artificial class, the dataset's class count)."""
        component = DEFENCES.get(self.defense)
        return component(settings_from(component.Settings, self.to_dict()),
                         self.defence_context(fake_class))

    def make_protocol(self):
        """The chosen round protocol, built with its own settings and the run's context."""
        context = ProtocolContext(participants=self.victims + 1, theta_u=self.theta_u,
                                  theta_d=self.theta_d)
        return make_protocol(self.protocol, self.to_dict(), context)

    def make_attack(self, fake_class: int):
        """The chosen attack, built with its own settings and the run's context (``fake_class``:
        the artificial class, the dataset's class count)."""
        component = ATTACKS.get(self.attack)
        context = AttackContext(target_class=self.target_class, fake_class=fake_class,
                                own_records=bool(self.adversary_classes))
        return component(settings_from(component.Settings, self.to_dict()), context)

    def defence_context(self, fake_class: int = 10) -> DefenceContext:
        """What a defence may read of the run: exchange and training rules, δ, --dp-adversary,
        the insider's classes (its artificial one included) and its target."""
        return DefenceContext(theta_u=self.theta_u, gamma=self.gamma, batch_size=self.batch_size,
                              local_steps=self.local_steps, protocol=self.protocol,
                              selective=PROTOCOLS.get(self.protocol).selective,
                              delta=self.dp_delta, adversary_private=self.dp_adversary,
                              insider_classes=(*self.adversary_classes, fake_class),
                              target_class=self.target_class)

    def to_dict(self) -> dict:
        """Plain JSON-ready dict of every field."""
        return dataclasses.asdict(self)

    def validate(self, num_classes: int = 10) -> "SimConfig":
        """Raise ValueError('<field>: …') for the first inconsistent setting; return self."""
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{field.name}: must be a finite number, got {value}")
        for name, low in (("victims", 1), ("rounds", 1), ("batch_size", 1), ("local_steps", 1),
                          ("eval_every", 1), ("eval_samples", 64)):
            if getattr(self, name) < low:
                raise ValueError(f"{name}: must be ≥ {low}, got {getattr(self, name)}")
        for name in ("theta_u", "theta_d"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"{name}: must be in (0, 1], got {getattr(self, name)}")
        if not self.lr > 0:
            raise ValueError(f"lr: must be > 0, got {self.lr}")
        if self.tau < 0:
            raise ValueError(f"tau: must be ≥ 0, got {self.tau}")
        if self.gamma is not None and not self.gamma > 0:
            raise ValueError(f"gamma: must be > 0, got {self.gamma}")
        if self.checkpoint_every is not None and self.checkpoint_every < 1:
            raise ValueError(f"checkpoint_every: must be ≥ 1, got {self.checkpoint_every}")
        if self.records_per_class is not None and self.records_per_class < 1:
            raise ValueError(f"records_per_class: must be ≥ 1, got {self.records_per_class}")
        self._validate_image_size()
        self._validate_protocol()
        self._validate_choices()
        self._validate_classes(num_classes)
        self._validate_components(num_classes)
        return self

    def with_out(self, root: str = "runs") -> "SimConfig":
        """``out`` given, or a fresh folder ``<root>/<date>-<time>-<dataset>-<attack>`` (``-2``,
        ``-3``, … when that exists), so that running the same command twice never collides."""
        if self.out is not None:
            return self
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        dataset = re.sub(r"[^A-Za-z0-9]+", "_", self.dataset.split(":")[0])
        base = Path(root) / f"{stamp}-{dataset}-{self.attack}"
        folder, n = base, 1
        while folder.exists():
            n += 1
            folder = base.with_name(f"{base.name}-{n}")
        return dataclasses.replace(self, out=str(folder))

    def with_defense(self) -> "SimConfig":
        """A setting that selects its defence (a Shokri budget), given without ``--defense``,
        selects that defence."""
        if self.defense != CoreConfig.defense:    # a defence was named: it stays
            return self
        for component, field in COMPONENT_FIELDS:
            if declared(field).selects and getattr(self, field.name) is not None:
                return dataclasses.replace(self, defense=component.name)
        return self

    def _validate_components(self, num_classes: int) -> None:
        if not 0 < self.dp_delta < 1:
            raise ValueError(f"dp_delta: must be in (0, 1), got {self.dp_delta}")
        for component, field in COMPONENT_FIELDS:
            value = getattr(self, field.name)
            check_field(field.name, value, declared(field))
            if declared(field).selects and value is not None and component.name != self.defense:
                raise ValueError(f"{field.name}: a {component.name} setting cannot be used "
                                 f"with --defense {self.defense}")
        self.make_defence(num_classes).validate()
        self.make_attack(num_classes).validate()

    def _validate_image_size(self) -> None:
        size = self.image_size
        if size is not None and (size < MIN_IMAGE_SIZE or size % 4):
            raise ValueError(f"image_size: must be a multiple of 4 and ≥ {MIN_IMAGE_SIZE} "
                             f"(the generator doubles its side from ≥ 4), got {size}")
        check_image_size(self.dataset, size)

    def _validate_protocol(self) -> None:
        chosen = PROTOCOLS.get(self.protocol)
        for component, field in PROTOCOLS.settings_fields():
            if component is not chosen and getattr(self, field.name) != field.default:
                raise ValueError(f"{field.name}: a {component.name} setting; it needs "
                                 f"--protocol {component.name}")
        self.make_protocol().validate()

    def _validate_choices(self) -> None:
        for name, allowed in (("selection", SELECTIONS), ("protocol", PROTOCOLS.names()),
                              ("partition", PARTITIONS), ("color", tuple(COLOR_MODES))):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name}: must be one of {', '.join(allowed)}, "
                                 f"got {getattr(self, name)!r}")

    def _validate_classes(self, num_classes: int) -> None:
        for name in ("victim_classes", "adversary_classes"):
            classes = getattr(self, name)
            if len(set(classes)) != len(classes) or not (classes or name == "adversary_classes"):
                raise ValueError(f"{name}: must list distinct classes, got {list(classes)}")
            if any(not 0 <= c < num_classes for c in classes):
                raise ValueError(f"{name}: classes must be in 0..{num_classes - 1}")
        if not self.adversary_classes and not ATTACKS.get(self.attack).trains_without_records:
            raise ValueError("adversary_classes: an adversary without records of its own (none) "
                             "trains only on its generated samples; it needs --attack active")
        if self.partition == "by-class" and self.victims > len(self.victim_classes):
            raise ValueError(f"victims: --partition by-class gives each victim whole classes; "
                             f"{self.victims} victims cannot share "
                             f"{len(self.victim_classes)} classes")
        if self.partition == "target-alone" and (self.victims < 2 or len(self.victim_classes) < 2):
            raise ValueError("victims: --partition target-alone gives one victim the target class "
                             "alone and the others the other victim classes; it needs at least "
                             "2 victims and 2 victim classes")
        if self.target_class in self.adversary_classes:
            raise ValueError(f"target_class: {self.target_class} is held by the adversary; "
                             "the target must be a class only victims hold")
        if self.target_class not in self.victim_classes:
            raise ValueError(f"target_class: {self.target_class} is not held by any victim "
                             f"(victim classes {list(self.victim_classes)})")
        if set(self.victim_classes) & set(self.adversary_classes):
            raise ValueError("adversary_classes: must not overlap victim_classes")


def _compose(core, fields) -> type:
    """The run config: the core options plus every component's declared settings."""
    composed = dataclasses.make_dataclass(
        "SimConfig", [(field.name, field.type,
                      dataclasses.field(default=field.default, metadata=field.metadata))
                     for _, field in fields], bases=(core,),
        frozen=True)
    composed.__module__, composed.__qualname__ = __name__, "SimConfig"
    composed.__doc__ = ("Every option of ``ganleak simulate``: the core ones and each registered "
                        "component's settings (defaults are the documented ones).")
    return composed


SimConfig = _compose(CoreConfig, COMPONENT_FIELDS)
