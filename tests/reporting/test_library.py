"""`from optiagent import optimize`: the Python API returns the typed report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import optiagent
from optiagent.domain.errors import InputError

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.mark.slow
def test_optimize_from_python_returns_the_typed_report(tmp_path: Path) -> None:
    """On a bundled example, one function: a RunReport whose targets are that function's."""
    from optiagent import RunReport, optimize

    project = tmp_path / "primes"
    shutil.copytree(EXAMPLES / "primes", project)
    before = (project / "ex_primes.py").read_text()
    report = optimize(project, function="primes_below", time_budget=120, sandbox="local")
    assert isinstance(report, RunReport)
    assert [t.qualname for t in report.targets] == ["primes_below"]
    assert report.targets[0].status in ("improved", "unchanged")
    assert report.summary.targets == 1 and report.min_speedup == 1.05
    assert (project / "ex_primes.py").read_text() == before  # nothing written without apply


def test_bad_input_is_refused_before_anything_runs(tmp_path: Path) -> None:
    """A missing path or a nonsensical bar raises InputError with what to pass instead."""
    with pytest.raises(InputError, match="does not exist"):
        optiagent.optimize(tmp_path / "missing")
    with pytest.raises(InputError, match="min_speedup"):
        optiagent.optimize(tmp_path, min_speedup=0)


def test_the_package_is_typed() -> None:
    """py.typed ships beside the package, so type checkers read optiagent's annotations."""
    assert (Path(optiagent.__file__).parent / "py.typed").is_file()
