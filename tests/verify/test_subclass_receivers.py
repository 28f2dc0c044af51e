"""A method of a base class captured on subclass instances (a chardet-style prober hierarchy) is
checked on the receiver's own class: subclass overrides kept, the candidate's module used for the
rest (issue 11, failure case 7)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.verdicts import Equivalent, Mismatch

from .workload_capture import capture, check_captured, write_project

CHARSETPROBER = '''
class ProbingState:
    DETECTING = 0
    FOUND_IT = 1
    NOT_ME = 2


class CharSetProber:
    SHORTCUT_THRESHOLD = 0.95

    def __init__(self):
        self._state = ProbingState.DETECTING
        self.active = True

    def reset(self):
        self._state = ProbingState.DETECTING

    @property
    def charset_name(self):
        raise NotImplementedError

    def feed(self, byte_str):
        raise NotImplementedError

    def get_confidence(self):
        return 0.0

    def feed_all(self, chunks):
        self.reset()
        for chunk in chunks:
            state = self.feed(chunk)
            if state == ProbingState.NOT_ME:
                break
        return self.charset_name, round(self.get_confidence(), 6)


class AsciiProber(CharSetProber):
    """A subclass in the target's own module."""

    def __init__(self):
        super().__init__()
        self._seen = 0

    def reset(self):
        super().reset()
        self._seen = 0

    @property
    def charset_name(self):
        return "ascii"

    def feed(self, byte_str):
        for byte in byte_str:
            if byte > 127:
                self._state = ProbingState.NOT_ME
                return self._state
        self._seen += len(byte_str)
        return self._state

    def get_confidence(self):
        return 0.01 if self._state == ProbingState.NOT_ME else 0.99
'''

LATIN1PROBER = '''
from .charsetprober import CharSetProber, ProbingState


class Latin1Prober(CharSetProber):
    """A subclass in another module, with __slots__-free state and super() calls."""

    def __init__(self):
        super().__init__()
        self._high = 0
        self._total = 0

    def reset(self):
        super().reset()
        self._high = 0
        self._total = 0

    @property
    def charset_name(self):
        return "ISO-8859-1"

    def feed(self, byte_str):
        self._high += sum(1 for byte in byte_str if byte > 127)
        self._total += len(byte_str)
        return self._state

    def get_confidence(self):
        if not self._total:
            return 0.0
        return 0.73 * (1 - self._high / self._total / 2)
'''

BENCH = """
import random

from probers.charsetprober import AsciiProber
from probers.latin1prober import Latin1Prober

random.seed(3)
probers = [Latin1Prober(), AsciiProber()]
for round_ in range(12):
    data = bytes(random.choice(b"abcdefgh \\xe9\\xe8") for _ in range(400 + round_ * 40))
    chunks = [data[i : i + 64] for i in range(0, len(data), 64)]
    for prober in probers:
        print(prober.feed_all(chunks))
"""

FILES = {
    "probers/__init__.py": "",
    "probers/charsetprober.py": CHARSETPROBER,
    "probers/latin1prober.py": LATIN1PROBER,
    "bench.py": BENCH,
}
FEED_ALL = "probers/charsetprober.py::CharSetProber.feed_all"

FASTER = CHARSETPROBER.replace(
    """        self.reset()
        for chunk in chunks:
            state = self.feed(chunk)
            if state == ProbingState.NOT_ME:
                break""",
    """        self.reset()
        feed, not_me = self.feed, ProbingState.NOT_ME
        for chunk in chunks:
            if feed(chunk) == not_me:
                break""",
)

# Also rewrites another method of the class (reset, reached from subclasses through super()) and
# adds a helper: both are used through the receiver.
WITH_A_CHANGED_HELPER = CHARSETPROBER.replace(
    """    def reset(self):
        self._state = ProbingState.DETECTING
""",
    """    def reset(self):
        self._state = 0  # ProbingState.DETECTING

    def _consume(self, chunks):
        for chunk in chunks:
            if self.feed(chunk) == ProbingState.NOT_ME:
                return
""",
).replace(
    """        for chunk in chunks:
            state = self.feed(chunk)
            if state == ProbingState.NOT_ME:
                break
        return self.charset_name""",
    """        self._consume(chunks)
        return self.charset_name""",
)

WRONG = CHARSETPROBER.replace("round(self.get_confidence(), 6)", "round(self.get_confidence() * 0.99, 6)")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    root = tmp_path_factory.mktemp("probers") / "repo"
    write_project(root, FILES)
    yield root, capture(root, "bench.py")


def test_base_method_on_subclass_receivers_keeps_their_overrides(
    project: tuple[Path, dict[str, Any]],
) -> None:
    """The original, a faster rewrite and one changing another method of the class are
    equivalent; a changed result is still rejected."""
    root, index = project
    assert index[FEED_ALL]["captured"] == 20
    box = LocalSandbox()
    try:
        outcomes = check_captured(
            box, root, FEED_ALL, index, [CHARSETPROBER, FASTER, WITH_A_CHANGED_HELPER, WRONG]
        )
    finally:
        box.close()
    itself, faster, helper, wrong = (outcome.verdict for outcome in outcomes)
    assert isinstance(itself, Equivalent), itself
    assert itself.checked["captured"] == 20
    assert isinstance(faster, Equivalent), faster
    assert isinstance(helper, Equivalent), helper
    assert isinstance(wrong, Mismatch), wrong
