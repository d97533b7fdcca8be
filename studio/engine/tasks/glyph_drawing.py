"""Drawing the built-in glyph alphabet: character-like shapes made of strokes, arcs and dots.

A glyph (a class) is 1..8 strokes in the square [-1, 1]^2, each a polyline of
:data:`POINTS` points: a bent line (a quadratic Bezier curve), an arc of a
circle, or a dot.  The glyph is centred and scaled to fill the box, as a
person draws a character to fill its cell.

A drawing (an instance) moves the glyph by a random affine map (rotation,
scale, shear, shift) and wobbles each stroke, then renders it: the stroke
points are splatted bilinearly onto the pixel grid, blurred, and thresholded
at a per-drawing level (thicker or thinner pens), with dark ink on white as
in Omniglot's scans, plus Gaussian pixel noise.  Everything is vectorised over
drawings and comes from one ``torch.Generator``, so a seed gives the same
alphabet on every machine.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

POINTS = 6  # control points per stroke
DENSE = 24  # points per stroke splatted onto the canvas
KIND_WEIGHTS = (0.45, 0.4, 0.15)  # line, arc, dot
CHUNK = 4096  # drawings rendered at once (bounds memory)


def glyph_strokes(classes: int, strokes: tuple[int, int], generator: torch.Generator) -> tuple[torch.Tensor, ...]:
    """Stroke points (classes, max_strokes, POINTS, 2) and which strokes each glyph uses (classes, max_strokes)."""
    low, high = strokes
    shape = (classes, high)
    kind = torch.multinomial(torch.tensor(KIND_WEIGHTS), classes * high, True, generator=generator).view(shape)
    t = torch.linspace(0, 1, POINTS).view(1, 1, POINTS, 1)
    line, arc, dot = _lines(shape, t, generator), _arcs(shape, t, generator), _dots(shape, generator)
    points = torch.where((kind == 0)[..., None, None], line, torch.where((kind == 1)[..., None, None], arc, dot))
    used = torch.arange(high) < torch.randint(low, high + 1, (classes, 1), generator=generator)
    return _fill_box(points, used), used


def _lines(shape: tuple[int, int], t: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    start = torch.rand(*shape, 2, generator=gen) * 1.4 - 0.7
    angle = torch.rand(shape, generator=gen) * 2 * math.pi
    length = 0.5 + 0.7 * torch.rand(shape, generator=gen)
    step = torch.stack([angle.cos(), angle.sin()], -1) * length[..., None]
    end = start + step
    bend = (torch.rand(*shape, 1, generator=gen) - 0.5) * 0.8
    control = (start + end) / 2 + bend * torch.stack([-step[..., 1], step[..., 0]], -1)
    start, control, end = (p[:, :, None] for p in (start, control, end))
    return (1 - t) ** 2 * start + 2 * t * (1 - t) * control + t**2 * end


def _arcs(shape: tuple[int, int], t: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    centre = torch.rand(*shape, 2, generator=gen) * 0.8 - 0.4
    radius = 0.2 + 0.35 * torch.rand(shape, generator=gen)
    start = torch.rand(shape, generator=gen) * 2 * math.pi
    direction = torch.where(torch.rand(shape, generator=gen) < 0.5, -1.0, 1.0)
    sweep = (0.6 + 1.2 * torch.rand(shape, generator=gen)) * math.pi * direction
    angle = start[..., None] + sweep[..., None] * t[..., 0]
    return centre[:, :, None] + radius[..., None, None] * torch.stack([angle.cos(), angle.sin()], -1)


def _dots(shape: tuple[int, int], gen: torch.Generator) -> torch.Tensor:
    centre = torch.rand(*shape, 1, 2, generator=gen) * 1.2 - 0.6
    ring = torch.linspace(0, 2 * math.pi, POINTS)
    return centre + 0.05 * torch.stack([ring.cos(), ring.sin()], -1)  # a tiny circle: a filled dot once drawn


def _fill_box(points: torch.Tensor, used: torch.Tensor, extent: float = 0.72) -> torch.Tensor:
    """Centre each glyph's used strokes and scale them so the longer side spans [-extent, extent]."""
    mask = used[:, :, None, None]
    low = torch.where(mask, points, torch.inf).amin(dim=(1, 2))
    high = torch.where(mask, points, -torch.inf).amax(dim=(1, 2))
    centre, span = (low + high) / 2, (high - low).amax(-1).clamp_min(0.2)
    return (points - centre[:, None, None]) * (2 * extent / span)[:, None, None, None]


