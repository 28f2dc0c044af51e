"""The verdict cache survives across runs through the history store; evidence shows scaling."""

from __future__ import annotations

from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.sql import SqlEditStore
from optiagent.agents.catalogue import CatalogueGenerator
from optiagent.domain.report import Report, TargetStatus
from optiagent.services.optimize import optimize
from optiagent.services.requests import OptimizeRequest, SilentProgress
from optiagent.services.target_run import Services

pytestmark = pytest.mark.slow

QUADRATIC = '''\
def common(xs: list[int], ys: list[int]) -> list[int]:
    """Items of xs that also occur in ys, in order."""
    out = []
    for x in xs:
        if x in ys:
            out.append(x)
    return out
'''


def _run(root: Path, store: SqlEditStore) -> Report:
    request = OptimizeRequest(root=root, functions=("common",))
    services = Services(
        sandbox=LocalSandbox(),
        store=store,
        generators={"catalogue": CatalogueGenerator()},
        progress=SilentProgress(),
        check=request.check,
        bench=request.bench,
        min_speedup=1.05,
        workers=1,
    )
    return optimize(request, services, "local")


def test_second_run_reuses_verdicts_and_a_changed_project_does_not(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "lists.py").write_text(QUADRATIC)
    store = SqlEditStore(f"sqlite:///{tmp_path / 'history.db'}")
    try:
        [first] = _run(project, store).targets
        assert first.status is TargetStatus.IMPROVED, first.reason
        assert first.cache_hits == 0 and first.candidates >= 2
        evidence = first.evidence
        assert evidence["verdict_from_cache"] is False
        assert evidence["inputs_checked"]["hypothesis"] > 10 and evidence["inputs_checked"]["stress"] >= 1
        assert evidence["largest_input_size"] >= 100
        assert evidence["slowest_input"]["original_s"] > 0
        # Membership in a list is linear per lookup, in a set constant: the exponents show it.
        assert evidence["original_time_exponent"] > evidence["candidate_time_exponent"] + 0.5, evidence

        [second] = _run(project, store).targets
        assert second.cache_hits == second.candidates == first.candidates, second
        assert second.status is TargetStatus.IMPROVED, second.reason
        assert second.evidence["verdict_from_cache"] is True
        assert second.evidence["inputs_checked"] == evidence["inputs_checked"]

        (project / "other.py").write_text("LIMIT = 3\n")  # anything the original may import
        [third] = _run(project, store).targets
        assert third.cache_hits == 0, third
    finally:
        store.close()
