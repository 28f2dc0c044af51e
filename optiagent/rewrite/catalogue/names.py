"""Name bookkeeping for rewrites: which identifiers a tree uses and fresh ones that do not clash."""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.module_facts import once_per_module


class _IdentifierCollector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def identifiers(node: cst.CSTNode) -> set[str]:
    """Every identifier spelled anywhere in `node` (variables, attributes, keywords, defs)."""
    return set(_identifiers(node))


@once_per_module
def _identifiers(node: cst.CSTNode) -> frozenset[str]:
    collector = _IdentifierCollector()
    node.visit(collector)
    return frozenset(collector.names)


class _ReadCollector(cst.CSTVisitor):
    """Names used as variables: skips attribute names, keyword-argument names and import aliases."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False


def variable_uses(node: cst.CSTNode) -> list[str]:
    """Every occurrence of a name used as a variable in `node` (reads and writes, in order)."""
    return list(_variable_uses(node))


@once_per_module
def _variable_uses(node: cst.CSTNode) -> tuple[str, ...]:
    collector = _ReadCollector()
    node.visit(collector)
    return tuple(collector.names)


def mentions(node: cst.CSTNode, name: str) -> bool:
    """Whether `name` occurs as a variable anywhere in `node`."""
    return name in variable_uses(node)


def fresh_name(base: str, taken: set[str]) -> str:
    """`base` or `base_2`, `base_3`... whichever is not in `taken`; the result is added to `taken`."""
    candidate = base
    counter = 2
    while candidate in taken:
        candidate = f"{base}_{counter}"
        counter += 1
    taken.add(candidate)
    return candidate


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a chain of attribute accesses on a plain name, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def call_name(node: cst.CSTNode) -> str | None:
    """The dotted name of the function a call invokes (`re.match`, `len`), else None."""
    if isinstance(node, cst.Call):
        return dotted_name(node.func)
    return None


def variable_names(module: cst.Module) -> set[str]:
    """Names a new local could clash with: variables, defs, parameters and imported names (not attributes)."""
    taken = set(variable_uses(module))
    for alias in _ImportedNames.collect(module):
        taken.add(alias)
    return taken


class _ImportedNames(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    @classmethod
    def collect(cls, module: cst.Module) -> frozenset[str]:
        return _imported_names(module)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        self.names.add((node.evaluated_alias or node.evaluated_name).split(".")[0])


@once_per_module
def _imported_names(module: cst.CSTNode) -> frozenset[str]:
    collector = _ImportedNames()
    module.visit(collector)
    return frozenset(collector.names)
