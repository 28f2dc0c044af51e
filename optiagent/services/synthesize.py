"""The synthesize use case: a stub (signature + docstring) in, a judged and optimized body out.

1. FunCoder and PlanSearch propose implementations (the agent graph without a validator: there is
   no original to compare with).
2. Every candidate runs in the sandbox against the docstring's examples and tests the model wrote
   from the specification; B4 chooses from that passing matrix.
3. The winner is written into a private copy of the directory and optimized like any other code
   (validated against itself as the new original, benchmarked); the faster version wins if found.
Nothing is written to the user's file unless `apply` is set, and then only if it is unchanged.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from optiagent.agents.llm import LLMSession
from optiagent.agents.strategies.base import Strategy
from optiagent.agents.synthesis import (
    docstring_tests,
    generated_tests,
    is_stub_source,
    judge_b4,
    synthesize_candidates,
)
from optiagent.domain.errors import InputError
from optiagent.domain.report import Report, TargetStatus
from optiagent.domain.targets import Target, TargetKind
from optiagent.ports.generator import TargetContext
from optiagent.ports.sandbox import Sandbox
from optiagent.rewrite.functions import docstring_examples
from optiagent.rewrite.locate import function_source
from optiagent.services.agent_ports import SandboxCodeRunner
from optiagent.services.apply import WriteRefusedError, write_atomically
from optiagent.services.requests import OptimizeRequest, ProgressListener, SilentProgress
from optiagent.verify.jobs import Evidence

COPY_IGNORED = shutil.ignore_patterns(".git", ".venv", ".optiagent", "__pycache__", "node_modules")


@dataclass(frozen=True)
class SynthesizeRequest:
    file: Path
    qualname: str
    optimize: bool = True
    apply: bool = False


@dataclass
class SynthesisResult:
    file: str
    qualname: str
    original: str
    synthesized: str | None = None
    final: str | None = None
    tests: list[str] = field(default_factory=list)
    passed: int = 0
    candidates: int = 0
    speedup: float | None = None
    notes: list[str] = field(default_factory=list)
    llm_calls: int = 0
    llm_tokens: int = 0
    written: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "qualname": self.qualname,
            "status": "synthesized" if self.final else "failed",
            "candidates": self.candidates,
            "tests": self.tests,
            "tests_passed": self.passed,
            "speedup_after_optimizing": self.speedup,
            "notes": self.notes,
            "llm_calls": self.llm_calls,
            "llm_tokens": self.llm_tokens,
            "written": self.written,
            "source": self.final,
        }


def parse_spec(spec: str) -> tuple[Path, str]:
    file, sep, qualname = spec.partition("::")
    if not sep or not qualname or not file:
        raise InputError(f"expected FILE::FUNCTION (e.g. src/mod.py::parse), not {spec!r}")
    path = Path(file)
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file")
    return path, qualname


def synthesize(
    request: SynthesizeRequest,
    sandbox: Sandbox,
    session: LLMSession,
    strategies: Sequence[Strategy],
    optimize: Callable[[OptimizeRequest], Report],
    progress: ProgressListener | None = None,
) -> SynthesisResult:
    progress = progress or SilentProgress()
    raw = request.file.read_bytes()
    source = raw.decode("utf-8")
    stub = function_source(source, request.qualname)
    if stub is None:
        raise InputError(f"{request.file} has no function {request.qualname!r}")
    if not is_stub_source(stub):
        raise InputError(
            f"{request.qualname} already has a body; synthesize fills stubs whose body is `...`, "
            "`pass` or `raise NotImplementedError`"
        )
    result = SynthesisResult(str(request.file), request.qualname, source)
    examples = docstring_examples(source, request.qualname)
    root = request.file.resolve().parent
    evidence = Evidence(root=str(root), base_dir="", module_name=request.file.stem, examples=examples)
    runner = SandboxCodeRunner(sandbox, evidence)
    target = Target(request.file.name, request.qualname, _kind(request.qualname))
    context = TargetContext(module_source=source, target_source=stub, examples=tuple(examples), runner=runner)
    progress.event("synthesis_started", target=request.qualname, strategies=[s.name for s in strategies])
    candidates, notes = synthesize_candidates(target, context, session, strategies)
    progress.event(
        "synthesis_candidates",
        candidates=len(candidates),
        llm_calls=len(session.calls),
        llm_tokens=session.tokens,
    )
    result.notes += list(dict.fromkeys(notes))
    result.candidates = len(candidates)
    tests = docstring_tests(examples) + generated_tests(session, stub, request.qualname.split(".")[-1])
    progress.event(
        "synthesis_tests", tests=len(tests), llm_calls=len(session.calls), llm_tokens=session.tokens
    )
    judged = judge_b4(runner, candidates, tests)
    progress.event(
        "synthesis_judged", usable=len(judged.sources), passed=judged.best_passes, tests=len(judged.tests)
    )
    result.tests = judged.tests
    result.llm_calls, result.llm_tokens = len(session.calls), session.tokens
    if not judged.sources:
        result.notes.append("no candidate implementation could be used")
        return result
    result.synthesized = result.final = judged.sources[0]
    result.passed = judged.best_passes
    if request.optimize:
        progress.event("synthesis_optimizing", target=request.qualname)
        _optimize_copy(request, result, optimize)
    result.llm_calls, result.llm_tokens = len(session.calls), session.tokens
    if request.apply and result.final is not None:
        try:
            write_atomically(request.file, result.final, hashlib.sha256(raw).hexdigest())
            result.written = True
        except WriteRefusedError:
            result.notes.append("not written: the file changed while synthesizing")
    return result


def _kind(qualname: str) -> TargetKind:
    return TargetKind.METHOD if "." in qualname else TargetKind.FUNCTION


def _optimize_copy(
    request: SynthesizeRequest, result: SynthesisResult, optimize: Callable[[OptimizeRequest], Report]
) -> None:
    """Optimize the synthesized code in a private copy of its directory."""
    assert result.synthesized is not None
    with tempfile.TemporaryDirectory(prefix="optiagent-synth-") as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(request.file.resolve().parent, copy, ignore=COPY_IGNORED, symlinks=True)
        target_file = copy / request.file.name
        target_file.write_text(result.synthesized, encoding="utf-8")
        report = optimize(OptimizeRequest(root=target_file, functions=(request.qualname,), max_targets=1))
    for target in report.targets:
        if target.status is TargetStatus.IMPROVED and target.new_source:
            result.final, result.speedup = target.new_source, target.speedup
            result.notes.append(f"optimized after synthesis: {target.speedup:.2f}x ({target.strategy})")
            return
        if target.reason:
            result.notes.append(f"optimization: {target.status.value}: {target.reason[:300]}")
