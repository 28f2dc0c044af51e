"""Compose several accepted edits of one module into one module text, at the CST level.

Every accepted edit is a whole new module text made from the same original. Each is compared with
the original statement by statement, per scope (the module, and the body of every class whose
header it keeps), by a key: `def f`, `class C`, `x = ...`, or else the statement's code. What an
edit changed is then a set of changes at paths such as `C.method` or `_PATTERN_1`, plus the
imports it added. Changes of different edits at different paths go together into the original's
tree, so every byte outside them stays the original's. The same change made twice is made once;
two different changes at one path (two edits of one function, two helpers of one name) are a
conflict, and the later edit (callers order them fastest first) is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from optiagent.domain.targets import PROGRAM_QUALNAME

Key = tuple[str, str, int]  # (kind, name or code, occurrence among equal (kind, name) in its scope)
Path = tuple[Key, ...]  # the keys of the enclosing classes, then the statement's own key


@dataclass(frozen=True)
class Edit:
    """An accepted edit: the target it was made for and its whole new module text."""

    qualname: str
    source: str


@dataclass(frozen=True)
class Conflict:
    """An edit left out of the composition, and why."""

    qualname: str
    reason: str


@dataclass(frozen=True)
class Composition:
    source: str
    composed: tuple[str, ...]  # qualnames of the edits in `source`, in the order given
    conflicts: tuple[Conflict, ...] = ()


class ComposeError(ValueError):
    """The original or an edit does not parse."""


# -- statements and their keys ------------------------------------------------------------------

_RENDERER = cst.Module(body=[])


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _code(node: cst.BaseStatement) -> str:
    """The statement's code without the blank lines and comments above it (moving those is no change)."""
    bare = node.with_changes(leading_lines=()) if hasattr(node, "leading_lines") else node
    return _RENDERER.code_for_node(bare)


def _assigned_names(statement: cst.SimpleStatementLine) -> str | None:
    if len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign):
        names = [t.target.value for t in small.targets if isinstance(t.target, cst.Name)]
        return ",".join(names) if len(names) == len(small.targets) else None
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        return small.target.value
    return None


def _kind_and_name(statement: cst.BaseStatement) -> tuple[str, str]:
    if isinstance(statement, cst.FunctionDef):
        return "def", statement.name.value
    if isinstance(statement, cst.ClassDef):
        return "class", statement.name.value
    if isinstance(statement, cst.SimpleStatementLine):
        names = _assigned_names(statement)
        if names is not None:
            return "=", names
    return "code", _code(statement)


def _keyed(
    body: Sequence[cst.BaseStatement], module_level: bool
) -> list[tuple[Key | None, cst.BaseStatement]]:
    """Each statement with its key; module-level imports have none (they are merged apart)."""
    seen: dict[tuple[str, str], int] = {}
    keyed: list[tuple[Key | None, cst.BaseStatement]] = []
    for statement in body:
        if module_level and _is_import(statement):
            keyed.append((None, statement))
            continue
        kind, name = _kind_and_name(statement)
        count = seen.get((kind, name), 0)
        seen[(kind, name)] = count + 1
        keyed.append(((kind, name, count), statement))
    return keyed


def _describe(path: Path) -> str:
    parts = []
    for kind, name, _ in path:
        parts.append(name if kind != "code" else f"`{name.strip().splitlines()[0][:60]}`")
    return ".".join(parts)


def _defined_names(key: Key) -> list[str]:
    kind, name, _ = key
    return [] if kind == "code" else name.split(",")


# -- what one edit changed ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Change:
    path: Path
    node: cst.BaseStatement | None  # None: the statement is removed
    inserted: bool = False
    anchors: tuple[Key, ...] = ()  # for an insertion: the statements before it in the edit, nearest first
    after_imports: bool = False  # for an insertion at module level: imports came between it and its anchor

    @property
    def code(self) -> str | None:
        return None if self.node is None else _code(self.node)


def _header(node: cst.ClassDef) -> str:
    return _code(node.with_changes(body=cst.IndentedBlock(body=[cst.SimpleStatementLine([cst.Pass()])])))


