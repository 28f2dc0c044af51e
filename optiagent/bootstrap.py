"""Composition root: settings -> adapters -> services. The only place that picks implementations."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import structlog

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.sql import SqlEditStore
from optiagent.agents.catalogue import CatalogueGenerator
from optiagent.domain.errors import ConfigError
from optiagent.ports.generator import CandidateGenerator
from optiagent.ports.sandbox import Sandbox, SandboxLimits, SandboxUnavailableError
from optiagent.ports.store import EditStore
from optiagent.settings import Settings

KNOWN_STRATEGIES = ("catalogue",)


def default_database_url(root: Path) -> str:
    base = root.parent if root.is_file() else root
    return f"sqlite:///{(base / '.optiagent' / 'history.db').resolve()}"


def build_store(settings: Settings, url: str | None, root: Path) -> EditStore:
    return SqlEditStore(url or settings.database_url or default_database_url(root))


def build_sandbox(settings: Settings, backend: str | None = None) -> Sandbox:
    chosen = backend or settings.sandbox.backend
    limits = SandboxLimits(
        timeout_s=settings.sandbox.timeout_s,
        cpu_s=settings.sandbox.cpu_s,
        memory_mb=settings.sandbox.memory_mb,
    )
    if chosen not in ("auto", "docker", "local"):
        raise ConfigError(f"unknown sandbox backend {chosen!r}; choose auto, docker or local")
    if chosen == "local":
        return LocalSandbox(limits=limits)
    from optiagent.adapters.sandbox.choose import open_sandbox
    from optiagent.adapters.sandbox.docker_sandbox import DockerOptions

    config = settings.sandbox
    options = DockerOptions(
        warm=config.warm,
        pool_size=max(config.pool_size, 1),
        max_jobs_per_container=config.max_jobs_per_container,
        idle_s=config.idle_s,
        cpus=config.cpus,
        deps_dir=config.deps_dir,
    )
    try:
        box, reason = open_sandbox(chosen, limits, options, build=config.build_image)
    except SandboxUnavailableError as error:
        raise ConfigError(
            f"docker sandbox unavailable: {error}; start Docker or use --sandbox local"
        ) from error
    if reason:
        structlog.get_logger().warning("sandbox: using the local sandbox", reason=reason)
    return box


def build_generators(strategies: Sequence[str]) -> dict[str, CandidateGenerator]:
    generators: dict[str, CandidateGenerator] = {}
    for name in strategies:
        if name == "catalogue":
            generators[name] = CatalogueGenerator()
        elif name in ("plansearch", "rewoo", "funcoder", "sampling", "auto"):
            raise ConfigError(
                f"strategy {name!r} needs an LLM provider, which this build does not have yet; "
                "use --strategy catalogue"
            )
        else:
            raise ConfigError(f"unknown strategy {name!r}; known: {', '.join(KNOWN_STRATEGIES)}")
    return generators
