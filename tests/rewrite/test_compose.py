"""Composing several accepted edits of one module at the CST level."""

from __future__ import annotations

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optiagent.rewrite.catalogue import propose_rewrites
from optiagent.rewrite.compose import ComposeError, Edit, compose_edits
from optiagent.rewrite.locate import function_source

SLOW = '''\
"""Four slow functions in one module."""

import re


def fib(n: int) -> int:
    """The n-th Fibonacci number, by plain recursion."""
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def hops(graph: dict[int, list[int]], start: int) -> dict[int, int]:
    # breadth first, with a list as the queue
    dist = {start: 0}
    queue = [start]
    while queue:
        node = queue.pop(0)  # O(n) per pop
        for nxt in graph.get(node, []):
            if nxt not in dist:
                dist[nxt] = dist[node] + 1
                queue.append(nxt)
    return dist


def digits(lines: list[str]) -> int:
    total = 0
    for line in lines:
        if re.match(r"\\d+", line):
            total += 1
    return total


def words(lines: list[str]) -> int:
    total = 0
    for line in lines:
        if re.match(r"[a-z]+", line):
            total += 1
    return total


def untouched(x):
    # a comment nobody edits
    return x  # trailing
'''


def catalogue_edit(qualname: str, source: str = SLOW) -> Edit:
    return Edit(qualname, propose_rewrites(source, qualname)[0].source)


def imports_of(source: str) -> set[str]:
    """Each name the module's top-level imports bind, as a one-name import line."""
    module = cst.parse_module(source)
    found: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                found.update(f"import {module.code_for_node(a.name)}" for a in small.names)
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                source_module = module.code_for_node(small.module) if small.module else ""
                found.update(
                    f"from {source_module} import {module.code_for_node(a.name)}" for a in small.names
                )
    return found


def without_imports(source: str) -> str:
    """The module's code without its top-level imports and the blank lines around them."""
    module = cst.parse_module(source)
    kept = [
        s
        for s in module.body
        if not (
            isinstance(s, cst.SimpleStatementLine) and isinstance(s.body[0], (cst.Import, cst.ImportFrom))
        )
    ]
    return "\n".join(line for line in module.with_changes(body=kept).code.splitlines() if line.strip())


def test_catalogue_edits_of_three_functions_all_land() -> None:
    """Three rules that each add an import or a constant compose into one module with all three."""
    edits = [catalogue_edit(q) for q in ("fib", "hops", "digits")]
    composition = compose_edits(SLOW, edits)
    assert composition.composed == ("fib", "hops", "digits") and composition.conflicts == ()
    text = composition.source
    for edit in edits:
        assert function_source(text, edit.qualname) == function_source(edit.source, edit.qualname)
    assert {"import re", "import functools", "import collections"} <= imports_of(text)
    assert text.count("_PATTERN_1 = re.compile") == 1
    for name in ("words", "untouched"):
        assert function_source(text, name) == function_source(SLOW, name)
    assert "popleft()  # O(n) per pop" in text and "# breadth first, with a list as the queue" in text
    assert "return x  # trailing" in text
    namespace: dict[str, object] = {}
    exec(compile(text, "composed", "exec"), namespace)
    assert namespace["fib"](20) == 6765  # type: ignore[operator]
    assert namespace["digits"](["12", "a", "3"]) == 2  # type: ignore[operator]


def test_two_helpers_of_one_name_with_different_code_conflict() -> None:
    """Two regex rewrites both add `_PATTERN_1`, for different patterns: the later edit is left out."""
    composition = compose_edits(SLOW, [catalogue_edit("digits"), catalogue_edit("words")])
    assert composition.composed == ("digits",)
    [conflict] = composition.conflicts
    assert conflict.qualname == "words" and "_PATTERN_1" in conflict.reason and "digits" in conflict.reason
    assert function_source(composition.source, "words") == function_source(SLOW, "words")


def test_the_same_helper_added_twice_is_placed_once() -> None:
    """Same name and same code from two edits: one copy, and both edits compose."""
    base = "import re\n\n\ndef f(x):\n    return x\n\n\ndef g(x):\n    return x\n"
    first = base.replace("import re\n", "import re\nLIMIT = 10\n").replace(
        "def f(x):\n    return x", "def f(x):\n    return min(x, LIMIT)"
    )
    second = base.replace("import re\n", "import re\nLIMIT = 10\n").replace(
        "def g(x):\n    return x", "def g(x):\n    return max(x, LIMIT)"
    )
    composition = compose_edits(base, [Edit("f", first), Edit("g", second)])
    assert composition.composed == ("f", "g")
    assert composition.source.count("LIMIT = 10") == 1
    assert "min(x, LIMIT)" in composition.source and "max(x, LIMIT)" in composition.source


