"""A project made with the released 1.0.0 template set updates cleanly to the current set.

Since 1.0.0 NLP's files moved between layers (metrics and plots now come from the
classification layer that every classifier shares) and new files arrived (the demo page); an
NLP project from 1.0.0, edited by its student, must take all of that without a conflict, print
the release notes on the way, and then install, pass its own tests, train and serve its demo
page like a new project.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, SET_VERSION, git, run_scaffold
from project_env import ProjectEnv, http_json, pytest_counts
from update_fixtures import PACKAGE, PROJECT_NAME, edit_like_a_student, new_project, update

# The generated file the student deletes: one the template has not changed since 1.0.0 (a file
# it changed, such as .pre-commit-config.yaml, rightly conflicts with its deletion).
DELETED = "tests/test_transformer.py"
# What edit_like_a_student changes or deletes: the only files allowed to differ from a render.
STUDENT_FILES = {
    "README.md",
    f"src/{PACKAGE}/config.py",
    f"src/{PACKAGE}/model.py",
    f"src/{PACKAGE}/features.py",
    DELETED,
}


def files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


pytestmark = pytest.mark.slow


def test_an_nlp_project_from_1_0_0_updates_without_conflicts_and_works(
    template_set_1_0_0: Path, tmp_path: Path
) -> None:
    project = new_project(tmp_path / "old" / PROJECT_NAME, template_set_1_0_0)
    old_files = files(project)
    assert f"src/{PACKAGE}/metrics.py" not in old_files  # it is the 1.0.0 layout
    edit_like_a_student(project, deleted=DELETED)

    result = update(project, REPO_ROOT / "templates")

    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert not [line for line in lines if line.startswith("conflict")], result.stdout
    assert f"nlp template 1.0.0 → {SET_VERSION}" in result.stdout
    # The release notes of every version it crossed, and none of the version it came from.
    assert f"What changed in the nlp template since 1.0.0:\n\n{SET_VERSION}\n" in result.stdout
    assert "A demo page at `/`" in result.stdout and "First release" not in result.stdout
    assert git(project, "status", "--porcelain") == ""
    fresh = tmp_path / "fresh" / PROJECT_NAME
    # Answers stay as the student gave them, though a default (the description) has changed since.
    description = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))[
        "description"
    ]
    rendered = run_scaffold(
        "new", fresh, "-t", "nlp", "--defaults", "--no-git", "--data", f"description={description}"
    )
    assert rendered.returncode == 0, rendered.stderr
    expected, updated = files(fresh), files(project)
    # Every file of the current template, as a new project gets it, except the student's own.
    differing = {
        path for path in expected.keys() | updated.keys() if expected.get(path) != updated.get(path)
    }
    assert differing == STUDENT_FILES, sorted(differing ^ STUDENT_FILES)
    assert (project / "src" / PACKAGE / "metrics.py").is_file()
    assert (project / "src" / PACKAGE / "demo" / "static" / "widget.js").is_file()
    assert "TF-IDF is a strong baseline." in (project / "README.md").read_text(encoding="utf-8")
    assert not (project / DELETED).exists()

    assert_the_updated_project_works(project)


def assert_the_updated_project_works(project: Path) -> None:
    """Installed in its own environment, its tests pass, it trains, and it serves the demo page
    and predictions over HTTP."""
    env = ProjectEnv.uv_pip(project, PACKAGE, ("-e", ".[dev]"))
    result = env.pytest()
    counts = pytest_counts(result.stdout)
    assert counts.get("passed", 0) >= 20 and not counts.get("failed"), counts
    # The only tests allowed to skip are those that need an optional extra.
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert all("extra" in line for line in skips), skips
    env.command("train")
    with env.serving() as url:
        with urllib.request.urlopen(f"{url}/", timeout=30) as response:
            page = response.read().decode("utf-8")
        assert response.status == 200 and "<form" in page and "demo.js" in page
        status, body = http_json("POST", f"{url}/predict", {"inputs": ["Loved every minute."]})
        assert status == 200, body
        (prediction,) = body["predictions"]
        assert prediction["label"] in prediction["scores"]
