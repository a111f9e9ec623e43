"""`scaffold update` and `check` where the outside audit (issue 18) found a loss or a lie.

Each scenario is one a student or an instructor reaches: an ignored file where the template adds
a directory, a global gitignore, a `--base` picked from the reflog, a signal while git merges, a
squash-merged update branch, a detached HEAD, a shallow clone, an awkward folder name.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cohort_fixtures import cohort, read_csv, write_roster
from conftest import (
    SET_VERSION,
    TEST_AUTHOR,
    as_a_shell_starts_it,
    assert_clean_failure,
    git,
    run_scaffold,
)
from update_fixtures import (
    CI_WORKFLOW,
    PROJECT_NAME,
    TemplateSets,
    append,
    edit_like_a_student,
    edit_what_v2_changes,
    first_commit,
    new_project,
    parents,
    read,
    snapshot,
    template_root,
    update,
    variant,
)

SAMPLES = [f"data/sample/{split}.csv" for split in ("train", "validation", "test")]


def tracked(project: Path, rev: str = "HEAD") -> set[str]:
    return set(git(project, "ls-tree", "-r", "--name-only", "-z", rev).split("\0")) - {""}


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "--all")
    git(project, "commit", "-qm", message)


# --- D1: an ignored file, symlink or directory where the new render puts something -------------


@pytest.fixture(scope="module")
def adds_extras(sets: TemplateSets, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Version 2.0.0 of the set: the template adds a directory `extras/` with a README."""
    v2 = variant(sets.v1, tmp_path_factory.mktemp("adds-extras") / "set", version="2.0.0")
    (template_root(v2) / "extras").mkdir()
    (template_root(v2) / "extras" / "README.md").write_text("Extras.\n", encoding="utf-8")
    return v2


