"""Ctrl-C, SIGTERM and SIGHUP at the moments a timer rarely hits: while Python imports the command
line, just after the project is moved into place, while the staging folder is removed, and while
the interpreter shuts down after the work is done.

Each moment is reached exactly: `python -c DRIVER` sends the signal to its own process from a
hook at that moment, then runs scaffold's real entry point. Every case: one message (or none once
the work is done and said), no traceback, the exit status documented for it, nothing left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from cohort_fixtures import class_of, cohort
from conftest import TEST_AUTHOR, as_a_shell_starts_it, git
from update_fixtures import TemplateSets

from scaffold.placing import STAGING_PREFIX

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]

# Sends SIGNAL to this process at MOMENT, then runs `scaffold ARGS` as the console script does.
DRIVER = textwrap.dedent(
    """
    import atexit, os, pathlib, shutil, sys

    moment, number, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

    def stop(kill=os.kill, pid=os.getpid(), number=number):
        kill(pid, number)

    class Finalized:  # Python ignores an exception in a finalizer, after printing it
        def __del__(self):
            stop()
            sum(range(10000))  # the signal's handler runs in here

    class Tripwire:  # the first import of typer (the command line is being loaded) or copier
        def find_spec(self, name, path=None, target=None):
            if name == "typer" and moment == "import":
                stop()
            if name == "copier" and moment == "finalizer":
                Finalized()  # made and dropped: its finalizer runs at once
            converting = {"converted": "copier", "converted-parse": "typer._adapters"}
            if name == converting.get(moment):  # a library makes it an error of its own
                try:
                    stop()
                except KeyboardInterrupt:
                    raise RuntimeError("a library's own error") from None
            if name == "copier._main" and moment == "copier-import":  # Copier is being imported
                stop()
            return None

    sys.meta_path.insert(0, Tripwire())
    rename, rmtree = pathlib.Path.rename, shutil.rmtree

    def renamed(self, target):  # the project is moved into place
        result = rename(self, target)
        if moment == "placed" and self.parent.name.startswith(".scaffold-staging-"):
            stop()
        return result

    # The staging folder, or a temporary folder in TMPDIR, is removed.
    removing = {
        "cleanup": ".scaffold-staging-",
        "view-cleanup": "scaffold-view-",
        "update-cleanup": "scaffold-update-",  # update's render, once merged
        "stage-cleanup": "scaffold-stage-",  # update's object store, once merged
    }.get(moment)

    def removed(path, *args, **kwargs):
        if removing and pathlib.Path(path).name.startswith(removing):
            stop()
        return rmtree(path, *args, **kwargs)

    mkdir = pathlib.Path.mkdir

    def made(self, *args, **kwargs):  # cohort new's --out folder is made
        result = mkdir(self, *args, **kwargs)
        if moment == "out-made" and self.name == "course":
            stop()
        return result

    pathlib.Path.rename, shutil.rmtree, pathlib.Path.mkdir = renamed, removed, made
    if moment == "clone-cleanup":  # Copier removes its clone of a git template
        import copier._template

        def clone_removed(path, *args, rmtree=copier._template.rmtree, **kwargs):
            stop()
            return rmtree(path, *args, **kwargs)

        copier._template.rmtree = clone_removed
    if moment.startswith("update-git-"):  # git, stopped too, fails as update goes on
        import scaffold.render_stage

        failing = {"update-git-broken-pipe": BrokenPipeError(32, "Broken pipe")}.get(moment)

        def preview_merge(self, *args, preview=scaffold.render_stage.RenderStage.preview_merge):
            try:
                stop()
            except KeyboardInterrupt:
                import git

                raise failing or git.GitCommandError(["git", "merge-tree"], -number) from None
            return preview(self, *args)

        scaffold.render_stage.RenderStage.preview_merge = preview_merge
    if moment == "exit":  # the interpreter shuts down once the work is done
        atexit.register(stop)
    if moment == "copier-import":
        atexit.register(lambda: print("copier imported:", "copier._main" in sys.modules))

    class Teardown:  # the interpreter clears the modules, after its signal handlers are gone
        def __del__(self, stop=stop, moment=moment):  # module globals may be gone by then
            if moment == "teardown":
                stop()

    import builtins  # cleared last, after the other modules: its objects are finalized then

    builtins.stop_at_teardown = Teardown()
    sys.argv = ["scaffold", *args]
    from scaffold._cli import main

    main()
    """
)


def drive(moment: str, signal_number: int, *args: str | Path, cwd: Path, tmp: Path | None = None):
    return subprocess.run(
        [sys.executable, "-c", DRIVER, moment, str(int(signal_number)), *map(str, args)],
        cwd=cwd,
        env={**os.environ, **({"TMPDIR": str(tmp)} if tmp else {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        # pytest-xdist workers ignore SIGINT and children inherit that; a terminal's don't.
        preexec_fn=as_a_shell_starts_it,
    )


def leftovers(work: Path) -> list[str]:
    return sorted(path.name for path in work.iterdir() if path.name.startswith(STAGING_PREFIX))


def assert_one_message(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert result.stderr.count("Error:") == 1 and message in result.stderr, result.stderr


@pytest.mark.parametrize("signal_number", SIGNALS)
def test_a_stop_while_the_command_line_loads_gets_its_message(
    tmp_path: Path, signal_number: int
) -> None:
    result = drive("import", signal_number, "new", "p", "-t", "nlp", "--defaults", cwd=tmp_path)
    assert result.returncode == 128 + signal_number, result.stderr
    assert_one_message(result, "Interrupted: nothing was changed.")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("signal_number", SIGNALS)
def test_a_stop_that_lands_in_a_finalizer_is_not_lost(tmp_path: Path, signal_number: int) -> None:
    """Python prints and drops an exception raised while an object is finalized: the stop
    request must still stop the command, without that traceback."""
    result = drive("finalizer", signal_number, "new", "p", "-t", "nlp", "--defaults", cwd=tmp_path)
    assert result.returncode == 128 + signal_number, result.stderr
    assert_one_message(result, "Interrupted: nothing was written.")
    assert list(tmp_path.iterdir()) == []


def test_a_stop_while_copier_is_imported_waits_for_the_import(tmp_path: Path) -> None:
    """pydantic, while Copier's import builds its validators, turns a KeyboardInterrupt into an
    error of its own: a stop request is heeded once the import is done."""
    result = drive("copier-import", signal.SIGTERM, "new", "p", "-t", "nlp", "--defaults",
                   cwd=tmp_path)  # fmt: skip
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert_one_message(result, "Interrupted: nothing was written.")
    assert result.stdout.strip() == "copier imported: True"


@pytest.mark.parametrize(
    ("moment", "message"),
    [("converted", "nothing was written"), ("converted-parse", "nothing was changed")],
)
def test_a_stop_that_a_library_turns_into_its_own_error_is_still_a_stop(
    tmp_path: Path, moment: str, message: str
) -> None:
    """While Copier is imported (the render), or while typer reads the command line."""
    result = drive(moment, signal.SIGHUP, "new", "p", "-t", "nlp", "--defaults", cwd=tmp_path)
    assert result.returncode == 128 + signal.SIGHUP, result.stderr
    assert_one_message(result, f"Interrupted: {message}.")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("signal_number", SIGNALS)
def test_a_stop_as_the_project_is_placed_says_it_was_created(
    tmp_path: Path, signal_number: int
) -> None:
    """The project is complete once it is in place: say so, as a re-run would find it."""
    result = drive("placed", signal_number, "new", "p", "-t", "nlp", "--defaults", cwd=tmp_path)
    assert result.returncode == 128 + signal_number, result.stderr
    assert_one_message(result, f"{tmp_path / 'p'} was created")
    assert "nothing was" not in result.stderr
    assert leftovers(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["p"]
    assert git(tmp_path / "p", "status", "--porcelain") == ""
    assert git(tmp_path / "p", "log", "--format=%an").strip() == TEST_AUTHOR[0]


@pytest.mark.parametrize("signal_number", SIGNALS)
def test_a_stop_while_the_staging_folder_is_removed_leaves_none(
    tmp_path: Path, signal_number: int
) -> None:
    result = drive("cleanup", signal_number, "new", "p", "-t", "nlp", "--defaults", cwd=tmp_path)
    assert result.returncode == 128 + signal_number, result.stderr
    assert_one_message(result, f"{tmp_path / 'p'} was created")
    assert leftovers(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["p"]


@pytest.mark.parametrize("signal_number", SIGNALS)
def test_a_stop_while_the_merged_view_is_removed_leaves_none(
    tmp_path: Path, signal_number: int
) -> None:
    """The layers' merged view is a temporary folder: it goes whole, then the stop is heeded."""
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    tmp.mkdir()
    result = drive(
        "view-cleanup", signal_number, "new", "p", "-t", "nlp", "--defaults", cwd=work, tmp=tmp
    )
    assert result.returncode == 128 + signal_number, result.stderr
    assert_one_message(result, "Interrupted: nothing was written.")
    assert list(tmp.iterdir()) == [] and list(work.iterdir()) == []


