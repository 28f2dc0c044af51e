"""The optional parts of optiagent and the extra that installs each (pyproject's optional-dependencies).

The core installs the command line (offline catalogue, local and Docker sandboxes, SQLite history).
A command that needs a missing extra stops with one line naming the install command, before it
imports anything of the extra, instead of a traceback from deep inside.
"""

from __future__ import annotations

from importlib.util import find_spec

from optiagent.domain.errors import ConfigError

# The modules each extra provides, by import name (pyproject.toml lists the distributions).
EXTRAS: dict[str, tuple[str, ...]] = {
    "llm": ("langgraph", "openai", "anthropic"),
    "service": ("fastapi", "python_multipart", "uvicorn", "celery", "redis", "psycopg", "greenlet"),
    "github": ("githubkit", "hishel", "httpx"),
    "report": ("matplotlib",),
}


class MissingExtraError(ConfigError):
    """A feature was asked for whose optional dependencies are not installed."""


def install_hint(extra: str) -> str:
    return f"pip install 'optiagent[{extra}]'"


def missing_modules(extra: str) -> list[str]:
    return [name for name in EXTRAS[extra] if find_spec(name) is None]


def require_extra(extra: str, feature: str) -> None:
    """Raises MissingExtraError naming `feature` and the install command when the extra is missing."""
    missing = missing_modules(extra)
    if missing:
        partly = f" (missing: {', '.join(missing)})" if len(missing) < len(EXTRAS[extra]) else ""
        raise MissingExtraError(f"{feature} needs the {extra} extra{partly}: {install_hint(extra)}")


def require_driver(module: str, feature: str) -> None:
    """Raises MissingExtraError when a database driver is missing (psycopg comes with `service`)."""
    if find_spec(module) is None:
        hint = (
            install_hint("service")
            if module.startswith("psycopg")
            else f"install the package that provides the {module!r} module into optiagent's environment"
        )
        raise MissingExtraError(f"{feature} needs the {module} driver: {hint}")
