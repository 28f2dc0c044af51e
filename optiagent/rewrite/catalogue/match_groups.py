"""OPT034: the same group of one regex match read again and again (`m.group(0)` three times) -> read
once with `:=` where it is first read, and the local reused where that read dominates.

A `re.Match` never changes, so `m.group(1)` gives the same string every time; each repeat is a
method call for nothing. Regex-driven parsers and `re.sub` callbacks repeat them in every branch.

Preconditions (checked, else no rewrite): `m` is a `re.Match`: a parameter of a function passed as
the replacement to `re.sub`/`re.subn` or to `.sub`/`.subn` of a module-level `re.compile(...)`
constant, a name assigned from `re.match/search/fullmatch(...)` or from `.match/.search/.fullmatch`
of such a constant, or the loop variable over their `finditer`; `re` means the module everywhere
in the file; `m` is bound exactly once in the function, by that parameter, assignment or loop, and
that binding comes before the first read (so no read sees another match); the method is `group`,
`groups`, `start`, `end` or `span` (immutable results; not `groupdict`, whose dict a caller may
change) with literal arguments; the first read is evaluated unconditionally (not after `and`/`or`,
in a conditional expression, comprehension or lambda), and only reads in the rest of its
statement-block (and the blocks nested in it) are replaced, so the local is always bound before use;
no read in a lambda or generator expression is replaced (it may run after the local was rebound).

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
841.6 us -> 735.7 us, 1.14x (a re.sub callback; most of the time is the substitution itself).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from optiagent.domain.targets import PROGRAM_QUALNAME
from optiagent.rewrite.catalogue.base import Discharge, Precondition, RuleInfo
from optiagent.rewrite.catalogue.bindings import STAR, binding_counts, module_binding_counts, parse_node
from optiagent.rewrite.catalogue.count_dict import code
from optiagent.rewrite.catalogue.literal_membership import is_hashable_literal
from optiagent.rewrite.catalogue.module_alias import means_module_everywhere
from optiagent.rewrite.catalogue.names import call_name, fresh_name, identifiers
from optiagent.rewrite.catalogue.prefilter import regions_contain
from optiagent.rewrite.catalogue.regions import ChangeTracker, target_qualnames, transform_regions

_PURE_METHODS = frozenset({"group", "groups", "start", "end", "span"})
_MATCHING = frozenset({"match", "search", "fullmatch"})
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_CONDITIONAL = (cst.BooleanOperation, cst.IfExp, cst.ListComp, cst.SetComp, cst.DictComp)


def read_key(node: cst.CSTNode) -> tuple[str, str] | None:
    """(receiver, source) for `m.group(1)`-like calls with literal arguments, else None."""
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return None
    receiver = node.func.value
    if not isinstance(receiver, cst.Name) or node.func.attr.value not in _PURE_METHODS:
        return None
    if any(arg.keyword is not None or arg.star or not is_hashable_literal(arg.value) for arg in node.args):
        return None
    return receiver.value, code(node.with_changes(lpar=[], rpar=[]))


@dataclass
class _Patterns:
    """What the file proves about regular expressions: compiled constants and replacement callbacks."""

    compiled: set[str] = field(default_factory=set)  # module-level names bound once to re.compile(...)
    callbacks: set[str] = field(default_factory=set)  # qualnames of defs passed as a replacement

    def makes_match(self, value: cst.BaseExpression, methods: frozenset[str]) -> bool:
        """`re.match(...)` / `PATTERN.search(...)`-like calls (with `methods` the accepted names)."""
        if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Attribute):
            return False
        owner = value.func.value
        return (
            isinstance(owner, cst.Name)
            and (owner.value == "re" or owner.value in self.compiled)
            and value.func.attr.value in methods
        )


def _replacement_name(call: cst.Call, patterns: _Patterns) -> str | None:
    """The plain name passed as the replacement of a `re.sub`/`PATTERN.sub`-like call, else None."""
    if not patterns.makes_match(call, frozenset({"sub", "subn"})):
        return None
    slot = 1 if call_name(call) in ("re.sub", "re.subn") else 0
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    named = [arg for arg in call.args if arg.keyword is not None and arg.keyword.value == "repl"]
    chosen = named[0] if named else positional[slot] if len(positional) > slot else None
    return chosen.value.value if chosen is not None and isinstance(chosen.value, cst.Name) else None


class _ScopeFacts(cst.CSTVisitor):
    """For one scope's own code (nested scopes skipped): its defs and the names it passes as replacements."""

    def __init__(self, patterns: _Patterns) -> None:
        self.patterns = patterns
        self.defs: list[cst.FunctionDef] = []
        self.replacements: set[str] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.FunctionDef):
            self.defs.append(node)
            return False
        if isinstance(node, (cst.Lambda, cst.ClassDef)):
            return False
        if isinstance(node, cst.Call):
            name = _replacement_name(node, self.patterns)
            if name is not None:
                self.replacements.add(name)
        return True


