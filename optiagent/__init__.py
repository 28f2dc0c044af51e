"""optiagent: makes Python code faster and proves the faster code is still correct.

`from optiagent import optimize` is the Python API (`optiagent.library.optimize`); it is loaded on
first use, so importing any other part of optiagent stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from optiagent.version import __version__

if TYPE_CHECKING:
    from optiagent.library import optimize as optimize
    from optiagent.reporting.models import RunReport as RunReport

__all__ = ["RunReport", "__version__", "optimize"]


def __getattr__(name: str) -> Any:
    if name == "optimize":
        from optiagent.library import optimize

        return optimize
    if name == "RunReport":
        from optiagent.reporting.models import RunReport

        return RunReport
    raise AttributeError(f"module 'optiagent' has no attribute {name!r}")