def test_two_edits_of_the_same_function_keep_the_first_given() -> None:
    """Two edits of one function are a real conflict: the faster (given first) stays, the report says why."""
    base = "def f(x):\n    return x + 0\n"
    fast, slow = Edit("f", "def f(x):\n    return x\n"), Edit("f", "def f(x):\n    return 0 + x\n")
    composition = compose_edits(base, [fast, slow])
    assert composition.source == fast.source
    [conflict] = composition.conflicts
    assert "same function f" in conflict.reason


def test_an_edit_that_changes_another_target_conflicts_with_that_targets_edit() -> None:
    """Edit of f that also rewrites g, and an edit of g: the later one is left out, naming g."""
    base = "def f(x):\n    return g(x)\n\n\ndef g(x):\n    return x + 0\n"
    of_f = Edit("f", "def f(x):\n    return g(x)\n\n\ndef g(x):\n    return x\n")
    of_g = Edit("g", base.replace("    return x + 0\n", "    return 0 + x\n"))
    composition = compose_edits(base, [of_f, of_g])
    assert composition.composed == ("f",)
    assert "changes g differently from the faster edit of f" in composition.conflicts[0].reason


def test_methods_of_one_class_compose() -> None:
    """Edits of two methods of one class both land; the class's other bytes stay."""
    base = (
        "class Box:\n    # a box\n    size = 3\n\n    def a(self):\n        return 1 + 0\n\n"
        "    def b(self):\n        return 2 + 0\n"
    )
    edit_a = Edit("Box.a", base.replace("return 1 + 0", "return 1"))
    edit_b = Edit("Box.b", base.replace("return 2 + 0", "return 2"))
    composition = compose_edits(base, [edit_a, edit_b])
    assert composition.source == base.replace(" + 0", "")


def test_a_class_header_change_conflicts_with_a_method_edit() -> None:
    """One edit adds __slots__ via a new base, another edits a method inside: they cannot both go in."""
    base = "class Box:\n    def a(self):\n        return 1 + 0\n"
    header = Edit("Box.b", base.replace("class Box:", "class Box(object):"))
    method = Edit("Box.a", base.replace("return 1 + 0", "return 1"))
    composition = compose_edits(base, [method, header])
    assert composition.composed == ("Box.a",) and "Box" in composition.conflicts[0].reason


def test_from_imports_are_merged_and_future_imports_come_first() -> None:
    """`from m import a` + `from m import b` become one line; a new __future__ import goes first."""
    base = '"""Doc."""\n\nfrom collections import OrderedDict\n\n\ndef f(x):\n    return x\n\n\ndef g(x):\n    return x\n'
    edit_f = Edit(
        "f",
        base.replace(
            "from collections import OrderedDict\n", "from collections import OrderedDict, deque\n"
        ).replace("def f(x):\n    return x", "def f(x):\n    return deque(x)"),
    )
    edit_g = Edit(
        "g",
        base.replace(
            '"""Doc."""\n',
            '"""Doc."""\nfrom __future__ import annotations\nfrom collections import Counter\n',
        ).replace("def g(x):\n    return x", "def g(x):\n    return Counter(x)"),
    )
    text = compose_edits(base, [edit_f, edit_g]).source
    lines = text.splitlines()
    assert lines[1] == "from __future__ import annotations"
    assert "from collections import OrderedDict" in lines  # the original's line is kept as it was
    assert "from collections import deque, Counter" in lines
    compile(text, "composed", "exec")


def test_imports_binding_one_name_to_two_things_conflict() -> None:
    """`from a import x` in one edit and `from b import x` in another cannot both be kept."""
    base = "def f():\n    return 1\n\n\ndef g():\n    return 2\n"
    one = Edit("f", "from os import sep as x\n" + base.replace("return 1", "return x"))
    two = Edit("g", "from sys import maxsize as x\n" + base.replace("return 2", "return x"))
    composition = compose_edits(base, [one, two])
    assert composition.composed == ("f",) and "binds x" in composition.conflicts[0].reason


def test_two_rewrites_of_one_main_block_conflict() -> None:
    """A statement without a name rewritten two ways (the main block) is one change, not two."""
    base = 'def f():\n    return 1\n\n\nif __name__ == "__main__":\n    print(f())\n'
    one = Edit("f", base.replace("print(f())", "print(f(), 1)"))
    two = Edit("g", base.replace("print(f())", "print(f(), 2)"))
    composition = compose_edits(base, [one, two])
    assert composition.source.count("__main__") == 1 and composition.composed == ("f",)


