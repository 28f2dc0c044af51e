"""Running one call never fails in the harness's own bookkeeping: an exception whose `__str__`
raises (pyparsing formats the input it was given) is still an outcome, compared by its type."""

from __future__ import annotations

from optiagent.harness.outcome import outcomes_agree, run_call, safe_repr


class Unprintable(Exception):
    def __str__(self) -> str:
        raise TypeError("expected string or bytes-like object, got 'list'")


def parse(text: object) -> str:
    if not isinstance(text, str):
        raise Unprintable(text)
    return text


def test_an_exception_whose_str_raises_is_an_outcome() -> None:
    """The outcome records the type and what its `__str__` raised; two such calls agree."""
    first, second = run_call(parse, ([None],), {}), run_call(parse, ([None],), {})
    assert first.raised == "Unprintable" and first.message is not None and "TypeError" in first.message
    assert outcomes_agree(first, second) is None
    assert outcomes_agree(first, run_call(parse, ("x",), {})) is not None


def test_safe_repr_names_an_object_whose_repr_raises() -> None:
    """A receiver whose `__init__` has not run yet is shown by its type."""

    class Half:
        def __repr__(self) -> str:
            return f"Half({self.value})"  # type: ignore[attr-defined]

    assert safe_repr(Half()).endswith("Half object (repr raised AttributeError)>")
