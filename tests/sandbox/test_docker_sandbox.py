"""DockerSandbox: same results as LocalSandbox on the pipeline's jobs; pool recycling; cleanup."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optiagent.adapters.sandbox.docker_box import INSTANCE_LABEL, LABEL, OWNER_LABEL
from optiagent.adapters.sandbox.docker_image import image_tag
from optiagent.adapters.sandbox.docker_sandbox import DockerOptions, DockerSandbox, reap_stale
from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.targets import Target, TargetKind
from optiagent.domain.verdicts import Crashed, Equivalent, Mismatch
from optiagent.ports.sandbox import SandboxJob, SandboxLimits, SandboxStatus
from optiagent.services.layout import build_layout
from optiagent.services.profiling import profile_workload
from optiagent.verify.jobs import CheckSettings, Evidence, check_job
from optiagent.verify.verdicts import read_checks
from tests.sandbox.conftest import docker_sandbox

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
EXITS = "import os\n\n\ndef total(xs: list[int]) -> int:\n    os._exit(3)\n"


HOSTNAME_JOB = SandboxJob(argv=("{python}", "-c", "import socket; print(socket.gethostname())"))


def _own_containers(box: DockerSandbox) -> list[str]:
    client = box._client
    instance = box._config.instance
    return [c.id for c in client.containers.list(all=True, filters={"label": f"{INSTANCE_LABEL}={instance}"})]


def test_check_job_verdicts_match_the_local_backend(
    tmp_path: Path, local_box: LocalSandbox, docker_box: DockerSandbox
) -> None:
    (tmp_path / "mod.py").write_text(ORIGINAL)
    target = Target(file="mod.py", qualname="total", kind=TargetKind.FUNCTION)
    evidence = Evidence(root=str(tmp_path), base_dir=".", module_name="mod")
    candidates = [FASTER, WRONG, EXITS]
    job = check_job(target, evidence, candidates, CheckSettings(max_examples=30, stress=False))
    verdicts = {}
    for box in (local_box, docker_box):
        outcomes = read_checks(box.run(job), len(candidates))
        verdicts[box.name] = [type(outcome.verdict) for outcome in outcomes]
    assert verdicts["docker"] == verdicts["local"] == [Equivalent, Mismatch, Crashed]


def test_job_features_match_the_local_backend(
    tmp_path: Path, local_box: LocalSandbox, docker_box: DockerSandbox
) -> None:
    """copy_tree, files, stdin, env, cwd, pythonpath, readonly paths and collect behave the same."""
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "helper.py").write_text("VALUE = 'from the copy'\n")
    (project / "data.txt").write_text("read-only data\n")
    code = textwrap.dedent(
        f"""
        import os, sys
        from helper import VALUE
        print(VALUE, sys.stdin.read().strip(), os.environ["GREETING"])
        print(open({str(project / "data.txt")!r}).read().strip())
        os.makedirs("../out/deep", exist_ok=True)
        open("../out/deep/result.txt", "w").write("collected")
        sys.exit(3)
        """
    )
    job = SandboxJob(
        argv=("{python}", "main.py"),
        files={"pkg/main.py": code.encode()},
        stdin=b"from stdin\n",
        env={"GREETING": "hello"},
        copy_tree=str(project),
        cwd="pkg",
        pythonpath=("pkg",),
        readonly_paths=(str(project),),
        collect=("out/",),
    )
    local, docker = local_box.run(job), docker_box.run(job)
    assert (docker.status, docker.exit_code) == (local.status, local.exit_code) == (SandboxStatus.ERROR, 3)
    assert docker.stdout == local.stdout == b"from the copy from stdin hello\nread-only data\n"
    assert docker.files == local.files == {"out/deep/result.txt": b"collected"}


def test_workload_profiling_runs_in_docker(tmp_path: Path, docker_box: DockerSandbox) -> None:
    """A workload run in the real (read-only) tree in a container profiles the target's code."""
    (tmp_path / "mod.py").write_text(ORIGINAL)
    (tmp_path / "bench.py").write_text(
        "from mod import total\nfor _ in range(200):\n    total(list(range(2000)))\n"
    )
    layout = build_layout(tmp_path, tmp_path, None, "", "python bench.py")
    profile = profile_workload(docker_box, layout, "python bench.py", timeout_s=60)
    assert not profile.failed, profile.stderr_tail
    assert any(function.qualname == "total" for function in profile.functions)


def test_warm_containers_are_reused_and_replaced_after_a_violation() -> None:
    box = docker_sandbox(DockerOptions(pool_size=1, max_jobs_per_container=3))
    try:
        ids = []
        for _ in range(4):
            result = box.run(HOSTNAME_JOB)
            assert result.status is SandboxStatus.OK
            ids.append(result.stdout)
        assert ids[0] == ids[1] == ids[2] != ids[3], "3 jobs per container, then a fresh one"
        timeout = box.run(
            SandboxJob(
                argv=("{python}", "-c", "import time; time.sleep(30)"), limits=SandboxLimits(timeout_s=0.5)
            )
        )
        assert timeout.status is SandboxStatus.TIMEOUT
        after = box.run(HOSTNAME_JOB)
        assert after.status is SandboxStatus.OK and after.stdout != ids[3]
    finally:
        box.close()
    assert _own_containers(box) == []