@pytest.mark.parametrize("moment", ["update-cleanup", "stage-cleanup"])
@pytest.mark.parametrize("signal_number", SIGNALS)
def test_a_stop_while_updates_temporary_folders_are_removed_leaves_none(
    project: Path, sets: TemplateSets, tmp_path: Path, signal_number: int, moment: str
) -> None:
    """Once merged, update removes its render and its object store from TMPDIR: whole, then
    the stop is heeded, saying what the update did."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    result = drive(moment, signal_number, "update", "--templates-dir", sets.v2, cwd=project,
                   tmp=tmp)  # fmt: skip
    assert result.returncode == 128 + signal_number, result.stderr
    assert_one_message(result, "Interrupted: the update is merged and committed")
    assert list(tmp.iterdir()) == []
    assert git(project, "status", "--porcelain") == ""


@pytest.mark.parametrize("moment", ["update-git-failed", "update-git-broken-pipe"])
def test_a_stop_that_comes_back_as_gits_failure_says_what_update_left(
    project: Path, sets: TemplateSets, tmp_path: Path, moment: str
) -> None:
    """Ctrl-C stops git too (the whole process group gets it): the git command update was
    running fails, or gitpython's pipe to its git breaks. It is the stop, and nothing was
    changed: update says so, as for any stop before the merge."""
    head = git(project, "rev-parse", "HEAD").strip()
    result = drive(moment, signal.SIGINT, "update", "--templates-dir", sets.v2, cwd=project)
    assert result.returncode == 128 + signal.SIGINT, result.stderr
    assert_one_message(result, "Interrupted: nothing was changed.")
    assert git(project, "rev-parse", "HEAD").strip() == head
    assert git(project, "status", "--porcelain") == ""


def test_a_stop_as_cohort_new_makes_its_folder_says_what_is_there(tmp_path: Path) -> None:
    """The --out folder exists from then on: the stop is noted like any during the batch, and
    the message names the manifest that records that no project was made yet."""
    roster = class_of(tmp_path / "roster.csv", 3)
    out = tmp_path / "course"
    result = drive("out-made", signal.SIGTERM, "cohort", "new", roster, "-t", "nlp", "--out",
                   out, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert_one_message(result, f"Interrupted: 0 of 3 projects are made and recorded in {out}")
    assert (out / "cohort.yml").is_file()
    again = cohort("new", roster, "-t", "nlp", "--out", out)
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.parametrize("signal_number", SIGNALS)
def test_a_stop_while_a_git_templates_clone_is_removed_leaves_none(
    tmp_path: Path, signal_number: int
) -> None:
    template = tmp_path / "tpl"
    (template / "template").mkdir(parents=True)
    (template / "copier.yml").write_text("_subdirectory: template\n", encoding="utf-8")
    (template / "template" / "hello.txt").write_text("hi\n", encoding="utf-8")
    git(tmp_path, "init", "-q", str(template))
    git(template, "add", "-A")
    git(template, "commit", "-qm", "v1")
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    tmp.mkdir()
    result = drive(
        "clone-cleanup", signal_number, "new", "p", "-t", f"file://{template}", "--defaults",
        cwd=work, tmp=tmp,
    )  # fmt: skip
    assert result.returncode == 128 + signal_number, result.stderr
    assert_one_message(result, "Interrupted: nothing was written.")
    assert list(tmp.iterdir()) == [] and list(work.iterdir()) == []


@pytest.mark.parametrize("moment", ["exit", "teardown"])
@pytest.mark.parametrize("signal_number", SIGNALS)
def test_a_stop_once_the_work_is_done_and_said_changes_nothing(
    tmp_path: Path, signal_number: int, moment: str
) -> None:
    """The project is made and "Created" said: the process is not killed by the signal, prints
    no traceback, and exits as the work did."""
    result = drive(moment, signal_number, "new", "p", "-t", "nlp", "--defaults", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert f"Created {tmp_path / 'p'}" in result.stderr and "Error:" not in result.stderr
    assert git(tmp_path / "p", "status", "--porcelain") == ""


@pytest.mark.parametrize("signal_number", SIGNALS)
def test_a_stop_while_a_refusal_is_reported_keeps_one_message(
    tmp_path: Path, signal_number: int
) -> None:
    """Stopped at exit after a refusal: the refusal's message and status stand."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "mine.txt").write_text("mine\n", encoding="utf-8")
    result = drive("exit", signal_number, "new", "p", "-t", "nlp", "--defaults", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert_one_message(result, "already exists and is not empty")


def test_the_entry_point_loads_no_library_before_its_signal_handlers() -> None:
    """What `scaffold` imports before `main` runs is all the time a signal has no handler."""
    code = "import sys, scaffold._cli; print(sorted(m for m in sys.modules if '.' not in m))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    for library in ("typer", "click", "rich", "copier", "yaml", "git", "typing"):
        assert f"'{library}'" not in loaded, loaded


def test_an_ignored_sighup_stays_ignored(tmp_path: Path) -> None:
    """`nohup scaffold ...`: the hang-up of the terminal must not stop it."""
    template = tmp_path / "tpl"
    (template / "template").mkdir(parents=True)
    (template / "copier.yml").write_text(
        '_subdirectory: template\n_tasks:\n  - "touch task-started && sleep 2"\n'
    )
    (template / "template" / "a.txt").write_text("a\n")
    work = tmp_path / "work"
    work.mkdir()

    def like_nohup() -> None:
        as_a_shell_starts_it()
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    process = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "new", str(work / "p"), "-t", str(template)]
        + ["--defaults", "--trust"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=like_nohup,
    )
    deadline = time.monotonic() + 60
    while not any(work.glob(f"{STAGING_PREFIX}*/p/task-started")):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGHUP)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert (work / "p" / "a.txt").is_file()


