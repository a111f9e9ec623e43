"""`scaffold check`: 0 up to date, 1 a newer template version exists, 2 cannot tell. For CI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SET_VERSION, assert_clean_failure, git, run_scaffold
from update_fixtures import PROJECT_NAME, TemplateSets, new_project, notes_dir, variant


@pytest.fixture(scope="module")
def project(sets: TemplateSets, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A v1 project (read-only for these tests)."""
    return new_project(tmp_path_factory.mktemp("check") / PROJECT_NAME, sets.v1)


def test_current_version_exits_0(project: Path, sets: TemplateSets) -> None:
    result = run_scaffold("check", project, "--templates-dir", sets.v1)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Up to date" in result.stdout and SET_VERSION in result.stdout


def test_newer_version_exits_1_and_names_both(project: Path, sets: TemplateSets) -> None:
    result = run_scaffold("check", project, "--templates-dir", sets.v2)
    assert result.returncode == 1, result.stdout + result.stderr
    assert SET_VERSION in result.stdout and "2.0.0" in result.stdout
    assert "scaffold update" in result.stdout
    assert "Traceback" not in result.stderr


def test_templates_dir_from_the_environment(project: Path, sets: TemplateSets) -> None:
    result = run_scaffold("check", cwd=project, env={"SCAFFOLD_TEMPLATES_DIR": str(sets.v2)})
    assert result.returncode == 1, result.stdout + result.stderr


def test_runs_from_a_subdirectory(project: Path, sets: TemplateSets) -> None:
    result = run_scaffold("check", "--templates-dir", sets.v2, cwd=project / "src")
    assert result.returncode == 1, result.stdout + result.stderr


def test_needs_no_git(sets: TemplateSets, tmp_path: Path) -> None:
    plain = new_project(tmp_path / PROJECT_NAME, sets.v1, "--no-git")
    assert run_scaffold("check", plain, "--templates-dir", sets.v1).returncode == 0


def test_directory_without_answers_file_exits_2(tmp_path: Path) -> None:
    result = run_scaffold("check", tmp_path)
    assert result.returncode == 2
    assert_clean_failure(result, ".copier-answers.yml")


def test_unreadable_template_set_exits_2(project: Path, tmp_path: Path) -> None:
    result = run_scaffold("check", project, "--templates-dir", tmp_path)
    assert result.returncode == 2
    assert_clean_failure(result, "catalog.yml")


def test_unknown_template_or_broken_answers_exit_2(project: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    (renamed / ".copier-answers.yml").write_text(
        "_scaffold_template: quantum\n_scaffold_version: 1.0.0\n", encoding="utf-8"
    )
    assert_clean_failure(run_scaffold("check", renamed), "quantum")
    assert run_scaffold("check", renamed).returncode == 2

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / ".copier-answers.yml").write_text("key: [unclosed\n", encoding="utf-8")
    result = run_scaffold("check", broken)
    assert result.returncode == 2
    assert_clean_failure(result, "YAML")


def test_custom_template_without_tags_exits_2(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    (template / "template").mkdir(parents=True)
    (template / "copier.yml").write_text("_subdirectory: template\n", encoding="utf-8")
    (template / "template" / "hello.txt").write_text("hi\n", encoding="utf-8")
    git(tmp_path, "init", "-q", str(template))
    git(template, "add", "--all")
    git(template, "commit", "-qm", "untagged")
    project = tmp_path / "proj"
    assert run_scaffold("new", project, "-t", template, "--defaults").returncode == 0
    result = run_scaffold("check", project)
    assert result.returncode == 2
    assert_clean_failure(result, "no version tags")


def test_fork_that_changed_files_without_a_new_version_is_outdated(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    fork = variant(sets.v1, tmp_path / "fork")  # still the same version
    (notes_dir(fork) / "legacy.md").write_text("Rewritten by the bootcamp.\n", encoding="utf-8")
    result = run_scaffold("check", project, "--templates-dir", fork)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "notes/legacy.md" in result.stdout and "without a new version" in result.stdout
    assert "scaffold update" in result.stdout


def test_rewritten_render_history_exits_2(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    copy = tmp_path / PROJECT_NAME
    shutil.copytree(project, copy, symlinks=True)
    (copy / "README.md").write_text("mine\n", encoding="utf-8")
    git(copy, "commit", "-qa", "--amend", "--no-edit")
    result = run_scaffold("check", copy, "--templates-dir", sets.v1)
    assert result.returncode == 2
    assert_clean_failure(result, "history rewrite", "--base")
