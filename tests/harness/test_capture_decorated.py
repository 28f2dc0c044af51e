"""Capture of functions a decorator wraps (sqlparse's `@recurse(...) def group_x(tlist)`: the module's
name is bound to the decorator's inner function, whose qualname is not the target's)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from optiagent.services.profiling import SITECUSTOMIZE, SITECUSTOMIZE_DIR

HARNESS = Path(__file__).resolve().parents[2] / "optiagent" / "harness"

DECORATED = """
    import functools

    def recurse(*skip):
        def wrap(f):
            def wrapped_f(tree):
                for child in tree.get("children", []):
                    if child.get("kind") not in skip:
                        wrapped_f(child)
                f(tree)
            return wrapped_f
        return wrap

    def logged(f):
        @functools.wraps(f)
        def inner(*args, **kwargs):
            return f(*args, **kwargs)
        return inner

    @recurse("leaf")
    def count(tree):
        tree["n"] = len(tree.get("children", []))

    @logged
    @logged
    def twice(x: int) -> int:
        return 2 * x

    also_twice = twice

    class Walker:
        @logged
        def depth(self, tree):
            return 1 + max((self.depth(c) for c in tree.get("children", [])), default=0)
"""

BENCH = """
    from pkg import deco
    tree = {"kind": "root", "children": [{"kind": "node", "children": [{"kind": "leaf"}]}, {"kind": "leaf"}]}
    deco.count(tree)
    print(tree["n"], tree["children"][0]["n"], deco.twice(4), deco.also_twice(5), deco.Walker().depth(tree))
    print(deco.count.__name__, deco.twice.__name__, deco.twice.__wrapped__.__wrapped__.__name__)
"""


def run(tmp_path: Path) -> tuple[str, dict[str, Any], Path]:
    work = tmp_path / "work"
    files = {"pkg/__init__.py": "", "pkg/deco.py": DECORATED, "bench.py": BENCH}
    for name, text in files.items():
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


def test_functions_behind_decorators_are_captured_with_their_own_arguments(tmp_path: Path) -> None:
    """The original inside a decorator's closure is wrapped (each recursion's call, with the
    subtree it got), also under functools.wraps and two layers deep; behaviour is unchanged, and
    an alias of the decorated function does not wrap it twice."""
    stdout, index, capture = run(tmp_path)
    assert stdout.splitlines() == ["2 1 8 10 3", "wrapped_f twice twice"]
    count = index["pkg/deco.py::count"]
    assert count["calls"] == 2 and count["captured"] == 2  # leaves are not recursed into
    records = pickle.loads((capture / count["pickle"]).read_bytes())
    trees = [pickle.loads(arguments)[0][0] for arguments, _, _ in records]
    assert [t["kind"] for t in trees] == ["node", "root"]
    assert index["pkg/deco.py::twice"]["calls"] == 2  # twice(4) and also_twice(5), each recorded once
    assert index["pkg/deco.py::Walker.depth"]["calls"] == 1  # inner recursive calls pass through


def test_the_profile_names_the_decorated_function_not_the_wrapper(tmp_path: Path) -> None:
    """Time in the capture wrapper is folded into the original's profile key (file, line, name)."""
    _, _, capture = run(tmp_path)
    (profile,) = [json.loads(p.read_text()) for p in capture.glob("profile-*.json")]
    names = {(f["path"], f["name"]) for f in profile["functions"]}
    assert ("pkg/deco.py", "count") in names and ("pkg/deco.py", "twice") in names
    assert not any(path.startswith("<optiagent") for path, _ in names)
