"""OPT029: `if any(f(x) for x in xs): ...` / `return all(...)` -> a plain loop that stops early.

A generator expression inside `any()`/`all()` pays for a generator object, a call, and a frame
resume per item; a `for` loop with `break` (or `return`) decides the same thing at the same item
without them. Found in real hot code: sqlparse's token matcher `imt` (7% of a formatting workload's
own time) tests `if any(token.match(*p) for p in m): return True`; 3x-8x on the test itself.

    if any(E for x in I if C): BODY else: ELSE   ->   for x in I:
                                                         if C:
                                                             if E:
                                                                 BODY
                                                                 break
                                                     else:
                                                         ELSE

`all` tests `not E`; `not any` / `not all` swap the two blocks; `return any(...)` returns True at
the deciding item and False after the loop (`all`: the opposite). Preconditions, checked here:
the builtins are not shadowed in the module, the generator has one `for` clause and is not async,
its loop variables are used nowhere else in the function (the loop leaks them), and the block
moved inside the loop has no `break`/`continue` of its own (they would bind to the new loop).

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25, machine
loaded): 91.2 us -> 41.1 us, 2.22x (a 4-prefix matcher over 100 words).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from optiagent.rewrite.catalogue.base import Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.module_facts import once_per_module
from optiagent.rewrite.catalogue.names import call_name, variable_uses
from optiagent.rewrite.catalogue.regions import ChangeTracker
from optiagent.rewrite.catalogue.transformer_rule import TransformerRule

_BUILTINS = ("any", "all")
_Block = Sequence[cst.BaseStatement]


def _deciding_call(test: cst.BaseExpression) -> tuple[str, bool, cst.GeneratorExp] | None:
    """(builtin, negated, generator) for `any(gen)`, `not all(gen)` and the like."""
    negated = False
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        negated, test = True, test.expression
    name = call_name(test)
    if name not in _BUILTINS or not isinstance(test, cst.Call) or len(test.args) != 1:
        return None
    argument = test.args[0]
    generator = argument.value
    if argument.keyword is not None or argument.star or not isinstance(generator, cst.GeneratorExp):
        return None
    clause = generator.for_in
    if clause.inner_for_in is not None or clause.asynchronous is not None:
        return None
    return str(name), negated, generator


class _LoopControl(cst.CSTVisitor):
    """Finds `break`/`continue` that belong to the block itself (not to loops inside it)."""

    def __init__(self) -> None:
        self.found = False

    def visit_Break(self, node: cst.Break) -> None:
        self.found = True

    def visit_Continue(self, node: cst.Continue) -> None:
        self.found = True

    def visit_For(self, node: cst.For) -> bool:
        if node.orelse is not None:
            node.orelse.visit(self)  # a loop's else clause breaks the enclosing loop
        return False

    def visit_While(self, node: cst.While) -> bool:
        if node.orelse is not None:
            node.orelse.visit(self)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def _has_loop_control(block: _Block) -> bool:
    visitor = _LoopControl()
    for statement in block:
        statement.visit(visitor)
    return visitor.found


def _ends_in_exit(block: _Block) -> bool:
    """Whether the block's last statement leaves the loop anyway (`return`, `raise`)."""
    last = block[-1] if block else None
    return (
        isinstance(last, cst.SimpleStatementLine)
        and len(last.body) == 1
        and isinstance(last.body[0], (cst.Return, cst.Raise))
    )


def _line(node: cst.BaseSmallStatement) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[node])


def _nest(conditions: Sequence[cst.BaseExpression], body: _Block) -> _Block:
    """`if c1: if c2: ... body`, innermost last (each test evaluated once, in order)."""
    block = list(body)
    for condition in reversed(conditions):
        block = [cst.If(test=condition, body=cst.IndentedBlock(body=block))]
    return block


