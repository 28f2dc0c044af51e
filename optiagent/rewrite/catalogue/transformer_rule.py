"""Shared shape of rules that run one transformer over the target regions, plus needed imports."""

from __future__ import annotations

import libcst as cst
from libcst import CSTNodeT

from optiagent.rewrite.catalogue.base import RuleInfo
from optiagent.rewrite.catalogue.imports import ensure_import
from optiagent.rewrite.catalogue.regions import ChangeTracker, transform_regions

_LOOPS = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


class TransformerRule:
    """Subclasses set `info` and `imports` and implement `make_transformer`."""

    info: RuleInfo
    imports: tuple[str, ...] = ()

    def make_transformer(self, module: cst.Module) -> ChangeTracker:
        raise NotImplementedError

    def rewrite(self, module: cst.Module, qualname: str) -> cst.Module | None:
        result = transform_regions(module, qualname, self.make_transformer)
        for name in self.imports:
            if result is None:
                return None
            result = ensure_import(result, name, before=module)
        return result


class LoopDepthTracker(ChangeTracker):
    """Knows whether the node being left sits inside a loop or comprehension of the current function."""

    def __init__(self) -> None:
        super().__init__()
        self._depths: list[int] = [0]

    @property
    def in_loop(self) -> bool:
        return self._depths[-1] > 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            self._depths.append(0)
        elif isinstance(node, _LOOPS):
            self._depths[-1] += 1
        return super().on_visit(node)

    def on_leave(
        self, original_node: CSTNodeT, updated_node: CSTNodeT
    ) -> CSTNodeT | cst.RemovalSentinel | cst.FlattenSentinel[CSTNodeT]:
        result = super().on_leave(original_node, updated_node)
        if isinstance(original_node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            self._depths.pop()
        elif isinstance(original_node, _LOOPS):
            self._depths[-1] -= 1
        return result
