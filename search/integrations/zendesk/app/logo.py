"""The app's logos (a small decision tree on a blue tile) drawn as PNG files at packaging time.

Zendesk wants ``assets/logo.png`` at 320x320 and ``assets/logo-small.png`` at 128x128. Drawing
them here (signed distances, one sample per pixel, zlib + struct) keeps binary files out of the
repository and the package byte-for-byte reproducible without an imaging library.
"""

from __future__ import annotations

import math
import struct
import zlib

DESIGN = 320.0  # the drawing's own units; every size is this scaled
BLUE = (31, 115, 183)
WHITE = (255, 255, 255)
NODES = ((160.0, 92.0), (92.0, 228.0), (228.0, 228.0))  # a question and its two answers
NODE_RADIUS = 30.0
EDGE_HALF_WIDTH = 8.0
TILE_RADIUS = 64.0


def _rounded_square(x: float, y: float) -> float:
    """Signed distance (design units) to the tile: negative inside."""
    half = DESIGN / 2
    qx = abs(x - half) - (half - TILE_RADIUS)
    qy = abs(y - half) - (half - TILE_RADIUS)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - TILE_RADIUS


def _segment(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (ax + t * dx), y - (ay + t * dy)) - EDGE_HALF_WIDTH


def _tree(x: float, y: float) -> float:
    """Signed distance to the white glyph: three nodes and the two edges from the root."""
    nodes = min(math.hypot(x - nx, y - ny) - NODE_RADIUS for nx, ny in NODES)
    edges = min(_segment(x, y, NODES[0], NODES[1]), _segment(x, y, NODES[0], NODES[2]))
    return min(nodes, edges)


def _coverage(distance_px: float) -> float:
    """Share of a pixel inside a shape, from the signed distance of its centre (anti-aliasing)."""
    return max(0.0, min(1.0, 0.5 - distance_px))


def logo_pixels(size: int) -> bytes:
    """RGBA rows of the logo at ``size`` x ``size``, each row led by PNG filter byte 0."""
    scale = DESIGN / size
    rows = bytearray()
    for row in range(size):
        rows.append(0)
        y = (row + 0.5) * scale
        for col in range(size):
            x = (col + 0.5) * scale
            alpha = _coverage(_rounded_square(x, y) / scale)
            glyph = _coverage(_tree(x, y) / scale)
            rows.extend(round(b + (w - b) * glyph) for b, w in zip(BLUE, WHITE, strict=True))
            rows.append(round(255 * alpha))
    return bytes(rows)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def logo_png(size: int) -> bytes:
    """The logo as a PNG file (8-bit RGBA, no metadata, so the bytes depend only on ``size``)."""
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(logo_pixels(size), 9)) + _chunk(b"IEND", b"")
