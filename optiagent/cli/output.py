"""Where output goes: reports on stdout (or stderr when `--json -` takes stdout), progress and logs
on stderr; how much of it (`-q`, `-v`, `-vv`); the JSON report written whole or not at all."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from optiagent.logging_setup import configure_logging, log_level
from optiagent.settings import Settings

STDOUT = "-"


class LogFormatName(StrEnum):
    auto = "auto"
    console = "console"
    json = "json"


Verbose = Annotated[
    int,
    typer.Option(
        "--verbose", "-v", count=True, help="More detail: -v every stage and info logs, -vv debug logs."
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only the final summary and errors.")]
LogFormat = Annotated[
    LogFormatName | None,
    typer.Option(
        "--log-format",
        help="Logs on stderr: console, json (one object per line), or auto (console on a terminal).",
    ),
]


@dataclass(frozen=True)
class Output:
    verbose: int = 0
    quiet: bool = False
    log_format: str | None = None

    def merged(self, verbose: int, quiet: bool, log_format: LogFormatName | None) -> Output:
        """Flags given after the command add to those given before it (`optiagent -v optimize -v`)."""
        return Output(
            self.verbose + verbose,
            self.quiet or quiet,
            log_format.value if log_format is not None else self.log_format,
        )

    def configure_logging(self, settings: Settings) -> None:
        level = log_level(settings.log_level, self.verbose, self.quiet)
        configure_logging(level, self.log_format or settings.log_format)


def command_output(
    ctx: typer.Context, settings: Settings, verbose: int, quiet: bool, log_format: LogFormatName | None
) -> Output:
    """The command's output flags merged with the global ones, logging configured from them."""
    base = ctx.obj if isinstance(ctx.obj, Output) else Output()
    output = base.merged(verbose, quiet, log_format)
    output.configure_logging(settings)
    return output


def report_console(json_to_stdout: bool) -> Console:
    """Where the terminal report goes: stdout, unless stdout carries the JSON report."""
    return Console(stderr=json_to_stdout)


def is_stdout(path: Path | None) -> bool:
    return path is not None and str(path) == STDOUT


def write_json(path: Path, data: Any) -> None:
    """The JSON document to stdout (`-`), or to `path` whole: a temporary file beside it, renamed
    over it, so a reader never sees half a report and an interrupted write leaves none."""
    text = json.dumps(data, indent=2) + "\n"
    if is_stdout(path):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = path.resolve()
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the report from the user's group
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
