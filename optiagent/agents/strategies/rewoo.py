"""`rewoo`: one planner call writes the whole investigation with #E evidence variables; the tools
run without the LLM; one solver call writes the code (algorithms.md section 5).

Tools: ReadCode[name], Profile[], Run[call], Time[call], Search[regex], History[]. `#E<n>`
references in a tool input are replaced by the earlier evidence in brackets; unknown tools give
"No evidence found". Unlike the reference parser, any number of variables is accepted and
evidence is keyed by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from optiagent.agents.retrieval import few_shot_text, similar_edits
from optiagent.agents.strategies.base import Draft, Work, draft_from
from optiagent.rewrite.locate import function_source

TOOLS = {
    "ReadCode": "ReadCode[name]: the source of the function or method `name` in the module.",
    "Profile": "Profile[]: what profiling and capture found: captured calls, argument shapes.",
    "Run": "Run[call]: run a call expression such as f(3, [1, 2]) against the original code; its result.",
    "Time": "Time[call]: seconds the original code takes for a call expression.",
    "Search": "Search[regex]: matching lines of the project's Python files.",
    "History": "History[]: similar functions optimized before, with their faster versions.",
}
EVIDENCE = re.compile(r"^\s*(#E\d+)\s*[:=]\s*(.+?)\s*$")
PLAN = re.compile(r"^\s*Plan\s*:\s*(.*)$", re.IGNORECASE)
REFERENCE = re.compile(r"#E\d+")
MAX_STEPS = 8
EVIDENCE_CHARS = 1500


@dataclass(frozen=True)
class Step:
    plan: str
    variable: str
    call: str  # "Tool[input]" or a literal


def parse_plan(text: str) -> list[Step]:
    steps: list[Step] = []
    intent = ""
    for line in text.splitlines():
        if match := PLAN.match(line):
            intent = match.group(1)
        elif match := EVIDENCE.match(line):
            steps.append(Step(intent, match.group(1), match.group(2)))
            intent = ""
    return steps[:MAX_STEPS]


class Toolbox:
    """The tools, bound to one target's context; each returns text and never raises."""

    def __init__(self, work: Work) -> None:
        self._work = work
        self._tools: dict[str, Callable[[str], str]] = {
            "ReadCode": self.read_code,
            "Profile": lambda _: "\n".join(work.context.profile_lines) or "no profile lines",
            "Run": self.run,
            "Time": self.time,
            "Search": self.search,
            "History": self.history,
        }

    def call(self, tool: str, argument: str) -> str:
        handler = self._tools.get(tool)
        if handler is None:
            return "No evidence found"
        try:
            return handler(argument)[:EVIDENCE_CHARS]
        except Exception as error:  # a tool failure is evidence too, never a crash
            return f"{tool} failed: {type(error).__name__}: {error}"

    def read_code(self, name: str) -> str:
        name = name.strip().strip("`'\"") or self._work.target.qualname
        if name in ("target", self._work.name):
            return self._work.context.target_source
        return function_source(self._work.context.module_source, name) or f"no function named {name}"

    def _run_original(self, call: str) -> tuple[str, float]:
        runner = self._work.context.runner
        if runner is None:
            return "running code is not available here", 0.0
        result = runner.run_calls([self._work.context.module_source], [call.strip()])[0][0]
        return (result.output if result.output is not None else f"raised: {result.error}"), result.seconds

    def run(self, call: str) -> str:
        return self._run_original(call)[0]

    def time(self, call: str) -> str:
        output, seconds = self._run_original(call)
        return f"{seconds:.6f} s (result: {output[:200]})"

    def search(self, pattern: str) -> str:
        searcher = self._work.context.search
        if searcher is None:
            return "search is not available here"
        return "\n".join(searcher.search(pattern.strip())) or "no matches"

    def history(self, _: str) -> str:
        found = similar_edits(self._work.context.target_source, self._work.context.past_edits)
        return few_shot_text(found) or "no similar accepted edits"


def execute(steps: list[Step], tools: Toolbox) -> dict[str, str]:
    evidence: dict[str, str] = {}
    for step in steps:
        if "[" not in step.call:
            evidence[step.variable] = step.call
            continue
        tool, _, rest = step.call.partition("[")
        argument = rest[:-1] if rest.endswith("]") else rest
        argument = REFERENCE.sub(
            lambda m: f"[{evidence[m.group(0)]}]" if m.group(0) in evidence else m.group(0), argument
        )
        evidence[step.variable] = tools.call(tool.strip(), argument)
    return evidence


def worker_log(steps: list[Step], evidence: dict[str, str]) -> str:
    return "\n".join(
        f"Plan: {step.plan}\n{step.variable} = {step.call}\nEvidence:\n{evidence.get(step.variable, '')}\n"
        for step in steps
    )


@dataclass(frozen=True)
class ReWOOStrategy:
    temperature: float = 0.5
    solver_samples: int = 1
    name: str = "rewoo"

    def plan(self, work: Work) -> str:
        tools = "\n".join(TOOLS.values())
        reply = work.session.ask(
            "rewoo.plan",
            temperature=self.temperature,
            problem=work.problem.text,
            function_name=work.name,
            tools=tools,
        )
        steps = parse_plan(reply.text)
        if not steps:
            return "(the planner gave no usable plan)"
        return worker_log(steps, execute(steps, Toolbox(work)))

    def generate(self, work: Work, plan: object) -> list[Draft]:
        drafts = []
        for sample in range(self.solver_samples):
            reply = work.session.ask(
                "rewoo.solve",
                temperature=self.temperature,
                sample=sample,
                problem=work.problem.text,
                function_name=work.name,
                evidence=str(plan),
            )
            drafts.append(draft_from(work, self.name, reply))
        return drafts
