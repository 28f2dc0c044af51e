"""The self-check invariant: every target's original, validated as a candidate of itself, is
equivalent; when it is not, the oracle is broken and the target is skipped with the reason,
counted in the report as a false rejection (issue 11, part 4)."""

from __future__ import annotations

from pathlib import Path

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.agents.catalogue import CatalogueGenerator
from optiagent.domain.report import TargetStatus
from optiagent.services.optimize import optimize
from optiagent.services.requests import OptimizeRequest, SilentProgress
from optiagent.services.target_run import Services

COMMON = """\
def common(xs: list[int], ys: list[int]) -> list[int]:
    out = []
    for x in xs:
        if x in ys:
            out.append(x)
    return out
"""

# Deterministic in one module instance, but its output names an object of the module instance
# (an address): no candidate, not even the original's own text, can be judged against it.
ADDRESSED = """\
_MARK = object()


def tagged(xs: list[int], ys: list[int]) -> list[str]:
    out = []
    for x in xs:
        if x in ys:
            out.append(f"{x} {_MARK!r}")
    return out
"""


def test_self_check_runs_by_default_and_a_failure_skips_the_target(tmp_path: Path) -> None:
    """A sound target's self-check is equivalent; a broken oracle skips its target, reported and counted."""
    (tmp_path / "lists.py").write_text(COMMON)
    (tmp_path / "marks.py").write_text(ADDRESSED)
    request = OptimizeRequest(root=tmp_path)
    services = Services(
        sandbox=LocalSandbox(),
        store=InMemoryEditStore(),
        generators={"catalogue": CatalogueGenerator()},
        progress=SilentProgress(),
        check=request.check,
        bench=request.bench,
        min_speedup=1.05,
        workers=1,
    )
    report = optimize(request, services, "local")
    by_name = {target.qualname: target for target in report.targets}
    assert by_name["common"].self_check == "equivalent"
    assert by_name["common"].status is not TargetStatus.SKIPPED
    broken = by_name["tagged"]
    assert broken.status is TargetStatus.SKIPPED
    assert broken.self_check is not None and broken.self_check.startswith("mismatch")
    assert "self-check failed, the original is rejected against itself" in broken.reason
    assert report.summary()["self_check_failures"] == 1
    assert {t["qualname"]: t["self_check"] for t in report.to_json()["targets"]}["common"] == "equivalent"


PLAIN = """\
_MARK = object()


def add(a: int, b: int) -> int:
    return a + b


def tag(x: int) -> str:
    return f"{x} {_MARK!r}"
"""


def test_self_check_all_covers_targets_without_candidates(tmp_path: Path) -> None:
    """With self_check_all, a target no strategy proposed for is self-checked too, and a failure is reported."""
    (tmp_path / "plain.py").write_text(PLAIN)
    request = OptimizeRequest(root=tmp_path)
    services = Services(
        sandbox=LocalSandbox(),
        store=InMemoryEditStore(),
        generators={"catalogue": CatalogueGenerator()},
        progress=SilentProgress(),
        check=request.check,
        bench=request.bench,
        min_speedup=1.05,
        workers=1,
        self_check_all=True,
    )
    report = optimize(request, services, "local")
    by_name = {target.qualname: target for target in report.targets}
    assert by_name["add"].candidates == 0 and by_name["add"].self_check == "equivalent"
    tag = by_name["tag"]
    assert tag.candidates == 0 and tag.self_check is not None and tag.self_check.startswith("mismatch")
    assert "self-check failed" in tag.reason
    assert report.summary()["self_check_failures"] == 1
