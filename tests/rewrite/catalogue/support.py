"""Helpers for catalogue tests: apply one rule to source text and load the result as code."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from typing import Any

import libcst as cst

from optiagent.rewrite.catalogue import all_rules
from optiagent.rewrite.catalogue.base import Rule

PROPERTY_EXAMPLES = 60


def rule(rule_id: str) -> Rule:
    """The catalogue rule with this id."""
    return next(r for r in all_rules() if r.info.id == rule_id)


def apply(rule_id: str, source: str, qualname: str) -> str | None:
    """The rewritten module text, or None when the rule does not apply."""
    result = rule(rule_id).rewrite(cst.parse_module(textwrap.dedent(source)), qualname)
    return None if result is None else result.code


def applied(rule_id: str, source: str, qualname: str) -> str:
    """The rewritten module text; fails the test when the rule does not apply."""
    result = apply(rule_id, source, qualname)
    assert result is not None, f"{rule_id} did not apply to {qualname}"
    compile(result, "<rewritten>", "exec")
    return result


def load(source: str, name: str) -> Callable[..., Any]:
    """Execute module text in a fresh namespace and return the function `name` from it."""
    namespace: dict[str, Any] = {"__name__": "catalogue_example"}
    exec(compile(textwrap.dedent(source), "<example>", "exec"), namespace)
    function: Callable[..., Any] = namespace[name]
    return function


@functools.cache
def pair(
    rule_id: str, source: str, name: str, qualname: str | None = None
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The original function and its rewritten version (loaded once per test session)."""
    rewritten = applied(rule_id, source, qualname or name)
    return load(source, name), load(rewritten, name)