def _find_callbacks(
    body: Sequence[cst.CSTNode], prefix: str, patterns: _Patterns, counts: dict[str, int], top: dict[str, int]
) -> None:
    """Adds the qualnames of defs passed as replacements: a def of this scope bound once in it, or a
    top-level def bound once in the file; recurses into the defs of this scope."""
    facts = _ScopeFacts(patterns)
    for statement in body:
        statement.visit(facts)
    own = {d.name.value: d for d in facts.defs}
    for name in facts.replacements:
        if name in own and counts[name] == 1:
            patterns.callbacks.add(f"{prefix}{name}")
        elif name not in counts and top.get(name) == 1:
            patterns.callbacks.add(name)  # a top-level def the scope does not shadow
    for function in facts.defs:
        if isinstance(function.body, cst.IndentedBlock):
            inner = binding_counts(parse_node(function))
            _find_callbacks(
                function.body.body, f"{prefix}{function.name.value}.<locals>.", patterns, inner, top
            )


def _patterns(module: cst.Module, counts: dict[str, int]) -> _Patterns:
    patterns = _Patterns()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
            and call_name(small.value) == "re.compile"
            and counts[small.targets[0].target.value] == 1
        ):
            patterns.compiled.add(small.targets[0].target.value)
    top = {name: count for name, count in counts.items()}
    _find_callbacks(module.body, "", patterns, top, top)
    return patterns


class _Binding(cst.CSTVisitor):
    """Where a function binds `name`, in its own scope: the node that binds it, if it makes a Match."""

    def __init__(self, name: str, patterns: _Patterns) -> None:
        self.name = name
        self.patterns = patterns
        self.binder: cst.CSTNode | None = None

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _SCOPES):
            return False
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.Assign) and self.patterns.makes_match(node.value, _MATCHING):
            targets = [t.target for t in node.targets]
        named = isinstance(node, cst.NamedExpr) and self.patterns.makes_match(node.value, _MATCHING)
        looped = isinstance(node, cst.For) and self.patterns.makes_match(node.iter, frozenset({"finditer"}))
        if named or looped:
            targets = [node.target]  # type: ignore[attr-defined]
        if any(isinstance(target, cst.Name) and target.value == self.name for target in targets):
            self.binder = node
        return True


def _match_receivers(function: cst.FunctionDef, qualname: str, patterns: _Patterns) -> dict[str, cst.CSTNode]:
    """Names that hold a re.Match in `function`, each bound exactly once, with the node binding it."""
    counts = binding_counts(parse_node(function))
    params = function.params
    found: dict[str, cst.CSTNode] = {}
    if qualname in patterns.callbacks and len(params.params) >= 1:
        first = params.params[0]
        if counts[first.name.value] == 1:
            found[first.name.value] = first
    for name in {n for n, c in counts.items() if c == 1} - found.keys():
        binding = _Binding(name, patterns)
        function.body.visit(binding)
        if binding.binder is not None:
            found[name] = binding.binder
    return found


