"""A candidate module keeps the original's classes: objects the original made pass the candidate's
isinstance checks, the candidate's class bodies are installed only while it runs, `super()` works,
and a class whose header the candidate changed keeps its own (harness/twins.py)."""

from __future__ import annotations

import copy
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.harness.caches import clear_caches
from optiagent.harness.loading import load_candidate, resolve

ORIGINAL = textwrap.dedent(
    """
    import functools


    class Shape:
        sides = 0

        def __init__(self, size):
            self.size = size

        def __eq__(self, other):
            if not isinstance(other, Shape):
                return NotImplemented
            return (type(self).__name__, self.size) == (type(other).__name__, other.size)

        def area(self):
            return 0

        def describe(self):
            return f"{type(self).__name__} {self.area()}"


    class Square(Shape):
        sides = 4

        def area(self):
            return self.size * self.size

        def describe(self):
            return "square: " + super().describe()


    KINDS = {"square": Square}
    UNIT = Square(1)


    def merge(a, b):
        if isinstance(a, Shape) and isinstance(b, Shape):
            return Square(a.size + b.size)
        return None


    @functools.lru_cache(maxsize=None)
    def cached(n):
        return [n]


    def annotated(x: "int") -> "int":
        return x
    """
)


@pytest.fixture
def original(tmp_path: Path) -> Iterator[types.ModuleType]:
    (tmp_path / "shapes_mod.py").write_text(ORIGINAL)
    sys.path.insert(0, str(tmp_path))
    try:
        import shapes_mod  # type: ignore[import-not-found]

        yield shapes_mod
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("shapes_mod", None)


def test_the_original_text_as_a_candidate_agrees_on_the_original_objects(original: types.ModuleType) -> None:
    """isinstance on the original's instances holds in the candidate (its `__eq__`, a function)."""
    twin = load_candidate(original, ORIGINAL)
    a, b = original.Square(2), original.Square(2)
    assert resolve(twin, "Shape.__eq__")(a, b) is True
    merged = resolve(twin, "merge")(a, b)
    assert isinstance(merged, original.Square) and merged.size == 4
    assert twin.KINDS["square"] is original.Square and type(twin.UNIT) is original.Square


def test_the_candidates_class_body_is_installed_only_while_it_runs(original: types.ModuleType) -> None:
    """A changed method runs for the candidate (subclass overrides kept, super() working) and the
    original's is back after the call."""
    changed = ORIGINAL.replace("return self.size * self.size", "return self.size ** 2 + 1")
    twin = load_candidate(original, changed)
    square = original.Square(3)
    assert resolve(twin, "Square.describe")(square) == "square: Square 10"
    assert resolve(twin, "Shape.describe")(square) == "Square 10"  # the subclass's area, the candidate's
    assert square.area() == 9 and original.Square.describe(square) == "square: Square 9"


def test_a_generator_runs_with_the_candidate_installed_while_it_is_consumed(tmp_path: Path) -> None:
    """A candidate generator's later steps still see the candidate's methods."""
    source = textwrap.dedent(
        """
        class Walker:
            def step(self, i):
                return i

            def walk(self, n):
                for i in range(n):
                    yield self.step(i)
        """
    )
    (tmp_path / "walker_mod.py").write_text(source)
    sys.path.insert(0, str(tmp_path))
    try:
        import walker_mod  # type: ignore[import-not-found]

        twin = load_candidate(walker_mod, source.replace("return i", "return -i"))
        assert list(resolve(twin, "Walker.walk")(walker_mod.Walker(), 3)) == [0, -1, -2]
        assert list(walker_mod.Walker().walk(3)) == [0, 1, 2]
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("walker_mod", None)


def test_a_class_with_another_header_keeps_its_own_class(original: types.ModuleType) -> None:
    """A candidate that changes a class's bases or slots keeps its twin class for it."""
    changed = ORIGINAL.replace("class Square(Shape):", "class Square(Shape, dict):")
    twin = load_candidate(original, changed)
    assert twin.Square is not original.Square and twin.Shape is original.Shape


def test_the_candidate_compiles_with_its_own_future_flags(original: types.ModuleType) -> None:
    """The harness's own `from __future__ import annotations` does not leak into the candidate."""
    source = "def annotated(x: int) -> int:\n    return x\n"
    twin = load_candidate(original, source)
    assert twin.annotated.__annotations__ == {"x": int, "return": int}


def test_caches_of_installed_methods_are_cleared(original: types.ModuleType) -> None:
    """clear_caches reaches a candidate's cached functions, module-level and installed alike."""
    twin = load_candidate(original, ORIGINAL)
    twin.cached(3)
    assert twin.cached.cache_info().currsize == 1
    clear_caches(twin)
    assert twin.cached.cache_info().currsize == 0


def test_objects_the_candidates_import_made_are_on_the_original_classes(tmp_path: Path) -> None:
    """Module-level instances (and those they hold) are re-classed; a `__new__` using `super()`
    still copies them, inside the candidate's run and outside it (pyparsing's grammar elements)."""
    source = textwrap.dedent(
        """
        class Element:
            def __new__(cls, pattern=""):
                if cls is Element and len(pattern) == 1:
                    return super().__new__(Char)
                return super().__new__(cls)

            def __init__(self, pattern=""):
                self.pattern = pattern
                self.parts = [Element(c) for c in pattern] if len(pattern) > 1 else []

            def __getnewargs__(self):
                return (self.pattern,)

            def size(self):
                return len(self.parts)


        class Char(Element):
            pass


        DEFAULT = Element("ab")
        """
    )
    (tmp_path / "elements_mod.py").write_text(source)
    sys.path.insert(0, str(tmp_path))
    try:
        import elements_mod  # type: ignore[import-not-found]

        twin = load_candidate(
            elements_mod, source.replace("return len(self.parts)", "return len(self.parts) + 0")
        )
        assert type(twin.DEFAULT) is elements_mod.Element and type(twin.DEFAULT.parts[0]) is elements_mod.Char
        assert copy.deepcopy(twin.DEFAULT).pattern == "ab"
        assert resolve(twin, "Element.size")(copy.deepcopy(twin.DEFAULT)) == 2
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("elements_mod", None)
