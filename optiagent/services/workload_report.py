"""What to tell a user whose workload gave nothing to optimize, and why a hot function is not a
target. Never silently nothing: each message names the cause and what to do about it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from optiagent.domain.report import Report, TargetStatus
from optiagent.services.layout import Layout
from optiagent.services.profiling import OutsideFunction, WorkloadProfile

WORKLOAD_QUALNAME = "<workload>"
NOT_TARGET_MIN_SHARE = 0.01  # hot functions outside the target under 1% of the time go unmentioned
_TAIL = 1500


def workload_problem(
    profile: WorkloadProfile, layout: Layout, command: str, packages: Sequence[str]
) -> str | None:
    """Why the workload's profile cannot rank targets, or None when it can."""
    where = f"(run in {layout.workload_dir})"
    if profile.failed:
        code = f"exit code {profile.exit_code}" if profile.exit_code is not None else "killed or timed out"
        return f"workload `{command}` failed {where}, {code}: {profile.stderr_tail[-_TAIL:].strip()}"
    if profile.target_code_ran:
        return None
    target = layout.target
    if profile.imported_elsewhere:
        found = "; ".join(f"{name} from {file}" for name, file in sorted(profile.imported_elsewhere.items()))
        return (
            f"the workload ran no code under {target}: it imported {found}. Install the project in editable "
            "mode in the interpreter the workload uses (pip install -e .), or run the workload with the "
            "interpreter whose sys.path finds these files (--python path/to/venv/bin/python)"
        )
    if profile.processes == 0:
        return (
            f"the workload `{command}` {where} started no Python process that optiagent could profile; "
            "name a Python command (python bench.py, pytest ...) and check that its interpreter can run"
        )
    names = ", ".join(packages) or "none"
    return (
        f"the workload ran no code under {target} {where}: none of its modules ({names}) was imported "
        "from there. Check that the workload exercises the target, and that the target path is the "
        "package directory the workload imports"
    )


def outside_reason(function: OutsideFunction, layout: Layout) -> str:
    """Why a hot function outside the target path is not a target."""
    share = f"{function.share:.0%} of the workload's time"
    path = Path(function.file)
    if "site-packages" in path.parts or "dist-packages" in path.parts:
        return f"{share}, in an installed package ({function.file}), not under the target {layout.target}"
    return f"{share}, outside the target path {layout.target} ({function.file}:{function.line})"


def workload_problems(report: Report) -> list[str]:
    """The report's workload failures (exit code 2 on the command line), each with its project."""
    return [
        f"{t.file}: {t.reason}"
        for t in report.targets
        if t.qualname == WORKLOAD_QUALNAME and t.status is TargetStatus.FAILED
    ]
