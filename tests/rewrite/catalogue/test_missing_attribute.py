"""OPT036: an attribute miss handled by catching AttributeError -> getattr with a sentinel."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from .support import PROPERTY_EXAMPLES, applied, apply, pair

SOURCE = """\
from threading import local

TABLE = {None: "C", "de": "de_DE"}
STATE = local()


def translation():
    try:
        return TABLE[STATE.locale]
    except (AttributeError, KeyError):
        return TABLE[None]


def separator(holder):
    try:
        sep = SEPARATORS[holder.locale]
    except (AttributeError, KeyError):
        sep = ","
    return sep


SEPARATORS = {"de": ".", "fr": " "}
"""


class Holder:
    """An object whose `locale` may be missing, a key, a value that is no key, or a failing property."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        if kind in ("de", "fr", "xx", "None"):
            self.__dict__["locale"] = None if kind == "None" else kind

    def __getattr__(self, name: str) -> Any:
        if name == "locale" and self.kind == "key-error":
            raise KeyError("from the property")
        if name == "locale" and self.kind == "value-error":
            raise ValueError("not caught")
        raise AttributeError(name)


def outcome(function: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "value", function(*args)
    except Exception as error:  # the kind of error is part of the behaviour
        return type(error).__name__, str(error)


def test_rewrites_the_read_into_getattr_and_keeps_the_handler_for_both_paths() -> None:
    result = applied("OPT036", SOURCE, "translation")
    assert "_MISSING = object()" in result
    assert '_value = getattr(STATE, "locale", _MISSING)' in result
    assert "return TABLE[_value]" in result
    assert result.count("return TABLE[None]") == 2


def test_thread_local_unset_set_and_set_to_no_key() -> None:
    original, rewritten = pair("OPT036", SOURCE, "translation")
    for locale in (None, "de", "xx"):
        if locale is not None:
            original.__globals__["STATE"].locale = locale
            rewritten.__globals__["STATE"].locale = locale
        assert original() == rewritten()
    assert rewritten() == "C" and original.__globals__["STATE"].locale == "xx"


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None)
@given(st.sampled_from(["missing", "de", "fr", "xx", "None", "key-error", "value-error"]))
def test_same_outcome_for_every_kind_of_attribute(kind: str) -> None:
    """A miss, a key, a value that is no key, a caught error from the read, an uncaught one."""
    original, rewritten = pair("OPT036", SOURCE, "separator")
    assert outcome(original, Holder(kind)) == outcome(rewritten, Holder(kind))


def test_refuses_shapes_where_the_handler_would_run_in_other_cases() -> None:
    refused = (
        # a call runs before the attribute read: it may raise AttributeError itself, in another place
        "def f(o):\n    try:\n        return g(1)[o.a]\n    except AttributeError:\n        return 0\n",
        # the handler looks at the error
        "def f(o):\n    try:\n        return o.a\n    except AttributeError as e:\n        return str(e)\n",
        "def f(o):\n    try:\n        return o.a\n    except AttributeError:\n        log()\n        raise\n",
        # does not catch AttributeError
        "def f(o):\n    try:\n        return o.a\n    except KeyError:\n        return 0\n",
        # a user class named like the builtin
        "class AttributeError(Exception):\n    pass\n"
        "def f(o):\n    try:\n        return o.a\n    except AttributeError:\n        return 0\n",
        # else / finally, two handlers
        "def f(o):\n    try:\n        x = o.a\n    except AttributeError:\n        x = 0\n    else:\n        x += 1\n"
        "    return x\n",
        "def f(o):\n    try:\n        return o.a\n    except AttributeError:\n        return 0\n    finally:\n"
        "        pass\n",
        "def f(o):\n    try:\n        return o.a\n    except AttributeError:\n        return 0\n"
        "    except KeyError:\n        return 1\n",
        # a name-mangled attribute: getattr would look up the unmangled name
        "class C:\n    def f(self):\n        try:\n            return self.__a\n        except AttributeError:\n"
        "            return 0\n",
        # a module's attribute (typing.cast): not the kind of read that goes missing
        "import typing\ndef f(o):\n    try:\n        return typing.cast(int, o).read()\n    except AttributeError:\n"
        "        return 0\n",
        # the receiver's own attribute (isodate Duration.__add__: Duration(years=self.years, ...))
        "class C:\n    def f(self, o):\n        try:\n            return D(years=self.years) + o\n"
        "        except AttributeError:\n            return 0\n",
        # getattr shadowed
        "getattr = None\ndef f(o):\n    try:\n        return o.a\n    except AttributeError:\n        return 0\n",
    )
    for source in refused:
        qualname = "C.f" if "class C" in source else "f"
        assert apply("OPT036", source, qualname) is None, source


def test_trap_a_handler_that_re_raises_keeps_the_original() -> None:
    """Re-raising from the handler needs the caught error: the rewrite would raise a bare `raise`
    outside any handler (RuntimeError) on a miss; the rule leaves such code alone."""
    source = "def f(o):\n    try:\n        return o.a\n    except AttributeError:\n        raise\n"
    assert apply("OPT036", source, "f") is None
