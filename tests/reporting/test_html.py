"""The HTML report: one self-contained page, user strings inert, plots inline, from a run, from
history, and a clear message without the `[report]` extra."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optiagent.reporting.html import render_html
from optiagent.reporting.models import RunReport
from tests.reporting.conftest import RealRun, run_cli
from tests.reporting.pages import assert_inert, parse
from tests.reporting.sample import HOSTILE, HOSTILE_FILE, sample_report


def test_user_strings_are_shown_as_text_and_never_run() -> None:
    """Markup in names, reasons, notes, diffs and counterexamples is escaped: it reads as written."""
    page = render_html(RunReport.model_validate(sample_report()))
    found = assert_inert(page)
    text = "".join(found.text)
    # the diff, the counterexample, the reason, the note, a dropped edit, a skipped file, a hot function
    assert text.count(HOSTILE) >= 6, text.count(HOSTILE)
    assert f"{HOSTILE_FILE}::Index.lookup" in text  # in the table and as a label of the forest plot
    assert text.count(f"{HOSTILE_FILE}::Index.lookup") >= 2


def test_plots_are_inline_svg_drawn_by_matplotlib() -> None:
    """A forest plot of every measured target and a scaling plot per accepted edit, as inline SVG."""
    page = render_html(RunReport.model_validate(sample_report()))
    svgs = [attrs for tag, attrs in parse(page).tags if tag == "svg"]
    assert len(svgs) == 2  # one forest plot (2 measured targets) + one scaling plot (1 accepted edit)
    assert page.count("Matplotlib v") >= 2  # matplotlib's own metadata in each figure
    assert "index.lookup" in page.lower() and "t ~ n^2.00" in page and "t ~ n^1.00" in page
    ids = [attrs["id"] for tag, attrs in parse(page).tags if attrs.get("id")]
    assert len(ids) == len(set(ids)), "element ids repeat across plots"


def test_html_without_matplotlib_fails_before_the_run_naming_the_extra(tmp_path: Path) -> None:
    """Without the [report] extra, --html exits 2 at once with the install command, writing nothing."""
    shim = tmp_path / "shim" / "matplotlib"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError('matplotlib is not installed')\n")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "m.py").write_text("def f(x: int) -> int:\n    return x\n")
    out = tmp_path / "page.html"
    done = run_cli("optimize", str(project), "--html", str(out), env={"PYTHONPATH": str(tmp_path / "shim")})
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "pip install 'optiagent[report]'" in errors[0], done.stderr
    assert not out.exists() and not (project / ".optiagent").exists()  # refused before the run began


@pytest.mark.slow
def test_optimize_writes_the_page(real_run: RealRun) -> None:
    """`optimize --html` writes the page of the run it reports, the target's markup as text."""
    page = real_run.html_path.read_text()
    found = assert_inert(page)
    assert real_run.report()["run_id"] in page
    assert "<script>document.title = 'pwned'</script>" in "".join(found.text)
    assert sum(tag == "svg" for tag, _ in found.tags) >= 2


@pytest.mark.slow
def test_report_from_history_is_the_runs_report(real_run: RealRun, tmp_path: Path) -> None:
    """`optiagent report RUN` reads the run's report back from history (by a start of its id),
    as JSON or as the same page."""
    run_id = real_run.report()["run_id"]
    done = run_cli("report", run_id[:8], str(real_run.root))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == real_run.report()
    page = tmp_path / "again.html"
    done = run_cli("report", run_id, str(real_run.root), "--html", str(page))
    assert done.returncode == 0, done.stderr
    assert_inert(page.read_text())
    assert run_id in page.read_text()


def test_unknown_run_is_a_clear_error(tmp_path: Path) -> None:
    """A run id history does not know exits 2 and says where to look."""
    done = run_cli("report", "feedbeef", str(tmp_path))
    assert done.returncode == 2
    assert "no run 'feedbeef'" in done.stderr and "optiagent history" in done.stderr
