"""What a host interpreter is: version, marker environment, prefixes, and the files it runs from.

A job's `python` may be any host CPython (a venv's bin/python, a pyenv or uv python, a system
python). The sandboxes ask it once (a short `-I -S` run, cached per path and modification time)
instead of guessing from its path, so a venv of another minor version gets a harness root of its
own and the Docker sandbox knows which directories to mount.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from optiagent.ports.sandbox import InterpreterUnavailableError

# Run by the interpreter under description (any CPython >= 3.10): the values PEP 508 markers use,
# and where it lives. `-I -S`: no site-packages, no user code.
_DESCRIBE = r"""
import json, os, platform, sys
impl = sys.implementation
version = "%d.%d.%d" % impl.version[:3]
if impl.version.releaselevel != "final":
    version += impl.version.releaselevel[0] + str(impl.version.serial)
print(json.dumps({
    "version": list(sys.version_info[:2]),
    "executable": sys.executable,
    "base_prefix": sys.base_prefix,
    "stdlib": os.path.dirname(os.__file__),
    "platlibdynload": [p for p in sys.path if p.endswith("lib-dynload")],
    "cache_tag": impl.cache_tag,
    "markers": {
        "implementation_name": impl.name,
        "implementation_version": version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    },
}))
"""
_MIN_VERSION = (3, 10)


@dataclass(frozen=True)
class Interpreter:
    """A host interpreter as it describes itself."""

    path: str  # absolute; the interpreter's own sys.executable (a venv's bin/python stays that)
    version: tuple[int, int]
    venv: str | None  # the venv directory (holding pyvenv.cfg) when `path` is a venv's
    base_prefix: str  # the installation itself (real path)
    stdlib: str
    lib_dynload: tuple[str, ...]
    cache_tag: str
    markers: dict[str, str]

    @property
    def version_text(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"

    @property
    def executable_chain(self) -> tuple[str, ...]:
        """`path` and every symlink it passes through, ending at the real executable."""
        chain = [os.path.abspath(self.path)]
        seen = set(chain)
        while os.path.islink(chain[-1]):
            target = os.path.join(os.path.dirname(chain[-1]), os.readlink(chain[-1]))
            target = os.path.normpath(target)
            if target in seen:
                break
            chain.append(target)
            seen.add(target)
        real = os.path.realpath(self.path)
        if chain[-1] != real:  # a symlinked directory on the way
            chain.append(real)
        return tuple(chain)


def refuse_job_interpreter(python: str) -> InterpreterUnavailableError:
    """What a sandbox that runs only the server's interpreter (the service's) says to a job that
    names one: describing it would start it on this host, outside any box."""
    return InterpreterUnavailableError(
        f"this sandbox runs jobs with the server's interpreter only; a job may not choose one ({python})"
    )


def locate(python: str) -> str:
    """An absolute interpreter path; a bare name (`python3`) is looked up on this PATH."""
    if "/" in python:
        return os.path.abspath(python)
    found = shutil.which(python)
    if found is None:
        raise InterpreterUnavailableError(f"interpreter {python} is not on PATH")
    return os.path.abspath(found)


def describe(python: str) -> Interpreter:
    """The interpreter at `python`, or InterpreterUnavailableError saying why it cannot be used."""
    python = locate(python)
    path = Path(python)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as error:
        raise InterpreterUnavailableError(f"interpreter {python} does not exist: {error}") from error
    return _describe(os.path.abspath(python), stamp)


def _venv_of(python: str) -> str | None:
    """A venv's interpreter sits in <venv>/bin (or <venv>/Scripts) beside <venv>/pyvenv.cfg."""
    for parent in Path(python).parents[:2]:
        if (parent / "pyvenv.cfg").is_file():
            return str(parent)
    return None


@functools.lru_cache(maxsize=32)
def _describe(python: str, _stamp: int) -> Interpreter:
    try:
        done = subprocess.run(
            [python, "-I", "-S", "-c", _DESCRIBE], capture_output=True, text=True, timeout=60, check=False
        )
        data = json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        raise InterpreterUnavailableError(f"cannot run interpreter {python}: {error}") from error
    if data is None:
        raise InterpreterUnavailableError(
            f"interpreter {python} failed to start (exit {done.returncode}): {done.stderr.strip()[-500:]}"
        )
    version = (int(data["version"][0]), int(data["version"][1]))
    if version < _MIN_VERSION or data["markers"]["implementation_name"] != "cpython":
        raise InterpreterUnavailableError(
            f"interpreter {python} is {data['markers']['implementation_name']} "
            f"{version[0]}.{version[1]}; optiagent needs CPython 3.10 or newer"
        )
    # What it calls itself: a launcher (a pyenv shim, a wrapper script) is replaced by the
    # interpreter it started; a venv's python stays the venv's.
    executable = str(data["executable"])
    if os.path.isabs(executable) and os.access(executable, os.X_OK):
        python = executable
    return Interpreter(
        path=python,
        version=version,
        venv=_venv_of(python),
        base_prefix=os.path.realpath(data["base_prefix"]),
        stdlib=os.path.realpath(data["stdlib"]),
        lib_dynload=tuple(os.path.realpath(p) for p in data["platlibdynload"]),
        cache_tag=data["cache_tag"],
        markers={str(k): str(v) for k, v in data["markers"].items()},
    )
