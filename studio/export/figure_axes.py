"""One panel on matplotlib axes: its curves and bands, readable ticks, and a legend that covers no data.

Called by :mod:`studio.export.figures` with the axes of a figure it builds;
matplotlib itself is imported only there and here, inside functions.
"""

from __future__ import annotations

import math

import numpy as np

from studio.export.figure_data import Curve, Panel, coloured
from studio.export.figure_style import BAND_ALPHA, FAINT_ALPHA

BUCKETS = 2000  # a long curve is drawn from the extremes of this many runs of points (a 7-inch figure at 300 dpi)
LABEL_GAP = 1.4  # tick labels at least this many label heights apart
LOG_STEPS = ((1.0,), (1.0, 2.0, 5.0), (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0))


def draw_panel(ax, panel: Panel, letter: str = ""):
    """Draw ``panel`` on ``ax`` (faint curves first, so the others lie on top); ``letter`` prefixes the title.

    Returns the second y axis (``None`` without curves on the right), which :func:`place_legend` needs."""
    twin = ax.twinx() if any(c.right and c.has_points for c in panel.curves) else None
    if panel.raster is not None:
        ax.imshow(panel.raster.pixels, extent=panel.raster.extent, origin="lower", interpolation="nearest")
        ax.grid(False)
    if panel.log_y:
        ax.set_yscale("log", nonpositive="clip")  # a band reaching zero runs off the bottom, not into a gap
    for curve in sorted(coloured(panel.curves), key=lambda c: not c.faint):
        if curve.has_points:
            draw_curve(twin if curve.right and twin is not None else ax, curve)
    ax.set_title(letter + panel.title, loc="left")
    ax.set_xlabel(panel.x_label)
    ax.set_ylabel(panel.y_label)
    _x_ticks(ax, panel)
    if twin is not None:
        _right_axis(twin, panel)
    return twin


def decimated(x: np.ndarray, y: np.ndarray, buckets: int = BUCKETS) -> tuple[np.ndarray, np.ndarray]:
    """A long curve as the lowest and highest point of each of ``buckets`` runs of points, in order: the same
    picture at print resolution (every peak kept) from a few thousand points instead of a hundred thousand."""
    if len(x) <= 2 * buckets:
        return x, y
    keep = []
    for part in np.array_split(np.arange(len(x)), buckets):
        finite = part[np.isfinite(y[part])]
        if len(finite):
            keep += sorted({finite[np.argmin(y[finite])], finite[np.argmax(y[finite])]})
    return x[keep], y[keep]


def draw_curve(ax, curve: Curve) -> None:
    x, y = np.asarray(curve.x, dtype=np.float64), np.asarray(curve.y, dtype=np.float64)
    if curve.draw == "line" and curve.band is None:
        x, y = decimated(x, y)
    label = curve.label if curve.label and not curve.faint else None
    if curve.draw == "steps":
        ax.stairs(y, x, fill=True, color=curve.colour, alpha=0.35, linewidth=0)
        ax.stairs(y, x, color=curve.colour, linewidth=0.8, label=label)
        return
    if curve.band is not None:
        low, high = (np.asarray(edge, dtype=np.float64) for edge in curve.band)
        if curve.draw == "points":  # separate points (a learner without inner steps has one): error bars
            ax.errorbar(x, y, yerr=(y - low, high - y), fmt="none", ecolor=curve.colour, capsize=3, linewidth=0.8)
        else:
            ax.fill_between(x, low, high, color=curve.colour, alpha=BAND_ALPHA, linewidth=0)
    ax.plot(x, y, **_line_style(curve), label=label, gid=f"curve {label}" if label else None)  # named in SVG


def _line_style(curve: Curve) -> dict:
    if curve.faint:
        return {"color": curve.colour, "alpha": FAINT_ALPHA, "linewidth": 0.6}
    style = {"color": curve.colour, "linestyle": "--" if curve.dashed else "-"}
    if curve.draw == "points":
        style.update(linestyle="none", marker=curve.marker or "o")
        style.update(
            {"markerfacecolor": "none"} if curve.hollow else {"markeredgecolor": "white", "markeredgewidth": 0.4}
        )
    elif curve.marker:
        style.update(marker=curve.marker)
    return style


def _x_ticks(ax, panel: Panel) -> None:
    from matplotlib.ticker import MaxNLocator

    if panel.x_ticks:
        ax.set_xticks([t for t, _ in panel.x_ticks], [label for _, label in panel.x_ticks])
    elif panel.integer_x:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))  # a narrow panel fits five labels


