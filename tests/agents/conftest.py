"""A target with real sandboxed validation and probing (LocalSandbox), for agent graph tests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.targets import Target, TargetKind
from optiagent.ports.generator import TargetContext
from optiagent.rewrite.locate import function_source
from optiagent.services.agent_ports import SandboxCodeRunner, SandboxValidator
from optiagent.verify.jobs import CheckSettings, Evidence, check_job
from optiagent.verify.verdicts import CheckOutcome, read_checks

SLOW_MODULE = '''"""Primes."""


def primes_below(limit: int) -> list[int]:
    """All primes smaller than ``limit``, by trial division against the primes found so far."""
    primes: list[int] = []
    for n in range(2, limit):
        if all([n % p != 0 for p in primes if p * p <= n]):
            primes.append(n)
    return primes
'''


@dataclass
class Sandboxed:
    target: Target
    context: TargetContext
    checked: list[int]  # number of candidate sources in each validation job


@pytest.fixture(scope="session")
def sandbox() -> Iterator[LocalSandbox]:
    box = LocalSandbox()
    yield box
    box.close()


@pytest.fixture
def primes_target(tmp_path: Path, sandbox: LocalSandbox) -> Sandboxed:
    (tmp_path / "mod.py").write_text(SLOW_MODULE)
    target = Target(file="mod.py", qualname="primes_below", kind=TargetKind.FUNCTION, score=1.0)
    evidence = Evidence(root=str(tmp_path), base_dir=".", module_name="mod")
    settings = CheckSettings(max_examples=40, stress=False)
    checked: list[int] = []

    def check(sources: Sequence[str]) -> list[CheckOutcome]:
        checked.append(len(sources))
        return read_checks(sandbox.run(check_job(target, evidence, list(sources), settings)), len(sources))

    context = TargetContext(
        module_source=SLOW_MODULE,
        target_source=function_source(SLOW_MODULE, "primes_below") or "",
        validator=SandboxValidator(check),
        runner=SandboxCodeRunner(sandbox, evidence),
    )
    return Sandboxed(target, context, checked)
