"""Put a new version of one function back into its module, leaving every other byte alone."""

from __future__ import annotations

import textwrap

import libcst as cst

from optiagent.rewrite.locate import function_span


def _indentation(text: str) -> str:
    first = text.lstrip("\n")
    return first[: len(first) - len(first.lstrip(" \t"))]


def splice_function(source: str, qualname: str, new_function: str) -> str | None:
    """`source` with the def `qualname` replaced by `new_function`, re-indented to fit; None if absent.

    Splicing the original text back (`function_source`) gives identical bytes. The result is
    returned only when it still parses.
    """
    span = function_span(source, qualname)
    if span is None:
        return None
    start, end = span
    original = source[start:end]
    indent = _indentation(original)
    replacement = (
        textwrap.indent(textwrap.dedent(new_function), indent) if indent else textwrap.dedent(new_function)
    )
    if original == new_function:
        replacement = new_function
    if original.endswith("\n") and not replacement.endswith("\n"):
        replacement += "\n"
    result = source[:start] + replacement + source[end:]
    try:
        cst.parse_module(result)
    except cst.ParserSyntaxError:
        return None
    return result
