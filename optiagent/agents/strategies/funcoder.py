"""`funcoder`: divide into helper functions, conquer bottom-up, functional consensus (section 6).

plan: the divide pass, depth first: each function is written once (temperature 0.2) and may
declare unimplemented helpers, which become children (shared helpers once; beyond `max_depth`
a child is dropped). generate: the conquer pass, bottom-up: each function is re-sampled on top of
its finished helpers, and the pass-1 version plus the samples are judged by functional consensus
on calls the model proposes (run in the sandbox), with docstring examples as hard tests at the root.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from optiagent.agents.consensus import assertion_expressions, consensus_scores, usable_calls
from optiagent.agents.llm import Reply, provenance
from optiagent.agents.parsing import (
    DraftError,
    ParsedCode,
    code_lines,
    first_code,
    parse_function_code,
    restore_docstring,
    splice_draft,
)
from optiagent.agents.strategies.base import Draft, Work

DIVIDE_RETRIES = 3


@dataclass
class Node:
    name: str
    code: str  # what the model was shown (the stub or the original)
    requirement: str
    depth: int
    first: str = ""  # pass-1 implementation
    reply: Reply | None = None
    children: list[Node] = field(default_factory=list)
    helpers: dict[str, str] = field(default_factory=dict)  # implemented helpers from the answers
    imports: list[str] = field(default_factory=list)
    final: list[str] = field(default_factory=list)  # conquered versions, best first


def requirement_of(code: str, name: str) -> str:
    try:
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
                doc = ast.get_docstring(node)
                if doc:
                    return " ".join(doc.split())
    except SyntaxError:
        pass
    return f"exactly what the current implementation of `{name}` computes, for every input"


@dataclass(frozen=True)
class FunCoderStrategy:
    max_depth: int = 3
    conquer_samples: int = 3
    divide_temperature: float = 0.2
    conquer_temperature: float = 0.8
    test_temperature: float = 0.2
    max_drafts: int = 2
    name: str = "funcoder"

    # -- divide -------------------------------------------------------------------------------
    def plan(self, work: Work) -> Node:
        source = work.context.target_source
        root = Node(work.name, source, requirement_of(source, work.name), 0)
        self._divide(work, root, visited={work.name})
        return root

    def _divide(self, work: Work, node: Node, visited: set[str]) -> bool:
        parsed: ParsedCode | None = None
        for attempt in range(DIVIDE_RETRIES):
            reply = work.session.ask(
                "funcoder.divide",
                temperature=self.divide_temperature,
                sample=attempt,
                code=node.code,
                function_name=node.name,
                requirement=node.requirement,
            )
            try:
                parsed = parse_function_code(first_code(reply.text), node.name)
                node.reply = reply
                break
            except DraftError:
                continue
        if parsed is None:
            return False
        node.first = parsed.function
        node.imports = list(parsed.imports)
        for name, text in parsed.helpers:
            if name in parsed.stubs:
                if name in visited or node.depth + 1 >= self.max_depth:
                    continue
                visited.add(name)
                child = Node(name, text, requirement_of(text, name), node.depth + 1)
                if self._divide(work, child, visited):
                    node.children.append(child)
            else:
                node.helpers[name] = text
        return True

    # -- conquer ------------------------------------------------------------------------------
    def generate(self, work: Work, plan: object) -> list[Draft]:
        assert isinstance(plan, Node)
        if not plan.first:
            return [Draft(self.name, "", None, "the divide step gave no usable implementation of the target")]
        self._conquer(work, plan, is_root=True)
        plan.final = [restore_docstring(version, work.context.target_source) for version in plan.final]
        drafts: list[Draft] = []
        helpers = self._helper_sources(plan)
        for index, function in enumerate(plan.final[: self.max_drafts]):
            details: dict[str, str | int | float] = {"consensus_rank": index}
            if plan.reply is not None:
                details.update(provenance(plan.reply, work.session))
            parsed = ParsedCode(function, tuple(helpers.items()), tuple(self._imports(plan)), ())
            try:
                module = splice_draft(work.context.module_source, work.target.qualname, parsed)
            except DraftError as error:
                drafts.append(Draft(self.name, function, None, str(error), details))
                continue
            drafts.append(Draft(self.name, function, module, "", details))
        return drafts

    def _helper_sources(self, node: Node) -> dict[str, str]:
        found: dict[str, str] = {}
        for child in node.children:
            found.update(self._helper_sources(child))
            if child.final:
                found[child.name] = child.final[0]
        found.update(node.helpers)
        return found

    def _imports(self, node: Node) -> list[str]:
        return [*node.imports, *(line for child in node.children for line in self._imports(child))]

    def _conquer(self, work: Work, node: Node, is_root: bool) -> None:
        for child in node.children:
            self._conquer(work, child, is_root=False)
        node.children = [child for child in node.children if child.final]  # failed children drop out
        helpers = self._helper_sources(node)
        shown = "\n\n".join([*self._imports(node), *helpers.values(), node.first])
        versions = [node.first]
        for sample in range(self.conquer_samples):
            reply = work.session.ask(
                "funcoder.conquer",
                temperature=self.conquer_temperature,
                sample=sample,
                code=shown,
                function_name=node.name,
                requirement=node.requirement,
            )
            try:
                parsed = parse_function_code(first_code(reply.text), node.name)
            except DraftError:
                continue
            if not parsed.stubs and parsed.function not in versions:
                versions.append(parsed.function)
                node.helpers.update(dict(parsed.helpers))
        node.final = self._by_consensus(work, node, versions, is_root)

    def _by_consensus(self, work: Work, node: Node, versions: list[str], is_root: bool) -> list[str]:
        runner = work.context.runner
        if runner is None or len(versions) < 2:
            return versions
        reply = work.session.ask(
            "funcoder.calls", temperature=self.test_temperature, code=node.first, function_name=node.name
        )
        calls = usable_calls(code_lines(reply.text), node.name)
        unit_tests = assertion_expressions(work.context.examples) if is_root else []
        if not calls and not unit_tests:
            return versions
        helpers = "\n\n".join([*self._imports(node), *self._helper_sources(node).values()])
        base = work.context.module_source
        programs = [f"{base}\n\n{helpers}\n\n{version}\n" for version in versions]
        scores = consensus_scores(runner, programs, calls, unit_tests)
        order = sorted(range(len(versions)), key=lambda i: (-scores[i], work.rng.random()))
        return [versions[i] for i in order]
