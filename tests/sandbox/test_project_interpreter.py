"""Jobs under a project's own interpreter: venvs of other minor versions and with conflicting
packages, in both backends; the harness brings hypothesis and all it needs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.docker_python import interpreter_mounts
from optiagent.adapters.sandbox.docker_sandbox import DockerSandbox
from optiagent.adapters.sandbox.harness_root import build_harness_root, harness_source_dir, local_closure
from optiagent.adapters.sandbox.interpreter import describe
from optiagent.domain.targets import Target, TargetKind
from optiagent.ports.sandbox import (
    InterpreterUnavailableError,
    Sandbox,
    SandboxJob,
    SandboxLimits,
    SandboxStatus,
)
from optiagent.verify.jobs import RESULT_FILE, CheckSettings, Evidence, check_job, timing_job
from optiagent.verify.probe import probe_job, read_probe
from optiagent.verify.verdicts import read_checks

PYENV = Path("/root/.pyenv/versions")
ORIGINAL = '''
def total(xs: list[int]) -> int:
    """Sum of squares."""
    out = 0
    for x in xs:
        out += x * x
    return out
'''
FASTER = "def total(xs: list[int]) -> int:\n    return sum(x * x for x in xs)\n"
WRONG = "def total(xs: list[int]) -> int:\n    return sum(xs)\n"
# Versions hypothesis itself was released with long before ours, to conflict with it.
CONFLICTING = ("hypothesis==6.0.0", "attrs==19.2.0", "sortedcontainers==2.1.0")


def _base(version: str) -> Path:
    matches = sorted(PYENV.glob(f"{version}.*/bin/python"))
    if not matches:
        pytest.skip(f"no Python {version} here")
    return matches[-1]


def _venv(root: Path, name: str, base: Path, packages: tuple[str, ...] = ()) -> str:
    if shutil.which("uv") is None:
        pytest.skip("uv is not installed")
    venv = root / name
    subprocess.run(["uv", "venv", "-q", "--python", str(base), str(venv)], check=True, timeout=120)
    if packages:
        done = subprocess.run(
            ["uv", "pip", "install", "-q", "--python", str(venv / "bin" / "python"), *packages],
            capture_output=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot install {packages}: {done.stderr.decode()[-300:]}")
    return str(venv / "bin" / "python")


@pytest.fixture(scope="session")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Where the venvs go; each is made on first use."""
    yield {"root": tmp_path_factory.mktemp("venvs")}


def _interpreter(kind: str, venvs: dict[str, Path]) -> str:
    root = venvs["root"]
    made = root / kind / "bin" / "python"
    if made.exists():
        return str(made)
    if kind == "py310":
        return _venv(root, kind, _base("3.10"))
    if kind == "py312":
        return _venv(root, kind, _base("3.12"))
    return _venv(root, kind, _base("3.12"), CONFLICTING)


@pytest.mark.parametrize("kind", ["py310", "py312", "conflicting"])
def test_check_time_and_probe_jobs_run_under_a_project_venv(
    kind: str, box: Sandbox, venvs: dict[str, Path], tmp_path: Path
) -> None:
    """Under a venv of another minor version, or one holding old hypothesis/attrs, the harness
    finds its own complete dependencies: verdicts, timings and probe outputs are right."""
    python = _interpreter(kind, venvs)
    (tmp_path / "mod.py").write_text(ORIGINAL)
    target = Target(file="mod.py", qualname="total", kind=TargetKind.FUNCTION)
    evidence = Evidence(root=str(tmp_path), base_dir=".", module_name="mod", python=python)

    checked = box.run(
        check_job(target, evidence, [FASTER, WRONG], CheckSettings(max_examples=20, stress=False))
    )
    outcomes = read_checks(checked, 2)
    assert [type(o.verdict).__name__ for o in outcomes] == ["Equivalent", "Mismatch"], (
        checked.stderr.decode()[-2000:]
    )

    timed = box.run(
        timing_job(target, evidence, FASTER, outcomes[0].bench_inputs, 3, SandboxLimits(timeout_s=60))
    )
    assert timed.status is SandboxStatus.OK and RESULT_FILE in timed.files, timed.stderr.decode()[-2000:]

    probed = box.run(probe_job(evidence, [ORIGINAL, FASTER], ["total([1, 2, 3])"]))
    assert [row[0].output for row in read_probe(probed, 2, 1)] == ["14", "14"], probed.stderr.decode()[-2000:]


