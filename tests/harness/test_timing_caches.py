"""A benchmark sample does not scan the module for memoization caches before every call: the scan
(a getattr per global and class attribute) cost 85 us a call in isodate's isostrf and 2.4 ms in
pyparsing's core, against a 1 us function, on both sides alike, so every speedup of a small function
measured about 1.0x. The caches are found once and cleared before each call; a cache that appears
during the sample makes it be timed again with a scan before every call, so no call is ever served
from a cache a previous call filled."""

from __future__ import annotations

import functools
import importlib
import pickle
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from optiagent.harness import caches, timing
from optiagent.harness.caches import ModuleCaches
from optiagent.harness.timing import run_timing

MANY_GLOBALS = "\n".join(f"CONSTANT_{index} = {index}" for index in range(200))

SMALL = f"""
{MANY_GLOBALS}

def tiny(x):
    return x + 1
"""

# `work` is served by a cache only from its 4th call on: after the warm-up (one pass of one call)
LATE_CACHE = """
import functools
import counter_for_timing as counter

_cached = None


def _spin(n):
    counter.executions += 1
    return sum(range(n))


def work(n):
    global _cached
    counter.calls += 1
    if _cached is None and counter.calls > 3:
        _cached = functools.lru_cache(maxsize=None)(_spin)
    if _cached is not None:
        return _cached(n)
    return _spin(n)
"""


def _job(tmp_path: Path, name: str, qualname: str, args: tuple[Any, ...], repeats: int) -> dict[str, Any]:
    (tmp_path / "inputs.pkl").write_bytes(pickle.dumps([(args, {})]))
    return {
        "base_dir": str(tmp_path),
        "module_name": name,
        "original_file": str(tmp_path / f"{name}.py"),
        "qualname": qualname,
        "inputs_file": str(tmp_path / "inputs.pkl"),
        "repeats": repeats,
        "warmup_s": 0.0,
    }


def test_the_module_is_not_scanned_for_caches_before_every_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "small_for_timing.py").write_text(SMALL)
    monkeypatch.syspath_prepend(str(tmp_path))
    scans: list[int] = []
    real_find = caches.find_cache_clears

    def counting(module: types.ModuleType) -> Any:
        scans.append(1)
        return real_find(module)

    monkeypatch.setattr(caches, "find_cache_clears", counting)
    try:
        result = run_timing(_job(tmp_path, "small_for_timing", "tiny", (1,), 300))
    finally:
        sys.modules.pop("small_for_timing", None)
    assert result["repeats"] == 300
    assert len(scans) < 10, len(scans)  # a few per sample, not one per call (300)


def test_a_cache_that_appears_during_the_sample_is_cleared_before_every_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trap: clearing only the caches found after the warm-up would let calls 5..300 hit the
    cache `work` makes on its 4th call; the sample is timed again with a scan before each call."""
    (tmp_path / "late_cache_for_timing.py").write_text(LATE_CACHE)
    (tmp_path / "counter_for_timing.py").write_text("calls = 0\nexecutions = 0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    counter = importlib.import_module("counter_for_timing")
    try:
        run_timing(_job(tmp_path, "late_cache_for_timing", "work", (50,), 300))
    finally:
        for name in ("late_cache_for_timing", "counter_for_timing"):
            sys.modules.pop(name, None)
    # the final sample ran `_spin` on every one of its 300 calls: nothing came from the cache
    assert counter.executions >= 300, counter.executions


def test_module_caches_clear_what_they_found_and_see_new_ones() -> None:
    module = types.ModuleType("with_caches")
    executions: list[int] = []

    @functools.cache
    def square(n: int) -> int:
        executions.append(n)
        return n * n

    module.square = square  # type: ignore[attr-defined]
    found = ModuleCaches(module)
    square(3)
    found.clear()
    square(3)
    assert executions == [3, 3]
    assert not found.changed()
    module.other = functools.cache(lambda n: n)  # type: ignore[attr-defined]
    assert found.changed()


def test_warm_up_prepares_off_the_clock() -> None:
    """Looking for caches before each warm-up pass is not counted in the pass (calibration uses it)."""
    order: list[str] = []
    passes = timing._warm_up(lambda: order.append("pass"), 0.0, lambda: order.append("prepare"))
    assert order == ["prepare", "pass"] and len(passes) == 1
