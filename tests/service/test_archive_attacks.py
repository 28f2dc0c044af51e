"""Hostile archives against the one code path of the API's check and the worker's unpack (no
services): links judged where they land, no member written through a link or twice, headers
bounded in size and counted in the budget."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from optiagent.services.workspace import ArchiveLimits, ArchiveRefused, check_archive, unpack_archive
from tests.service.hostile import huge_header_tar, symlink_chain_tar, tar_of

LIMITS = ArchiveLimits(max_unpacked_bytes=2**20, max_files=100)
REG, SYM, DIR = tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.DIRTYPE


def _refused_everywhere(data: bytes, tmp_path: Path, reason: str, limits: ArchiveLimits = LIMITS) -> None:
    with pytest.raises(ArchiveRefused, match=reason):
        check_archive(data, limits)
    jobs = tmp_path / "jobs"
    with pytest.raises(ArchiveRefused, match=reason):
        unpack_archive(data, jobs / "job", limits)
    assert list(jobs.iterdir()) == []  # no job directory, no staging leftovers


def test_the_symlink_chain_writes_nothing_outside(tmp_path: Path) -> None:
    """The confirmed write-anywhere archive is refused by the check and the unpack alike."""
    target = tmp_path / "outside" / "escaped.txt"
    target.parent.mkdir()
    data = symlink_chain_tar(target, b"pwned\n")
    _refused_everywhere(data, tmp_path, "outside|through a link|more than once")
    assert not target.exists()


def test_a_link_made_to_point_outside_by_a_later_link_is_refused(tmp_path: Path) -> None:
    """`x -> y/..` is inside when written, until `y -> .` makes it the parent of the tree."""
    data = tar_of(("x", SYM, "y/.."), ("y", SYM, "."), ("a.py", REG, b"x = 1\n"))
    _refused_everywhere(data, tmp_path, "'x' points outside")


def test_a_member_is_never_written_through_a_link(tmp_path: Path) -> None:
    """Even a link to a directory inside the tree cannot be written through."""
    data = tar_of(("pkg/", DIR, ""), ("alias", SYM, "pkg"), ("alias/a.py", REG, b"x = 1\n"))
    _refused_everywhere(data, tmp_path, "goes through a link")


@pytest.mark.parametrize(
    "members",
    [
        (("a.py", REG, b"1"), ("a.py", REG, b"2")),
        (("a.py", SYM, "b.py"), ("a.py", REG, b"2")),
        (("a.py", REG, b"1"), ("./a.py", REG, b"2")),
        (("d/", DIR, ""), ("d", REG, b"2")),
        (("a.py", REG, b"1"), ("a.py/", DIR, "")),
    ],
)
def test_a_name_given_twice_is_refused(
    tmp_path: Path, members: tuple[tuple[str, bytes, bytes | str], ...]
) -> None:
    """A second member of the same name never replaces or follows the first."""
    _refused_everywhere(tar_of(*members), tmp_path, "more than once")


@pytest.mark.parametrize(
    ("kind", "reason"),
    [(tarfile.CHRTYPE, "device"), (tarfile.BLKTYPE, "device"), (tarfile.FIFOTYPE, "FIFO")],
)
def test_devices_and_fifos_are_refused(tmp_path: Path, kind: bytes, reason: str) -> None:
    """Special files never reach the disk."""
    _refused_everywhere(tar_of(("dev", kind, "")), tmp_path, reason)


def test_a_repeated_directory_and_inside_links_still_unpack(tmp_path: Path) -> None:
    """What real archives do stays accepted: `./`, a directory named again, links up and sideways."""
    data = tar_of(
        ("./", DIR, ""),
        ("p/", DIR, ""),
        ("p/pkg/", DIR, ""),
        ("p/pkg/a.py", REG, b"x = 1\n"),
        ("p/pkg/", DIR, ""),
        ("p/pkg/b.py", SYM, "a.py"),
        ("p/top.py", SYM, "pkg/a.py"),
        ("p/pkg/up.py", SYM, "../top.py"),
        ("p/run.sh", REG, b"#!/bin/sh\n"),
    )
    check_archive(data, LIMITS)
    root = unpack_archive(data, tmp_path / "job", LIMITS)
    assert root == tmp_path / "job" / "p"
    assert (root / "pkg" / "up.py").read_text() == "x = 1\n"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == [
        "pkg", "pkg/a.py", "pkg/b.py", "pkg/up.py", "run.sh", "top.py"
    ]  # fmt: skip


def test_unpacked_files_carry_no_special_modes(tmp_path: Path) -> None:
    """setuid bits and world-writable modes from the archive are not applied."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, mode in (("s.sh", 0o4777), ("r.py", 0o666)):
            info = tarfile.TarInfo(name)
            info.size, info.mode = 1, mode
            archive.addfile(info, io.BytesIO(b"x"))
    root = unpack_archive(buffer.getvalue(), tmp_path / "job", LIMITS)
    assert (os.stat(root / "s.sh").st_mode & 0o7777) == 0o755
    assert (os.stat(root / "r.py").st_mode & 0o7777) == 0o644


