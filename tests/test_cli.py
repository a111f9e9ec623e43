"""The command line itself: version, help on every command, the template list."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, SET_VERSION, run_scaffold

from scaffold import __version__
from scaffold._app import app


def test_version() -> None:
    result = run_scaffold("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"ml-scaffold {__version__}"


def test_console_script_and_module_agree() -> None:
    script = subprocess.run(
        [str(Path(sys.executable).parent / "scaffold"), "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.returncode == 0 and script.stdout == run_scaffold("--version").stdout


@pytest.mark.parametrize(
    "command", sorted(c.name or c.callback.__name__ for c in app.registered_commands)
)
def test_every_command_has_help(command: str) -> None:
    result = run_scaffold(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout and "--help" in result.stdout


def test_no_arguments_shows_help() -> None:
    result = run_scaffold()
    assert "Usage" in result.stdout + result.stderr


def test_list_shows_every_specialization_and_the_set_version() -> None:
    result = run_scaffold("list", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    for name in ("nlp", "cv", "rl", "edge", "ethics"):
        assert f" {name} " in result.stdout
    assert SET_VERSION in result.stdout and "coming soon" not in result.stdout  # all built


def test_list_marks_a_template_still_to_come(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(REPO_ROOT / "templates", templates)
    catalog = yaml.safe_load((templates / "catalog.yml").read_text(encoding="utf-8"))
    catalog["specializations"]["ethics"]["available"] = False
    (templates / "catalog.yml").write_text(yaml.safe_dump(catalog), encoding="utf-8")
    result = run_scaffold("list", "--templates-dir", templates, env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if " ethics " in line]
    assert "coming soon" in line and SET_VERSION not in line


def test_list_with_a_missing_templates_dir_is_a_clean_error(tmp_path: Path) -> None:
    result = run_scaffold("list", "--templates-dir", tmp_path / "nope")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "not a template set" in result.stderr


def _help(*command: str) -> str:
    result = run_scaffold(*command, "--help", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.replace("│", " ").split())


@pytest.mark.parametrize("command", [["update"], ["cohort", "new"], ["cohort", "update"]])
def test_help_gives_an_interruptions_exit_status_as_it_is(command: list[str]) -> None:
    """128 + the signal's number: 130 for Ctrl-C, 143 for SIGTERM, 129 for a closed terminal."""
    said = _help(*command)
    assert "128 + the signal" in said and "130 interrupted" not in said, said


def test_cohort_new_help_says_which_placeholders_remote_takes() -> None:
    """{email} is refused in --remote (an address is no safe part of a URL)."""
    said = _help("cohort", "new")
    remote = said[said.index("--remote") :]
    remote = remote[: remote.index("--push")]
    assert "{id}" in remote and "not {email}" in remote and "same placeholders" not in remote


def test_list_shows_paths_and_a_forks_text_as_written(tmp_path: Path) -> None:
    """A folder or a description with brackets is text, not rich's markup: "[/x]" must not
    break the table, nor "[bold]" vanish."""
    templates = tmp_path / "fork[" / "x][bold]"  # the path holds "[/x]" and "[bold]"
    shutil.copytree(REPO_ROOT / "templates", templates)
    catalog = yaml.safe_load((templates / "catalog.yml").read_text(encoding="utf-8"))
    catalog["specializations"]["nlp"]["description"] = "Text [/i] classes [bold]here[/bold]"
    (templates / "catalog.yml").write_text(yaml.safe_dump(catalog), encoding="utf-8")
    result = run_scaffold("list", "--templates-dir", templates, env={"COLUMNS": "400"})
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert str(templates) in result.stdout
    assert "Text [/i] classes [bold]here[/bold]" in result.stdout


def test_the_readme_names_the_versions_there_are() -> None:
    """Version numbers the README shows (a render commit's message...) are the template set's
    and ml-scaffold's own, not those of an earlier release."""
    import re

    readme = " ".join((REPO_ROOT / "README.md").read_text(encoding="utf-8").split())
    templates = re.findall(r"template (?:set )?(\d+\.\d+\.\d+)", readme)
    tools = re.findall(r"ml-scaffold (\d+\.\d+\.\d+)", readme)
    assert set(templates) <= {SET_VERSION}, templates
    assert set(tools) <= {__version__}, tools