def test_an_edit_that_does_not_parse_is_an_error() -> None:
    """Unparseable input is reported, not composed."""
    with pytest.raises(ComposeError):
        compose_edits("def f():\n    return 1\n", [Edit("f", "def f(:\n")])


# -- properties ---------------------------------------------------------------------------------

BODIES = ("return x", "return x + 1", "return [x] * 2", "y = x\n    return y", "return sorted([x, 1])")
IMPORTS = ("import os", "import re", "from collections import deque", "from collections import Counter")


@st.composite
def modules(draw: st.DrawFn) -> tuple[list[str], list[str], bool]:
    """(imports, function bodies, has a docstring)."""
    imports = draw(st.lists(st.sampled_from(IMPORTS), unique=True, max_size=2))
    bodies = draw(st.lists(st.sampled_from(BODIES), min_size=1, max_size=4))
    return imports, bodies, draw(st.booleans())


def render(
    imports: list[str], bodies: list[str], doc: bool, extra_top: str = "", extra_after: str = ""
) -> str:
    head = '"""Doc."""\n' if doc else ""
    head += extra_top + "".join(f"{line}\n" for line in imports) + extra_after
    functions = "\n\n".join(
        f"def f{i}(x):\n    # f{i}'s comment\n    {body}\n" for i, body in enumerate(bodies)
    )
    return head + ("\n\n" if head else "") + functions


@st.composite
def edited(draw: st.DrawFn, imports: list[str], bodies: list[str], doc: bool, index: int) -> Edit:
    """An edit of f{index} the way the catalogue makes them: new body, maybe an import on top,
    maybe a constant after the imports."""
    new_bodies = list(bodies)
    new_bodies[index] = draw(st.sampled_from([b for b in BODIES if b != bodies[index]]))
    new_import = draw(st.sampled_from([None, *[i for i in IMPORTS if i not in imports]]))
    top = f"{new_import}\n" if new_import else ""
    after = f"_C{index} = {index}\n" if draw(st.booleans()) else ""
    return Edit(f"f{index}", render(imports, new_bodies, doc, top, after))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_composing_one_edit_gives_the_edit_back_modulo_import_placement(data: st.DataObject) -> None:
    """One edit alone: the same module as the edit, except where its new imports sit."""
    imports, bodies, doc = data.draw(modules())
    original = render(imports, bodies, doc)
    edit = data.draw(edited(imports, bodies, doc, data.draw(st.integers(0, len(bodies) - 1))))
    composition = compose_edits(original, [edit])
    assert composition.composed == (edit.qualname,)
    assert without_imports(composition.source) == without_imports(edit.source)
    assert imports_of(composition.source) == imports_of(edit.source)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_edits_of_different_functions_all_land_and_the_result_parses(data: st.DataObject) -> None:
    """Edits of distinct functions: each edited function as its edit has it, the others byte-identical."""
    imports, bodies, doc = data.draw(modules())
    original = render(imports, bodies, doc)
    chosen = data.draw(st.lists(st.integers(0, len(bodies) - 1), unique=True, min_size=1))
    edits = [data.draw(edited(imports, bodies, doc, index)) for index in chosen]
    composition = compose_edits(original, edits)
    text = composition.source
    compile(text, "composed", "exec")
    assert composition.composed == tuple(e.qualname for e in edits)
    for edit in edits:
        assert function_source(text, edit.qualname) == function_source(edit.source, edit.qualname)
        assert imports_of(edit.source) <= imports_of(text)
        for line in edit.source.splitlines():
            if line.startswith("_C"):
                assert text.count(line) == 1
    for index in set(range(len(bodies))) - set(chosen):
        assert function_source(text, f"f{index}") == function_source(original, f"f{index}")


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_the_output_always_parses_whatever_the_edits(data: st.DataObject) -> None:
    """Any edits, conflicting or not, same function or not: the composed text is valid Python."""
    imports, bodies, doc = data.draw(modules())
    original = render(imports, bodies, doc)
    indices = data.draw(st.lists(st.integers(0, len(bodies) - 1), min_size=1, max_size=4))
    edits = [data.draw(edited(imports, bodies, doc, index)) for index in indices]
    composition = compose_edits(original, edits)
    compile(composition.source, "composed", "exec")
    assert len(composition.composed) + len(composition.conflicts) == len(edits)