def _diff_scope(
    scope: Path, original: Sequence[cst.BaseStatement], edited: Sequence[cst.BaseStatement]
) -> list[_Change]:
    module_level = not scope
    original_keyed = _keyed(original, module_level)
    before = {key: node for key, node in original_keyed if key is not None}
    edited_keyed = _keyed(edited, module_level)
    after = {key: node for key, node in edited_keyed if key is not None}
    # A statement without a name that the edit rewrote shows as removed + inserted: where the
    # insertion follows what the removed one followed, it is a replacement of it (so two edits
    # rewriting one `if __name__ == "__main__":` block differently conflict).
    removed_after: dict[Key | None, Key] = {}
    previous: Key | None = None
    for key, _ in original_keyed:
        if key is None:
            continue
        if key not in after and key[0] == "code":
            removed_after.setdefault(previous, key)
        previous = key
    changes: list[_Change] = []
    replaced: set[Key] = set()
    preceding: list[Key] = []
    import_since_anchor = False
    for key, node in edited_keyed:
        if key is None:
            import_since_anchor = True
            continue
        old = before.get(key)
        if old is None:
            nearest = preceding[-1] if preceding else None
            rewritten = removed_after.get(nearest) if key[0] == "code" else None
            if rewritten is not None and rewritten not in replaced:
                replaced.add(rewritten)
                changes.append(_Change((*scope, rewritten), node))
                key = rewritten  # what later insertions of this edit anchor on, in the composition
            else:
                anchors = tuple(reversed(preceding))
                changes.append(
                    _Change((*scope, key), node, True, anchors, module_level and import_since_anchor)
                )
        elif _code(old) != _code(node):
            changes.extend(_diff_statement((*scope, key), old, node))
        preceding.append(key)
        import_since_anchor = False
    changes.extend(_Change((*scope, key), None) for key in before if key not in after and key not in replaced)
    return changes


def _diff_statement(path: Path, old: cst.BaseStatement, new: cst.BaseStatement) -> list[_Change]:
    """A changed class that keeps its header is compared statement by statement inside."""
    if (
        isinstance(old, cst.ClassDef)
        and isinstance(new, cst.ClassDef)
        and isinstance(old.body, cst.IndentedBlock)
        and isinstance(new.body, cst.IndentedBlock)
        and _header(old) == _header(new)
    ):
        return _diff_scope(path, old.body.body, new.body.body)
    return [_Change(path, new)]


# -- imports ------------------------------------------------------------------------------------

_Spec = tuple[str, int, str, str, str]  # (kind, relative level, module, name, alias)


def _dotted(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return _RENDERER.code_for_node(node)


def _alias_name(alias: cst.ImportAlias) -> str:
    if alias.asname is None or not isinstance(alias.asname.name, cst.Name):
        return ""
    return alias.asname.name.value


def _specs(statement: cst.BaseStatement) -> list[_Spec]:
    specs: list[_Spec] = []
    for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
        if isinstance(small, cst.Import):
            specs.extend(("import", 0, _dotted(a.name), "", _alias_name(a)) for a in small.names)
        elif isinstance(small, cst.ImportFrom):
            level, module = len(small.relative), _dotted(small.module)
            if isinstance(small.names, cst.ImportStar):
                specs.append(("from", level, module, "*", ""))
            else:
                specs.extend(("from", level, module, _dotted(a.name), _alias_name(a)) for a in small.names)
    return specs


def _module_specs(module: cst.Module) -> list[_Spec]:
    return [spec for statement in module.body if _is_import(statement) for spec in _specs(statement)]


def _bound(spec: _Spec) -> str:
    kind, _, module, name, alias = spec
    return alias or (name if kind == "from" else module.split(".")[0])


def _is_future(spec: _Spec) -> bool:
    return spec[0] == "from" and spec[1] == 0 and spec[2] == "__future__"


def _import_statements(specs: Sequence[_Spec]) -> list[cst.BaseStatement]:
    """One statement per plain import; `from m import a` and `from m import b` become one."""
    order: list[str] = []
    names: dict[str, list[str]] = {}
    for kind, level, module, name, alias in specs:
        if kind == "import":
            order.append(f"import {module} as {alias}" if alias else f"import {module}")
            continue
        head = f"from {'.' * level}{module} import "
        if head not in names:
            names[head] = []
            order.append(head)
        names[head].append(f"{name} as {alias}" if alias else name)
    return [cst.parse_statement(line + ", ".join(names[line]) if line in names else line) for line in order]


def _is_docstring(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    return isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))


