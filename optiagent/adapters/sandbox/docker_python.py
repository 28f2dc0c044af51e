"""What a host interpreter needs mounted into a Docker box to run there at its own path.

A job's `python` may be a project's venv (`/path/to/venv/bin/python`), a pyenv or uv python, or a
system python. The box's image holds only the service's own interpreter (at its host prefix), so
for another one the box gets, read-only and at their real host paths:
- the venv directory (pyvenv.cfg, site-packages, bin/ links),
- the base installation: its whole prefix, unless that prefix is a system directory the image
  itself uses (`/usr`, `/usr/local`, `/`, or one holding the image's interpreter): mounting /usr
  would hide the image's own files, so such an interpreter is mounted file by file (each link on
  the way to its executable, its standard library directory),
- shared libraries its executable and extension modules load that the image lacks (never a host
  copy over a library the image has: the image's C library and loader must stay one pair).
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from pathlib import Path

from optiagent.adapters.sandbox.docker_image import image_libraries, python_prefix
from optiagent.adapters.sandbox.interpreter import Interpreter
from optiagent.ports.sandbox import InterpreterUnavailableError

_SYSTEM_PREFIXES = frozenset({"/", "/usr", "/usr/local"})
_LDD_PATH = re.compile(r"(/\S+)")
_NOT_FOUND = re.compile(r"^\s*(\S+) => not found", re.MULTILINE)

Mount = tuple[str, str]  # (host source, path in the box)


def is_image_interpreter(interpreter: Interpreter) -> bool:
    """The base installation is the one baked into the image (same prefix, same version)."""
    return (
        Path(interpreter.base_prefix) == python_prefix().resolve() and interpreter.version == _image_version()
    )


def _image_version() -> tuple[int, int]:
    import sys

    return (sys.version_info.major, sys.version_info.minor)


def interpreter_mounts(interpreter: Interpreter) -> tuple[Mount, ...]:
    """Read-only mounts that make `interpreter.path` run inside a box, or InterpreterUnavailableError."""
    mounts: list[Mount] = []
    if interpreter.venv:
        mounts.append((os.path.realpath(interpreter.venv), os.path.abspath(interpreter.venv)))
    if not is_image_interpreter(interpreter):
        mounts += _base_mounts(interpreter)
    mounts += _links_on_the_way(interpreter, mounts)
    return tuple(dict.fromkeys(mounts))


def _base_mounts(interpreter: Interpreter) -> list[Mount]:
    prefix = interpreter.base_prefix
    if not _is_system(prefix):
        mounts = [(prefix, prefix)]
    else:
        if not Path(interpreter.stdlib).is_relative_to(prefix) or interpreter.stdlib == prefix:
            raise InterpreterUnavailableError(
                f"the Docker sandbox cannot provide {interpreter.path}: its standard library "
                f"({interpreter.stdlib}) is not a directory of its own under {prefix}; use the local "
                "sandbox (--sandbox local) or a venv made from a pyenv or uv python"
            )
        mounts = [(interpreter.stdlib, interpreter.stdlib)]
        mounts += [(d, d) for d in interpreter.lib_dynload if not Path(d).is_relative_to(interpreter.stdlib)]
    mounts += [(library, library) for library in missing_libraries(interpreter)]
    return mounts


def _is_system(prefix: str) -> bool:
    """Mounting this directory would hide parts of the image."""
    return prefix in _SYSTEM_PREFIXES or python_prefix().resolve().is_relative_to(prefix)


def _links_on_the_way(interpreter: Interpreter, mounts: list[Mount]) -> list[Mount]:
    """The executable at every path on its symlink chain that no directory mount covers."""
    real = os.path.realpath(interpreter.path)
    covered = [Path(box_path) for _, box_path in mounts]
    return [
        (real, path)
        for path in interpreter.executable_chain
        if not any(Path(path).is_relative_to(c) for c in covered) and not _in_image(path, interpreter)
    ]


def _in_image(path: str, interpreter: Interpreter) -> bool:
    return is_image_interpreter(interpreter) and Path(path).is_relative_to(python_prefix())


def missing_libraries(interpreter: Interpreter) -> list[str]:
    """Libraries the interpreter's executable and extension modules load that the image lacks."""
    binaries = [os.path.realpath(interpreter.path)]
    for directory in interpreter.lib_dynload:
        binaries += sorted(str(p) for p in Path(directory).glob("*.so"))
    needed = _libraries_of(tuple(binaries))
    have = image_libraries()
    prefix = interpreter.base_prefix
    return sorted(lib for lib in needed if lib not in have and not Path(lib).is_relative_to(prefix))


@functools.lru_cache(maxsize=8)
def _libraries_of(binaries: tuple[str, ...]) -> frozenset[str]:
    found: set[str] = set()
    for binary in binaries:
        try:
            done = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if binary == binaries[0] and _NOT_FOUND.search(done.stdout):
            raise InterpreterUnavailableError(
                f"{binary} needs shared libraries missing on this host: {_NOT_FOUND.findall(done.stdout)}"
            )
        for line in done.stdout.splitlines():
            match = _LDD_PATH.search(line.split("=>")[-1])
            if match and os.path.exists(match.group(1)):
                found.add(match.group(1))
    return frozenset(found)
