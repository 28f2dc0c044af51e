"""Archives from strangers, checked and unpacked by one code path.

The API's check and the worker's unpack both build the tree on a real disk (the check writes empty
files), so what the check accepts is exactly what the unpack writes. Every member is placed
relative to the directory built so far, one component at a time, with O_NOFOLLOW and O_EXCL:
nothing is ever written through a link, a name is never written twice, and no member leaves the
tree whatever the links before it say. Links are judged where they land: once the tree is
complete, each must resolve inside it.

Sizes are bounded while decompressing: the position in the decompressed tar stream (headers,
pax records and GNU long names included) counts against the unpacked budget, and tarfile is never
allowed one read larger than a small header limit, so a huge pax or long-name header is refused
before it is allocated.
"""

from __future__ import annotations

import errno
import gzip
import io
import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from optiagent.domain.errors import InputError

CHUNK = 1 << 15  # what a member is copied by; smaller than MAX_HEADER_BYTES
MAX_HEADER_BYTES = 1 << 16  # a pax record set or GNU long name above this is refused


@dataclass(frozen=True)
class ArchiveLimits:
    max_unpacked_bytes: int = 200 * 2**20
    max_files: int = 5000


class ArchiveRefused(InputError):
    """The archive is malformed or unsafe; the message says why."""


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def archive_kind(data: bytes) -> str:
    if data[:2] == b"\x1f\x8b":
        return "tar.gz"
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return "zip"
    raise ArchiveRefused("the archive is neither a .tar.gz nor a .zip file")


def _too_big(limits: ArchiveLimits) -> ArchiveRefused:
    return ArchiveRefused(f"the archive unpacks to more than {limits.max_unpacked_bytes / 2**20:g} MB")


def member_parts(name: str) -> tuple[str, ...]:
    """The components of a member's name; refuses absolute names, `..`, backslashes and NULs."""
    if "\\" in name or "\0" in name:
        raise ArchiveRefused(f"archive member {name!r} has a backslash or NUL in its name")
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise ArchiveRefused(f"archive member {name!r} has an absolute path")
    if ".." in path.parts:
        raise ArchiveRefused(f"archive member {name!r} points outside the archive (..)")
    return path.parts


def _lexically_inside(parts: tuple[str, ...], target: str) -> bool:
    """A link's text, read as if no component were a link, stays inside (a quick early refusal;
    the real check is `_check_links` on the finished tree)."""
    if not target or target.startswith("/") or "\0" in target or "\\" in target:
        return False
    depth = len(parts) - 1
    for part in PurePosixPath(target).parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return False
        elif part != ".":
            depth += 1
    return True


class _BoundedStream(io.RawIOBase):
    """The decompressed tar stream as tarfile sees it: no read above MAX_HEADER_BYTES (only a huge
    header asks for one) and no position beyond the unpacked budget (headers count too)."""

    def __init__(self, inner: gzip.GzipFile, limits: ArchiveLimits) -> None:
        super().__init__()
        self.inner, self.limits = inner, limits

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        if size < 0 or size > MAX_HEADER_BYTES:
            raise ArchiveRefused(
                f"the archive has a header (pax or GNU long name) larger than {MAX_HEADER_BYTES // 1024} KiB"
            )
        if self.inner.tell() + size > self.limits.max_unpacked_bytes + 2 * tarfile.BLOCKSIZE:
            raise _too_big(self.limits)
        return self.inner.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        target = offset if whence == io.SEEK_SET else self.inner.tell() + offset
        if whence not in (io.SEEK_SET, io.SEEK_CUR) or target > self.limits.max_unpacked_bytes:
            raise _too_big(self.limits)
        return self.inner.seek(target)

    def tell(self) -> int:
        return self.inner.tell()


