"""The `time` mode in a real process: warm-up, both clocks, blocks, pinning, waits and threads."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

MODULE = textwrap.dedent(
    """
    import time
    from concurrent.futures import ThreadPoolExecutor

    def spin(n: int) -> int:
        total = 0
        for i in range(n):
            total += i * i
        return total

    def nap(n: int) -> int:
        time.sleep(0.001)
        return n

    def pooled(n: int) -> int:
        with ThreadPoolExecutor(2) as pool:
            return sum(pool.map(spin, [n, n]))
    """
)


def run_sample(tmp_path: Path, qualname: str, **job: Any) -> dict[str, Any]:
    """One sample through `python -m optiagent.harness time`, as the sandbox runs it."""
    (tmp_path / "timed_mod.py").write_text(MODULE)
    (tmp_path / "inputs.pkl").write_bytes(pickle.dumps([((2000,), {})]))
    spec = {
        "base_dir": str(tmp_path),
        "module_name": "timed_mod",
        "original_file": str(tmp_path / "timed_mod.py"),
        "qualname": qualname,
        "inputs_file": str(tmp_path / "inputs.pkl"),
        "repeats": None,
        "min_sample_s": 0.02,
        "warmup_s": 0.005,
    } | job
    (tmp_path / "job.json").write_text(json.dumps(spec))
    subprocess.run(
        [sys.executable, "-m", "optiagent.harness", "time", "job.json", "out.json"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    result: dict[str, Any] = json.loads((tmp_path / "out.json").read_text())
    assert "seconds" in result, result
    return result


def test_sample_warms_up_then_times_blocks_by_both_clocks(tmp_path: Path) -> None:
    """Untimed passes come first; the timed passes, read in blocks, add up to `repeats`."""
    result = run_sample(tmp_path, "spin")
    assert result["warmups"] and all(loops >= 1 and value > 0 for loops, value in result["warmups"])
    assert sum(block[0] for block in result["blocks"]) == result["repeats"]
    assert result["cpu_s"] > 0 and result["wall_s"] > 0
    assert result["threads"] == 1 and result["voluntary_switches"] == 0
    assert result["machine"]["python_version"] and result["machine"]["cpu_count"] >= 1


def test_calibration_targets_cpu_time(tmp_path: Path) -> None:
    """Without given repeats, enough passes are timed for min_sample_s of CPU time."""
    result = run_sample(tmp_path, "spin", min_sample_s=0.05)
    assert result["cpu_s"] * result["repeats"] >= 0.05 * 0.5  # one calibrating pass can run slow


def test_given_repeats_are_kept(tmp_path: Path) -> None:
    """Both halves of a pair time the same number of passes: the host's repeats are obeyed."""
    assert run_sample(tmp_path, "spin", repeats=7)["repeats"] == 7


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this platform")
def test_slot_pins_to_an_allowed_cpu(tmp_path: Path) -> None:
    """A CPU slot is the k-th allowed CPU (modulo their number): the sample says which it ran on."""
    allowed = sorted(os.sched_getaffinity(0))
    result = run_sample(tmp_path, "spin", cpu_slot=len(allowed) + 1)
    assert result["cpu"] == allowed[1 % len(allowed)]
    assert run_sample(tmp_path, "spin")["cpu"] is None  # no slot: not pinned


def test_waiting_and_threads_are_reported(tmp_path: Path) -> None:
    """A sleeping function waits (voluntary switches); a pooled one runs more threads, even
    when its pool is shut down before the sample can look (threads started are counted)."""
    assert run_sample(tmp_path, "nap", repeats=5)["voluntary_switches"] > 0
    assert run_sample(tmp_path, "pooled", repeats=3)["threads"] > 1


def test_many_warmup_passes_stay_a_short_list(tmp_path: Path) -> None:
    """Thousands of tiny warm-up passes are grouped (pyperf's loops), the first ones kept alone."""
    warmups = run_sample(tmp_path, "spin", warmup_s=0.05, repeats=1)["warmups"]
    assert len(warmups) <= 8 and [loops for loops, _ in warmups[:3]] == [1, 1, 1]
