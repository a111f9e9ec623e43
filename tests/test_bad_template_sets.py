"""A bootcamp's fork of the template set, broken in the ways forks break, and answers a
question cannot take: every command says what is wrong (exit 2 for a broken set), no traceback,
nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import assert_clean_failure, run_scaffold
from update_fixtures import PROJECT_NAME, TemplateSets, snapshot, update


def broken_copy(sets: TemplateSets, tmp_path: Path, how: str) -> tuple[Path, str]:
    """A copy of the v2 set broken `how`; returns it and the path the message must name."""
    fork = tmp_path / f"fork-{how}"
    shutil.copytree(sets.v2, fork)
    layer = fork / "nlp"
    if how == "invalid-yaml":
        (layer / "copier.yml").write_text("pretrained_model:\n  type: [str\n", encoding="utf-8")
        return fork, str(layer / "copier.yml")
    if how == "missing-layer":
        shutil.rmtree(layer)
        return fork, str(layer)
    if how == "not-a-mapping":
        (layer / "copier.yml").write_text("- a list\n- of things\n", encoding="utf-8")
        return fork, str(layer / "copier.yml")
    raise AssertionError(how)


BREAKAGES = ["invalid-yaml", "missing-layer", "not-a-mapping"]


@pytest.mark.parametrize("how", BREAKAGES)
def test_new_with_a_broken_layer_exits_2(sets: TemplateSets, tmp_path: Path, how: str) -> None:
    fork, named = broken_copy(sets, tmp_path, how)
    work = tmp_path / "work"
    work.mkdir()
    result = run_scaffold("new", work / "p", "-t", "nlp", "--defaults", "--templates-dir", fork)
    assert result.returncode == 2
    assert_clean_failure(result, named)
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("how", BREAKAGES)
def test_update_with_a_broken_layer_exits_2(
    sets: TemplateSets, v1_project: Path, tmp_path: Path, how: str
) -> None:
    fork, named = broken_copy(sets, tmp_path, how)
    project = tmp_path / PROJECT_NAME
    shutil.copytree(v1_project, project, symlinks=True)
    before = snapshot(project)
    result = update(project, fork)
    assert result.returncode == 2  # not 1, which means "conflicts to resolve"
    assert_clean_failure(result, named)
    assert snapshot(project) == before


@pytest.mark.parametrize("command", ["new", "update"])
@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("docker=maybe", "yes/no question"),
        ("license=GPL", "choose one of MIT"),
        ("ci=jenkins", "choose one of github, gitlab, none"),
    ],
)
def test_values_a_question_does_not_take_are_refused(
    sets: TemplateSets, v1_project: Path, tmp_path: Path, command: str, answer: str, words: str
) -> None:
    if command == "new":
        result = run_scaffold("new", tmp_path / "p", "-t", "nlp", "--data", answer)
        assert_clean_failure(result, answer, words)
        assert list(tmp_path.iterdir()) == []
        return
    project = tmp_path / PROJECT_NAME
    shutil.copytree(v1_project, project, symlinks=True)
    before = snapshot(project)
    result = update(project, sets.v1, "--data", answer)
    assert result.returncode == 2
    assert_clean_failure(result, answer, words)
    assert snapshot(project) == before


def test_yes_no_answers_in_their_usual_spellings_are_taken(tmp_path: Path) -> None:
    data_file = tmp_path / "answers.yml"
    data_file.write_text("docker: no\nci: none\n", encoding="utf-8")
    result = run_scaffold(
        "new", tmp_path / "p", "-t", "nlp", "--no-git", "--data-file", data_file, "--data",
        "docker=False",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "p" / "Dockerfile").exists()