def test_header_bytes_count_against_the_budget(tmp_path: Path) -> None:
    """Many members of long names, each within limits, cannot exceed the unpacked budget in headers."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for index in range(60):
            info = tarfile.TarInfo(f"f{index}.py")
            info.pax_headers = {"comment": "n" * 30_000}  # a pax record of ~30 KB each
            archive.addfile(info, io.BytesIO(b""))
    limits = ArchiveLimits(max_unpacked_bytes=2**20, max_files=1000)
    _refused_everywhere(buffer.getvalue(), tmp_path, "unpacks to more than 1 MB", limits)


_MEASURE = """
import json, sys, time
from pathlib import Path
from optiagent.services.workspace import ArchiveLimits, check_archive
data = Path(sys.argv[1]).read_bytes()
started = time.perf_counter()
try:
    check_archive(data, ArchiveLimits())
    outcome = "accepted"
except Exception as error:
    outcome = type(error).__name__
# VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the forking (pytest) process
peak = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM"))
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - started,
                  "peak_mib": int(peak.split()[1]) / 1024}))
"""


@pytest.mark.parametrize("kind", [tarfile.XHDTYPE, tarfile.GNUTYPE_LONGNAME])
def test_a_huge_pax_or_long_name_header_is_refused_in_bounded_memory(tmp_path: Path, kind: bytes) -> None:
    """A 0.25 MiB upload holding a 150 MiB header (under the 200 MB budget) is refused at once,
    in a process whose peak RSS stays far below the header's size (the API's check, default limits)."""
    data = huge_header_tar(kind, 150 * 2**20)
    assert len(data) < 300 * 1024
    upload = tmp_path / "upload.tar.gz"
    upload.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(upload)], capture_output=True, text=True, timeout=120, check=True
    )
    measured = json.loads(done.stdout)
    assert measured["outcome"] == "ArchiveRefused"
    assert measured["seconds"] < 2.0
    assert measured["peak_mib"] < 64, measured


def test_a_zip_with_a_name_twice_or_a_link_is_refused(tmp_path: Path) -> None:
    """Zips go through the same tree: duplicates and links are refused there too."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.py", b"1")
        archive.writestr("a.py", b"2")
    _refused_everywhere(buffer.getvalue(), tmp_path, "more than once")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("link")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    _refused_everywhere(buffer.getvalue(), tmp_path, "link or special file")


def test_archives_made_by_git_and_by_zip_tools_unpack(tmp_path: Path) -> None:
    """What real tools produce stays accepted: `git archive` (pax global header, `prefix/`) and a zip
    with directory entries."""
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "a.py").write_text("x = 1\n")
    (repo / "link.py").symlink_to("pkg/a.py")
    identity = ["-c", "user.email=t@example.com", "-c", "user.name=t"]
    for args in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-qm", "c"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    data = subprocess.run(
        ["git", "archive", "--format=tar.gz", "--prefix=project/", "HEAD"],
        cwd=repo,
        check=True,
        capture_output=True,
    ).stdout
    check_archive(data, LIMITS)
    root = unpack_archive(data, tmp_path / "job", LIMITS)
    assert (root / "link.py").is_symlink() and (root / "link.py").read_text() == "x = 1\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project/", b"")
        archive.writestr("project/pkg/", b"")
        archive.writestr("project/pkg/a.py", b"x = 1\n")
    root = unpack_archive(buffer.getvalue(), tmp_path / "zipjob", LIMITS)
    assert (root / "pkg" / "a.py").read_text() == "x = 1\n"
