"""`optiagent export RUN_ID --pyperf DIR`: a real run's raw samples, read by pyperf itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyperf  # type: ignore[import-untyped]  # pyperf ships no type information
import pytest

from optiagent.adapters.store.sql import SqlEditStore
from optiagent.domain.errors import InputError
from optiagent.services.pyperf_export import export_pyperf
from tests.adapters.store.store_builders import (
    a_candidate,
    a_measurement,
    a_measurement_with_samples,
    a_run,
    a_target,
)
from tests.cli.small_project import write_small_project


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "optiagent.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        env={**os.environ, "COLUMNS": "200", "OPTIAGENT_SANDBOX__BACKEND": "local"},
        check=False,
    )


def compare_to(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyperf", "compare_to", "original.json", "candidate.json"],
        capture_output=True,
        text=True,
        cwd=directory,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_export_of_a_real_run_is_read_by_pyperf_compare_to(tmp_path: Path) -> None:
    """After a real optimize run, the export is two pyperf files that `compare_to` compares, the
    candidate faster; the report JSON holds the same samples and the machine they ran on."""
    root = write_small_project(tmp_path / "proj")
    report_path = tmp_path / "report.json"
    done = cli("optimize", ".", "--time-budget", "300", "--json", str(report_path), cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(report_path.read_text())
    measured = [m for target in report["targets"] for m in target["measurements"]]
    assert measured and all(len(m["samples"]) == m["pairs"] for m in measured)
    machine = measured[0]["machine"]
    assert machine["python_version"] and machine["cpu_count"] >= 1 and machine["affinity"]
    assert machine["load_avg"] is not None

    out = tmp_path / "perf"
    exported = cli("export", report["run_id"][:8], "--pyperf", str(out), cwd=root)
    assert exported.returncode == 0, exported.stderr[-3000:]
    compared = compare_to(out)
    assert compared.returncode == 0, compared.stderr
    assert "faster" in compared.stdout, compared.stdout  # one benchmark: pyperf prints no name


def record_measured_run(url: str) -> None:
    store = SqlEditStore(url)
    store.record_run(a_run())
    store.record_target(a_target())
    store.record_candidate(a_candidate())
    store.record_candidate(a_candidate(id="cand-2", source_hash="other", source="def f(): return 2"))
    store.record_measurement(a_measurement_with_samples())
    store.record_measurement(a_measurement(candidate_id="cand-2"))  # no samples: not exported
    store.close()


def test_export_names_each_measured_candidate_alike_on_both_sides(tmp_path: Path) -> None:
    """Each side's file holds one benchmark per candidate with samples, one run per timing
    process, values by the pair's clock; the names match so compare_to pairs them."""
    url = f"sqlite:///{tmp_path / 'history.db'}"
    record_measured_run(url)
    store = SqlEditStore(url)
    try:
        written = export_pyperf(store, "run-1", tmp_path / "perf")
    finally:
        store.close()
    assert [p.name for p in written] == ["original.json", "candidate.json"]
    original, candidate = (pyperf.BenchmarkSuite.load(str(p)) for p in written)
    assert (
        original.get_benchmark_names()
        == candidate.get_benchmark_names()
        == ["pkg/mod.py:Thing.slow [sum-builtin]"]
    )
    runs = candidate.get_benchmarks()[0].get_runs()
    assert [run.get_metadata()["clock"] for run in runs] == ["cpu", "wall"]
    expected = a_measurement_with_samples().pairs
    assert [run.values for run in runs] == [
        tuple(block[2] for block in expected[0].candidate.blocks),
        tuple(block[1] for block in expected[1].candidate.blocks),
    ]
    assert runs[0].warmups == expected[0].candidate.warmups
    compared = compare_to(tmp_path / "perf")
    assert compared.returncode == 0, compared.stderr
    assert "pkg/mod.py:Thing.slow" in compared.stdout


def test_unknown_run_or_no_samples_is_an_input_error(tmp_path: Path) -> None:
    """A run id history does not know, or a run without samples, says so (exit 2 in the CLI)."""
    url = f"sqlite:///{tmp_path / 'history.db'}"
    store = SqlEditStore(url)
    try:
        with pytest.raises(InputError, match="no run"):
            export_pyperf(store, "nope", tmp_path / "perf")
        store.record_run(a_run())
        with pytest.raises(InputError, match="no benchmark samples"):
            export_pyperf(store, "run-1", tmp_path / "perf")
    finally:
        store.close()
    done = cli("export", "nope", "--pyperf", str(tmp_path / "perf"), "--db", url, cwd=tmp_path)
    assert done.returncode == 2 and "no run" in done.stderr
