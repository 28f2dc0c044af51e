"""The HTML report in headless Chromium: it loads offline with no console message (no error, no
blocked fetch or script), its plots are in the DOM, markup from user code stays text, and a
screenshot is kept (also in OPTIAGENT_TEST_ARTIFACTS when set)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from optiagent.reporting.html import render_html
from optiagent.reporting.models import RunReport
from tests.reporting.chromium import WINDOW, PageLoad, keep_artifact, load_page
from tests.reporting.conftest import RealRun
from tests.reporting.sample import sample_report


def assert_reads_well(load: PageLoad, title: str) -> None:
    assert load.console == [], load.console
    assert len(re.findall(r"<svg\b", load.dom)) >= 2  # the forest plot and a scaling plot
    assert not re.search(r"<script\b", load.dom, re.IGNORECASE)
    assert f"<title>{title}</title>" in load.dom  # no injected script renamed the page
    assert "&lt;script&gt;" in load.dom  # the markup from user code is shown as text
    with Image.open(load.screenshot) as shot:
        assert shot.size == WINDOW
        colours = shot.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 50  # a drawn page, not a blank one


@pytest.mark.slow
def test_a_real_runs_page_in_chromium(real_run: RealRun, tmp_path: Path) -> None:
    """The page `optimize --html` wrote, as a browser shows it."""
    load = load_page(real_run.html_path, tmp_path / "report.png", tmp_path / "profile")
    keep_artifact(load.screenshot, "report-real-run.png")
    assert_reads_well(load, f"optiagent report {real_run.report()['run_id'][:8]}")


def test_a_page_full_of_markup_is_inert_in_chromium(tmp_path: Path) -> None:
    """Every user string carries a script and an image with onerror: none runs, none fetches."""
    page = tmp_path / "hostile.html"
    page.write_text(render_html(RunReport.model_validate(sample_report())))
    load = load_page(page, tmp_path / "hostile.png", tmp_path / "profile")
    keep_artifact(load.screenshot, "report-hostile.png")
    assert_reads_well(load, "optiagent report 01234567")
    assert "pwned" not in re.search(r"<title>(.*?)</title>", load.dom).group(1)  # type: ignore[union-attr]  # asserted above
