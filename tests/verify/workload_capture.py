"""Runs a small project's workload under the real capture harness and checks a captured method
through the real check harness (LocalSandbox): receivers, results and globals as a workload makes them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from optiagent.adapters.sandbox.local import LocalSandbox
from optiagent.domain.targets import Target, TargetKind
from optiagent.services.profiling import SITECUSTOMIZE, SITECUSTOMIZE_DIR
from optiagent.verify.jobs import CheckSettings, Evidence, check_job
from optiagent.verify.verdicts import CheckOutcome, read_checks

HARNESS = Path(__file__).resolve().parents[2] / "optiagent" / "harness"


def write_project(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))


def capture(root: Path, script: str) -> dict[str, Any]:
    """Runs `python script` in root with the capture on; returns the merged index (with the
    calls pickles' bytes under "data")."""
    (root / SITECUSTOMIZE_DIR).mkdir(exist_ok=True)
    (root / SITECUSTOMIZE_DIR / "sitecustomize.py").write_bytes(SITECUSTOMIZE)
    harness_root = root.parent / f"{root.name}-harness"
    harness_root.mkdir(exist_ok=True)
    if not (harness_root / "optiagent_harness").exists():
        (harness_root / "optiagent_harness").symlink_to(HARNESS)
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": f"{root / SITECUSTOMIZE_DIR}{os.pathsep}{harness_root}",
    }
    done = subprocess.run(
        [sys.executable, script], cwd=root, env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    index: dict[str, Any] = {}
    for path in sorted((root / "capture").glob("index-*.json")):
        for key, entry in json.loads(path.read_text()).items():
            if "pickle" in entry:
                entry["data"] = (root / "capture" / entry["pickle"]).read_bytes()
            index[key] = entry
    return index


def check_captured(
    sandbox: LocalSandbox,
    root: Path,
    key: str,
    index: Mapping[str, Any],
    candidates: Sequence[str],
    max_examples: int = 20,
    self_check: bool = False,
) -> list[CheckOutcome]:
    """Checks `candidates` (whole module texts) of the target `file::qualname` on its captured calls
    (with `self_check`, the original against itself first: `CheckOutcome.self_check`)."""
    target, evidence = target_and_evidence(root, key, index)
    settings = CheckSettings(max_examples=max_examples, stress=False, self_check=self_check)
    return read_checks(sandbox.run(check_job(target, evidence, list(candidates), settings)), len(candidates))


def target_and_evidence(root: Path, key: str, index: Mapping[str, Any]) -> tuple[Target, Evidence]:
    """The method target `file::qualname` and its captured calls as a check or timing job sees them."""
    file, qualname = key.split("::")
    entry = index.get(key, {})
    captures = {"calls-0.pkl": entry["data"]} if "data" in entry else {}
    # the parameters' shapes, as the pipeline passes them (they steer the generated inputs)
    shapes = {str(s["name"]): s["shape"] for s in entry.get("shapes", []) if s.get("shape")}
    module_name = file.removesuffix(".py").replace("/", ".")
    target = Target(file=file, qualname=qualname, kind=TargetKind.METHOD)
    evidence = Evidence(
        root=str(root), base_dir=".", module_name=module_name, captures=captures, shapes=shapes
    )
    return target, evidence
