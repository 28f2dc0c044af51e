"""Headless Chromium, driven from its command line: a screenshot with the console logged to
stderr, and the DOM after load. Any network name resolves nowhere, so a page that fetches
something gets a console error instead of a silent success."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

WINDOW = (1280, 2000)


def chromium_or_skip() -> str:
    """The browser; under tools/test (OPTIAGENT_TEST_CHROMIUM=1) a missing one is a failure."""
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found:
        return found
    if os.environ.get("OPTIAGENT_TEST_CHROMIUM") == "1":
        pytest.fail("chromium is not installed (tools/test installs the Debian package)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


@dataclass(frozen=True)
class PageLoad:
    console: list[str]  # every console message the page produced (errors, CSP violations, logs)
    dom: str  # the serialized DOM after load
    screenshot: Path


def load_page(page: Path, screenshot: Path, profile: Path) -> PageLoad:
    browser = chromium_or_skip()
    url = page.resolve().as_uri()
    common = [
        browser,
        "--headless",
        "--no-sandbox",  # tests run as root
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ]
    shot = subprocess.run(
        [
            *common,
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={screenshot}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            "--hide-scrollbars",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shot.returncode == 0 and screenshot.is_file(), shot.stderr[-2000:]
    dump = subprocess.run(
        [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False
    )
    assert dump.returncode == 0, dump.stderr[-2000:]
    console = [line for line in shot.stderr.splitlines() if ":CONSOLE" in line]
    return PageLoad(console, dump.stdout, screenshot)


def keep_artifact(path: Path, name: str) -> None:
    """A copy in OPTIAGENT_TEST_ARTIFACTS (a directory) when that is set."""
    where = os.environ.get("OPTIAGENT_TEST_ARTIFACTS")
    if where:
        Path(where).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(where) / name)
