"""A course's term with `scaffold cohort`: thirty students get a project pushed over the network
(a real `git daemon` on 127.0.0.1), a third of them work on it (some on the template's own
files, some rewriting history), the template set gets a new version, and `cohort update --push`
offers it to everyone as a branch, with a report that says what happened to whom.

Tests in this module share one course: each step of the term (the projects handed out, the
students' work, the update, the students merging it) is a module fixture, made once, that the
tests after it ask for, so any test also runs alone (`-k`). Template sets are copies of the
built-in one at versions 1 and 2 (see update_fixtures).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cohort_fixtures import (
    FOLDERS,
    NAMES,
    GitDaemon,
    bare_repos,
    class_of_thirty,
    cohort,
    commit_all,
    email_of,
    git_daemon,
    package_of,
    read_csv,
    remote_branches,
    students_by_id,
)
from conftest import SET_VERSION, git, run_scaffold
from update_fixtures import CI_WORKFLOW, LINE_CHANGED_IN_V2, TemplateSets, append, read

UPDATE_BRANCH = "scaffold/update-2.0.0"
# Who does what after the projects are handed out (by position in the roster).
CLEAN_EDITORS = FOLDERS[0:4]  # edit README, config, model code, add a module: no overlap
TEMPLATE_FILE_EDITOR = FOLDERS[4]  # adds to a file v2 changes, away from v2's change
CONFLICTING = FOLDERS[5:8]  # change what v2 changes
REWRITER = FOLDERS[8]  # amends the render commit (its files no longer pristine)
REPLACER = FOLDERS[9]  # replaces the whole history with one of their own
UNREACHABLE = FOLDERS[10]  # their remote repository is gone
UNTOUCHED = FOLDERS[11:]
CLEAN = [*CLEAN_EDITORS, TEMPLATE_FILE_EDITOR, *UNTOUCHED]


@dataclass(frozen=True)
class Course:
    root: Path
    out: Path  # the instructor's cohort directory
    daemon: GitDaemon
    sets: TemplateSets
    work: Path  # the students' own clones

    def remote(self, student_id: str) -> Path:
        return self.daemon.base / "course-2027" / f"{student_id}.git"

    def url(self, student_id: str) -> str:
        return f"{self.daemon.url}/course-2027/{student_id}.git"


@pytest.fixture(scope="module")
def course(sets: TemplateSets, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("course")
    served = root / "served"
    bare_repos(served / "course-2027", FOLDERS)
    with git_daemon(served) as daemon:
        yield Course(root, root / "cohort", daemon, sets, root / "students")


@pytest.fixture(scope="module")
def handed_out(course: Course) -> subprocess.CompletedProcess[str]:
    roster = class_of_thirty(course.root / "roster.csv")
    return cohort(
        "new", roster, "-t", "nlp", "--out", course.out, "--templates-dir", course.sets.v1,
        "--project-name", "NLP capstone - {name}",
        "--remote", f"{course.daemon.url}/course-2027/{{id}}.git", "--push",
    )  # fmt: skip


def test_every_student_gets_a_project_pushed_to_their_remote(
    course: Course, handed_out: subprocess.CompletedProcess[str]
) -> None:
    assert handed_out.returncode == 0, handed_out.stdout + handed_out.stderr
    records = students_by_id(course.out)
    assert sorted(records) == sorted(FOLDERS)
    for name, folder in zip(NAMES, FOLDERS, strict=True):
        record = records[folder]
        assert record["status"] == "created" and record["pushed"] is True, record
        assert record["name"] == name.strip() and record["email"] == email_of(name.strip())
        assert record["path"] == folder and record["remote"] == course.url(folder)
        assert record["template"] == "nlp" and record["template_version"] == SET_VERSION
        assert record["error"] is None
        project = course.out / folder
        # The pushed main is the project's first commit: the pristine render, nothing else.
        assert remote_branches(course.remote(folder)) == {"main": record["render_commit"]}
        assert git(project, "rev-list", "HEAD").split() == [record["render_commit"]]
        assert f"Scaffold-Render: nlp {SET_VERSION}" in git(project, "log", "-1", "--format=%B")
        assert git(project, "remote", "get-url", "origin").strip() == course.url(folder)
    # Unicode names stay as they are for people, and become ASCII only in folder names.
    zoe = course.out / "zoe-muller"
    assert 'name = "Zoë Müller"' in read(zoe, "pyproject.toml")
    assert "NLP capstone - Zoë Müller" in read(zoe, "README.md")
    assert (
        git(zoe, "log", "-1", "--format=%an <%ae>").strip() == "Zoë Müller <zoë-müller@example.org>"
    )
    assert "Иван Петров" in read(course.out / "ivan-petrov", "LICENSE")
    assert "李小龙" in read(course.out / "li-xiao-long", "MODEL_CARD.md")
    assert 'Quote \\"Q\\" Person' in read(course.out / "quote-q-person", "pyproject.toml")
    assert "30 created" in handed_out.stdout


@pytest.fixture(scope="module")
def students_worked(course: Course, handed_out: subprocess.CompletedProcess[str]) -> None:
    """A third of the class commits and pushes; one student's remote disappears."""
    assert handed_out.returncode == 0, handed_out.stdout + handed_out.stderr
    for student in [*CLEAN_EDITORS, TEMPLATE_FILE_EDITOR, *CONFLICTING, REWRITER, REPLACER]:
        git(course.root, "clone", "-q", course.url(student), str(course.work / student))
    for student in CLEAN_EDITORS:
        project = course.work / student
        package = project / "src" / package_of(project)
        append(project / "README.md", "\n## What I learned\n\nTF-IDF is a strong baseline.\n")
        append(package / "config.py", "\n\nMY_THRESHOLD = 0.7  # tuned on validation\n")
        (package / "features.py").write_text("def my_features(text):\n    return text.split()\n")
        commit_all(project, "My changes")
    append(course.work / TEMPLATE_FILE_EDITOR / "notes" / "workflow.md", "\nMy own rule.\n")
    commit_all(course.work / TEMPLATE_FILE_EDITOR, "My rule")
    for student in CONFLICTING:
        project = course.work / student
        workflow = project / "notes" / "workflow.md"
        workflow.write_text(read(project, "notes/workflow.md").replace(
            LINE_CHANGED_IN_V2[0], "Run `tox` before you push."))  # fmt: skip
        append(project / "notes" / "legacy.md", "Still useful: my notes on tokenisers.\n")
        (project / CI_WORKFLOW).unlink()
        commit_all(project, "My overlapping changes")
    rewriter = course.work / REWRITER
    append(rewriter / "README.md", "\nSquashed into the first commit.\n")
    git(rewriter, "commit", "-qa", "--amend", "--no-edit")  # keeps the render's message
    replacer = course.work / REPLACER
    git(replacer, "checkout", "-q", "--orphan", "mine")
    commit_all(replacer, "My project, my history")
    git(replacer, "branch", "-qf", "main", "mine")
    git(replacer, "checkout", "-q", "main")
    for student in [*CLEAN_EDITORS, TEMPLATE_FILE_EDITOR, *CONFLICTING]:
        git(course.work / student, "push", "-q", "origin", "main")
    for student in (REWRITER, REPLACER):
        git(course.work / student, "push", "-qf", "origin", "main")
    shutil.rmtree(course.remote(UNREACHABLE))


