"""How many real hot functions each catalogue rule fires on.

For every library of `realworld_yield.py` (same pinned sdists, venvs and seeded workloads, same
cache), the workload is profiled with cProfile in the library's own venv; its hottest functions
under the package (by own time, at least --min-share of the workload) are outlined with libcst and
every catalogue rule is tried on each, alone. A rule "fires" when it produces a candidate; whether
the candidate is equivalent and faster is what `realworld_yield.py` measures.

Per rule the table shows how many hot functions it fires on and their summed own-time share of
the workloads (a rule on a 10% function counts more than one on a 0.5% function). With
`--hot-from FILE` (an earlier `--json`), the same hot functions are tried again with today's
catalogue, without profiling (fast, and free of profile noise); with `--baseline FILE` the table
also shows the earlier counts, for a before/after comparison.

    python benchmarks/rule_coverage.py [--libs sqlparse,idna] [--top 30] [--min-share 0.005] [--json out.json]
                                       [--hot-from before.json] [--baseline before.json]
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.realworld_yield import (
    DEFAULT_CACHE,
    LIBRARIES,
    Library,
    Paths,
    _default_python,
    _run,
    ensure_venv,
    fetch_sdist,
    fresh_tree,
    prepare_pristine,
)
from optiagent.rewrite.catalogue import all_rules, propose_rewrites
from optiagent.rewrite.functions import FunctionInfo, list_functions


@dataclass
class HotFunction:
    function: str  # file (relative to the package's parent) :: qualname
    own_share: float
    rules: list[str] = field(default_factory=list)


@dataclass
class LibraryCoverage:
    library: str
    functions: list[HotFunction] = field(default_factory=list)
    error: str | None = None


def hot_rows(
    stats: pstats.Stats, package: Path, top: int, min_share: float
) -> list[tuple[str, int, str, float]]:
    """(file, first line, name, own share of the total) of the package's hottest functions."""
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in table.values()) or 1.0
    root = str(package.resolve()) + os.sep
    rows = [
        (os.path.realpath(file), line, name, own / total)
        for (file, line, name), (_, _, own, _, _) in table.items()
        if os.path.realpath(file).startswith(root) and own / total >= min_share
    ]
    rows.sort(key=lambda row: -row[3])
    return rows[:top]


def rules_firing(source: str, qualname: str) -> list[str]:
    return sorted(
        {rule for rewrite in propose_rewrites(source, qualname, max_combinations=0) for rule in rewrite.rules}
    )


def cover(lib: Library, cache: Path, python: str, top: int, min_share: float) -> LibraryCoverage:
    paths = Paths(cache, lib)
    fetch_sdist(paths, python)
    prepare_pristine(paths)
    fresh_tree(paths)  # the venv's editable install points at the work tree
    ensure_venv(paths, python)
    out = paths.logs / "coverage.prof"
    paths.logs.mkdir(parents=True, exist_ok=True)
    env = {"PYTHONPATH": str(paths.pristine / lib.import_root)}
    done = _run([str(paths.python), "-m", "cProfile", "-o", str(out), "bench.py"], paths.pristine, 900, env)
    if done.returncode != 0:
        return LibraryCoverage(lib.name, error=done.stderr[-800:])
    package = paths.pristine / lib.package_dir
    outlines: dict[str, tuple[str, dict[tuple[int, str], FunctionInfo]]] = {}
    coverage = LibraryCoverage(lib.name)
    for file, line, name, share in hot_rows(pstats.Stats(str(out)), package, top, min_share):
        if file not in outlines:
            source = Path(file).read_text(encoding="utf-8")
            infos = list_functions(source)
            outlines[file] = (
                source,
                {(i.start_line, i.name): i for i in infos} | {(i.def_line, i.name): i for i in infos},
            )
        source, table = outlines[file]
        info = table.get((line, name))
        if info is None:  # a lambda or comprehension: not a target of its own
            continue
        relative = os.path.relpath(file, package.parent)
        coverage.functions.append(
            HotFunction(f"{relative}::{info.qualname}", share, rules_firing(source, info.qualname))
        )
    return coverage