@pytest.fixture(scope="module")
def adds_extras_file(sets: TemplateSets, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Version 2.0.0 of the set: the template adds a file `extras`."""
    v2 = variant(sets.v1, tmp_path_factory.mktemp("adds-file") / "set", version="2.0.0")
    (template_root(v2) / "extras").write_text("Extras.\n", encoding="utf-8")
    return v2


@pytest.mark.parametrize("mine", ["file", "symlink to a file", "symlink to a directory"])
def test_an_ignored_file_where_the_render_adds_a_directory_is_refused(
    project: Path, adds_extras: Path, tmp_path: Path, mine: str
) -> None:
    extras = project / "extras"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "big.bin").write_bytes(b"precious data\n")
    if mine == "file":
        extras.write_text("precious\n", encoding="utf-8")
    elif mine == "symlink to a file":
        extras.symlink_to(elsewhere / "big.bin")
    else:
        extras.symlink_to(elsewhere)
    append(project / ".gitignore", "extras\n")
    commit_all(project, "ignore my extras")
    git(project, "status", "--porcelain")
    before = snapshot(project)

    preview = update(project, adds_extras, "--dry-run")
    result = update(project, adds_extras)

    assert preview.returncode == 2, preview.stdout + preview.stderr
    assert "refuse    extras " in preview.stdout and "extras/README.md" in preview.stdout
    assert result.returncode == 2, result.stdout + result.stderr
    kind = "file" if mine == "file" else "symlink"
    assert_clean_failure(result, "extras", f"ignored {kind}", "extras/README.md")
    assert "your changes kept" not in result.stdout
    assert snapshot(project) == before
    assert os.path.islink(extras) == (mine != "file")


def test_an_ignored_directory_where_the_render_adds_a_file_is_refused(
    project: Path, adds_extras_file: Path
) -> None:
    (project / "extras").mkdir()
    (project / "extras" / "notes.md").write_text("mine\n", encoding="utf-8")
    append(project / ".gitignore", "extras/\n")
    commit_all(project, "ignore my extras")
    git(project, "status", "--porcelain")
    before = snapshot(project)

    preview = update(project, adds_extras_file, "--dry-run")
    result = update(project, adds_extras_file)

    assert preview.returncode == 2 and "refuse    extras " in preview.stdout, preview.stdout
    assert result.returncode == 2, result.stdout + result.stderr
    assert_clean_failure(result, "extras", "ignored directory")
    assert snapshot(project) == before


def test_an_ignored_file_the_render_would_overwrite_is_refused(
    project: Path, sets: TemplateSets
) -> None:
    """The student stopped tracking a file the new template changes: their copy is in the way."""
    workflow = "notes/workflow.md"
    git(project, "rm", "-q", "--cached", workflow)
    append(project / ".gitignore", f"{workflow}\n")
    append(project / workflow, "My own rules, never committed.\n")
    commit_all(project, "stop tracking the workflow notes")
    before = snapshot(project)

    result = update(project, sets.v2)

    assert result.returncode == 2, result.stdout + result.stderr
    assert_clean_failure(result, workflow, "ignored file")
    assert snapshot(project) == before


# --- W1: no false refusal when the project's own tracked layout differs from the render -------


def _stop_tracking_samples(project: Path, tmp_path: Path) -> None:
    git(project, "rm", "-r", "-q", "--cached", "data/sample")
    append(project / ".gitignore", "data/sample/\n")
    commit_all(project, "keep the samples out of git")


def _file_becomes_directory(project: Path, tmp_path: Path) -> None:
    git(project, "rm", "-q", "MODEL_CARD.md")
    (project / "MODEL_CARD.md").mkdir()
    (project / "MODEL_CARD.md" / "index.md").write_text("# My model card\n", encoding="utf-8")
    commit_all(project, "the model card is a folder now")


def _data_is_a_symlink(project: Path, tmp_path: Path) -> None:
    shared = tmp_path / "big-disk" / "data"
    shutil.copytree(project / "data", shared)
    git(project, "rm", "-r", "-q", "data")
    (project / "data").symlink_to(shared, target_is_directory=True)
    commit_all(project, "data lives on the big disk")


@pytest.mark.parametrize(
    "change", [_stop_tracking_samples, _file_becomes_directory, _data_is_a_symlink]
)
def test_a_layout_of_the_students_own_is_not_refused(
    project: Path, sets: TemplateSets, tmp_path: Path, change
) -> None:
    change(project, tmp_path)
    head = tracked(project)

    result = update(project, sets.v2)

    assert result.returncode == 0, result.stdout + result.stderr
    assert sets.ci_fix in read(project, CI_WORKFLOW)
    assert git(project, "status", "--porcelain") == ""
    now = tracked(project)
    assert {path for path in head if not path.startswith("notes/")} <= now  # theirs all kept
    for sample in SAMPLES:
        assert (project / sample).is_file()  # on disk, whichever way the student keeps them


# --- D2: every rendered file is committed, whatever the ignore rules --------------------------


@pytest.fixture
def csv_ignored_globally(tmp_path: Path) -> dict[str, str]:
    """A machine whose global gitignore (core.excludesFile) ignores every CSV."""
    excludes = tmp_path / "global-gitignore"
    excludes.write_text("*.csv\n", encoding="utf-8")
    config = tmp_path / "gitconfig-csv"
    config.write_text(
        f"[user]\n\tname = {TEST_AUTHOR[0]}\n\temail = {TEST_AUTHOR[1]}\n"
        f"[init]\n\tdefaultBranch = main\n[core]\n\texcludesFile = {excludes}\n",
        encoding="utf-8",
    )
    return {"GIT_CONFIG_GLOBAL": str(config)}


def test_new_commits_every_rendered_file_whatever_the_global_gitignore(
    sets: TemplateSets, tmp_path: Path, csv_ignored_globally: dict[str, str]
) -> None:
    dest = tmp_path / PROJECT_NAME
    made = run_scaffold(
        "new", dest, "-t", "nlp", "--defaults", "--templates-dir", sets.v1,
        env=csv_ignored_globally,
    )  # fmt: skip

    assert made.returncode == 0, made.stdout + made.stderr
    assert set(SAMPLES) <= tracked(dest)
    assert git(dest, "status", "--porcelain", env={**os.environ, **csv_ignored_globally}) == ""
    on_disk = {
        path.relative_to(dest).as_posix()
        for path in dest.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(dest).parts
    }
    assert on_disk == tracked(dest)


def test_cohort_new_commits_every_rendered_file_whatever_the_global_gitignore(
    sets: TemplateSets, tmp_path: Path, csv_ignored_globally: dict[str, str]
) -> None:
    roster = write_roster(tmp_path / "roster.csv", [{"name": "Ada L", "email": "ada@x.org"}])
    out = tmp_path / "course"
    made = run_scaffold(
        "cohort", "new", roster, "-t", "nlp", "--out", out, "--templates-dir", sets.v1,
        env=csv_ignored_globally,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    assert set(SAMPLES) <= tracked(out / "ada-l")


def test_update_on_a_machine_that_ignores_template_files_keeps_them(
    project: Path, sets: TemplateSets, csv_ignored_globally: dict[str, str]
) -> None:
    edit_like_a_student(project)
    samples = {sample: read(project, sample) for sample in SAMPLES}

    result = update(project, sets.v2, env=csv_ignored_globally)

    assert result.returncode == 0, result.stdout + result.stderr
    assert set(SAMPLES) <= tracked(project)
    assert {sample: read(project, sample) for sample in SAMPLES} == samples
    new_render = parents(project)[1]
    assert set(SAMPLES) <= tracked(project, new_render)


def test_cohort_update_on_a_machine_that_ignores_template_files_keeps_them(
    sets: TemplateSets, tmp_path: Path, csv_ignored_globally: dict[str, str]
) -> None:
    roster = write_roster(tmp_path / "roster.csv", [{"name": "Ada L", "email": "ada@x.org"}])
    out = tmp_path / "course"
    made = cohort("new", roster, "-t", "nlp", "--out", out, "--templates-dir", sets.v1)
    assert made.returncode == 0, made.stdout + made.stderr
    result = run_scaffold(
        "cohort", "update", out, "--templates-dir", sets.v2, env=csv_ignored_globally
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(SAMPLES) <= tracked(out / "ada-l", "scaffold/update-2.0.0")


def _as_made_before_the_fix(project: Path) -> None:
    """Make the first commit what a machine ignoring *.csv committed before the fix: the render
    without its samples (a pristine render commit all the same), the samples on disk, ignored."""
    original = first_commit(project)
    git(project, "rm", "-q", "--cached", *SAMPLES)
    tree = git(project, "write-tree").strip()
    message = git(project, "log", "-1", "--format=%B", original)
    recorded = next(line for line in message.splitlines() if line.startswith("Scaffold-Tree:"))
    message = message.replace(recorded, f"Scaffold-Tree: {tree}")
    commit = git(project, "commit-tree", tree, "-m", message).strip()
    git(project, "reset", "-q", "--soft", commit)
    (project / ".git" / "info" / "exclude").write_text("*.csv\n", encoding="utf-8")
    assert git(project, "status", "--porcelain") == ""
    assert not set(SAMPLES) & tracked(project)


def test_a_project_whose_first_commit_lacks_ignored_files_updates_and_keeps_them(
    project: Path, sets: TemplateSets
) -> None:
    _as_made_before_the_fix(project)
    edit_like_a_student(project)
    samples = {sample: read(project, sample) for sample in SAMPLES}

    preview = update(project, sets.v2, "--dry-run")
    result = update(project, sets.v2)

    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "refuse" not in preview.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    assert {sample: read(project, sample) for sample in SAMPLES} == samples
    assert set(SAMPLES) <= tracked(project)  # the render brought them into the history
    assert git(project, "status", "--porcelain") == ""


def test_a_project_whose_first_commit_lacks_a_file_the_student_changed_is_refused(
    project: Path, sets: TemplateSets
) -> None:
    _as_made_before_the_fix(project)
    append(project / SAMPLES[0], "my,own,row\n")
    before = snapshot(project)

    result = update(project, sets.v2)

    assert result.returncode == 2, result.stdout + result.stderr
    assert_clean_failure(result, SAMPLES[0], "ignored file")
    assert snapshot(project) == before
    assert "my,own,row" in read(project, SAMPLES[0])


# --- D3: --base takes only a pristine render -------------------------------------------------


@pytest.mark.parametrize("base", ["HEAD", "HEAD~1"])
def test_base_that_is_not_a_render_is_refused(project: Path, sets: TemplateSets, base: str) -> None:
    edit_like_a_student(project)
    append(project / "README.md", "\nMore notes.\n")
    commit_all(project, "more notes")
    before = snapshot(project)

    result = update(project, sets.v2, "--base", base)

    assert result.returncode == 2, result.stdout + result.stderr
    assert_clean_failure(result, f"--base {base}", "not a render", "Scaffold-Render")
    assert snapshot(project) == before


def test_base_that_is_an_update_merge_is_refused(project: Path, sets: TemplateSets) -> None:
    edit_like_a_student(project)
    assert update(project, sets.v2).returncode == 0
    before = snapshot(project)
    result = update(project, sets.v3, "--base", "HEAD")
    assert result.returncode == 2, result.stdout + result.stderr
    assert_clean_failure(result, "not a render")
    assert snapshot(project) == before


def _as_legacy_render(project: Path, readme_line: str | None = None) -> str:
    """The first commit as ml-scaffold 0.1.0 wrote it (no Scaffold-Tree), its dates kept, and
    with `readme_line` in its README: an amend within the same second, which the metadata cannot
    show. The new first commit."""
    message = git(project, "log", "-1", "--format=%B", "HEAD")
    message = "\n".join(line for line in message.splitlines() if "Scaffold-Tree" not in line)
    if readme_line:
        append(project / "README.md", readme_line)
    dates = git(project, "log", "-1", "--format=%aI%n%cI").split()
    environment = {**os.environ, "GIT_AUTHOR_DATE": dates[0], "GIT_COMMITTER_DATE": dates[1]}
    git(project, "commit", "-q", "-a", "--amend", "-m", message, env=environment)
    return first_commit(project)


def test_legacy_base_whose_files_differ_from_its_render_is_refused(
    project: Path, sets: TemplateSets
) -> None:
    legacy = _as_legacy_render(project, "\nMy line, amended into the render.\n")
    before = snapshot(project)

    result = update(project, sets.v1, "--base", legacy[:12])

    assert result.returncode == 2, result.stdout + result.stderr
    assert_clean_failure(result, legacy[:12], "README.md", "--adopt")
    assert snapshot(project) == before


def test_legacy_base_that_renders_the_same_is_taken(project: Path, sets: TemplateSets) -> None:
    legacy = _as_legacy_render(project)
    edit_like_a_student(project)
    result = update(project, sets.v1, "--base", legacy[:12], "--data", "docker=false")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (project / "Dockerfile").exists()
    assert "TF-IDF is a strong baseline." in read(project, "README.md")


def test_legacy_base_of_another_version_is_refused_with_the_way_out(
    project: Path, sets: TemplateSets
) -> None:
    legacy = _as_legacy_render(project)
    before = snapshot(project)
    result = update(project, sets.v2, "--base", legacy[:12])
    assert result.returncode == 2, result.stdout + result.stderr
    assert_clean_failure(result, SET_VERSION, "2.0.0", "--adopt")
    assert snapshot(project) == before


# --- W4: awkward folder names ------------------------------------------------------------------


def test_a_project_folder_ending_in_a_space_is_checked_and_updated(
    project: Path, sets: TemplateSets
) -> None:
    spaced = project.rename(project.with_name(f"{PROJECT_NAME} "))
    checked = run_scaffold("check", spaced, "--templates-dir", sets.v1)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    result = update(spaced, sets.v2)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sets.ci_fix in read(spaced, CI_WORKFLOW)


def test_a_project_folder_starting_with_a_dash_gets_the_way_out(
    project: Path, sets: TemplateSets
) -> None:
    dashed = project.rename(project.with_name("-dash"))
    before = snapshot(dashed)
    misread = run_scaffold("update", "-dash", "--templates-dir", sets.v2, cwd=dashed.parent)
    assert misread.returncode == 2, misread.stdout + misread.stderr
    assert_clean_failure(misread, "./-dash", "--")
    assert snapshot(dashed) == before
    result = run_scaffold("update", "./-dash", "--templates-dir", sets.v2, cwd=dashed.parent)
    assert result.returncode == 0, result.stdout + result.stderr


# --- W5: check on a shallow clone, and on a rewritten history -------------------------------


def test_check_on_a_shallow_clone_says_to_unshallow(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    edit_like_a_student(project)
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{project}", str(shallow))
    result = run_scaffold("check", shallow, "--templates-dir", sets.v2)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "git fetch --unshallow" in result.stdout
    assert "--adopt" not in result.stdout


def test_check_on_a_rewritten_history_with_a_newer_version_cannot_tell(
    project: Path, sets: TemplateSets
) -> None:
    append(project / "README.md", "\nmine\n")
    git(project, "commit", "-qa", "--amend", "--no-edit")
    result = run_scaffold("check", project, "--templates-dir", sets.v2)
    assert result.returncode == 2, result.stdout + result.stderr
    assert_clean_failure(result, "history rewrite", "--base")


# --- H1: a signal while git merges ----------------------------------------------------------


def _slow_merge(project: Path, marker: Path, path: str = "notes/upgrading.md") -> None:
    """Make git's merge take seconds while it writes `path`, a file the v2 render adds: a
    smudge filter of the student's (as Git LFS is), which tells when it has started."""
    append(project / ".gitattributes", f"{path} filter=slow\n")
    commit_all(project, "a filter")
    git(project, "config", "filter.slow.smudge", f"touch '{marker}'; sleep 3; cat")


def _update_interrupted(
    project: Path, template_set: Path, marker: Path, signum: int, to_group: bool, **streams
) -> subprocess.Popen:
    """`scaffold update` as a terminal runs it (its own process group), signalled once git's
    merge has started writing files: to scaffold's PID (`kill`) or to its group (Ctrl-C)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "update", "--templates-dir", str(template_set)],
        cwd=project,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=as_a_shell_starts_it,
        text=True,
        **streams,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, "scaffold ended before git merged"
        assert time.monotonic() < deadline, "git did not start merging"
        time.sleep(0.05)
    if to_group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    return process


@pytest.mark.parametrize(
    ("signum", "to_group"),
    [(signal.SIGTERM, False), (signal.SIGINT, True), (signal.SIGHUP, True)],
    ids=["kill-pid", "ctrl-c", "hangup"],
)
def test_a_signal_during_the_merge_lets_it_finish_and_says_so(
    project: Path, sets: TemplateSets, tmp_path: Path, signum: int, to_group: bool
) -> None:
    marker = tmp_path / "merging"
    _slow_merge(project, marker)
    head = git(project, "rev-parse", "HEAD").strip()

    process = _update_interrupted(
        project, sets.v2, marker, signum, to_group,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = process.communicate(timeout=120)

    output = out + err
    assert process.returncode == 128 + signum, output
    assert "Traceback" not in output and "nothing was changed" not in output, output
    assert "Interrupted" in err and "merged and committed" in err, output
    assert f"git reset --hard {head[:12]}" in err, output
    assert not (project / ".git" / "index.lock").exists()
    assert git(project, "status", "--porcelain") == ""
    assert parents(project)[0] == head and len(parents(project)) == 2
    assert sets.ci_fix in read(project, CI_WORKFLOW)
    git(project, "reset", "-q", "--hard", head)  # the undo it names works
    assert git(project, "status", "--porcelain") == ""
    assert not (project / "notes" / "upgrading.md").exists()


def test_a_signal_during_a_conflicting_merge_leaves_gits_conflict_state(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    edit_what_v2_changes(project)
    marker = tmp_path / "merging"
    _slow_merge(project, marker)
    head = git(project, "rev-parse", "HEAD").strip()

    process = _update_interrupted(
        project, sets.v2, marker, signal.SIGINT, True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = process.communicate(timeout=120)

    assert process.returncode == 130, out + err
    assert "conflicts" in err and "git merge --abort" in err, out + err
    assert "notes/workflow.md" in out  # the conflicts, listed as usual
    assert (project / ".git" / "MERGE_HEAD").is_file()
    git(project, "merge", "--abort")
    assert git(project, "rev-parse", "HEAD").strip() == head
    assert git(project, "status", "--porcelain") == ""


def test_ctrl_c_with_a_closed_output_pipe_exits_130_without_a_traceback(
    project: Path, sets: TemplateSets, tmp_path: Path
) -> None:
    """`scaffold update | tee log`: Ctrl-C stops tee too, and scaffold's stdout is a dead pipe."""
    marker = tmp_path / "merging"
    _slow_merge(project, marker)
    head = git(project, "rev-parse", "HEAD").strip()
    errors = tmp_path / "stderr.txt"

    with errors.open("w") as stderr:
        process = _update_interrupted(
            project, sets.v2, marker, signal.SIGINT, True, stdout=subprocess.PIPE, stderr=stderr
        )
        process.stdout.close()  # the reader is gone
        process.wait(timeout=120)

    said = errors.read_text()
    assert process.returncode == 130, said
    assert "Traceback" not in said and "Exception ignored" not in said, said
    assert "Broken pipe" not in said and "BrokenPipe" not in said, said
    assert f"git reset --hard {head[:12]}" in said
    assert git(project, "status", "--porcelain") == ""


@pytest.mark.parametrize("dry_run", [False, True], ids=["update", "dry-run"])
def test_a_closed_output_pipe_is_not_an_error(
    project: Path, sets: TemplateSets, dry_run: bool
) -> None:
    """`scaffold update | head -1`: the update is done (or previewed); the closed pipe is no
    failure, and the exit status is the update's."""
    process = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "update", "--templates-dir", str(sets.v2)]
        + (["--dry-run"] if dry_run else []),
        cwd=project,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdout.close()
    err = process.stderr.read()
    process.wait(timeout=120)
    assert process.returncode == 0, err
    assert err == ""
    assert len(parents(project)) == (0 if dry_run else 2)  # dry run: still the first commit