class _LoopTransformer(ChangeTracker):
    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self._shadowed = _shadowed_builtins(module)
        self._function: cst.FunctionDef | None = None
        self._classes = 0  # inside a class body a leaked loop variable would become an attribute

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if self._function is None:
            self._function = node  # the target region: loop variables must be unused elsewhere in it
        return True

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._classes += 1
        return True

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self._classes -= 1
        return updated_node

    def _usable(self, name: str, generator: cst.GeneratorExp) -> bool:
        if name in self._shadowed or self._function is None or self._classes:
            return False
        targets = set(variable_uses(generator.for_in.target))
        inside = variable_uses(generator)
        everywhere = variable_uses(self._function)
        return all(everywhere.count(t) == inside.count(t) for t in targets)

    def _loop(
        self,
        generator: cst.GeneratorExp,
        decides: cst.BaseExpression,
        inside: _Block,
        after: _Block | None,
        like: cst.If | cst.SimpleStatementLine,
    ) -> cst.For:
        clause = generator.for_in
        conditions = [condition.test for condition in clause.ifs] + [decides]
        return cst.For(
            target=clause.target,
            iter=clause.iter,
            body=cst.IndentedBlock(body=_nest(conditions, inside)),
            orelse=cst.Else(body=cst.IndentedBlock(body=list(after))) if after else None,
            leading_lines=like.leading_lines,
        )

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.BaseStatement:
        found = _deciding_call(updated_node.test)
        if found is None or not isinstance(updated_node.body, cst.IndentedBlock):
            return updated_node
        name, negated, generator = found
        if not self._usable(name, generator):
            return updated_node
        body = list(updated_node.body.body)
        orelse = updated_node.orelse
        other: _Block = []
        if isinstance(orelse, cst.Else) and isinstance(orelse.body, cst.IndentedBlock):
            other = list(orelse.body.body)
        elif isinstance(orelse, cst.If):
            other = [orelse]  # an elif chain becomes an if inside the loop's else
        elif orelse is not None:
            return updated_node
        element = generator.elt
        decides = element if name == "any" else cst.UnaryOperation(operator=cst.Not(), expression=element)
        # any: the deciding item runs the if-block; all: it runs the else-block. `not` swaps them.
        on_decision, otherwise = (body, other) if (name == "any") != negated else (other, body)
        if _has_loop_control(on_decision):
            return updated_node
        self.changed = True
        leaves = _ends_in_exit(on_decision)
        inside = on_decision if leaves else [*on_decision, _line(cst.Break())]
        return self._loop(generator, decides, inside, otherwise, updated_node)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.Return):
            return updated_node
        value = updated_node.body[0].value
        found = _deciding_call(value) if value is not None else None
        if found is None:
            return updated_node
        name, negated, generator = found
        if not self._usable(name, generator):
            return updated_node
        element = generator.elt
        decides = element if name == "any" else cst.UnaryOperation(operator=cst.Not(), expression=element)
        early = (name == "any") != negated  # what is returned at the deciding item
        at_item = _line(cst.Return(value=cst.Name(str(early))))
        self.changed = True
        loop = self._loop(generator, decides, [at_item], None, updated_node)
        return cst.FlattenSentinel([loop, _line(cst.Return(value=cst.Name(str(not early))))])


def _shadowed_builtins(module: cst.Module) -> set[str]:
    """`any`/`all` used other than as a call anywhere in the module (a def, an import, a variable)."""
    return set(_shadowed_in(module))


@once_per_module
def _shadowed_in(module: cst.CSTNode) -> frozenset[str]:
    uses = variable_uses(module)
    calls = _BuiltinCalls()
    module.visit(calls)
    return frozenset(name for name in _BUILTINS if uses.count(name) != calls.counts.get(name, 0))


class _BuiltinCalls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in _BUILTINS:
            self.counts[node.func.value] = self.counts.get(node.func.value, 0) + 1


class AnyAllLoopRule(TransformerRule):
    info = RuleInfo(
        id="OPT029",
        title="any()/all() over a generator as a loop",
        explanation="if any(... for x in xs) / return all(...) -> a for loop that breaks or returns at the "
        "deciding item (no generator frame per item)",
        preconditions=(
            Precondition("any/all are the builtins (not redefined in the module)", Discharge.STATIC),
            Precondition(
                "the generator's loop variables are not used elsewhere in the function", Discharge.STATIC
            ),
            Precondition("the moved block has no break/continue of its own", Discharge.STATIC),
        ),
    )

    def make_transformer(self, module: cst.Module) -> ChangeTracker:
        return _LoopTransformer(module)
