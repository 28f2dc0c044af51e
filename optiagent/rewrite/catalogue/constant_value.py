"""OPT033: an immutable value built from literals on every call (`Decimal("0.01")`, `timedelta(days=1)`,
`float("inf")`) -> a module-level constant built once.

Preconditions (checked, else no rewrite): the callee is `decimal.Decimal`, `fractions.Fraction`,
`datetime.timedelta/date/time/datetime` (imported at top level with `from M import X [as Y]` or
`import M [as m]`, the name bound nowhere else in the file) or the builtin `int`, `float`, `complex`
(bound nowhere in the file); every argument is a literal (no float into Decimal or Fraction, whose
exact conversion a decimal context could trap; no NaN, which is not equal to itself); the call
succeeds when the rule evaluates it, so the module still imports; it sits inside a function.
The values are immutable, so sharing one object across calls is only visible to `is` and `id()`
(tested: validation compares values).

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
1,602.0 us -> 1,228.5 us, 1.30x.
"""

from __future__ import annotations

import ast
import datetime
import decimal
import fractions
from collections.abc import Callable

import libcst as cst

from optiagent.rewrite.catalogue.base import Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.bindings import STAR, module_binding_counts
from optiagent.rewrite.catalogue.count_dict import code
from optiagent.rewrite.catalogue.imports import insert_after_imports
from optiagent.rewrite.catalogue.names import fresh_name, identifiers
from optiagent.rewrite.catalogue.prefilter import regions_contain
from optiagent.rewrite.catalogue.regions import ChangeTracker, transform_regions

_IMMUTABLE: dict[tuple[str, str], Callable[..., object]] = {
    ("decimal", "Decimal"): decimal.Decimal,
    ("fractions", "Fraction"): fractions.Fraction,
    ("datetime", "timedelta"): datetime.timedelta,
    ("datetime", "date"): datetime.date,
    ("datetime", "time"): datetime.time,
    ("datetime", "datetime"): datetime.datetime,
}
_BUILTINS: dict[str, Callable[..., object]] = {"int": int, "float": float, "complex": complex}
_NO_FLOAT_ARGUMENT = {"Decimal", "Fraction"}


def _literal(node: cst.BaseExpression) -> object:
    """The value of a str, bytes or number literal (a negative number too), else raise ValueError."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
        if isinstance(node, cst.SimpleString) and "f" in node.prefix.lower():
            raise ValueError("f-string")
        return ast.literal_eval(code(node))
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, (cst.Integer, cst.Float))
    ):
        return ast.literal_eval(code(node))
    raise ValueError("not a literal")


def constructors(module: cst.Module) -> dict[str, tuple[str, Callable[..., object]]]:
    """Callee spelling (`Decimal`, `dt.timedelta`, `float`) -> (the name to place constants after,
    the constructor), for the immutable types this file can name unambiguously."""
    counts = module_binding_counts(module)
    if counts[STAR]:
        return {}
    found: dict[str, tuple[str, Callable[..., object]]] = {
        name: ("", constructor) for name, constructor in _BUILTINS.items() if counts[name] == 0
    }
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                source = small.module
                if small.relative or not isinstance(source, cst.Name):
                    continue
                for alias in small.names:
                    bound = alias.evaluated_alias or alias.evaluated_name
                    constructor = _IMMUTABLE.get((source.value, alias.evaluated_name))
                    if constructor is not None and counts[bound] == 1:
                        found[bound] = (bound, constructor)
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    bound = alias.evaluated_alias or alias.evaluated_name
                    if "." in bound or counts[bound] != 1:
                        continue
                    for (module_name, type_name), constructor in _IMMUTABLE.items():
                        if module_name == alias.evaluated_name:
                            found[f"{bound}.{type_name}"] = (bound, constructor)
    return found


def _may_be_constant_call(node: cst.CSTNode) -> bool:
    """A call of a name this rule knows, with literal arguments only (the cheap part of the check)."""
    if not isinstance(node, cst.Call):
        return False
    func = node.func
    name = (
        func.attr.value
        if isinstance(func, cst.Attribute)
        else func.value
        if isinstance(func, cst.Name)
        else ""
    )
    if name not in _BUILTINS and all(name != type_name for _, type_name in _IMMUTABLE):
        return False
    try:
        for arg in node.args:
            _literal(arg.value)
    except ValueError:
        return False
    return True


def constant_call(call: cst.Call, constructor: Callable[..., object], type_name: str) -> bool:
    """Whether `call` builds its value from literals only, and building it here succeeds."""
    args: list[object] = []
    kwargs: dict[str, object] = {}
    try:
        for arg in call.args:
            if arg.star:
                return False
            value = _literal(arg.value)
            if arg.keyword is None:
                args.append(value)
            else:
                kwargs[arg.keyword.value] = value
        if type_name in _NO_FLOAT_ARGUMENT and any(isinstance(v, float) for v in [*args, *kwargs.values()]):
            return False
        built = constructor(*args, **kwargs)
        return bool(built == built)  # NaN is not equal to itself: one shared NaN would be seen by `in`
    except Exception:  # an invalid literal: the original fails at the call, so it must stay there
        return False


class _ConstantTransformer(ChangeTracker):
    def __init__(
        self, known: dict[str, tuple[str, Callable[..., object]]], taken: set[str], constants: dict[str, str]
    ) -> None:
        super().__init__()
        self.known = known
        self.taken = taken
        self.constants = constants  # call source -> constant name
        self.anchors: dict[str, str] = {}  # constant name -> import to place it after
        self.function_depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.function_depth += 1

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.function_depth -= 1
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        spelled = code(updated_node.func)
        if self.function_depth == 0 or spelled not in self.known:
            return updated_node
        anchor, constructor = self.known[spelled]
        type_name = spelled.rsplit(".", 1)[-1]
        if not constant_call(updated_node, constructor, type_name):
            return updated_node
        source = code(updated_node.with_changes(lpar=[], rpar=[]))
        if source not in self.constants:
            self.constants[source] = fresh_name(f"_{type_name.upper()}", self.taken)
        self.anchors[self.constants[source]] = anchor
        self.changed = True
        return cst.Name(self.constants[source], lpar=updated_node.lpar, rpar=updated_node.rpar)


class ConstantValueRule:
    info = RuleInfo(
        id="OPT033",
        title="immutable value rebuilt from literals on every call",
        explanation='Decimal("0.01") / timedelta(days=1) / float("inf") in a function -> module-level constant',
        preconditions=(
            Precondition(
                "the callee is a known immutable type the file names unambiguously", Discharge.STATIC
            ),
            Precondition("the arguments are literals and building the value succeeds", Discharge.STATIC),
            Precondition("no caller tells the values apart by identity", Discharge.TESTED),
        ),
    )

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        if not regions_contain(module, qualname, _may_be_constant_call):
            return None
        known = constructors(module)
        if not known:
            return None
        taken = identifiers(module)
        constants: dict[str, str] = {}
        transformers: list[_ConstantTransformer] = []

        def make(_: cst.Module) -> _ConstantTransformer:
            transformers.append(_ConstantTransformer(known, taken, constants))
            return transformers[-1]

        result = transform_regions(module, qualname, make)
        if result is None:
            return None
        anchors = {name: anchor for t in transformers for name, anchor in t.anchors.items()}
        for source, name in reversed(constants.items()):  # each goes first after its import: keep their order
            if name not in anchors:
                continue
            statement = cst.parse_statement(f"{name} = {source}\n")
            result = insert_after_imports(result, [statement], after_import_of=anchors[name])
        return result
