"""Captured-calls files on disk: large ones zlib-compressed, small ones plain pickles.

Written by the capture (inside the workload's process), read by the check job; the host only
carries them as opaque bytes. Kept apart from `capture/` so the check does not import the capture.
"""

from __future__ import annotations

import zlib

COMPRESS_ABOVE = 64 * 1024  # bytes of a calls file; smaller ones stay plain pickles


def pack(data: bytes) -> bytes:
    """A large calls file is zlib-compressed (receivers such as a parser's tables shrink 4-5x,
    and what the host collects is bounded); `unpack` tells the two apart by the first byte."""
    return zlib.compress(data, 1) if len(data) > COMPRESS_ABOVE else data


def unpack(data: bytes) -> bytes:
    """A calls file's pickle, decompressed if `pack` compressed it (a pickle starts with 0x80)."""
    return zlib.decompress(data) if data[:1] == b"\x78" else data