def rule_counts(results: Sequence[LibraryCoverage]) -> tuple[Counter[str], Counter[str]]:
    """Per rule: hot functions it fires on, and their summed own-time share (in % of a workload)."""
    counts: Counter[str] = Counter()
    shares: Counter[str] = Counter()
    for result in results:
        for function in result.functions:
            for rule in function.rules:
                counts[rule] += 1
                shares[rule] += function.own_share * 100  # type: ignore[assignment]
    return counts, shares


def _fired(results: Sequence[LibraryCoverage]) -> tuple[int, int]:
    return sum(1 for r in results for f in r.functions if f.rules), sum(len(r.functions) for r in results)


def load(path: Path) -> list[LibraryCoverage]:
    """Results written by --json."""
    return [
        LibraryCoverage(
            entry["library"], [HotFunction(**function) for function in entry["functions"]], entry.get("error")
        )
        for entry in json.loads(path.read_text())
    ]


def recover(lib: Library, cache: Path, earlier: LibraryCoverage) -> LibraryCoverage:
    """The hot functions of an earlier run, tried again with today's catalogue (no profiling)."""
    paths = Paths(cache, lib)
    fetch_sdist(paths, sys.executable)
    prepare_pristine(paths)
    base = (paths.pristine / lib.package_dir).parent
    sources: dict[str, str] = {}
    coverage = LibraryCoverage(lib.name, error=earlier.error)
    for function in earlier.functions:
        relative, qualname = function.function.split("::")
        if relative not in sources:
            sources[relative] = (base / relative).read_text(encoding="utf-8")
        coverage.functions.append(
            HotFunction(function.function, function.own_share, rules_firing(sources[relative], qualname))
        )
    return coverage


def render(results: Sequence[LibraryCoverage], baseline: Sequence[LibraryCoverage] | None = None) -> str:
    counts, shares = rule_counts(results)
    before, _ = rule_counts(baseline or [])
    titles = {rule.info.id: rule.info.title for rule in all_rules()}
    ids = sorted(set(titles) | set(before))
    head = f"{'rule':8} {'before':>6} " if baseline is not None else f"{'rule':8} "
    lines = [head + f"{'hot functions':>13} {'share %':>8}  title", "-" * 80]
    for rule_id in ids:
        first = f"{rule_id:8} {before.get(rule_id, 0):>6} " if baseline is not None else f"{rule_id:8} "
        title = titles.get(rule_id, "(no longer in the catalogue)")
        lines.append(first + f"{counts.get(rule_id, 0):>13} {shares.get(rule_id, 0):>8.1f}  {title}")
    fired, total = _fired(results)
    lines.append(f"\n{fired} of {total} hot functions have at least one rule firing")
    if baseline is not None:
        fired_before, total_before = _fired(baseline)
        lines.append(f"(before: {fired_before} of {total_before})")
    for result in results:
        lines.append(f"\n{result.library}: " + (result.error or ""))
        lines.extend(f"  {f.own_share:6.1%}  {f.function}  {' '.join(f.rules)}" for f in result.functions)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libs", help="comma-separated library names (default: all)")
    parser.add_argument("--top", type=int, default=30, help="hot functions per library")
    parser.add_argument(
        "--min-share", type=float, default=0.005, help="least own-time share of a hot function"
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--python", default=_default_python())
    parser.add_argument("--json", type=Path)
    parser.add_argument("--hot-from", type=Path, help="reuse the hot functions of an earlier --json")
    parser.add_argument("--baseline", type=Path, help="an earlier --json to compare with")
    options = parser.parse_args(argv)
    wanted = set(options.libs.split(",")) if options.libs else None
    libraries = [lib for lib in LIBRARIES if wanted is None or lib.name in wanted]
    if options.hot_from:
        earlier = {r.library: r for r in load(options.hot_from)}
        results = [recover(lib, options.cache, earlier[lib.name]) for lib in libraries if lib.name in earlier]
    else:
        results = [
            cover(lib, options.cache, options.python, options.top, options.min_share) for lib in libraries
        ]
    baseline = load(options.baseline) if options.baseline else None
    if baseline is not None:
        names = {r.library for r in results}
        baseline = [r for r in baseline if r.library in names]
    print(render(results, baseline))
    if options.json:
        options.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
