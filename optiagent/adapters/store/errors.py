"""The one place that turns database driver failures into StoreUnavailableError (or ConfigError)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic.util import CommandError
from sqlalchemy import exc

from optiagent.adapters.store.engine import describe_url
from optiagent.domain.errors import ConfigError
from optiagent.ports.store import StoreUnavailableError

OUTAGES = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError, CommandError, OSError)
MISCONFIGURATIONS = (exc.ArgumentError, exc.NoSuchModuleError)


@contextmanager
def translate_store_errors(url: str, action: str) -> Iterator[None]:
    """Re-raise outages (unreachable, locked, unmigratable) as StoreUnavailableError, bad URLs as ConfigError."""
    try:
        yield
    except MISCONFIGURATIONS as error:
        raise ConfigError(f"invalid history store URL {describe_url(url)}: {error}") from error
    except OUTAGES as error:
        raise StoreUnavailableError(
            f"history store at {describe_url(url)} is unavailable while {action}: {_first_line(error)}. "
            "Check that the database is running, the URL is right and the schema can be migrated."
        ) from error


def _first_line(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip()
    return text.splitlines()[0] if text else type(cause).__name__
