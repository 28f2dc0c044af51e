"""The one logging configuration of every entry point (CLI, Celery workers, API).

Logs go to stderr, never stdout (stdout carries reports and `--json -`). The format is a
console rendering when stderr is a terminal and one JSON object per line otherwise, or as asked.
structlog loggers and the standard library's (uvicorn, celery, alembic, httpx) share the same
level, stream and renderer.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO, get_args

import structlog
from rich.console import Console

from optiagent.domain.errors import ConfigError

LogFormat = Literal["auto", "console", "json"]
LOG_FORMATS: tuple[str, ...] = get_args(LogFormat)
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Chatty libraries stay at WARNING unless the run asks for DEBUG.
_QUIET_LIBRARIES = ("httpx", "httpcore", "urllib3", "docker", "asyncio", "hypothesis")


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is when a record is emitted (a test runner may swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


def log_level(configured: str, verbose: int = 0, quiet: bool = False) -> int:
    """The level from flags, else from `Settings.log_level` (OPTIAGENT_LOG_LEVEL).

    `-q` shows errors only, `-v` info, `-vv` debug; flags win over the setting.
    """
    if quiet:
        return logging.ERROR
    if verbose >= 2:
        return logging.DEBUG
    if verbose == 1:
        return logging.INFO
    name = configured.strip().upper()
    if name == "WARN":
        name = "WARNING"
    if name not in _LEVELS:
        raise ConfigError(
            f"log level {configured!r} (OPTIAGENT_LOG_LEVEL) is not one of {', '.join(_LEVELS)}"
        )
    return int(getattr(logging, name))


def renders_json(fmt: str, stream: TextIO) -> bool:
    if fmt not in LOG_FORMATS:
        raise ConfigError(f"log format {fmt!r} (OPTIAGENT_LOG_FORMAT) is not one of {', '.join(LOG_FORMATS)}")
    if fmt == "auto":
        return not stream.isatty()
    return fmt == "json"


def configure_logging(level: int, fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Configure structlog and the standard library's root logger; safe to call again."""
    out = stream or sys.stderr
    as_json = renders_json(fmt, out)
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True)
        if as_json
        else structlog.processors.TimeStamper(fmt="%H:%M:%S", utc=False),
    ]
    renderer: structlog.typing.Processor
    if as_json:
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.dict_tracebacks)
    else:
        # rich decides colour for the stream as it does for the report: NO_COLOR, TERM=dumb, a pipe.
        console = Console(file=out)
        renderer = structlog.dev.ConsoleRenderer(colors=console.is_terminal and not console.no_color)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(out) if stream is not None else _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(level if level <= logging.DEBUG else max(level, logging.WARNING))
