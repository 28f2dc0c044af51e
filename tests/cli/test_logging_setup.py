"""One logging configuration: structlog and standard-library records share level, stream and format."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from optiagent.domain.errors import ConfigError
from optiagent.logging_setup import configure_logging, log_level


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The configuration is process-wide: put back what pytest and other tests had."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    saved = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**saved)


def test_flags_win_over_the_setting() -> None:
    """-q: errors; -v: info; -vv: debug; no flag: OPTIAGENT_LOG_LEVEL (any case, WARN too)."""
    assert log_level("warning") == logging.WARNING
    assert log_level("WARN") == logging.WARNING
    assert log_level("debug", quiet=True) == logging.ERROR
    assert log_level("ERROR", verbose=1) == logging.INFO
    assert log_level("ERROR", verbose=2) == logging.DEBUG
    with pytest.raises(ConfigError, match="OPTIAGENT_LOG_LEVEL"):
        log_level("loud")
    with pytest.raises(ConfigError, match="OPTIAGENT_LOG_FORMAT"):
        configure_logging(logging.INFO, "xml", io.StringIO())


def test_a_pipe_gets_json_lines_from_both_kinds_of_logger() -> None:
    """Not a terminal: one JSON object per record, structlog's and the standard library's alike,
    below the level dropped."""
    out = io.StringIO()
    configure_logging(logging.INFO, "auto", out)
    structlog.get_logger("optiagent.test").info("target_started", target="m.py::f")
    logging.getLogger("uvicorn.error").warning("port %d busy", 8000)
    structlog.get_logger("optiagent.test").debug("hidden")
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["event"] for r in records] == ["target_started", "port 8000 busy"]
    assert records[0]["target"] == "m.py::f" and records[0]["level"] == "info"
    assert records[1]["logger"] == "uvicorn.error" and records[1]["level"] == "warning"


def test_a_terminal_gets_the_console_rendering_unless_json_is_asked() -> None:
    """A terminal: human-readable lines (coloured unless NO_COLOR); --log-format json: JSON still."""
    out = Terminal()
    configure_logging(logging.WARNING, "auto", out)
    structlog.get_logger("optiagent.test").warning("sandbox_fallback", reason="no docker")
    line = out.getvalue().strip()
    assert "sandbox_fallback" in line and "reason" in line and not line.startswith("{")
    out = Terminal()
    configure_logging(logging.WARNING, "json", out)
    structlog.get_logger("optiagent.test").warning("sandbox_fallback", reason="no docker")
    assert json.loads(out.getvalue())["reason"] == "no docker"
