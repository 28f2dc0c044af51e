"""A cheap look at the target's code before a rule pays for a whole-file analysis."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from optiagent.domain.targets import PROGRAM_QUALNAME
from optiagent.rewrite.catalogue.regions import target_qualnames
from optiagent.rewrite.locate import find_function


class _Finder(cst.CSTVisitor):
    def __init__(self, predicate: Callable[[cst.CSTNode], bool]) -> None:
        self.predicate = predicate
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.found or self.predicate(node):
            self.found = True
            return False
        return True


def regions_contain(module: cst.Module, qualname: str, predicate: Callable[[cst.CSTNode], bool]) -> bool:
    """Whether any node of the target or its direct helpers (the code a rule may rewrite) satisfies
    `predicate`."""
    finder = _Finder(predicate)
    for region in target_qualnames(module, qualname):
        node = module if region == PROGRAM_QUALNAME else find_function(module, region)
        if node is not None:
            node.visit(finder)
        if finder.found:
            return True
    return False
