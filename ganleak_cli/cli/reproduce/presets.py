"""Experiment presets: one TOML file per figure or panel of the paper, under
``ganleak_cli/presets/`` (package data, shipped in the wheel; ``--presets`` reads another folder).

A preset holds ``title`` and ``paper`` (what it reproduces), ``[base]`` (``ganleak simulate``
options shared by its runs), ``[runs.NAME]`` (each run's own options), optional
``[profiles.PROFILE]`` overrides, and ``[[claims]]`` (``claim``, ``check``, ``explain``; see
``claims``); every check is parsed, and must name the preset's own runs, when it is loaded.
``profiles.toml`` holds the scale of each profile shared by every preset.
A run's options are base, then the run's own, then the shared profile, then the preset's profile
(a profile sets the scale — rounds, steps — and so wins over the experiment's settings).
Option keys and values are checked exactly as a sweep file's are (``sweep.spec``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import click

from ganleak_cli.cli.configfile import ConfigFileError, read_config
from ganleak_cli.cli.reproduce.claims import ClaimError, parse_check
from ganleak_cli.cli.sweep.spec import SweepSpec, checked_table, simulate_command

PROFILES = ("tiny", "quick", "full")
PROFILES_FILE = "profiles.toml"
PRESET_KEYS = ("title", "paper", "base", "runs", "profiles", "claims", "frontier")
CLAIM_KEYS = ("claim", "check", "explain")


@dataclass(frozen=True)
class Preset:
    """One preset file: its runs' option tables (TOML keys) for one profile, and its claims."""

    name: str
    title: str
    paper: str
    runs: dict          # run name → option table (TOML keys)
    claims: list        # dicts with claim, check, explain
    seeds: int = 1      # each run once per seed: seed, seed + 1, … (claims judged over them)
    frontier: dict = field(default_factory=dict)   # defence → its runs, weakest first


def shipped_presets() -> Path:
    """The folder of the presets installed with ganleak (``ganleak_cli/presets``)."""
    return Path(str(files("ganleak_cli") / "presets"))


def load_presets(folder: Path, profile: str, only=()) -> list[Preset]:
    """Every ``*.toml`` preset of ``folder`` (but profiles.toml), in name order, for
    ``profile``; ``only`` keeps the named presets (an unknown name is a usage error)."""
    shared = load_profiles(folder / PROFILES_FILE, profile)
    paths = sorted(p for p in folder.glob("*.toml") if p.name != PROFILES_FILE)
    if not paths:
        raise click.BadParameter(f"{folder} holds no preset (*.toml)", param_hint="'--presets'")
    unknown = sorted(set(only) - {p.stem for p in paths})
    if unknown:
        raise click.BadParameter(f"no preset named {unknown[0]!r} in {folder}",
                                 param_hint="'--only'")
    return [load_preset(p, profile, shared) for p in paths if not only or p.stem in only]


def load_profiles(path: Path, profile: str) -> dict:
    """The shared option table of ``profile`` (empty when the file or the table is absent)."""
    if not path.is_file():
        return {}
    data = read_config(str(path))
    unknown = sorted(set(data) - set(PROFILES))
    if unknown:
        raise ConfigFileError(str(path), f"unknown profile {unknown[0]!r}; "
                                         f"profiles are {', '.join(PROFILES)}")
    return table(str(path), data, profile)


