"""Generator arguments (sqlparse's `StatementSplitter.process(self, stream)` takes the lexer's
generator): recorded as the call reads them, replayed as exactly what the call saw."""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from optiagent.harness.capture.streams import CapturedStream, CapturedStreamEnd
from optiagent.harness.compare import deep_equal
from optiagent.services.profiling import SITECUSTOMIZE, SITECUSTOMIZE_DIR

HARNESS = Path(__file__).resolve().parents[2] / "optiagent" / "harness"

STAGES = """
    import types

    class Splitter:
        def __init__(self):
            self.seen = 0

        def process(self, stream):
            current = []
            for kind, text in stream:
                self.seen += 1
                current.append(text)
                if kind == "end":
                    yield " ".join(current)
                    current = []

    def total(numbers, scale=1):
        return sum(n * scale for n in numbers)

    def first(numbers):
        return next(numbers)

    def kind_of(numbers):
        return isinstance(numbers, types.GeneratorType)

    def echo():
        got = []
        while True:
            value = yield len(got)
            if value is None:
                return got
            got.append(value)

    def drive(channel):
        next(channel)
        return [channel.send(word) for word in ("a", "b")]
"""

BENCH = """
    import itertools
    from pkg import stages

    def tokens():
        yield from [("word", "select"), ("word", "1"), ("end", ";"), ("word", "select"), ("end", ";")]

    print(list(stages.Splitter().process(tokens())))
    print(stages.total((n for n in range(5)), scale=2))
    print(stages.first(n for n in itertools.count()))
    print(stages.kind_of(n for n in range(3)))
    print(stages.drive(stages.echo()))
"""


def run(tmp_path: Path) -> tuple[str, dict[str, Any], Path]:
    work = tmp_path / "work"
    for name, text in {"pkg/__init__.py": "", "pkg/stages.py": STAGES, "bench.py": BENCH}.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(textwrap.dedent(text))
    (work / SITECUSTOMIZE_DIR).mkdir()
    (work / SITECUSTOMIZE_DIR / "sitecustomize.py").write_bytes(SITECUSTOMIZE)
    (tmp_path / "harness-root").mkdir()
    (tmp_path / "harness-root" / "optiagent_harness").symlink_to(HARNESS)
    done = subprocess.run(
        [sys.executable, "bench.py"],
        cwd=work,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": f"{work / SITECUSTOMIZE_DIR}{os.pathsep}{tmp_path / 'harness-root'}",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    index: dict[str, Any] = {}
    for path in sorted((work / "capture").glob("index-*.json")):
        index.update(json.loads(path.read_text()))
    return done.stdout, index, work / "capture"


def calls(capture: Path, entry: dict[str, Any]) -> list[tuple[Any, Any, str | None]]:
    """Unpickles captured calls (fine in a test: we wrote the workload ourselves)."""
    sys.path.insert(0, str(capture.parent))  # the receiver's class lives in the project
    sys.modules.setdefault("optiagent_harness", __import__("optiagent.harness", fromlist=["capture"]))
    sys.modules.setdefault("optiagent_harness.capture", sys.modules["optiagent.harness.capture"])
    sys.modules.setdefault(
        "optiagent_harness.capture.streams", sys.modules["optiagent.harness.capture.streams"]
    )
    try:
        records = pickle.loads((capture / entry["pickle"]).read_bytes())
        return [(pickle.loads(a), pickle.loads(r) if r is not None else None, x) for a, r, x in records]
    finally:
        sys.path.remove(str(capture.parent))
        for name in [m for m in sys.modules if m == "pkg" or m.startswith("pkg.")]:
            del sys.modules[name]


def test_the_workload_sees_the_same_generators_and_results(tmp_path: Path) -> None:
    """Results, `isinstance(arg, GeneratorType)` and `send` through a recorded generator are unchanged."""
    stdout, _, _ = run(tmp_path)
    assert stdout.splitlines() == ["['select 1 ;', 'select ;']", "20", "0", "True", "[1, 2]"]


def test_generator_arguments_are_captured_as_the_items_the_call_read(tmp_path: Path) -> None:
    """A generator method's stream is recorded to its end (after the consumer finished it); the
    receiver is as it was before the call; a partly read generator replays only what was read."""
    _, index, capture = run(tmp_path)
    [((receiver, stream), kwargs), result, raised] = calls(capture, index["pkg/stages.py::Splitter.process"])[
        0
    ]
    assert receiver.seen == 0 and kwargs == {} and (result, raised) == (None, None)
    assert isinstance(stream, CapturedStream) and stream.exhausted
    assert list(stream) == [("word", "select"), ("word", "1"), ("end", ";"), ("word", "select"), ("end", ";")]
    [(((numbers,), kwargs), result, _)] = calls(capture, index["pkg/stages.py::total"])
    assert (list(numbers), kwargs, result) == ([0, 1, 2, 3, 4], {"scale": 2}, 20)
    [(((endless,), _), result, _)] = calls(capture, index["pkg/stages.py::first"])
    assert result == 0 and not endless.exhausted
    assert next(endless) == 0
    with pytest.raises(CapturedStreamEnd):
        next(endless)


def test_a_replayed_stream_copies_and_compares_by_what_is_left() -> None:
    """Each replay gets a fresh copy (the harness deep-copies inputs); the original is untouched."""
    stream = CapturedStream([1, 2, 3], exhausted=True)
    replay = copy.deepcopy(stream)
    assert list(replay) == [1, 2, 3] and list(replay) == []
    assert list(stream) == [1, 2, 3]
    partly, whole = CapturedStream([1, 2, 3], exhausted=True), CapturedStream([1, 2, 3], exhausted=True)
    next(partly)
    assert repr(partly).startswith("CapturedStream([2, 3]")
    assert not deep_equal(partly, whole)  # how far a call read its stream is part of its behaviour
    next(whole)
    assert deep_equal(partly, whole)
