"""A captured call that the check cannot load is reported with its error, instead of the check
asking for a workload it was given (pycparser's parser: an attribute a constructor adds at run time)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from optiagent.harness.inputs import capture_problems, load_captured


class _Missing:
    """Pickles fine; loading looks up an attribute that does not exist."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (getattr, (float, "p_declarator_opt"))


def test_unloadable_captured_calls_are_reported_with_their_error(tmp_path: Path) -> None:
    calls = tmp_path / "calls-0.pkl"
    records = [
        (pickle.dumps(((_Missing(),), {})), None, None),
        (pickle.dumps(((_Missing(),), {})), None, None),
    ]
    calls.write_bytes(pickle.dumps(records))
    assert load_captured([str(calls)]) == []
    [problem] = capture_problems([str(calls)])
    assert "could not be loaded" in problem and "AttributeError" in problem and "p_declarator_opt" in problem


def test_loadable_calls_have_no_problem(tmp_path: Path) -> None:
    calls = tmp_path / "calls-0.pkl"
    calls.write_bytes(pickle.dumps([(pickle.dumps(((1, 2), {})), None, None)]))
    assert capture_problems([str(calls)]) == []
    assert [c.args for c in load_captured([str(calls)])] == [(1, 2)]
