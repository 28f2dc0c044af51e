"""What OPT001 may use as a cache key, and the guarded form where the annotations do not prove it.

`functools.cache` keys on hash and equality. For an argument that is an object hashed by identity
(a parse tree node, a token list) the cache returns a stale result once the object changes between
calls, and the check cannot see it: caches are cleared before every checked call. So an argument
is a key only when it is an immutable value: proven by its annotation (`int`, `str`,
`tuple[int, ...]`, a `list[int]` converted to a tuple), or else checked at run time by a guard
that sends every other argument to the uncached original:

    def f(a, b):                       # the public name, same signature
        key = (a, tuple(b)) if type(b) is list else None
        if key is not None and _memo_value(key):
            return _f_cached(*key)
        return _f_plain(a, b)

    @functools.cache
    def _f_cached(a, b):
        return _f_plain(a, list(b))

    def _f_plain(a, b): <the original body; its recursive calls go through f>

The guard accepts exact `int`, `str`, `bytes` and None, and tuples and frozensets of those: no two
of them are equal across types (bool, float and subclasses are left out: `True == 1`, `0.0 == -0.0`).
"""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.names import fresh_name

_VALUE_NAMES = frozenset({"int", "str", "bytes", "bool", "float", "complex", "None"})
_CONTAINER_NAMES = frozenset({"tuple", "Tuple", "frozenset", "FrozenSet", "Optional", "Union"})
_EXACT_KINDS = {"list": ("list", "List"), "dict": ("dict", "Dict"), "set": ("set", "Set")}
# Methods of the value types: an unannotated parameter used with any other attribute is an object.
_VALUE_ATTRIBUTES = frozenset(
    name for kind in (int, str, bytes, tuple, frozenset) for name in dir(kind) if not name.startswith("__")
)
_GUARDED_TO_KEY = {
    "list": ("type({0}) is list", "tuple({0})"),
    "dict": ("type({0}) is dict", "tuple({0}.items())"),
    "set": ("type({0}) is set", "frozenset({0})"),
    "grid": ("type({0}) is list and all(type(row) is list for row in {0})", "tuple(map(tuple, {0}))"),
}
FROM_KEY = {"list": "list({})", "dict": "dict({})", "set": "set({})", "grid": "[list(row) for row in {}]"}


def _name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else None


def proves_value(annotation: cst.BaseExpression) -> bool:
    """The annotation admits only immutable values hashed by value (`int`, `tuple[str, ...]`)."""
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return proves_value(annotation.left) and proves_value(annotation.right)
    if isinstance(annotation, cst.Subscript):
        if _name(annotation.value) not in _CONTAINER_NAMES:
            return False
        return all(
            isinstance(element.slice, cst.Index)
            and (isinstance(element.slice.value, cst.Ellipsis) or proves_value(element.slice.value))
            for element in annotation.slice
        )
    return _name(annotation) in _VALUE_NAMES


def proves_converted(annotation: cst.BaseExpression, kind: str) -> bool:
    """A `list[int]`/`dict[str, int]`/`set[str]` (or `list[list[int]]` for a grid): its exact
    type is promised, so the tuple it becomes and the list it turns back into are what the body saw."""
    if not isinstance(annotation, cst.Subscript):
        return False
    base = "list" if kind == "grid" else kind
    if _name(annotation.value) not in _EXACT_KINDS.get(base, ()):
        return False
    elements = [element.slice for element in annotation.slice]
    if not all(isinstance(element, cst.Index) for element in elements):
        return False
    values = [element.value for element in elements if isinstance(element, cst.Index)]
    if kind == "grid":
        return len(values) == 1 and proves_converted(values[0], "list")
    return all(proves_value(value) for value in values)


def looks_like_object(function: cst.FunctionDef, name: str) -> bool:
    """`name` is used with an attribute no value type has (`node.children`): no value key ever."""

    class _Uses(cst.CSTVisitor):
        found = False

        def visit_Attribute(self, node: cst.Attribute) -> None:
            if isinstance(node.value, cst.Name) and node.value.value == name:
                self.found = self.found or node.attr.value not in _VALUE_ATTRIBUTES

    uses = _Uses()
    function.body.visit(uses)
    return uses.found


