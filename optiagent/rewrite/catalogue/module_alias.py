"""Whether a name means one imported module everywhere in a file, so `name.attr` can be evaluated early."""

from __future__ import annotations

from collections import Counter

import libcst as cst

from optiagent.rewrite.catalogue.imports import imports_module
from optiagent.rewrite.catalogue.module_facts import once_per_module

_STAR = "*"


class _NameUses(cst.CSTVisitor):
    """Counts each name's occurrences other than as the base of `name.attr`, as an attribute name or
    as a keyword name (imports count the name they bind; a star import counts as `*`)."""

    def __init__(self) -> None:
        self.uses: Counter[str] = Counter()

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if not isinstance(node.value, cst.Name):
            node.value.visit(self)
        return False  # `.attr` is never a variable, and `name.attr` only reads the name

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)  # the keyword of `f(re=1)` is no variable
        return False

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        self.uses[node.evaluated_alias or node.evaluated_name.split(".")[0]] += 1
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if isinstance(node.names, cst.ImportStar):  # may bind any name
            self.uses[_STAR] += 1
            return False
        for alias in node.names:  # `from re import x` does not bind `re`: only the aliases count
            alias.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.uses[node.value] += 1


@once_per_module
def _name_uses(module: cst.CSTNode) -> Counter[str]:
    uses = _NameUses()
    module.visit(uses)
    return uses.uses


def means_module_everywhere(module: cst.Module, name: str) -> bool:
    """True when the file does a top-level `import name` and `name` appears nowhere else but as
    `name.attr`: no parameter, local, loop variable, `global`, `del`, second import or bare use
    shadows or rebinds it, in any scope, and no star import could. Conservative: one unrelated
    local named `re` refuses."""
    if not imports_module(module, name):
        return False
    uses = _name_uses(module)
    return uses[name] == 1 and uses[_STAR] == 0  # the one `import name` itself
