"""Fixtures that run real check jobs through the LocalSandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.targets import Target, TargetKind
from optiagent.verify.jobs import CheckSettings, Evidence, check_job
from optiagent.verify.verdicts import CheckOutcome, read_check

CheckRunner = Callable[..., CheckOutcome]


@pytest.fixture(scope="session")
def sandbox() -> Iterator[LocalSandbox]:
    box = LocalSandbox()
    yield box
    box.close()


@pytest.fixture
def run_check(tmp_path: Path, sandbox: LocalSandbox) -> CheckRunner:
    """Write `original` as mod.py under a fresh root and check `candidate` against it."""

    def run(original: str, candidate: str, qualname: str, **settings: object) -> CheckOutcome:
        (tmp_path / "mod.py").write_text(original)
        target = Target(file="mod.py", qualname=qualname, kind=TargetKind.FUNCTION)
        evidence = Evidence(root=str(tmp_path), base_dir=".", module_name="mod")
        config = CheckSettings(
            max_examples=int(str(settings.get("max_examples", 200))),
            stress=bool(settings.get("stress", False)),
        )
        return read_check(sandbox.run(check_job(target, evidence, [candidate], config)))

    return run
