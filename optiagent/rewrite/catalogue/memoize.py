"""OPT001: cache a pure recursive function with `functools.cache`.

Recursion is detected directly and through other module functions (mutual recursion). When a
parameter looks unhashable (annotated or used as a list/dict/set), the function becomes a thin
wrapper that converts those arguments to tuples/frozensets (lists of lists to tuples of tuples)
and calls a cached inner helper, which converts them back before running the original body.
Arguments are cache keys only where they are immutable values: proven by the annotations, else
checked at run time with the uncached original for everything else (`memo_keys.py`); a parameter
used like an object (`node.children`) is never a key, so such a function gets no candidate.

Preconditions: a top-level, undecorated, synchronous, non-generator function (not a method);
neither it nor any module function it reaches prints, does I/O, uses random/time, declares
global/nonlocal, mutates or stores into its arguments or globals, or reads a module global
that is mutable or rebound; no mutable default values.

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
2,607.8 us -> 9.6 us, 271.82x.
"""

from __future__ import annotations

import libcst as cst

from optiagent.domain.targets import PROGRAM_QUALNAME
from optiagent.rewrite.catalogue.base import PURE, Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.evidence import annotation_kind
from optiagent.rewrite.catalogue.imports import ensure_import
from optiagent.rewrite.catalogue.memo_keys import (
    FROM_KEY,
    guard_function,
    guarded_triple,
    looks_like_object,
    parameters,
    proves_converted,
    proves_value,
    without_docstring,
)
from optiagent.rewrite.catalogue.names import fresh_name, identifiers
from optiagent.rewrite.catalogue.purity import (
    impurity,
    is_recursive,
    module_functions,
    reachable,
    unsafe_globals,
)

_MUTABLE_DEFAULTS = (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp, cst.Call)
_USAGE_KINDS = {"items": "dict", "keys": "dict", "values": "dict", "get": "dict", "union": "set",
                "intersection": "set", "issubset": "set", "issuperset": "set", "difference": "set"}  # fmt: skip
_TO_KEY = {
    "list": "tuple({})",
    "dict": "tuple({}.items())",
    "set": "frozenset({})",
    "grid": "tuple(map(tuple, {}))",
}


def _nested_list(annotation: cst.BaseExpression) -> bool:
    """`list[list[...]]` (or typing's List[List[...]]): rows must become tuples too."""
    if (
        not isinstance(annotation, cst.Subscript)
        or annotation_kind(annotation) != "list"
        or len(annotation.slice) != 1
    ):
        return False
    inner = annotation.slice[0].slice
    return isinstance(inner, cst.Index) and annotation_kind(inner.value) == "list"


class _ParamUsage(cst.CSTVisitor):
    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.kinds: dict[str, str] = {}

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value in self.names:
            kind = _USAGE_KINDS.get(node.attr.value)
            if kind is not None:
                self.kinds.setdefault(node.value.value, kind)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        sides = (node.left, node.right)
        if isinstance(node.operator, cst.Add) and any(
            isinstance(side, (cst.List, cst.ListComp)) for side in sides
        ):
            for side in sides:
                if isinstance(side, cst.Name) and side.value in self.names:
                    self.kinds.setdefault(side.value, "list")


def unhashable_params(function: cst.FunctionDef) -> dict[str, str]:
    """Parameters that look like lists/dicts/sets (by annotation or usage), with that kind."""
    params = [*function.params.posonly_params, *function.params.params, *function.params.kwonly_params]
    kinds: dict[str, str] = {}
    for param in params:
        kind = annotation_kind(param.annotation.annotation) if param.annotation is not None else "other"
        if param.annotation is not None and _nested_list(param.annotation.annotation):
            kind = "grid"
        if kind in _TO_KEY:
            kinds[param.name.value] = kind
    usage = _ParamUsage({param.name.value for param in params} - kinds.keys())
    function.body.visit(usage)
    return kinds | usage.kinds


