"""OPT025: `d = {}` then a loop that only does `d[k] = v` -> a dict comprehension (PERF403).

Same keys, values and insertion order (a repeated key keeps its first position and last
value in both forms).

Preconditions: as for list comprehensions (OPT004): the dict starts empty right before the
loop, the loop only stores into it (with optional nested `for`/`if`), never reads it, and its
variables are not used after the loop; not in a class body.

Micro-benchmark (CPython 3.11, 1000 items): 1.2x.
"""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.append_comprehension import _loop_is_private
from optiagent.rewrite.catalogue.base import RuleInfo
from optiagent.rewrite.catalogue.blocks import (
    BlockRewriter,
    Statements,
    assigned_name,
    leading_lines,
    single_small,
)
from optiagent.rewrite.catalogue.comprehension_shapes import comp_for, loop_nest
from optiagent.rewrite.catalogue.names import mentions
from optiagent.rewrite.catalogue.regions import transform_regions


def empty_dict_init(statement: cst.BaseStatement) -> str | None:
    """`name` for a line `name = {}` / `name: T = {}`, else None."""
    assigned = assigned_name(statement)
    if assigned is None or not isinstance(assigned[1], cst.Dict) or assigned[1].elements:
        return None
    return assigned[0]


def stored_item(small: cst.CSTNode, name: str) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    """(key, value) for `name[key] = value`, else None."""
    if not isinstance(small, cst.Assign) or len(small.targets) != 1:
        return None
    target = small.targets[0].target
    if not (
        isinstance(target, cst.Subscript)
        and isinstance(target.value, cst.Name)
        and target.value.value == name
    ):
        return None
    if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
        return None
    return target.slice[0].slice.value, small.value


class _DictComprehensionRewriter(BlockRewriter):
    def __init__(self, module: cst.Module) -> None:
        super().__init__()

    def rewrite_block(self, statements: Statements) -> Statements | None:
        if self.scope == "class":
            return None
        for index, statement in enumerate(statements):
            name = empty_dict_init(statement)
            if name is None:
                continue
            for later in range(index + 1, len(statements)):
                candidate = statements[later]
                if isinstance(candidate, cst.For):
                    replaced = self._replacement(candidate, name, statement)
                    if replaced is not None:
                        return [
                            *statements[:index],
                            *statements[index + 1 : later],
                            replaced,
                            *statements[later + 1 :],
                        ]
                if mentions(candidate, name):
                    break
        return None

    def _replacement(self, loop: cst.For, name: str, init: cst.BaseStatement) -> cst.BaseStatement | None:
        nest = loop_nest(loop)
        item = stored_item(nest.innermost, name) if nest is not None else None
        if nest is None or item is None or any(mentions(part, name) for part in item):
            return None
        if not _loop_is_private(self, loop, nest, name):
            return None
        built = cst.DictComp(key=item[0], value=item[1], for_in=comp_for(nest.clauses))
        small = single_small(init)
        assert isinstance(small, (cst.Assign, cst.AnnAssign))
        line = init.with_changes(body=[small.with_changes(value=built)])
        return line.with_changes(leading_lines=[*leading_lines(init), *loop.leading_lines])


class DictComprehensionRule:
    info = RuleInfo(
        id="OPT025",
        title="dict built item by item in a loop",
        explanation="d = {}; for ...: d[k] = v -> dict comprehension",
    )

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        return transform_regions(module, qualname, _DictComprehensionRewriter)
