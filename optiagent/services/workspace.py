"""A job's code on a worker's disk: archives checked and unpacked safely, git checkouts packed.

Archives come from strangers: no absolute names, no `..`, no links leaving the tree, no device
files, and bounded unpacked size and file count (a zip bomb is refused while it is read, before
it fills a disk). Everything is unpacked into a fresh directory that is renamed into place, so a
refused archive leaves nothing behind.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from optiagent.domain.errors import InputError

CHUNK = 1 << 16
GIT_TIMEOUT_S = 300


@dataclass(frozen=True)
class ArchiveLimits:
    max_unpacked_bytes: int = 200 * 2**20
    max_files: int = 5000


class ArchiveRefused(InputError):
    """The archive is malformed or unsafe; the message says why."""


def archive_kind(data: bytes) -> str:
    if data[:2] == b"\x1f\x8b":
        return "tar.gz"
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        return "zip"
    raise ArchiveRefused("the archive is neither a .tar.gz nor a .zip file")


def _safe_name(name: str) -> PurePosixPath:
    if "\\" in name or "\0" in name:
        raise ArchiveRefused(f"archive member {name!r} has a backslash or NUL in its name")
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise ArchiveRefused(f"archive member {name!r} has an absolute path")
    if ".." in path.parts:
        raise ArchiveRefused(f"archive member {name!r} points outside the archive (..)")
    return path


def _inside(link_dir: PurePosixPath, target: str) -> bool:
    if target.startswith("/"):
        return False
    depth = 0
    for part in (link_dir / target).parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return False
        elif part != ".":
            depth += 1
    return True


class _Budget:
    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits, self.files, self.bytes = limits, 0, 0
        self.links: set[PurePosixPath] = set()

    def through_link(self, path: PurePosixPath) -> None:
        """Refuses a member under a link: its lexical check would not hold on disk."""
        if any(parent in self.links for parent in path.parents):
            raise ArchiveRefused(f"archive member {path.as_posix()!r} goes through a link")

    def file(self) -> None:
        self.files += 1
        if self.files > self.limits.max_files:
            raise ArchiveRefused(f"the archive has more than {self.limits.max_files} files")

    def expect(self, size: int) -> None:
        """Refuses a member whose declared size alone breaks the budget, before reading it."""
        if self.bytes + size > self.limits.max_unpacked_bytes:
            self.grow(size)

    def grow(self, size: int) -> None:
        self.bytes += size
        if self.bytes > self.limits.max_unpacked_bytes:
            limit_mb = self.limits.max_unpacked_bytes / 2**20
            raise ArchiveRefused(f"the archive unpacks to more than {limit_mb:g} MB")


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _copy(source: _Readable, destination: Path | None, budget: _Budget, declared: int) -> None:
    """Streams one member out (to nowhere when only checking), counting what it really holds."""
    written = 0
    with destination.open("wb") if destination else open(os.devnull, "wb") as out:
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                break
            written += len(chunk)
            if written > declared:
                raise ArchiveRefused("an archive member is larger than the archive declares")
            budget.grow(len(chunk))
            out.write(chunk)


def _unpack_tar(data: bytes, into: Path | None, budget: _Budget) -> None:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                path = _safe_name(member.name)
                budget.file()
                budget.through_link(path)
                destination = _destination(into, path)
                if member.isdir():
                    if destination:
                        destination.mkdir(parents=True, exist_ok=True)
                elif member.isfile():
                    budget.expect(member.size)
                    extracted = archive.extractfile(member)
                    assert extracted is not None
                    _copy(extracted, destination, budget, member.size)
                    if destination and member.mode & stat.S_IXUSR:
                        destination.chmod(0o755)
                elif member.issym():
                    if not _inside(path.parent, member.linkname):
                        raise ArchiveRefused(f"link {member.name!r} points outside the archive")
                    budget.links.add(path)
                    if destination:
                        os.symlink(member.linkname, destination)
                elif member.islnk():
                    raise ArchiveRefused(f"hard link {member.name!r} is not allowed; archive the file itself")
                else:
                    raise ArchiveRefused(f"{member.name!r} is a device or special file")
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ArchiveRefused(f"the .tar.gz archive is damaged: {error}") from error


def _unpack_zip(data: bytes, into: Path | None, budget: _Budget) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                path = _safe_name(info.filename)
                budget.file()
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    raise ArchiveRefused(f"{info.filename!r} is a link; zip archives may not contain links")
                destination = _destination(into, path)
                if info.is_dir():
                    if destination:
                        destination.mkdir(parents=True, exist_ok=True)
                    continue
                budget.expect(info.file_size)
                with archive.open(info) as extracted:
                    _copy(extracted, destination, budget, info.file_size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        raise ArchiveRefused(f"the .zip archive is damaged: {error}") from error


def unpack_archive(data: bytes, destination: Path, limits: ArchiveLimits) -> Path:
    """Unpacks into `destination` (which must not exist) and returns the project root: the single
    top-level directory when the archive has one (as GitHub's do), else `destination`."""
    kind = archive_kind(data)
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=destination.parent))
    try:
        budget = _Budget(limits)
        (_unpack_tar if kind == "tar.gz" else _unpack_zip)(data, staging, budget)
        if budget.files == 0:
            raise ArchiveRefused("the archive is empty")
        staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return project_root(destination)


