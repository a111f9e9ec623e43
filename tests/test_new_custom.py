"""`scaffold new` with a user's own Copier template: a local path or a git repository."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import assert_clean_failure, git, run_scaffold


def write_template(root: Path, files: dict[str, str], config: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "copier.yml").write_text(
        "_subdirectory: template\nname:\n  type: str\n  default: demo\n" + config, encoding="utf-8"
    )
    for relpath, text in files.items():
        path = root / "template" / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


ANSWERS_JINJA = {"{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers | to_nice_yaml }}"}


@pytest.fixture
def tagged_template(tmp_path: Path) -> Path:
    """A git template with tags v1 and v2; its answers file is Copier's own."""
    root = write_template(tmp_path / "tpl", {"hello.txt.jinja": "v1 {{ name }}\n", **ANSWERS_JINJA})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "v1")
    git(root, "tag", "v1")
    (root / "template" / "hello.txt.jinja").write_text("v2 {{ name }}\n", encoding="utf-8")
    git(root, "commit", "-qam", "v2")
    git(root, "tag", "v2")
    return root


def test_local_template_path(tmp_path: Path) -> None:
    template = write_template(tmp_path / "tpl", {"hello.txt.jinja": "hi {{ name }}\n"})
    dest = tmp_path / "out"
    result = run_scaffold("new", dest, "-t", template, "--data", "name=ada")
    assert result.returncode == 0, result.stderr
    assert (dest / "hello.txt").read_text(encoding="utf-8") == "hi ada\n"
    # The template wrote no answers file, so scaffold did: update needs one.
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["name"] == "ada" and answers["_src_path"] == str(template)
    assert git(dest, "status", "--porcelain") == ""


def test_git_template_takes_newest_tag_or_vcs_ref(tagged_template: Path, tmp_path: Path) -> None:
    newest = run_scaffold("new", tmp_path / "a", "-t", tagged_template, "--defaults")
    assert newest.returncode == 0, newest.stderr
    assert (tmp_path / "a" / "hello.txt").read_text(encoding="utf-8") == "v2 demo\n"
    answers = yaml.safe_load((tmp_path / "a" / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["_commit"] == "v2"

    pinned = run_scaffold(
        "new", tmp_path / "b", "-t", tagged_template, "--vcs-ref", "v1", "--defaults"
    )
    assert pinned.returncode == 0, pinned.stderr
    assert (tmp_path / "b" / "hello.txt").read_text(encoding="utf-8") == "v1 demo\n"
    assert "v1" in git(tmp_path / "b", "log", "-1", "--format=%B")


def test_unknown_vcs_ref_is_a_clean_error(tagged_template: Path, tmp_path: Path) -> None:
    result = run_scaffold(
        "new", tmp_path / "c", "-t", tagged_template, "--vcs-ref", "v9", "--defaults"
    )
    assert_clean_failure(result)
    assert not (tmp_path / "c").exists()


def test_vcs_ref_with_builtin_template_is_refused(tmp_path: Path) -> None:
    result = run_scaffold("new", tmp_path / "p", "-t", "nlp", "--vcs-ref", "v1", "--defaults")
    assert_clean_failure(result, "--vcs-ref")


def test_directory_without_copier_yml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notatemplate").mkdir()
    result = run_scaffold("new", tmp_path / "p", "-t", tmp_path / "notatemplate", "--defaults")
    assert_clean_failure(result, "not a Copier template")


def test_unknown_data_key_for_custom_template(tmp_path: Path) -> None:
    template = write_template(tmp_path / "tpl", {"a.txt": "a\n"})
    result = run_scaffold("new", tmp_path / "p", "-t", template, "--data", "colour=red")
    assert_clean_failure(result, "does not ask 'colour'", "name")
    assert not (tmp_path / "p").exists()


def test_tasks_need_trust(tmp_path: Path) -> None:
    template = write_template(
        tmp_path / "tpl",
        {"a.txt": "a\n"},
        config="_tasks:\n  - \"{{ _copier_python }} -c \\\"open('task-ran', 'w').close()\\\"\"\n",
    )
    refused = run_scaffold("new", tmp_path / "p", "-t", template, "--defaults")
    assert_clean_failure(refused, "--trust")
    assert not (tmp_path / "p").exists()
    trusted = run_scaffold("new", tmp_path / "p", "-t", template, "--defaults", "--trust")
    assert trusted.returncode == 0, trusted.stderr
    assert (tmp_path / "p" / "task-ran").exists()


def test_render_error_leaves_no_partial_directory(tmp_path: Path) -> None:
    template = write_template(
        tmp_path / "tpl",
        {
            "a_first.txt.jinja": "fine {{ name }}\n",
            "z_broken.txt.jinja": "{{ name | nosuchfilter }}\n",
        },
    )
    (tmp_path / "work").mkdir()
    result = run_scaffold("new", tmp_path / "work" / "p", "-t", template, "--defaults")
    assert_clean_failure(result, "nosuchfilter")
    assert list((tmp_path / "work").iterdir()) == []
