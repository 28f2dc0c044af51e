"""A Markdown-like package run through the real capture and check harnesses: name-mangled private
methods, receivers holding modules, lambdas and back references, ElementTree results and
receivers (issue 11, failure case 7)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.verdicts import Equivalent, Mismatch
from optiagent.ports.sandbox import SandboxLimits, SandboxStatus
from optiagent.verify.jobs import RESULT_FILE, timing_job

from .workload_capture import capture, check_captured, target_and_evidence, write_project

UTIL = '''
STX = "\\u0002"
ETX = "\\u0003"
INLINE_PLACEHOLDER = STX + "klzzwxh:%s" + ETX


class Registry:
    """Named items in priority order (no value equality: compared by identity)."""

    def __init__(self):
        self._data = {}
        self._priority = []

    def register(self, item, name, priority):
        self._data[name] = item
        self._priority.append((name, priority))
        self._priority.sort(key=lambda entry: -entry[1])

    def __iter__(self):
        return iter([self._data[name] for name, _ in self._priority])

    def __len__(self):
        return len(self._data)
'''

INLINEPATTERNS = """
import re
import xml.etree.ElementTree as etree


class InlineProcessor:
    def __init__(self, pattern, md=None):
        self.pattern = pattern
        self.compiled_re = re.compile(pattern, re.DOTALL | re.UNICODE)
        self.md = md
        self.unescape = lambda text: text.replace("\\\\\\\\", "\\\\")

    def handleMatch(self, m, data):
        raise NotImplementedError


class SimpleTagInlineProcessor(InlineProcessor):
    def __init__(self, pattern, tag, md=None):
        super().__init__(pattern, md)
        self.tag = tag

    def handleMatch(self, m, data):
        el = etree.Element(self.tag)
        el.text = self.unescape(m.group(2))
        return el, m.start(0), m.end(0)
"""

TREEPROCESSORS = """
import xml.etree.ElementTree as etree

from . import util


class Treeprocessor:
    def __init__(self, md=None):
        self.md = md


class InlineProcessor(Treeprocessor):
    def __init__(self, md):
        self.md = md
        self.util = util
        self.inlinePatterns = md.inlinePatterns
        self.stashed_nodes = {}
        self.__placeholder_prefix = util.INLINE_PLACEHOLDER[:4]

    def __makePlaceholder(self, kind):
        index = str(len(self.stashed_nodes))
        return util.INLINE_PLACEHOLDER % index, index

    def __stashNode(self, node, kind):
        placeholder, index = self.__makePlaceholder(kind)
        self.stashed_nodes[index] = node
        return placeholder

    def __applyPattern(self, pattern, data, startIndex):
        match = pattern.compiled_re.search(data, startIndex)
        if match is None:
            return data, False, 0
        node, start, end = pattern.handleMatch(match, data)
        placeholder = self.__stashNode(node, pattern.tag)
        return data[:start] + placeholder + data[end:], True, start + len(placeholder)

    def __handleInline(self, data, patternIndex=0):
        patterns = list(self.inlinePatterns)
        while patternIndex < len(patterns):
            startIndex = 0
            matched = True
            while matched:
                data, matched, startIndex = self.__applyPattern(patterns[patternIndex], data, startIndex)
            patternIndex += 1
        return data

    def run(self, root):
        self.stashed_nodes = {}
        for element in list(root.iter()):
            if element.text:
                element.text = self.__handleInline(element.text)
        return root
"""

CORE = """
import xml.etree.ElementTree as etree

from . import inlinepatterns, treeprocessors, util


def serialize(root):
    return etree.tostring(root, encoding="unicode")


class Markdown:
    def __init__(self):
        self.inlinePatterns = util.Registry()
        self.inlinePatterns.register(
            inlinepatterns.SimpleTagInlineProcessor(r"(\\\\*\\\\*)(.+?)\\\\*\\\\*", "strong", self), "strong", 60
        )
        self.inlinePatterns.register(
            inlinepatterns.SimpleTagInlineProcessor(r"(`)(.+?)`", "code", self), "backtick", 90
        )
        self.treeprocessors = util.Registry()
        self.treeprocessors.register(treeprocessors.InlineProcessor(self), "inline", 20)
        self.serializer = serialize
        self.output_formats = {"html": serialize}

    def convert(self, text):
        root = etree.Element("div")
        for block in text.split("\\\\n\\\\n"):
            etree.SubElement(root, "p").text = block
        for processor in self.treeprocessors:
            root = processor.run(root)
        return self.serializer(root)