def load_preset(path: Path, profile: str, shared: dict) -> Preset:
    """One preset file, checked, with ``profile`` applied."""
    data = read_config(str(path))
    unknown = sorted(set(data) - set(PRESET_KEYS))
    if unknown:
        raise ConfigFileError(str(path), f"unknown key {unknown[0]!r}; a preset holds "
                                         f"{', '.join(PRESET_KEYS)}")
    runs = table(str(path), data, "runs")
    if not runs or not all(isinstance(v, dict) for v in runs.values()):
        raise ConfigFileError(str(path), "needs at least one [runs.NAME] table of options")
    own = dict(table(str(path), table(str(path), data, "profiles"), profile))
    seeds = own.pop("seeds", 1)
    if not isinstance(seeds, int) or isinstance(seeds, bool) or seeds < 1:
        raise ConfigFileError(str(path), f"[profiles.{profile}] seeds: expected a whole number "
                                         f"≥ 1, got {seeds!r}")
    base = table(str(path), data, "base")
    return Preset(name=path.stem, title=str(data.get("title", path.stem)),
                  paper=str(data.get("paper", "")),
                  runs={name: {**base, **values, **shared, **own}
                        for name, values in runs.items()},
                  claims=checked_claims(str(path), data.get("claims", []), runs), seeds=seeds,
                  frontier=checked_frontier(str(path), table(str(path), data, "frontier"), runs))


def table(path: str, data: dict, key: str) -> dict:
    """``data[key]`` when it is a table (empty when absent)."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigFileError(path, f"{key!r} must be a table")
    return value


def checked_claims(path: str, claims, runs) -> list:
    """The ``[[claims]]`` entries: each a table of the strings ``claim``, ``check`` and
    ``explain`` (the one line REPORT.md gives when the claim does not pass)."""
    if not isinstance(claims, list) or not all(isinstance(c, dict) for c in claims):
        raise ConfigFileError(path, "'claims' must be an array of tables ([[claims]])")
    for i, entry in enumerate(claims, 1):
        unknown = sorted(set(entry) - set(CLAIM_KEYS))
        if unknown or not all(isinstance(entry.get(k), str) for k in CLAIM_KEYS):
            raise ConfigFileError(path, f"[[claims]] #{i}: needs the strings 'claim', 'check' "
                                        f"and 'explain', and nothing else")
        try:
            parse_check(entry["check"], runs)
        except ClaimError as exc:
            raise ConfigFileError(path, f"[[claims]] #{i}: {exc}") from None
    return claims


def checked_frontier(path: str, frontier: dict, runs) -> dict:
    """``[frontier]``: each defence (a line of the frontier figures) → a list of the preset's
    run names, weakest defence first; a run on no more than one line."""
    seen = set()
    for defence, names in frontier.items():
        if not (isinstance(names, list) and names and all(isinstance(n, str) for n in names)):
            raise ConfigFileError(path, f"[frontier] {defence}: expected a list of run names")
        for name in names:
            if name not in runs:
                raise ConfigFileError(path, f"[frontier] {defence}: no run named {name!r}")
            if name in seen:
                raise ConfigFileError(path, f"[frontier] {defence}: {name!r} is on two lines")
            seen.add(name)
    return frontier


def run_folder_name(preset: Preset, run: str, seed_index: int = 0) -> str:
    """``<preset>--<run>`` (``<preset>--<run>--s<k>`` for the k-th seed when the preset runs
    several): where the run's folder goes under the reproduction's runs folder."""
    return f"{preset.name}--{run}" + (f"--s{seed_index}" if preset.seeds > 1 else "")


def seed_options(values: dict, seed_index: int) -> dict:
    """A run's options for its k-th seed: the run's seed (0 by default) plus k."""
    return {**values, "seed": values.get("seed", 0) + seed_index} if seed_index else values


def sweep_spec(presets: list[Preset]) -> SweepSpec:
    """Every run of every preset as an explicit sweep run named ``<preset>--<run>``, its
    options checked as a sweep file's are."""
    command = simulate_command()
    ctx = click.Context(command)
    runs = []
    for preset in presets:
        for run, values in preset.runs.items():
            label = f"presets/{preset.name}.toml [runs.{run}]"
            for k in range(preset.seeds):
                checked = checked_table(command, ctx, label, seed_options(values, k))
                runs.append({**checked, "name": run_folder_name(preset, run, k)})
    return SweepSpec(base={}, axes={}, runs=runs)
