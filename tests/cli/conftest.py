"""One real optimize run of the small project, shared by the CLI output tests."""

from __future__ import annotations

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.agents.catalogue import CatalogueGenerator
from optiagent.services.optimize import optimize
from optiagent.services.requests import OptimizeRequest
from optiagent.services.target_run import Services
from tests.cli.small_project import RecordingProgress, SmallRun, write_small_project


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> SmallRun:
    """The small project optimized in-process (local sandbox, catalogue), with its progress events."""
    root = write_small_project(tmp_path_factory.mktemp("small") / "proj")
    request = OptimizeRequest(root=root, cwd=root, time_budget_s=300.0)
    progress = RecordingProgress()
    box = LocalSandbox()
    services = Services(
        sandbox=box,
        store=InMemoryEditStore(),
        generators={"catalogue": CatalogueGenerator()},
        progress=progress,
        check=request.check,
        bench=request.bench,
        min_speedup=1.05,
        workers=2,
    )
    try:
        report = optimize(request, services, box.name)
    finally:
        box.close()
    return SmallRun(report, progress.events)
