"""The validation image, built with no registry: the service's own CPython and its shared libraries.

The root filesystem holds the interpreter at the same prefix as on the host (`sys.base_prefix`, so a
project venv whose `home` points there works inside the box and timings compare), the closure of
shared libraries `ldd` reports for it, `/bin/sh` and `/usr/bin/env` (workload commands and `#!`
lines), hypothesis and sortedcontainers, and an unprivileged `sandbox` user. It is loaded with
`docker import` and tagged by a hash of its recipe, so it is rebuilt only when the recipe changes.

The harness itself is NOT baked in: it is bind-mounted read-only at run time (`HARNESS_MOUNT`), so
editing harness code needs no rebuild and the image stays stable across commits.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import inspect
import io
import os
import py_compile
import re
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

IMAGE_REPOSITORY = "optiagent-sandbox"
SANDBOX_UID = 10001
LIB_DIR = "/opt/optiagent/lib"  # on PYTHONPATH in the box
HARNESS_MOUNT = f"{LIB_DIR}/optiagent_harness"  # the harness source, mounted read-only
DEPS_MOUNT = "/opt/optiagent/deps"  # `pip install --target` dependencies of code under test
HYPOTHESIS_STORAGE = "/opt/optiagent/hypothesis-storage"  # prebuilt Unicode tables
# The harness source again, alone in a directory: jobs that must not see our hypothesis (a
# project's own workload), and interpreters of another version (hypothesis comes from elsewhere).
HARNESS_ONLY_DIR = "/opt/optiagent/harness"
_BAKED_PACKAGES = ("hypothesis", "sortedcontainers")
_RECIPE_VERSION = 3  # bump when the layout below changes
# Parts of the standard library that validation never needs (tests, GUIs, the installer).
_SKIPPED_STDLIB = frozenset(
    {"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "site-packages", "lib2to3", "__phello__"}
)
_SHELL_TOOLS = ("/bin/sh", "/usr/bin/env")
_LDD_PATH = re.compile(r"(/\S+)")


def python_prefix() -> Path:
    return Path(sys.base_prefix)


def box_python() -> str:
    """The interpreter path inside the box (identical to the host's base interpreter)."""
    return str(python_prefix() / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}")


def recipe() -> str:
    """Everything the image content depends on; its hash is the tag."""
    versions = {name: importlib.metadata.version(name) for name in _BAKED_PACKAGES}
    builder = hashlib.sha256(
        "".join(inspect.getsource(part) for part in _CONTENT_BUILDERS).encode()
    ).hexdigest()
    return repr(
        (
            _RECIPE_VERSION,
            sys.version,
            str(python_prefix()),
            sysconfig.get_platform(),
            versions,
            builder,
            (LIB_DIR, HARNESS_MOUNT, DEPS_MOUNT, HYPOTHESIS_STORAGE, SANDBOX_UID, _SHELL_TOOLS),
            sorted(_SKIPPED_STDLIB),
        )
    )


def image_tag() -> str:
    return f"{IMAGE_REPOSITORY}:{hashlib.sha256(recipe().encode()).hexdigest()[:16]}"


def _shared_libraries(binaries: Iterable[Path]) -> set[Path]:
    found: set[Path] = set()
    for binary in binaries:
        done = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=False)
        for line in done.stdout.splitlines():
            match = _LDD_PATH.search(line.split("=>")[-1])
            if match and Path(match.group(1)).exists():
                found.add(Path(match.group(1)))
    return found


def _libgcc() -> set[Path]:
    done = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False)
    paths = {
        Path(line.split("=>")[-1].strip()) for line in done.stdout.splitlines() if "libgcc_s.so.1 " in line
    }
    return {path for path in paths if path.exists()}


def _stdlib_files(prefix: Path) -> Iterator[Path]:
    stdlib = prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    for path in sorted(stdlib.rglob("*")):
        relative = path.relative_to(stdlib).parts
        if relative[0] in _SKIPPED_STDLIB or relative[0].startswith("config-"):
            continue
        if path.suffix == ".pyc" and ".opt-" in path.name:  # only the default optimisation level
            continue
        if path.is_file() or path.is_symlink():
            yield path


def _interpreter_files(prefix: Path) -> list[Path]:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    names = [f"bin/python{version}", f"bin/python{sys.version_info.major}", "bin/python"]
    names += [p.relative_to(prefix).as_posix() for p in (prefix / "lib").glob("libpython*.so*")]
    return [prefix / name for name in names if (prefix / name).exists() or (prefix / name).is_symlink()]


