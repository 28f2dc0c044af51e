"""The real-world yield benchmark's pure parts: checksums, pytest counts, digests, report summary, output."""

from __future__ import annotations

import hashlib
import json
import pstats
import sys
from pathlib import Path

import pytest

from benchmarks import realworld_yield as rw


def test_checksum_verification_accepts_the_pinned_sha256_and_rejects_any_other(tmp_path: Path) -> None:
    """A file whose sha256 is the pinned one passes; one changed byte raises ChecksumMismatch."""
    sdist = tmp_path / "lib-1.0.tar.gz"
    sdist.write_bytes(b"release contents")
    pinned = hashlib.sha256(b"release contents").hexdigest()
    rw.verify_sha256(sdist, pinned.upper())
    sdist.write_bytes(b"release contentz")
    with pytest.raises(rw.ChecksumMismatch, match=r"lib-1\.0\.tar\.gz"):
        rw.verify_sha256(sdist, pinned)


def test_every_library_pins_a_full_sha256_and_has_its_workload() -> None:
    """Each pinned library has a 64-hex-digit checksum and a workload file in benchmarks/realworld."""
    assert len(rw.LIBRARIES) >= 6
    for lib in rw.LIBRARIES:
        assert len(lib.sha256) == 64 and int(lib.sha256, 16) >= 0, lib.name
        assert (rw.WORKLOADS / f"{lib.name}.py").is_file(), lib.name
    assert not {"chardet", "python-dateutil", "markdown", "tabulate"} & {
        lib.name.lower() for lib in rw.LIBRARIES
    }


def test_pytest_counts_come_from_the_closing_summary_line() -> None:
    """Passed, failed, errors and skipped are read from the last line that has counts."""
    output = "tests/test_a.py ..F\n1 passed in earlier noise\n=== 12 passed, 2 failed, 3 skipped, 1 error in 4.2s ===\n"
    counts = rw.parse_pytest_counts(output, 1)
    assert (counts.passed, counts.failed, counts.skipped, counts.errors, counts.exit_code) == (12, 2, 3, 1, 1)
    assert rw.parse_pytest_counts("ImportError while loading conftest\n").passed == 0


def test_digest_comparison_needs_the_same_digest_on_both_sides() -> None:
    """The last 64-hex word printed is the digest; a missing or different digest is a change."""
    same = "a" * 64
    assert rw.digest_of(f"warming up\n{'b' * 64}\n{same}\n") == same
    assert rw.digest_of("Traceback: no digest") is None
    assert rw.digest_unchanged(same, same)
    assert not rw.digest_unchanged(same, "c" * 64)
    assert not rw.digest_unchanged(None, None)


def test_report_summary_counts_self_check_false_rejections_or_says_unmeasured() -> None:
    """Targets whose self_check is present and not 'equivalent' are false rejections; no field: None."""
    targets = [
        {
            "file": "p/a.py",
            "qualname": "f",
            "status": "improved",
            "applied": True,
            "self_check": "equivalent",
        },
        {"file": "p/a.py", "qualname": "g", "status": "failed", "self_check": "rejected: globals differ"},
        {"file": "p/b.py", "qualname": "h", "status": "unchanged", "self_check": {"verdict": "equivalent"}},
        {"file": "p/c.py", "qualname": "k", "status": "not_target", "self_check": "rejected"},
        {"file": "p/d.py", "qualname": "m", "status": "skipped", "reason": "not started: the time budget"},
        {"file": "p/e.py", "qualname": "n", "status": "skipped", "self_check": "timed_out: took over 54s"},
    ]
    summary = rw.summarize_report({"targets": targets})
    assert (summary.targets, summary.tried, summary.improved, summary.applied) == (5, 4, 1, 1)
    assert summary.false_rejections == 1  # a self-check out of time rejected nothing: counted apart
    assert summary.self_check_rejected == ["p/a.py::g: rejected: globals differ"]
    assert summary.self_check_timed_out == ["p/e.py::n: timed_out: took over 54s"]
    failed_workload = {"file": ".", "qualname": "<workload>", "status": "failed", "reason": "killed"}
    assert rw.summarize_report({"targets": [failed_workload]}).targets == 0
    unmeasured = rw.summarize_report({"targets": [{"status": "improved"}]})
    assert unmeasured.false_rejections is None


def _result(
    name: str, *, improved: int, before: list[float], after: list[float], digest_after: str
) -> rw.LibraryResult:
    result = rw.LibraryResult(name, "1.0", name)
    result.report = rw.ReportSummary(targets=5, tried=4, improved=improved, false_rejections=None)
    result.tests_before = rw.SuiteCounts(passed=10)
    result.tests_after = rw.SuiteCounts(passed=9, failed=1)
    result.digest_before, result.digest_after = "d" * 64, digest_after
    result.cpu_before, result.cpu_after = before, after
    result.files_changed = ["core.py"] if improved else []
    return result


