"""Load the original module and a candidate text side by side in one process."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import types
from pathlib import Path
from typing import Any

from .nested import NestedFunction, enclosing_qualname, is_nested
from .twins import CandidateClasses, candidate_classes


def import_original(module_name: str, base_dir: str, original_file: str) -> types.ModuleType:
    """Import the module as the workload saw it, so captured pickles resolve to its classes."""
    if base_dir not in sys.path:
        sys.path.insert(0, base_dir)
    module = importlib.import_module(module_name)
    loaded = getattr(module, "__file__", None)
    if loaded is None or os.path.realpath(loaded) != os.path.realpath(original_file):
        raise ImportError(f"{module_name} resolved to {loaded}, expected {original_file}")
    return module


def load_candidate(original: types.ModuleType, candidate_source: str) -> types.ModuleType:
    """Execute the candidate text as a twin of the original module (same name, file and package)
    whose classes are the original's, with the candidate's class bodies installed while a function
    `resolve` returns runs (twins.py)."""
    twin = types.ModuleType(original.__name__, original.__doc__)
    twin.__file__ = original.__file__
    twin.__package__ = original.__package__
    twin.__spec__ = original.__spec__
    # dont_inherit: this module's own `from __future__ import annotations` must not leak into it
    code = compile(candidate_source, original.__file__ or "<candidate>", "exec", dont_inherit=True)
    exec(code, twin.__dict__)
    CandidateClasses(original, twin)
    return twin


def attribute_name(owner: Any, name: str) -> str:
    """The name an attribute is stored under: `__name` in a class body is `_Class__name`, while
    discovery (and the qualname the compiler gives the function) keep `Class.__name`."""
    if isinstance(owner, type) and name.startswith("__") and not name.endswith("__"):
        stripped = owner.__name__.lstrip("_")
        if stripped:
            return f"_{stripped}{name}"
    return name


def resolve(module: types.ModuleType, qualname: str) -> Any:
    """What `qualname` names in the module. In a twin, a function comes wrapped so that it runs
    with the candidate's classes installed (twins.py); classes are the original's."""
    classes = candidate_classes(module)
    if is_nested(qualname):  # rebuilt from the enclosing function's code (nested.py)
        with classes.active() if classes is not None else contextlib.nullcontext():
            nested = NestedFunction(module, qualname, _walk(module, enclosing_qualname(qualname)))
        return classes.activating(lambda: nested) if classes is not None else nested
    found = _walk(module, qualname)
    if classes is None or isinstance(found, type) or not callable(found):
        return found
    return classes.activating(lambda: _walk(module, qualname))


def _walk(module: types.ModuleType, qualname: str) -> Any:
    obj: Any = module
    for part in qualname.split("."):
        mangled = attribute_name(obj, part)
        obj = getattr(obj, mangled) if mangled != part and hasattr(obj, mangled) else getattr(obj, part)
    return obj


def owner_class(module: types.ModuleType, qualname: str) -> type | None:
    """The class a method target lives on, or None for module-level and nested functions."""
    if "." not in qualname or is_nested(qualname):
        return None
    owner = resolve(module, qualname.rsplit(".", 1)[0])
    return owner if isinstance(owner, type) else None


def is_method(module: types.ModuleType, qualname: str) -> bool:
    owner = owner_class(module, qualname)
    if owner is None:
        return False
    name = qualname.rsplit(".", 1)[1]
    raw = owner.__dict__.get(attribute_name(owner, name), owner.__dict__.get(name))
    return not isinstance(raw, (staticmethod, classmethod))


def takes_context(module: types.ModuleType, qualname: str) -> bool:
    """The first argument comes from the workload, never generated: a method's receiver, or a
    nested function's closure."""
    return is_nested(qualname) or is_method(module, qualname)


def read_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")
