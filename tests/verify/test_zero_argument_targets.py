"""Functions taking no arguments (humanize's `get_translation`, a table built from module
constants) are captured as empty calls and checked on them: each agrees with itself, results
made by two module instances compared by state (issue 11). Wrong ones: tests/traps/test_target_kinds.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.verdicts import Equivalent

from .workload_capture import capture, check_captured, write_project

I18N = """
import gettext
import threading

WORDS = ("one", "two", "three", "four")
_TRANSLATIONS = {None: gettext.NullTranslations()}
_CURRENT = threading.local()


def get_translation():
    try:
        return _TRANSLATIONS[_CURRENT.locale]
    except (AttributeError, KeyError):
        return _TRANSLATIONS[None]


def banner():
    return " ".join(word.upper() for word in WORDS)


def gettext_(message):
    return get_translation().gettext(message)
"""

BENCH = """
from pkg.i18n import banner, gettext_

for word in ("a", "b", "c"):
    print(gettext_(word), banner())
"""

FILES = {"pkg/__init__.py": "", "pkg/i18n.py": I18N, "bench.py": BENCH}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, object]]]:
    root = tmp_path_factory.mktemp("i18n") / "repo"
    write_project(root, FILES)
    yield root, capture(root, "bench.py")


@pytest.mark.parametrize("qualname", ["get_translation", "banner"])
def test_a_function_of_no_arguments_agrees_with_itself(
    project: tuple[Path, dict[str, object]], qualname: str
) -> None:
    """Its empty calls were captured; the original checked against itself is equivalent."""
    root, index = project
    entry = index[f"pkg/i18n.py::{qualname}"]
    assert isinstance(entry, dict) and entry["captured"] == 3 and entry["shapes"] == []
    box = LocalSandbox()
    try:
        [outcome] = check_captured(box, root, f"pkg/i18n.py::{qualname}", index, [I18N], self_check=True)
    finally:
        box.close()
    assert outcome.self_check == "equivalent", outcome.self_check
    assert isinstance(outcome.verdict, Equivalent) and outcome.verdict.checked == {"captured": 3}