def test_a_container_that_died_is_replaced() -> None:
    box = docker_sandbox(DockerOptions(pool_size=1))
    try:
        first = box.run(HOSTNAME_JOB)
        for container_id in _own_containers(box):
            box._client.containers.get(container_id).kill()
        second = box.run(HOSTNAME_JOB)
        assert second.status is SandboxStatus.OK and second.stdout != first.stdout
    finally:
        box.close()


def test_cold_mode_uses_a_fresh_container_per_job_and_removes_it() -> None:
    box = docker_sandbox(DockerOptions(warm=False, pool_size=1))
    try:
        seen = {box.run(HOSTNAME_JOB).stdout for _ in range(2)}
        assert len(seen) == 2
    finally:
        box.close()
    assert _own_containers(box) == []


def test_containers_of_a_dead_owner_are_reaped(docker_box: DockerSandbox) -> None:
    client = docker_box._client
    stale = client.containers.create(
        image_tag(),
        command=["/bin/sh", "-c", "sleep 600"],
        labels={LABEL: "1", OWNER_LABEL: docker_box._config.owner.rsplit(":", 2)[0] + ":999999999:0"},
        network_mode="none",
    )
    assert reap_stale(client) >= 1
    assert stale.id not in [c.id for c in client.containers.list(all=True, filters={"label": LABEL})]


def test_directories_of_a_dead_owner_are_removed_at_start(docker_box: DockerSandbox) -> None:
    root = docker_box._work_root
    leftovers = [root / "box-999999999-0123456789ab", root / "snapshots-999999999"]
    for path in leftovers:
        (path / "job-x" / "work").mkdir(parents=True)
    fresh = docker_sandbox(DockerOptions(warm=False, pool_size=1))
    fresh.close()
    assert not any(path.exists() for path in leftovers)
    assert docker_box._snapshots.exists(), "a live owner's directories stay"


@pytest.mark.parametrize("backend", ["local", "docker"])
def test_sandbox_run_cli_prints_the_json_result(backend: str, tmp_path: Path) -> None:
    if backend == "docker":
        docker_sandbox().close()  # skips (or fails under tools/test) without Docker
    from optiagent.cli.app import app

    script = tmp_path / "hello.py"
    script.write_text("import sys\nprint('hi')\nprint('oops', file=sys.stderr)\nsys.exit(4)\n")
    done = CliRunner().invoke(app, ["sandbox", "run", str(script), "--backend", backend, "--timeout", "20"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == "error" and result["exit_code"] == 4
    assert (result["stdout"], result["stderr"]) == ("hi\n", "oops\n")
    assert result["backend"] == backend and result["wall_s"] > 0

    sleeper = tmp_path / "sleeper.py"
    sleeper.write_text("import time\ntime.sleep(30)\n")
    done = CliRunner().invoke(app, ["sandbox", "run", str(sleeper), "--backend", backend, "--timeout", "1"])
    assert json.loads(done.stdout.strip().splitlines()[-1])["status"] == "timeout"


def test_dependencies_dir_is_importable_and_read_only(tmp_path: Path, docker_box: DockerSandbox) -> None:
    deps = tmp_path / "deps"
    (deps / "tinydep").mkdir(parents=True)
    (deps / "tinydep" / "__init__.py").write_text("ANSWER = 42\n")
    code = (
        "import tinydep, os\nprint(tinydep.ANSWER)\n"
        "try:\n    open(os.path.join(os.path.dirname(tinydep.__file__), 'x'), 'w')\n    print('WROTE')\n"
        "except OSError:\n    print('read-only')\n"
    )
    job = SandboxJob(argv=("{python}", "-c", code))
    local = LocalSandbox(deps_dir=str(deps)).run(job)
    box = docker_sandbox(DockerOptions(pool_size=1, deps_dir=str(deps)))
    try:
        docker = box.run(job)
    finally:
        box.close()
    assert local.stdout.startswith(b"42\n"), local
    assert docker.stdout == b"42\nread-only\n", docker


def test_idle_containers_are_stopped() -> None:
    box = docker_sandbox(DockerOptions(pool_size=1, idle_s=0.3))
    try:
        assert box.run(HOSTNAME_JOB).status is SandboxStatus.OK
        deadline = time.monotonic() + 30
        while _own_containers(box) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _own_containers(box) == []
        assert box.run(HOSTNAME_JOB).status is SandboxStatus.OK, "a new container starts on demand"
    finally:
        box.close()