class _Reads(cst.CSTVisitor):
    """Reads of `keys` in evaluation order; `conditional` marks those not always evaluated."""

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys
        self.found: list[tuple[tuple[str, str], cst.Call, bool]] = []
        self.conditional = 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (*_SCOPES, cst.GeneratorExp)):  # may run later, when the local was rebound
            return False
        if isinstance(node, cst.BooleanOperation):  # the left operand always runs, the right may not
            node.left.visit(self)
            self.conditional += 1
            node.right.visit(self)
            self.conditional -= 1
            return False
        if isinstance(node, cst.IfExp):  # the test always runs, one branch of the two
            node.test.visit(self)
            self.conditional += 1
            node.body.visit(self)
            node.orelse.visit(self)
            self.conditional -= 1
            return False
        if isinstance(node, _CONDITIONAL):
            self.conditional += 1
        key = read_key(node)
        if key is not None and key[0] in self.keys and isinstance(node, cst.Call):
            self.found.append((key, node, self.conditional > 0))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, _CONDITIONAL) and not isinstance(
            original_node, (cst.BooleanOperation, cst.IfExp)
        ):
            self.conditional -= 1


def _headers(statement: cst.BaseStatement) -> list[cst.CSTNode]:
    """The parts of a statement that run once, before any block it holds."""
    if isinstance(statement, cst.SimpleStatementLine):
        return [statement]
    if isinstance(statement, (cst.If, cst.While)):
        return [statement.test]
    if isinstance(statement, cst.For):
        return [statement.iter]
    if isinstance(statement, cst.With):
        return list(statement.items)
    return []


def _blocks(statement: cst.BaseStatement) -> list[Sequence[cst.BaseStatement]]:
    """The statement lists nested directly in a compound statement."""
    blocks: list[Sequence[cst.BaseStatement]] = []
    for child in statement.children:
        if isinstance(child, cst.IndentedBlock):
            blocks.append(child.body)
        elif isinstance(child, cst.If):  # an `elif`: a statement of its own, run after the `if` test
            blocks.append([child])
        elif isinstance(child, (cst.Else, cst.ExceptHandler, cst.Finally)):
            blocks.extend(_blocks(child))  # type: ignore[arg-type]
    return blocks


@dataclass
class _Plan:
    """Per read (by identity): the local to bind there with `:=`, or the local to read instead."""

    bind: dict[int, str] = field(default_factory=dict)
    reuse: dict[int, str] = field(default_factory=dict)
    locals: dict[str, int] = field(default_factory=dict)  # local -> reads it replaces


class _Planner:
    def __init__(self, receivers: dict[str, cst.CSTNode], taken: set[str], order: dict[int, int]) -> None:
        self.receivers = receivers
        self.taken = taken
        self.order = order  # id(node) -> position in the function's text, for "binding comes first"
        self.plan = _Plan()

    def block(self, statements: Sequence[cst.BaseStatement], bound: dict[tuple[str, str], str]) -> None:
        bound = dict(bound)
        for statement in statements:
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                continue
            for header in _headers(statement):
                reads = _Reads(set(self.receivers))
                header.visit(reads)
                for key, call, conditional in reads.found:
                    if key in bound:
                        self._reuse(call, bound[key])
                    elif not conditional and self._bound_before(key[0], call):
                        local = fresh_name(f"{key[0]}_{call.func.attr.value}", self.taken)  # type: ignore[attr-defined]
                        self.plan.bind[id(call)] = local
                        self.plan.locals[local] = 0
                        bound[key] = local
            for block in _blocks(statement):
                self.block(block, bound)

    def _reuse(self, call: cst.Call, local: str) -> None:
        self.plan.reuse[id(call)] = local
        self.plan.locals[local] += 1

    def _bound_before(self, receiver: str, call: cst.Call) -> bool:
        binder = self.receivers[receiver]
        if isinstance(binder, (cst.Param, cst.For)):  # a loop rebinds it before every pass of its body
            return isinstance(binder, cst.Param) or self.order[id(binder)] < self.order[id(call)]
        return self.order[id(binder)] < self.order[id(call)]