def test_students_work_reaches_their_remotes(course: Course, students_worked: None) -> None:
    for student in [*CLEAN_EDITORS, TEMPLATE_FILE_EDITOR, *CONFLICTING, REWRITER, REPLACER]:
        main = remote_branches(course.remote(student))["main"]
        assert main == git(course.work / student, "rev-parse", "HEAD").strip(), student
    assert not course.remote(UNREACHABLE).exists()


@pytest.fixture(scope="module")
def mains_before_update(course: Course, students_worked: None) -> dict[str, str]:
    return {
        student: remote_branches(course.remote(student))["main"]
        for student in FOLDERS
        if student != UNREACHABLE
    }


@pytest.fixture(scope="module")
def first_update(course: Course, mains_before_update: dict[str, str]):
    shutil.rmtree(course.out / UNTOUCHED[0])  # the instructor's copy is gone: cloned again
    return cohort("update", course.out / "cohort.yml", "--push", "--templates-dir", course.sets.v2)


def test_update_reports_what_happened_to_each_student(course: Course, first_update) -> None:
    assert first_update.returncode == 1, first_update.stdout + first_update.stderr
    # The release notes, once.
    assert first_update.stdout.count("The CI workflow pins its actions.") == 1
    rows = {row["id"]: row for row in read_csv(course.out / "cohort-update.csv")}
    assert sorted(rows) == sorted(FOLDERS)
    for student in CLEAN:
        row = rows[student]
        assert row["outcome"] == "updated cleanly", row
        assert (row["from"], row["to"]) == (SET_VERSION, "2.0.0")
        assert row["branch"] == UPDATE_BRANCH and row["pushed"] == "yes", row
    for student in CONFLICTING:
        row = rows[student]
        assert row["outcome"] == "conflicts" and row["pushed"] == "no" and row["branch"] == ""
        for path in ("notes/workflow.md", "notes/legacy.md", CI_WORKFLOW):
            assert path in row["conflicts"], row
        assert "both changed lines here" in row["conflicts"]
    assert rows[REWRITER]["outcome"] == "refused"
    assert "cannot be trusted as the template's pristine render" in rows[REWRITER]["details"]
    assert rows[REPLACER]["outcome"] == "not a scaffold project"
    assert "no render commit" in rows[REPLACER]["details"]
    assert rows[UNREACHABLE]["outcome"] == "unreachable remote"
    assert "no such repository" in rows[UNREACHABLE]["details"]
    report = (course.out / "cohort-update.md").read_text(encoding="utf-8")
    assert (
        "24 updated cleanly, 3 conflicts, 1 refused, 1 not a scaffold project, 1 unreachable"
        in report
    )
    assert f"| zoe-muller | Zoë Müller | updated cleanly ({SET_VERSION} → 2.0.0) |" in report
    assert report.index("| ada-lovelace |") < report.index("| zoe-muller |")  # roster order
    assert "- The CI workflow pins its actions." in report
    # The manifest records each student's last update.
    records = students_by_id(course.out)
    assert set(records[CONFLICTING[0]]["update"]["conflicts"]) == {
        "notes/workflow.md",
        "notes/legacy.md",
        CI_WORKFLOW,
    }
    assert records[CLEAN[0]]["update"]["outcome"] == "updated"
    assert records[CLEAN[0]]["update"]["pushed"] is True


