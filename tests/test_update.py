"""`scaffold update`: the template's changes come in, the user's changes all stay.

The scenarios run the real command in a subprocess without a terminal, on projects made by
`scaffold new` from copies of the template set at versions 1, 2 and 3 (see update_fixtures).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
import yaml
from conftest import (
    SET_VERSION,
    TEST_AUTHOR,
    assert_clean_failure,
    git,
    run_scaffold,
    spawn_scaffold,
)
from update_fixtures import (
    CI_WORKFLOW,
    LINE_CHANGED_IN_V2,
    LINE_CHANGED_IN_V3,
    PACKAGE,
    PROJECT_NAME,
    TemplateSets,
    append,
    edit_like_a_student,
    edit_what_v2_changes,
    first_commit,
    new_project,
    notes_dir,
    parents,
    read,
    snapshot,
    update,
    variant,
)


def answers(project: Path) -> dict:
    return yaml.safe_load(read(project, ".copier-answers.yml"))


# --- Merging ----------------------------------------------------------------------------------


def test_template_changes_come_in_and_user_edits_stay(project: Path, sets: TemplateSets) -> None:
    edit_like_a_student(project)
    before = git(project, "rev-parse", "HEAD").strip()

    result = update(project, sets.v2)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"nlp template {SET_VERSION} → 2.0.0" in result.stdout
    assert f"What changed in the nlp template since {SET_VERSION}:" in result.stdout
    assert "The CI workflow pins its actions." in result.stdout  # the 2.0.0 release notes
    # The template's changes: a fixed CI line, a new file (with a new question's default),
    # a deleted file, a changed line.
    assert sets.ci_fix in read(project, CI_WORKFLOW)
    assert read(project, "notes/upgrading.md").startswith(f"{PROJECT_NAME} follows the template")
    assert "the bootcamp keeps these notes" in read(project, "notes/upgrading.md")
    assert not (project / "notes" / "legacy.md").exists()
    assert LINE_CHANGED_IN_V2[1] in read(project, "notes/workflow.md")
    # Every change of the user's.
    assert "TF-IDF is a strong baseline." in read(project, "README.md")
    assert "MY_THRESHOLD = 0.7" in read(project, f"src/{PACKAGE}/config.py")
    assert "def my_helper()" in read(project, f"src/{PACKAGE}/model.py")
    assert (project / "src" / PACKAGE / "features.py").is_file()
    assert not (project / ".pre-commit-config.yaml").exists()  # deleted by the user: stays so
    # The answers file records the new version and the new question's answer.
    recorded = answers(project)
    assert recorded["_scaffold_version"] == "2.0.0"
    assert recorded["notes_owner"] == "the bootcamp"
    assert "notes_format" not in recorded  # a question v2 no longer asks
    assert recorded["project_name"] == PROJECT_NAME
    # One merge commit naming both versions; its second parent is the pristine v2 render,
    # whose parent is the v1 render (the project's first commit).
    assert git(project, "status", "--porcelain") == ""
    assert (
        git(project, "log", "-1", "--format=%s") == f"Update nlp template {SET_VERSION} → 2.0.0\n"
    )
    first_parent, render = parents(project)
    assert first_parent == before
    assert "Scaffold-Render: nlp 2.0.0" in git(project, "log", "-1", "--format=%B", render)
    assert parents(project, render) == [first_commit(project)]
    assert git(project, "show", f"{render}:notes/workflow.md") == read(project, "notes/workflow.md")


def test_overlapping_edits_are_left_as_git_conflicts(project: Path, sets: TemplateSets) -> None:
    edit_what_v2_changes(project)
    head = git(project, "rev-parse", "HEAD").strip()

    result = update(project, sets.v2)

    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout
    for path in ("notes/workflow.md", "notes/legacy.md", CI_WORKFLOW):
        assert path in output
    assert "git merge --abort" in output and "git commit" in output
    status = git(project, "status", "--porcelain")
    assert "UU notes/workflow.md" in status
    assert "UD notes/legacy.md" in status  # the user's edited copy is not deleted...
    assert "Still useful: my notes on tokenisers." in read(project, "notes/legacy.md")
    assert f"DU {CI_WORKFLOW}" in status  # ...and a deleted file the template changed comes back
    workflow = read(project, "notes/workflow.md")
    assert "<<<<<<< HEAD" in workflow and "Run `tox` before you push." in workflow
    assert LINE_CHANGED_IN_V2[1] in workflow and ">>>>>>>" in workflow
    # Non-conflicting template changes are staged, ready for the commit.
    assert (project / "notes" / "upgrading.md").is_file()

    git(project, "merge", "--abort")
    assert git(project, "rev-parse", "HEAD").strip() == head
    assert git(project, "status", "--porcelain") == ""


def test_second_update_merges_from_the_last_render(project: Path, sets: TemplateSets) -> None:
    """After v1 → v2 with conflicts resolved the user's way, v2 → v3 must not raise them again."""
    edit_what_v2_changes(project)
    assert update(project, sets.v2).returncode == 1
    workflow = project / "notes" / "workflow.md"
    lines = read(project, "notes/workflow.md").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))]
    workflow.write_text("".join(line for line in kept if LINE_CHANGED_IN_V2[1] not in line))
    git(project, "add", "notes/workflow.md", "notes/legacy.md")  # keep the user's legacy notes
    git(project, "rm", "-q", CI_WORKFLOW)  # and stay without the CI workflow
    git(project, "commit", "-q", "--no-edit")
    v2_render = parents(project)[1]

    result = update(project, sets.v3)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "nlp template 2.0.0 → 3.0.0" in result.stdout
    assert "Release tags are named vX.Y.Z." in result.stdout
    assert "The CI workflow pins its actions." not in result.stdout  # 2.0.0's notes: had them
    workflow_text = read(project, "notes/workflow.md")
    assert "Run `tox` before you push." in workflow_text
    assert LINE_CHANGED_IN_V2[1] not in workflow_text
    assert LINE_CHANGED_IN_V3[1] in workflow_text
    assert "Still useful" in read(project, "notes/legacy.md")
    assert not (project / CI_WORKFLOW).exists()
    assert "Version 3 adds this line." in read(project, "notes/upgrading.md")
    v3_render = parents(project)[1]
    assert parents(project, v3_render) == [v2_render]  # the base moved forward
    assert answers(project)["_scaffold_version"] == "3.0.0"


