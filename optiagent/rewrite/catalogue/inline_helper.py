"""OPT032: a call of a one-expression helper (`def _lo(r): return r & 0xFFFF`) -> the expression itself.

A Python function call costs far more than the arithmetic such helpers wrap; hot code that calls
them per element pays mostly for frames. The helper stays in the module (other callers, tests and
importers still see it); only the calls in the target are replaced by the helper's expression with
the arguments put in for the parameters, in parentheses.

Preconditions (checked, else no rewrite): the helper is a top-level, undecorated, non-async `def`
whose body is one `return EXPR` (after a docstring), with plain parameters and no defaults; the
name is bound nowhere else in the file; EXPR is built from its parameters, other names, literals,
operators, comparisons, conditional expressions, tuples, subscripts and attribute reads, with calls
only to the pure builtins listed in `_PURE_BUILTINS` (so the helper is no side-effect seam a test
would mock). The call passes each parameter once (no starred or unknown keywords), as a name or a
literal, or as a call-free expression (names, literals, operators, attribute reads, subscripts) and
then only when EXPR has no `and`/`or`/conditional (every read happens, in text order): read once it
is put in place, read more often it is bound with `:=` at its first read (not inside a
comprehension), so nothing is evaluated twice, skipped or reordered. No name EXPR reads other than
its parameters is bound anywhere in the calling function (it resolves to the same global there).
The helper is not replaced from outside the module at run time (tested).

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
442.3 us -> 375.1 us, 1.18x.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import libcst as cst

from optiagent.domain.targets import PROGRAM_QUALNAME
from optiagent.rewrite.catalogue.base import Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.bindings import STAR, binding_counts, module_binding_counts, parse_node
from optiagent.rewrite.catalogue.names import fresh_name, identifiers
from optiagent.rewrite.catalogue.prefilter import regions_contain
from optiagent.rewrite.catalogue.regions import ChangeTracker, transform_regions
from optiagent.rewrite.locate import find_function

_PURE_BUILTINS = frozenset(
    {"abs", "bool", "chr", "divmod", "float", "int", "isinstance", "len", "max", "min", "ord", "round",
     "str", "tuple"}
)  # fmt: skip


@dataclass(frozen=True)
class Helper:
    params: tuple[str, ...]
    expression: cst.BaseExpression
    free_names: frozenset[str]  # names the expression reads other than its parameters
    uses: dict[str, int]  # parameter -> how often the expression reads it
    straight_line: bool  # no and/or, conditional or chained comparison: text order is evaluation order


def _returned_expression(function: cst.FunctionDef) -> cst.BaseExpression | None:
    body = function.body
    statements: list[cst.BaseSmallStatement] = []
    if isinstance(body, cst.SimpleStatementSuite):
        statements = list(body.body)
    else:
        for index, statement in enumerate(body.body):
            if not isinstance(statement, cst.SimpleStatementLine):
                return None
            small = list(statement.body)
            is_docstring = (
                index == 0
                and len(small) == 1
                and isinstance(small[0], cst.Expr)
                and isinstance(small[0].value, (cst.SimpleString, cst.ConcatenatedString))
            )
            if not is_docstring:
                statements.extend(small)
    if len(statements) != 1 or not isinstance(statements[0], cst.Return) or statements[0].value is None:
        return None
    return statements[0].value


class _ExpressionCheck(cst.CSTVisitor):
    """Accepts only side-effect-free shapes (calls only to pure builtins, or none); counts names read."""

    _ALLOWED = (
        cst.Name, cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString,
        cst.BinaryOperation, cst.UnaryOperation, cst.BooleanOperation, cst.Comparison,
        cst.ComparisonTarget, cst.IfExp, cst.Tuple, cst.Element, cst.Subscript, cst.SubscriptElement,
        cst.Index, cst.Slice, cst.Attribute, cst.Call, cst.Arg, cst.LeftParen, cst.RightParen,
        cst.LeftSquareBracket, cst.RightSquareBracket,
        cst.BaseBinaryOp, cst.BaseUnaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.Comma, cst.Dot,
        cst.Colon, cst.ParenthesizedWhitespace, cst.SimpleWhitespace, cst.Newline,
        cst.TrailingWhitespace, cst.EmptyLine, cst.Comment,
    )  # fmt: skip

    def __init__(self, *, calls: bool) -> None:
        self.calls = calls
        self.ok = True
        self.straight_line = True
        self.names: Counter[str] = Counter()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, self._ALLOWED):
            self.ok = False
            return False
        if isinstance(node, (cst.BooleanOperation, cst.IfExp)) or (
            isinstance(node, cst.Comparison) and len(node.comparisons) > 1
        ):
            self.straight_line = False
        return super().on_visit(node)

    def visit_Call(self, node: cst.Call) -> bool:
        pure = isinstance(node.func, cst.Name) and node.func.value in _PURE_BUILTINS
        if not self.calls or not pure or any(arg.star or arg.keyword is not None for arg in node.args):
            self.ok = False
            return False
        return True

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False  # the attribute name is no variable

    def visit_Name(self, node: cst.Name) -> None:
        self.names[node.value] += 1


def _helper(function: cst.FunctionDef) -> Helper | None:
    params = function.params
    if (
        function.decorators
        or function.asynchronous is not None
        or params.posonly_params
        or params.kwonly_params
        or params.star_arg is not cst.MaybeSentinel.DEFAULT
        or params.star_kwarg is not None
        or any(param.default is not None or param.star for param in params.params)
    ):
        return None
    expression = _returned_expression(function)
    if expression is None:
        return None
    check = _ExpressionCheck(calls=True)
    expression.visit(check)
    if not check.ok:
        return None
    names = tuple(param.name.value for param in params.params)
    return Helper(
        names,
        expression,
        frozenset(check.names.keys() - set(names)),
        {name: check.names[name] for name in names},
        check.straight_line,
    )


def inlinable_helpers(module: cst.Module) -> dict[str, Helper]:
    """Top-level one-expression helpers, by name, that the file binds exactly once."""
    counts = module_binding_counts(module)
    if counts[STAR]:
        return {}
    helpers: dict[str, Helper] = {}
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef) and counts[statement.name.value] == 1:
            helper = _helper(statement)
            if helper is not None:
                helpers[statement.name.value] = helper
    return helpers


def _call_free(node: cst.BaseExpression) -> bool:
    """Names, literals, operators, attribute reads and subscripts only: nothing it runs can change
    what the helper's expression reads, so evaluating it inside that expression reorders nothing."""
    check = _ExpressionCheck(calls=False)
    node.visit(check)
    return check.ok and check.straight_line


