"""`scaffold new`: what it renders, what it commits, and how it refuses bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import tomllib
import yaml
from conftest import (
    NON_DEFAULT_ANSWERS,
    REPO_ROOT,
    TEST_AUTHOR,
    assert_clean_failure,
    git,
    run_scaffold,
)


def test_first_commit_is_the_whole_pristine_render(nlp_default: Path) -> None:
    assert git(nlp_default, "rev-list", "--count", "HEAD").strip() == "1"
    assert git(nlp_default, "status", "--porcelain") == ""
    message = git(nlp_default, "log", "-1", "--format=%B")
    assert "nlp template 1.0.0" in message and "ml-scaffold" in message
    author = git(nlp_default, "log", "-1", "--format=%an <%ae>").strip()
    assert author == f"{TEST_AUTHOR[0]} <{TEST_AUTHOR[1]}>"
    tracked = set(git(nlp_default, "ls-files").split())
    assert {".copier-answers.yml", "pyproject.toml", "README.md", "Dockerfile"} <= tracked
    assert ".github/workflows/ci.yml" in tracked
    assert "src/review_sentiment/serve.py" in tracked
    assert "src/review_sentiment/model.py" in tracked


def test_answers_file_is_portable(nlp_default: Path) -> None:
    text = (nlp_default / ".copier-answers.yml").read_text(encoding="utf-8")
    assert str(nlp_default.parent) not in text and str(Path.home()) not in text
    assert str(REPO_ROOT) not in text
    answers = yaml.safe_load(text)
    assert answers["_scaffold_template"] == "nlp"
    assert answers["_scaffold_version"] == "1.0.0"
    assert answers["project_name"] == "review-sentiment"
    assert answers["package_name"] == "review_sentiment"
    assert answers["author_name"] == TEST_AUTHOR[0]  # default from git config
    assert answers["author_email"] == TEST_AUTHOR[1]
    assert not any(key.startswith("spec_") for key in answers)  # catalog data, not answers


def test_non_default_answers_shape_the_project(nlp_custom: Path) -> None:
    files = set(git(nlp_custom, "ls-files").split())
    assert ".gitlab-ci.yml" in files
    assert not any(name.startswith(".github/") for name in files)
    assert "Dockerfile" not in files and ".dockerignore" not in files
    pyproject = tomllib.loads((nlp_custom / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == "quote-me"
    assert any(dep.startswith("mlflow") for dep in pyproject["project"]["dependencies"])
    assert "Apache License" in (nlp_custom / "LICENSE").read_text(encoding="utf-8")
    answers = yaml.safe_load((nlp_custom / ".copier-answers.yml").read_text(encoding="utf-8"))
    for key, value in NON_DEFAULT_ANSWERS.items():
        expected = {"false": False}.get(value, value)
        assert answers[key] == expected, key


def test_jinja_in_answers_is_rendered_literally(nlp_custom: Path) -> None:
    readme = (nlp_custom / "README.md").read_text(encoding="utf-8")
    assert 'Quote "Me" {{ 7*7 }}' in readme
    assert "49" not in readme.splitlines()[0]
    pyproject = tomllib.loads((nlp_custom / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == NON_DEFAULT_ANSWERS["description"]
    assert pyproject["project"]["authors"][0]["name"] == NON_DEFAULT_ANSWERS["author_name"]


def test_data_file_and_data_flags_combine(tmp_path: Path) -> None:
    data_file = tmp_path / "answers.yml"
    data_file.write_text("project_name: From File\nci: none\ndocker: false\n", encoding="utf-8")
    dest = tmp_path / "proj"
    result = run_scaffold(
        "new", dest, "-t", "nlp", "--data-file", data_file, "--data", "ci=github", "--no-git"
    )
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["project_name"] == "From File"
    assert answers["package_name"] == "from_file"
    assert answers["ci"] == "github"  # --data wins over --data-file
    assert (dest / ".github/workflows/ci.yml").is_file()
    assert not (dest / ".git").exists()


def test_without_terminal_or_answers_it_says_so(tmp_path: Path) -> None:
    result = run_scaffold("new", tmp_path / "proj", "-t", "nlp")
    assert_clean_failure(result, "no terminal", "--defaults")
    assert not (tmp_path / "proj").exists()


def test_without_terminal_template_must_be_named(tmp_path: Path) -> None:
    result = run_scaffold("new", tmp_path / "proj", "--defaults")
    assert_clean_failure(result, "--template", "nlp")


def test_unknown_template_lists_the_valid_ones(tmp_path: Path) -> None:
    result = run_scaffold("new", tmp_path / "proj", "-t", "nlpp", "--defaults")
    assert_clean_failure(result, "Unknown template 'nlpp'", "nlp")
    assert not (tmp_path / "proj").exists()


def test_coming_template_cannot_be_picked(tmp_path: Path) -> None:
    # A copy of the set in which RL is still coming: the built-in set's coming templates change.
    template_set = tmp_path / "set"
    shutil.copytree(REPO_ROOT / "templates", template_set)
    catalog_path = template_set / "catalog.yml"
    catalog = yaml.safe_load(catalog_path.read_text(encoding="utf-8"))
    catalog["specializations"]["rl"]["available"] = False
    catalog_path.write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    result = run_scaffold(
        "new", tmp_path / "proj", "-t", "rl", "--defaults", "--templates-dir", template_set
    )
    assert_clean_failure(result, "not built yet", "nlp, cv")


def test_next_steps_name_pytorchs_cpu_build_where_the_project_needs_torch(tmp_path: Path) -> None:
    cpu_index = "--index-url https://download.pytorch.org/whl/cpu"
    cv = run_scaffold("new", tmp_path / "cv", "-t", "cv", "--defaults", "--no-git")
    assert cv.returncode == 0, cv.stderr
    without_uv = cv.stderr.split("Without uv:")[1]
    assert f"pip install 'torch>=2.1' {cpu_index} && pip install -e" in without_uv
    pyproject = (tmp_path / "cv" / "pyproject.toml").read_text(encoding="utf-8")
    assert 'url = "https://download.pytorch.org/whl/cpu"' in pyproject  # what `uv sync` takes
    nlp = run_scaffold("new", tmp_path / "nlp", "-t", "nlp", "--defaults", "--no-git")
    assert nlp.returncode == 0 and cpu_index not in nlp.stderr
    assert "pip install 'torch>=2.1'" not in (tmp_path / "nlp" / "README.md").read_text("utf-8")


def test_invalid_package_name_is_refused(tmp_path: Path) -> None:
    for bad in ("1abc", "My-Package", "class", "has space"):
        result = run_scaffold(
            "new", tmp_path / "proj", "-t", "nlp", "--data", f"package_name={bad}"
        )
        assert_clean_failure(result, "package_name")
        assert not (tmp_path / "proj").exists()
    assert list(tmp_path.iterdir()) == []  # no staging directory left behind either


def test_invalid_project_name_is_refused(tmp_path: Path) -> None:
    result = run_scaffold("new", tmp_path / "proj", "-t", "nlp", "--data", "project_name=  ")
    assert_clean_failure(result, "project name cannot be empty")
    assert list(tmp_path.iterdir()) == []


def test_unknown_data_key_is_refused(tmp_path: Path) -> None:
    result = run_scaffold("new", tmp_path / "proj", "-t", "nlp", "--data", "colour=blue")
    assert_clean_failure(result, "does not ask 'colour'", "package_name")
    catalog_key = run_scaffold("new", tmp_path / "p2", "-t", "nlp", "--data", "spec_title=x")
    assert_clean_failure(catalog_key, "does not ask 'spec_title'")
    malformed = run_scaffold("new", tmp_path / "p3", "-t", "nlp", "--data", "novalue")
    assert_clean_failure(malformed, "KEY=VALUE")
    assert list(tmp_path.iterdir()) == []


def test_bad_data_file_is_refused(tmp_path: Path) -> None:
    missing = run_scaffold("new", tmp_path / "p", "-t", "nlp", "--data-file", tmp_path / "nope.yml")
    assert_clean_failure(missing, "Cannot read --data-file")
    listed = tmp_path / "list.yml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    not_mapping = run_scaffold("new", tmp_path / "p", "-t", "nlp", "--data-file", listed)
    assert_clean_failure(not_mapping, "mapping")


def test_existing_non_empty_dest_is_refused_and_untouched(tmp_path: Path) -> None:
    dest = tmp_path / "proj"
    dest.mkdir()
    (dest / "README.md").write_text("my notes\n", encoding="utf-8")
    result = run_scaffold("new", dest, "-t", "nlp", "--defaults")
    assert_clean_failure(result, "not empty", "--force")
    assert [p.name for p in dest.iterdir()] == ["README.md"]
    assert (dest / "README.md").read_text(encoding="utf-8") == "my notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]


def test_force_renders_into_non_empty_dest(tmp_path: Path) -> None:
    dest = tmp_path / "proj"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine\n", encoding="utf-8")
    (dest / "README.md").write_text("old readme\n", encoding="utf-8")
    result = run_scaffold("new", dest, "-t", "nlp", "--defaults", "--force")
    assert result.returncode == 0, result.stderr
    assert (dest / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert (dest / "README.md").read_text(encoding="utf-8") != "old readme\n"
    # The first commit holds the render only; the user's own file waits, untracked.
    assert git(dest, "status", "--porcelain").strip() == "?? notes.txt"


def test_force_refuses_an_existing_repository(tmp_path: Path) -> None:
    dest = tmp_path / "proj"
    dest.mkdir()
    git(dest, "init", "-q")
    (dest / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = run_scaffold("new", dest, "-t", "nlp", "--defaults", "--force")
    assert_clean_failure(result, "already a git repository", "--no-git")
    assert sorted(p.name for p in dest.iterdir()) == [".git", "notes.txt"]


def test_empty_existing_dest_is_used(tmp_path: Path) -> None:
    dest = tmp_path / "proj"
    dest.mkdir()
    result = run_scaffold("new", "proj", "-t", "nlp", "--defaults", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (dest / ".git").is_dir() and (dest / "pyproject.toml").is_file()
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["project_name"] == "proj"  # default: the folder's name


def test_dest_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "proj").write_text("x", encoding="utf-8")
    result = run_scaffold("new", tmp_path / "proj", "-t", "nlp", "--defaults")
    assert_clean_failure(result, "not a directory")


def test_missing_parents_are_created(tmp_path: Path) -> None:
    dest = tmp_path / "cohort" / "2026" / "ada"
    result = run_scaffold("new", dest, "-t", "nlp", "--defaults")
    assert result.returncode == 0, result.stderr
    assert (dest / "pyproject.toml").is_file()
    assert sorted(p.name for p in (tmp_path / "cohort" / "2026").iterdir()) == ["ada"]


def test_next_steps_lead_with_uv_as_the_readme_does(tmp_path: Path) -> None:
    result = run_scaffold("new", tmp_path / "proj", "-t", "nlp", "--defaults")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.split("Next steps")[1].splitlines()
    steps = [line.strip() for line in lines[2:6]]  # after the heading and `cd DEST`
    assert steps == [
        "uv sync",
        "uv run pytest",
        "uv run proj train && uv run proj report",
        "uv run proj serve",
    ]
    assert 'pip install -e ".[dev]"' in lines[6]  # the way without uv comes after
    readme = (tmp_path / "proj" / "README.md").read_text(encoding="utf-8")
    for command in ("uv sync", "uv run pytest", "uv run proj train", "uv run proj serve"):
        assert command in readme, command
    assert 'pip install -e ".[dev]"' in readme
