"""Functional hashing: candidates with one behavioural fingerprint are checked once."""

from __future__ import annotations

from pathlib import Path

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.targets import Target, TargetKind
from optiagent.domain.verdicts import Equivalent, Mismatch
from optiagent.verify.jobs import CheckSettings, Evidence, check_job
from optiagent.verify.verdicts import CheckOutcome, read_checks

ORIGINAL = "def total(xs: list[int]) -> int:\n    s = 0\n    for x in xs:\n        s += x\n    return s\n"
BUILTIN = "def total(xs: list[int]) -> int:\n    return sum(xs)\n"
# The same algorithm as LOOP_RENAMED, renamed again and reformatted: one fingerprint.
LOOP_AGAIN = (
    "def total(xs: list[int]) -> int:\n"
    "    running = 0  # a running sum\n"
    "    for value in (xs):\n"
    "        running = running + value\n"
    "    return running\n"
)
LOOP_RENAMED = (
    "def total(xs: list[int]) -> int:\n"
    "    acc = 0\n"
    "    for item in xs:\n"
    "        acc += item\n"
    "    return acc\n"
)
WRONG = "def total(xs: list[int]) -> int:\n    return sum(xs[1:])\n"


def _check(
    tmp_path: Path, sandbox: LocalSandbox, candidates: list[str], **options: object
) -> list[CheckOutcome]:
    (tmp_path / "mod.py").write_text(ORIGINAL)
    target = Target(file="mod.py", qualname="total", kind=TargetKind.FUNCTION)
    evidence = Evidence(root=str(tmp_path), base_dir=".", module_name="mod")
    settings = CheckSettings(
        max_examples=60, stress=False, functional_hashing=bool(options.get("hashing", True))
    )
    verified = [int(str(i)) for i in options.get("verified", [])]  # type: ignore[attr-defined]
    job = check_job(target, evidence, candidates, settings, verified)
    return read_checks(sandbox.run(job), len(candidates))


def test_renamed_copies_of_one_algorithm_are_checked_once(tmp_path: Path, sandbox: LocalSandbox) -> None:
    loop, builtin, loop_again, wrong = _check(tmp_path, sandbox, [LOOP_RENAMED, BUILTIN, LOOP_AGAIN, WRONG])
    assert loop.fingerprint and builtin.fingerprint
    # Both correct, but they execute different instruction counts: two classes, both checked.
    assert loop.fingerprint != builtin.fingerprint
    assert loop.duplicate_of is None and builtin.duplicate_of is None
    assert isinstance(loop.verdict, Equivalent) and isinstance(builtin.verdict, Equivalent)
    assert loop.verdict.checked["hypothesis"] > 10
    # The renamed loop is the first loop again: not checked, pointed at its twin.
    assert loop_again.duplicate_of == 0 and loop_again.fingerprint == loop.fingerprint
    assert isinstance(loop_again.verdict, Equivalent)
    assert loop_again.prescreen_speedup is None  # never benchmarked on its own
    # Different outputs on the probes: its own class, and rejected.
    assert wrong.duplicate_of is None and isinstance(wrong.verdict, Mismatch)


def test_hashing_can_be_turned_off(tmp_path: Path, sandbox: LocalSandbox) -> None:
    outcomes = _check(tmp_path, sandbox, [LOOP_RENAMED, LOOP_AGAIN], hashing=False)
    assert [o.duplicate_of for o in outcomes] == [None, None]
    assert all(isinstance(o.verdict, Equivalent) and o.verdict.checked for o in outcomes)


def test_verified_candidates_are_only_timed(tmp_path: Path, sandbox: LocalSandbox) -> None:
    """The host's verdict cache names candidates already proven: the job skips their search."""
    cached, fresh = _check(tmp_path, sandbox, [BUILTIN, LOOP_RENAMED], verified=[0])
    assert cached.from_cache and isinstance(cached.verdict, Equivalent) and cached.verdict.checked == {}
    assert not fresh.from_cache and isinstance(fresh.verdict, Equivalent) and fresh.verdict.checked
