"""The table of extras agrees with pyproject.toml, and a missing one is named with its install command."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from optiagent import extras
from optiagent.domain.errors import ConfigError
from optiagent.extras import EXTRAS, MissingExtraError, missing_modules, require_driver, require_extra

REPO = Path(__file__).resolve().parents[2]


def optional_dependencies() -> dict[str, list[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    table: dict[str, list[str]] = project["optional-dependencies"]
    return table


def test_every_extra_in_the_table_is_declared_and_bundled_in_all() -> None:
    declared = optional_dependencies()
    assert set(EXTRAS) <= set(declared)
    assert declared["all"] == [f"optiagent[{','.join(EXTRAS)}]"]
    assert "optiagent[all]" in declared["dev"]


def test_the_development_environment_has_every_extra() -> None:
    """tools/setup installs `dev`, which pulls in all: nothing of any extra is missing here."""
    assert {extra: missing_modules(extra) for extra in EXTRAS} == {extra: [] for extra in EXTRAS}


def test_a_missing_extra_names_the_feature_and_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(extras.EXTRAS, "imaginary", ("optiagent_no_such_module",))
    with pytest.raises(MissingExtraError) as raised:
        require_extra("imaginary", "optiagent dream")
    assert (
        str(raised.value) == "optiagent dream needs the imaginary extra: pip install 'optiagent[imaginary]'"
    )
    assert isinstance(raised.value, ConfigError)  # the CLI's exit 2 with the message alone


def test_a_partly_installed_extra_lists_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(extras.EXTRAS, "imaginary", ("json", "optiagent_no_such_module"))
    with pytest.raises(MissingExtraError, match=r"\(missing: optiagent_no_such_module\)"):
        require_extra("imaginary", "optiagent dream")


def test_a_missing_database_driver_is_named() -> None:
    with pytest.raises(MissingExtraError, match="needs the optiagent_no_such_driver driver"):
        require_driver("optiagent_no_such_driver", "the database URL x://")
    require_driver("sqlite3", "the database URL sqlite://")  # present: no error