def draw_glyphs(
    points: torch.Tensor,
    used: torch.Tensor,
    drawings: int,
    size: int,
    jitter: float,
    noise: float,
    generator: torch.Generator,
) -> torch.Tensor:
    """``drawings`` renderings of every glyph, uint8 (classes * drawings, size, size), class-major."""
    owner = torch.arange(len(points)).repeat_interleave(drawings)
    out = torch.empty(len(owner), size, size, dtype=torch.uint8)
    for start in range(0, len(owner), CHUNK):
        which = owner[start : start + CHUNK]
        strokes = _jittered(points[which], jitter, generator)
        ink = _ink(_splat(strokes, used[which], size), jitter, generator)
        pixels = 1 - ink + noise * torch.randn(ink.shape, generator=generator)
        out[start : start + len(which)] = (pixels.clamp(0, 1) * 255).round().to(torch.uint8)
    return out


def _jittered(points: torch.Tensor, jitter: float, gen: torch.Generator) -> torch.Tensor:
    """Each drawing's strokes: wobbled (per-stroke shift and tilt), then a random affine map."""
    m, strokes = points.shape[:2]
    wobble = torch.randn(m, strokes, 2, 2, generator=gen) * 0.04 * jitter
    along = torch.linspace(-0.5, 0.5, POINTS).view(1, 1, POINTS, 1)
    points = points + wobble[:, :, None, 0] + along * wobble[:, :, None, 1]
    angle = torch.randn(m, generator=gen) * 0.12 * jitter
    scale = torch.exp(torch.randn(m, 2, generator=gen) * 0.08 * jitter)
    shear = torch.randn(m, generator=gen) * 0.12 * jitter
    cos, sin, zero = angle.cos(), angle.sin(), torch.zeros(m)
    rotate = torch.stack([torch.stack([cos, -sin], -1), torch.stack([sin, cos], -1)], -2)
    stretch = torch.stack(
        [torch.stack([scale[:, 0], shear * scale[:, 1]], -1), torch.stack([zero, scale[:, 1]], -1)], -2
    )
    shift = torch.randn(m, 1, 1, 2, generator=gen) * 0.05 * jitter
    return torch.einsum("mij,mspj->mspi", rotate @ stretch, points) + shift


def _splat(points: torch.Tensor, used: torch.Tensor, size: int) -> torch.Tensor:
    """Dense stroke points splatted bilinearly onto (m, size, size) canvases (summed, then capped at 1)."""
    m, strokes = points.shape[:2]
    u = torch.linspace(0, POINTS - 1, DENSE)
    index = u.floor().long().clamp(max=POINTS - 2)
    frac = (u - index)[:, None]
    dense = points[:, :, index] * (1 - frac) + points[:, :, index + 1] * frac
    xy = (dense + 1) / 2 * size - 0.5
    corner = xy.floor()
    frac, corner = xy - corner, corner.long()
    image = torch.arange(m).view(m, 1, 1)
    outside = m * size * size  # one extra bin collects points off the canvas and unused strokes
    canvas = torch.zeros(outside + 1)
    for dx in (0, 1):
        for dy in (0, 1):
            weight = (frac[..., 0] if dx else 1 - frac[..., 0]) * (frac[..., 1] if dy else 1 - frac[..., 1])
            x, y = corner[..., 0] + dx, corner[..., 1] + dy
            ok = used[:, :, None] & (x >= 0) & (x < size) & (y >= 0) & (y < size)
            flat = torch.where(ok, (image * size + y) * size + x, outside)
            canvas += torch.bincount(flat.view(-1), weight.reshape(-1), minlength=outside + 1)
    canvas = canvas[:outside]
    return canvas.clamp_(max=1).view(m, size, size)


def _ink(canvas: torch.Tensor, jitter: float, gen: torch.Generator) -> torch.Tensor:
    """Blur the splatted strokes and threshold them softly; a per-drawing threshold varies the pen width."""
    sigma = 0.9 * canvas.shape[-1] / 28
    radius = max(1, math.ceil(2 * sigma))
    kernel = torch.exp(-(torch.arange(-radius, radius + 1.0) ** 2) / (2 * sigma**2))
    blurred = _blur(canvas, kernel / kernel.sum())
    threshold = 0.16 * torch.exp(torch.randn(len(canvas), 1, 1, generator=gen) * 0.15 * jitter)
    return ((blurred - threshold) * 6).clamp(0, 1)


def _blur(images: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Separable blur of (m, h, w) by shifted sums (faster on the CPU than a one-channel conv2d)."""
    radius, width = len(kernel) // 2, images.shape[-1]
    padded = F.pad(images, (radius, radius))
    rows = sum(k * padded[..., i : i + width] for i, k in enumerate(kernel.tolist()))
    padded = F.pad(rows, (0, 0, radius, radius))
    return sum(k * padded[..., i : i + width, :] for i, k in enumerate(kernel.tolist()))
