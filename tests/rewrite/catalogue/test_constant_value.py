"""OPT033: immutable values built from literals on every call -> module-level constants."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
import datetime as dt
from decimal import ROUND_FLOOR, Decimal


def split(value, days):
    second = Decimal(value).quantize(Decimal(".000001"), rounding=ROUND_FLOOR)
    micro = (second - int(second)) * int(1e6)
    span = dt.timedelta(days=days) - dt.timedelta(0)
    return micro, span, min(second, Decimal(".000001")), float("inf") > second
"""


def test_literal_constructions_become_shared_constants() -> None:
    """Each distinct construction gets one constant after the import that names its type."""
    result = applied("OPT033", SOURCE, "split")
    assert result.startswith(
        "import datetime as dt\nfrom decimal import ROUND_FLOOR, Decimal\n"
        '_DECIMAL = Decimal(".000001")\n_INT = int(1e6)\n_TIMEDELTA = dt.timedelta(0)\n_FLOAT = float("inf")\n'
    )
    assert "quantize(_DECIMAL, rounding=ROUND_FLOOR)" in result and "min(second, _DECIMAL)" in result
    assert "dt.timedelta(days=days) - _TIMEDELTA" in result


def test_unknown_callees_variables_nan_and_failing_literals_are_refused() -> None:
    """Only named immutable types with literal arguments that build without error (and are not NaN)."""
    refused = (
        "from decimal import Decimal\ndef f(x):\n    return Decimal(x)\n",
        "from decimal import Decimal\ndef f():\n    return Decimal('NaN')\n",
        "from decimal import Decimal\ndef f():\n    return Decimal('abc')\n",
        "from decimal import Decimal\ndef f():\n    return Decimal(0.1)\n",
        "def f():\n    return float('nan')\n",
        "def f(float):\n    return float('inf')\n",
        "from decimal import Decimal\nDecimal = str\ndef f():\n    return Decimal('1')\n",
        "from mylib import Decimal\ndef f():\n    return Decimal('1')\n",
        "from datetime import date\ndef f():\n    return date(2024, 2, 30)\n",
        "from decimal import Decimal\nX = Decimal('1')\n",
    )
    for source in refused:
        assert apply("OPT033", source, "f" if "def f" in source else "<program>") is None, source


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, places=8), st.integers(-1000, 1000))
def test_results_equal(value: Decimal, days: int) -> None:
    """The shared constants give the values the per-call constructions gave."""
    original, rewritten = pair("OPT033", SOURCE, "split")
    assert original(str(value), days) == rewritten(str(value), days)
