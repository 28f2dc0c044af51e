"""One check job judges all candidates of a target; a hostile candidate takes only itself down."""

from __future__ import annotations

from pathlib import Path

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.targets import Target, TargetKind
from optiagent.domain.verdicts import Crashed, Equivalent, Mismatch, TimedOut
from optiagent.verify.jobs import CheckSettings, Evidence, check_job
from optiagent.verify.verdicts import read_checks

ORIGINAL = "def total(xs: list[int]) -> int:\n    s = 0\n    for x in xs:\n        s += x\n    return s\n"
HEADER = "def total(xs: list[int]) -> int:\n"


def test_each_candidate_gets_its_own_verdict(tmp_path: Path, sandbox: LocalSandbox) -> None:
    """Exiting, hanging, wrong and right candidates in one job each get the right verdict."""
    (tmp_path / "mod.py").write_text(ORIGINAL)
    candidates = [
        HEADER + "    import os\n    os._exit(3)\n",
        HEADER + "    while True:\n        pass\n",
        HEADER + "    return sum(xs) + (1 if len(xs) > 3 else 0)\n",
        HEADER + "    return sum(xs)\n",
    ]
    target = Target(file="mod.py", qualname="total", kind=TargetKind.FUNCTION)
    evidence = Evidence(root=str(tmp_path), base_dir=".", module_name="mod")
    settings = CheckSettings(max_examples=50, stress=False, call_timeout_s=1.0, budget_s=10.0)
    outcomes = read_checks(sandbox.run(check_job(target, evidence, candidates, settings)), len(candidates))
    exited, hung, wrong, right = (o.verdict for o in outcomes)
    assert isinstance(exited, Crashed) and "before a verdict" in exited.detail
    assert isinstance(hung, TimedOut)
    assert isinstance(wrong, Mismatch) and wrong.source == "hypothesis"
    assert isinstance(right, Equivalent) and right.checked["hypothesis"] > 10
    assert outcomes[3].bench_inputs  # benchmark inputs come back for the survivors