def test_a_signal_while_adopt_records_the_base_lets_it_finish_and_says_so(
    sets: TemplateSets, tmp_path: Path
) -> None:
    """`update --adopt` moves HEAD to the adoption with git (a fast-forward): a `kill` then
    waits for git, and the message says the base is recorded, with its undo."""
    project = new_project(tmp_path / PROJECT_NAME, sets.v1, "--no-git")
    git(project, "init", "-q")
    commit_all(project, "My project")
    head = git(project, "rev-parse", "HEAD").strip()
    marker, hooks = tmp_path / "recording", tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "post-merge").write_text(f"#!/bin/sh\ntouch '{marker}'\nsleep 3\n")
    (hooks / "post-merge").chmod(0o755)
    git(project, "config", "core.hooksPath", str(hooks))  # git is still at work in the hook

    process = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "update", "--adopt", "--templates-dir", str(sets.v1)],
        cwd=project, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True, preexec_fn=as_a_shell_starts_it,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "git did not record the base"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)

    assert process.returncode == 128 + signal.SIGTERM, out + err
    assert "Traceback" not in out + err and "nothing was changed" not in err, out + err
    assert err.count("Error:") == 1 and "recorded" in err, err
    assert f"git reset --hard {head[:12]}" in err, err
    assert parents(project)[0] == head and len(parents(project)) == 2
    assert not list((project / ".git").glob("*.lock"))
    assert git(project, "status", "--porcelain") == ""


