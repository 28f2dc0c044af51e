"""The report's published JSON Schema: committed as the command prints it, and what real and
sample reports satisfy; anything outside it is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from optiagent.reporting.models import RunReport, report_schema
from tests.reporting.conftest import RealRun, run_cli
from tests.reporting.sample import sample_report

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "report-schema.json"


def published() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text())
    return schema


def test_committed_schema_is_what_the_command_prints() -> None:
    """docs/report-schema.json is `optiagent schema report` (regenerate it with that command)."""
    done = run_cli("schema", "report")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == published() == report_schema()


def test_sample_report_satisfies_the_schema() -> None:
    """A report with every section filled validates against the published schema and the models."""
    report = sample_report()
    jsonschema.Draft202012Validator(published()).validate(report)
    typed = RunReport.model_validate(report)
    assert typed.to_json() == json.loads(json.dumps(report))  # reading and writing loses nothing


@pytest.mark.parametrize("where", ["top", "target", "evidence"])
def test_fields_outside_the_schema_are_refused(where: str) -> None:
    """A field the schema does not describe fails both the JSON Schema and the models."""
    report = sample_report()
    holder = {"top": report, "target": report["targets"][0], "evidence": report["targets"][0]["evidence"]}
    holder[where]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(published()).validate(report)
    with pytest.raises(ValidationError):
        RunReport.model_validate(report)


@pytest.mark.slow
def test_a_real_runs_json_satisfies_the_schema(real_run: RealRun) -> None:
    """What `optimize --json` wrote validates, and records the bar, measurements and scaling."""
    report = real_run.report()
    jsonschema.Draft202012Validator(published()).validate(report)
    typed = RunReport.model_validate(report)
    assert typed.min_speedup == 1.05
    improved = [t for t in typed.targets if t.status == "improved"]
    assert improved, report
    assert all(t.measurements and any(m.accepted for m in t.measurements) for t in improved)
    scaled = [t.evidence.scaling for t in improved if t.evidence.scaling is not None]
    assert scaled and all(len(s.original) >= 2 for s in scaled)
