"""Shared matplotlib helpers of the report and the frontier: a headless figure, the dashed
reference lines, and the finished figure as PNG bytes."""

from __future__ import annotations

import io


def new_figure(size=(6.4, 3.6)):
    """(figure, axes) on the headless Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    return plt.subplots(figsize=size, dpi=100)


def draw_reference_lines(ax, lines: dict | None) -> None:
    """Each ``name → value`` as a dashed horizontal line, labelled."""
    for offset, (name, value) in enumerate((lines or {}).items()):
        ax.axhline(value, linestyle="--", linewidth=1, color=f"C{7 + offset % 3}", label=name)


def round_axis(ax, rounds) -> None:
    """Whole-number rounds on the x axis; a single round is one tick with a round either side
    (matplotlib would otherwise pad it to fractions such as 2.84–3.16)."""
    from matplotlib.ticker import MaxNLocator

    distinct = sorted(set(rounds))
    if len(distinct) == 1:
        ax.set_xlim(distinct[0] - 1, distinct[0] + 1)
        ax.set_xticks(distinct)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def png_bytes(fig, ax, legend_size: str = "small") -> bytes:
    """Grid, legend, tight layout; the figure as PNG bytes (and closed)."""
    from matplotlib import pyplot as plt

    ax.grid(alpha=0.3)
    ax.legend(fontsize=legend_size)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()