def _with_imports(body: list[cst.BaseStatement], specs: Sequence[_Spec]) -> list[cst.BaseStatement]:
    """New `__future__` imports after the docstring and the original's; the others after the
    original's leading imports."""
    future = [s for s in specs if _is_future(s)]
    other = [s for s in specs if not _is_future(s)]
    position = 1 if body and _is_docstring(body[0]) else 0
    while (
        position < len(body) and _is_import(body[position]) and any(map(_is_future, _specs(body[position])))
    ):
        position += 1
    futures = _import_statements(future)
    body[position:position] = futures
    position += len(futures)
    while position < len(body) and _is_import(body[position]):
        position += 1
    added = _import_statements(other)
    body[position:position] = added
    following = body[position + len(added)] if added and position + len(added) < len(body) else None
    if following is not None and not _is_import(following) and not getattr(following, "leading_lines", True):
        # imports straight above code that had none: the blank lines a reader expects there
        blank = 2 if isinstance(following, cst.FunctionDef | cst.ClassDef) else 1
        body[position + len(added)] = following.with_changes(leading_lines=[cst.EmptyLine()] * blank)
    return body


# -- composing ----------------------------------------------------------------------------------


@dataclass
class _EditChanges:
    qualname: str
    changes: list[_Change]
    imports: list[_Spec]  # imports it added, in its order


def _parse(source: str, what: str) -> cst.Module:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise ComposeError(f"{what} does not parse: {error}") from error


def _changes_of(original: cst.Module, edit: Edit) -> _EditChanges:
    edited = _parse(edit.source, f"the edit of {edit.qualname}")
    known = set(_module_specs(original))
    added: list[_Spec] = []
    for spec in _module_specs(edited):
        if spec not in known and spec not in added:
            added.append(spec)
    return _EditChanges(edit.qualname, _diff_scope((), original.body, edited.body), added)


@dataclass
class _Accumulated:
    changes: dict[Path, tuple[_Change, str]] = field(default_factory=dict)  # path -> change, its edit
    imports: list[_Spec] = field(default_factory=list)
    imported: dict[str, tuple[_Spec, str]] = field(default_factory=dict)  # bound name -> spec, its edit
    defined: dict[str, str] = field(default_factory=dict)  # module-level names inserted -> its edit


def _path_conflict(state: _Accumulated, edit: _EditChanges) -> str | None:
    for change in edit.changes:
        for path, (other, owner) in state.changes.items():
            common = min(len(path), len(change.path))
            if path[:common] != change.path[:common]:
                continue
            if path == change.path and (other.code, other.inserted) == (change.code, change.inserted):
                continue  # the same change twice: made once
            where = _describe(change.path if len(change.path) <= len(path) else path)
            if where == edit.qualname == owner:
                return f"a faster edit of the same function {where} was kept"
            if change.inserted and other.inserted and path == change.path:
                return f"its edit adds {where} with other code than the faster edit of {owner} does"
            return f"its edit changes {where} differently from the faster edit of {owner}"
    return None


def _name_conflict(state: _Accumulated, edit: _EditChanges) -> str | None:
    for spec in edit.imports:
        name = _bound(spec)
        imported = state.imported.get(name)
        if imported is not None and imported[0] != spec:
            return f"its import binds {name} to something else than the faster edit of {imported[1]} does"
        if name in state.defined:
            return f"its import binds {name}, a name the faster edit of {state.defined[name]} defines"
    for change in edit.changes:
        if change.inserted and len(change.path) == 1:
            for name in _defined_names(change.path[0]):
                if name in state.imported:
                    return f"its edit defines {name}, a name the faster edit of {state.imported[name][1]} imports"
    return None


