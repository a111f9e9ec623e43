"""History rewrites that keep a render commit's message but change its files.

Each scenario is played as students do it, on real clones of a bare "hosting" repository:
`git commit --amend`, `git rebase -i --root` with a fixup, `git pull --rebase` after a local
update, and `git pull --rebase --allow-unrelated-histories` into a repository made on a hosting
site. `scaffold update` must refuse (exit 2, nothing changed, the commit and the reason named),
and the recovery it suggests must bring the template's changes in with every change of the
student's kept.
"""

from __future__ import annotations

import os
from pathlib import Path

from conftest import SET_VERSION, git
from update_fixtures import (
    CI_WORKFLOW,
    LINE_CHANGED_IN_V3,
    PACKAGE,
    TemplateSets,
    append,
    edit_like_a_student,
    first_commit,
    read,
    snapshot,
    update,
)

MY_NOTES = "## my notes\n\nWhat I tried and why.\n"


def hosting(tmp_path: Path, name: str = "remote.git") -> Path:
    """A bare repository standing for GitHub, GitLab or a bootcamp's server."""
    remote = tmp_path / name
    git(tmp_path, "init", "-q", "--bare", "--initial-branch=main", str(remote))
    return remote


def clone(remote: Path, dest: Path) -> Path:
    git(dest.parent, "clone", "-q", str(remote), str(dest))
    return dest


