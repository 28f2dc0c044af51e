"""Planning a run on a large module stays cheap: a target's docstring examples are looked up only
where the outline saw some (pyparsing's core.py: 3 s of libcst per target, 14 minutes of planning
under load before the first target started)."""

from __future__ import annotations

from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.agents.catalogue import CatalogueGenerator
from optiagent.domain.targets import Target, TargetKind
from optiagent.rewrite.functions import docstring_examples
from optiagent.services import optimize as optimize_module
from optiagent.services.optimize import ProjectRun, optimize, resolve_projects
from optiagent.services.requests import OptimizeRequest, SilentProgress
from optiagent.services.target_run import Services

MODULE = '''
def double(x: int) -> int:
    """Twice x.

    >>> double(2)
    4
    """
    return 2 * x


def plain(x: int) -> int:
    """No examples here."""
    return x + 1
'''


def test_docstring_examples_are_parsed_only_for_targets_that_have_some(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mod.py").write_text(MODULE)
    request = OptimizeRequest(root=tmp_path)
    (project,) = resolve_projects(request)
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
    run = ProjectRun(project, request, services)
    parsed: list[str] = []
    real = docstring_examples

    def counting(source: str, qualname: str) -> list[tuple[str, str]]:
        parsed.append(qualname)
        return real(source, qualname)

    monkeypatch.setattr(optimize_module, "docstring_examples", counting)
    with_examples = run.evidence(Target("mod.py", "double", TargetKind.FUNCTION))
    without = run.evidence(Target("mod.py", "plain", TargetKind.FUNCTION))
    assert with_examples.examples == (("double(2)", "4"),)
    assert without.examples == ()
    assert parsed == ["double"]


PLAIN = """
def scale(x: int) -> int:
    return x * 3 + 1


def shift(x: int) -> int:
    return x + 7


def halve(x: int) -> int:
    return x // 2
"""


def test_benchmark_self_checks_are_not_charged_to_the_time_budget(tmp_path: Path) -> None:
    """`--self-check-all` (benchmarks) self-checks targets without candidates; that time is given
    back to the run's budget, so the benchmark tries as many targets as a user's run would."""
    (tmp_path / "plain.py").write_text(PLAIN)
    request = OptimizeRequest(root=tmp_path, time_budget_s=2.0)
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
    targets = optimize(request, services, "local").targets
    assert len(targets) == 3
    assert all(t.self_check == "equivalent" for t in targets), [(t.qualname, t.reason) for t in targets]