@dataclass
class _Argument:
    value: cst.BaseExpression
    temporary: str = ""  # bound with `:=` at the first read when the parameter is read twice or more
    bound: bool = False


class _Substitute(cst.CSTTransformer):
    def __init__(self, arguments: dict[str, _Argument]) -> None:
        super().__init__()
        self.arguments = arguments

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.Attribute:
        return updated_node.with_changes(attr=original_node.attr)  # `x.start` keeps its attribute name

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        argument = self.arguments.get(original_node.value)
        if argument is None:
            return updated_node
        if isinstance(argument.value, cst.Name):
            return argument.value.with_changes(lpar=original_node.lpar, rpar=original_node.rpar)
        if argument.temporary and argument.bound:
            return cst.Name(argument.temporary)
        # in parentheses: `-1` or `a + b` put into `x ** 2` must stay `(-1) ** 2`
        value = argument.value.deep_clone().with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        if not argument.temporary:
            return value
        argument.bound = True
        return cst.NamedExpr(
            target=cst.Name(argument.temporary),
            value=value.with_changes(lpar=[], rpar=[]),
            lpar=[cst.LeftParen()],
            rpar=[cst.RightParen()],
        )


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _is_atom(node: cst.BaseExpression) -> bool:
    """A name or a literal (a negative number too): free to evaluate as often as the helper reads it."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    return isinstance(node, (cst.Name, cst.Integer, cst.Float, cst.SimpleString))


def _parameter_values(call: cst.Call, helper: Helper) -> dict[str, cst.BaseExpression] | None:
    """Parameter -> argument expression, when every parameter gets exactly one argument."""
    values: dict[str, cst.BaseExpression] = {}
    for position, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is not None:
            name = arg.keyword.value
        elif position < len(helper.params):
            name = helper.params[position]
        else:
            return None
        if name not in helper.params or name in values:
            return None
        values[name] = arg.value
    return values if len(values) == len(helper.params) else None


def _called_name(call: cst.Call) -> str:
    return call.func.value if isinstance(call.func, cst.Name) else ""


class _InlineTransformer(ChangeTracker):
    def __init__(self, helpers: dict[str, Helper], taken: set[str], enclosing: set[str]) -> None:
        super().__init__()
        self.helpers = helpers
        self.taken = taken
        self.region: cst.FunctionDef | None = None
        self.bound: set[str] = set(enclosing)
        self.comprehension_depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.region is None:  # the target function: names bound in any of its scopes
            self.region = node
            self.bound |= set(binding_counts(parse_node(node)))

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.comprehension_depth += isinstance(node, _COMPREHENSIONS)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        self.comprehension_depth -= isinstance(original_node, _COMPREHENSIONS)
        return super().on_leave(original_node, updated_node)

    def _arguments(self, call: cst.Call, helper: Helper) -> dict[str, _Argument] | None:
        values = _parameter_values(call, helper)
        if values is None:
            return None
        arguments: dict[str, _Argument] = {}
        for name, value in values.items():
            if _is_atom(value):
                arguments[name] = _Argument(value.with_changes(lpar=[], rpar=[]))
                continue
            uses = helper.uses[name]
            if uses == 0 or not helper.straight_line or not _call_free(value):
                return None  # evaluated never or not always, or its calls could change what is read
            if uses == 1:
                arguments[name] = _Argument(value)
            elif not self.comprehension_depth:  # `:=` in a comprehension may be a syntax error
                arguments[name] = _Argument(value, fresh_name(f"_{name}", self.taken))
            else:
                return None
        return arguments

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = updated_node.func
        if not isinstance(func, cst.Name) or self.region is None:
            return updated_node
        helper = self.helpers.get(func.value)
        if helper is None or func.value == self.region.name.value or func.value in self.bound:
            return updated_node
        if helper.free_names & self.bound:
            return updated_node  # a name the helper reads means something else here
        arguments = self._arguments(updated_node, helper)
        if arguments is None:
            return updated_node
        inlined = helper.expression.visit(_Substitute(arguments))
        if not isinstance(inlined, cst.BaseExpression):
            return updated_node
        self.changed = True
        return inlined.with_changes(
            lpar=[*updated_node.lpar, cst.LeftParen()], rpar=[cst.RightParen(), *updated_node.rpar]
        )


class InlineHelperRule:
    info = RuleInfo(
        id="OPT032",
        title="call of a one-expression helper in hot code",
        explanation="_lo(r) where def _lo(r): return r & 0xFFFF -> (r & 0xFFFF): no call frame",
        preconditions=(
            Precondition(
                "the helper is a side-effect-free expression bound once in the file", Discharge.STATIC
            ),
            Precondition("arguments are names or literals, evaluated once as before", Discharge.STATIC),
            Precondition("the helper is not replaced from outside the module at run time", Discharge.TESTED),
        ),
    )

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        if qualname == PROGRAM_QUALNAME:  # calls at module level run once: nothing to gain
            return None
        candidates = {
            s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef) and _helper(s) is not None
        }
        if not candidates or not regions_contain(
            module, qualname, lambda n: isinstance(n, cst.Call) and _called_name(n) in candidates
        ):
            return None
        helpers = inlinable_helpers(module)
        if not helpers:
            return None
        taken = identifiers(module)
        # a nested target also sees the names its enclosing functions bind
        outermost = find_function(module, qualname.split(".<locals>.")[0]) if "<locals>" in qualname else None
        enclosing = set(binding_counts(parse_node(outermost))) if outermost is not None else set()
        return transform_regions(module, qualname, lambda _: _InlineTransformer(helpers, taken, enclosing))