def assert_refused_untouched(project: Path, result, before: dict, *needles: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    for needle in needles:
        assert needle in output, output
    assert snapshot(project) == before


def assert_student_work_kept(project: Path) -> None:
    assert "TF-IDF is a strong baseline." in read(project, "README.md")
    assert "MY_THRESHOLD = 0.7" in read(project, f"src/{PACKAGE}/config.py")
    assert (project / "src" / PACKAGE / "features.py").is_file()
    assert not (project / ".pre-commit-config.yaml").exists()


def suggested_base(output: str) -> str:
    """The commit the refusal suggests for `--base`, first suggestion first."""
    marker = "scaffold update --base "
    return output[output.index(marker) + len(marker) :].split("`")[0]


# --- git commit --amend ------------------------------------------------------------------------


def test_amended_first_commit_is_refused_and_recovered_in_the_same_clone(
    project: Path, sets: TemplateSets
) -> None:
    append(project / "README.md", MY_NOTES)
    git(project, "commit", "-qa", "--amend", "--no-edit")
    amended = first_commit(project)
    git(project, "status", "--porcelain")
    before = snapshot(project)

    refused = update(project, sets.v2)

    assert_refused_untouched(
        project, refused, before, amended[:12], "history rewrite", "README.md", "--base"
    )
    assert "your changes kept" not in refused.stdout
    assert MY_NOTES in read(project, "README.md")

    recovered = update(project, sets.v2, "--base", suggested_base(refused.stderr))

    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert f"Recorded the pristine nlp {SET_VERSION} render" in recovered.stdout
    assert MY_NOTES in read(project, "README.md")
    assert sets.ci_fix in read(project, CI_WORKFLOW)
    assert git(project, "status", "--porcelain") == ""
    # From now on the restored render is the base: no refusal, no noise.
    again = update(project, sets.v2)
    assert again.returncode == 0 and "Already up to date" in again.stdout, again.stdout
    assert "Note:" not in again.stdout


def test_amended_history_pushed_and_cloned_fresh_is_adopted(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    """On a fresh clone the pristine tree is gone: adopting a fresh render is the way back."""
    append(project / "README.md", MY_NOTES)
    git(project, "commit", "-qa", "--amend", "--no-edit")
    remote = hosting(tmp_path)
    git(project, "push", "-q", str(remote), "main")
    laptop = clone(remote, tmp_path / "laptop")
    before = snapshot(laptop)

    refused = update(laptop, sets.v2)

    assert_refused_untouched(laptop, refused, before, "history rewrite", "--adopt")
    assert "still in this clone" not in refused.stderr  # it is not: not offered

    adopted = update(laptop, sets.v1, "--adopt")
    assert adopted.returncode == 0, adopted.stdout + adopted.stderr
    assert "changed    README.md" in adopted.stdout  # the differences, shown before recording
    assert MY_NOTES in read(laptop, "README.md")

    updated = update(laptop, sets.v2)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert MY_NOTES in read(laptop, "README.md")
    assert sets.ci_fix in read(laptop, CI_WORKFLOW)


# --- git rebase -i --root with a fixup ---------------------------------------------------------


def test_fixup_into_the_first_commit_is_refused_and_recovered(
    project: Path, sets: TemplateSets
) -> None:
    subject = git(project, "log", "-1", "--format=%s").strip()
    append(project / "MODEL_CARD.md", MY_NOTES)
    git(project, "commit", "-qam", f"fixup! {subject}")
    edit_like_a_student(project)
    environment = {**os.environ, "GIT_SEQUENCE_EDITOR": "true"}  # accept the autosquash plan
    git(project, "rebase", "-q", "-i", "--autosquash", "--root", env=environment)
    assert MY_NOTES in git(project, "show", f"{first_commit(project)}:MODEL_CARD.md")
    before = snapshot(project)

    refused = update(project, sets.v2)

    assert_refused_untouched(project, refused, before, first_commit(project)[:12], "MODEL_CARD.md")
    recovered = update(project, sets.v2, "--base", suggested_base(refused.stderr))
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert MY_NOTES in read(project, "MODEL_CARD.md")
    assert_student_work_kept(project)
    assert sets.ci_fix in read(project, CI_WORKFLOW)


# --- git pull --rebase after a local update ----------------------------------------------------


def _update_locally_then_pull_rebase(project: Path, sets: TemplateSets, tmp_path: Path) -> Path:
    """The student pushes, updates to v2 on one machine while another pushes a commit, then
    `git pull --rebase`: the update's merge is dropped and its render replayed on top."""
    edit_like_a_student(project)
    remote = hosting(tmp_path)
    git(project, "push", "-q", "-u", str(remote), "main:main")
    git(project, "remote", "add", "origin", str(remote))
    git(project, "fetch", "-q", "origin")
    git(project, "branch", "-q", "--set-upstream-to=origin/main")
    other = clone(remote, tmp_path / "other-machine")
    (other / "docs").mkdir()
    (other / "docs" / "results.md").write_text("Results from the lab machine.\n")
    git(other, "add", "--all")
    git(other, "commit", "-qm", "Lab results")
    git(other, "push", "-q")

    assert update(project, sets.v2).returncode == 0
    git(project, "-c", "pull.rebase=true", "pull", "-q")
    assert len(git(project, "rev-list", "--merges", "HEAD").split()) == 0  # linearised
    return remote


def test_pull_rebase_after_an_update_is_refused_and_recovered(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    _update_locally_then_pull_rebase(project, sets, tmp_path)
    replayed = git(project, "log", "-1", "--grep=^Scaffold-Render: nlp 2.0.0", "--format=%H")
    before = snapshot(project)

    refused = update(project, sets.v3)

    assert_refused_untouched(project, refused, before, replayed[:12], "--base")
    recovered = update(project, sets.v3, "--base", suggested_base(refused.stderr))
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert_student_work_kept(project)
    assert (project / "docs" / "results.md").is_file()
    assert LINE_CHANGED_IN_V3[1] in read(project, "notes/workflow.md")
    assert "Version 3 adds this line." in read(project, "notes/upgrading.md")


def test_pull_rebase_pushed_then_fresh_clone_recovers_from_the_older_render(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    remote = _update_locally_then_pull_rebase(project, sets, tmp_path)
    git(project, "push", "-q", "origin", "main")
    laptop = clone(remote, tmp_path / "laptop")
    before = snapshot(laptop)

    refused = update(laptop, sets.v3)

    assert_refused_untouched(
        laptop, refused, before, "history rewrite", f"older render nlp {SET_VERSION}"
    )
    assert "still in this clone" not in refused.stderr
    # Way 1: adopt a fresh render of the version the project records (2.0.0), then update.
    adopted = update(laptop, sets.v2, "--adopt")
    assert adopted.returncode == 0, adopted.stdout + adopted.stderr
    updated = update(laptop, sets.v3)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert_student_work_kept(laptop)
    assert (laptop / "docs" / "results.md").is_file()
    assert "Version 3 adds this line." in read(laptop, "notes/upgrading.md")
    # Way 2, on another clone: merge from the older render; v2's changes are then on both
    # sides, so conflicts may come, but nothing of the student's is lost.
    second = clone(remote, tmp_path / "second-laptop")
    older = suggested_base(refused.stderr)
    assert older == first_commit(second)[:12]
    result = update(second, sets.v3, "--base", older)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert_student_work_kept(second)
    assert (second / "docs" / "results.md").is_file()


# --- git pull --rebase --allow-unrelated-histories into a hosting site's repository -------------


def test_rebase_onto_a_hosting_sites_first_commit_is_refused_and_recovered(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    remote = hosting(tmp_path)
    web = tmp_path / "web-ui"
    git(tmp_path, "init", "-q", "--initial-branch=main", str(web))
    (web / "SECURITY.md").write_text("Report vulnerabilities to the course staff.\n")
    git(web, "add", "--all")
    git(web, "commit", "-qm", "Initial commit")
    git(web, "push", "-q", str(remote), "main")
    edit_like_a_student(project)
    git(project, "remote", "add", "origin", str(remote))
    git(project, "pull", "-q", "--rebase", "--allow-unrelated-histories", "origin", "main")
    git(project, "push", "-q", "-u", "origin", "main")
    before = snapshot(project)

    refused = update(project, sets.v2)

    assert_refused_untouched(project, refused, before, "SECURITY.md", "--base")
    recovered = update(project, sets.v2, "--base", suggested_base(refused.stderr))
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert_student_work_kept(project)
    assert (project / "SECURITY.md").is_file()
    assert sets.ci_fix in read(project, CI_WORKFLOW)
    git(project, "push", "-q")  # a plain push: nothing of the remote's history was rewritten


# --- Render commits made before ml-scaffold recorded their tree -------------------------------


def _as_legacy(project: Path, committed_later_by: int = 0) -> None:
    """Rewrite the first commit's message as ml-scaffold 0.1.0 wrote it (no Scaffold-Tree)."""
    message = git(project, "log", "-1", "--format=%B", "HEAD").replace("Scaffold-Tree:", "X:")
    message = "\n".join(line for line in message.splitlines() if not line.startswith("X:"))
    authored = int(git(project, "log", "-1", "--format=%at").strip())
    environment = {**os.environ, "GIT_COMMITTER_DATE": f"@{authored + committed_later_by} +0000"}
    git(project, "commit", "-q", "-a", "--amend", "-m", message, env=environment)
    assert "Scaffold-Tree" not in git(project, "log", "-1", "--format=%B")


def test_legacy_render_commit_still_updates(project: Path, sets: TemplateSets) -> None:
    _as_legacy(project)
    edit_like_a_student(project)
    result = update(project, sets.v2)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_student_work_kept(project)


def test_legacy_render_commit_amended_later_is_refused(project: Path, sets: TemplateSets) -> None:
    append(project / "README.md", MY_NOTES)
    _as_legacy(project, committed_later_by=120)
    before = snapshot(project)
    refused = update(project, sets.v2)
    assert_refused_untouched(project, refused, before, "committed again", "--adopt")
    # The user vouches for an older state by naming it: here there is none; adopting works.
    assert update(project, sets.v1, "--adopt").returncode == 0
    assert update(project, sets.v2).returncode == 0
    assert MY_NOTES in read(project, "README.md")
