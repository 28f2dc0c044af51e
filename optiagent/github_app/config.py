"""A repository's `[tool.optiagent.github]` table, read tolerantly: unknown keys are ignored and a
value of the wrong type keeps its default (with a note), so a typo never stops the App."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from typing import Any

MODES = ("auto", "command")
FOLLOWUPS = ("on_request", "auto", "never")
COMMENTS = ("findings", "never")


@dataclass(frozen=True)
class RepoConfig:
    enabled: bool = True
    mode: str = "auto"  # auto: every eligible push; command: only on `/optiagent run` or the trigger label
    drafts: bool = False  # run on draft pull requests too
    skip_labels: tuple[str, ...] = ("optiagent:skip",)
    trigger_label: str = "optiagent"
    base_branches: tuple[str, ...] = ()  # fnmatch patterns; empty: any base branch
    ignore_paths: tuple[str, ...] = ()  # fnmatch patterns of files whose functions are not targets
    ignore_authors: tuple[str, ...] = ()
    max_functions: int = 8
    min_speedup: float = 1.10  # an edit is published only when its interval's lower bound clears this
    max_suggestion_lines: int = 15
    max_suggestions: int = 5
    followup: str = "on_request"  # on_request | auto | never
    comment: str = "findings"  # findings | never
    notes: tuple[str, ...] = field(default=(), compare=False)


def parse_config(pyproject: str | None) -> RepoConfig:
    """The App's configuration from the text of a pyproject.toml (None: defaults)."""
    if pyproject is None:
        return RepoConfig()
    try:
        data = tomllib.loads(pyproject)
    except tomllib.TOMLDecodeError as error:
        return RepoConfig(notes=(f"pyproject.toml is not valid TOML ({error}); using defaults",))
    table = data.get("tool", {}).get("optiagent", {}).get("github", {})
    if not isinstance(table, dict):
        return RepoConfig(notes=("[tool.optiagent.github] is not a table; using defaults",))
    return config_from_table(table)


def config_from_table(table: dict[str, Any]) -> RepoConfig:
    config, notes = RepoConfig(), []
    defaults = {f.name: getattr(config, f.name) for f in fields(RepoConfig) if f.name != "notes"}
    changes: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in defaults:
            continue
        coerced = _coerce(defaults[name], value)
        if coerced is None or not _allowed(name, coerced):
            notes.append(f"ignored {key} = {value!r}")
            continue
        changes[name] = coerced
    return replace(config, **changes, notes=tuple(notes))


def _coerce(default: object, value: object) -> object | None:
    if isinstance(default, bool):
        return value if isinstance(value, bool) else None
    if isinstance(default, int):
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if ok else None  # type: ignore[arg-type]
    if isinstance(default, str):
        return value if isinstance(value, str) else None
    if isinstance(default, tuple):
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
    return None


def _allowed(name: str, value: object) -> bool:
    if name == "mode":
        return value in MODES
    if name == "followup":
        return value in FOLLOWUPS
    if name == "comment":
        return value in COMMENTS
    if name in ("max_functions", "max_suggestion_lines"):
        return isinstance(value, int) and 1 <= value <= 100
    if name == "max_suggestions":
        return isinstance(value, int) and 0 <= value <= 50
    if name == "min_speedup":
        return isinstance(value, float) and 1.0 <= value <= 1000.0
    return True
