"""OPT037: a lookup table of literals built on every call (`exponents = {"0": "⁰", "1": "¹", ...}`) and
only read -> one module-level dict built once.

    def scientific(value):                     _EXPONENTS = {"0": "⁰", "1": "¹", "-": "⁻"}
        exponents = {"0": "⁰", "1": "¹", ...}
        ...                                     def scientific(value):
        return "".join(exponents[c] for c in s)     exponents = _EXPONENTS
                                                    ...

A dict display of n constants is n+1 loads and a map build on every call; the shared table is one global
load. Sharing one dict across calls is visible only to code that changes it, keeps it, or compares it by
identity: the rule allows none of those.

Preconditions (checked, else no rewrite): the display's keys and values are all constants (str, bytes,
numbers, None, True, False: immutable, so no call can change what a shared table holds); the name is bound
exactly once in the whole function, nested scopes included (no `global`/`nonlocal`, no second assignment,
no parameter of that name); every read of the name is `name[key]` (a load, not a store or `del`),
`key in name` / `not in`, `name.get(...)`, `name.keys()`, `.values()`, `.items()`, `len(name)` (`len` bound
nowhere in the file) or iterating `for x in name` / in a comprehension: nothing that can store the table,
pass it on, mutate it or look at its identity.

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
1,011.5 us -> 830.0 us, 1.22x (an 11-entry digit table; the rest of the call is the join).
"""

from __future__ import annotations

import ast

import libcst as cst

from optiagent.rewrite.catalogue.base import Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.bindings import binding_counts, module_binding_counts
from optiagent.rewrite.catalogue.count_dict import code
from optiagent.rewrite.catalogue.imports import insert_after_imports
from optiagent.rewrite.catalogue.names import fresh_name, identifiers
from optiagent.rewrite.catalogue.prefilter import regions_contain
from optiagent.rewrite.catalogue.regions import ChangeTracker, transform_regions

MIN_ENTRIES = 3  # a smaller table costs about as little to build as a global load
_READ_METHODS = frozenset({"get", "keys", "values", "items"})


def _constant_dict(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Dict)
        and len(node.keys) >= MIN_ENTRIES
        and all(isinstance(key, ast.Constant) for key in node.keys)  # a `**mapping` entry has key None
        and all(isinstance(value, ast.Constant) for value in node.values)
    )


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def _only_read(node: ast.Name, parents: dict[int, ast.AST], len_is_builtin: bool) -> bool:
    """Whether this load of the table only reads it (see the module docstring for the list)."""
    parent = parents.get(id(node))
    if isinstance(parent, ast.Subscript):
        return parent.value is node and isinstance(parent.ctx, ast.Load)
    if isinstance(parent, ast.Compare):
        return any(
            comparator is node and isinstance(op, (ast.In, ast.NotIn))
            for op, comparator in zip(parent.ops, parent.comparators, strict=True)
        )
    if isinstance(parent, ast.Attribute):
        call = parents.get(id(parent))
        return parent.attr in _READ_METHODS and isinstance(call, ast.Call) and call.func is parent
    if isinstance(parent, ast.Call):
        return (
            len_is_builtin
            and isinstance(parent.func, ast.Name)
            and parent.func.id == "len"
            and parent.args == [node]
            and not parent.keywords
        )
    if isinstance(parent, (ast.For, ast.comprehension)):
        return parent.iter is node
    return False


def shared_tables(function: cst.FunctionDef, len_is_builtin: bool) -> set[str]:
    """Names of the constant tables in `function` that can be shared across calls."""
    tree = ast.parse(cst.Module(body=[function]).code)
    counts = binding_counts(tree)
    tables = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and _constant_dict(node.value)
        for target in node.targets
        if isinstance(target, ast.Name) and counts[target.id] == 1
    }
    if not tables:
        return set()
    parents = _parents(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Name)
            and node.id in tables
            and isinstance(node.ctx, ast.Load)
            and not _only_read(node, parents, len_is_builtin)
        ):
            tables.discard(node.id)
    return tables


def _has_constant_dict(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Assign)
        and isinstance(node.value, cst.Dict)
        and len(node.value.elements) >= MIN_ENTRIES
    )


class _TableTransformer(ChangeTracker):
    def __init__(self, len_is_builtin: bool, taken: set[str], constants: list[tuple[str, str]]) -> None:
        super().__init__()
        self.len_is_builtin = len_is_builtin
        self.taken = taken
        self.constants = constants  # (constant name, dict source), in order
        self.tables: set[str] | None = None  # decided on the region's own function

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.tables is None:
            self.tables = shared_tables(node, self.len_is_builtin)

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        if not self.tables or len(updated_node.targets) != 1 or not isinstance(updated_node.value, cst.Dict):
            return updated_node
        target = updated_node.targets[0].target
        if not isinstance(target, cst.Name) or target.value not in self.tables:
            return updated_node
        constant = fresh_name(f"_{target.value.upper()}", self.taken)
        self.constants.append((constant, code(updated_node.value)))
        self.changed = True
        return updated_node.with_changes(value=cst.Name(constant))


class ConstantTableRule:
    info = RuleInfo(
        id="OPT037",
        title="lookup table of constants built on every call",
        explanation="table = {'a': 1, 'b': 2, ...} in a function, only read -> one module-level dict",
        preconditions=(
            Precondition("keys and values are constants (immutable)", Discharge.STATIC),
            Precondition(
                "the table is only read: indexed, tested with `in`, .get/.keys/.values/.items, len, iterated",
                Discharge.STATIC,
            ),
            Precondition("the name is bound once in the function, in no other scope", Discharge.STATIC),
        ),
    )

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        if not regions_contain(module, qualname, _has_constant_dict):
            return None
        len_is_builtin = module_binding_counts(module)["len"] == 0
        taken = identifiers(module)
        constants: list[tuple[str, str]] = []
        result = transform_regions(
            module, qualname, lambda m: _TableTransformer(len_is_builtin, taken, constants)
        )
        if result is None:
            return None
        statements: list[cst.BaseStatement] = [
            cst.parse_statement(f"{name} = {source}\n") for name, source in constants
        ]
        return insert_after_imports(result, statements)
