"""The README documents every command and every option; every command's help ends with an example."""

from pathlib import Path

import pytest
import typer.main

from pipeline.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = typer.main.get_command(app).commands


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_readme_section(name):
    assert f"### `pipeline {name}`" in README


@pytest.mark.parametrize(
    "name, option",
    [(name, opt) for name, cmd in sorted(COMMANDS.items()) for p in cmd.params for opt in p.opts if opt.startswith("--")],
)
def test_every_option_is_in_the_readme(name, option):
    assert f"`{option}" in README or f"{option} " in README, f"README does not mention {name} {option}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_help_ends_with_an_example(name):
    assert COMMANDS[name].help.strip().splitlines()[-1].startswith("Example: pipeline " + name)
