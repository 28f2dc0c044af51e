"""Module-level additions: `import x` lines and constants placed after the imports."""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.names import mentions


def _is_docstring(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    return isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))


def _is_future_import(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return any(
        isinstance(small, cst.ImportFrom)
        and isinstance(small.module, cst.Name)
        and small.module.value == "__future__"
        for small in statement.body
    )


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def imports_module(module: cst.Module, name: str) -> bool:
    """Whether a top-level statement does a plain `import name` (no alias)."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if alias.asname is None and isinstance(alias.name, cst.Name) and alias.name.value == name:
                        return True
    return False


def ensure_import(module: cst.Module, name: str, *, before: cst.Module | None = None) -> cst.Module | None:
    """`module` with `import name` at the top (after docstring and __future__), or None if `name`
    already means something else in `before` (the module as it was before the rewrite)."""
    original = module if before is None else before
    if imports_module(original, name):
        return module
    if mentions(original, name):
        return None
    position = 0
    for index, statement in enumerate(module.body):
        if (index == 0 and _is_docstring(statement)) or _is_future_import(statement):
            position = index + 1
    line = cst.SimpleStatementLine(body=[cst.Import(names=[cst.ImportAlias(name=cst.Name(name))])])
    body = list(module.body)
    body.insert(position, line)
    return module.with_changes(body=body)


def _imports_name(statement: cst.BaseStatement, name: str) -> bool:
    return _is_import(statement) and name in {
        alias.evaluated_alias or alias.evaluated_name
        for small in statement.body  # type: ignore[attr-defined]
        if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar)
        for alias in small.names
    }


def insert_after_imports(
    module: cst.Module, statements: list[cst.BaseStatement], *, after_import_of: str = ""
) -> cst.Module:
    """`module` with `statements` placed after the leading imports (and after `import after_import_of`)."""
    position = 0
    leading = True
    for index, statement in enumerate(module.body):
        is_header = (
            _is_import(statement) or _is_future_import(statement) or (index == 0 and _is_docstring(statement))
        )
        if leading and is_header:
            position = index + 1
        else:
            leading = False
        if after_import_of and _imports_name(statement, after_import_of):
            position = max(position, index + 1)
    body: list[cst.BaseStatement] = list(module.body)
    body[position:position] = statements
    return module.with_changes(body=body)
