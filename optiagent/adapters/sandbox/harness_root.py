"""The directories put first on PYTHONPATH inside a sandbox: the harness, hypothesis and all it needs.

The harness is stdlib + hypothesis. Hypothesis is more than its package directory (top-level
modules such as `_hypothesis_globals`, requirements such as sortedcontainers, and on older
versions exceptiongroup or attrs), so what a job gets is computed from the distributions'
metadata: every top-level module, package and `.dist-info` of hypothesis and of its requirements,
recursively, for the job's interpreter's PEP 508 markers.

Nothing is installed into a project's environment. When this service's own packages fit the job's
interpreter (its version is allowed by their `Requires-Python`, they are pure Python and satisfy
the requirements), the harness root links to them. Otherwise (another minor version, a missing
requirement) the closure is downloaded once, as wheels, pinned to our versions where they fit,
into a per-version directory under the user cache (`~/.cache/optiagent/harness-deps`).

The root is placed on PYTHONPATH, so before the interpreter's site-packages: a project's own
(possibly conflicting) hypothesis never shadows ours, and its `.pth` files and sitecustomize still
run as usual.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet

from optiagent.adapters.sandbox.interpreter import describe
from optiagent.ports.sandbox import InterpreterUnavailableError

HARNESS_PACKAGE = "optiagent_harness"
HYPOTHESIS_STORAGE = "hypothesis-storage"
_ROOT_DISTRIBUTION = "hypothesis"
_LAYOUT_VERSION = 3  # bump when the directory's content changes: roots in use are never deleted
_FETCH_TIMEOUT_S = 300

# Hypothesis builds Unicode tables on first use (seconds); build them once per harness root, with
# the job's interpreter (the tables are per Unicode version), so each fresh job reads them.
_WARM_UP = (
    "import sys\n"
    "sys.path[:0] = sys.argv[1:]\n"
    "from hypothesis.internal.charmap import charmap, intervals_from_codec\n"
    "charmap()\n"
    "intervals_from_codec('utf-8')\n"
)


@dataclass(frozen=True)
class HarnessRoot:
    """Where the harness and its dependencies are, for one interpreter version."""

    harness_dir: Path  # holds only `optiagent_harness` (stdlib-only parts such as capture work alone)
    deps_dir: Path  # hypothesis and its requirements: links to ours, or a download (`fetched`)
    storage: Path  # hypothesis's storage directory with prebuilt Unicode tables
    fetched: bool

    def pythonpath(self, deps: bool = True) -> list[str]:
        return [str(self.harness_dir), str(self.deps_dir)] if deps else [str(self.harness_dir)]


def harness_source_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "harness"


def build_harness_root(python: str | None = None) -> HarnessRoot:
    """The harness root for `python` (default: this service's interpreter), built once per version."""
    interpreter = describe(python or sys.executable)
    markers = tuple(sorted(interpreter.markers.items()))
    return _root_for(interpreter.version_text, interpreter.cache_tag, markers, interpreter.path)


@functools.lru_cache(maxsize=16)
def _root_for(version: str, cache_tag: str, markers: tuple[tuple[str, str], ...], python: str) -> HarnessRoot:
    environment = dict(markers)
    links = local_closure(environment, cache_tag)
    if links is not None:
        return _linked_root(version, links, python)
    return _fetched_root(version, environment, python)


def _requirements(
    distribution: importlib.metadata.Distribution, environment: dict[str, str]
) -> list[Requirement]:
    found = []
    for text in distribution.requires or ():
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is None or requirement.marker.evaluate({**environment, "extra": ""}):
            found.append(requirement)
    return found


def _fits(
    distribution: importlib.metadata.Distribution,
    requirement: Requirement,
    environment: dict[str, str],
    cache_tag: str,
) -> bool:
    """Ours can serve the job's interpreter: right version, its Python allowed, and compiled
    modules (hypothesis has an optional one) built for that interpreter's ABI or the stable ABI."""
    if not requirement.specifier.contains(distribution.version, prereleases=True):
        return False
    requires_python = distribution.metadata["Requires-Python"]
    if requires_python and not SpecifierSet(requires_python).contains(
        environment["python_full_version"], prereleases=True
    ):
        return False
    compiled = [path.name for path in distribution.files or () if path.suffix in (".so", ".pyd")]
    return all(f".{cache_tag}-" in name or ".abi3." in name for name in compiled)


def local_closure(environment: dict[str, str], cache_tag: str) -> dict[str, Path] | None:
    """Top-level name -> our file or directory for hypothesis and its requirements (recursively,
    for `environment`'s markers); None when one of them is missing here or does not fit."""
    links: dict[str, Path] = {}
    pending = [Requirement(_ROOT_DISTRIBUTION)]
    seen: set[str] = set()
    while pending:
        requirement = pending.pop()
        name = requirement.name.lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        try:
            distribution = importlib.metadata.distribution(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            return None
        if not _fits(distribution, requirement, environment, cache_tag):
            return None
        links.update(_top_level(distribution))
        pending.extend(_requirements(distribution, environment))
    return links


def _top_level(distribution: importlib.metadata.Distribution) -> dict[str, Path]:
    """The entries a distribution puts in site-packages (modules, packages, its .dist-info)."""
    entries: dict[str, Path] = {}
    for file in distribution.files or ():
        top = file.parts[0]
        if top in ("..", "__pycache__") or top.endswith((".pth", ".data")):
            continue
        located = Path(str(distribution.locate_file(file)))
        path = located.parents[len(file.parts) - 2] if len(file.parts) > 1 else located
        if path.exists():
            entries[top] = path
    return entries


def _our_versions(environment: dict[str, str]) -> dict[str, str]:
    """Versions of hypothesis's requirements installed here, to pin a download to."""
    versions: dict[str, str] = {}
    pending = [_ROOT_DISTRIBUTION]
    while pending:
        name = pending.pop()
        if name in versions:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        versions[name] = distribution.version
        pending.extend(r.name.lower() for r in _requirements(distribution, environment))
    return versions


def _cache_home() -> Path:
    configured = os.environ.get("OPTIAGENT_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "optiagent"


def _linked_root(version: str, links: dict[str, Path], python: str) -> HarnessRoot:
    """A directory of symlinks to this service's packages (created once per content)."""
    harness = harness_source_dir()
    recipe = repr((_LAYOUT_VERSION, version, str(harness), sorted((k, str(v)) for k, v in links.items())))
    digest = hashlib.sha256(recipe.encode()).hexdigest()[:16]
    root = Path(tempfile.gettempdir()) / f"optiagent-harness-{os.getuid()}-{digest}"
    made = HarnessRoot(root / "harness", root / "deps", root / HYPOTHESIS_STORAGE, fetched=False)
    if all(path.is_dir() for path in (made.harness_dir, made.deps_dir, made.storage)):
        return made
    staging = Path(tempfile.mkdtemp(prefix="optiagent-harness-staging-"))
    (staging / "harness").mkdir()
    (staging / "harness" / HARNESS_PACKAGE).symlink_to(harness, target_is_directory=True)
    (staging / "deps").mkdir()
    for name, target in links.items():
        (staging / "deps" / name).symlink_to(target, target_is_directory=target.is_dir())
    _warm_up(python, staging / HYPOTHESIS_STORAGE, [staging / "deps"])
    _publish(staging, root)
    return made


def _fetched_root(version: str, environment: dict[str, str], python: str) -> HarnessRoot:
    """Hypothesis and its requirements downloaded for `version`, cached on disk."""
    ours = _our_versions(environment)
    recipe = repr((_LAYOUT_VERSION, version, environment.get("platform_machine"), sorted(ours.items())))
    digest = hashlib.sha256(recipe.encode()).hexdigest()[:16]
    cache = _cache_home() / "harness-deps" / f"py{version}-{digest}"
    harness_link = _linked_harness(cache.parent)
    made = HarnessRoot(harness_link, cache / "site", cache / HYPOTHESIS_STORAGE, fetched=True)
    if made.deps_dir.is_dir() and made.storage.is_dir():
        return made
    cache.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-py{version}-", dir=cache.parent))
    try:
        _download(version, ours, staging / "site")
        for leftover in ("bin", ".lock"):  # console scripts, the installer's lock: not needed
            path = staging / "site" / leftover
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        _warm_up(python, staging / HYPOTHESIS_STORAGE, [staging / "site"])
        _open_up(staging)
        _publish(staging, cache)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return made


def _linked_harness(cache_root: Path) -> Path:
    """A directory holding only a link to the harness source, beside the downloaded roots."""
    harness = harness_source_dir()
    digest = hashlib.sha256(str(harness).encode()).hexdigest()[:16]
    directory = cache_root / f"harness-{digest}"
    if (directory / HARNESS_PACKAGE).exists():
        return directory
    cache_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-harness-", dir=cache_root))
    (staging / HARNESS_PACKAGE).symlink_to(harness, target_is_directory=True)
    _open_up(staging)
    _publish(staging, directory)
    return directory


def _installers(target: Path, version: str) -> list[list[str]]:
    """Commands that install wheels for `version` into `target` (uv first, then pip)."""
    wheels_for = ["--target", str(target), "--python-version", version, "--only-binary", ":all:"]
    commands = []
    uv = shutil.which("uv")
    if uv:
        commands.append([uv, "pip", "install", "--quiet", *wheels_for, "--python", sys.executable])
    try:
        importlib.metadata.distribution("pip")
    except importlib.metadata.PackageNotFoundError:
        return commands
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    commands.append([*pip, *wheels_for, "--no-compile"])
    return commands


def _download(version: str, ours: dict[str, str], target: Path) -> None:
    """Our hypothesis version and requirements when they support `version`; else the newest
    hypothesis 6 not newer than ours that does. Raises InterpreterUnavailableError."""
    installers = _installers(target, version)
    if not installers:
        raise InterpreterUnavailableError(
            f"the harness needs hypothesis for Python {version}, and neither uv nor pip is available "
            "to download it: install uv, or run with an interpreter of this service's Python version"
        )
    hypothesis = ours.get(_ROOT_DISTRIBUTION, "")
    pins = [f"{name}=={v}" for name, v in sorted(ours.items()) if name != _ROOT_DISTRIBUTION]
    attempts = [
        [f"hypothesis=={hypothesis}", *pins],
        [f"hypothesis>=6,<={hypothesis}", *pins],
        [f"hypothesis>=6,<={hypothesis}"],
    ]
    errors: list[str] = []
    for command in installers:
        for requirements in attempts:
            shutil.rmtree(target, ignore_errors=True)
            try:
                done = subprocess.run(
                    [*command, *requirements],
                    capture_output=True,
                    text=True,
                    timeout=_FETCH_TIMEOUT_S,
                    check=False,
                )
            except (OSError, subprocess.SubprocessError) as error:
                errors.append(str(error))
                break
            if done.returncode == 0:
                return
            errors.append(done.stderr.strip()[-400:])
    raise InterpreterUnavailableError(
        f"cannot download hypothesis and its requirements for Python {version} "
        f"(the harness needs them; nothing is installed into the project's environment): {errors[-1]}"
    )


def _warm_up(python: str, storage: Path, paths: list[Path]) -> None:
    storage.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HYPOTHESIS_STORAGE_DIRECTORY": str(storage)}
    subprocess.run(
        [python, "-I", "-S", "-c", _WARM_UP, *map(str, paths)],
        env=env,
        check=False,
        capture_output=True,
        timeout=120,
    )
    _open_up(storage)


def _open_up(root: Path) -> None:
    """World-readable, so a Docker box's unprivileged user can read it where it is mounted."""
    for directory, _, files in os.walk(root):
        os.chmod(directory, 0o755)
        for name in files:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                os.chmod(path, 0o644)


def _publish(staging: Path, final: Path) -> None:
    os.chmod(staging, 0o755)
    try:
        staging.rename(final)
    except OSError:  # another process won the race; its directory is equivalent
        shutil.rmtree(staging, ignore_errors=True)
