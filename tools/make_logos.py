"""Draw the kernel's logos (kernel/logo-32x32.png and logo-64x64.png) with nothing but the stdlib.

A red rounded square, Redis's colour, with a white K: drawn at 4x the size with antialiasing by
supersampling, then written as RGBA PNGs. Run it again only to change the logo.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

RED = (220, 56, 44)
WHITE = (255, 255, 255)


def _inside_rounded_square(x: float, y: float, size: float, radius: float) -> bool:
    cx = min(max(x, radius), size - radius)
    cy = min(max(y, radius), size - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def _near_segment(x: float, y: float, a: tuple, b: tuple, width: float) -> bool:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    px, py = ax + t * dx, ay + t * dy
    return (x - px) ** 2 + (y - py) ** 2 <= (width / 2) ** 2


def pixel(x: float, y: float) -> tuple[int, int, int, int]:
    """The colour at (x, y) in a 1x1 logo."""
    if not _inside_rounded_square(x, y, 1.0, 0.18):
        return (0, 0, 0, 0)
    strokes = [((0.33, 0.22), (0.33, 0.78)), ((0.36, 0.52), (0.70, 0.22)),
               ((0.45, 0.45), (0.72, 0.78))]
    if any(_near_segment(x, y, a, b, 0.12) for a, b in strokes):
        return (*WHITE, 255)
    return (*RED, 255)


def render(size: int, samples: int = 4) -> bytes:
    rows = []
    for j in range(size):
        row = bytearray([0])  # PNG filter: none
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(samples):
                for si in range(samples):
                    colour = pixel((i + (si + 0.5) / samples) / size,
                                   (j + (sj + 0.5) / samples) / size)
                    for c in range(4):
                        acc[c] += colour[c]
            row += bytes(round(v / samples ** 2) for v in acc)
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


if __name__ == "__main__":
    folder = Path(__file__).resolve().parent.parent / "kernel"
    for size in (32, 64):
        (folder / f"logo-{size}x{size}.png").write_bytes(render(size))
        print(f"wrote {folder / f'logo-{size}x{size}.png'}")
