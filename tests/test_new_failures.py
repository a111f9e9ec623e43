"""`scaffold new` where it can go wrong on a user's machine: file system limits and permissions,
a missing or failing git, signals, `--force` failing halfway, and the words of each message.

Every case: one message, no traceback, a non-zero exit, nothing left behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import as_a_shell_starts_it, assert_clean_failure, git, run_scaffold

from scaffold.placing import STAGING_PREFIX


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """`path` refuses new entries, even to root (who ignores permission bits): chattr +i."""
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        assert made.returncode == 0, f"cannot make {path} read-only for root: {made.stderr}"
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(mode)


# --- The file system --------------------------------------------------------------------------


def test_a_240_character_name_works_and_a_300_character_one_is_refused(tmp_path: Path) -> None:
    long_name = "p" * 240
    made = run_scaffold("new", tmp_path / long_name, "-t", "nlp", "--defaults")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / long_name / "pyproject.toml").is_file()

    too_long = run_scaffold("new", tmp_path / ("q" * 300), "-t", "nlp", "--defaults")
    assert_clean_failure(too_long, "Cannot create", "File name too long")
    assert sorted(p.name for p in tmp_path.iterdir()) == [long_name]


def test_read_only_parent_is_refused_cleanly(tmp_path: Path) -> None:
    parent = tmp_path / "locked"
    parent.mkdir()
    with read_only(parent):
        result = run_scaffold("new", parent / "proj", "-t", "nlp", "--defaults")
    assert_clean_failure(result, "Cannot create", str(parent))
    assert list(parent.iterdir()) == []


def test_read_only_dest_is_refused_cleanly(tmp_path: Path) -> None:
    dest = tmp_path / "proj"
    dest.mkdir()
    with read_only(dest):
        result = run_scaffold("new", dest, "-t", "nlp", "--defaults")
    assert_clean_failure(result, "Cannot create", "proj")
    assert list(dest.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]


def test_an_existing_dest_needs_no_write_access_to_its_parent(tmp_path: Path) -> None:
    parent = tmp_path / "shared"
    (parent / "proj").mkdir(parents=True)
    with read_only(parent):
        result = run_scaffold("new", parent / "proj", "-t", "nlp", "--defaults")
    assert result.returncode == 0, result.stderr
    assert (parent / "proj" / "pyproject.toml").is_file()
    assert not any(p.name.startswith(STAGING_PREFIX) for p in (parent / "proj").iterdir())


# --- --force is all or nothing ----------------------------------------------------------------


def test_force_that_fails_halfway_puts_every_file_back(tmp_path: Path) -> None:
    dest = tmp_path / "proj"
    (dest / "src" / "proj").mkdir(parents=True)
    (dest / "README.md").write_text("my readme\n", encoding="utf-8")
    (dest / "notes.txt").write_text("mine\n", encoding="utf-8")
    (dest / "src" / "proj" / "mine.py").write_text("x = 1\n", encoding="utf-8")
    tests = dest / "tests"
    tests.mkdir()
    before = {p.relative_to(dest): p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    # As root, README.md cannot be moved aside: the moves fail there, after a dozen others, and
    # must all be undone. As another user, tests/ is read-only: found before any move.
    blocked = dest / "README.md" if os.geteuid() == 0 else tests
    with read_only(blocked):
        result = run_scaffold("new", dest, "-t", "nlp", "--defaults", "--force")
    assert_clean_failure(result, blocked.name)
    after = {p.relative_to(dest): p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in dest.iterdir()) == ["README.md", "notes.txt", "src", "tests"]


def test_force_refuses_a_directory_where_the_template_has_a_file(tmp_path: Path) -> None:
    dest = tmp_path / "proj"
    (dest / "Makefile").mkdir(parents=True)
    (dest / "Makefile" / "keep.txt").write_text("mine\n", encoding="utf-8")
    result = run_scaffold("new", dest, "-t", "nlp", "--defaults", "--force")
    assert_clean_failure(result, "Makefile", "directory of yours")
    assert sorted(p.name for p in dest.iterdir()) == ["Makefile"]


# --- git --------------------------------------------------------------------------------------


def test_git_missing_from_path_is_said_before_anything_is_made(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    result = run_scaffold(
        "new", tmp_path / "proj", "-t", "nlp", "--defaults", env={"PATH": str(bin_dir)}
    )
    assert_clean_failure(result, "git is not installed", "--no-git")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


def test_a_broken_commit_signature_setup_does_not_stop_new(tmp_path: Path) -> None:
    config = tmp_path / "gitconfig"
    config.write_text(
        Path(os.environ["GIT_CONFIG_GLOBAL"]).read_text(encoding="utf-8")
        + "[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = false\n",
        encoding="utf-8",
    )
    result = run_scaffold(
        "new", tmp_path / "proj", "-t", "nlp", "--defaults", env={"GIT_CONFIG_GLOBAL": str(config)}
    )
    assert result.returncode == 0, result.stderr
    assert git(tmp_path / "proj", "log", "--format=%G?").strip() == "N"  # renders are unsigned


def _git_that_interrupts(tmp_path: Path, subcommand: str) -> dict[str, str]:
    """A `git` on PATH that dies of SIGINT on `subcommand`, as Ctrl-C reaching git would do."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    real = shutil.which("git")
    script = f'for arg; do [ "$arg" = {subcommand} ] && kill -INT $$; done\nexec {real} "$@"\n'
    (bin_dir / "git").write_text(f"#!/bin/sh\n{script}")
    (bin_dir / "git").chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def test_ctrl_c_that_reaches_only_git_add_leaves_nothing(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    result = run_scaffold(
        "new", work / "proj", "-t", "nlp", "--defaults", env=_git_that_interrupts(tmp_path, "add")
    )
    assert result.returncode == 130, result.stderr
    assert_clean_failure(result, "Interrupted: nothing was written.")
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_ctrl_c_sigterm_or_sighup_during_the_render_leaves_nothing(
    tmp_path: Path, signal_number: int
) -> None:
    template = tmp_path / "tpl"
    (template / "template").mkdir(parents=True)
    (template / "copier.yml").write_text(
        '_subdirectory: template\n_tasks:\n  - "touch task-started && exec sleep 60"\n'
    )
    (template / "template" / "a.txt").write_text("a\n")
    work = tmp_path / "work"
    work.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "new", str(work / "p"), "-t", str(template)]
        + ["--defaults", "--trust"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the signal reaches the whole process group, as in a terminal
        # pytest-xdist workers ignore SIGINT and children inherit that; a terminal's don't.
        preexec_fn=as_a_shell_starts_it,
    )
    deadline = time.monotonic() + 60
    while not any(work.glob(f"{STAGING_PREFIX}*/p/task-started")):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)
    time.sleep(0.2)  # past the shell's exec: the signal must reach `sleep` itself
    os.killpg(process.pid, signal_number)  # as Ctrl-C, a closing terminal or `kill` would
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal_number, stderr
    assert "Traceback" not in stderr and "nothing was written" in stderr
    assert list(work.iterdir()) == []