def _cacheable(name: str, functions: dict[str, cst.FunctionDef], unsafe: set[str]) -> bool:
    function = functions[name]
    if function.decorators or not is_recursive(name, functions):
        return False
    params = function.params
    defaults = [p.default for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
    if any(isinstance(default, _MUTABLE_DEFAULTS) for default in defaults):
        return False
    return all(not impurity(functions[f], unsafe) for f in {name} | reachable(name, functions))


def _decorate(function: cst.FunctionDef) -> cst.FunctionDef:
    decorator = cst.Decorator(decorator=cst.parse_expression("functools.cache"))
    return function.with_changes(decorators=[decorator])


def _helper_pair(
    function: cst.FunctionDef, kinds: dict[str, str], taken: set[str]
) -> list[cst.FunctionDef] | None:
    """A cached helper taking hashable arguments, and the original def turned into a converting wrapper."""
    params = function.params
    if isinstance(params.star_kwarg, cst.Param) or not isinstance(function.body, cst.IndentedBlock):
        return None
    helper_name = fresh_name(f"_{function.name.value}_cached", taken)
    arguments: list[str] = []
    for param in (*params.posonly_params, *params.params):
        name = param.name.value
        arguments.append(_TO_KEY[kinds[name]].format(name) if name in kinds else name)
    if isinstance(params.star_arg, cst.Param):
        arguments.append(f"*{params.star_arg.name.value}")
    for param in params.kwonly_params:
        name = param.name.value
        arguments.append(f"{name}={_TO_KEY[kinds[name]].format(name) if name in kinds else name}")
    restore = [
        cst.parse_statement(f"{name} = {FROM_KEY[kind].format(name)}\n") for name, kind in kinds.items()
    ]
    bare = params.with_changes(
        params=[
            p.with_changes(annotation=None, default=None, equal=cst.MaybeSentinel.DEFAULT)
            for p in params.params
        ],
        posonly_params=[
            p.with_changes(annotation=None, default=None, equal=cst.MaybeSentinel.DEFAULT)
            for p in params.posonly_params
        ],
        kwonly_params=[
            p.with_changes(annotation=None, default=None, equal=cst.MaybeSentinel.DEFAULT)
            for p in params.kwonly_params
        ],
        star_arg=params.star_arg.with_changes(annotation=None)
        if isinstance(params.star_arg, cst.Param)
        else params.star_arg,
    )
    helper = _decorate(
        function.with_changes(
            name=cst.Name(helper_name),
            params=bare,
            returns=None,
            body=function.body.with_changes(body=[*restore, *without_docstring(function.body)]),
        )
    )
    call = cst.parse_statement(f"return {helper_name}({', '.join(arguments)})\n")
    docstring = list(function.body.body[: len(function.body.body) - len(without_docstring(function.body))])
    wrapper = function.with_changes(
        body=function.body.with_changes(body=[*docstring, call]),
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )
    return [helper, wrapper]


class MemoizeRule:
    info = RuleInfo(
        id="OPT001",
        title="pure recursive function recomputing sub-results",
        explanation="pure recursive function -> functools.cache (cached helper on tuples for list/dict args)",
        preconditions=(
            Precondition(PURE, Discharge.STATIC),
            Precondition(
                "arguments are immutable values hashed by value (lists/dicts/sets converted to "
                "tuples/frozensets): objects hashed by identity would return stale results once changed",
                Discharge.ANNOTATED,
            ),
            Precondition(
                "equal arguments of different types (1, 1.0, True) give equal results (the cache conflates them)",
                Discharge.TESTED,
            ),
        ),
    )

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        functions = module_functions(module)
        if qualname == PROGRAM_QUALNAME:
            names = list(functions)
        elif qualname in functions:
            names = [qualname, *sorted(n for n in reachable(qualname, functions) if n != qualname)]
        else:
            return None
        unsafe = unsafe_globals(module)
        chosen = [name for name in names if _cacheable(name, functions, unsafe)]
        if not chosen:
            return None
        taken = identifiers(module)
        functions_by_name = {name: functions[name] for name in chosen}
        proven = {name: _keys_proven(f) for name, f in functions_by_name.items()}
        chosen = [name for name in chosen if proven[name] or not _object_parameters(functions_by_name[name])]
        if not chosen:
            return None
        guard = "" if all(proven[name] for name in chosen) else fresh_name("_memo_value", taken)
        body: list[cst.BaseStatement] = []
        for statement in module.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value in chosen:
                kinds = unhashable_params(statement)
                if not proven[statement.name.value]:
                    if guard and not any(
                        isinstance(s, cst.FunctionDef) and s.name.value == guard for s in body
                    ):
                        body.append(guard_function(guard))
                    triple = guarded_triple(statement, kinds, guard, taken)
                    if triple is None:
                        return None
                    body.extend(triple)
                    continue
                pair = _helper_pair(statement, kinds, taken) if kinds else [_decorate(statement)]
                if pair is None:
                    return None
                body.extend(pair)
            else:
                body.append(statement)
        return ensure_import(module.with_changes(body=body), "functools", before=module)


def _keys_proven(function: cst.FunctionDef) -> bool:
    """Every argument is an immutable value by its annotation (or an exactly typed, converted list)."""
    if isinstance(function.params.star_arg, cst.Param) or isinstance(function.params.star_kwarg, cst.Param):
        return False
    kinds = unhashable_params(function)
    for param in parameters(function):
        if param.annotation is None:
            return False
        annotation = param.annotation.annotation
        name = param.name.value
        if not (proves_converted(annotation, kinds[name]) if name in kinds else proves_value(annotation)):
            return False
    return True


def _object_parameters(function: cst.FunctionDef) -> bool:
    """Some parameter is used like an object: the guard would never let a call be cached."""
    return any(looks_like_object(function, param.name.value) for param in parameters(function))
