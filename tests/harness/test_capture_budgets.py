"""Capture stays cheap on a parser: bytes are bounded per function and per process, and a
function whose calls cannot be kept stops being sampled (pycparser: 240 methods with the parser
as receiver made 600 MB of pickles and 90 s of CPU for a 1 s workload)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from optiagent.harness import box_files
from optiagent.harness.capture.recorder import GIVE_UP_AFTER, Recorder
from optiagent.harness.inputs import load_captured


def call(recorder: Recorder, key: str, argument: object) -> bool:
    """One call through the recorder as a wrapper makes it; True when it was kept."""
    calls = recorder.functions.get(key) or recorder.register(key, lambda x: x)
    if recorder.skips(calls):
        return False
    slot = recorder.admit(calls)
    if slot is None:
        return False
    pickled = recorder.arguments(calls, (argument,), {})
    if pickled is None:
        recorder.skip(calls)
        return False
    recorder.store(calls, slot, (pickled, recorder.result(calls, None), None))
    return True


def test_a_function_with_large_arguments_keeps_calls_up_to_its_byte_budget() -> None:
    recorder = Recorder(max_calls=20, max_bytes=1 << 20, seed=1, max_function_bytes=50_000)
    big = "x" * 20_000
    kept = sum(call(recorder, "m.py::parse", big) for _ in range(100))
    calls = recorder.functions["m.py::parse"]
    assert kept == 3 and calls.calls == 100  # 3 x 20 kB reach 50 kB; every call is still counted
    for i in range(100):
        call(recorder, "m.py::small", i)
    assert len(recorder.functions["m.py::small"].kept) == 20  # others are unaffected


def test_the_process_budget_leaves_one_call_for_functions_not_yet_seen() -> None:
    recorder = Recorder(
        max_calls=4, max_bytes=1 << 20, seed=1, max_function_bytes=1 << 20, max_total_bytes=100_000
    )
    for index in range(5):
        for _ in range(10):
            call(recorder, f"m.py::f{index}", "y" * 20_000)
    kept = [len(recorder.functions[f"m.py::f{i}"].kept) for i in range(5)]
    assert kept[:2] == [4, 1] and all(k == 1 for k in kept[2:]), kept  # over 100 kB: one call each
    for index in range(5, 10):
        call(recorder, f"m.py::f{index}", "y" * 20_000)
    late = recorder.functions["m.py::f9"]
    assert not late.kept and "budget" in (late.problem or "")  # over 1.5 x 100 kB: nothing more
    assert recorder.total_bytes < 150_000 + 25_000  # 1.5 x the budget, plus the call that crossed it


def test_calls_that_cannot_be_kept_stop_the_sampling_after_a_few() -> None:
    recorder = Recorder(max_calls=20, max_bytes=1000, seed=1)
    for _ in range(50):
        call(recorder, "m.py::huge", "z" * 5000)
    calls = recorder.functions["m.py::huge"]
    assert calls.skipped == GIVE_UP_AFTER and calls.calls == 50 and calls.problem


def test_collection_keeps_small_files_whole_when_the_budget_runs_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Smallest first and no cut files: the profile and index survive; a pickle that does not fit
    is left out rather than truncated (a cut pickle or JSON is unreadable)."""
    capture = tmp_path / "capture"
    capture.mkdir()
    (capture / "calls-1-a.pkl").write_bytes(pickle.dumps("a" * 600))
    (capture / "calls-1-b.pkl").write_bytes(pickle.dumps("b" * 300))
    (capture / "index-1.json").write_text('{"m.py::f": {}}')
    (capture / "profile-1.json").write_text('{"total_s": 1.0}')
    monkeypatch.setattr(box_files, "MAX_COLLECT_BYTES", 500)
    collected = dict(box_files.collected_files(tmp_path, ["capture/"]))
    assert set(collected) == {"capture/index-1.json", "capture/profile-1.json", "capture/calls-1-b.pkl"}
    assert pickle.loads(collected["capture/calls-1-b.pkl"]) == "b" * 300


def test_large_calls_files_are_written_compressed_and_read_back(tmp_path: Path) -> None:
    """A parser-sized receiver shrinks on disk (what the host collects is bounded); the check's
    loader reads compressed and plain files alike."""
    recorder = Recorder(max_calls=4, max_bytes=1 << 22, seed=1)
    table = {f"state{i}": list(range(i % 50)) for i in range(3000)}  # repetitive, like LR tables
    for _ in range(4):
        call(recorder, "m.py::parse", table)
    call(recorder, "m.py::small", 7)
    recorder.write(tmp_path, "1")
    index = json.loads((tmp_path / "index-1.json").read_text())
    big, small = (tmp_path / index["m.py::parse"]["pickle"]), (tmp_path / index["m.py::small"]["pickle"])
    assert big.read_bytes()[:1] == b"\x78" and small.read_bytes()[:1] == b"\x80"
    assert big.stat().st_size * 3 < recorder.functions["m.py::parse"].kept_bytes
    loaded = load_captured([str(big), str(small)])
    assert [c.args[0] == table for c in loaded[:-1]] == [True] * (len(loaded) - 1) and loaded[-1].args == (7,)