def _distribution_files(name: str) -> Iterator[tuple[Path, str]]:
    """(host file, path relative to site-packages) for a distribution's importable files."""
    distribution = importlib.metadata.distribution(name)
    for entry in distribution.files or ():
        top = entry.parts[0]
        if top.endswith((".dist-info", ".data")) or top == ".." or entry.suffix == ".pyc":
            continue
        source = Path(str(distribution.locate_file(entry)))
        if source.is_file():
            yield source, entry.as_posix()


class _RootFs:
    """Writes a root filesystem tar: every entry owned by root, directories created on the way."""

    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.dirs: set[str] = set()

    def directory(self, path: str, mode: int = 0o755) -> None:
        parts = Path(path.strip("/")).parts
        for depth in range(1, len(parts) + 1):
            name = "/".join(parts[:depth])
            if name not in self.dirs:
                self.dirs.add(name)
                info = tarfile.TarInfo(name)
                info.type, info.mode = tarfile.DIRTYPE, mode if depth == len(parts) else 0o755
                self.tar.addfile(info)

    def text(self, path: str, content: str, mode: int = 0o644) -> None:
        self.directory(str(Path(path).parent))
        data = content.encode()
        info = tarfile.TarInfo(path.strip("/"))
        info.size, info.mode = len(data), mode
        self.tar.addfile(info, io.BytesIO(data))

    def symlink(self, path: str, target: str) -> None:
        self.directory(str(Path(path).parent))
        info = tarfile.TarInfo(path.strip("/"))
        info.type, info.linkname, info.mode = tarfile.SYMTYPE, target, 0o777
        self.tar.addfile(info)

    def host_file(self, source: Path, path: str | None = None, dereference: bool = False) -> None:
        """Copies a host file (a symlink stays a symlink unless `dereference`)."""
        name = (path or str(source)).strip("/")
        self.directory(str(Path(name).parent))
        if source.is_symlink() and not dereference:
            self.symlink(name, os.readlink(source))
            return
        info = self.tar.gettarinfo(str(source.resolve()), arcname=name)
        info.uid = info.gid = 0
        info.mode |= 0o444  # readable by the unprivileged user (tempfiles are created 0600)
        info.uname = info.gname = "root"
        with source.open("rb") as handle:
            self.tar.addfile(info, handle)

    def compiled(self, source: Path, path: str) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            target = Path(scratch) / "module.pyc"
            py_compile.compile(
                str(source),
                cfile=str(target),
                dfile=path,
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
            name = Path(path)
            cached = name.parent / "__pycache__" / f"{name.stem}.{sys.implementation.cache_tag}.pyc"
            self.host_file(target, str(cached))

    def host_tree(self, source: Path, path: str) -> None:
        for file in sorted(source.rglob("*")):
            if "__pycache__" in file.parts and not file.name.endswith(f"{sys.implementation.cache_tag}.pyc"):
                continue
            if file.is_file() and not file.is_symlink():
                self.host_file(file, f"{path}/{file.relative_to(source).as_posix()}")


def _hypothesis_tables(storage: Path) -> None:
    """Hypothesis builds its Unicode tables on first use (seconds); build them once, into the image."""
    warm_up = "from hypothesis.internal.charmap import charmap, intervals_from_codec\ncharmap()\nintervals_from_codec('utf-8')\n"
    env = {**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(storage)}
    subprocess.run([sys.executable, "-c", warm_up], env=env, check=True, capture_output=True, timeout=300)


def write_rootfs(fileobj: Any) -> None:
    with tarfile.open(fileobj=fileobj, mode="w") as tar:
        _fill_rootfs(_RootFs(tar))


def _fill_rootfs(rootfs: _RootFs) -> None:
    prefix = python_prefix()
    for name in ("proc", "sys", "dev", "etc", "work"):
        rootfs.directory(name)
    rootfs.directory("tmp", 0o1777)
    interpreter = _interpreter_files(prefix)
    stdlib = list(_stdlib_files(prefix))
    for path in [*interpreter, *stdlib]:
        rootfs.host_file(path)
    rootfs.directory(
        str(prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages")
    )
    tools = [Path(tool) for tool in _SHELL_TOOLS]
    baked = [pair for name in _BAKED_PACKAGES for pair in _distribution_files(name)]
    extensions = [path for path in [*stdlib, *(source for source, _ in baked)] if path.suffix == ".so"]
    # glibc dlopens libgcc_s when a thread is cancelled or exits; ldd does not list it.
    libraries = _shared_libraries([*interpreter, *extensions, *tools]) | _libgcc()
    for library in sorted(libraries):
        if not library.is_relative_to(prefix):
            rootfs.host_file(library, dereference=True)
    for tool in tools:
        rootfs.host_file(tool.resolve(), str(tool), dereference=True)
    rootfs.symlink("usr/local/bin/python3", box_python())
    rootfs.symlink("usr/local/bin/python", box_python())
    for source, relative in baked:
        rootfs.host_file(source, f"{LIB_DIR}/{relative}")
        if source.suffix == ".py":  # the root is read-only: compile now or on every import
            rootfs.compiled(source, f"{LIB_DIR}/{relative}")
    rootfs.directory(HARNESS_MOUNT)
    rootfs.directory(DEPS_MOUNT)
    with tempfile.TemporaryDirectory(prefix="optiagent-image-") as scratch:
        _hypothesis_tables(Path(scratch))
        rootfs.host_tree(Path(scratch), HYPOTHESIS_STORAGE)
    rootfs.text(
        "etc/passwd",
        f"root:x:0:0:root:/nonexistent:/bin/sh\nsandbox:x:{SANDBOX_UID}:{SANDBOX_UID}:sandbox:/work:/bin/sh\n",
    )
    rootfs.text("etc/group", f"root:x:0:\nsandbox:x:{SANDBOX_UID}:\n")


@functools.lru_cache(maxsize=1)
def image_libraries() -> frozenset[str]:
    """Shared libraries the image holds outside the interpreter's prefix (as `_fill_rootfs` picks
    them): another interpreter mounted into a box gets only the libraries missing from this set,
    never a host copy over the image's own C library."""
    prefix = python_prefix()
    interpreter = _interpreter_files(prefix)
    extensions = [path for path in _stdlib_files(prefix) if path.suffix == ".so"]
    extensions += [source for name in _BAKED_PACKAGES for source, _ in _distribution_files(name)]
    binaries = [*interpreter, *[p for p in extensions if p.suffix == ".so"], *map(Path, _SHELL_TOOLS)]
    found = _shared_libraries(binaries) | _libgcc()
    return frozenset(str(path) for path in found if not path.is_relative_to(prefix))


# The code that decides the image's content: a change to any of it changes the tag.
_CONTENT_BUILDERS = (
    _fill_rootfs,
    _RootFs,
    _stdlib_files,
    _interpreter_files,
    _shared_libraries,
    _distribution_files,
    _libgcc,
    _hypothesis_tables,
)


def image_exists(client: Any, tag: str | None = None) -> bool:
    import docker.errors

    try:
        client.images.get(tag or image_tag())
    except docker.errors.ImageNotFound:
        return False
    return True


def build_image(client: Any, force: bool = False) -> str:
    """Builds and imports the image unless one with this recipe's tag exists. Returns the tag."""
    tag = image_tag()
    if not force and image_exists(client, tag):
        return tag
    repository, version = tag.split(":")
    with tempfile.TemporaryFile() as archive:
        write_rootfs(archive)
        archive.seek(0)
        client.api.import_image(
            src=archive,
            repository=repository,
            tag=version,
            changes=[f"USER {SANDBOX_UID}", "WORKDIR /work", "ENV PATH=/usr/local/bin:/usr/bin:/bin"],
        )
    if not image_exists(client, tag):
        raise RuntimeError(f"docker import did not produce {tag}")
    return tag


def prune_images(client: Any, keep: str) -> list[str]:
    """Removes optiagent-sandbox images of other recipes (in use ones stay: removal fails)."""
    removed: list[str] = []
    for image in client.images.list(name=IMAGE_REPOSITORY):
        for tag in image.tags:
            if tag != keep and tag.startswith(f"{IMAGE_REPOSITORY}:"):
                try:
                    client.images.remove(tag)
                except Exception:  # used by a container
                    continue
                removed.append(tag)
    return removed


def main(argv: list[str]) -> int:
    """`python -m optiagent.adapters.sandbox.docker_image [--force] [--prune]` (tools/sandbox-image)."""
    import docker.client

    client = docker.client.from_env()
    tag = build_image(client, force="--force" in argv)
    if "--prune" in argv:
        for old in prune_images(client, keep=tag):
            print(f"removed {old}", file=sys.stderr)
    print(tag)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