def test_merge_that_cannot_be_committed_is_left_to_finish(
    project: Path, sets: TemplateSets
) -> None:
    git(project, "config", "commit.gpgsign", "true")
    git(project, "config", "gpg.program", "false")  # signing fails after the merge is done

    result = update(project, sets.v2)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "could not commit" in result.stdout and "git merge --abort" in result.stdout
    assert (project / ".git" / "MERGE_HEAD").is_file()
    assert sets.ci_fix in read(project, CI_WORKFLOW)  # merged, staged, waiting for the commit


def test_changed_answer_through_data(project: Path, sets: TemplateSets) -> None:
    assert (project / "Dockerfile").is_file()
    append(project / "README.md", "\nMy note.\n")
    git(project, "commit", "-qam", "note")

    result = update(project, sets.v1, "--data", "docker=false")

    assert result.returncode == 0, result.stdout + result.stderr
    assert not (project / "Dockerfile").exists() and not (project / ".dockerignore").exists()
    assert "My note." in read(project, "README.md")
    assert answers(project)["docker"] is False
    message = git(project, "log", "-1", "--format=%B")
    assert message.startswith(f"Re-render nlp template {SET_VERSION}")
    assert "docker: true → false" in message


def test_unknown_data_key_is_refused_untouched(project: Path, sets: TemplateSets) -> None:
    before = snapshot(project)
    result = update(project, sets.v2, "--data", "colour=blue")
    assert result.returncode == 2
    assert_clean_failure(result, "colour")
    assert snapshot(project) == before


def test_same_version_and_answers_is_up_to_date(project: Path, sets: TemplateSets) -> None:
    before = snapshot(project)
    result = update(project, sets.v1)
    assert result.returncode == 0, result.stderr
    assert "Already up to date" in result.stdout
    assert snapshot(project) == before


