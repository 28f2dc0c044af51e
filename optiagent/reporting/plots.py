"""The report's plots, drawn by matplotlib and rendered to inline SVG (no pyplot, no GUI backend).

matplotlib is the optional extra `[report]`; `require_matplotlib` says how to install it.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from typing import TYPE_CHECKING

from optiagent.domain.errors import InputError
from optiagent.reporting.models import Scaling

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

INSTALL_HINT = "pip install 'optiagent[report]'"
ACCEPTED, REJECTED, ORIGINAL, BAR = "#1a7f37", "#9a6700", "#6e7781", "#cf222e"
_plot_ids = count()
_rc_lock = threading.Lock()  # rc_context swaps global settings: one plot at a time (API threads)


def require_matplotlib() -> None:
    """Raises InputError naming the install command when the `[report]` extra is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(f"HTML reports need matplotlib: {INSTALL_HINT}") from None


@dataclass(frozen=True)
class ForestRow:
    label: str
    speedup: float
    low: float
    high: float
    accepted: bool


def forest_plot(rows: Sequence[ForestRow], bar: float | None) -> str:
    """Each target's speedup with its 95% interval on a log axis, the bar and 1x marked."""
    with _style():
        return _svg(_forest_figure(rows, bar))


def _forest_figure(rows: Sequence[ForestRow], bar: float | None) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullFormatter

    figure = Figure(figsize=(10.0, max(2.0, 1.0 + 0.42 * len(rows))), layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]  # first row on top
    for y, row in zip(positions, rows, strict=True):
        colour = ACCEPTED if row.accepted else REJECTED
        axes.plot([row.low, row.high], [y, y], color=colour, linewidth=2.2, solid_capstyle="butt")
        axes.plot([row.speedup], [y], marker="D", markersize=7, color=colour)
        axes.annotate(
            f"{row.speedup:.2f}x [{row.low:.2f}, {row.high:.2f}]",
            (row.high, y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=colour,
        )
    axes.axvline(1.0, color=ORIGINAL, linewidth=1, linestyle="-", label="1x (as fast as the original)")
    if bar is not None:
        axes.axvline(bar, color=BAR, linewidth=1, linestyle="--", label=f"acceptance bar {bar:.2f}x")
    axes.set_xscale("log")
    values = [v for row in rows for v in (row.low, row.high)] + [1.0, bar or 1.0]
    low, high = min(values), max(values)
    axes.set_xlim(low / 1.25, high * max(1.8, (high / low) ** 0.35))  # room for the labels
    axes.xaxis.set_major_formatter(_times_formatter())
    narrow = high / low < 10  # within a decade: label the minor ticks too
    axes.xaxis.set_minor_formatter(_times_formatter() if narrow else NullFormatter())
    axes.set_yticks(positions, [_literal(row.label) for row in rows], fontsize=8)
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.set_xlabel("speedup (median of per-pair ratios, 95% interval; log scale)")
    axes.grid(axis="x", which="both", alpha=0.25)
    axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, fontsize=8, frameon=False)
    return figure


def scaling_plot(scaling: Scaling, original_k: float | None, candidate_k: float | None) -> str:
    """CPU time per call against input size, original and candidate, log-log, with the fitted
    exponents in the legend."""
    with _style():
        return _svg(_scaling_figure(scaling, original_k, candidate_k))


def _scaling_figure(scaling: Scaling, original_k: float | None, candidate_k: float | None) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, NullFormatter

    figure = Figure(figsize=(5.6, 3.4), layout="constrained")
    axes = figure.add_subplot()
    _scaling_line(axes, scaling.original, ORIGINAL, "original", original_k, "o")
    _scaling_line(axes, scaling.candidate, ACCEPTED, "candidate", candidate_k, "s")
    axes.set_xscale("log")
    axes.set_yscale("log")
    sizes = sorted({n for n, _ in (*scaling.original, *scaling.candidate) if n > 0})
    axes.set_xticks(sizes, [f"{n:g}" for n in sizes])
    axes.xaxis.set_minor_formatter(NullFormatter())
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _duration(value)))
    axes.yaxis.set_minor_formatter(NullFormatter())
    axes.set_xlabel(f"input size ({scaling.size_of})")
    axes.set_ylabel("CPU time per call")
    axes.grid(which="both", alpha=0.25)
    axes.legend(fontsize=8, frameon=False)
    return figure


def _scaling_line(
    axes: Axes,
    points: Sequence[tuple[float, float]],
    colour: str,
    name: str,
    exponent: float | None,
    marker: str,
) -> None:
    usable = [(n, t) for n, t in points if n > 0 and t > 0]
    if not usable:
        return
    label = f"{name}: t ~ n^{exponent:.2f}" if exponent is not None else f"{name} (no exponent fitted)"
    axes.plot(
        [n for n, _ in usable],
        [t for _, t in usable],
        marker=marker,
        color=colour,
        label=label,
        linewidth=1.6,
    )


def _literal(text: str) -> str:
    """A label shown as written: a `$` would start mathtext."""
    return text.replace("$", r"\$")


def _duration(seconds: float) -> str:
    if seconds <= 0 or not math.isfinite(seconds):
        return ""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:g} {unit}"
    return f"{seconds / 1e-9:g} ns"


def _times_formatter() -> FuncFormatter:
    from matplotlib.ticker import FuncFormatter

    def label(value: float, _position: object) -> str:
        if value <= 0 or not math.isfinite(value):
            return ""
        return f"{value:g}x"

    return FuncFormatter(label)


@contextmanager
def _style() -> Iterator[None]:
    """Text kept as text (the page's fonts), ids unique within the page."""
    import matplotlib

    with (
        _rc_lock,
        matplotlib.rc_context(
            {
                "svg.fonttype": "none",
                "svg.hashsalt": f"plot{next(_plot_ids)}",
                "font.family": "sans-serif",
                "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial", "Liberation Sans"],
                "font.size": 9,
            }
        ),
    ):
        yield


def _svg(figure: Figure) -> str:
    """The figure as an <svg> element (no XML prolog, no date). Its group ids (`figure_1`,
    `axes_1`, ...) restart in every figure: they get the plot's own prefix, so ids stay unique
    in a page of several plots (the ids that are referenced are salted hashes already)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    referenced = set(re.findall(r"#([^\s\"')]+)", text))
    prefix = f"plot{next(_plot_ids)}"
    return re.sub(
        r' id="([^"]+)"',
        lambda m: m.group(0) if m.group(1) in referenced else f' id="{prefix}-{m.group(1)}"',
        text,
    )
