"""Command-line conventions through the real `optiagent` process: streams, logs, Ctrl-C, completion."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.cli.small_project import write_small_project

EXIT_INTERRUPTED = 130


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "optiagent.cli", *args]


def environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "80", "OPTIAGENT_SANDBOX__BACKEND": "local"}
    env.pop("OPTIAGENT_LOG_LEVEL", None)
    env.pop("OPTIAGENT_LOG_FORMAT", None)
    return env | extra


def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli(*args), capture_output=True, text=True, timeout=600, env=environment(**extra), check=False
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the project but optiagent's own history directory."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".optiagent" not in p.parts and "__pycache__" not in p.parts
    }


def test_logs_go_to_stderr_as_json_lines_when_asked(tmp_path: Path) -> None:
    """-v --log-format json: stdout holds only the command's output, stderr one JSON object per line."""
    url = f"sqlite:///{tmp_path / 'history.db'}"
    done = run("-v", "--log-format", "json", "db", "upgrade", "--db", url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines() == [f"database at {url} is up to date"]
    records = [json.loads(line) for line in done.stderr.splitlines()]
    assert records and all({"event", "level", "timestamp"} <= set(r) for r in records)
    assert {r["level"] for r in records} <= {"info", "warning", "error"}


def test_default_level_is_the_setting_and_quiet_silences_info(tmp_path: Path) -> None:
    """Without -v nothing below OPTIAGENT_LOG_LEVEL (WARNING) is logged; the setting can lower it."""
    quiet = run("db", "upgrade", "--db", f"sqlite:///{tmp_path / 'a.db'}")
    assert quiet.returncode == 0 and quiet.stderr == ""
    chatty = run("db", "upgrade", "--db", f"sqlite:///{tmp_path / 'b.db'}", OPTIAGENT_LOG_LEVEL="INFO")
    assert chatty.returncode == 0 and chatty.stderr.strip()


def test_a_bad_log_level_is_bad_input() -> None:
    """OPTIAGENT_LOG_LEVEL=loud: exit 2 naming the variable."""
    done = run("history", OPTIAGENT_LOG_LEVEL="loud")
    assert done.returncode == 2
    assert "OPTIAGENT_LOG_LEVEL" in done.stderr


def test_shell_completion_is_offered() -> None:
    """--show-completion prints a completion script for the named shell."""
    done = run("--show-completion", "bash")
    assert done.returncode == 0, done.stderr
    assert "complete" in done.stdout and "optiagent" in done.stdout.lower()


@pytest.mark.slow
def test_json_to_stdout_is_alone_there(tmp_path: Path) -> None:
    """`-q --json -`: stdout is exactly the JSON report; stderr only the summary line."""
    root = write_small_project(tmp_path / "proj")
    done = subprocess.run(
        cli("optimize", str(root), "-q", "--json", "-"),
        capture_output=True,
        text=True,
        timeout=600,
        env=environment(),
        cwd=root,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["targets"] and report["summary"]["targets"] >= 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(
        f"{report['summary']['improved']} of {report['summary']['targets']} targets improved"
    )


@pytest.mark.slow
def test_ctrl_c_exits_130_and_leaves_nothing_half_written(tmp_path: Path) -> None:
    """SIGINT while a candidate is benchmarked (with --apply and --json FILE): exit 130, the
    project's files unchanged, no report file, not even a temporary one; the progress before it
    was plain timestamped lines."""
    root = write_small_project(tmp_path / "proj")
    before = snapshot(root)
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    process = subprocess.Popen(
        cli("optimize", str(root), "--apply", "--json", str(report)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
        cwd=root,
    )
    assert process.stderr is not None
    lines: list[str] = []
    benchmarking = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if "benchmarking" in line:
                benchmarking.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert benchmarking.wait(300), "".join(lines)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=180)
    reader.join(10)
    assert code == EXIT_INTERRUPTED, "".join(lines)
    assert time.monotonic() - started < 120
    assert snapshot(root) == before
    assert list(report.parent.iterdir()) == []
    progress = [line for line in lines if not line.startswith(("\n", "interrupted"))]
    assert all(re.match(r"^\d\d:\d\d:\d\d ", line) for line in progress if line.strip())
    assert not any("\r" in line for line in lines)
    assert any(line.startswith("interrupted") for line in lines)


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


@pytest.mark.slow
def test_a_second_ctrl_c_quits_at_once_and_takes_the_sandbox_jobs_along(tmp_path: Path) -> None:
    """The first SIGINT waits for the running check job; a second one exits 130 at once, and the
    sandbox job (in a session of its own, out of Ctrl-C's reach) is killed, not left running."""
    root = write_small_project(tmp_path / "proj")
    before = snapshot(root)
    process = subprocess.Popen(
        cli("optimize", str(root), "--apply"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
        cwd=root,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "checking" in line:
            break
    deadline = time.monotonic() + 30
    while not (jobs := children(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)  # the check job starts once its inputs are prepared
    assert jobs, "a check job runs in the sandbox now"
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == EXIT_INTERRUPTED
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in jobs) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in jobs)
    assert snapshot(root) == before