# --- Detached HEAD ---------------------------------------------------------------------------


def test_update_on_a_detached_head_warns_and_says_how_to_keep_it(
    project: Path, sets: TemplateSets
) -> None:
    git(project, "checkout", "-q", "--detach")
    preview = update(project, sets.v2, "--dry-run")
    result = update(project, sets.v2)
    for said in (preview, result):
        assert "detached" in said.stdout + said.stderr, said.stdout + said.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    assert "git switch -c" in result.stdout + result.stderr
    assert git(project, "rev-parse", "main").strip() == parents(project)[0]  # main untouched


# --- W6: what the report names ---------------------------------------------------------------


def test_a_file_directory_conflict_is_reported_under_its_real_path(
    project: Path, adds_extras: Path
) -> None:
    (project / "extras").write_text("my extras, committed\n", encoding="utf-8")
    commit_all(project, "my extras")

    preview = update(project, adds_extras, "--dry-run")
    result = update(project, adds_extras)

    assert preview.returncode == 1, preview.stdout + preview.stderr
    assert "conflict  extras " in preview.stdout and "~" not in preview.stdout
    assert result.returncode == 1, result.stdout + result.stderr
    assert "  extras: " in result.stdout
    assert "extras~HEAD" in result.stdout  # where git put the file, in how to settle it
    assert "my extras, committed" in read(project, "extras~HEAD")