def test_table_and_json_report_speedup_digest_and_broken_tests() -> None:
    """The table shows each library's figures; the JSON carries totals against the issue's bar."""
    fast = _result(
        "fastlib", improved=2, before=[2.0, 2.2, 2.1], after=[1.0, 1.1, 1.05], digest_after="d" * 64
    )
    broken = _result("brokenlib", improved=0, before=[1.5], after=[1.0], digest_after="e" * 64)
    table = rw.render_table([fast, broken])
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["library", "status"]
    assert "fastlib 1.0" in lines[2] and "2.00x" in lines[2] and "same" in lines[2] and "10p/0f" in lines[2]
    assert "CHANGED" in lines[3] and "9p/1f" in lines[3] and "n/a" in lines[3] and "(same code)" in lines[3]
    data = json.loads(json.dumps(rw.results_json([fast, broken], {"time_budget": 60})))
    assert data["options"] == {"time_budget": 60}
    assert data["libraries"][0]["speedup"] == 2.0 and data["libraries"][1]["digest_unchanged"] is False
    # brokenlib's 1.5x ran the same code on both sides: noise, not counted
    totals = data["totals"]
    assert (totals["tests_broken"], totals["digests_changed"], totals["libraries_improved"]) == (2, 1, 1)
    assert totals["libraries_speedup_ge_1_10"] == 1 and totals["self_check_measured"] is False


def test_changed_files_compares_the_package_bytes_of_two_snapshots(tmp_path: Path) -> None:
    """Edited and added .py files of the package are changed; bytecode, optiagent history, other dirs are not."""
    for side in ("pristine", "tree"):
        (tmp_path / side / "src" / "pkg" / "__pycache__").mkdir(parents=True)
        (tmp_path / side / "src" / "pkg" / "same.py").write_text("x = 1\n")
        (tmp_path / side / "src" / "pkg" / "__pycache__" / f"{side}.pyc").write_bytes(side.encode())
        (tmp_path / side / "bench.py").write_text(side)
    (tmp_path / "pristine" / "src" / "pkg" / "edited.py").write_text("y = 1\n")
    (tmp_path / "tree" / "src" / "pkg" / "edited.py").write_text("y = 2\n")
    (tmp_path / "tree" / "src" / "pkg" / "added.py").write_text("")
    (tmp_path / "tree" / "src" / "pkg" / ".optiagent").mkdir()
    (tmp_path / "tree" / "src" / "pkg" / ".optiagent" / "history.db").write_bytes(b"run history")
    before = rw.package_sources(tmp_path / "pristine", "src/pkg")
    assert rw.changed_files(before, rw.package_sources(tmp_path / "tree", "src/pkg")) == [
        "added.py",
        "edited.py",
    ]
    assert rw.changed_files(before, rw.package_sources(tmp_path / "pristine", "src/pkg")) == []


def test_a_file_the_editable_install_rewrote_is_not_an_edit(tmp_path: Path) -> None:
    """setuptools_scm rewrites version.py on `pip install -e`: measured from the installed tree, it is no edit.

    (isodate's table once showed "files 1" and counted a 1.14x of byte-identical code as a speedup.)
    """
    package = tmp_path / "tree" / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "version.py").write_text("# file generated by setuptools_scm\n")
    (package / "core.py").write_text("def f(): return 1\n")
    (package / "version.py").write_text("# file generated by vcs-versioning\n")  # the install
    installed = rw.package_sources(tmp_path / "tree", "src/pkg")
    assert rw.changed_files(installed, rw.package_sources(tmp_path / "tree", "src/pkg")) == []
    (package / "core.py").write_text("def f():\n    return 1\n")  # optiagent's edit
    assert rw.changed_files(installed, rw.package_sources(tmp_path / "tree", "src/pkg")) == ["core.py"]


def test_speedup_is_the_ratio_of_medians() -> None:
    """Median before over median after; no samples on a side gives no speedup."""
    assert rw.speedup_of([3.0, 1.0, 2.0], [1.0, 1.0, 5.0]) == 2.0
    assert rw.speedup_of([], [1.0]) is None


def test_hot_functions_keep_only_the_package_ranked_by_cumulative_time(tmp_path: Path) -> None:
    """Profile rows outside the package are dropped; the rest are ranked by own plus callee time."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text(
        "def inner(n):\n    return sum(range(n))\n\n\ndef outer():\n    total = 0\n    for _ in range(200):\n        total += inner(2000)\n    return total\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        import cProfile

        import pkg.mod as mod  # type: ignore[import-not-found]

        profiler = cProfile.Profile()
        profiler.runcall(mod.outer)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("pkg.mod", None)
        sys.modules.pop("pkg", None)
    rows = rw.hot_functions(pstats.Stats(profiler), package)
    assert [row["function"].split(":")[-1] for row in rows] == ["outer", "inner"]
    assert rows[0]["function"].startswith("pkg/mod.py:5:")
    assert rows[1]["calls"] == 200
