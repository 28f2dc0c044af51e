"""`ast.parse` from several threads at once (a run plans two projects in parallel, and each parses
its sources) fails on CPython 3.11/3.12 with "SystemError: AST constructor recursion depth
mismatch" when the garbage collector runs a finalizer mid-parse. The optimize service serializes
it; this reproduces the failure's conditions and expects none."""

from __future__ import annotations

import ast
import sys
import threading

import optiagent.services.optimize  # noqa: F401  (importing the service guards ast.parse)

SOURCE = "\n".join(
    f"def f{i}(x):\n    return " + "(" * 20 + "x" + ")" * 20 + " + [i for i in range(3) if i]"
    for i in range(100)
)


class _Finalized:
    def __del__(self) -> None:
        sum(range(50))  # Python code in a finalizer: a point where another thread may run


def test_parsing_in_threads_while_the_collector_runs_finalizers() -> None:
    errors: list[str] = []

    def parse_with_garbage() -> None:
        for _ in range(40):
            junk = [_Finalized() for _ in range(50)]
            for item in junk:
                item.self = item  # type: ignore[attr-defined]  # cycles: freed by the collector mid-parse
            del junk
            try:
                ast.parse(SOURCE)
            except SystemError as error:
                errors.append(str(error))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=parse_with_garbage) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
