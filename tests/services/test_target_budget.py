"""A target's own time is bounded: past its budget, no further candidate is benchmarked."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.agents.catalogue import CatalogueGenerator
from optiagent.domain.report import TargetStatus
from optiagent.services.optimize import optimize
from optiagent.services.requests import OptimizeRequest, SilentProgress
from optiagent.services.target_run import Services, TargetClock

QUADRATIC = """\
def common(xs: list[int], ys: list[int]) -> list[int]:
    out = []
    for x in xs:
        if x in ys:
            out.append(x)
    return out
"""


def test_queueing_for_the_benchmark_lock_is_not_the_targets_own_time() -> None:
    lock = threading.Lock()
    clock = TargetClock()
    lock.acquire()
    releaser = threading.Timer(0.3, lock.release)
    releaser.start()
    with clock.waiting_for(lock):
        pass
    assert clock.queued >= 0.25
    assert clock.active() < 0.2
    time.sleep(0.05)
    assert clock.active() >= 0.05


def test_past_the_budget_only_the_most_promising_candidate_is_benchmarked(tmp_path: Path) -> None:
    """Proposing and checking may use up a target's budget (tomlkit under load: three equivalent
    candidates and none measured); the most promising one is still benchmarked, no further one."""
    (tmp_path / "lists.py").write_text(QUADRATIC)
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
        target_budget_s=0.0,
    )
    [target] = optimize(request, services, "local").targets
    assert target.candidates >= 2 and len(target.measurements) == 1, target
    assert target.status is TargetStatus.IMPROVED, target.reason
    assert (
        len(target.measurements)
        + sum("the target's time budget (0 s) was spent" in reason for reason in target.reason.split("; "))
        <= target.candidates
    )
    assert target.wall_seconds > 0 and target.queued_seconds == 0
