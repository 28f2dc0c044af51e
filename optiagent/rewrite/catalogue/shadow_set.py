"""OPT027: a list that grows inside a loop and is tested for membership ("seen" lists).

`seen = []; for x in xs: if x not in seen: seen.append(x)` is quadratic: each test scans the
list. The rewrite keeps the list (its order and any later use stay exactly as they were) and
maintains a set beside it: `seen_set = set()` after every `seen = []`, `seen_set.add(seen[-1])`
after every `seen.append(...)` (so the appended expression is still evaluated once), and
membership tests read the set.

Preconditions: in the function (nested scopes excluded, and the name unused in them) the name is
only ever bound to `[]`; it only grows through `append` statements; every other use reads it
without mutating or aliasing it (membership, iteration, indexing, `len`/`sorted`/... builtins,
`index`/`count`/`copy`, `return`); at least one membership test sits in a loop. Unhashable
elements make the set raise TypeError where the list did not: validation rejects that candidate.

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
8,888.6 us -> 157.6 us, 56.40x.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from optiagent.rewrite.catalogue.base import CONSISTENT_HASH, HASHABLE, Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.names import identifiers
from optiagent.rewrite.catalogue.regions import target_qualnames
from optiagent.rewrite.locate import find_function, replace_function

_READERS = frozenset(
    {
        "len",
        "sorted",
        "list",
        "tuple",
        "set",
        "frozenset",
        "print",
        "sum",
        "min",
        "max",
        "any",
        "all",
        "enumerate",
        "reversed",
        "iter",
        "str",
        "repr",
        "bool",
        "zip",
        "map",
        "filter",
    }
)
_READ_METHODS = frozenset({"index", "count", "copy"})
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_LOOPS = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _is_empty_list(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.List) and not node.elements


def _append_target(statement: cst.BaseSmallStatement) -> str | None:
    """`NAME.append(one_arg)` as a whole statement: NAME."""
    if not isinstance(statement, cst.Expr) or not isinstance(statement.value, cst.Call):
        return None
    call = statement.value
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.attr.value == "append"
        and len(call.args) == 1
        and call.args[0].star == ""
        and call.args[0].keyword is None
    ):
        return func.value.value
    return None


class _Uses(cst.CSTVisitor):
    """Classifies every occurrence of every name in one function body (nested scopes apart)."""

    def __init__(self) -> None:
        self.stack: list[cst.CSTNode] = []
        self.loop_depth = 0
        self.scope_depth = 0
        self.empty_binds: dict[str, int] = {}
        self.appends: dict[str, int] = {}
        self.tests_in_loop: set[str] = set()
        self.bad: set[str] = set()
        self.in_nested_scope: set[str] = set()
        self.safe_nodes: set[int] = set()  # ids of Name nodes already classified as safe

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _SCOPES) and self.stack:
            self.scope_depth += 1
        if isinstance(node, _LOOPS):
            self.loop_depth += 1
        self._classify(node)
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()
        if isinstance(original_node, _SCOPES) and self.stack:
            self.scope_depth -= 1
        if isinstance(original_node, _LOOPS):
            self.loop_depth -= 1

    def _safe(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Name):
            self.safe_nodes.add(id(node))

    def _classify(self, node: cst.CSTNode) -> None:
        if self.scope_depth:
            if isinstance(node, cst.Name):
                self.in_nested_scope.add(node.value)
            return
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    name = target.target.value
                    if len(node.targets) == 1 and _is_empty_list(node.value):
                        self.empty_binds[name] = self.empty_binds.get(name, 0) + 1
                        self._safe(target.target)
                    else:
                        self.bad.add(name)
        elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
            if _is_empty_list(node.value):
                self.empty_binds[node.target.value] = self.empty_binds.get(node.target.value, 0) + 1
                self._safe(node.target)
            else:
                self.bad.add(node.target.value)
        elif isinstance(node, cst.Expr):
            appended = _append_target(node)
            if appended is not None:
                self.appends[appended] = self.appends.get(appended, 0) + 1
                call = node.value
                assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
                self._safe(call.func.value)
        elif isinstance(node, cst.ComparisonTarget):
            parent = self.stack[-1] if self.stack else None
            last = isinstance(parent, cst.Comparison) and parent.comparisons[-1] is node
            # not last in a chain (`x in seen == s`): the list itself is compared too, a plain use
            if (
                last
                and isinstance(node.operator, cst.In | cst.NotIn)
                and isinstance(node.comparator, cst.Name)
            ):
                self._safe(node.comparator)
                if self.loop_depth:
                    self.tests_in_loop.add(node.comparator.value)
        elif isinstance(node, cst.Call):
            self._classify_call(node)
        elif isinstance(node, cst.For | cst.CompFor):
            self._safe(node.iter)
        elif isinstance(node, cst.Return) and node.value is not None:
            self._safe(node.value)
        elif isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name):
            parent = self.stack[-1] if self.stack else None
            if not isinstance(parent, cst.AssignTarget | cst.Del | cst.AugAssign):
                self._safe(node.value)
        elif isinstance(node, cst.Name) and id(node) not in self.safe_nodes:
            self.bad.add(node.value)

    def _classify_call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name) and func.value in _READERS:
            for arg in node.args:
                self._safe(arg.value)
        elif (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.attr.value in _READ_METHODS
        ):
            self._safe(func.value)


def _shadowable(function: cst.FunctionDef) -> list[str]:
    uses = _Uses()
    function.body.visit(uses)
    globals_ = {
        name.name.value
        for statement in _small_statements(function.body)
        if isinstance(statement, cst.Global | cst.Nonlocal)
        for name in statement.names
    }
    return sorted(
        name
        for name in uses.empty_binds
        if name in uses.appends
        and name in uses.tests_in_loop
        and name not in uses.bad | uses.in_nested_scope | globals_
    )


def _small_statements(node: cst.CSTNode) -> list[cst.BaseSmallStatement]:
    found: list[cst.BaseSmallStatement] = []

    class _Collect(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, line: cst.SimpleStatementLine) -> None:
            found.extend(line.body)

    node.visit(_Collect())
    return found


class _ShadowSetTransformer(cst.CSTTransformer):
    def __init__(self, sets: dict[str, str]) -> None:
        super().__init__()
        self.sets = sets
        self.scope_depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.scope_depth += 1
        return True

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.scope_depth -= 1
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def leave_Comparison(self, original_node: cst.Comparison, updated_node: cst.Comparison) -> cst.Comparison:
        # only the last comparator: in `x in seen == s` the list is also compared with s, and keeps that
        last = updated_node.comparisons[-1]
        comparator = last.comparator
        if (
            self.scope_depth == 1
            and isinstance(last.operator, cst.In | cst.NotIn)
            and isinstance(comparator, cst.Name)
            and comparator.value in self.sets
        ):
            replaced = last.with_changes(comparator=cst.Name(self.sets[comparator.value]))
            return updated_node.with_changes(comparisons=[*updated_node.comparisons[:-1], replaced])
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
        if self.scope_depth != 1:
            return updated_node
        extra: list[cst.BaseSmallStatement] = []
        for statement in updated_node.body:
            extra.extend(self._companions(statement))
        if not extra:
            return updated_node
        followers = [cst.SimpleStatementLine(body=[statement]) for statement in extra]
        return cst.FlattenSentinel([updated_node, *followers])

    def _companions(self, statement: cst.BaseSmallStatement) -> Sequence[cst.BaseSmallStatement]:
        bound = None
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
            target = statement.targets[0].target
            bound = target.value if isinstance(target, cst.Name) else None
        elif isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
            bound = statement.target.value
        if bound is not None and bound in self.sets:
            return [_small(f"{self.sets[bound]} = set()")]
        appended = _append_target(statement)
        if appended is not None and appended in self.sets:
            return [_small(f"{self.sets[appended]}.add({appended}[-1])")]
        return []


def _small(code: str) -> cst.BaseSmallStatement:
    line = cst.ensure_type(cst.parse_statement(code + "\n"), cst.SimpleStatementLine)
    return line.body[0]


def _fresh(name: str, taken: set[str]) -> str:
    candidate, counter = f"{name}_set", 2
    while candidate in taken:
        candidate, counter = f"{name}_set{counter}", counter + 1
    taken.add(candidate)
    return candidate


class ShadowSetRule:
    info = RuleInfo(
        id="OPT027",
        title="membership test on a list that grows in a loop",
        explanation="growing 'seen' list tested in a loop -> a set kept beside it",
        preconditions=(
            Precondition(HASHABLE, Discharge.TESTED),
            Precondition(CONSISTENT_HASH, Discharge.TESTED),
            Precondition("the list only grows through append", Discharge.STATIC),
        ),
    )

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        taken = identifiers(module)
        changed = False
        for region in target_qualnames(module, qualname):
            function = find_function(module, region)
            if function is None:
                continue
            names = _shadowable(function)
            if not names:
                continue
            sets = {name: _fresh(name, taken) for name in names}
            new_function = function.visit(_ShadowSetTransformer(sets))
            if isinstance(new_function, cst.FunctionDef):
                module = replace_function(module, region, function, new_function)
                changed = True
        return module if changed else None
