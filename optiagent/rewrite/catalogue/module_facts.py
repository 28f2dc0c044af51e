"""Facts about a whole module, computed once per module object instead of once per rule.

Rules check module-wide facts (every identifier, every binding's kind) before rewriting one function;
with 30 rules over a 6000-line module that was most of a target's proposal time. libcst nodes are
immutable, so a fact of a module object never changes while the object lives: the cache keeps the
object with its fact, so its id cannot be reused by another module while cached.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import libcst as cst

_T = TypeVar("_T")
_MODULES_KEPT = 8  # a proposal run touches one module and its rewritten variants


def once_per_module(compute: Callable[[cst.CSTNode], _T]) -> Callable[[cst.CSTNode], _T]:
    """Memoize `compute` for Module nodes (other nodes are small: computed each time).

    Callers receive the cached value itself: the wrapped functions return fresh copies of it."""
    cache: OrderedDict[int, tuple[cst.CSTNode, _T]] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(compute)
    def cached(node: cst.CSTNode) -> _T:
        if not isinstance(node, cst.Module):
            return compute(node)
        key = id(node)
        with lock:
            hit = cache.get(key)
            if hit is not None and hit[0] is node:
                cache.move_to_end(key)
                return hit[1]
        value = compute(node)
        with lock:
            cache[key] = (node, value)
            while len(cache) > _MODULES_KEPT:
                cache.popitem(last=False)
        return value

    return cached
