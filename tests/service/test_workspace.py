"""Archives unpack safely (unit tests, no services): what is refused, and that a refusal leaves
nothing behind; git checkouts come back as the same files."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from optiagent.domain.errors import InputError
from optiagent.services.workspace import (
    ArchiveLimits,
    ArchiveRefused,
    RepositoryPolicy,
    check_archive,
    fetch_repository,
    pack_directory,
    unpack_archive,
)
from tests.service.stack import EXAMPLES, git_repository, tar_gz

LIMITS = ArchiveLimits(max_unpacked_bytes=2**20, max_files=20)


def _tar(*members: tuple[str, bytes | None, bytes, str]) -> bytes:
    """(name, data, type, linkname) members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data, kind, link in members:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, link
            info.size = len(data) if data is not None else 0
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def file(name: str, data: bytes = b"x = 1\n") -> tuple[str, bytes, bytes, str]:
    return name, data, tarfile.REGTYPE, ""


def link(name: str, target: str) -> tuple[str, None, bytes, str]:
    return name, None, tarfile.SYMTYPE, target


def test_a_plain_archive_unpacks_to_its_single_top_directory(tmp_path: Path) -> None:
    root = unpack_archive(tar_gz(EXAMPLES / "primes"), tmp_path / "job", LIMITS)
    assert root == tmp_path / "job" / "primes"
    assert (root / "ex_primes.py").read_bytes() == (EXAMPLES / "primes" / "ex_primes.py").read_bytes()


def test_links_inside_the_archive_are_kept(tmp_path: Path) -> None:
    root = unpack_archive(
        _tar(file("pkg/a.py"), link("pkg/b.py", "a.py"), file("c.py")), tmp_path / "j", LIMITS
    )
    assert (root / "pkg" / "b.py").is_symlink() and (root / "pkg" / "b.py").read_text() == "x = 1\n"


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ((file("../evil.py"),), "outside"),
        ((file("/tmp/evil.py"),), "absolute"),
        ((link("a", "/etc/passwd"),), "outside"),
        ((link("pkg/a", "../../x"),), "outside"),
        ((link("d", "."), file("d/x.py")), "through a link"),
        ((file("a\\b.py"),), "backslash"),
        (tuple(file(f"f{i}.py") for i in range(21)), "more than 20 files"),
        ((file("big.bin", b"\0" * (2**20 + 1)),), "unpacks to more than"),
        ((), "empty"),
    ],
)
def test_unsafe_tar_archives_are_refused_leaving_nothing(
    tmp_path: Path, members: tuple[tuple[str, bytes | None, bytes, str], ...], reason: str
) -> None:
    data = _tar(*members)
    with pytest.raises(ArchiveRefused, match=reason):
        check_archive(data, LIMITS)
    with pytest.raises(ArchiveRefused, match=reason):
        unpack_archive(data, tmp_path / "job", LIMITS)
    assert list(tmp_path.iterdir()) == []  # no job directory, no staging leftovers


def test_a_zip_bomb_is_refused_while_reading(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"\0" * (4 * 2**20))
    assert len(buffer.getvalue()) < 64 * 1024
    with pytest.raises(ArchiveRefused, match="unpacks to more than 1 MB"):
        unpack_archive(buffer.getvalue(), tmp_path / "job", LIMITS)
    assert list(tmp_path.iterdir()) == []


def test_a_zip_that_lies_about_its_sizes_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.txt", b"a" * 1000)
    data = bytearray(buffer.getvalue())
    # Declare 10 bytes in the central directory (offset 24 of the entry: uncompressed size).
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(ArchiveRefused):
        unpack_archive(bytes(data), tmp_path / "job", LIMITS)


def test_non_archives_are_refused() -> None:
    with pytest.raises(ArchiveRefused, match="neither"):
        check_archive(b"#!/bin/sh\necho hi\n", LIMITS)


def test_a_git_checkout_packs_and_unpacks_to_the_same_files(tmp_path: Path) -> None:
    url = git_repository(EXAMPLES / "primes", tmp_path / "repo")
    checkout = fetch_repository(url, None, tmp_path / "checkout", RepositoryPolicy(allow_file_urls=True))
    assert not (checkout / ".git").exists()
    root = unpack_archive(pack_directory(checkout), tmp_path / "unpacked", ArchiveLimits())
    names = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    assert names == sorted(p.relative_to(checkout).as_posix() for p in checkout.rglob("*"))


def test_file_urls_can_be_turned_off(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="turned off"):
        fetch_repository("file:///tmp/x", None, tmp_path / "c", RepositoryPolicy(allow_file_urls=False))
    with pytest.raises(InputError, match="https"):
        fetch_repository("ext::sh%20-c%20evil", None, tmp_path / "c", RepositoryPolicy(allow_file_urls=True))
