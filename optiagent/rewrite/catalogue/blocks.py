"""Base transformer for rules that rewrite runs of sibling statements (init; loop; after-loop).

Outer blocks are rewritten before the blocks nested in them, so a loop is rewritten at the
outermost level where its pattern holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from optiagent.rewrite.catalogue.regions import ChangeTracker

Statements = list[cst.BaseStatement]


class BlockRewriter(ChangeTracker):
    """Subclasses implement `rewrite_block`; `scope` tells whether the block is in a class body."""

    def __init__(self) -> None:
        super().__init__()
        self._scopes: list[str] = ["module"]
        self._functions: list[cst.CSTNode] = []

    @property
    def scope(self) -> str:
        return self._scopes[-1]

    @property
    def function(self) -> cst.CSTNode | None:
        """The innermost function (or the module, at module level) being rewritten."""
        return self._functions[-1] if self._functions else None

    def rewrite_block(self, statements: Statements) -> Statements | None:
        """A new list for these sibling statements, or None to leave them as they are."""
        raise NotImplementedError

    def _process(self, statements: Statements) -> Statements:
        for _ in range(32):  # a rule may apply several times to one block (e.g. two loops)
            rewritten = self.rewrite_block(statements)
            if rewritten is None:
                break
            self.changed = True
            statements = rewritten
        result: Statements = []
        for statement in statements:
            visited = statement.visit(self)
            if isinstance(visited, cst.BaseStatement):
                result.append(visited)
        return result

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> bool:
        return False

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        return updated_node.with_changes(body=self._process(list(updated_node.body)))

    def visit_Module(self, node: cst.Module) -> bool:
        self._functions.append(node)
        return False

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        result = updated_node.with_changes(body=self._process(list(updated_node.body)))
        self._functions.pop()
        return result

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append("function")
        self._functions.append(node)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self._scopes.pop()
        self._functions.pop()
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scopes.append("class")

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self._scopes.pop()
        return updated_node


def single_small(statement: cst.BaseStatement) -> cst.BaseSmallStatement | None:
    """The only small statement of a simple statement line, else None."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        return statement.body[0]
    return None


def assigned_name(statement: cst.BaseStatement) -> tuple[str, cst.BaseExpression] | None:
    """(name, value) for a line `name = value` or `name: T = value`, else None."""
    small = single_small(statement)
    if (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
    ):
        return small.targets[0].target.value, small.value
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
        return small.target.value, small.value
    return None


def leading_lines(statement: cst.CSTNode) -> Sequence[cst.EmptyLine]:
    """Comments and blank lines above a statement (none for other nodes)."""
    if isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        return statement.leading_lines
    return ()


def simple_line(code: str, like: cst.BaseStatement | None = None) -> cst.BaseStatement:
    """A statement parsed from `code`, taking the leading comments/blank lines of `like`."""
    statement = cst.parse_statement(code if code.endswith("\n") else code + "\n")
    if like is not None:
        statement = statement.with_changes(leading_lines=leading_lines(like))
    return statement