def test_update_on_a_fresh_clone_with_empty_home(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    """A new laptop: a clone, no git identity, no caches, no network; only the history."""
    edit_like_a_student(project)
    clone = tmp_path / "laptop" / "clone"
    git(tmp_path, "clone", "-q", str(project), str(clone))
    home = tmp_path / "empty-home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "XDG_", "COPIER_", "SCAFFOLD_"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        GIT_CONFIG_NOSYSTEM="1",
        # Any attempt to reach the network fails.
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        GIT_ALLOW_PROTOCOL="file",
    )
    result = subprocess.run(
        [sys.executable, "-m", "scaffold", "update", "--templates-dir", str(sets.v2)],
        cwd=clone,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert sets.ci_fix in read(clone, CI_WORKFLOW)
    assert "TF-IDF is a strong baseline." in read(clone, "README.md")
    assert len(parents(clone)) == 2
    # No git identity on this machine: the merge is the project's author's.
    committer = git(clone, "log", "-1", "--format=%cn <%ce>").strip()
    assert committer == f"{TEST_AUTHOR[0]} <{TEST_AUTHOR[1]}>"
    assert list(home.iterdir()) == []  # nothing cached, nothing configured


def test_in_a_terminal_only_new_questions_are_asked(project: Path, sets: TemplateSets) -> None:
    child = spawn_scaffold("update", "--templates-dir", str(sets.v2), cwd=project)
    child.expect("Who keeps the notes")
    asked = child.before
    child.send("\x15" + "Ada\r")  # clear the default, type an answer
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "Project name" not in asked and "License" not in asked  # answered before
    assert "Ada keeps these notes" in read(project, "notes/upgrading.md")
    assert answers(project)["notes_owner"] == "Ada"


# --- Refusals: exit 2 and not a byte changed -------------------------------------------------


@pytest.mark.parametrize("change", ["modified", "staged", "untracked"])
def test_dirty_worktree_is_refused(project: Path, sets: TemplateSets, change: str) -> None:
    readme = project / "README.md"
    if change == "untracked":
        (project / "scratch.py").write_text("print('wip')\n", encoding="utf-8")
    else:
        append(readme, "\nwork in progress\n")
        if change == "staged":
            git(project, "add", "README.md")
    git(project, "status", "--porcelain")  # let git refresh its index before the snapshot
    before = snapshot(project)

    result = update(project, sets.v2)

    assert result.returncode == 2
    assert_clean_failure(
        result,
        "uncommitted changes",
        "scratch.py" if change == "untracked" else "README.md",
        "git stash",
    )
    assert snapshot(project) == before


def test_merge_in_progress_is_refused(project: Path, sets: TemplateSets) -> None:
    git(project, "checkout", "-qb", "other")
    append(project / "README.md", "\nfrom other\n")
    git(project, "commit", "-qam", "other")
    git(project, "checkout", "-q", "-")
    append(project / "README.md", "\nfrom main\n")
    git(project, "commit", "-qam", "main")
    merge = subprocess.run(["git", "merge", "other"], cwd=project, capture_output=True, check=False)
    assert merge.returncode != 0  # conflicted: MERGE_HEAD is there
    before = snapshot(project)

    result = update(project, sets.v2)

    assert result.returncode == 2
    assert_clean_failure(result, "merge is in progress", "git merge --abort")
    assert snapshot(project) == before


def test_project_without_answers_file_is_refused(project: Path, sets: TemplateSets) -> None:
    git(project, "rm", "-q", ".copier-answers.yml")
    git(project, "commit", "-qm", "no answers")
    before = snapshot(project)
    result = update(project, sets.v2)
    assert result.returncode == 2
    assert_clean_failure(result, ".copier-answers.yml")
    assert snapshot(project) == before


def test_project_without_render_history_is_refused(sets: TemplateSets, tmp_path: Path) -> None:
    project = new_project(tmp_path / PROJECT_NAME, sets.v1, "--no-git")
    git(project, "init", "-q")
    git(project, "add", "--all")
    git(project, "commit", "-qm", "My own first commit")
    before = snapshot(project)
    result = update(project, sets.v2)
    assert result.returncode == 2
    assert_clean_failure(result, "no render history", "Scaffold-Render")
    assert snapshot(project) == before


def test_project_outside_git_is_refused(sets: TemplateSets, tmp_path: Path) -> None:
    project = new_project(tmp_path / PROJECT_NAME, sets.v1, "--no-git")
    before = snapshot(project)
    result = update(project, sets.v2)
    assert result.returncode == 2
    assert_clean_failure(result, "not in a git repository")
    assert snapshot(project) == before


def test_older_template_set_is_refused(project: Path, sets: TemplateSets) -> None:
    assert update(project, sets.v2).returncode == 0
    before = snapshot(project)
    result = update(project, sets.v1)
    assert result.returncode == 2
    assert_clean_failure(result, "2.0.0", SET_VERSION)
    assert snapshot(project) == before


# --- Dry run ------------------------------------------------------------------------------------


def test_dry_run_lists_everything_and_changes_nothing(project: Path, sets: TemplateSets) -> None:
    edit_like_a_student(project)
    workflow = project / "notes" / "workflow.md"
    workflow.write_text(read(project, "notes/workflow.md").replace(*LINE_CHANGED_IN_V2[:1], "x"))
    git(project, "commit", "-qam", "overlap")
    git(project, "status", "--porcelain")
    before = snapshot(project)

    result = update(project, sets.v2, "--dry-run")

    assert result.returncode == 1, result.stdout + result.stderr  # as the update would: conflicts
    lines = {tuple(line.split()[:2]) for line in result.stdout.splitlines()}
    assert ("add", "notes/upgrading.md") in lines
    assert ("change", CI_WORKFLOW) in lines
    assert ("change", ".copier-answers.yml") in lines
    assert ("remove", "notes/legacy.md") in lines
    assert ("conflict", "notes/workflow.md") in lines
    assert not any("README.md" in line for line in lines)  # the user's edits are not changes
    assert "Nothing was changed." in result.stdout
    assert snapshot(project) == before  # worktree and .git, byte for byte


def test_dry_run_shows_a_file_the_template_moves_as_moved(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    moved = variant(sets.v1, tmp_path / "moved", version="2.0.0")
    (notes_dir(moved) / "workflow.md").rename(notes_dir(moved) / "how-we-work.md")
    append(project / "notes" / "workflow.md", "My own rule: pair on hard bugs.\n")
    git(project, "commit", "-qam", "my rule")

    preview = update(project, moved, "--dry-run")

    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "move      notes/workflow.md → notes/how-we-work.md" in preview.stdout
    assert "remove" not in preview.stdout
    result = update(project, moved)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "moved     notes/workflow.md → notes/how-we-work.md" in result.stdout
    assert "My own rule" in read(project, "notes/how-we-work.md")


def test_each_conflict_says_what_it_is_and_how_to_settle_it(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    v1 = variant(sets.v1, tmp_path / "v1-logo")
    (notes_dir(v1) / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    v2 = variant(v1, tmp_path / "v2-logo", version="2.0.0")
    (notes_dir(v2) / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)))
    (notes_dir(v2) / "legacy.md").unlink()
    fresh = new_project(tmp_path / "with-logo" / PROJECT_NAME, v1)
    (fresh / "notes" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nmy own logo\x00")
    append(fresh / "notes" / "legacy.md", "Mine.\n")
    git(fresh, "commit", "-qam", "my logo and notes")

    result = update(fresh, v2)

    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    logo = lines.index(next(line for line in lines if line.startswith("  notes/logo.png")))
    assert "binary" in lines[logo] and "no markers" in lines[logo]
    assert "git checkout --ours -- notes/logo.png" in lines[logo + 1]
    legacy = lines.index(next(line for line in lines if line.startswith("  notes/legacy.md")))
    assert "the template deleted it" in lines[legacy]
    assert "git add notes/legacy.md" in lines[legacy + 1]
    assert "markers" not in "\n".join(lines[legacy:logo] + lines[logo + 2 :]).replace(
        "no markers", ""
    )  # only text conflicts get the markers explained: these two have none


def test_corrupt_or_missing_version_is_refused(project: Path, sets: TemplateSets) -> None:
    answers_file = project / ".copier-answers.yml"
    original = read(project, ".copier-answers.yml")
    for broken in (
        original.replace(f"_scaffold_version: {SET_VERSION}", "_scaffold_version: banana"),
        original.replace(f"_scaffold_version: {SET_VERSION}\n", ""),
    ):
        answers_file.write_text(broken, encoding="utf-8")
        git(project, "commit", "-qam", "broken version")
        before = snapshot(project)
        result = update(project, sets.v2)
        assert result.returncode == 2
        assert_clean_failure(result, "not a version", "_scaffold_version")
        assert snapshot(project) == before
        checked = run_scaffold("check", project, "--templates-dir", sets.v2)
        assert checked.returncode == 2
        assert_clean_failure(checked, "not a version")


def test_project_in_a_subdirectory_is_refused_the_same_way_by_check_and_update(
    sets: TemplateSets, tmp_path: Path
) -> None:
    monorepo = tmp_path / "monorepo"
    monorepo.mkdir()
    git(monorepo, "init", "-q")
    project = new_project(monorepo / "projects" / PROJECT_NAME, sets.v1, "--no-git")
    git(monorepo, "add", "--all")
    git(monorepo, "commit", "-qm", "add the project")
    before = snapshot(monorepo)

    checked = run_scaffold("check", project, "--templates-dir", sets.v2)
    updated = update(project, sets.v2)

    for result in (checked, updated):
        assert result.returncode == 2
        assert_clean_failure(result, "inside the larger git repository", "--adopt")
    assert checked.stderr == updated.stderr
    assert snapshot(monorepo) == before


def test_no_git_project_is_adopted_then_updated(sets: TemplateSets, tmp_path: Path) -> None:
    project = new_project(tmp_path / PROJECT_NAME, sets.v1, "--no-git")
    outdated = run_scaffold("check", project, "--templates-dir", sets.v2)
    assert outdated.returncode == 1 and "git init" in outdated.stdout, outdated.stdout
    git(project, "init", "-q")
    edit_like_a_student(project)  # the student's first commit holds the render and their edits
    checked = run_scaffold("check", project, "--templates-dir", sets.v2)
    assert checked.returncode == 1 and "scaffold update --adopt" in checked.stdout

    other_version = update(project, sets.v2, "--adopt")
    assert other_version.returncode == 2
    assert_clean_failure(other_version, SET_VERSION, "2.0.0", "--templates-dir")
    preview = update(project, sets.v1, "--adopt", "--dry-run")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "changed    README.md" in preview.stdout
    assert "yours only src/review_sentiment/features.py" in preview.stdout
    assert "removed    .pre-commit-config.yaml" in preview.stdout
    assert git(project, "rev-list", "--count", "HEAD").strip() == "1"  # nothing recorded

    adopted = update(project, sets.v1, "--adopt")
    assert adopted.returncode == 0, adopted.stdout + adopted.stderr
    assert git(project, "status", "--porcelain") == ""
    assert update(project, sets.v1, "--adopt").returncode == 2  # it has a base now
    updated = update(project, sets.v2)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert sets.ci_fix in read(project, CI_WORKFLOW)
    assert "TF-IDF is a strong baseline." in read(project, "README.md")
    assert (project / "src" / PACKAGE / "features.py").is_file()
    assert not (project / ".pre-commit-config.yaml").exists()


def test_ctrl_c_at_a_question_says_nothing_was_changed(project: Path, sets: TemplateSets) -> None:
    git(project, "status", "--porcelain")
    before = snapshot(project)
    child = spawn_scaffold("update", "--templates-dir", str(sets.v2), cwd=project)
    child.expect("Who keeps the notes")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, child.before
    assert "Interrupted: nothing was changed." in child.before
    assert "Traceback" not in child.before
    assert snapshot(project) == before


# --- Custom templates -------------------------------------------------------------------------


def _commit_template_version(template: Path, readme_line: str, tag: str) -> None:
    (template / "template" / "README.md.jinja").write_text(
        "# {{ name }}\n\n" + readme_line + "\n\n## Usage\n\nRun it.\n", encoding="utf-8"
    )
    git(template, "add", "--all")
    git(template, "commit", "-qm", tag)
    git(template, "tag", tag)


def test_custom_git_template_updates_to_a_tag_and_copier_update_still_works(
    tmp_path: Path,
) -> None:
    template = tmp_path / "tpl"
    (template / "template").mkdir(parents=True)
    (template / "copier.yml").write_text(
        "_subdirectory: template\nname:\n  type: str\n  default: demo\n", encoding="utf-8"
    )
    (template / "template" / "{{ _copier_conf.answers_file }}.jinja").write_text(
        "{{ _copier_answers | to_nice_yaml }}", encoding="utf-8"
    )
    git(tmp_path, "init", "-q", str(template))
    for tag, word in (("v1", "one"), ("v2", "two"), ("v3", "three")):
        _commit_template_version(template, f"Template version {word}.", tag)

    project = tmp_path / "proj"
    made = run_scaffold("new", project, "-t", template, "--vcs-ref", "v1", "--defaults")
    assert made.returncode == 0, made.stderr
    append(project / "README.md", "\nMy own line.\n")
    git(project, "commit", "-qam", "mine")

    outdated = run_scaffold("check", project)
    assert outdated.returncode == 1, outdated.stdout + outdated.stderr
    assert "v1" in outdated.stdout and "v3" in outdated.stdout

    pinned = update(project, None, "--vcs-ref", "v2")
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    assert "Template version two." in read(project, "README.md")
    assert "My own line." in read(project, "README.md")
    assert answers(project)["_commit"] == "v2"
    assert answers(project)["_src_path"] == str(template)
    assert run_scaffold("check", project).returncode == 1

    newest = update(project, None)
    assert newest.returncode == 0, newest.stdout + newest.stderr
    assert "Template version three." in read(project, "README.md")
    assert answers(project)["_commit"] == "v3"
    assert run_scaffold("check", project).returncode == 0

    # Going back needs saying so.
    before = snapshot(project)
    back = update(project, None, "--vcs-ref", "v1")
    assert back.returncode == 2
    assert_clean_failure(back, "v3", "older v1", "--downgrade")
    assert snapshot(project) == before
    back = update(project, None, "--vcs-ref", "v2", "--downgrade")
    assert back.returncode == 0, back.stdout + back.stderr
    assert answers(project)["_commit"] == "v2"
    assert update(project, None).returncode == 0  # and forward again

    # Plain Copier still updates the project: its answers file is Copier's own.
    _commit_template_version(template, "Template version four.", "v4")
    copier = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", "--quiet"],
        cwd=project,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert copier.returncode == 0, copier.stdout + copier.stderr
    readme = read(project, "README.md")
    assert "Template version four." in readme and "My own line." in readme
    assert answers(project)["_commit"] == "v4"


def test_custom_template_dropping_a_question_still_updates(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    (template / "template").mkdir(parents=True)
    config = template / "copier.yml"
    config.write_text(
        "_subdirectory: template\nname:\n  type: str\n  default: demo\n"
        "colour:\n  type: str\n  default: blue\n",
        encoding="utf-8",
    )
    (template / "template" / "{{ _copier_conf.answers_file }}.jinja").write_text(
        "{{ _copier_answers | to_nice_yaml }}", encoding="utf-8"
    )
    git(tmp_path, "init", "-q", str(template))
    _commit_template_version(template, "Template version one.", "v1")
    config.write_text("_subdirectory: template\nname:\n  type: str\n  default: demo\n")
    _commit_template_version(template, "Template version two.", "v2")
    project = tmp_path / "proj"
    made = run_scaffold("new", project, "-t", template, "--vcs-ref", "v1", "--data", "colour=red")
    assert made.returncode == 0, made.stderr
    assert answers(project)["colour"] == "red"

    result = update(project, None)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "colour" not in answers(project) and answers(project)["_commit"] == "v2"