def _add(state: _Accumulated, edit: _EditChanges) -> None:
    for change in edit.changes:
        state.changes.setdefault(change.path, (change, edit.qualname))
        if change.inserted and len(change.path) == 1:
            for name in _defined_names(change.path[0]):
                state.defined.setdefault(name, edit.qualname)
    for spec in edit.imports:
        if spec not in state.imports:
            state.imports.append(spec)
            state.imported.setdefault(_bound(spec), (spec, edit.qualname))


def _apply_scope(
    scope: Path, body: Sequence[cst.BaseStatement], changes: Sequence[_Change]
) -> list[cst.BaseStatement]:
    depth = len(scope)
    here = [c for c in changes if len(c.path) == depth + 1]
    deeper = [c for c in changes if len(c.path) > depth + 1]
    replaced = {c.path[-1]: c for c in here if not c.inserted}
    result: list[tuple[Key | None, cst.BaseStatement]] = []
    for key, node in _keyed(body, module_level=not scope):
        change = replaced.get(key) if key is not None else None
        if change is not None:
            if change.node is not None:
                result.append((key, change.node))
            continue
        nested = [c for c in deeper if c.path[depth] == key]
        if nested and isinstance(node, cst.ClassDef) and isinstance(node.body, cst.IndentedBlock):
            assert key is not None
            inner = _apply_scope((*scope, key), node.body.body, nested)
            node = node.with_changes(body=node.body.with_changes(body=inner))
        result.append((key, node))
    for change in here:
        if change.inserted and change.node is not None:
            result.insert(_insert_position(result, change), (change.path[-1], change.node))
    return [node for _, node in result]


def _insert_position(result: Sequence[tuple[Key | None, cst.BaseStatement]], change: _Change) -> int:
    keys = [key for key, _ in result]
    position = 0
    for anchor in change.anchors:
        if anchor in keys:
            position = keys.index(anchor) + 1
            break
    if change.after_imports:
        while position < len(result) and result[position][0] is None:
            position += 1
    return position


def changed_outside(original: str, source: str, qualname: str) -> list[str]:
    """The existing statements a candidate made for `qualname` changes or removes outside the
    target's own definition (for a nested target, its enclosing function's), by path such as
    `C.other` or `uts46_remap`. Statements it adds (hoisted constants, helpers) and imports are
    not listed: nothing else uses them. Raises ComposeError when either text does not parse.

    Such a change is checked only through the target's calls: a callee rewritten for its caller
    is never run on its other callers' inputs (idna: a candidate for `encode` rewrote only
    `uts46_remap`, which `decode` calls too)."""
    if qualname == PROGRAM_QUALNAME:
        return []  # a program's target is its whole file
    parts = qualname.split(".")
    own = tuple(parts[: parts.index("<locals>")] if "<locals>" in parts else parts)
    outside = []
    for change in _changes_of(_parse(original, "the original"), Edit(qualname, source)).changes:
        if change.inserted:
            continue
        names = tuple(name for _, name, _ in change.path)
        if names[: len(own)] != own:
            outside.append(_describe(change.path))
    return outside


def compose_edits(original: str, edits: Sequence[Edit]) -> Composition:
    """The edits in the order given (fastest first): each joins unless it conflicts with one before.

    Raises ComposeError when the original or an edit does not parse.
    """
    tree = _parse(original, "the original")
    state = _Accumulated()
    composed: list[str] = []
    conflicts: list[Conflict] = []
    for edit in edits:
        changes = _changes_of(tree, edit)
        reason = _path_conflict(state, changes) or _name_conflict(state, changes)
        if reason is not None:
            conflicts.append(Conflict(edit.qualname, reason))
            continue
        _add(state, changes)
        composed.append(edit.qualname)
    body = _apply_scope((), tree.body, [change for change, _ in state.changes.values()])
    text = tree.with_changes(body=_with_imports(body, state.imports)).code
    _parse(text, "the composed module")  # never hand back a module that does not parse
    return Composition(text, tuple(composed), tuple(conflicts))
