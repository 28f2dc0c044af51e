"""Prompt templates from `optiagent/prompts/`: one file per agent step, with front matter.

    ---
    id: plansearch.observe
    version: 1
    inputs: [problem, count]
    ---
    ## system
    ... {{problem}} ...
    ## user
    ...

A template's placeholders (`{{name}}`) must be exactly its declared inputs; `check_prompts`
verifies that for every file (run by tools/check as `python -m optiagent.agents.prompts`).
Rendering substitutes values verbatim, so code with braces needs no escaping.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from optiagent.ports.llm import Message

# Package data (optiagent/prompts), so a wheel and an editable install find the templates alike.
PROMPTS_DIR = Path(str(resources.files("optiagent") / "prompts"))
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)


class PromptError(ValueError):
    """A prompt file that does not follow the format, or a render with the wrong inputs."""


@dataclass(frozen=True)
class PromptTemplate:
    id: str
    version: int
    inputs: tuple[str, ...]
    system: str
    user: str
    digest: str  # sha256 of the file text: what the candidate's provenance records

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def placeholders(self) -> set[str]:
        return set(PLACEHOLDER.findall(self.system)) | set(PLACEHOLDER.findall(self.user))

    def render(self, **values: object) -> tuple[Message, ...]:
        missing = set(self.inputs) - set(values)
        extra = set(values) - set(self.inputs)
        if missing or extra:
            raise PromptError(
                f"{self.ref}: missing inputs {sorted(missing)}, unexpected inputs {sorted(extra)}"
            )

        def fill(text: str) -> str:
            return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)

        return (Message("system", fill(self.system)), Message("user", fill(self.user)))


def parse_prompt(text: str, origin: str = "<prompt>") -> PromptTemplate:
    if not text.startswith("---\n"):
        raise PromptError(f"{origin}: must start with a '---' front matter block")
    try:
        header, body = text[4:].split("\n---\n", 1)
    except ValueError:
        raise PromptError(f"{origin}: front matter is not closed by '---'") from None
    fields: dict[str, str] = {}
    for line in header.splitlines():
        if line.strip():
            key, sep, value = line.partition(":")
            if not sep:
                raise PromptError(f"{origin}: front matter line {line!r} is not 'key: value'")
            fields[key.strip()] = value.strip()
    for key in ("id", "version", "inputs"):
        if key not in fields:
            raise PromptError(f"{origin}: front matter needs {key!r}")
    if not fields["version"].isdigit():
        raise PromptError(f"{origin}: version must be a whole number, not {fields['version']!r}")
    listed = fields["inputs"].strip()
    if not (listed.startswith("[") and listed.endswith("]")):
        raise PromptError(f"{origin}: inputs must be a list like [problem, count]")
    inputs = tuple(name.strip() for name in listed[1:-1].split(",") if name.strip())
    parts = SECTION.split(body)
    sections = dict(zip(parts[1::2], (part.strip("\n") for part in parts[2::2]), strict=True))
    if set(sections) != {"system", "user"} or len(parts) != 5:
        raise PromptError(f"{origin}: needs exactly one '## system' and one '## user' section")
    return PromptTemplate(
        id=fields["id"],
        version=int(fields["version"]),
        inputs=inputs,
        system=sections["system"],
        user=sections["user"],
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def check_prompts(directory: Path = PROMPTS_DIR) -> list[str]:
    """Every problem with the prompt files: format, id matching the file name, inputs vs placeholders."""
    problems: list[str] = []
    files = sorted(directory.glob("*.md"))
    if not files:
        return [f"{directory}: no prompt files"]
    for path in files:
        try:
            template = parse_prompt(path.read_text(encoding="utf-8"), path.name)
        except PromptError as error:
            problems.append(str(error))
            continue
        if path.stem != template.id:
            problems.append(f"{path.name}: id {template.id!r} does not match the file name")
        used, declared = template.placeholders(), set(template.inputs)
        if used - declared:
            problems.append(f"{path.name}: placeholders not declared as inputs: {sorted(used - declared)}")
        if declared - used:
            problems.append(f"{path.name}: declared inputs never used: {sorted(declared - used)}")
    return problems


@cache
def load_prompts(directory: Path = PROMPTS_DIR) -> dict[str, PromptTemplate]:
    problems = check_prompts(directory)
    if problems:
        raise PromptError("; ".join(problems))
    templates = [parse_prompt(p.read_text(encoding="utf-8"), p.name) for p in sorted(directory.glob("*.md"))]
    return {template.id: template for template in templates}


def prompt(prompt_id: str) -> PromptTemplate:
    return load_prompts()[prompt_id]


def main() -> int:
    problems = check_prompts()
    for problem in problems:
        print(f"prompts: {problem}", file=sys.stderr)
    if not problems:
        print(f"prompts: {len(list(PROMPTS_DIR.glob('*.md')))} templates agree with their inputs")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
