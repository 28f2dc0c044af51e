"""The analyse step: the problem statement every prompt of a target starts from."""

from __future__ import annotations

from dataclasses import dataclass

from optiagent.agents.retrieval import few_shot_text, similar_edits
from optiagent.domain.targets import Target
from optiagent.ports.generator import TargetContext

MODULE_CONTEXT_CHARS = 6000


@dataclass(frozen=True)
class Problem:
    function_name: str
    text: str  # what the prompts call {{problem}}
    examples_used: int  # few-shot edits retrieved from history


def analyse(target: Target, context: TargetContext) -> Problem:
    name = target.qualname.split(".")[-1]
    parts = [
        f"The function `{name}` (`{target.qualname}` in `{target.file}`) is hot in a profiled workload.",
        f"```python\n{context.target_source.strip()}\n```",
    ]
    if context.module_source.strip() != context.target_source.strip():
        module = context.module_source
        if len(module) > MODULE_CONTEXT_CHARS:
            module = module[:MODULE_CONTEXT_CHARS] + "\n# ... (module truncated)"
        parts.append(f"The module it lives in:\n```python\n{module.strip()}\n```")
    if context.profile_lines:
        parts.append("Profile:\n" + "\n".join(context.profile_lines[:20]))
    if context.examples:
        shown = "\n".join(f">>> {call}\n{expected}" for call, expected in context.examples[:5])
        parts.append(f"Examples from its docstring:\n{shown}")
    retrieved = similar_edits(context.target_source, context.past_edits)
    if retrieved:
        parts.append("Similar code optimized before (accepted edits):\n" + few_shot_text(retrieved))
    if context.feedback:
        parts.append("Notes:\n" + "\n".join(context.feedback))
    return Problem(name, "\n\n".join(parts), len(retrieved))
