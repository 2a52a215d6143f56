"""The README documents every setting and every command; the CLI answers --help."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from tools.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`WCM_{name.upper()}`" in README, f"add WCM_{name.upper()} to the README table"


def test_readme_opens_with_the_two_commands() -> None:
    head = README.splitlines()[:8]
    assert any(line.startswith("make demo") for line in head)
    assert any(line.startswith("make test") for line in head)


def commands() -> list[str]:
    return sorted(c.name or c.callback.__name__ for c in app.registered_commands)  # type: ignore[union-attr]


@pytest.mark.parametrize("command", commands())
def test_every_command_is_documented_and_has_help(command: str) -> None:
    assert re.search(rf"`wcm {command}\b", README), f"document 'wcm {command}' in the README"
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_production_refuses_placeholder_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WCM_ENVIRONMENT", "production")
    monkeypatch.setenv("WCM_JWT_SECRET", "changeme")
    with pytest.raises(ValueError, match="placeholder"):
        Settings()
    monkeypatch.setenv("WCM_JWT_SECRET", "s3cr3t-value-long-enough")
    assert Settings().environment == "production"
