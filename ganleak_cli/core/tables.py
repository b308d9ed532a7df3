"""Small shared writers: Markdown tables (report.md, REPORT.md) and the flattening of nested
records into ``a/b`` keys (results.csv, TensorBoard)."""

from __future__ import annotations


def is_number(value) -> bool:
    """An int or a float, not a boolean (which Python counts as an int)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table (pipes in cells escaped)."""
    def line(cells):
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
    return [line(header), line(["---"] * len(header)), *[line(r) for r in rows]]


def numeric_leaves(record: dict, prefix: str = "") -> dict:
    """Every number of ``record`` (not booleans), nested dicts flattened with ``/``."""
    numbers = {}
    for key, value in record.items():
        if isinstance(value, dict):
            numbers.update(numeric_leaves(value, f"{prefix}{key}/"))
        elif is_number(value):
            numbers[prefix + key] = value
    return numbers
