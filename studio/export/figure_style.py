"""One look for every exported figure: fonts, line widths, sizes and a colour-blind-safe palette.

The palette is Okabe and Ito's (2008, "Color Universal Design"), which stays
distinguishable under the common colour-vision deficiencies.  Text is written
as outlines in SVG (``svg.fonttype = "path"``) and embedded as TrueType in PDF,
so a figure reads the same in a browser, librsvg, Inkscape, Qt or a PDF viewer
whatever fonts the reader has.
"""

from __future__ import annotations

# Okabe-Ito: blue, vermillion, bluish green, reddish purple, orange, sky blue, yellow, black; then grey
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000", "#999999")
GREY = "#7F7F7F"
INK = "#222222"
FAINT_ALPHA = 0.3  # the raw curve under a smoothed one
BAND_ALPHA = 0.2  # a 95% CI or std band

PAPER_SIZE = (7.0, 4.3)  # inches: the text width of a two-column paper, with room for two rows of panels
PANEL_SIZE = (3.4, 2.6)  # inches: one column
DEFAULT_DPI = 300
SIZE_LIMITS = (1.0, 40.0)  # inches a side
DPI_LIMITS = (50, 1200)

RC = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same metrics on every machine
    "font.size": 8.0,
    "axes.titlesize": 8.5,
    "axes.labelsize": 8.0,
    "xtick.labelsize": 7.0,
    "ytick.labelsize": 7.0,
    "legend.fontsize": 7.0,
    "legend.frameon": False,
    "axes.linewidth": 0.6,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.titlecolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.linewidth": 0.4,
    "grid.color": "#DDDDDD",
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.minor.width": 0.4,
    "ytick.minor.width": 0.4,
    "lines.linewidth": 1.2,
    "lines.markersize": 3.5,
    "svg.fonttype": "path",
    "svg.hashsalt": "meta-learning-studio",  # the same figure gives the same file
    "pdf.fonttype": 42,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
}


def colour_for(index: int) -> str:
    """The ``index``-th run's colour (the palette repeats after nine)."""
    return PALETTE[index % len(PALETTE)]
