"""OPT035: a list comprehension run only for its side effects (`[f(x) for x in xs]` as a statement)
-> the same loops as statements, and `setattr(o, "name", v)` in it -> `o.name = v`.

The comprehension builds a list of results (often of Nones) nobody reads; the loop does the same
calls in the same order without it. A literal `setattr` is an attribute store without a builtin
call. Found in real hot code: sqlparse's `TokenList.__init__` runs
`[setattr(token, 'parent', self) for token in self.tokens]` for every token list it builds.

Preconditions (checked, else no rewrite): the statement is the comprehension alone, inside a
function; no `async for` clause; its loop variables are used nowhere else in the function (the
loop binds them in the function's scope, the comprehension did not); `setattr` is the builtin (no
binding of it in the file), the name is an identifier literal that is not private (`__x` would be
name-mangled as an attribute), the object is a plain name and the value has no `:=` (a store
evaluates the value first, `setattr` the object first). Each result is dropped at once instead of
when the statement ends (assumed: no result's finalizer is timed by the caller).

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
2.6 us -> 1.3 us, 2.07x (a node adopting 40 children).
"""

from __future__ import annotations

import keyword

import libcst as cst

from optiagent.rewrite.catalogue.base import Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.bindings import module_binding_counts
from optiagent.rewrite.catalogue.names import variable_uses
from optiagent.rewrite.catalogue.prefilter import regions_contain
from optiagent.rewrite.catalogue.regions import ChangeTracker, transform_regions


def _literal_attribute(node: cst.BaseExpression) -> str | None:
    """`name` for a plain string literal holding a public or dunder identifier, else None."""
    if not isinstance(node, cst.SimpleString) or node.prefix.lower() not in ("", "r", "u"):
        return None
    value = node.evaluated_value
    if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
        return None
    if value.startswith("__") and not value.endswith("__"):
        return None  # `o.__x` inside a class means `o._Class__x`
    return value


class _HasWalrus(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.found = True


def _statement_for(element: cst.BaseExpression, setattr_is_builtin: bool) -> cst.BaseSmallStatement:
    """`o.name = v` for a literal setattr whose object is a name, else the element as a statement."""
    if (
        setattr_is_builtin
        and isinstance(element, cst.Call)
        and isinstance(element.func, cst.Name)
        and element.func.value == "setattr"
        and len(element.args) == 3
        and all(arg.keyword is None and not arg.star for arg in element.args)
    ):
        owner, name, value = (arg.value for arg in element.args)
        attribute = _literal_attribute(name)
        walrus = _HasWalrus()
        value.visit(walrus)
        if attribute is not None and isinstance(owner, cst.Name) and not walrus.found:
            target = cst.Attribute(value=owner.with_changes(lpar=[], rpar=[]), attr=cst.Name(attribute))
            return cst.Assign(targets=[cst.AssignTarget(target)], value=value.with_changes(lpar=[], rpar=[]))
    return cst.Expr(element.with_changes(lpar=[], rpar=[]))


def _loops(comprehension: cst.ListComp, setattr_is_builtin: bool) -> cst.BaseStatement:
    """The comprehension's `for` and `if` clauses as nested statements around its element."""
    body: cst.BaseStatement = cst.SimpleStatementLine([_statement_for(comprehension.elt, setattr_is_builtin)])
    clauses: list[cst.CompFor] = []
    clause: cst.CompFor | None = comprehension.for_in
    while clause is not None:
        clauses.append(clause)
        clause = clause.inner_for_in
    for clause in reversed(clauses):
        for condition in reversed(clause.ifs):
            body = cst.If(test=condition.test, body=cst.IndentedBlock([body]))
        body = cst.For(target=clause.target, iter=clause.iter, body=cst.IndentedBlock([body]))
    return body


def _loop_variables(comprehension: cst.ListComp) -> list[str]:
    names: list[str] = []
    clause: cst.CompFor | None = comprehension.for_in
    while clause is not None:
        names.extend(variable_uses(clause.target))
        clause = clause.inner_for_in
    return names


class _StatementTransformer(ChangeTracker):
    def __init__(self, setattr_is_builtin: bool) -> None:
        super().__init__()
        self.setattr_is_builtin = setattr_is_builtin
        self.scopes: list[cst.CSTNode] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(node)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.scopes.pop()
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self.scopes.pop()
        return updated_node

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        if not self.scopes or not isinstance(self.scopes[-1], cst.FunctionDef) or len(updated_node.body) != 1:
            return updated_node
        statement = updated_node.body[0]
        if not isinstance(statement, cst.Expr) or not isinstance(statement.value, cst.ListComp):
            return updated_node
        comprehension = statement.value
        clause: cst.CompFor | None = comprehension.for_in
        while clause is not None:
            if clause.asynchronous is not None:
                return updated_node
            clause = clause.inner_for_in
        names = _loop_variables(comprehension)
        inside = variable_uses(comprehension)
        everywhere = variable_uses(self.scopes[-1])
        if any(everywhere.count(name) != inside.count(name) for name in names):
            return updated_node  # the loop would change a variable the function uses elsewhere
        self.changed = True
        return _loops(comprehension, self.setattr_is_builtin).with_changes(
            leading_lines=updated_node.leading_lines
        )


class ComprehensionStatementRule:
    info = RuleInfo(
        id="OPT035",
        title="list comprehension run only for its side effects",
        explanation="[f(x) for x in xs] as a statement -> for x in xs: f(x) (setattr(o, 'a', v) -> o.a = v)",
        preconditions=(
            Precondition("the loop variables are used nowhere else in the function", Discharge.STATIC),
            Precondition(
                "setattr is the builtin and its name an unmangled identifier literal", Discharge.STATIC
            ),
            Precondition("no result's finalizer is timed by the caller", Discharge.TESTED),
        ),
    )

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        if not regions_contain(
            module, qualname, lambda n: isinstance(n, cst.Expr) and isinstance(n.value, cst.ListComp)
        ):
            return None
        builtin = module_binding_counts(module)["setattr"] == 0
        return transform_regions(module, qualname, lambda _: _StatementTransformer(builtin))
