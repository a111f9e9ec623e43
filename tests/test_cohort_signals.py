"""A signal midway through `scaffold cohort new` / `cohort update`, as a closed terminal (SIGHUP),
a `kill` (SIGTERM) or Ctrl-C (SIGINT) sends it: to the whole process group (workers and git
included) or to scaffold's own process only.

Whatever the signal and whoever gets it, the run stops as Ctrl-C stops it: the students under
way finish and are recorded, the others are reported as not started (never as refused), nothing
is left behind (no staging folder, no temporary directory, no process), there is no traceback
and no hang, and the exit status is 128 + the signal's number.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from cohort_fixtures import bare_repos, class_of, cohort, read_csv, remote_branches
from conftest import as_a_shell_starts_it, git
from update_fixtures import TemplateSets

from scaffold.placing import STAGING_PREFIX

STUDENTS = 40  # enough for two workers to be busy a while (a project takes about 0.1 s)
UNDER_WAY = 2  # students recorded before the signal is sent
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
IDS = [f"student-{n}" for n in range(1, STUDENTS + 1)]


def _records(out: Path) -> list[dict]:
    try:
        data = yaml.safe_load((out / "cohort.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    return list((data or {}).get("students") or [])


def _interrupted_run(
    args: list[str | Path], tmp: Path, started: Callable[[], bool], signum: int, group: bool
) -> subprocess.CompletedProcess[str]:
    """Run `scaffold ARGS` in a session of its own with TMPDIR=`tmp`; once `started()`, send
    `signum` to its process group or to it alone; its result, once every process of the
    group has exited."""
    command = [sys.executable, "-m", "scaffold", *map(str, args)]
    run = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True, env={**os.environ, "TMPDIR": str(tmp)},
        # As a shell starts it: the test worker ignores SIGINT, a user's shell does not.
        preexec_fn=as_a_shell_starts_it,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not started():
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline, "no student was done in time"
            time.sleep(0.01)
        if group:
            os.killpg(run.pid, signum)
        else:
            os.kill(run.pid, signum)
        stdout, stderr = run.communicate(timeout=120)  # a hang fails here
        deadline = time.monotonic() + 10
        while _group_alive(run.pid):  # workers, resource tracker, git: all gone
            assert time.monotonic() < deadline, "processes of the run are left"
            time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(command, run.returncode, stdout, stderr)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _assert_stopped_cleanly(
    result: subprocess.CompletedProcess[str], signum: int, out: Path, tmp: Path
) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 128 + signum, output
    assert "Traceback" not in output and "resource_tracker" not in output, output
    assert "refused" not in result.stdout, output
    assert not list(out.glob(f"{STAGING_PREFIX}*"))
    assert sorted(path.name for path in tmp.iterdir()) == []  # no scaffold-view/-stage/-cohort


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    (tmp_path / "tmp").mkdir()
    return tmp_path / "tmp"


# Each signal to the group and to scaffold alone, with two workers; and once in this process.
NEW_RUNS = [
    *[(signum, group, 2) for signum in SIGNALS for group in (True, False)],
    (signal.SIGHUP, True, 1),
]


@pytest.mark.parametrize(
    ("signum", "group", "jobs"),
    NEW_RUNS,
    ids=[f"{s.name}-{'group' if g else 'pid'}-jobs{j}" for s, g, j in NEW_RUNS],
)
def test_cohort_new_stopped_by_a_signal(
    tmp_path: Path, tmp: Path, signum: int, group: bool, jobs: int
):
    roster = class_of(tmp_path / "roster.csv", STUDENTS)
    remotes = bare_repos(tmp_path / "remotes", IDS)
    out = tmp_path / "course"

    def started() -> bool:
        return sum(r["status"] == "created" for r in _records(out)) >= UNDER_WAY

    result = _interrupted_run(
        ["cohort", "new", roster, "-t", "nlp", "--out", out, "--jobs", str(jobs),
         "--remote", f"file://{remotes}/{{id}}.git", "--push"],
        tmp, started, signum, group,
    )  # fmt: skip

    _assert_stopped_cleanly(result, signum, out, tmp)
    records = _records(out)
    assert {r["status"] for r in records} == {"created"}, records  # none failed, none refused
    made = {r["id"]: r for r in records}
    assert UNDER_WAY <= len(made) < STUDENTS, len(made)
    assert {p.name for p in out.iterdir() if p.is_dir()} == set(made)
    for student_id, record in made.items():  # each one whole, as `scaffold new` makes it
        project = out / student_id
        assert git(project, "rev-parse", "HEAD").strip() == record["render_commit"]
        assert git(project, "status", "--porcelain") == ""
        pushed = remote_branches(remotes / f"{student_id}.git")
        assert pushed == ({"main": record["render_commit"]} if record["pushed"] else {}), record
        assert record["error"] is None
    assert f"Interrupted: {len(made)} of {STUDENTS} projects are made" in result.stderr
    table = [line for line in result.stdout.splitlines() if line.startswith("│")]
    not_started = [line for line in table if "not started" in line]
    assert len(not_started) == STUDENTS - len(made), result.stdout

    if not (group and signum == signal.SIGINT and jobs == 2):
        return  # resuming is the same whatever stopped the run: once is enough
    again = cohort("new", roster, "-t", "nlp", "--out", out, "--jobs", "2",
                   "--remote", f"file://{remotes}/{{id}}.git", "--push")  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert all(r["status"] == "created" and r["pushed"] for r in _records(out))


@pytest.fixture(scope="module")
def made_cohort(sets: TemplateSets, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("signals")
    roster = class_of(root / "roster.csv", STUDENTS)
    made = cohort("new", roster, "-t", "nlp", "--out", root / "course", "--jobs", "2",
                  "--templates-dir", sets.v1)  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    return root / "course"


@pytest.mark.parametrize("group", [True, False], ids=["group", "pid"])
@pytest.mark.parametrize("signum", SIGNALS, ids=[s.name for s in SIGNALS])
def test_cohort_update_stopped_by_a_signal(
    made_cohort: Path, sets: TemplateSets, tmp_path: Path, tmp: Path, signum: int, group: bool
):
    out = tmp_path / "course"
    shutil.copytree(made_cohort, out, symlinks=True)

    def started() -> bool:
        return sum(r.get("update") is not None for r in _records(out)) >= UNDER_WAY

    result = _interrupted_run(
        ["cohort", "update", out, "--jobs", "2", "--templates-dir", sets.v2],
        tmp, started, signum, group,
    )  # fmt: skip

    _assert_stopped_cleanly(result, signum, out, tmp)
    rows = {row["id"]: row for row in read_csv(out / "cohort-update.csv")}
    assert sorted(rows) == sorted(IDS)  # every student is in the report
    updated = {sid for sid, row in rows.items() if row["outcome"] == "updated cleanly"}
    assert {row["outcome"] for sid, row in rows.items() if sid not in updated} == {"not started"}
    assert UNDER_WAY <= len(updated) < STUDENTS, rows
    records = {r["id"]: r for r in _records(out)}
    for student_id in IDS:
        branches = git(out / student_id, "branch", "--format=%(refname:short)").split()
        if student_id in updated:
            assert records[student_id]["update"]["outcome"] == "updated"
            assert "scaffold/update-2.0.0" in branches
        else:  # not started: nothing done, nothing recorded as done
            assert records[student_id]["update"] is None
            assert branches == ["main"]
    assert f"Interrupted: {len(updated)} of {STUDENTS} students were worked on" in result.stderr


def _workers_of(pid: int) -> list[int]:
    """The worker processes of the pool of `pid` (not its resource tracker)."""
    workers = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            command = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and "spawn_main" in command and "resource_tracker" not in command:
            workers.append(int(proc.name))
    return workers


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds workers through /proc")
def test_a_worker_killed_outright_fails_its_student_and_the_rest_are_not_started(
    tmp_path: Path, tmp: Path
) -> None:
    """The pool breaks (the kernel's out-of-memory killer, a `kill -9`): no hang, the student
    of that worker failed, the others not started, and a re-run makes them."""
    roster = class_of(tmp_path / "roster.csv", STUDENTS)
    out = tmp_path / "course"
    command = [sys.executable, "-m", "scaffold", "cohort", "new", str(roster), "-t", "nlp",
               "--out", str(out), "--jobs", "2"]  # fmt: skip
    run = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True, env={**os.environ, "TMPDIR": str(tmp)},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while sum(r["status"] == "created" for r in _records(out)) < UNDER_WAY:
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline, "no student was done in time"
            time.sleep(0.01)
        os.kill(_workers_of(run.pid)[0], signal.SIGKILL)
        stdout, stderr = run.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)

    assert run.returncode == 1, stdout + stderr
    assert "Traceback" not in stdout + stderr
    records = _records(out)
    failed = [r for r in records if r["status"] == "failed"]
    assert failed and all("the worker process stopped" in r["error"] for r in failed), failed
    assert {r["status"] for r in records} == {"created", "failed"}
    not_started = STUDENTS - len(records)
    assert not_started > 0
    assert f"{not_started} projects were not started: a worker process stopped" in stderr
    table = [line for line in stdout.splitlines() if line.startswith("│")]
    assert sum("not started" in line for line in table) == not_started, stdout

    again = cohort("new", roster, "-t", "nlp", "--out", out, "--jobs", "2")
    assert again.returncode == 0, again.stdout + again.stderr
    assert {r["status"] for r in _records(out)} == {"created"}
    assert len(_records(out)) == STUDENTS
    assert not list(out.glob(f"{STAGING_PREFIX}*"))


@contextlib.contextmanager
def _silent_server() -> Iterator[str]:
    """A git:// URL whose server accepts connections and never answers: a fetch hangs."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"git://127.0.0.1:{server.getsockname()[1]}/silent.git"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()


def test_ctrl_c_stops_cohort_status_waiting_on_a_silent_remote(tmp_path: Path) -> None:
    """`cohort status` changes nothing, so it does not wait for its fetches to finish."""
    roster = class_of(tmp_path / "roster.csv", 2)
    out = tmp_path / "course"
    made = cohort("new", roster, "-t", "nlp", "--out", out)
    assert made.returncode == 0, made.stdout + made.stderr
    with _silent_server() as url:
        data = yaml.safe_load((out / "cohort.yml").read_text(encoding="utf-8"))
        for record in data["students"]:
            record["remote"] = url
        (out / "cohort.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
        started = time.monotonic() + 1.0
        result = _interrupted_run(
            ["cohort", "status", out], tmp_path, lambda: time.monotonic() > started,
            signal.SIGINT, True,
        )  # fmt: skip
    assert result.returncode == 130, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Interrupted" in result.stderr
