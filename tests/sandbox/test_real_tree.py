"""Jobs in the user's real project tree: absolute cwd under read-only paths, private work dir."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.ports.sandbox import WORK_DIR_ENV, Sandbox, SandboxJob, SandboxStatus

# Reads a data file relative to its cwd, tries to write into the tree (cwd and a sibling), then
# writes into its work dir; prints what happened.
TREE_JOB = textwrap.dedent(
    f"""
    import os, sys
    print(open("data.txt").read().strip())
    for name in ("new.txt", "../beside.txt"):
        try:
            open(name, "w").write("x")
            print("wrote", name)
        except OSError as error:
            print("refused", name, error.errno)
    work = os.environ[{WORK_DIR_ENV!r}]
    assert os.environ["HOME"] == os.environ["TMPDIR"] == work, (os.environ["HOME"], work)
    open(os.path.join(work, "result.txt"), "w").write("in the work dir")
    from helper import VALUE
    print(VALUE, os.getcwd())
    """
)


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    tree = tmp_path / "project"
    (tree / "bench").mkdir(parents=True)
    (tree / "bench" / "data.txt").write_text("relative data\n")
    return tree, tree / "bench"


def _tree_job(tree: Path, cwd: Path) -> SandboxJob:
    return SandboxJob(
        argv=("{python}", "-c", TREE_JOB),
        files={"lib/helper.py": b"VALUE = 'from the work dir'\n"},
        readonly_paths=(str(tree),),
        cwd=str(cwd),
        pythonpath=("lib",),
        collect=("result.txt",),
    )


def test_a_job_runs_in_a_read_only_tree_and_writes_only_its_work_dir(box: Sandbox, tmp_path: Path) -> None:
    """Absolute cwd: relative reads work, the tree refuses writes, the work dir takes them,
    relative pythonpath entries resolve against the work dir."""
    tree, cwd = _tree(tmp_path)
    result = box.run(_tree_job(tree, cwd))
    assert result.status is SandboxStatus.OK, result.stderr.decode()
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "relative data"
    assert lines[1].startswith("refused new.txt") and lines[2].startswith("refused ../beside.txt")
    assert lines[3] == f"from the work dir {cwd}"
    assert result.files == {"result.txt": b"in the work dir"}
    assert sorted(p.name for p in tree.rglob("*")) == ["bench", "data.txt"]
    assert result.notes == ()


def test_a_work_dir_under_a_read_only_path_stays_writable(tmp_path: Path) -> None:
    """A read-only path that contains the job's work dir (here: the temp root) does not make
    the work dir read-only."""
    import tempfile

    box = LocalSandbox()
    if not box.readonly_enforced:
        pytest.skip("no mount namespace here: read-only is not enforced")
    tree, cwd = _tree(tmp_path)
    job = _tree_job(tree, cwd)
    result = box.run(SandboxJob(**{**job.__dict__, "readonly_paths": (str(tree), tempfile.gettempdir())}))
    assert result.status is SandboxStatus.OK, result.stderr.decode()
    assert result.files == {"result.txt": b"in the work dir"}


def test_without_a_mount_namespace_the_job_runs_and_says_read_only_was_not_enforced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where neither unshare nor mount can be found, the job still runs and the result says the
    tree was writable."""
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    box = LocalSandbox()
    assert not box.readonly_enforced
    tree, cwd = _tree(tmp_path)
    result = box.run(_tree_job(tree, cwd))
    assert result.status is SandboxStatus.OK, result.stderr.decode()
    assert result.files == {"result.txt": b"in the work dir"}
    assert len(result.notes) == 1 and "read-only paths not enforced" in result.notes[0]


def test_an_absolute_cwd_outside_the_read_only_paths_is_refused(box: Sandbox, tmp_path: Path) -> None:
    """A job may only run in a directory it was given read-only."""
    tree, _ = _tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(ValueError, match="not under the job's read-only paths"):
        box.run(_tree_job(tree, elsewhere))


def test_a_relative_cwd_is_still_under_the_work_dir(box: Sandbox) -> None:
    """cwd "sub" means <work dir>/sub, as before."""
    job = SandboxJob(
        argv=(
            "{python}",
            "-c",
            f"import os; print(os.getcwd() == os.path.join(os.environ[{WORK_DIR_ENV!r}], 'sub'))",
        ),
        files={"sub/keep.txt": b""},
        cwd="sub",
    )
    result = box.run(job)
    assert result.stdout == b"True\n", result.stderr.decode()
