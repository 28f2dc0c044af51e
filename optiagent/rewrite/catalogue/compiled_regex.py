"""OPT008: `re.match(PATTERN_LITERAL, s)` (and search/fullmatch/findall/finditer/split/sub/subn)
inside a function -> a module-level compiled pattern, `_PATTERN.match(s)`.

Saves the `re` module's per-call cache lookup and argument parsing. Flags (keyword, or the
positional slot that holds them) move into `re.compile`.

Preconditions: the module does `import re` at top level; the pattern is a string literal;
the call has no `*args`/`**kwargs`; it sits inside a function (not at module level).

Micro-benchmark (CPython 3.11, benchmarks/catalogue_rules.py, CPU time, best of 25):
2,084.0 us -> 1,022.1 us, 2.04x.
"""

from __future__ import annotations

import libcst as cst

from optiagent.rewrite.catalogue.base import RuleInfo
from optiagent.rewrite.catalogue.count_dict import code
from optiagent.rewrite.catalogue.imports import imports_module, insert_after_imports
from optiagent.rewrite.catalogue.names import call_name, fresh_name, identifiers
from optiagent.rewrite.catalogue.regions import ChangeTracker, transform_regions

# number of positional arguments (pattern included) when the last one is `flags`
_FLAGS_SLOT = {
    "match": 3,
    "search": 3,
    "fullmatch": 3,
    "findall": 3,
    "finditer": 3,
    "split": 4,
    "sub": 5,
    "subn": 5,
}


class _CompileTransformer(ChangeTracker):
    def __init__(self, module: cst.Module, taken: set[str], patterns: dict[str, str]) -> None:
        super().__init__()
        self.taken = taken
        self.patterns = patterns  # compile-call source -> constant name
        self.function_depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.function_depth += 1

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.function_depth -= 1
        return updated_node

    def _constant(self, compile_args: list[cst.BaseExpression]) -> str:
        source = f"re.compile({', '.join(code(arg) for arg in compile_args)})"
        if source not in self.patterns:
            self.patterns[source] = fresh_name(f"_PATTERN_{len(self.patterns) + 1}", self.taken)
        return self.patterns[source]

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        name = call_name(updated_node) or ""
        function = name[3:] if name.startswith("re.") else ""
        if function not in _FLAGS_SLOT or self.function_depth == 0 or not updated_node.args:
            return updated_node
        args = list(updated_node.args)
        if any(arg.star for arg in args) or args[0].keyword is not None:
            return updated_node
        if not isinstance(args[0].value, (cst.SimpleString, cst.ConcatenatedString)):
            return updated_node
        flags = [arg for arg in args if arg.keyword is not None and arg.keyword.value == "flags"]
        positional = [arg for arg in args if arg.keyword is None]
        if len(positional) > _FLAGS_SLOT[function]:
            return updated_node
        if len(positional) == _FLAGS_SLOT[function]:
            flags.append(positional[-1])
        rest = [arg for arg in args[1:] if arg not in flags]
        if not rest:
            return updated_node
        constant = self._constant([args[0].value, *(flag.value for flag in flags)])
        self.changed = True
        method = cst.Attribute(cst.Name(constant), cst.Name(function))
        clean = [cst.Arg(value=arg.value, keyword=arg.keyword, equal=arg.equal) for arg in rest]
        return cst.Call(method, clean, lpar=updated_node.lpar, rpar=updated_node.rpar)


class CompiledRegexRule:
    info = RuleInfo(
        id="OPT008",
        title="regular expression recompiled from a literal on every call",
        explanation="re.match(LITERAL, s) in a function -> module-level compiled pattern",
    )

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        if not imports_module(module, "re"):
            return None
        taken = identifiers(module)
        patterns: dict[str, str] = {}
        result = transform_regions(module, qualname, lambda m: _CompileTransformer(m, taken, patterns))
        if result is None:
            return None
        constants: list[cst.BaseStatement] = [
            cst.parse_statement(f"{constant} = {source}\n") for source, constant in patterns.items()
        ]
        return insert_after_imports(result, constants, after_import_of="re")
