"""Composition root: settings -> adapters -> services. The only place that picks implementations."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.adapters.store.sql import SqlEditStore
from optiagent.agents.catalogue import CatalogueGenerator
from optiagent.domain.errors import ConfigError
from optiagent.ports.generator import CandidateGenerator
from optiagent.ports.sandbox import Sandbox, SandboxLimits
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
    if chosen == "docker":
        raise ConfigError("the docker sandbox backend is not available in this build; use --sandbox local")
    if chosen not in ("auto", "local"):
        raise ConfigError(f"unknown sandbox backend {chosen!r}; choose auto, docker or local")
    return LocalSandbox(limits=limits)


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
