"""`scaffold cohort new` with the input instructors really have: rows that cannot be made (each
reported, none stopping the others), re-runs, remotes that fail, teams, Ctrl-C midway.

Remotes are bare repositories over file://; the network path is in test_cohort.py.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from cohort_fixtures import (
    bare_repos,
    cohort,
    commit_all,
    email_of,
    manifest,
    remote_branches,
    students_by_id,
    write_roster,
)
from conftest import REPO_ROOT, as_a_shell_starts_it, assert_clean_failure, git, run_scaffold
from update_fixtures import read

from scaffold.placing import STAGING_PREFIX


def roster_of(path: Path, *names: str) -> Path:
    rows = [{"name": name, "email": email_of(name)} for name in names]
    return write_roster(path, rows)


# 75 characters: a fine name, but "Capstone <name>" is longer than a project name may be.
LONG_NAME = "Verylongfirstname Extraordinarilylongmiddlename Lastnameofgreatlength Junior"


def statuses(stdout: str) -> dict[str, str]:
    """id -> status, from the summary table of `cohort new`."""
    cells = [line.split("│") for line in stdout.splitlines() if line.startswith("│")]
    return {row[2].strip(): row[3].strip() for row in cells if row[1].strip().isdigit()}


def test_a_cohort_project_is_exactly_what_scaffold_new_makes(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.csv", [{"name": "Ada Lovelace", "email": "ada@x.org"}])
    made = cohort("new", roster, "-t", "nlp", "--out", tmp_path / "course",
                  "--project-name", "NLP capstone - {name}")  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    alone = tmp_path / "alone" / "ada-lovelace"
    new = run_scaffold(
        "new", alone, "-t", "nlp", "--data", "author_name=Ada Lovelace",
        "--data", "author_email=ada@x.org", "--data", "project_name=NLP capstone - Ada Lovelace",
    )  # fmt: skip
    assert new.returncode == 0, new.stderr
    ours = tmp_path / "course" / "ada-lovelace"
    for fmt in ("%T", "%B", "%an <%ae>", "%cn <%ce>"):  # same files, message, author
        assert git(ours, "log", "-1", f"--format={fmt}") == git(
            alone, "log", "-1", f"--format={fmt}"
        )
    assert git(ours, "status", "--porcelain") == ""
    assert students_by_id(tmp_path / "course")["ada-lovelace"]["render_commit"] == (
        git(ours, "rev-parse", "HEAD").strip()
    )


def test_each_bad_row_gets_its_message_and_the_others_are_made(tmp_path: Path) -> None:
    rows = [
        ("Ada Lovelace", "ada@example.org", ""),
        ("Zoë Müller", "zoe@example.org", ""),
        ("Bad Path", "bad@example.org", "../../etc"),
        ("Absolute Path", "abs@example.org", "/etc/passwd"),
        ("Git Dir", "gitdir@example.org", ".git"),
        ("", "empty@example.org", ""),
        ("   ", "blank@example.org", ""),
        ("Mail Less", "   ", ""),
        ("Copy Cat", "ADA@example.org", ""),
        ("John Doe", "john@example.org", "JDoe"),
        ("Jane Doe", "jane@example.org", "jdoe"),
        ("Ada Lovelace", "ada.two@example.org", ""),
        ("Bell\x07 Ringer", "bell@example.org", ""),
        ("L" * 101, "long@example.org", ""),
        ("😀", "emoji@example.org", ""),
        ("Con", "con@example.org", ""),
        ("Not Mail", "not-an-email", ""),
        (LONG_NAME, "long-name@example.org", ""),
        ("Zed Last", "zed@example.org", ""),
    ]
    roster = write_roster(
        tmp_path / "roster.csv", [{"name": n, "email": e, "id": i} for n, e, i in rows]
    )
    out = tmp_path / "course"

    result = cohort("new", roster, "-t", "nlp", "--out", out, "--project-name", "Capstone {name}")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    made = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert made == ["JDoe", "ada-lovelace", "zed-last", "zoe-muller"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "roster.csv"]  # no ../etc
    expected = {
        4: "the id '../../etc' cannot be a folder name",
        5: "the id '/etc/passwd' cannot be a folder name",
        6: "the id '.git' cannot be a folder name",
        7: "the name cell is empty",
        8: "the name cell is empty",
        9: "the email cell is empty",
        10: "the email 'ADA@example.org' is also on line 2",
        12: "the id 'jdoe' differs only in case from 'JDoe' (line 11)",
        13: "line 2 has the same id 'ada-lovelace'",
        14: "the name holds a control character",
        15: "the name is longer than 100 characters",
        16: "gives no folder name in ASCII letters or digits: add an id column",
        17: "the id 'con' is a device name on Windows",
        18: "'not-an-email' is not an email address",
        19: "Use one line of at most 80 characters",  # the template's own check, at render
    }
    lines = {int(line.split("│")[1]): line for line in result.stdout.splitlines() if "│ " in line
             and line.split("│")[1].strip().isdigit()}  # fmt: skip
    for line, message in expected.items():
        assert message in lines[line], lines[line]
    records = manifest(out)["students"]
    refused = {s["lines"][0]: s for s in records if s["status"] == "refused"}
    assert set(refused) == set(expected) - {19}
    assert all(s["id"] is None and s["error"] for s in refused.values())
    [failed] = [s for s in records if s["status"] == "failed"]
    assert failed["lines"] == [19] and "80 characters" in failed["error"]
    assert not (out / failed["id"]).exists()
    assert not list(out.glob(f"{STAGING_PREFIX}*"))
    # The unicode name is kept for people; the folder name is ASCII.
    assert "Capstone Zoë Müller" in read(out / "zoe-muller", "README.md")


def test_a_roster_without_a_required_column_is_refused_whole(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,Mail\nAda,ada@example.org\n", encoding="utf-8")
    result = cohort("new", roster, "-t", "nlp", "--out", tmp_path / "course")
    assert result.returncode == 2
    assert_clean_failure(result, "has no 'email' column", "'Name', 'Mail'")
    assert not (tmp_path / "course").exists()


def test_a_roster_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes("name,email\nZoë,zoe@example.org\n".encode("latin-1"))
    result = cohort("new", roster, "-t", "nlp", "--out", tmp_path / "course")
    assert result.returncode == 2
    assert_clean_failure(result, "is not UTF-8", "CSV UTF-8")


def test_an_out_directory_with_other_files_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "course"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    roster = roster_of(out / "roster.csv", "Ada Lovelace")  # the roster itself may be there
    result = cohort("new", roster, "-t", "nlp", "--out", out)
    assert result.returncode == 2
    assert_clean_failure(result, "notes.txt", "is not a cohort made by scaffold")
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "roster.csv"]

    (out / "notes.txt").unlink()
    made = cohort("new", roster, "-t", "nlp", "--out", out)
    assert made.returncode == 0, made.stdout + made.stderr
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    again = cohort("new", roster, "-t", "nlp", "--out", out)  # now it is this cohort's
    assert again.returncode == 0, again.stdout + again.stderr


def test_placeholders_are_checked_before_anything_is_made(tmp_path: Path) -> None:
    roster = roster_of(tmp_path / "roster.csv", "Ada Lovelace")
    result = cohort("new", roster, "-t", "nlp", "--out", tmp_path / "c", "--remote", "x/{user}")
    assert result.returncode == 2
    assert_clean_failure(result, "unknown placeholder {user}", "{id}, {name}")
    assert not (tmp_path / "c").exists()


def test_a_rerun_skips_the_students_made_and_adds_the_new_rows(tmp_path: Path) -> None:
    out = tmp_path / "course"
    remotes = bare_repos(tmp_path / "remotes", ["ada", "ben", "cy", "dee"])
    roster = write_roster(tmp_path / "roster.csv", [
        {"name": "Ada A", "email": "ada@example.org", "id": "ada"},
        {"name": "Ben B", "email": "ben@example.org", "id": "ben"},
        {"name": "Cy C", "email": "", "id": "cy"},  # refused: fixed below
    ])  # fmt: skip
    remote = f"file://{remotes}/{{id}}.git"
    first = cohort("new", roster, "-t", "nlp", "--out", out, "--remote", remote, "--push")
    assert first.returncode == 1, first.stdout + first.stderr
    before = students_by_id(out)
    assert sorted(before) == ["ada", "ben"]

    write_roster(roster, [
        {"name": "Ada A", "email": "ada@example.org", "id": "ada"},
        {"name": "Ben B", "email": "ben@example.org", "id": "ben"},
        {"name": "Cy C", "email": "cy@example.org", "id": "cy"},
        {"name": "Dee D", "email": "dee@example.org", "id": "dee"},
    ])  # fmt: skip
    second = cohort("new", roster, "-t", "nlp", "--out", out, "--remote", remote, "--push")

    assert second.returncode == 0, second.stdout + second.stderr
    after = students_by_id(out)
    assert sorted(after) == ["ada", "ben", "cy", "dee"]
    for student in ("ada", "ben"):
        assert after[student]["render_commit"] == before[student]["render_commit"]
        assert git(out / student, "rev-list", "--count", "HEAD").strip() == "1"
    assert all(record["pushed"] for record in after.values())
    status = cohort("status", out, "--no-fetch")  # from what was made and pushed here
    assert status.returncode == 0, status.stdout + status.stderr
    assert "4 current" in status.stdout
    assert not [s for s in manifest(out)["students"] if s["status"] == "refused"]
    assert statuses(second.stdout) == {
        "ada": "done before",
        "ben": "done before",
        "cy": "created",
        "dee": "created",
    }


def test_a_remote_that_fails_keeps_the_project_and_a_rerun_pushes_it(tmp_path: Path) -> None:
    out = tmp_path / "course"
    remotes = bare_repos(tmp_path / "remotes", ["ada"])  # none for ben
    taken = tmp_path / "remotes" / "cy.git"  # a repository with commits of its own
    git(tmp_path, "init", "-q", str(tmp_path / "cy-elsewhere"))
    (tmp_path / "cy-elsewhere" / "README.md").write_text("Made by the host\n")
    commit_all(tmp_path / "cy-elsewhere", "Initial commit")
    git(tmp_path, "clone", "-q", "--bare", str(tmp_path / "cy-elsewhere"), str(taken))
    roster = write_roster(tmp_path / "roster.csv", [
        {"name": "Ada A", "email": "ada@example.org", "id": "ada"},
        {"name": "Ben B", "email": "ben@example.org", "id": "ben"},
        {"name": "Cy C", "email": "cy@example.org", "id": "cy"},
    ])  # fmt: skip
    remote = f"file://{remotes}/{{id}}.git"

    first = cohort("new", roster, "-t", "nlp", "--out", out, "--remote", remote, "--push")

    assert first.returncode == 1, first.stdout + first.stderr
    records = students_by_id(out)
    assert records["ada"]["pushed"] is True and records["ada"]["error"] is None
    for student in ("ben", "cy"):
        assert records[student]["status"] == "created" and records[student]["pushed"] is False
        assert records[student]["error"].startswith("not pushed:")
        assert git(out / student, "rev-parse", "HEAD").strip() == records[student]["render_commit"]
    assert "does not appear to be a git repository" in records["ben"]["error"]
    assert "rejected" in records["cy"]["error"] and "created empty" in records["cy"]["error"]
    assert remote_branches(taken) == {"main": git(taken, "rev-parse", "main").strip()}

    bare_repos(tmp_path / "remotes", ["ben"])
    second = cohort("new", roster, "-t", "nlp", "--out", out, "--remote", remote, "--push")
    assert second.returncode == 1, second.stdout + second.stderr  # cy's remote still says no
    records = students_by_id(out)
    assert records["ben"]["pushed"] is True
    assert remote_branches(remotes / "ben.git") == {"main": records["ben"]["render_commit"]}
    assert records["cy"]["pushed"] is False


def test_a_team_gets_one_project_with_every_member_as_author(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.csv", [
        {"name": "Ada", "email": "ada@example.org", "team": "Team Rocket"},
        {"name": "Bob", "email": "bob@example.org", "team": "team rocket"},
        {"name": "Cy", "email": "cy@example.org", "team": "Blue Whales"},
        {"name": "Fay", "email": "", "team": "Red Pandas"},
        {"name": "Gus", "email": "gus@example.org", "team": "Red Pandas"},
        {"name": "Hal", "email": "hal@example.org", "team": ""},
    ])  # fmt: skip
    out = tmp_path / "course"
    result = cohort("new", roster, "-t", "nlp", "--out", out, "--project-name", "{name} project")
    assert result.returncode == 1, result.stdout + result.stderr
    made = ["blue-whales", "hal", "team-rocket"]  # Hal, with no team, works alone
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == made
    hal = students_by_id(out)["hal"]
    assert hal["team"] is None and hal["members"] == [] and hal["lines"] == [7]
    assert "Hal project" in read(out / "hal", "README.md")
    rocket = students_by_id(out)["team-rocket"]
    assert rocket["name"] == "Team Rocket" and rocket["lines"] == [2, 3]
    assert [m["name"] for m in rocket["members"]] == ["Ada", "Bob"]
    pyproject = read(out / "team-rocket", "pyproject.toml")
    assert '"Ada, Bob"' in pyproject and "ada@example.org" in pyproject
    assert "Team Rocket project" in read(out / "team-rocket", "README.md")
    assert "line 5 of this team is refused" in result.stdout


def test_a_second_run_at_the_same_time_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "course"
    roster = roster_of(tmp_path / "roster.csv", "Ada Lovelace")
    assert cohort("new", roster, "-t", "nlp", "--out", out).returncode == 0
    with (out / ".cohort.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = cohort("new", roster, "-t", "nlp", "--out", out)
    assert result.returncode == 2
    assert_clean_failure(result, "Another scaffold cohort command is working on")


def test_ctrl_c_midway_leaves_a_valid_manifest_and_a_rerun_resumes(tmp_path: Path) -> None:
    """Ctrl-C as a terminal sends it: to the whole process group, workers and git included."""
    names = [f"Student {number}" for number in range(1, 49)]
    roster = roster_of(tmp_path / "roster.csv", *names)
    out = tmp_path / "course"
    command = [sys.executable, "-m", "scaffold", "cohort", "new", str(roster), "-t", "nlp",
               "--out", str(out)]  # fmt: skip
    run = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True, preexec_fn=as_a_shell_starts_it,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while _created(out) < 3:
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline, "no student was made in time"
            time.sleep(0.02)
        os.killpg(run.pid, signal.SIGINT)
        stdout, stderr = run.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)

    assert run.returncode == 130, stdout + stderr
    assert "run the same command again to go on" in stderr
    records = students_by_id(out)  # a valid manifest
    made = {sid: r for sid, r in records.items() if r["status"] == "created"}
    assert 3 <= len(made) < len(names), len(made)
    for student_id, record in made.items():
        assert git(out / student_id, "rev-parse", "HEAD").strip() == record["render_commit"]
    folders = {p.name for p in out.iterdir() if p.is_dir()}
    assert folders == set(made), "every project on disk is in the manifest"
    assert not list(out.glob(f"{STAGING_PREFIX}*"))

    again = cohort("new", roster, "-t", "nlp", "--out", out)

    assert again.returncode == 0, again.stdout + again.stderr
    records = students_by_id(out)
    assert len(records) == len(names) and all(r["status"] == "created" for r in records.values())
    for student_id, record in made.items():
        assert records[student_id]["render_commit"] == record["render_commit"]
    done = statuses(again.stdout)
    assert {sid for sid, status in done.items() if status == "done before"} == set(made)
    assert {status for sid, status in done.items() if sid not in made} == {"created"}


def _created(out: Path) -> int:
    try:
        data = yaml.safe_load((out / "cohort.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return 0
    return sum(1 for s in (data or {}).get("students", []) if s["status"] == "created")


@pytest.mark.parametrize("bad", ["--jobs=0"])
def test_bad_options_are_refused(tmp_path: Path, bad: str) -> None:
    roster = roster_of(tmp_path / "roster.csv", "Ada Lovelace")
    result = cohort("new", roster, "-t", "nlp", "--out", tmp_path / "c", bad)
    assert result.returncode == 2
    assert not (tmp_path / "c").exists()


def test_a_project_made_but_not_recorded_is_found_and_a_strange_folder_is_left_alone(
    tmp_path: Path,
) -> None:
    """A run killed outright (no Ctrl-C) may have made a project it did not record yet."""
    out = tmp_path / "course"
    remotes = bare_repos(tmp_path / "remotes", ["ada", "ben"])
    roster = write_roster(tmp_path / "roster.csv", [
        {"name": "Ada A", "email": "ada@example.org", "id": "ada"},
        {"name": "Ben B", "email": "ben@example.org", "id": "ben"},
    ])  # fmt: skip
    first = cohort("new", roster, "-t", "nlp", "--out", out)
    assert first.returncode == 0, first.stdout + first.stderr
    made = students_by_id(out)["ada"]["render_commit"]
    data = yaml.safe_load((out / "cohort.yml").read_text(encoding="utf-8"))
    data["students"] = []  # as if the run had stopped before saving
    (out / "cohort.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    shutil.rmtree(out / "ben")
    (out / "ben").mkdir()
    (out / "ben" / "mine.txt").write_text("not a project\n", encoding="utf-8")

    remote = f"file://{remotes}/{{id}}.git"
    again = cohort("new", roster, "-t", "nlp", "--out", out, "--remote", remote, "--push")

    assert again.returncode == 1, again.stdout + again.stderr
    records = students_by_id(out)
    assert records["ada"]["status"] == "created" and records["ada"]["render_commit"] == made
    assert records["ada"]["pushed"] is True
    assert git(out / "ada", "remote", "get-url", "origin").strip() == remote.format(id="ada")
    assert records["ben"]["status"] == "failed"
    assert "exists and is not this student's project" in records["ben"]["error"]
    assert (out / "ben" / "mine.txt").read_text(encoding="utf-8") == "not a project\n"


def _table(stdout: str) -> dict[int, list[str]]:
    """line -> the cells of its row in the summary table of `cohort new`."""
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in stdout.splitlines()]
    return {int(row[0]): row for row in rows if row and row[0].isdigit()}


def test_the_readme_roster_makes_solo_projects_in_a_roster_with_a_team_column(
    tmp_path: Path,
) -> None:
    """The README's example roster, verbatim: a `team` column whose cells are empty."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("### The roster", 1)[1].split("```csv\n", 1)[1].split("```", 1)[0]
    assert example.startswith("name,email,id,team\n")
    roster = tmp_path / "roster.csv"
    roster.write_text(example, encoding="utf-8")
    out = tmp_path / "course"

    result = cohort("new", roster, "-t", "nlp", "--out", out, "--project-name", "{name} project")

    assert result.returncode == 0, result.stdout + result.stderr
    records = students_by_id(out)
    assert sorted(records) == ["alovelace", "zoe-muller"]
    for record in records.values():
        assert record["status"] == "created" and record["team"] is None, record
    assert "Zoë Müller project" in read(out / "zoe-muller", "README.md")


