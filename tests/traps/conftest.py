"""Every trap checked once per session by real check jobs (LocalSandbox), two at a time."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.targets import Target, TargetKind
from optiagent.harness.inputs import parameter_names
from optiagent.harness.shapes import Shape, describe, merge
from optiagent.rewrite.catalogue import propose_rewrites
from optiagent.verify.jobs import CheckSettings, Evidence, check_job
from optiagent.verify.verdicts import CheckOutcome, read_check

from .corpus import TRAPS, Trap


def candidate_source(trap: Trap) -> str:
    """The given candidate, or the one the trap's catalogue rule proposes alone."""
    if trap.candidate:
        return trap.candidate
    proposed = [p.source for p in propose_rewrites(trap.original, trap.qualname) if p.rules == (trap.rule,)]
    assert proposed, f"{trap.rule} proposes nothing for {trap.name}"
    return proposed[0]


def _function(source: str, qualname: str) -> object:
    namespace: dict[str, object] = {"__name__": "trap"}
    exec(compile(source, "<trap>", "exec"), namespace)
    return namespace[qualname]


def workload_evidence(trap: Trap, root: Path) -> Evidence:
    """What capture records for the trap's workload: pickled calls and merged value shapes."""
    function = _function(trap.original, trap.qualname)
    names = [p.name for p in parameter_names(function)]  # type: ignore[arg-type]
    records = [(pickle.dumps((args, {})),) for args in trap.workload]
    shapes: dict[str, Shape] = {}
    for args in trap.workload:
        for name, value in zip(names, args, strict=False):
            shape = describe(value)
            shapes[name] = merge(shapes[name], shape) if name in shapes else shape
    return Evidence(
        root=str(root),
        base_dir=".",
        module_name="mod",
        captures={"workload.pkl": pickle.dumps(records)},
        shapes=shapes,
    )


def _check(box: LocalSandbox, trap: Trap, root: Path) -> CheckOutcome:
    root.mkdir(parents=True)
    (root / "mod.py").write_text(trap.original)
    target = Target(file="mod.py", qualname=trap.qualname, kind=TargetKind.FUNCTION)
    # The product's settings (100 examples), without stress: these traps need no large inputs.
    settings = CheckSettings(stress=False, parallel=1)
    job = check_job(target, workload_evidence(trap, root), [candidate_source(trap)], settings)
    return read_check(box.run(job))


@pytest.fixture(scope="session")
def trap_outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, CheckOutcome]]:
    box = LocalSandbox()
    base = tmp_path_factory.mktemp("traps")
    with ThreadPoolExecutor(2) as pool:
        futures = {trap.name: pool.submit(_check, box, trap, base / trap.name) for trap in TRAPS}
        outcomes = {name: future.result() for name, future in futures.items()}
    yield outcomes
    box.close()
