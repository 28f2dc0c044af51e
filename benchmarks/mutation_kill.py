"""Mutation kill rate: how many wrong candidates the differential verifier lets through.

Every function of `benchmarks/corpus/*.py` and `examples/*/ex_*.py` is mutated (operator swaps, off-by-one bounds,
boundary changes, dropped statements, swapped arguments, constant changes, early returns);
each mutant is a full module text where exactly one function changed. All mutants of one
function are checked in one sandbox job by the real verifier; a mutant judged equivalent
survives. Survivors are re-checked with a ten times larger search: those it kills count as
missed by the verifier, those still surviving are reported as suspected equivalent mutants, and
kill_rate = killed / (mutants - suspected equivalent).

    python benchmarks/mutation_kill.py --json out.json [--limit-functions 5] [--no-examples]
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.domain.targets import Target, TargetKind
from optiagent.domain.verdicts import Equivalent, Mismatch, Nondeterministic, TimedOut
from optiagent.services.optimize import plan_project, resolve_projects
from optiagent.services.requests import OptimizeRequest, SilentProgress
from optiagent.services.target_run import Services
from optiagent.verify.jobs import CheckSettings, Evidence, check_job
from optiagent.verify.verdicts import CheckOutcome, read_checks

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
EXAMPLES = HERE.parent / "examples"
BATCH = 30

# The verifier as the product runs it (its default example count), functional hashing off so
# every mutant is judged on its own search, never by a twin's verdict; the large search that
# decides "suspected equivalent" draws ten times as many examples from the same strategies.
NORMAL = CheckSettings(stress=False, parallel=1, functional_hashing=False)
BIG = CheckSettings(
    max_examples=NORMAL.max_examples * 10,
    stress=False,
    budget_s=60,
    candidate_budget_s=45,
    parallel=1,
    functional_hashing=False,
)

BINOP_SWAPS: dict[type[ast.operator], tuple[type[ast.operator], ...]] = {
    ast.Add: (ast.Sub,),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Add, ast.FloorDiv),
    ast.FloorDiv: (ast.Mult, ast.Mod),
    ast.Div: (ast.Mult,),
    ast.Mod: (ast.FloorDiv,),
}
# Each comparison gets a boundary change and a negation.
CMP_SWAPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
NAME_SWAPS = {"min": "max", "max": "min", "any": "all", "all": "any"}
SYMBOLS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.FloorDiv: "//",
    ast.Div: "/",
    ast.Mod: "%",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.And: "and",
    ast.Or: "or",
}

# A mutation edits, in place, the node at a given index of `ast.walk(function)` in a fresh copy.
Edit = Callable[[ast.AST, ast.FunctionDef], None]


@dataclass(frozen=True)
class Site:
    index: int
    description: str
    edit: Edit


@dataclass(frozen=True)
class Mutant:
    module: str
    function: str
    description: str
    diff: str
    source: str


@dataclass
class FunctionTarget:
    root: Path
    file: str  # relative to root
    module_name: str
    qualname: str
    group: str  # the table row


@dataclass
class Stats:
    mutants: int = 0
    killed: int = 0  # rejected by the verifier at its product settings
    survived_normal: int = 0
    missed: int = 0  # the verifier accepted them, the large search found a difference
    suspected: int = 0  # no difference found even by the large search
    verdicts: Counter[str] = field(default_factory=Counter)


def _shifted(expr: ast.expr, delta: int) -> ast.expr:
    op: ast.operator = ast.Add() if delta > 0 else ast.Sub()
    return ast.BinOp(left=copy.deepcopy(expr), op=op, right=ast.Constant(abs(delta)))


def _set_attr(name: str, value: object) -> Edit:
    def edit(node: ast.AST, _func: ast.FunctionDef) -> None:
        setattr(node, name, copy.deepcopy(value))

    return edit


def _set_item(name: str, position: int, value: object) -> Edit:
    def edit(node: ast.AST, _func: ast.FunctionDef) -> None:
        getattr(node, name)[position] = copy.deepcopy(value)

    return edit


def _shift_attr(name: str, delta: int) -> Edit:
    def edit(node: ast.AST, _func: ast.FunctionDef) -> None:
        setattr(node, name, _shifted(getattr(node, name), delta))

    return edit


def _shift_item(name: str, position: int, delta: int) -> Edit:
    def edit(node: ast.AST, _func: ast.FunctionDef) -> None:
        items = getattr(node, name)
        items[position] = _shifted(items[position], delta)

    return edit


def _swap_args(position: int) -> Edit:
    def edit(node: ast.AST, _func: ast.FunctionDef) -> None:
        args = getattr(node, "args")  # noqa: B009 - node is an ast.Call
        args[position], args[position + 1] = args[position + 1], args[position]

    return edit


def _first_returned(func: ast.FunctionDef) -> ast.expr:
    for node in ast.walk(func):
        if isinstance(node, ast.Return) and node.value is not None:
            return copy.deepcopy(node.value)
    return ast.Constant(None)


def _early_return(node: ast.AST, func: ast.FunctionDef) -> None:
    body: list[ast.stmt] = getattr(node, "body")  # noqa: B009 - a loop
    body.insert(0, ast.Return(value=_first_returned(func)))


def _negate_test(node: ast.AST, _func: ast.FunctionDef) -> None:
    setattr(node, "test", ast.UnaryOp(op=ast.Not(), operand=getattr(node, "test")))  # noqa: B009, B010


def _constant_changes(value: object) -> list[object]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        changes: list[object] = [value + 1]
        if value == 0:
            return changes
        changes.append(value - 1)
        if value not in (1, 2):
            changes.append(0)
        return changes
    if isinstance(value, str):
        return ["x"] if value == "" else ["", value + "x"]
    return []


def _is_docstring(stmt: ast.stmt, func: ast.FunctionDef) -> bool:
    return (
        bool(func.body)
        and stmt is func.body[0]
        and isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _sites(func: ast.FunctionDef) -> Iterator[Site]:
    skip: set[int] = set()
    # Annotations and f-string formatting are not behaviour worth mutating.
    for sub in (func.returns, *(a.annotation for a in func.args.args)):
        if sub is not None:
            skip.update(id(n) for n in ast.walk(sub))
    for node in ast.walk(func):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            skip.update(id(n) for n in ast.walk(node.format_spec))
    if func.body and _is_docstring(func.body[0], func):
        skip.update(id(n) for n in ast.walk(func.body[0]))
    for index, node in enumerate(ast.walk(func)):
        if id(node) in skip:
            continue
        if isinstance(node, ast.BinOp | ast.AugAssign):
            for new_op in BINOP_SWAPS.get(type(node.op), ()):
                desc = f"operator {SYMBOLS[type(node.op)]} -> {SYMBOLS[new_op]}"
                yield Site(index, desc, _set_attr("op", new_op()))
        elif isinstance(node, ast.Compare):
            for position, cmp in enumerate(node.ops):
                for new_cmp in CMP_SWAPS.get(type(cmp), ()):
                    desc = f"comparison {SYMBOLS[type(cmp)]} -> {SYMBOLS[new_cmp]}"
                    yield Site(index, desc, _set_item("ops", position, new_cmp()))
        elif isinstance(node, ast.BoolOp):
            new_bool: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            desc = f"boolean {SYMBOLS[type(node.op)]} -> {SYMBOLS[type(new_bool)]}"
            yield Site(index, desc, _set_attr("op", new_bool))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield Site(index, "negation removed", _set_attr("op", ast.UAdd()))
        elif isinstance(node, ast.Call):
            yield from _call_sites(index, node)
        elif isinstance(node, ast.Slice):
            for bound in ("lower", "upper"):
                if getattr(node, bound) is not None:
                    for delta in (1, -1):
                        yield Site(index, f"slice {bound} {delta:+d}", _shift_attr(bound, delta))
        elif isinstance(node, ast.Constant):
            for new_value in _constant_changes(node.value):
                desc = f"constant {node.value!r} -> {new_value!r}"
                yield Site(index, desc, _set_attr("value", new_value))
        elif isinstance(node, ast.Name) and node.id in NAME_SWAPS and isinstance(node.ctx, ast.Load):
            desc = f"name {node.id} -> {NAME_SWAPS[node.id]}"
            yield Site(index, desc, _set_attr("id", NAME_SWAPS[node.id]))
        if isinstance(node, ast.For | ast.While):
            yield Site(index, "early return at loop top", _early_return)
        if isinstance(node, ast.If | ast.While | ast.IfExp):
            yield Site(index, "condition negated", _negate_test)
        if isinstance(node, ast.Return) and not (
            isinstance(node.value, ast.Constant) and node.value.value is None
        ):
            yield Site(index, "return value -> None", _set_attr("value", ast.Constant(None)))
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice | ast.Tuple):
            for delta in (1, -1):
                yield Site(index, f"subscript index {delta:+d}", _shift_attr("slice", delta))
        for name in ("body", "orelse"):
            stmts = getattr(node, name, None)
            if not isinstance(stmts, list) or not stmts or not isinstance(stmts[0], ast.stmt):
                continue
            for position, stmt in enumerate(stmts):
                if _is_docstring(stmt, func):
                    continue
                desc = f"dropped statement line {getattr(stmt, 'lineno', '?')}"
                yield Site(index, desc, _set_item(name, position, ast.Pass()))


def _call_sites(index: int, node: ast.Call) -> Iterator[Site]:
    if isinstance(node.func, ast.Name) and node.func.id == "range":
        for position in range(len(node.args)):
            if len(node.args) == 3 and position == 2:
                continue  # the step: changing it is rarely interesting and often loops forever
            for delta in (1, -1):
                desc = f"range argument {position} {delta:+d}"
                yield Site(index, desc, _shift_item("args", position, delta))
    for position in range(len(node.args) - 1):
        if any(isinstance(a, ast.Starred) for a in node.args[position : position + 2]):
            continue
        yield Site(index, f"swapped call arguments {position},{position + 1}", _swap_args(position))


def _function_index(tree: ast.Module, qualname: str) -> int:
    for position, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.FunctionDef) and stmt.name == qualname:
            return position
    raise LookupError(qualname)


def _diff_line(before: str, after: str) -> str:
    lines = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return " | ".join(line.strip() for line in lines[:4])


def mutants_of(source: str, module: str, qualname: str) -> list[Mutant]:
    """Every distinct, compilable single-mutation module text for one function."""
    tree = ast.parse(source)
    position = _function_index(tree, qualname)
    original_func = tree.body[position]
    assert isinstance(original_func, ast.FunctionDef)
    normal_module = ast.unparse(tree)
    normal_func = ast.unparse(original_func)
    seen = {normal_module}
    out: list[Mutant] = []
    for site in _sites(original_func):
        mutated = copy.deepcopy(tree)
        func = mutated.body[position]
        assert isinstance(func, ast.FunctionDef)
        node = list(ast.walk(func))[site.index]
        site.edit(node, func)
        ast.fix_missing_locations(mutated)
        try:
            text = ast.unparse(mutated)
            compile(text, f"<{module}:{qualname}>", "exec")
        except (SyntaxError, ValueError, TypeError, AttributeError, RecursionError):
            continue
        if text in seen:
            continue
        seen.add(text)
        diff = _diff_line(normal_func, ast.unparse(func))
        out.append(Mutant(module, qualname, site.description, diff, text))
    return out


def _fully_hinted(func: ast.FunctionDef) -> bool:
    args = func.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    return bool(every) and all(a.annotation is not None for a in every) and not (args.vararg or args.kwarg)


def _hinted_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [s.name for s in tree.body if isinstance(s, ast.FunctionDef) and _fully_hinted(s)]


def discover(include_examples: bool) -> list[FunctionTarget]:
    found: list[FunctionTarget] = []
    for path in sorted(CORPUS.glob("corpus_*.py")):
        found.extend(
            FunctionTarget(CORPUS, path.name, path.stem, name, path.stem) for name in _hinted_functions(path)
        )
    if include_examples:
        for path in sorted(EXAMPLES.glob("*/ex_*.py")):
            group = f"examples/{path.parent.name}"
            found.extend(
                FunctionTarget(path.parent, path.name, path.stem, name, group)
                for name in _hinted_functions(path)
            )
    return found


def verdict_kind(outcome: CheckOutcome) -> str:
    verdict = outcome.verdict
    if isinstance(verdict, Equivalent):
        return "equivalent"
    if isinstance(verdict, Mismatch):
        return "mismatch"
    if isinstance(verdict, TimedOut):
        return "timed_out"
    if isinstance(verdict, Nondeterministic):
        return "nondeterministic"
    return "no_inputs" if outcome.no_inputs else "crashed"


def workload_evidence(
    box: LocalSandbox, targets: Sequence[FunctionTarget]
) -> dict[tuple[str, str], Evidence]:
    """What the product gathers for an example before checking: its workload's captured calls,
    value shapes and docstring examples (plan_project, as `optiagent optimize` runs it)."""
    found: dict[tuple[str, str], Evidence] = {}
    for root in sorted({t.root for t in targets if t.group.startswith("examples/")}):
        names = tuple(sorted({t.qualname for t in targets if t.root == root}))
        request = OptimizeRequest(root=root, functions=names, max_targets=len(names))
        services = Services(
            sandbox=box,
            store=InMemoryEditStore(),
            generators={},
            progress=SilentProgress(),
            check=request.check,
            bench=request.bench,
            min_speedup=1.05,
            workers=1,
        )
        for project in resolve_projects(request):
            for job in plan_project(project, request, services, "mutation-kill", str(root)).jobs:
                found[(str(root), job.target.qualname)] = job.evidence
    return found


def check(
    box: LocalSandbox,
    target: FunctionTarget,
    mutants: Sequence[Mutant],
    settings: CheckSettings,
    evidence: Evidence | None = None,
) -> list[CheckOutcome]:
    job_target = Target(file=target.file, qualname=target.qualname, kind=TargetKind.FUNCTION)
    evidence = evidence or Evidence(root=str(target.root), base_dir=".", module_name=target.module_name)
    outcomes: list[CheckOutcome] = []
    for start in range(0, len(mutants), BATCH):
        batch = mutants[start : start + BATCH]
        result = box.run(check_job(job_target, evidence, [m.source for m in batch], settings))
        outcomes.extend(read_checks(result, len(batch)))
    return outcomes


def run(
    targets: Sequence[FunctionTarget],
    console: Console,
    survivors_path: Path | None = None,
    big_search: bool = True,
) -> dict[str, Any]:
    box = LocalSandbox()
    started = time.monotonic()
    work: list[tuple[FunctionTarget, list[Mutant]]] = []
    for target in targets:
        source = (target.root / target.file).read_text()
        work.append((target, mutants_of(source, target.module_name, target.qualname)))
    total = sum(len(ms) for _, ms in work)
    console.print(f"{len(work)} functions, {total} mutants")
    evidence = workload_evidence(box, targets)
    captured = sum(bool(e.captures) for e in evidence.values())
    console.print(f"{captured} example functions have captured calls from their workloads")

    stats: dict[str, Stats] = defaultdict(Stats)
    survivors: list[tuple[FunctionTarget, list[Mutant]]] = []
    all_kinds: Counter[str] = Counter()
    with ThreadPoolExecutor(2) as pool:
        futures = [
            (t, ms, pool.submit(check, box, t, ms, NORMAL, evidence.get((str(t.root), t.qualname))))
            for t, ms in work
        ]
        for done, (target, mutants, future) in enumerate(futures, 1):
            outcomes = future.result()
            row = stats[target.group]
            row.mutants += len(mutants)
            alive: list[Mutant] = []
            for mutant, outcome in zip(mutants, outcomes, strict=True):
                kind = verdict_kind(outcome)
                row.verdicts[kind] += 1
                all_kinds[kind] += 1
                if kind == "equivalent":
                    alive.append(mutant)
                else:
                    row.killed += 1
            row.survived_normal += len(alive)
            if alive:
                survivors.append((target, alive))
            console.print(
                f"[{done}/{len(futures)}] {target.module_name}.{target.qualname}: "
                f"{len(mutants)} mutants, {len(alive)} survived ({time.monotonic() - started:.0f}s)"
            )

    console.print(f"big search on {sum(len(ms) for _, ms in survivors)} survivors")
    if survivors_path is not None:
        survivors_path.write_text(
            json.dumps(
                [
                    {"group": t.group, "function": m.function, "mutation": m.description, "diff": m.diff}
                    for t, ms in survivors
                    for m in ms
                ],
                indent=1,
            )
        )
    if not big_search:
        survivors = []
    suspected: list[dict[str, str]] = []
    missed: list[dict[str, str]] = []
    with ThreadPoolExecutor(2) as pool:
        big = [
            (t, ms, pool.submit(check, box, t, ms, BIG, evidence.get((str(t.root), t.qualname))))
            for t, ms in survivors
        ]
        for target, mutants, future in big:
            row = stats[target.group]
            for mutant, outcome in zip(mutants, future.result(), strict=True):
                if isinstance(outcome.verdict, Equivalent):
                    row.suspected += 1
                    suspected.append(
                        {
                            "module": target.group,
                            "function": mutant.function,
                            "mutation": mutant.description,
                            "diff": mutant.diff,
                        }
                    )
                else:
                    row.missed += 1
                    all_kinds["missed_killed_by_big_search"] += 1
                    missed.append(
                        {
                            "module": target.group,
                            "function": mutant.function,
                            "mutation": mutant.description,
                            "diff": mutant.diff,
                        }
                    )

    wall = time.monotonic() - started
    table = Table(title=f"Mutation kill rate (verifier at {NORMAL.max_examples} examples)")
    columns = ("module", "mutants", "killed", "missed", "suspected equivalent", "kill rate")
    for column in columns:
        table.add_column(column, justify="left" if column == "module" else "right")
    for group, row in sorted(stats.items()):
        denominator = row.mutants - row.suspected
        rate = f"{row.killed / denominator:.1%}" if denominator else "-"
        cells = (row.mutants, row.killed, row.mutants - row.killed - row.suspected, row.suspected)
        table.add_row(group, *(str(c) for c in cells), rate)
    mutants_total = sum(r.mutants for r in stats.values())
    killed = sum(r.killed for r in stats.values())
    equivalent = len(suspected)
    kill_rate = killed / (mutants_total - equivalent) if mutants_total > equivalent else 0.0
    table.add_row(
        "total",
        str(mutants_total),
        str(killed),
        str(mutants_total - killed - equivalent),
        str(equivalent),
        f"{kill_rate:.1%}",
        style="bold",
    )
    console.print(table)
    for item in missed:
        console.print(f"  missed: {item['module']}.{item['function']}: {item['mutation']}  [{item['diff']}]")
    for item in suspected:
        console.print(
            f"  suspected: {item['module']}.{item['function']}: {item['mutation']}  [{item['diff']}]"
        )
    console.print(f"verdicts: {dict(all_kinds)}; wall {wall:.0f}s")
    return {
        "mutants": mutants_total,
        "equivalent_suspected": equivalent,
        "killed": killed,
        "kill_rate": kill_rate,
        "missed": mutants_total - killed - equivalent,
        "verifier_examples": NORMAL.max_examples,
        "large_search_examples": BIG.max_examples,
        "survived_normal_search": sum(r.survived_normal for r in stats.values()),
        "verdicts": dict(all_kinds),
        "functions": len(work),
        "wall_s": round(wall, 1),
        "suspected": suspected,
        "missed_mutants": missed,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path, help="write the summary here")
    parser.add_argument("--limit-functions", type=int, default=None, help="only the first N functions")
    parser.add_argument("--only", default="", help="only functions whose group.name contains this")
    parser.add_argument(
        "--no-examples", action="store_true", help="only the corpus, not examples/*/ex_*.py functions"
    )
    parser.add_argument("--survivors", type=Path, help="write the mutants the normal search missed here")
    parser.add_argument(
        "--no-big-search", action="store_true", help="skip the large search (survivors count as alive)"
    )
    parser.add_argument("--list", action="store_true", help="only print mutant counts per function")
    args = parser.parse_args(argv)
    console = Console()
    targets = discover(not args.no_examples)
    if args.only:
        targets = [t for t in targets if args.only in f"{t.group}.{t.qualname}"]
    if args.limit_functions is not None:
        targets = targets[: args.limit_functions]
    if args.list:
        for target in targets:
            source = (target.root / target.file).read_text()
            count = len(mutants_of(source, target.module_name, target.qualname))
            console.print(f"{target.group}.{target.qualname}: {count}")
        return
    summary = run(targets, console, args.survivors, not args.no_big_search)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
