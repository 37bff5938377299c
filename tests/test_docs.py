"""The README documents every command, and its quick start is what CI runs."""

from __future__ import annotations

import re

from typer.main import get_command
from typer.testing import CliRunner

from conftest import REPO
from procdata.cli import app

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]


def test_every_command_has_help_text() -> None:
    for name in COMMANDS:
        result = CliRunner().invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert len(get_command(app).commands[name].help or "") > 20, name  # type: ignore[attr-defined]


def test_every_command_is_in_the_readme() -> None:
    for name in COMMANDS:
        assert f"`procdata {name}" in README, f"README does not document `procdata {name}`"


def test_quick_start_has_exactly_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, flags=re.S)
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    assert commands[0].startswith("pip install . && procdata ")
    assert commands[1] == 'pip install ".[test]" && python -m pytest'


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in ci and "<!-- test-command -->" in README