def test_a_squash_merged_update_is_reported_from_the_version_the_project_has(
    project: Path, sets: TemplateSets
) -> None:
    git(project, "switch", "-q", "-c", "try-v2")
    assert update(project, sets.v2).returncode == 0
    git(project, "switch", "-q", "main")
    git(project, "merge", "-q", "--squash", "try-v2")
    git(project, "commit", "-qm", "Take v2 (squashed)")

    result = update(project, sets.v3)

    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "nlp template 2.0.0 → 3.0.0" in result.stdout
    assert f"{SET_VERSION} → 3.0.0" not in result.stdout
    assert "The CI workflow pins its actions." not in result.stdout  # 2.0.0's notes: had them


def test_cohort_update_reports_a_squash_merged_student_from_their_version(
    sets: TemplateSets, tmp_path: Path
) -> None:
    roster = write_roster(tmp_path / "roster.csv", [{"name": "Ada L", "email": "ada@x.org"}])
    out = tmp_path / "course"
    made = cohort("new", roster, "-t", "nlp", "--out", out, "--templates-dir", sets.v1)
    assert made.returncode == 0, made.stdout + made.stderr
    assert cohort("update", out, "--templates-dir", sets.v2).returncode == 0
    ada = out / "ada-l"
    git(ada, "merge", "-q", "--squash", "scaffold/update-2.0.0")
    git(ada, "commit", "-qm", "Take v2 (squashed)")

    result = cohort("update", out, "--templates-dir", sets.v3)

    assert result.returncode in (0, 1), result.stdout + result.stderr
    [row] = read_csv(out / "cohort-update.csv")
    assert (row["from"], row["to"]) == ("2.0.0", "3.0.0"), row