def test_the_harness_imports_our_hypothesis_before_the_projects(box: Sandbox, venvs: dict[str, Path]) -> None:
    """The project's old hypothesis does not shadow ours; the project's own attrs stays importable."""
    python = _interpreter("conflicting", venvs)
    code = "import hypothesis, attr; print(hypothesis.__version__, attr.__version__)"
    result = box.run(SandboxJob(argv=("{python}", "-c", code), python=python))
    ours, theirs = result.stdout.decode().split()
    assert ours != "6.0.0" and ours.startswith("6."), result.stderr.decode()
    assert theirs == "19.2.0"


def test_without_harness_deps_a_workload_imports_the_projects_own_hypothesis(
    box: Sandbox, venvs: dict[str, Path]
) -> None:
    """harness_deps=False: the harness package is importable, hypothesis is the project's."""
    python = _interpreter("conflicting", venvs)
    code = "import importlib.util, optiagent_harness; print(importlib.util.find_spec('hypothesis').origin)"
    result = box.run(SandboxJob(argv=("{python}", "-c", code), python=python, harness_deps=False))
    site = next(Path(python).parents[1].glob("lib/python3.*/site-packages"))
    assert result.stdout.decode() == f"{site}/hypothesis/__init__.py\n", result.stderr.decode()


def test_a_venvs_sitecustomize_and_pth_files_still_run(box: Sandbox, venvs: dict[str, Path]) -> None:
    """The harness root goes on PYTHONPATH; the venv's site-packages are processed as usual."""
    python = _interpreter("py312", venvs)
    site = next(Path(python).parents[1].glob("lib/python3.*/site-packages"))
    (site / "optiagent_test_hook.pth").write_text("import os; os.environ['FROM_PTH'] = '1'\n")
    (site / "sitecustomize.py").write_text("import os\nos.environ['FROM_SITECUSTOMIZE'] = '1'\n")
    code = "import os, hypothesis; print(os.environ.get('FROM_PTH'), os.environ.get('FROM_SITECUSTOMIZE'))"
    result = box.run(SandboxJob(argv=("{python}", "-c", code), python=python))
    assert result.stdout == b"1 1\n", result.stderr.decode()


def test_a_shell_command_finds_the_venvs_python_on_path(box: Sandbox, venvs: dict[str, Path]) -> None:
    """`/bin/sh -c "python ..."` runs the job interpreter's venv python (failure case 6)."""
    python = _interpreter("py312", venvs)
    job = SandboxJob(
        argv=("/bin/sh", "-c", "python -c 'import sys; print(sys.prefix, sys.version_info[:2])'"),
        python=python,
    )
    result = box.run(job)
    assert result.stdout.decode() == f"{Path(python).parents[1]} (3, 12)\n", result.stderr.decode()


def test_the_harness_root_holds_all_of_hypothesis_and_its_requirements() -> None:
    """Every top-level module and package of hypothesis's distribution and of its requirements
    (e.g. `_hypothesis_globals`, sortedcontainers) is in the harness root (failure case 3)."""
    import importlib.metadata

    root = build_harness_root()
    names = set(os.listdir(root.deps_dir))
    for distribution in ("hypothesis", "sortedcontainers"):
        files = importlib.metadata.distribution(distribution).files or ()
        tops = {f.parts[0] for f in files if f.parts[0] not in ("..", "__pycache__")}
        assert tops <= names, tops - names
    assert (root.harness_dir / "optiagent_harness").resolve() == harness_source_dir()


def test_a_python_310_harness_root_brings_exceptiongroup_and_a_hypothesis_that_supports_it() -> None:
    """Our hypothesis needs 3.11: for 3.10 the closure is downloaded (cached), with its
    version-marked requirements."""
    python = str(_base("3.10"))
    assert local_closure(describe(python).markers, describe(python).cache_tag) is None
    root = build_harness_root(python)
    assert root.fetched
    names = set(os.listdir(root.deps_dir))
    assert {"hypothesis", "_hypothesis_globals.py", "sortedcontainers", "exceptiongroup"} <= names