"""

BENCH = """
from mdlite.core import Markdown

md = Markdown()
for i in range(30):
    text = "\\\\n\\\\n".join(f"para {j} with **bold {i}** and `code {j}` and **more**" for j in range(4))
    print(len(md.convert(text)))
"""

FILES = {
    "mdlite/__init__.py": "",
    "mdlite/util.py": UTIL,
    "mdlite/inlinepatterns.py": INLINEPATTERNS,
    "mdlite/treeprocessors.py": TREEPROCESSORS,
    "mdlite/core.py": CORE,
    "bench.py": BENCH,
}

HANDLE_INLINE = "mdlite/treeprocessors.py::InlineProcessor.__handleInline"
HANDLE_MATCH = "mdlite/inlinepatterns.py::SimpleTagInlineProcessor.handleMatch"

# Faster: the registry is listed once per call either way; the inner loop keeps the bound method.
FASTER_HANDLE_INLINE = TREEPROCESSORS.replace(
    """        while patternIndex < len(patterns):
            startIndex = 0
            matched = True
            while matched:
                data, matched, startIndex = self.__applyPattern(patterns[patternIndex], data, startIndex)
            patternIndex += 1
        return data""",
    """        apply = self.__applyPattern
        for pattern in patterns[patternIndex:]:
            startIndex = 0
            matched = True
            while matched:
                data, matched, startIndex = apply(pattern, data, startIndex)
        return data""",
)

WRONG_ORDER = TREEPROCESSORS.replace(
    "patterns = list(self.inlinePatterns)", "patterns = list(self.inlinePatterns)[::-1]"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    root = tmp_path_factory.mktemp("mdlite") / "repo"
    write_project(root, FILES)
    yield root, capture(root, "bench.py")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[LocalSandbox]:
    box = LocalSandbox()
    yield box
    box.close()


def test_private_method_calls_are_captured_under_the_discovery_name(
    project: tuple[Path, dict[str, Any]],
) -> None:
    """`InlineProcessor.__handleInline` is wrapped, and its receivers (modules, lambdas, cycles) are kept."""
    _, index = project
    entry = index[HANDLE_INLINE]
    assert entry["calls"] == 120
    assert entry["captured"] > 0 and entry["skipped"] == 0, entry.get("problem")


def test_private_method_is_checked_and_its_original_is_equivalent_to_itself(
    project: tuple[Path, dict[str, Any]], sandbox: LocalSandbox
) -> None:
    """The mangled method resolves; the original, a correct rewrite and a wrong one get the right verdicts."""
    root, index = project
    itself, faster, wrong = check_captured(
        sandbox, root, HANDLE_INLINE, index, [TREEPROCESSORS, FASTER_HANDLE_INLINE, WRONG_ORDER]
    )
    assert isinstance(itself.verdict, Equivalent), itself.verdict
    assert itself.verdict.checked.get("captured", 0) > 0
    assert isinstance(faster.verdict, Equivalent), faster.verdict
    assert isinstance(wrong.verdict, Mismatch), wrong.verdict
    # The benchmark harness takes the same receivers (modules and lambdas in them) and times them.
    target, evidence = target_and_evidence(root, HANDLE_INLINE, index)
    job = timing_job(target, evidence, FASTER_HANDLE_INLINE, faster.bench_inputs, 1, SandboxLimits())
    timed = sandbox.run(job)
    assert timed.status is SandboxStatus.OK, timed.stderr
    assert "seconds" in json.loads(timed.files[RESULT_FILE]), timed.files[RESULT_FILE]


def test_a_method_returning_elements_is_deterministic_and_equivalent_to_itself(
    project: tuple[Path, dict[str, Any]], sandbox: LocalSandbox
) -> None:
    """handleMatch returns an ElementTree element from a receiver with a back reference: never
    called nondeterministic; a candidate that builds a different element is rejected."""
    root, index = project
    assert index[HANDLE_MATCH]["captured"] > 0, index[HANDLE_MATCH].get("problem")
    other_tag = INLINEPATTERNS.replace("el = etree.Element(self.tag)", "el = etree.Element(self.tag.upper())")
    itself, wrong = check_captured(sandbox, root, HANDLE_MATCH, index, [INLINEPATTERNS, other_tag])
    assert isinstance(itself.verdict, Equivalent), itself.verdict
    assert isinstance(wrong.verdict, Mismatch), wrong.verdict
