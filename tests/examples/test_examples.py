"""The bundled examples run, quickly and deterministically, as the demo and end-to-end tests expect."""

from __future__ import annotations

import ast
import functools
import resource
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROGRAMS = EXAMPLES / "programs"
WORKLOAD_DIRS = sorted(p.parent for p in EXAMPLES.glob("*/workload.py"))
PROGRAM_CASES = sorted(
    (main.parent, case)
    for main in PROGRAMS.glob("*/main.py")
    for case in sorted(main.parent.glob("case*.in"))
)
TIME_LIMIT_S = 5.0


@functools.cache
def _run_workload(example: Path) -> tuple[int, str, str, float]:
    """Run an example's workload once (cached) and return (exit code, stdout, stderr, CPU seconds)."""
    return _run([sys.executable, "workload.py"], cwd=example)


def _run(argv: list[str], cwd: Path, stdin: str | None = None) -> tuple[int, str, str, float]:
    """Run a child and return (exit code, stdout, stderr, CPU seconds it used).

    CPU time rather than wall time keeps the limit meaningful on a loaded CI machine.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc.returncode, proc.stdout, proc.stderr, cpu


def _top_level_modules(example: Path) -> set[str]:
    names = {p.stem for p in example.glob("*.py") if p.name != "workload.py"}
    names |= {p.parent.name for p in example.glob("*/__init__.py")}
    return names


def test_there_are_enough_examples() -> None:
    """At least ten workload examples and four stdin programs with two or more cases each are bundled."""
    assert len(WORKLOAD_DIRS) >= 10
    programs = sorted(PROGRAMS.glob("*/main.py"))
    assert len(programs) >= 4
    for main in programs:
        assert len(list(main.parent.glob("case*.in"))) >= 2, main.parent.name


@pytest.mark.parametrize("example", WORKLOAD_DIRS, ids=lambda p: p.name)
def test_example_declares_its_workload(example: Path) -> None:
    """Each example's pyproject.toml tells optiagent to run `python workload.py`."""
    config = tomllib.loads((example / "pyproject.toml").read_text())
    assert config["tool"]["optiagent"]["workload"] == "python workload.py"


def test_example_module_names_are_unique() -> None:
    """No two examples define a top-level module of the same name, nor shadow the stdlib."""
    seen: dict[str, str] = {}
    for example in WORKLOAD_DIRS:
        for name in _top_level_modules(example):
            assert name not in sys.stdlib_module_names, f"{example.name}/{name} shadows the stdlib"
            assert name not in seen, f"{name} defined by both {seen[name]} and {example.name}"
            seen[name] = example.name


@pytest.mark.parametrize("example", WORKLOAD_DIRS, ids=lambda p: p.name)
def test_example_imports_only_stdlib_and_itself(example: Path) -> None:
    """Example code imports nothing outside the standard library and its own directory."""
    local = _top_level_modules(example)
    for source in example.rglob("*.py"):
        tree = ast.parse(source.read_text(), filename=str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            for root in roots:
                assert root in sys.stdlib_module_names or root in local, f"{source}: imports {root}"


@pytest.mark.parametrize("example", WORKLOAD_DIRS, ids=lambda p: p.name)
def test_workload_runs_quickly(example: Path) -> None:
    """The workload exits 0, prints something and uses less than 5 s of CPU."""
    code, out, err, seconds = _run_workload(example)
    assert code == 0, err
    assert out.strip()
    assert seconds < TIME_LIMIT_S, f"{example.name} took {seconds:.2f}s"


@pytest.mark.parametrize("example", WORKLOAD_DIRS, ids=lambda p: p.name)
def test_workload_is_deterministic(example: Path) -> None:
    """Two runs of the workload print exactly the same output."""
    first = _run_workload(example)
    second = _run([sys.executable, "workload.py"], cwd=example)
    assert second[0] == 0, second[2]
    assert first[1] == second[1]


@pytest.mark.parametrize(("program", "case"), PROGRAM_CASES, ids=lambda p: p.stem if p.suffix else p.name)
def test_program_runs_on_case(program: Path, case: Path) -> None:
    """The program exits 0 with non-empty output on the case, within the limit, twice identically."""
    first = _run([sys.executable, "main.py"], cwd=program, stdin=case.read_text())
    assert first[0] == 0, first[2]
    assert first[1].strip()
    assert first[3] < TIME_LIMIT_S, f"{program.name}/{case.name} took {first[3]:.2f}s"
    second = _run([sys.executable, "main.py"], cwd=program, stdin=case.read_text())
    assert second[1] == first[1]


@pytest.mark.parametrize("program", sorted(p.parent for p in PROGRAMS.glob("*/gen.py")), ids=lambda p: p.name)
def test_program_cases_match_their_generator(program: Path, tmp_path: Path) -> None:
    """Running gen.py reproduces the committed .in files byte for byte."""
    copy = tmp_path / program.name
    copy.mkdir()
    (copy / "gen.py").write_text((program / "gen.py").read_text())
    code, _, err, _ = _run([sys.executable, "gen.py"], cwd=copy)
    assert code == 0, err
    generated = sorted(p.name for p in copy.glob("case*.in"))
    assert generated == sorted(p.name for p in program.glob("case*.in"))
    for name in generated:
        assert (copy / name).read_bytes() == (program / name).read_bytes(), name
