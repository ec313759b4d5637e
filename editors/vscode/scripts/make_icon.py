"""Draw the extension's icon, images/icon.png (128x128 RGBA), with the standard library only."""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

SIZE = 128
OUT = Path(__file__).resolve().parents[1] / "images" / "icon.png"
Pixel = tuple[int, int, int, int]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(pixels: list[list[Pixel]]) -> bytes:
    """An RGBA PNG of ``pixels`` (rows of RGBA tuples)."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunks = _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def _inside_rounded_square(x: float, y: float, radius: float) -> bool:
    cx = min(max(x, radius), SIZE - radius)
    cy = min(max(y, radius), SIZE - radius)
    return math.hypot(x - cx, y - cy) <= radius


def _in_spark(x: float, y: float) -> bool:
    # A four-pointed star: |dx|^p + |dy|^p <= r^p with p < 1 draws concave sides.
    dx, dy = abs(x - SIZE / 2) / 44, abs(y - SIZE / 2) / 44
    return dx**0.55 + dy**0.55 <= 1


def pixel(x: int, y: int) -> Pixel:
    """The colour at one pixel: a violet-to-blue rounded square with a white spark, transparent outside."""
    if not _inside_rounded_square(x + 0.5, y + 0.5, 24):
        return (0, 0, 0, 0)
    if _in_spark(x + 0.5, y + 0.5):
        return (255, 255, 255, 255)
    t = (x + y) / (2 * SIZE)
    return (round(124 - 80 * t), round(58 + 60 * t), round(237 - 20 * t), 255)


def main() -> None:
    """Write the icon."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(png([[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]))


if __name__ == "__main__":
    main()