class _Order(cst.CSTVisitor):
    def __init__(self) -> None:
        self.order: dict[int, int] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.order[id(node)] = len(self.order)
        return True


class _Apply(cst.CSTTransformer):
    """Puts the plan into one function; nested functions are rewritten on their own (recursively)."""

    def __init__(self, plan: _Plan, rewrite_nested: Callable[[cst.FunctionDef], cst.FunctionDef]) -> None:
        super().__init__()
        self.plan = plan
        self.rewrite_nested = rewrite_nested

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        return self.rewrite_nested(original_node)  # the plan holds no read of its scope

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        key = id(original_node)
        if key in self.plan.reuse:
            return cst.Name(self.plan.reuse[key], lpar=updated_node.lpar, rpar=updated_node.rpar)
        if key in self.plan.bind:
            return cst.NamedExpr(
                target=cst.Name(self.plan.bind[key]),
                value=updated_node.with_changes(lpar=[], rpar=[]),
                lpar=[cst.LeftParen(), *updated_node.lpar],
                rpar=[*updated_node.rpar, cst.RightParen()],
            )
        return updated_node


class _MatchGroupsTransformer(ChangeTracker):
    def __init__(self, patterns: _Patterns, taken: set[str], qualname: str) -> None:
        super().__init__()
        self.patterns = patterns
        self.taken = taken
        self.qualname = qualname  # of the region this transformer is applied to
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return self.depth == 1  # the region's own def; nested ones are reached through `rewrite`

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.depth -= 1
        return self.rewrite(original_node, self.qualname) if self.depth == 0 else updated_node

    def rewrite(self, function: cst.FunctionDef, qualname: str) -> cst.FunctionDef:
        """`function` with repeated reads shared, in its own scope and in those of nested defs."""
        plan = self._plan(function, qualname)
        self.changed = self.changed or bool(plan.bind)
        nested = f"{qualname}.<locals>."
        apply = _Apply(plan, lambda inner: self.rewrite(inner, nested + inner.name.value))
        return function.with_changes(body=function.body.visit(apply))

    def _plan(self, function: cst.FunctionDef, qualname: str) -> _Plan:
        receivers = _match_receivers(function, qualname, self.patterns)
        if not receivers or not isinstance(function.body, cst.IndentedBlock):
            return _Plan()
        order = _Order()
        function.visit(order)
        planner = _Planner(receivers, set(self.taken), order.order)
        planner.block(function.body.body, {})
        plan = planner.plan
        used = {local for local, reads in plan.locals.items() if reads > 0}
        plan.bind = {key: local for key, local in plan.bind.items() if local in used}
        self.taken |= used
        return plan


class MatchGroupsRule:
    info = RuleInfo(
        id="OPT034",
        title="the same regex match group read again and again",
        explanation="m.group(0) read three times -> (g := m.group(0)) once, then g",
        preconditions=(
            Precondition("m is a re.Match bound once, before the reads", Discharge.STATIC),
            Precondition("the first read dominates the reads replaced", Discharge.STATIC),
        ),
    )

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        if qualname == PROGRAM_QUALNAME:
            return None
        if not regions_contain(module, qualname, lambda node: read_key(node) is not None):
            return None
        if not means_module_everywhere(module, "re"):
            return None
        counts = module_binding_counts(module)
        if counts[STAR]:
            return None
        patterns = _patterns(module, counts)
        taken = identifiers(module)
        regions = iter(target_qualnames(module, qualname))  # transform_regions makes one per region, in order
        return transform_regions(
            module, qualname, lambda _: _MatchGroupsTransformer(patterns, taken, next(regions))
        )