def test_a_line_break_inside_a_name_is_refused_on_its_own_line(tmp_path: Path) -> None:
    """Line separators that are not CSV's (U+2028, U+0085) stay inside their cell, and a quoted
    cell over two lines is refused: no project for half a name, line numbers as an editor's."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email\n"
        "Ada Lovelace,ada@example.org\n"  # line 2
        "Sep\u2028Ember,sep@example.org\n"  # line 3
        "Oct\x85Ober,oct@example.org\n"  # line 4
        '"Two\nLines",two@example.org\n'  # lines 5-6
        "Ben Okri,ben@example.org\n",  # line 7
        encoding="utf-8",
    )
    out = tmp_path / "course"

    result = cohort("new", roster, "-t", "nlp", "--out", out)

    assert result.returncode == 1, result.stdout + result.stderr
    rows = _table(result.stdout)
    assert sorted(rows) == [2, 3, 4, 5, 7], result.stdout
    assert rows[2][2] == rows[7][2] == "created"
    assert rows[7][1] == "ben-okri"
    for line in (3, 4):
        assert rows[line][2] == "refused" and "line break" in rows[line][5], rows[line]
    assert rows[5][2] == "refused" and "lines 5-6" in rows[5][5], rows[5]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["ada-lovelace", "ben-okri"]
    assert students_by_id(out)["ben-okri"]["lines"] == [7]


def test_a_value_in_the_remote_pattern_cannot_change_the_urls_structure(tmp_path: Path) -> None:
    """{name} in --remote: a name may not lead the push into another repository (git decodes
    %XX in URLs, so an encoded name may not either); {id} is always safe."""
    srv = tmp_path / "srv"
    bare_repos(srv / "course", ["ada", "zed"])
    bare_repos(srv / "other", ["victim"])
    roster = write_roster(tmp_path / "roster.csv", [
        {"name": "ada", "email": "ada@example.org", "id": ""},
        {"name": "../other/victim", "email": "mallory@example.org", "id": "mallory"},
        {"name": "%2e%2e%2fother%2fvictim", "email": "eve@example.org", "id": "eve"},
        {"name": "Ada Lovelace", "email": "lovelace@example.org", "id": "alovelace"},
        {"name": "zed", "email": "zed@example.org", "id": ""},
    ])  # fmt: skip
    out = tmp_path / "course"

    result = cohort("new", roster, "-t", "nlp", "--out", out,
                    "--remote", f"file://{srv}/course/{{name}}.git", "--push")  # fmt: skip

    assert result.returncode == 1, result.stdout + result.stderr
    assert remote_branches(srv / "other" / "victim.git") == {}
    rows = _table(result.stdout)
    for line in (2, 6):
        assert rows[line][2] == "created" and rows[line][3] == "yes", rows[line]
    for line in (3, 4, 5):
        assert rows[line][2] == "refused", rows[line]
        assert "cannot go into --remote" in rows[line][5] and "{id}" in rows[line][5]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["ada", "zed"]
    assert remote_branches(srv / "course" / "ada.git") == {
        "main": students_by_id(out)["ada"]["render_commit"]
    }


@pytest.mark.parametrize(
    ("option", "pattern", "message"),
    [
        ("--remote", "git@host:course/{email}.git", "{email} cannot go into --remote"),
        ("--remote", "git@host:{team}/{id}.git", "the roster has no team column"),
        ("--project-name", "{name.__class__}", "{name.__class__}: use {id}, {name}"),
        ("--project-name", "{name!r:>30}", "{name!r:>30}: use {id}, {name}"),
    ],
)
def test_a_pattern_other_than_plain_placeholders_is_refused(
    tmp_path: Path, option: str, pattern: str, message: str
) -> None:
    roster = roster_of(tmp_path / "roster.csv", "Ada Lovelace")
    result = cohort("new", roster, "-t", "nlp", "--out", tmp_path / "c", option, pattern)
    assert result.returncode == 2
    assert_clean_failure(result, message)
    assert not (tmp_path / "c").exists()


def test_a_solo_row_is_refused_by_a_pattern_with_team(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "roster.csv", [
        {"name": "Ada", "email": "ada@example.org", "team": "Rocket"},
        {"name": "Hal", "email": "hal@example.org", "team": ""},
    ])  # fmt: skip
    out = tmp_path / "course"
    result = cohort("new", roster, "-t", "nlp", "--out", out, "--project-name", "{team} capstone")
    assert result.returncode == 1, result.stdout + result.stderr
    rows = _table(result.stdout)
    assert rows[2][2] == "created" and rows[3][2] == "refused"
    assert "the team cell is empty and --project-name uses {team}" in rows[3][5]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["rocket"]
