"""The verdict cache's key covers every file of the project (not only `.py`), and a tenant's view
of the store never reads a verdict another tenant wrote."""

from __future__ import annotations

from pathlib import Path

from optiagent.adapters.store.memory import InMemoryEditStore
from optiagent.domain.history import CachedVerdict
from optiagent.services.tenancy import TenantEditStore
from optiagent.services.verdict_cache import cache_key, input_set_hash
from optiagent.verify.jobs import CheckSettings, Evidence


def _project(root: Path) -> Evidence:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "fast.py").write_text("def f(x):\n    return x + 1\n")
    (root / "pkg" / "table.json").write_text('{"offset": 1}')
    return Evidence(root=str(root), base_dir="", module_name="pkg.fast")


def _hash(evidence: Evidence) -> str:
    return input_set_hash("pkg/fast.py::f", evidence, CheckSettings())


def test_a_data_file_or_extension_module_changes_the_key(tmp_path: Path) -> None:
    """Editing a data file, or adding an extension module that would shadow a .py, is a new input set."""
    evidence = _project(tmp_path)
    before = _hash(evidence)
    (tmp_path / "pkg" / "table.json").write_text('{"offset": 2}')
    after_data = _hash(evidence)
    (tmp_path / "pkg" / "fast.cpython-311-x86_64-linux-gnu.so").write_bytes(b"\x7fELF planted")
    after_extension = _hash(evidence)
    assert len({before, after_data, after_extension}) == 3


def test_an_unchanged_project_keeps_its_key(tmp_path: Path) -> None:
    """The same files give the same key (so the cache still answers a re-run)."""
    evidence = _project(tmp_path)
    assert _hash(evidence) == _hash(evidence)


def test_a_verdict_written_by_one_tenant_is_not_read_by_another(tmp_path: Path) -> None:
    """Tenant B, checking the very same candidate on the very same files, misses A's cached verdict."""
    shared = InMemoryEditStore()
    key = cache_key("pkg/fast.py::f", "def f(x):\n    return x + 1\n", _hash(_project(tmp_path)))
    planted = CachedVerdict(key, "equivalent", "", {"generated": 100})
    TenantEditStore(shared, "mallory").put_cached_verdict(planted)
    assert TenantEditStore(shared, "alice").get_cached_verdict(key) is None
    assert TenantEditStore(shared, "mallory").get_cached_verdict(key) == planted
    assert shared.get_cached_verdict(key) is None  # not stored under the bare key either
