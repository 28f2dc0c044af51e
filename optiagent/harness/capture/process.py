"""Per-process capture: profile from the start, wrap project modules on import, dump at exit.

Environment (values may be relative to the work dir, the parent of the sitecustomize's dir):
  OPTIAGENT_CAPTURE_DIR        where the files go (default: <work dir>/capture)
  OPTIAGENT_CAPTURE_ROOT       only code under it is captured (default: the work dir)
  OPTIAGENT_CAPTURE_MAX_CALLS  calls kept per function (default 20)
  OPTIAGENT_CAPTURE_MAX_BYTES  bound on one call's pickle (default 262144)
  OPTIAGENT_CAPTURE_MAX_FUNCTION_BYTES, OPTIAGENT_CAPTURE_MAX_TOTAL_BYTES
                               when a function, or the whole process, stops keeping calls
                               (default 1 MiB and 96 MiB; see recorder.py)
  OPTIAGENT_CAPTURE_PACKAGES   comma-separated top-level import names of the target: where each was
                               imported from, when not from under the root, is reported (an installed
                               copy instead of the user's files)

Files written per process (token = pid, suffixed when a pid repeats): `profile-<token>.json`,
`index-<token>.json` and `calls-<token>-<hash>.pkl` (see recorder.py and profile_dump.py).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.machinery
import importlib.util
import os
import sys
import time
from pathlib import Path

from .hook import CapturingFinder, ProjectFiles, wrap_module_functions
from .nested import NestedCapture
from .profile_dump import write_profile
from .recorder import Recorder
from .thread_profiles import ThreadProfiles
from .wrappers import WrapperRegistry


class ProcessCapture:
    def __init__(self, work_dir: Path, own_dir: Path) -> None:
        self.capture_dir = _resolve(os.environ.get("OPTIAGENT_CAPTURE_DIR", "capture"), work_dir)
        self.files = ProjectFiles(
            str(_resolve(os.environ.get("OPTIAGENT_CAPTURE_ROOT", "."), work_dir)), [str(own_dir)]
        )
        self.max_calls = int(os.environ.get("OPTIAGENT_CAPTURE_MAX_CALLS", "20"))
        self.max_bytes = int(os.environ.get("OPTIAGENT_CAPTURE_MAX_BYTES", "262144"))
        self.registry = WrapperRegistry()
        self.recorder = Recorder(
            self.max_calls,
            self.max_bytes,
            seed=os.getpid(),
            max_function_bytes=int(os.environ.get("OPTIAGENT_CAPTURE_MAX_FUNCTION_BYTES", str(1 << 20))),
            max_total_bytes=int(os.environ.get("OPTIAGENT_CAPTURE_MAX_TOTAL_BYTES", str(96 << 20))),
        )
        NestedCapture(self.recorder, self.registry).install()  # before any project module runs
        self._begin()

    def _begin(self) -> None:
        self.started = time.perf_counter()
        self.written = False
        self.profiler = ThreadProfiles()  # cProfile of every thread (thread_profiles.py)
        self.profiler.enable()

    def after_fork(self) -> None:
        """A forked child starts its own profile and call sample (the parent writes its own)."""
        self.profiler.disable()
        self.recorder.reset(seed=os.getpid())  # the wrappers keep referring to this recorder
        self._begin()
        util = sys.modules.get("multiprocessing.util")
        if util is not None:  # its children end with os._exit: dump from a finalizer registered once
            util.register_after_fork(self, _finalize_at_exit)  # it clears finalizers, then runs these

    def wrap(self, module: object, relative: str) -> None:
        with contextlib.suppress(Exception):  # capture must never break an import
            wrap_module_functions(module, relative, self.recorder, self.registry)  # type: ignore[arg-type]  # a module

    def imported_elsewhere(self) -> dict[str, str]:
        """Target packages this process imported from outside the root (module name -> real file)."""
        names = [n for n in os.environ.get("OPTIAGENT_CAPTURE_PACKAGES", "").split(",") if n]
        found: dict[str, str] = {}
        for name in names:
            module = sys.modules.get(name)
            file = getattr(module, "__file__", None) if module is not None else None
            if isinstance(file, str) and self.files.relative(file) is None:
                found[name] = os.path.realpath(file)
        return found

    def finish(self) -> None:
        if self.written:
            return
        self.written = True
        self.profiler.disable()
        try:
            self.capture_dir.mkdir(parents=True, exist_ok=True)
            token = _free_token(self.capture_dir)
            wall = time.perf_counter() - self.started
            write_profile(
                self.profiler,
                self.files,
                self.registry,
                self.capture_dir / f"profile-{token}.json",
                wall,
                imported_elsewhere=self.imported_elsewhere(),
            )
            self.recorder.write(self.capture_dir, token)
        except Exception as error:  # report, but never change the workload's exit status
            print(f"optiagent capture: could not write results: {error!r}", file=sys.stderr)


def _finalize_at_exit(capture: ProcessCapture) -> None:
    import multiprocessing.util

    multiprocessing.util.Finalize(None, capture.finish, exitpriority=1000)


def _resolve(value: str, work_dir: Path) -> Path:
    path = Path(value)
    return path if path.is_absolute() else (work_dir / path).resolve()


def _free_token(directory: Path) -> str:
    token, suffix = str(os.getpid()), 0
    while (directory / f"profile-{token}.json").exists():
        suffix += 1
        token = f"{os.getpid()}_{suffix}"
    return token


def _chain_next_sitecustomize(own_dir: Path) -> None:
    """Runs the sitecustomize that ours shadows (a project's or a venv's), if there is one."""
    others = [p for p in sys.path if p and Path(p).resolve() != own_dir.resolve()]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", others)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_current: ProcessCapture | None = None


def start(anchor_file: str) -> None:
    """Starts capture in this process; `anchor_file` is the sitecustomize at <work dir>/<dir>/."""
    global _current
    if _current is not None:
        return
    own_dir = Path(anchor_file).resolve().parent
    try:
        capture = ProcessCapture(own_dir.parent, own_dir)
    except Exception as error:
        print(f"optiagent capture: not started: {error!r}", file=sys.stderr)
        return
    _current = capture
    sys.meta_path.insert(0, CapturingFinder(capture.files, capture.wrap))
    atexit.register(capture.finish)
    os.register_at_fork(after_in_child=capture.after_fork)
    try:
        _chain_next_sitecustomize(own_dir)
    except Exception as error:
        print(f"optiagent capture: the project's sitecustomize failed: {error!r}", file=sys.stderr)