def test_without_a_git_identity_the_first_commit_says_whose_it_is(tmp_path: Path) -> None:
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("", encoding="utf-8")
    result = run_scaffold(
        "new", tmp_path / "proj", "-t", "nlp", "--defaults", "--data", "author_name=Ada Lovelace",
        "--data", "author_email=ada@example.org", env={"GIT_CONFIG_GLOBAL": str(empty)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "git has no user.name/user.email" in result.stderr
    assert "Ada Lovelace <ada@example.org>" in result.stderr
    assert "git config --global user.email" in result.stderr
    author = git(tmp_path / "proj", "log", "--format=%an <%ae>").strip()
    assert author == "Ada Lovelace <ada@example.org>"


# --- What the messages say ----------------------------------------------------------------------


def test_without_a_terminal_every_missing_flag_is_named_at_once(tmp_path: Path) -> None:
    result = run_scaffold("new", cwd=tmp_path)
    assert_clean_failure(result, "DEST", "--template", "--defaults")
    assert result.stderr.count("Error:") == 1
    assert list(tmp_path.iterdir()) == []


def test_next_steps_quote_a_path_with_spaces(tmp_path: Path) -> None:
    result = run_scaffold("new", "my project", "-t", "nlp", "--defaults", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "cd 'my project'" in result.stderr


@pytest.mark.parametrize("name", ["email", "json", "logging", "numpy", "fastapi", "sklearn"])
def test_a_package_name_that_shadows_a_module_is_refused(tmp_path: Path, name: str) -> None:
    result = run_scaffold("new", tmp_path / "p", "-t", "nlp", "--data", f"package_name={name}")
    assert_clean_failure(result, "package_name", "pick another")
    assert list(tmp_path.iterdir()) == []


def test_a_path_that_does_not_exist_is_not_called_an_unknown_template(tmp_path: Path) -> None:
    for given in (str(tmp_path / "nope"), "./nope", f"file://{tmp_path / 'nope'}"):
        result = run_scaffold("new", tmp_path / "p", "-t", given, "--defaults", cwd=tmp_path)
        assert_clean_failure(result, "No template at", "no such directory")
        assert "Unknown template" not in result.stderr


@pytest.mark.parametrize("scheme", ["file://", "git+file://"])
def test_file_urls_name_a_local_git_template(tmp_path: Path, scheme: str) -> None:
    template = tmp_path / "tpl"
    (template / "template").mkdir(parents=True)
    (template / "copier.yml").write_text("_subdirectory: template\n", encoding="utf-8")
    (template / "template" / "hello.txt").write_text("v1\n", encoding="utf-8")
    git(tmp_path, "init", "-q", str(template))
    git(template, "add", "--all")
    git(template, "commit", "-qm", "v1")
    git(template, "tag", "v1")
    (template / "template" / "hello.txt").write_text("v2\n", encoding="utf-8")
    git(template, "commit", "-qam", "v2")
    result = run_scaffold(
        "new", tmp_path / "p", "-t", f"{scheme}{template}", "--vcs-ref", "v1", "--defaults"
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "p" / "hello.txt").read_text() == "v1\n"


def test_vcs_ref_on_a_plain_directory_is_refused(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    (template / "template").mkdir(parents=True)
    (template / "copier.yml").write_text("_subdirectory: template\n", encoding="utf-8")
    result = run_scaffold("new", tmp_path / "p", "-t", template, "--vcs-ref", "v2", "--defaults")
    assert_clean_failure(result, "--vcs-ref v2", "not a git repository")
    assert not (tmp_path / "p").exists()


def test_a_failed_fetch_says_what_git_said(tmp_path: Path) -> None:
    missing = tmp_path / "missing.git"
    result = run_scaffold("new", tmp_path / "p", "-t", f"{missing}", "--defaults")
    assert_clean_failure(result, "Could not fetch the template with git", "fatal:")
    assert "only package registries" not in result.stderr
