"""End to end through the service: a workload is profiled, its real inputs captured, edits proven."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.agents.catalogue import CatalogueGenerator
from optiagent.domain.report import TargetStatus
from optiagent.services.apply import apply_report
from optiagent.services.optimize import optimize
from optiagent.services.requests import OptimizeRequest, SilentProgress
from optiagent.services.target_run import Services

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = pytest.mark.slow


def services_for(request: OptimizeRequest, store: InMemoryEditStore) -> Services:
    return Services(
        sandbox=LocalSandbox(),
        store=store,
        generators={"catalogue": CatalogueGenerator()},
        progress=SilentProgress(),
        check=request.check,
        bench=request.bench,
        min_speedup=1.05,
        workers=2,
    )


def workload_output(directory: Path) -> str:
    done = subprocess.run(
        [sys.executable, "workload.py"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_workload_targets_are_captured_proven_and_applied(tmp_path: Path) -> None:
    """dynprog: memoization wins on captured inputs; applying keeps the workload's output."""
    project = tmp_path / "dynprog"
    shutil.copytree(EXAMPLES / "dynprog", project, ignore=shutil.ignore_patterns(".optiagent"))
    before = workload_output(project)
    store = InMemoryEditStore()
    request = OptimizeRequest(root=project, max_targets=3)
    report = optimize(request, services_for(request, store), "local")
    improved = [t for t in report.targets if t.status is TargetStatus.IMPROVED]
    assert improved, [(t.qualname, t.reason) for t in report.targets]
    best = max(improved, key=lambda t: t.speedup or 0)
    assert best.ci and best.ci[0] >= 1.2
    assert best.evidence["inputs_checked"].get("captured", 0) >= 1
    assert "OPT001" in best.rules
    edits = store.accepted_edits()
    assert {(e.file, e.qualname) for e in edits} == {(t.file, t.qualname) for t in improved}
    outcome = apply_report(report, project)
    assert outcome.written == ["ex_dynprog.py"]
    assert workload_output(project) == before


def test_program_target_checks_stdout_per_case(tmp_path: Path) -> None:
    """A stdin->stdout program is one target; its edit keeps stdout identical on every case."""
    project = tmp_path / "word_stats"
    shutil.copytree(EXAMPLES / "programs" / "word_stats", project)
    request = OptimizeRequest(root=project)
    report = optimize(request, services_for(request, InMemoryEditStore()), "local")
    [target] = report.targets
    assert target.qualname == "<program>"
    assert target.status is TargetStatus.IMPROVED, target.reason
    assert target.evidence["inputs_checked"]["stdin"] == 3
