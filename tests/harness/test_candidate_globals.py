"""A candidate's methods run on the candidate module's globals, even those whose code it left as
it was: what a call leaves in the globals is compared per module instance (differential.py), so a
method sharing the original's globals would write where the candidate's state is never read.

PLY's `call_errorfunc` binds module globals to bound methods of the parser and leaves them bound
when the error function raises (pycparser's does): its `LRParser.parse`, unchanged, wrote them
into the original module and the original's own text failed its self-check."""

from __future__ import annotations

import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.harness.differential import Differential, Mismatch, OriginalRuns
from optiagent.harness.inputs import CapturedCall
from optiagent.harness.loading import load_candidate, resolve

PARSER = textwrap.dedent(
    """
    _errok = None
    _restart = None


    def call_errorfunc(errorfunc, token, parser):
        global _errok, _restart
        _errok = parser.errok
        _restart = parser.restart
        result = errorfunc(token)
        del _errok, _restart
        return result


    def normalize(token):
        return token.lower()


    def refuse(token):
        raise SyntaxError(f"unexpected {token!r}")


    class Parser:
        def __init__(self):
            self.seen = []

        def errok(self):
            self.seen.clear()

        def restart(self):
            self.seen = []

        def parse(self, text):
            for token in text.split():
                self.seen.append(normalize(token))
                if not token.isalpha():
                    return call_errorfunc(refuse, token, self)
            return len(self.seen)
    """
)

# Binds the other method: the globals it leaves behind differ, whatever the result.
SWAPPED = PARSER.replace("_errok = parser.errok", "_errok = parser.restart")

# Changes only a module-level function the unchanged method calls: the method must call it.
SHOUTING = PARSER.replace("return token.lower()", "return token.upper()")


@pytest.fixture
def module_path(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "plyish_mod.py"
    path.write_text(PARSER)
    sys.path.insert(0, str(tmp_path))
    try:
        yield path
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("plyish_mod", None)


def _differential(path: Path, candidate: str) -> tuple[Differential, types.ModuleType]:
    job = {
        "module_name": "plyish_mod",
        "base_dir": str(path.parent),
        "original_file": str(path),
        "qualname": "Parser.parse",
    }
    runs = OriginalRuns.load(job)
    return Differential(job, runs, candidate), runs.module


def test_the_original_leaving_globals_bound_to_its_receiver_agrees_with_itself(module_path: Path) -> None:
    """The self-check of a method that binds globals to its receiver's methods and then raises."""
    differential, original = _differential(module_path, PARSER)
    for text in ("ok fine 8 more", "12", "a b c"):
        receiver = original.Parser()
        receiver.seen.append("earlier")
        assert differential.compare(CapturedCall((receiver, text), {}), "captured")


def test_a_candidate_leaving_other_globals_is_still_rejected(module_path: Path) -> None:
    """Same result, same exception, but `_errok` bound to another method: a mismatch."""
    differential, original = _differential(module_path, SWAPPED)
    with pytest.raises(Mismatch, match=r"module-global state differs after the call \(_errok\)"):
        differential.compare(CapturedCall((original.Parser(), "ok 8"), {}), "captured")


def test_a_candidate_changing_what_an_unchanged_method_calls_is_rejected(module_path: Path) -> None:
    """The method's globals are the candidate's: it calls the candidate's `normalize` (which
    changes what the receiver keeps), not the original's."""
    differential, original = _differential(module_path, SHOUTING)
    with pytest.raises(Mismatch):
        differential.compare(CapturedCall((original.Parser(), "Ok fine"), {}), "captured")


def test_an_unchanged_method_writes_the_candidates_globals(module_path: Path) -> None:
    """The candidate's run leaves the original module's globals as they were."""
    import plyish_mod  # type: ignore[import-not-found]

    twin = load_candidate(plyish_mod, PARSER)
    with pytest.raises(SyntaxError):
        resolve(twin, "Parser.parse")(plyish_mod.Parser(), "ok 8")
    assert plyish_mod._errok is None
    assert isinstance(twin._errok, types.MethodType) and twin._errok.__func__.__name__ == "errok"
