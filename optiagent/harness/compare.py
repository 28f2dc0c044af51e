"""Deep behavioural equality used to compare an original's and a candidate's results.

Floats compare with a relative tolerance (NaN equals NaN); sets and dicts by content; instances of
classes that have the same module and qualified name compare by their state, because the original
and the candidate module each define their own class objects.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

_REL_TOL = 1e-9
_MAX_DEPTH = 200


def same_type_identity(a: object, b: object) -> bool:
    ta, tb = type(a), type(b)
    return ta is tb or (ta.__module__ == tb.__module__ and ta.__qualname__ == tb.__qualname__)


def _floats_equal(a: float, b: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    return a == b or math.isclose(a, b, rel_tol=_REL_TOL, abs_tol=0.0)


def _state(value: object) -> Any:
    if hasattr(value, "__getstate__"):
        try:
            return value.__getstate__()
        except TypeError:
            pass
    slots = getattr(type(value), "__slots__", None)
    if slots:
        names = (slots,) if isinstance(slots, str) else slots
        return {name: getattr(value, name, None) for name in names}
    return getattr(value, "__dict__", None)


def _numpy_equal(a: Any, b: Any) -> bool | None:
    module = type(a).__module__
    if not module.startswith("numpy"):
        return None
    import numpy  # only reached when the code under test already uses numpy

    if isinstance(a, numpy.ndarray):
        if not isinstance(b, numpy.ndarray) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "fc":
            return bool(numpy.allclose(a, b, rtol=_REL_TOL, atol=0.0, equal_nan=True))
        return bool(numpy.array_equal(a, b))
    return None


def deep_equal(a: object, b: object, depth: int = 0) -> bool:
    """True when `a` and `b` are behaviourally the same value."""
    if depth > _MAX_DEPTH:
        return a == b
    if a is b:
        return True
    if type(a) is type(b) and type(a).__module__ == "builtins":
        try:
            if a == b:  # fast path: exact equality implies behavioural equality
                return True
        except Exception:
            pass
    if not same_type_identity(a, b):
        return False
    if isinstance(a, float) and isinstance(b, float):
        return _floats_equal(a, b)
    if isinstance(a, complex) and isinstance(b, complex):
        return _floats_equal(a.real, b.real) and _floats_equal(a.imag, b.imag)
    if isinstance(a, (str, bytes, int, bool, type(None), range)):
        return a == b
    numpy_verdict = _numpy_equal(a, b)
    if numpy_verdict is not None:
        return numpy_verdict
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(deep_equal(x, y, depth + 1) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if len(a) != len(b) or a.keys() != b.keys():
            return False
        return all(deep_equal(a[k], b[k], depth + 1) for k in a)
    if isinstance(a, (set, frozenset)) and isinstance(b, (set, frozenset)):
        return a == b
    if hasattr(type(a), "__iter__") and hasattr(type(a), "__next__"):
        return False  # iterators are drained into lists before comparison
    state_a, state_b = _state(a), _state(b)
    if state_a is not None or state_b is not None:
        return deep_equal(state_a, state_b, depth + 1)
    try:
        return bool(a == b)
    except Exception:
        return False
