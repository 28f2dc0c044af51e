"""The ports an LLM agent gets for one target: sandboxed validation, code runs, repo search, history.

`agent_context` builds the `TargetContext`; the validator runs the same batched sandbox check the
pipeline uses (so verdicts land in the verdict cache and the pipeline's own check afterwards only
re-times the survivors).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from optiagent.domain.targets import Target
from optiagent.domain.verdicts import Equivalent, Mismatch, verdict_name
from optiagent.ports.generator import CallResult, PastEdit, TargetContext, Validation
from optiagent.ports.sandbox import Sandbox
from optiagent.ports.store import EditStore
from optiagent.rewrite.locate import function_source
from optiagent.verify.jobs import Evidence
from optiagent.verify.probe import probe_job, read_probe
from optiagent.verify.verdicts import CheckOutcome

MAX_PAST_EDITS = 200
SEARCH_MAX_FILES = 500
SEARCH_TIMEOUT_S = 5.0
SEARCH_MEMORY_BYTES = 512 * 2**20


def validation_of(outcome: CheckOutcome) -> Validation:
    verdict = outcome.verdict
    if isinstance(verdict, Equivalent):
        # A first timing on a pass too short to time would send a correct candidate to repair.
        return Validation(True, "equivalent", "", outcome.timing_hint)
    if isinstance(verdict, Mismatch):
        feedback = (
            f"{verdict.detail} on a {verdict.source} input. Shrunk counterexample: "
            f"{verdict.counterexample[:600]}"
        )
        return Validation(False, "mismatch", feedback)
    return Validation(False, verdict_name(verdict), str(getattr(verdict, "detail", ""))[:600])


class SandboxValidator:
    def __init__(self, check: Callable[[Sequence[str]], list[CheckOutcome]]) -> None:
        self._check = check

    def validate(self, sources: Sequence[str]) -> list[Validation]:
        return [validation_of(outcome) for outcome in self._check(sources)]


class SandboxCodeRunner:
    def __init__(self, sandbox: Sandbox, evidence: Evidence) -> None:
        self._sandbox = sandbox
        self._evidence = evidence

    def run_calls(self, programs: Sequence[str], calls: Sequence[str]) -> list[list[CallResult]]:
        if not programs or not calls:
            return [[] for _ in programs]
        result = self._sandbox.run(probe_job(self._evidence, programs, calls))
        return read_probe(result, len(programs), len(calls))


class ProjectSearch:
    """Regex search over the project's Python files, for an LLM's tool calls.

    The pattern is chosen by a model that reads the project's (a stranger's) code, so it may be
    one that backtracks for ever: the search runs in a child interpreter with a deadline and a
    memory cap, and a search that overruns says so instead of holding the worker."""

    def __init__(self, root: Path, timeout_s: float = SEARCH_TIMEOUT_S) -> None:
        self._root, self._timeout_s = root, timeout_s

    def search(self, pattern: str, limit: int = 20) -> list[str]:
        command = [sys.executable, "-I", "-S", "-c", _SEARCH, str(self._root), pattern, str(limit)]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=self._timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            return [f"search stopped after {self._timeout_s:g} s: use a simpler pattern"]
        if done.returncode != 0:
            return ["search failed: use a simpler pattern"]
        hits: list[str] = json.loads(done.stdout or "[]")
        return hits


# Run by the child: stdlib only, no site-packages; memory capped before anything is read.
_SEARCH = f"""
import json, re, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, ({SEARCH_MEMORY_BYTES}, {SEARCH_MEMORY_BYTES}))
root, pattern, limit = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
try:
    regex = re.compile(pattern)
except (re.error, RecursionError, OverflowError):
    regex = re.compile(re.escape(pattern))
hits = []
for path in sorted(root.rglob("*.py"))[:{SEARCH_MAX_FILES}]:
    if any(part.startswith(".") for part in path.relative_to(root).parts) or path.is_symlink():
        continue
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        continue
    for number, line in enumerate(lines, 1):
        if regex.search(line):
            hits.append(f"{{path.relative_to(root)}}:{{number}}: {{line.strip()[:160]}}")
            if len(hits) >= limit:
                break
    if len(hits) >= limit:
        break
print(json.dumps(hits))
"""


def past_edits(store: EditStore) -> list[PastEdit]:
    """Accepted edits as (function before, function after) pairs, newest first."""
    found: list[PastEdit] = []
    for edit in store.accepted_edits()[-MAX_PAST_EDITS:][::-1]:
        before = function_source(edit.original_source, edit.qualname)
        after = function_source(edit.optimized_source, edit.qualname)
        if before and after:
            found.append(PastEdit(edit.qualname, before, after, edit.speedup))
    return found


def profile_lines(target: Target | None, evidence: Evidence) -> list[str]:
    """What profiling and capture learned about the target, for prompts and ReWOO's Profile tool.

    Only what is stable from run to run (no timings), so a re-run sends the same prompts.
    """
    lines = []
    if target is not None and target.kind.value == "method":
        lines.append("a method: it is called on instances of its class")
    calls = sum(1 for name in evidence.captures if name.endswith(".pkl"))
    lines.append(f"captured real calls: {calls}" if calls else "no captured calls (inputs are generated)")
    for name, shape in list(evidence.shapes.items())[:8]:
        lines.append(f"argument {name}: {str(shape)[:160]}")
    return lines


def agent_context(
    base: TargetContext,
    sandbox: Sandbox,
    store: EditStore,
    evidence: Evidence,
    check: Callable[[Sequence[str]], list[CheckOutcome]],
    target: Target | None = None,
) -> TargetContext:
    return TargetContext(
        module_source=base.module_source,
        target_source=base.target_source,
        profile_lines=[*base.profile_lines, *profile_lines(target, evidence)],
        feedback=base.feedback,
        examples=tuple(evidence.examples),
        past_edits=past_edits(store),
        validator=SandboxValidator(check),
        runner=SandboxCodeRunner(sandbox, evidence),
        search=ProjectSearch(Path(evidence.root)),
    )