def test_a_request_held_back_goes_to_whoever_handles_ctrl_c_then() -> None:
    """An open prompt handles Ctrl-C itself (its own SIGINT handler, to restore the terminal):
    a SIGTERM that came while something was held must reach it once the block is done, as one
    that came a moment later would, not become an exception the prompt never hears of."""
    code = textwrap.dedent(
        """
        import os, signal
        from scaffold import interrupts

        interrupts.install()
        noted = []
        signal.signal(signal.SIGINT, lambda signum, frame: noted.append(signum))
        with interrupts.held():
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):  # time for the handler to run, were it not held
                pass
            print("held", noted)
        for _ in range(1000):
            pass
        print("after", noted, interrupts.stop_signal())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        preexec_fn=as_a_shell_starts_it,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["held []", f"after [2] {int(signal.SIGTERM)}"]


def _interrupts_script(body: str) -> subprocess.CompletedProcess[str]:
    code = "import os, signal\nfrom scaffold import interrupts\n\ndef spin():\n"
    code += "    for _ in range(1000):  # time for a handler to run\n        pass\n\n"
    return subprocess.run(
        [sys.executable, "-c", code + textwrap.dedent(body)], capture_output=True, text=True,
        timeout=60, preexec_fn=as_a_shell_starts_it,
    )  # fmt: skip


def test_a_noted_block_notes_every_request_and_raises_none() -> None:
    """A batch of students, or update's merge, finishes what it started and says what it did
    before stopping: every request is noted, one held back by a move inside is noted once the
    move is done, and once the block has noted one a later request raises nothing (the caller
    is stopping already)."""
    result = _interrupts_script(
        """
        interrupts.install()
        with interrupts.noted() as stops:
            with interrupts.held():
                os.kill(os.getpid(), signal.SIGTERM)
                spin()
                print("held", stops.signals)
            spin()
            os.kill(os.getpid(), signal.SIGINT)
            spin()
            print("noted", stops.signals, stops.first)
        os.kill(os.getpid(), signal.SIGHUP)
        spin()
        print("after", interrupts.received(), interrupts.stop_signal())
        """
    )
    assert result.returncode == 0, result.stderr
    term, ctrl_c, hup = (int(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP))
    assert result.stdout.splitlines() == [
        "held []",
        f"noted [{term}, {ctrl_c}] {term}",
        f"after [{term}, {ctrl_c}, {hup}] {term}",
    ]


def test_a_noted_block_notes_requests_without_the_entry_points_handlers() -> None:
    """scaffold's modules used without `scaffold._cli` (a test, a library): the block still
    notes requests, and puts the handlers that were there back afterwards."""
    result = _interrupts_script(
        """
        with interrupts.noted() as stops:
            os.kill(os.getpid(), signal.SIGTERM)
            spin()
        print("noted", stops.signals, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)  # the default again: the process dies of it
        spin()
        print("not reached")
        """
    )
    assert result.returncode == -signal.SIGTERM, result.stderr
    assert result.stdout.splitlines() == [f"noted [{int(signal.SIGTERM)}]"]