def check_archive(data: bytes, limits: ArchiveLimits) -> None:
    """Refuses an unsafe archive with ArchiveRefused after reading it through, writing nothing."""
    kind = archive_kind(data)
    budget = _Budget(limits)
    (_unpack_tar if kind == "tar.gz" else _unpack_zip)(data, None, budget)
    if budget.files == 0:
        raise ArchiveRefused("the archive is empty")


def _destination(into: Path | None, path: PurePosixPath) -> Path | None:
    """Where a member goes (its parent created), or None when only checking."""
    if into is None:
        return None
    destination = into.joinpath(*path.parts) if path.parts else into
    destination.parent.mkdir(parents=True, exist_ok=True)
    return destination


def project_root(directory: Path) -> Path:
    entries = [p for p in directory.iterdir() if p.name not in ("__MACOSX",)]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return directory


def pack_directory(directory: Path) -> bytes:
    """A .tar.gz of `directory` (without .git), with names relative to it."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(directory)
            if relative.parts[0] == ".git":
                continue
            archive.add(path, arcname=relative.as_posix(), recursive=False)
    return buffer.getvalue()


def check_git_url(url: str, allow_file_urls: bool) -> None:
    if url.startswith(("https://", "http://")):
        return
    if url.startswith("file://"):
        if not allow_file_urls:
            raise InputError("file:// repository URLs are turned off on this server")
        return
    raise InputError("repo_url must be an https:// (or, for local use, file://) git URL")


def clone(url: str, ref: str | None, destination: Path, allow_file_urls: bool) -> Path:
    """A checkout of `ref` (default branch when None) in `destination`, without its .git directory."""
    check_git_url(url, allow_file_urls)
    environment = {"GIT_TERMINAL_PROMPT": "0", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    environment["HOME"] = tempfile.gettempdir()
    staging = Path(tempfile.mkdtemp(prefix=".clone-", dir=destination.parent))
    allow = ["-c", "protocol.file.allow=always"] if allow_file_urls else []

    def git(*args: str) -> None:
        done = subprocess.run(
            ["git", *allow, *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            env=environment,
            check=False,
        )
        if done.returncode != 0:
            raise InputError(f"git {args[0]} failed: {done.stderr.strip()[-500:]}")

    try:
        git("clone", "--quiet", "--no-checkout", "--", url, str(staging))
        git("-C", str(staging), "checkout", "--quiet", "--detach", ref or "HEAD")
        shutil.rmtree(staging / ".git")
        for path in staging.rglob("*"):
            if path.is_symlink() and not _inside(
                PurePosixPath(path.parent.relative_to(staging).as_posix()), os.readlink(path)
            ):
                raise InputError(f"{path.relative_to(staging)} links outside the repository")
        staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return destination
