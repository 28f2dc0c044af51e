"""Base transformer that binds loop-invariant values to fresh locals just before a loop.

Loops are planned outermost first (visit order), so a value invariant in an outer loop is
bound once before it; inner loops only plan what the outer ones left. A statement that is not
inside a loop is also a hoisting point (for the comprehensions it holds). Nested functions,
lambdas and classes are barriers: bindings made outside them are not used inside. So is a
generator expression that is not consumed on the spot (by `any`, `sum`, `"".join`...): it runs
later, when what was hoisted may have changed. A loop that can suspend (`yield`, `await`) hoists
nothing: between two passes the caller's code runs and may change any of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from optiagent.rewrite.catalogue.blocks import leading_lines
from optiagent.rewrite.catalogue.names import fresh_name
from optiagent.rewrite.catalogue.regions import ChangeTracker

Plan = dict[str, tuple[str, cst.BaseExpression]]  # key -> (preferred local name, value to bind)


@dataclass
class _Frame:
    is_loop: bool = False
    barrier: bool = False
    bindings: dict[str, str] = field(default_factory=dict)
    values: dict[str, cst.BaseExpression] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)


_EAGER_CONSUMERS = frozenset(
    {"any", "all", "sum", "min", "max", "sorted", "list", "tuple", "set", "frozenset", "dict", "len"}
)  # fmt: skip


def _consumes_on_the_spot(call: cst.Call) -> bool:
    """`any(<genexp>)`, `"".join(<genexp>)`: the generator runs to its end inside this call."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value in _EAGER_CONSUMERS
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "join"
        and isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString))
    )


class _Suspends(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Yield, cst.Await)):
            self.found = True
        return not self.found and not isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef))


def suspends(node: cst.CSTNode) -> bool:
    """Whether `node` holds a `yield` or `await` of its own scope (nested functions excluded)."""
    finder = _Suspends()
    node.visit(finder)
    return finder.found


class LoopHoister(ChangeTracker):
    """Subclasses implement `plan` and call `binding_for` from their leave_* hooks."""

    def __init__(self, taken: set[str]) -> None:
        super().__init__()
        self.taken = taken
        self._frames: list[_Frame] = []
        self._eager: set[int] = set()  # generator expressions consumed by the call that holds them
        self._lazy: list[bool] = []  # per generator expression entered: whether it pushed a barrier

    def plan(self, node: cst.CSTNode, planned: set[str], in_loop: bool) -> Plan:
        """Keys (with a local name and value) to bind before `node`; `planned` are already bound outside."""
        raise NotImplementedError

    def _visible(self) -> list[_Frame]:
        visible: list[_Frame] = []
        for frame in reversed(self._frames):
            if frame.barrier:
                break
            visible.append(frame)
        return visible

    def in_loop(self) -> bool:
        return any(frame.is_loop for frame in self._visible())

    def binding_for(self, key: str, *, skip_innermost: bool = False) -> str | None:
        """The local bound for `key` by an enclosing hoisting point (marks it used), else None."""
        for frame in self._visible()[1 if skip_innermost else 0 :]:
            if key in frame.bindings:
                if key not in frame.used:
                    frame.used.append(key)
                return frame.bindings[key]
        return None

    def _open(self, node: cst.CSTNode, is_loop: bool) -> None:
        planned = {key for frame in self._visible() for key in frame.bindings}
        frame = _Frame(is_loop=is_loop)
        if is_loop and suspends(node):
            self._frames.append(frame)  # nothing hoisted out of a loop that yields or awaits
            return
        for key, (preferred, value) in self.plan(node, planned, self.in_loop() or is_loop).items():
            frame.bindings[key] = fresh_name(preferred, self.taken)
            frame.values[key] = value
        self._frames.append(frame)

    def _close(
        self, updated: cst.BaseStatement
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        frame = self._frames.pop()
        if not frame.used:
            return updated
        self.changed = True
        hoisted: list[cst.BaseStatement] = [
            cst.SimpleStatementLine(
                body=[
                    cst.Assign(
                        targets=[cst.AssignTarget(cst.Name(frame.bindings[key]))], value=frame.values[key]
                    )
                ]
            )
            for key in frame.used
        ]
        hoisted[0] = hoisted[0].with_changes(leading_lines=leading_lines(updated))
        return cst.FlattenSentinel([*hoisted, updated.with_changes(leading_lines=[])])

    def visit_For(self, node: cst.For) -> None:
        self._open(node, True)

    def leave_For(
        self, original_node: cst.For, updated_node: cst.For
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        return self._close(updated_node)

    def visit_While(self, node: cst.While) -> None:
        self._open(node, True)

    def leave_While(
        self, original_node: cst.While, updated_node: cst.While
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        return self._close(updated_node)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if self.in_loop():
            self._frames.append(_Frame())
        else:
            self._open(node, False)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        return self._close(updated_node)

    def _barrier(self) -> None:
        self._frames.append(_Frame(barrier=True))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._barrier()

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        self._frames.pop()
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._barrier()

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        self._frames.pop()
        return updated_node

    def visit_Call(self, node: cst.Call) -> None:
        if (
            _consumes_on_the_spot(node)
            and len(node.args) == 1
            and isinstance(node.args[0].value, cst.GeneratorExp)
        ):
            self._eager.add(id(node.args[0].value))

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        lazy = id(node) not in self._eager
        self._lazy.append(lazy)
        if lazy:
            self._barrier()

    def leave_GeneratorExp(
        self, original_node: cst.GeneratorExp, updated_node: cst.GeneratorExp
    ) -> cst.BaseExpression:
        if self._lazy.pop():
            self._frames.pop()
        return updated_node

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._barrier()

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.BaseExpression:
        self._frames.pop()
        return updated_node
