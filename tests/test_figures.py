"""Figures for papers: PNG at the requested pixels, PDF at the requested page size, an SVG that another renderer
(cairosvg, librsvg's cousin) draws like matplotlib's own PNG, ticks and legends that stay readable."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import sys

import numpy as np
import pytest

from studio.config import ConfigError
from studio.export.figure_axes import covers_data, log_ticks
from studio.export.figure_data import Curve, Panel
from studio.export.figure_style import RC
from studio.export.figures import build_figure, figure_bytes, parse_size, write_figure

SIZE, DPI = (6.0, 2.5), 100
X = np.arange(1, 201)
Y = 2.0 * np.exp(-X / 60) + 0.05 * np.sin(X)
STEPS = np.arange(4.0)
PANELS = (
    Panel("Loss", "meta-iteration", "query loss (MSE)", (Curve("meta-loss", X, Y, band=(Y * 0.8, Y * 1.2)),), True),
    Panel("Adaptation", "inner-loop steps", "query loss (MSE)", (
        Curve("run", STEPS, 3 - STEPS / 2, band=(2.6 - STEPS / 2, 3.4 - STEPS / 2)),
        Curve("scratch baseline", STEPS, 3 - STEPS / 20, dashed=True),
    ), integer_x=True),
)  # fmt: skip
MAX_MEAN_DIFFERENCE = 3.0  # grey levels of 255, after a 1.5 px blur: antialiasing differs, drawings must not


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return {fmt: figure_bytes(PANELS, fmt, SIZE, DPI) for fmt in ("png", "svg", "pdf")}


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


def blurred(png: bytes) -> np.ndarray:
    from PIL import Image, ImageFilter

    return np.asarray(Image.open(io.BytesIO(png)).convert("L").filter(ImageFilter.GaussianBlur(1.5)), dtype=float)


def difference_from_matplotlib(svg: bytes, png: bytes) -> float:
    """Mean absolute grey-level difference between cairosvg's drawing of ``svg`` and matplotlib's ``png``."""
    import cairosvg

    width, height = png_size(png)
    drawn = cairosvg.svg2png(bytestring=svg, output_width=width, output_height=height, background_color="white")
    return float(np.abs(blurred(drawn) - blurred(png)).mean())


def test_png_has_the_pixels_the_size_and_dpi_ask_for(files):
    assert png_size(files["png"]) == (600, 250)
    assert png_size(figure_bytes(PANELS[:1], "png", (2.0, 1.5))) == (600, 450)  # 300 dpi by default


def test_pdf_is_a_pdf_with_the_requested_page_size(files):
    pdf = files["pdf"]
    assert pdf.startswith(b"%PDF-")
    (box,) = set(re.findall(rb"/MediaBox \[ *([0-9. ]+)\]", pdf))
    assert [float(v) for v in box.split()] == [0, 0, SIZE[0] * 72, SIZE[1] * 72]
    assert b"/FontFile2" in pdf  # TrueType fonts embedded: the same letters in every viewer


def test_svg_renders_elsewhere_as_matplotlib_draws_it(files):
    svg = files["svg"]
    assert b"vector-effect" not in svg and b"<text" not in svg  # text as outlines: no font needed to read it
    assert difference_from_matplotlib(svg, files["png"]) < MAX_MEAN_DIFFERENCE


@pytest.mark.parametrize("breakage", ["strokes six times too wide", "text left out", "content shifted 2%"])
def test_a_broken_svg_fails_the_comparison(files, breakage):
    text = files["svg"].decode()
    if breakage.startswith("strokes"):
        text = re.sub(r"stroke-width: ([0-9.]+)", lambda m: f"stroke-width: {float(m.group(1)) * 6}", text)
    elif breakage.startswith("text"):
        text = re.sub(r'<g id="text_\d+">.*?</g>\s*</g>', "", text, flags=re.S)
    else:
        text = text.replace('<g id="figure_1">', '<g id="figure_1" transform="scale(1.02)">')
    assert text != files["svg"].decode()
    assert difference_from_matplotlib(text.encode(), files["png"]) > MAX_MEAN_DIFFERENCE


def test_one_style_and_letters_no_placeholder_for_an_empty_panel():
    from matplotlib import rc_context

    empty = Panel("Task fit", "x", "y", (Curve("nothing yet", [], []),))
    with rc_context(RC):
        figure = build_figure([PANELS[0], empty, PANELS[1]], SIZE)
    titles = [ax.get_title(loc="left") for ax in figure.axes if ax.get_title(loc="left")]
    assert titles == ["(a) Loss", "(b) Adaptation"]  # the empty panel is left out, not drawn blank
    sizes = {label.get_fontsize() for ax in figure.axes for label in ax.get_yticklabels() + ax.get_xticklabels()}
    assert sizes == {RC["ytick.labelsize"]}
    with pytest.raises(ConfigError, match="nothing to draw yet"):
        figure_bytes([empty], "png")


def spans(labels) -> list[tuple[float, float]]:
    boxes = [label.get_window_extent() for label in labels if label.get_text()]
    return sorted((box.y0, box.y1) for box in boxes)


@pytest.mark.parametrize("low, high", [(0.3, 0.9), (0.011, 95.0), (0.05, 0.5), (1.1, 1.3), (2e-4, 3.0)])
def test_log_axis_labels_never_overlap(low, high):
    from matplotlib import rc_context

    x = np.linspace(0, 1, 50)
    panel = Panel("Loss", "x", "loss", (Curve("loss", x, np.geomspace(low, high, 50)),), log_y=True)
    with rc_context(RC):
        figure = build_figure([panel], (3.0, 2.0))
        figure.draw_without_rendering()
    rows = spans(figure.axes[0].get_yticklabels())
    visible = [r for r in rows if r[1] >= 0]
    assert len(visible) >= 2, rows
    assert all(upper[0] >= lower[1] for lower, upper in zip(visible, visible[1:])), rows


def test_log_ticks_prefer_powers_of_ten_then_thin_out():
    assert log_ticks(0.01, 100, 400, 10) == [0.01, 0.1, 1.0, 10.0, 100.0]
    assert log_ticks(0.3, 0.9, 400, 10) == [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    assert log_ticks(0.3, 0.9, 60, 10) == [0.3, 0.9]  # too short for 1..9, too few 1-2-5: the round ends


def legend_and_axes(panel: Panel):
    from matplotlib import rc_context

    with rc_context(RC):
        figure = build_figure([panel], (3.4, 2.6))
        figure.draw_without_rendering()
    ax = figure.axes[0]
    return ax, ax.get_legend().get_window_extent()


def test_a_legend_stays_inside_where_there_is_room_and_covers_no_data():
    x = np.linspace(0, 10, 200)
    ax, box = legend_and_axes(Panel("Loss", "x", "y", (Curve("falling", x, np.exp(-x)), Curve("flat", x, 0 * x))))
    assert ax.get_window_extent().contains(box.x0 + 1, box.y0 + 1) and not covers_data((ax,), box)


def test_a_legend_moves_out_of_a_full_plot():
    x = np.linspace(0, 10, 400)
    noise = np.random.default_rng(0).uniform(0, 1, (3, 400))
    curves = tuple(Curve(f"run {i}", x, noise[i]) for i in range(3))
    ax, box = legend_and_axes(Panel("Noise", "x", "y", curves))
    assert box.y1 < ax.get_window_extent().y0 and not covers_data((ax,), box)  # below the axes


def test_sizes_and_suffixes_are_checked(tmp_path):
    assert parse_size("7x4.3") == (7.0, 4.3) and parse_size(None) is None
    with pytest.raises(ConfigError, match="size must be 1 to 40 inches a side"):
        parse_size("70x4")
    with pytest.raises(ConfigError, match=r"written as .png, .svg or .pdf, got '.jpg'"):
        write_figure(PANELS, tmp_path / "figure.jpg")
    assert not (tmp_path / "figure.jpg").exists()


def test_importing_the_export_package_and_the_cli_does_not_import_matplotlib():
    code = "import sys, studio.export.figures, studio.cli as c; c.build_parser(); print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