def test_every_harness_module_imports_under_python_310() -> None:
    """The harness stays importable on the oldest interpreter projects may use."""
    python = str(_base("3.10"))
    root = build_harness_root(python)
    harness = harness_source_dir()
    modules = sorted(
        "optiagent_harness."
        + ".".join(path.relative_to(harness).with_suffix("").parts).removesuffix(".__init__")
        for path in harness.rglob("*.py")
        if path.name != "__main__.py"
    )
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    env = {
        "PYTHONPATH": os.pathsep.join(root.pythonpath()),
        "HYPOTHESIS_STORAGE_DIRECTORY": str(root.storage),
    }
    done = subprocess.run(
        [python, "-c", code, *modules], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_an_interpreter_older_than_310_is_refused_with_the_reason(box: Sandbox) -> None:
    """A job asking for Python 3.9 gets InterpreterUnavailableError naming the version."""
    python = str(_base("3.9"))
    with pytest.raises(InterpreterUnavailableError, match=r"3\.9; optiagent needs CPython 3\.10"):
        box.run(SandboxJob(argv=("{python}", "-c", "pass"), python=python))


def test_a_missing_interpreter_is_refused_with_the_reason(box: Sandbox, tmp_path: Path) -> None:
    """A job naming an interpreter that does not exist gets InterpreterUnavailableError."""
    with pytest.raises(InterpreterUnavailableError, match="does not exist"):
        box.run(SandboxJob(argv=("{python}", "-c", "pass"), python=str(tmp_path / "bin" / "python")))


def test_a_system_python_runs_in_docker_without_mounting_usr(
    docker_box: DockerSandbox, tmp_path: Path
) -> None:
    """A venv of a python under /usr gets its files mounted one by one, never /usr itself."""
    system = Path(f"/usr/bin/python3.{sys.version_info.minor}")
    if not system.exists():
        pytest.skip(f"no {system} here")
    venv = tmp_path / "venv"
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    mounts = [box_path for _, box_path in interpreter_mounts(describe(python))]
    assert "/usr" not in mounts and str(venv) in mounts
    result = docker_box.run(
        SandboxJob(argv=("{python}", "-c", "import sys, ssl; print(sys.prefix)"), python=python)
    )
    assert result.stdout.decode() == f"{venv}\n", result.stderr.decode()


def test_an_interpreter_the_container_cannot_start_is_a_clear_error(
    docker_box: DockerSandbox, tmp_path: Path
) -> None:
    """An interpreter that runs on the host but not in the box (a wrapper whose `#!` program
    exists only on the host) is an InterpreterUnavailableError saying so, not a failed job."""
    host_only = tmp_path / "host-only-bash"
    shutil.copy("/bin/bash", host_only)
    wrapper = tmp_path / "python3"
    # `exec -a "$0"`: the interpreter calls itself by the wrapper's path, as launchers do.
    wrapper.write_text(f'#!{host_only}\nexec -a "$0" {os.path.realpath(sys.executable)} "$@"\n')
    wrapper.chmod(0o755)
    assert describe(str(wrapper)).path == str(wrapper)
    with pytest.raises(InterpreterUnavailableError, match="the Docker sandbox cannot run"):
        docker_box.run(SandboxJob(argv=("{python}", "-c", "pass"), python=str(wrapper)))


def test_harness_dependencies_that_cannot_be_brought_are_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.10 needs a download; with neither uv nor pip at hand the error says so."""
    import importlib.metadata

    from optiagent.adapters.sandbox import harness_root

    python = str(_base("3.10"))
    try:
        importlib.metadata.distribution("pip")
        pytest.skip("pip is installed here: the download would not need uv")
    except importlib.metadata.PackageNotFoundError:
        pass
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    monkeypatch.setenv("OPTIAGENT_CACHE_DIR", str(tmp_path / "cache"))
    harness_root._root_for.cache_clear()  # roots are remembered per process; this one must be new
    try:
        with pytest.raises(InterpreterUnavailableError, match="neither uv nor pip"):
            build_harness_root(python)
    finally:
        harness_root._root_for.cache_clear()


def test_a_bare_interpreter_name_is_looked_up_on_path(
    box: Sandbox, venvs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python` given by name runs the first one on the service's PATH (here a venv's)."""
    python = _interpreter("py312", venvs)
    monkeypatch.setenv("PATH", f"{Path(python).parent}{os.pathsep}{os.environ['PATH']}")
    result = box.run(SandboxJob(argv=("{python}", "-c", "import sys; print(sys.prefix)"), python="python"))
    assert result.stdout.decode() == f"{Path(python).parents[1]}\n", result.stderr.decode()


@pytest.mark.parametrize("kind", ["py310", "py312"])
def test_a_workload_naming_the_projects_venv_python_is_profiled(
    kind: str, box: Sandbox, venvs: dict[str, Path], tmp_path: Path
) -> None:
    """`<venv>/bin/python bench.py` runs in the real tree under that venv, profile and captures
    included (failure case 6: in Docker it was `/bin/sh: ...bin/python: not found`)."""
    from optiagent.services.layout import build_layout
    from optiagent.services.profiling import profile_workload

    python = _interpreter(kind, venvs)
    (tmp_path / "mod.py").write_text(ORIGINAL)
    (tmp_path / "bench.py").write_text(
        "from mod import total\nfor _ in range(200):\n    total(list(range(2000)))\n"
    )
    command = f"{python} bench.py"
    layout = build_layout(tmp_path, tmp_path, None, "", command)
    profile = profile_workload(box, layout, command, timeout_s=60)
    assert not profile.failed, profile.stderr_tail
    assert [function.qualname for function in profile.functions] == ["total"]
    assert profile.captures
