"""Prompt files: front matter, declared inputs agree with the template, rendering is strict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from optiagent.agents.prompts import PROMPTS_DIR, PromptError, check_prompts, load_prompts, parse_prompt

GOOD = "---\nid: demo.step\nversion: 2\ninputs: [code, name]\n---\n## system\nHelp with {{name}}.\n## user\n{{code}}\n"


def test_the_shipped_prompts_agree_with_their_inputs() -> None:
    assert check_prompts() == []
    prompts = load_prompts()
    assert {
        "optimize.sample",
        "optimize.repair",
        "rewoo.plan",
        "funcoder.divide",
        "plansearch.observe",
    } <= set(prompts)
    done = subprocess.run(
        [sys.executable, "-m", "optiagent.agents.prompts"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (GOOD.replace("{{code}}", "{{code}} {{extra}}"), "not declared as inputs: ['extra']"),
        (GOOD.replace("{{code}}", "code"), "never used: ['code']"),
        (GOOD.replace("id: demo.step", "id: other"), "does not match the file name"),
        (GOOD.replace("version: 2", "version: two"), "version must be a whole number"),
        (GOOD.replace("## user\n", ""), "one '## system' and one '## user'"),
        (GOOD.replace("inputs: [code, name]", "inputs: code"), "inputs must be a list"),
        (GOOD[4:], "front matter"),
    ],
)
def test_check_reports_each_disagreement(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "demo.step.md").write_text(text)
    problems = check_prompts(tmp_path)
    assert any(problem in p for p in problems), problems
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; from pathlib import Path; from optiagent.agents.prompts import check_prompts; sys.exit(1 if check_prompts(Path({str(tmp_path)!r})) else 0)",
        ],
        check=False,
    )
    assert done.returncode == 1


def test_render_substitutes_verbatim_and_refuses_wrong_inputs() -> None:
    template = parse_prompt(GOOD, "demo.step.md")
    system, user = template.render(code="x = {'a': 1}", name="f")
    assert system.content == "Help with f." and user.content == "x = {'a': 1}"
    assert template.ref == "demo.step@2" and len(template.digest) == 64
    with pytest.raises(PromptError, match="missing inputs"):
        template.render(code="x")
    with pytest.raises(PromptError, match="unexpected inputs"):
        template.render(code="x", name="f", other="y")


def test_every_shipped_prompt_declares_an_id_matching_its_file() -> None:
    for path in PROMPTS_DIR.glob("*.md"):
        assert parse_prompt(path.read_text(), path.name).id == path.stem
