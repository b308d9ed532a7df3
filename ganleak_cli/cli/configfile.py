"""``--config FILE``: option values from a TOML or JSON file.

The file's values become the command's ``default_map``, so the precedence is
command line > ``GANLEAK_*`` environment variable > config file > built-in default.
Keys are option names (``theta-u`` or ``theta_u``). A run's ``config.json`` can be fed back
as it is: the metadata that run_config adds (``versions``, ``oracle_seed``,
``config_schema``) is ignored.
Every problem is a usage error (exit 2) naming the file and, where there is one, the key.
No heavy imports here: this runs while the command line is parsed.
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

import click

from ganleak_cli.cli.commands.params import ClassList

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

METADATA_KEYS = frozenset({"versions", "oracle_seed", "config_schema"})
# Options that only make sense on the command line (a file that resumes would be a trap).
COMMAND_LINE_ONLY = frozenset({"resume"})
PARSERS = {".toml": ("TOML", tomllib.loads), ".json": ("JSON", json.loads)}


class ConfigFileError(click.BadParameter):
    """A problem with the config file; shown as ``Invalid value for '--config': <file>: …``."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{click.format_filename(path)}: {message}")


def apply_config_file(ctx: click.Context, param: click.Parameter, value: str | None):
    """Eager ``--config`` callback: load the file and install it as ``ctx.default_map``."""
    if value is None or ctx.resilient_parsing:
        return value
    values = option_values(ctx.command, ctx, value, read_config(value))
    ctx.default_map = {**(ctx.default_map or {}), **values}
    return value


def read_config(path: str) -> dict:
    """Parse a ``.toml`` or ``.json`` file into a dict; any failure is a ConfigFileError."""
    suffix = Path(path).suffix.lower()
    if suffix not in PARSERS:
        raise ConfigFileError(path, f"unsupported file type {suffix or '(none)'!r}; "
                                    "use .toml or .json")
    kind, parse = PARSERS[suffix]
    try:
        data = parse(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigFileError(path, f"cannot read it: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigFileError(path, f"not UTF-8 text ({exc.reason})") from None
    except ValueError as exc:  # TOMLDecodeError and JSONDecodeError give line and column
        raise ConfigFileError(path, f"invalid {kind}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigFileError(path, f"must hold a {kind} object of options, "
                                    f"got {type_name(data)}")
    return data


def key_index(command: click.Command) -> dict[str, click.Option]:
    """Every accepted spelling of a key (``theta-u``, ``theta_u``) → its option."""
    index = {}
    for param in command.params:
        if not isinstance(param, click.Option) or not param.expose_value:
            continue
        for opt in param.opts:  # not --no-x: `x = false` says that
            if opt.startswith("--"):
                index[opt[2:]] = index[opt[2:].replace("-", "_")] = param
        index.setdefault(param.name, param)
    return index


def option_values(command: click.Command, ctx: click.Context, path: str, data: dict) -> dict:
    """Checked and converted values of the file, keyed by parameter name. A command with
    ``config_also_checks`` (another command) also accepts that command's keys: they are checked
    as it would check them, then left out."""
    own = key_index(command)
    wider = getattr(command, "config_also_checks", None)
    index, values, seen = {**(key_index(wider) if wider else {}), **own}, {}, {}
    for key, raw in data.items():
        if key in METADATA_KEYS:
            continue
        param = index.get(key)
        if param is None:
            raise ConfigFileError(path, unknown_key_message(key, index))
        if param.name in COMMAND_LINE_ONLY:
            raise ConfigFileError(path, f"key {key!r}: give --{key} on the command line")
        if param.name in seen:
            raise ConfigFileError(path, f"{seen[param.name]!r} and {key!r} set the same option")
        seen[param.name] = key
        if raw is None and param.default is None:
            continue  # null means the default
        values[param.name] = checked_value(ctx, param, path, key, raw)
    own_names = {param.name for param in own.values()}
    return {name: value for name, value in values.items() if name in own_names}


def unknown_key_message(key: str, index: dict) -> str:
    """``unknown key 'x' (did you mean 'y'?)``, the suggestion in option spelling."""
    names = sorted({k for k in index if "_" not in k or k.replace("_", "-") not in index})
    close = difflib.get_close_matches(key.replace("_", "-"), names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{hint}"


def checked_value(ctx: click.Context, param: click.Option, path: str, key: str, raw):
    """Strict TOML/JSON type check, then the option's own click type (ranges, choices)."""
    if param.multiple or param.nargs != 1:
        if not isinstance(raw, list):
            raise ConfigFileError(path, f"key {key!r}: expected an array, got {type_name(raw)}")
        value = tuple(scalar_value(param, path, key, item) for item in raw)
    else:
        value = scalar_value(param, path, key, raw)
    try:
        return param.type_cast_value(ctx, value)
    except click.BadParameter as exc:
        raise ConfigFileError(path, f"key {key!r}: {exc.message}") from None


def scalar_value(param: click.Option, path: str, key: str, raw):
    """``raw`` if its JSON/TOML type suits the option (class lists become tuples)."""
    expected, ok = expected_type(param, raw)
    if not ok:
        raise ConfigFileError(path, f"key {key!r}: expected {expected}, "
                                    f"got {type_name(raw)} {shown(raw)}")
    return tuple(raw) if isinstance(raw, list) else raw


def expected_type(param: click.Option, raw) -> tuple[str, bool]:
    """(what the option expects, in words; whether ``raw`` is that)."""
    is_int = isinstance(raw, int) and not isinstance(raw, bool)
    if param.is_flag or isinstance(param.type, click.types.BoolParamType):
        return "a boolean (true/false)", isinstance(raw, bool)
    if isinstance(param.type, click.types.IntParamType):
        return "an integer", is_int
    if isinstance(param.type, click.types.FloatParamType):
        return "a number", is_int or isinstance(raw, float)
    if is_class_list(param):
        ints = isinstance(raw, list) and all(isinstance(x, int) and not isinstance(x, bool)
                                            for x in raw)
        return "an array of class numbers or a string like \"0-4\"", ints or isinstance(raw, str)
    return "a string", isinstance(raw, str)


def is_class_list(param: click.Option) -> bool:
    """Whether the option takes a list of class numbers (commands.params.ClassList)."""
    return isinstance(param.type, ClassList)


def shown(value) -> str:
    """A parsed value as the file would spell it (JSON syntax where possible)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def type_name(value) -> str:
    """The JSON/TOML name of a parsed value's type."""
    for kind, name in ((bool, "boolean"), (int, "integer"), (float, "float"), (str, "string"),
                       (list, "array"), (dict, "table")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__