class _Tree:
    """The directory being built, written only through directory fds opened without following links.

    `keep` False writes every file empty: the check's tree has the same names, kinds and links
    as the unpack's, at no disk cost."""

    def __init__(self, root: Path, limits: ArchiveLimits, keep: bool) -> None:
        self.root, self.limits, self.keep = root, limits, keep
        self.files = 0
        self.bytes = 0

    def count(self) -> None:
        self.files += 1
        if self.files > self.limits.max_files:
            raise ArchiveRefused(f"the archive has more than {self.limits.max_files} files")

    @contextmanager
    def _parent(self, parts: tuple[str, ...]) -> Iterator[int]:
        """A descriptor of the member's directory, creating missing directories on the way; refuses
        a path through a link or a file."""
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for index, part in enumerate(parts[:-1]):
                try:
                    child = _open_directory(part, fd)
                except FileNotFoundError:
                    os.mkdir(part, 0o755, dir_fd=fd)
                    child = _open_directory(part, fd)
                except OSError as error:
                    if error.errno not in (errno.ELOOP, errno.ENOTDIR):
                        raise
                    where = "/".join(parts[: index + 1])
                    raise ArchiveRefused(
                        f"archive member {'/'.join(parts)!r} goes through a link or a file ({where})"
                    ) from error
                os.close(fd)
                fd = child
            yield fd
        finally:
            os.close(fd)

    def directory(self, parts: tuple[str, ...]) -> None:
        if not parts:
            return  # "./": the root itself
        with self._parent(parts) as fd:
            try:
                os.mkdir(parts[-1], 0o755, dir_fd=fd)
            except FileExistsError:
                if not stat.S_ISDIR(os.stat(parts[-1], dir_fd=fd, follow_symlinks=False).st_mode):
                    raise _duplicate(parts) from None

    def file(self, parts: tuple[str, ...], source: _Readable, declared: int, executable: bool) -> None:
        if not parts:
            raise ArchiveRefused("an archive member that is a file has an empty name")
        if self.bytes + declared > self.limits.max_unpacked_bytes:
            raise _too_big(self.limits)
        with self._parent(parts) as fd:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            try:
                out = os.open(parts[-1], flags, 0o755 if executable else 0o644, dir_fd=fd)
            except FileExistsError:
                raise _duplicate(parts) from None
        with open(out, "wb") as stream:
            written = 0
            while chunk := source.read(CHUNK):
                written += len(chunk)
                self.bytes += len(chunk)
                if written > declared:
                    raise ArchiveRefused("an archive member is larger than the archive declares")
                if self.bytes > self.limits.max_unpacked_bytes:
                    raise _too_big(self.limits)
                if self.keep:
                    stream.write(chunk)
            if written != declared:
                raise ArchiveRefused("an archive member is shorter than the archive declares")

    def link(self, parts: tuple[str, ...], target: str) -> None:
        if not parts or not _lexically_inside(parts, target):
            raise ArchiveRefused(f"link {'/'.join(parts)!r} points outside the archive")
        with self._parent(parts) as fd:
            try:
                os.symlink(target, parts[-1], dir_fd=fd)
            except FileExistsError:
                raise _duplicate(parts) from None

    def check_links(self) -> None:
        """Every link, resolved on the finished tree, lands inside it."""
        real_root = os.path.realpath(self.root)
        for directory, names, files in os.walk(self.root):
            for name in names + files:
                path = os.path.join(directory, name)
                if os.path.islink(path):
                    resolved = os.path.realpath(path)
                    if resolved != real_root and not resolved.startswith(real_root + os.sep):
                        relative = os.path.relpath(path, self.root)
                        raise ArchiveRefused(f"link {relative!r} points outside the archive")


def _open_directory(name: str, dir_fd: int) -> int:
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)


def _duplicate(parts: tuple[str, ...]) -> ArchiveRefused:
    return ArchiveRefused(f"archive member {'/'.join(parts)!r} appears more than once")


def _unpack_tar(data: bytes, tree: _Tree) -> None:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
            stream = _BoundedStream(unzipped, tree.limits)
            with tarfile.TarFile(fileobj=stream, mode="r") as archive:
                for member in archive:
                    _place_tar_member(archive, member, tree)
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, OSError, ValueError) as error:
        raise ArchiveRefused(f"the .tar.gz archive is damaged: {error}") from error


def _place_tar_member(archive: tarfile.TarFile, member: tarfile.TarInfo, tree: _Tree) -> None:
    parts = member_parts(member.name)
    tree.count()
    if member.isdir():
        tree.directory(parts)
    elif member.isreg() and not member.issparse():
        extracted = archive.extractfile(member)
        assert extracted is not None
        tree.file(parts, extracted, member.size, bool(member.mode & stat.S_IXUSR))
    elif member.issym():
        tree.link(parts, member.linkname)
    elif member.islnk():
        raise ArchiveRefused(f"hard link {member.name!r} is not allowed; archive the file itself")
    else:
        raise ArchiveRefused(f"{member.name!r} is a device, FIFO or other special file")


def _unpack_zip(data: bytes, tree: _Tree) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > tree.limits.max_files:
                raise ArchiveRefused(f"the archive has more than {tree.limits.max_files} files")
            for info in infos:
                parts = member_parts(info.filename)
                tree.count()
                kind = stat.S_IFMT(info.external_attr >> 16)
                if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                    raise ArchiveRefused(
                        f"{info.filename!r} is a link or special file; zips may hold neither"
                    )
                if info.is_dir():
                    tree.directory(parts)
                    continue
                with archive.open(info) as extracted:
                    executable = bool((info.external_attr >> 16) & stat.S_IXUSR)
                    tree.file(parts, extracted, info.file_size, executable)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        raise ArchiveRefused(f"the .zip archive is damaged: {error}") from error


def _build(data: bytes, staging: Path, limits: ArchiveLimits, keep: bool) -> None:
    kind = archive_kind(data)
    tree = _Tree(staging, limits, keep)
    (_unpack_tar if kind == "tar.gz" else _unpack_zip)(data, tree)
    if tree.files == 0:
        raise ArchiveRefused("the archive is empty")
    tree.check_links()


def unpack_archive(data: bytes, destination: Path, limits: ArchiveLimits) -> Path:
    """Unpacks into `destination` (which must not exist) and returns the project root: the single
    top-level directory when the archive has one (as GitHub's do), else `destination`. A refused
    archive leaves nothing behind."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=destination.parent))
    try:
        _build(data, staging, limits, keep=True)
        staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return project_root(destination)


def check_archive(data: bytes, limits: ArchiveLimits) -> None:
    """Refuses an unsafe archive with ArchiveRefused: the unpack's own code, into a scratch
    directory of empty files that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="optiagent-check-") as scratch:
        _build(data, Path(scratch), limits, keep=False)


def project_root(directory: Path) -> Path:
    entries = [p for p in directory.iterdir() if p.name not in ("__MACOSX",)]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return directory