def _right_axis(twin, panel: Panel) -> None:
    twin.set_ylabel(panel.right_label)
    twin.grid(False)
    twin.spines["right"].set_visible(True)
    if panel.right_range is not None:
        twin.set_ylim(*panel.right_range)


def log_ticks(low: float, high: float, height_px: float, label_px: float) -> list[float]:
    """Tick values for a log axis from ``low`` to ``high`` drawn ``height_px`` tall with labels ``label_px`` high:
    powers of ten, else 1-2-5 times them, else 1..9 times them, the first with three ticks whose labels stay
    apart; two round values inside the range when none fits."""
    span = math.log10(high / low)
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    best: list[float] = []
    for steps in LOG_STEPS:
        values = [v for v in (round(m * 10.0**d, 12) for d in decades for m in steps) if low <= v <= high]
        if len(values) > 1 and np.diff(np.log10(values)).min() / span * height_px < LABEL_GAP * label_px:
            break  # denser than the labels allow: keep the sparser set
        best = values
        if len(best) >= 3:
            break
    return best if len(best) >= 2 else _round_ends(low, high)


def _round_ends(low: float, high: float) -> list[float]:
    """Two values inside [low, high] with few significant digits (for a range well under a decade)."""
    for digits in range(1, 6):
        scale = 10.0 ** (math.floor(math.log10(high)) - digits + 1)
        ends = [math.ceil(low / scale) * scale, math.floor(high / scale) * scale]
        if ends[0] < ends[1]:
            return [round(v, 12) for v in ends]
    return [low, high]


def readable_log_axis(ax) -> None:
    """Major ticks whose labels do not overlap, plain numbers ("0.2", "10"), minor ticks unlabelled."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter

    low, high = ax.get_ylim()
    height = ax.get_window_extent().height
    label_px = ax.figure.dpi * ax.yaxis.get_ticklabels()[0].get_fontsize() / 72 if ax.yaxis.get_ticklabels() else 10
    ax.yaxis.set_major_locator(FixedLocator(log_ticks(low, high, height, label_px)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.3g}"))
    ax.yaxis.set_minor_locator(LogLocator(subs="auto"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(low, high)


def place_legend(ax, twin, log_y: bool):
    """The log axis' ticks, then the legend where matplotlib's "best" puts it (call once the figure is laid
    out, then :func:`settle_legend`).  Returns the legend, or ``None``."""
    if log_y:
        readable_log_axis(ax)
    handles, labels = _legend_entries(ax, twin)
    return ax.legend(handles, labels, loc="best") if handles else None


def settle_legend(ax, twin, legend) -> None:
    """Move ``legend`` below the axes (under the x label) if where "best" puts it covers a drawn point."""
    if legend is None or not covers_data((ax, twin), legend.get_window_extent(ax.figure.canvas.get_renderer())):
        return
    handles, labels = legend.legend_handles, [text.get_text() for text in legend.get_texts()]
    legend.remove()
    below = ax.get_window_extent().y0 - ax.get_tightbbox().y0  # pixels taken by the ticks and the x label
    pad = below * 72 / ax.figure.dpi / legend.get_texts()[0].get_fontsize() + 0.3  # in font sizes
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), borderaxespad=pad)  # one column


def _legend_entries(ax, twin) -> tuple[list, list[str]]:
    handles, labels = ax.get_legend_handles_labels()
    if twin is not None:
        more, texts = twin.get_legend_handles_labels()
        handles, labels = handles + more, labels + texts
    return handles, labels


def covers_data(axes_pair, box) -> bool:
    """Whether the display-space ``box`` touches a drawn line, marker or band of the axes (a plot and its twin)."""
    for axes in axes_pair:
        if axes is None:
            continue
        for line in axes.get_lines():
            if _path_touches(line.get_transform().transform(line.get_xydata()), box, line.get_linestyle() != "None"):
                return True
        shapes = [(path, c.get_transform()) for c in axes.collections for path in c.get_paths()]
        shapes += [(patch.get_path(), patch.get_transform()) for patch in axes.patches]  # histogram bars
        if any(path.transformed(transform).intersects_bbox(box, filled=True) for path, transform in shapes):
            return True
    return False


def _path_touches(points: np.ndarray, box, joined: bool) -> bool:
    from matplotlib.path import Path

    points = points[np.isfinite(points).all(axis=1)]
    if not len(points):
        return False
    inside = (points[:, 0] >= box.x0) & (points[:, 0] <= box.x1) & (points[:, 1] >= box.y0) & (points[:, 1] <= box.y1)
    return bool(inside.any()) or (joined and len(points) > 1 and Path(points).intersects_bbox(box, filled=False))
