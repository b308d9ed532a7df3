"""What a sweep runs: a file's ``[base]``, ``[axes]`` and ``[[runs]]``, ``--set`` and ``--grid``.

Keys are ``ganleak simulate`` option names and are checked exactly as ``--config`` checks them
(ganleak_cli.cli.configfile: unknown key with a suggestion, strict TOML/JSON types, then the
option's own range or choices); command-line values are converted as on the command line.
Every problem is a usage error (exit 2) naming where it is and the key. No heavy imports.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import click

from ganleak_cli.cli.commands.simulate import simulate
from ganleak_cli.cli.configfile import (
    ConfigFileError,
    is_class_list,
    key_index,
    option_values,
    read_config,
    unknown_key_message,
)

TABLES = ("base", "axes", "runs")
# Options the sweep itself sets for every run; a configuration may not set them.
SWEEP_CONTROLLED = {
    "out": "the sweep sets each run's folder (give --out and --name to `ganleak sweep`)",
    "resume": "the sweep resumes unfinished runs by itself",
    "overwrite": "the sweep never replaces a run folder",
    "as_json": "the sweep reads each run's summary.json",
}


@dataclass
class SweepSpec:
    """Values keyed by parameter name: shared ones, axes (lists) and explicit runs."""

    base: dict = field(default_factory=dict)
    axes: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)


@dataclass(frozen=True)
class Configuration:
    """One run's option values (parameter name → value) and the names that define it."""

    values: dict
    varying: tuple


def simulate_command() -> click.Command:
    """The ``ganleak simulate`` command, whose options a sweep sets."""
    return simulate


def build_spec(sweep_file: str | None, grids=(), sets=()) -> SweepSpec:
    """The sweep file (if any) with ``--set`` (shared values) and ``--grid`` (axes) on top:
    the command line wins, and a key is either shared or an axis, never both."""
    command = simulate_command()
    ctx = click.Context(command)
    spec = read_sweep_file(command, ctx, sweep_file) if sweep_file else SweepSpec()
    for text in sets:
        name, value = set_value(command, ctx, text)
        spec.axes.pop(name, None)
        spec.base[name] = value
    seen = set()
    for text in grids:
        name, values = grid_axis(command, ctx, text)
        if name in seen:
            raise click.BadParameter(f"{text!r}: the option is already an axis",
                                     param_hint="'--grid'")
        seen.add(name)
        spec.base.pop(name, None)
        spec.axes[name] = values
    return spec


def read_sweep_file(command, ctx, path: str) -> SweepSpec:
    """Parse and check a TOML (or JSON) sweep file."""
    data = read_config(path)
    for key in data:
        if key not in TABLES:
            raise ConfigFileError(path, f"unknown table {key!r}; a sweep file holds [base], "
                                        "[axes] and [[runs]]")
    base = checked_table(command, ctx, f"{path} [base]", table(path, data, "base"))
    axes = checked_axes(command, ctx, f"{path} [axes]", table(path, data, "axes"))
    runs = [checked_table(command, ctx, f"{path} [[runs]] #{i}", entry)
            for i, entry in enumerate(run_entries(path, data), 1)]
    both = sorted(set(base) & set(axes))
    if both:
        raise ConfigFileError(path, f"{both[0]!r} is in both [base] and [axes]")
    return SweepSpec(base, axes, runs)


def table(path: str, data: dict, key: str) -> dict:
    """``data[key]`` if it is a table (empty when absent)."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigFileError(path, f"{key!r} must be a table of options")
    return value


def run_entries(path: str, data: dict) -> list:
    """The ``[[runs]]`` entries, each a table."""
    runs = data.get("runs", [])
    if not isinstance(runs, list) or not all(isinstance(r, dict) for r in runs):
        raise ConfigFileError(path, "'runs' must be an array of tables ([[runs]] entries)")
    return runs


def checked_table(command, ctx, label: str, values: dict) -> dict:
    """``--config``'s checks on a table of option values, keyed by parameter name."""
    index = key_index(command)
    for key in values:
        param = index.get(key)
        if param is not None and param.name in SWEEP_CONTROLLED:
            raise ConfigFileError(label, f"key {key!r}: {SWEEP_CONTROLLED[param.name]}")
    return option_values(command, ctx, label, values)