def guard_function(name: str) -> cst.FunctionDef:
    """The module-level run-time check that a key is an immutable value of one type family."""
    source = (
        f"def {name}(value):\n"
        f'    """True for a safe cache key: exact int, str, bytes, None, or tuples/frozensets of them."""\n'
        f"    kind = type(value)\n"
        f"    if kind is tuple or kind is frozenset:\n"
        f"        return all({name}(item) for item in value)\n"
        f"    return kind is int or kind is str or kind is bytes or value is None\n"
    )
    statement = cst.parse_statement(source)
    assert isinstance(statement, cst.FunctionDef)
    return statement.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])


def guarded_triple(
    function: cst.FunctionDef, kinds: dict[str, str], guard: str, taken: set[str]
) -> list[cst.FunctionDef] | None:
    """The public wrapper, the cached helper and the plain original, or None for *args/**kwargs."""
    params = function.params
    if isinstance(params.star_arg, cst.Param) or isinstance(params.star_kwarg, cst.Param):
        return None
    if not isinstance(function.body, cst.IndentedBlock):
        return None
    base = function.name.value
    cached, plain = fresh_name(f"_{base}_cached", taken), fresh_name(f"_{base}_plain", taken)
    key = fresh_name("key", taken | {p.name.value for p in parameters(function)})
    names = [p.name.value for p in parameters(function)]
    checks = [_GUARDED_TO_KEY[kinds[n]][0].format(n) for n in names if n in kinds]
    parts = [_GUARDED_TO_KEY[kinds[n]][1].format(n) if n in kinds else n for n in names]
    built = f"({', '.join(parts)},)"
    key_line = f"{key} = {built} if {' and '.join(checks)} else None\n" if checks else f"{key} = {built}\n"
    plain_call = _call(plain, params, {n: n for n in names})
    wrapper_body = [
        cst.parse_statement(key_line),
        cst.parse_statement(f"if {key} is not None and {guard}({key}):\n    return {cached}(*{key})\n"),
        cst.parse_statement(f"return {plain_call}\n"),
    ]
    docstring = _docstring(function.body)
    wrapper = function.with_changes(
        body=function.body.with_changes(body=[*docstring, *wrapper_body]),
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
    )
    restored = {n: FROM_KEY[kinds[n]].format(n) if n in kinds else n for n in names}
    helper_source = (
        f"@functools.cache\ndef {cached}({', '.join(names)}):\n    return {_call(plain, params, restored)}\n"
    )
    helper = cst.parse_statement(helper_source)
    assert isinstance(helper, cst.FunctionDef)
    original = function.with_changes(name=cst.Name(plain), leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    return [wrapper, helper.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()]), original]


def parameters(function: cst.FunctionDef) -> list[cst.Param]:
    """Named parameters in order: positional-only, regular, keyword-only (not *args/**kwargs)."""
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def _call(callee: str, params: cst.Parameters, values: dict[str, str]) -> str:
    positional = [values[p.name.value] for p in (*params.posonly_params, *params.params)]
    keywords = [f"{p.name.value}={values[p.name.value]}" for p in params.kwonly_params]
    return f"{callee}({', '.join([*positional, *keywords])})"


def without_docstring(body: cst.BaseSuite) -> list[cst.BaseStatement]:
    """The statements of a def's body after its docstring, if it has one."""
    statements = list(body.body) if isinstance(body, cst.IndentedBlock) else []
    first = statements[0] if statements else None
    small = first.body[0] if isinstance(first, cst.SimpleStatementLine) else None
    if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
        return statements[1:]
    return statements


def _docstring(body: cst.IndentedBlock) -> list[cst.BaseStatement]:
    return list(body.body[: len(body.body) - len(without_docstring(body))])
