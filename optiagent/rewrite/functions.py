"""List the addressable functions and methods of a module, with a static cost estimate.

Pure: libcst and the standard library only. A function is addressable when its qualified name
reaches it from the module (`f`, `Class.method`, `Outer.Inner.method`) or names it inside an
enclosing function as the compiler does (`f.<locals>.repl`, `Class.method.<locals>.key`): nested
functions are listed too, unless defined inside a class that is itself inside a function, or
defined twice in one enclosing function (nothing could tell the two apart at run time).
"""

from __future__ import annotations

import doctest
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from optiagent.domain.targets import TargetKind

ParamKind = Literal["positional", "keyword_only", "var_positional", "var_keyword"]

_MAX_DEPTH = 6
# Calls that scan their argument: inside a loop they add a hidden level of nesting.
_LINEAR_BUILTINS = frozenset({"sorted", "sum", "min", "max", "any", "all", "list", "set", "tuple", "dict"})
_LINEAR_METHODS = frozenset({"index", "count", "remove", "sort", "copy", "join"})
_FRONT_METHODS = frozenset({"pop", "insert"})
_VALUE_BASES = frozenset({"NamedTuple", "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "TypedDict"})


@dataclass(frozen=True)
class ParamInfo:
    name: str
    annotation: str | None
    default: str | None
    kind: ParamKind


@dataclass(frozen=True)
class FunctionInfo:
    """One addressable function. Lines are 1-based; `start_line` includes decorators."""

    qualname: str
    kind: TargetKind
    start_line: int
    end_line: int
    def_line: int
    params: tuple[ParamInfo, ...]
    returns: str | None
    is_async: bool
    is_generator: bool
    decorators: tuple[str, ...]
    has_docstring_examples: bool
    static_cost: float

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class ModuleOutline:
    """The addressable functions of a module and the names of its value classes (dataclasses,
    named tuples, enums, typed dicts: classes whose instances can be generated from their fields)."""

    functions: tuple[FunctionInfo, ...]
    value_classes: frozenset[str]


@functools.lru_cache(maxsize=32)
def outline_module(source: str) -> ModuleOutline:
    """Functions and value classes of `source` (raises libcst.ParserSyntaxError). Cached: profiling,
    ranking and evidence each ask for the same few files, and libcst parses slowly."""
    module = cst.parse_module(source)
    lister = _FunctionLister(module)
    MetadataWrapper(module, unsafe_skip_copy=True).visit(lister)
    latest = {info.qualname: info for info in lister.found}  # a redefinition wins, as at runtime
    for qualname in lister.ambiguous:
        del latest[qualname]
    functions = sorted(latest.values(), key=lambda info: info.start_line)
    return ModuleOutline(tuple(functions), frozenset(lister.value_classes))


def list_functions(source: str) -> list[FunctionInfo]:
    """Every addressable function of `source`, in source order (raises libcst.ParserSyntaxError)."""
    return list(outline_module(source).functions)


def docstring_examples(source: str, qualname: str) -> list[tuple[str, str]]:
    """The doctest examples (`>>> expression`, expected output) in the docstring of `qualname`."""
    module = cst.parse_module(source)
    lister = _FunctionLister(module)
    MetadataWrapper(module, unsafe_skip_copy=True).visit(lister)
    if qualname not in lister.docstrings:
        raise KeyError(qualname)
    examples = doctest.DocTestParser().get_examples(lister.docstrings[qualname])
    return [(example.source.strip(), example.want.rstrip("\n")) for example in examples]


class _FunctionLister(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self._module = module
        self._scopes: list[tuple[str, str]] = []  # ("class" | "function", name)
        self.found: list[FunctionInfo] = []
        self.docstrings: dict[str, str] = {}
        self.value_classes: set[str] = set()
        self.ambiguous: set[str] = set()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if all(kind == "class" for kind, _ in self._scopes) and self._is_value_class(node):
            self.value_classes.add(".".join([name for _, name in self._scopes] + [node.name.value]))
        self._scopes.append(("class", node.name.value))

    def _is_value_class(self, node: cst.ClassDef) -> bool:
        if any("dataclass" in self._code(d.decorator) for d in node.decorators):
            return True
        bases = {self._code(base.value).rsplit(".", 1)[-1] for base in node.bases}
        return not bases.isdisjoint(_VALUE_BASES)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        kinds = [kind for kind, _ in self._scopes]
        nested = "function" in kinds
        if not nested or "class" not in kinds[kinds.index("function") :]:
            self._record(node, nested)
        self._scopes.append(("function", node.name.value))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def _record(self, node: cst.FunctionDef, nested: bool) -> None:
        parts = [f"{name}.<locals>" if kind == "function" else name for kind, name in self._scopes]
        qualname = ".".join([*parts, node.name.value])
        is_method = bool(self._scopes) and not nested
        if nested and qualname in self.docstrings:
            self.ambiguous.add(qualname)  # two defs of one nested name: neither is addressable
        position: CodeRange = self.get_metadata(PositionProvider, node)
        first = node.decorators[0] if node.decorators else node
        start: CodeRange = self.get_metadata(PositionProvider, first)
        docstring = node.get_docstring() or ""
        self.docstrings[qualname] = docstring
        self.found.append(
            FunctionInfo(
                qualname=qualname,
                kind=TargetKind.METHOD if is_method else TargetKind.FUNCTION,
                start_line=start.start.line,
                end_line=position.end.line,
                def_line=position.start.line,
                params=_params(self._module, node.params),
                returns=self._code(node.returns.annotation) if node.returns else None,
                is_async=node.asynchronous is not None,
                is_generator=_is_generator(node),
                decorators=tuple(self._code(d.decorator) for d in node.decorators),
                has_docstring_examples=">>>" in docstring,
                static_cost=estimate_cost(node, is_method=is_method),
            )
        )

    def _code(self, node: cst.CSTNode) -> str:
        return self._module.code_for_node(node)


def _params(module: cst.Module, params: cst.Parameters) -> tuple[ParamInfo, ...]:
    def info(param: cst.Param, kind: ParamKind) -> ParamInfo:
        annotation = module.code_for_node(param.annotation.annotation) if param.annotation else None
        default = module.code_for_node(param.default) if param.default else None
        return ParamInfo(param.name.value, annotation, default, kind)

    result = [info(p, "positional") for p in (*params.posonly_params, *params.params)]
    if isinstance(params.star_arg, cst.Param):
        result.append(info(params.star_arg, "var_positional"))
    result.extend(info(p, "keyword_only") for p in params.kwonly_params)
    if params.star_kwarg is not None:
        result.append(info(params.star_kwarg, "var_keyword"))
    return tuple(result)


class _YieldFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Yield(self, node: cst.Yield) -> None:
        self.found = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function's yield is its own

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def _is_generator(node: cst.FunctionDef) -> bool:
    finder = _YieldFinder()
    node.body.visit(finder)
    return finder.found


def estimate_cost(node: cst.FunctionDef, *, is_method: bool = False) -> float:
    """A static guess of how hot a function can get: loops weigh 10**depth, and work that hides
    a scan inside a loop (membership tests, `.pop(0)`, `+=` on strings, sorting) one level more;
    direct recursion adds 50, tree recursion (two or more recursive calls) 1000."""
    estimator = _CostEstimator(node.name.value, is_method)
    node.body.visit(estimator)
    recursion = 0.0 if estimator.recursive_calls == 0 else 50.0
    if estimator.recursive_calls >= 2:
        recursion = 1000.0
    return round(1.0 + estimator.cost + recursion, 3)


class _CostEstimator(cst.CSTVisitor):
    def __init__(self, name: str, is_method: bool) -> None:
        super().__init__()
        self._name = name
        self._is_method = is_method
        self._depth = 0
        self._string_names: set[str] = set()
        self.cost = 0.0
        self.recursive_calls = 0

    def _weight(self, extra_levels: int = 0) -> float:
        return float(10 ** min(self._depth + extra_levels, _MAX_DEPTH))

    def _enter_loops(self, count: int) -> None:
        for _ in range(count):
            self._depth += 1
            self.cost += self._weight()

    def visit_For(self, node: cst.For) -> None:
        self._enter_loops(1)

    def leave_For(self, original_node: cst.For) -> None:
        self._depth -= 1

    def visit_While(self, node: cst.While) -> None:
        self._enter_loops(1)

    def leave_While(self, original_node: cst.While) -> None:
        self._depth -= 1

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.BaseComp):  # list, set, dict comprehensions and generator expressions
            self._enter_loops(_count_fors(node.for_in))
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        if isinstance(original_node, cst.BaseComp):
            self._depth -= _count_fors(original_node.for_in)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.cost += 0.01 * self._weight()

    def visit_Assign(self, node: cst.Assign) -> None:
        if isinstance(node.value, cst.SimpleString | cst.FormattedString | cst.ConcatenatedString):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self._string_names.add(target.target.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if not (self._depth and isinstance(node.operator, cst.AddAssign)):
            return
        stringy_value = isinstance(node.value, cst.SimpleString | cst.FormattedString)
        stringy_target = isinstance(node.target, cst.Name) and node.target.value in self._string_names
        if stringy_value or stringy_target:
            self.cost += 0.5 * self._weight(1)

    def visit_ComparisonTarget(self, node: cst.ComparisonTarget) -> None:
        if self._depth and isinstance(node.operator, cst.In | cst.NotIn):
            self.cost += 0.5 * self._weight(1)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if self._is_recursive_call(func):
            self.recursive_calls += 1
        if not self._depth:
            return
        if _scans(func, node.args):
            self.cost += 0.5 * self._weight(1)
        else:
            self.cost += 0.2 * self._weight()

    def _is_recursive_call(self, func: cst.BaseExpression) -> bool:
        if isinstance(func, cst.Name):
            return func.value == self._name and not self._is_method
        return (
            self._is_method
            and isinstance(func, cst.Attribute)
            and func.attr.value == self._name
            and isinstance(func.value, cst.Name)
            and func.value.value in {"self", "cls"}
        )


def _scans(func: cst.BaseExpression, args: Sequence[cst.Arg]) -> bool:
    if isinstance(func, cst.Name):
        return func.value in _LINEAR_BUILTINS
    if not isinstance(func, cst.Attribute):
        return False
    method = func.attr.value
    if method in _LINEAR_METHODS:
        return True
    first = args[0].value if args else None
    return method in _FRONT_METHODS and isinstance(first, cst.Integer) and first.value == "0"


def _count_fors(comp_for: cst.CompFor) -> int:
    count = 1
    while comp_for.inner_for_in is not None:
        comp_for = comp_for.inner_for_in
        count += 1
    return count


_GENERATABLE_NAMES = frozenset(
    {"int", "float", "str", "bytes", "bool", "complex", "None", "bytearray", "list", "dict", "set",
     "frozenset", "tuple", "deque", "Decimal", "Fraction", "List", "Dict", "Set", "FrozenSet", "Tuple",
     "Deque", "Optional", "Union", "Sequence", "MutableSequence", "Iterable", "Collection", "Mapping",
     "MutableMapping", "AbstractSet", "MutableSet", "Counter", "DefaultDict", "defaultdict", "OrderedDict"}
)  # fmt: skip


def annotation_is_generatable(annotation: str, value_classes: frozenset[str] = frozenset()) -> bool:
    """True when values of the annotated type can be generated (builtins, containers, unions,
    literals, and the named value classes); False for `Any`, callables and unknown classes."""
    try:
        expression = cst.parse_expression(annotation)
    except cst.ParserSyntaxError:
        return False
    return _generatable(expression, value_classes)


def _generatable(node: cst.BaseExpression, value_classes: frozenset[str]) -> bool:
    match node:
        case cst.SimpleString():  # a forward reference
            text = node.evaluated_value
            return isinstance(text, str) and annotation_is_generatable(text, value_classes)
        case cst.Name(value=name):
            return name in _GENERATABLE_NAMES or name in value_classes
        case cst.Attribute(attr=cst.Name(value=name)):
            return name in _GENERATABLE_NAMES or name in value_classes
        case cst.BinaryOperation(operator=cst.BitOr(), left=left, right=right):
            return _generatable(left, value_classes) and _generatable(right, value_classes)
        case cst.Subscript(value=value, slice=elements):
            if isinstance(value, cst.Name | cst.Attribute) and _last_name(value) == "Literal":
                return True
            items = [e.slice.value for e in elements if isinstance(e.slice, cst.Index)]
            return _generatable(value, value_classes) and all(
                _generatable(item, value_classes) for item in items if not isinstance(item, cst.Ellipsis)
            )
    return False


def _last_name(node: cst.Name | cst.Attribute) -> str:
    return node.value if isinstance(node, cst.Name) else node.attr.value
