"""Load the original module and a candidate text side by side in one process."""

from __future__ import annotations

import importlib
import os
import sys
import types
from pathlib import Path
from typing import Any


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
    """Execute the candidate text as a twin of the original module (same name, file and package)."""
    twin = types.ModuleType(original.__name__, original.__doc__)
    twin.__file__ = original.__file__
    twin.__package__ = original.__package__
    twin.__spec__ = original.__spec__
    code = compile(candidate_source, original.__file__ or "<candidate>", "exec")
    exec(code, twin.__dict__)
    return twin


def resolve(module: types.ModuleType, qualname: str) -> Any:
    obj: Any = module
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def owner_class(module: types.ModuleType, qualname: str) -> type | None:
    """The class a method target lives on, or None for module-level functions."""
    if "." not in qualname:
        return None
    owner = resolve(module, qualname.rsplit(".", 1)[0])
    return owner if isinstance(owner, type) else None


def is_method(module: types.ModuleType, qualname: str) -> bool:
    owner = owner_class(module, qualname)
    if owner is None:
        return False
    raw = owner.__dict__.get(qualname.rsplit(".", 1)[1])
    return not isinstance(raw, (staticmethod, classmethod))


def read_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")