def checked_axes(command, ctx, label: str, axes: dict) -> dict:
    """Each axis a non-empty array whose every value passes the option's checks."""
    checked, index = {}, key_index(command)
    for key, values in axes.items():
        if not isinstance(values, list) or not values:
            raise ConfigFileError(label, f"key {key!r}: expected a non-empty array of values")
        name = index[key].name if key in index else key
        if name in checked:
            raise ConfigFileError(label, f"key {key!r}: the option is already an axis")
        checked[name] = [checked_table(command, ctx, label, {key: v}).get(name)
                         for v in values]
    return checked


def lookup(command, key: str, hint: str) -> click.Option:
    """The option a command-line key names (usage error naming it when unknown)."""
    index = key_index(command)
    param = index.get(key)
    if param is None:
        raise click.BadParameter(unknown_key_message(key, index), param_hint=hint)
    if param.name in SWEEP_CONTROLLED:
        raise click.BadParameter(f"key {key!r}: {SWEEP_CONTROLLED[param.name]}", param_hint=hint)
    return param


def cast(ctx, param: click.Option, key: str, text: str, hint: str):
    """A command-line string converted (and range-checked) as the option itself does."""
    try:
        return param.type_cast_value(ctx, text.strip())
    except click.BadParameter as exc:
        raise click.BadParameter(f"key {key!r}: {exc.message}", param_hint=hint) from None


def split_assignment(text: str, hint: str) -> tuple[str, str]:
    """``KEY=VALUE`` → (key, value)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise click.BadParameter(f"{text!r} is not KEY=VALUE", param_hint=hint)
    return key.strip(), value


def set_value(command, ctx, text: str) -> tuple[str, object]:
    """``--set key=value`` → (parameter name, converted value)."""
    key, value = split_assignment(text, "'--set'")
    param = lookup(command, key, "'--set'")
    return param.name, cast(ctx, param, key, value, "'--set'")


def grid_axis(command, ctx, text: str) -> tuple[str, list]:
    """``--grid key=v1,v2`` → (parameter name, converted values); class lists are
    separated by ``;`` (``--grid 'victim-classes=0-4;0-2'``) since they hold commas."""
    key, values = split_assignment(text, "'--grid'")
    param = lookup(command, key, "'--grid'")
    parts = values.split(";" if is_class_list(param) else ",")
    if any(not part.strip() for part in parts):
        raise click.BadParameter(f"{text!r} has an empty value", param_hint="'--grid'")
    return param.name, [cast(ctx, param, key, part, "'--grid'") for part in parts]


def with_seeds(spec: SweepSpec, seeds: int) -> SweepSpec:
    """Every configuration ``seeds`` times, with seeds s, s + 1, … (s: the shared seed, else
    0): a seed axis over the axes, and each explicit run repeated (``<name>--s<k>``)."""
    if "seed" in spec.axes:
        raise click.BadParameter("seed is already an axis of the sweep", param_hint="'--seeds'")
    start = spec.base.pop("seed", 0)
    if spec.axes or not spec.runs:
        spec.axes["seed"] = list(range(start, start + seeds))
    spec.runs = [{**entry, "seed": entry.get("seed", start) + k,
                  **({"name": f"{entry['name']}--s{k}"} if "name" in entry else {})}
                 for entry in spec.runs for k in range(seeds)]
    return spec


def expand(spec: SweepSpec) -> list[Configuration]:
    """The product of the axes over the shared values (one configuration when there are no
    axes and no explicit runs), then each explicit run over the shared values."""
    configs = []
    if spec.axes or not spec.runs:
        names = tuple(spec.axes)
        for combo in itertools.product(*spec.axes.values()):
            configs.append(Configuration({**spec.base, **dict(zip(names, combo))}, names))
    for entry in spec.runs:
        own = tuple(name for name in entry if name != "name")
        configs.append(Configuration({**spec.base, **entry}, own))
    return configs