def test_no_students_main_changes_on_the_remote(
    course: Course, first_update, mains_before_update: dict[str, str]
) -> None:
    for student, main in mains_before_update.items():
        branches = remote_branches(course.remote(student))
        assert branches["main"] == main, student
        expected = {"main", UPDATE_BRANCH} if student in CLEAN else {"main"}
        assert set(branches) == expected, (student, branches)
        if student in CLEAN:  # the branch starts from the student's main
            first_parent = git(course.remote(student), "rev-parse", f"{UPDATE_BRANCH}^1").strip()
            assert first_parent == main


MERGING = [*CLEAN_EDITORS, TEMPLATE_FILE_EDITOR, UNTOUCHED[0], UNTOUCHED[-1]]


@pytest.fixture(scope="module")
def students_merged(course: Course, first_update) -> None:
    """Some students merge the update branch into their main and push it."""
    for student in MERGING:
        project = course.work / student
        if not project.exists():
            git(course.root, "clone", "-q", course.url(student), str(project))
        git(project, "fetch", "-q", "origin")
        git(project, "merge", "-q", "--no-edit", f"origin/{UPDATE_BRANCH}")
        git(project, "push", "-q", "origin", "main")


def test_update_branches_merge_cleanly_into_the_students_main(
    course: Course, students_merged: None
) -> None:
    for student in MERGING:
        project = course.work / student
        assert course.sets.ci_fix in read(project, CI_WORKFLOW)
        assert "the bootcamp keeps these notes" in read(project, "notes/upgrading.md")
        assert not (project / "notes" / "legacy.md").exists()
        if student in CLEAN_EDITORS:
            assert "TF-IDF is a strong baseline." in read(project, "README.md")
            assert (project / "src" / package_of(project) / "features.py").is_file()
        if student == TEMPLATE_FILE_EDITOR:
            workflow = read(project, "notes/workflow.md")
            assert "My own rule." in workflow and LINE_CHANGED_IN_V2[1] in workflow
        # What the student merged is a scaffold update like any other.
        check = run_scaffold("check", project, "--templates-dir", course.sets.v2)
        assert check.returncode == 0, check.stdout + check.stderr


def test_status_says_who_is_behind(course: Course, students_merged: None) -> None:
    result = cohort("status", course.out, "--templates-dir", course.sets.v2)
    assert result.returncode == 2, result.stdout + result.stderr  # some cannot be told
    lines = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    for student in MERGING:
        assert " current " in lines[student] and "2.0.0" in lines[student], lines[student]
    for student in UNTOUCHED[1:-1]:
        assert " behind " in lines[student] and "waiting to be merged" in lines[student]
    for student in CONFLICTING:
        assert " behind " in lines[student] and "waiting" not in lines[student]
    assert "unreachable" in lines[UNREACHABLE]
    assert "not a scaffold project" in lines[REPLACER]
    assert " refused " in lines[REWRITER] and "cannot be trusted" in lines[REWRITER]


def test_a_second_update_commits_conflicts_only_when_asked(
    course: Course, mains_before_update: dict[str, str], students_merged: None
) -> None:
    result = cohort(
        "update", course.out, "--push", "--commit-conflicts", "--templates-dir", course.sets.v2
    )
    assert result.returncode == 1, result.stdout + result.stderr
    rows = {row["id"]: row for row in read_csv(course.out / "cohort-update.csv")}
    for student in MERGING:
        assert rows[student]["outcome"] == "already up to date", rows[student]
    for student in UNTOUCHED[1:-1]:  # pushed last time, not merged yet: left as it is
        assert rows[student]["outcome"] == "update already offered", rows[student]
    for student in CONFLICTING:
        row = rows[student]
        assert row["outcome"] == "conflicts" and row["pushed"] == "yes", row
        remote = course.remote(student)
        assert remote_branches(remote)["main"] == mains_before_update[student]
        workflow = git(remote, "show", f"{UPDATE_BRANCH}:notes/workflow.md")
        assert "<<<<<<<" in workflow and "Run `tox` before you push." in workflow
        assert LINE_CHANGED_IN_V2[1] in workflow
        message = git(remote, "log", "-1", "--format=%B", UPDATE_BRANCH)
        assert "Committed with conflict markers" in message and "notes/legacy.md" in message
