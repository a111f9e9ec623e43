"""Interrupt trials: Ctrl-C, SIGTERM and SIGHUP at random moments of `scaffold new`, `update`,
`cohort new` and `cohort update`, sent to the process or to its whole process group (as a
terminal sends Ctrl-C and a closing terminal SIGHUP), and what each run left behind.

For every command x signal x target, N trials, each in a fresh folder with a TMPDIR of its own.
A trial starts the command as a user does (the `scaffold` console script, no terminal), waits a
random moment between 0 and 1.2 times the command's undisturbed run time (measured first: a
signal may also land after the work is done), sends the signal and waits for the exit. It then
checks what the documentation promises:

- the exit status is documented: 0 done; 1 conflicts (update) or some students not made or
  updated (cohort); 2 refused; 128 + the signal (130, 143, 129) interrupted, with exactly one
  message saying what was left; never killed by the signal, never a traceback, never a hang;
- what the message says is what is on disk (nothing changed, a complete project, a merge to
  finish...), with no half project, no staging folder, nothing left in TMPDIR, no process of
  the group still running, and in git no MERGE_HEAD unless said, no dirty tree, no branch, ref,
  stash, worktree or lock file that was not there before;
- for a cohort, a re-run of the same command (undisturbed) finishes the job: exit 0.

It prints a table per command (exit statuses seen, messages, problems) and every problem with
its trial's seed, signal, target and delay, to re-run it.

With --startup it measures instead the window before scaffold's first line runs: each signal at
fixed moments (every 2 ms up to --window) of `scaffold --version` and `python -m scaffold
--version`, --trials runs each, and how each run ended (killed outright, a traceback, or
scaffold's own message).

usage: python bench/bench_interrupts.py [--trials 30] [--seed 18] [--commands new,update,...]
       [--students 4] [--jobs 2] [--timeout 120] [--keep DIR]
       python bench/bench_interrupts.py --startup [--trials 10] [--window 40]
"""

from __future__ import annotations

import argparse
import collections
import csv
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SCAFFOLD = str(Path(sys.executable).parent / "scaffold")
SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGHUP": signal.SIGHUP}
TARGETS = ("pid", "group")
STAGING = ".scaffold-staging-"
V2 = "99.0.0"  # the version of the set `update` and `cohort update` update to
UPDATE_BRANCH = f"scaffold/update-{V2}"


# --- Running one trial ------------------------------------------------------------------------


@dataclass
class Run:
    """How one run of the command ended."""

    status: int | None  # None: it hung and was killed
    stdout: str
    stderr: str
    seconds: float
    signalled: bool = False  # the signal was sent while the command still ran
    strays: list[str] = field(default_factory=list)  # processes of its group still alive

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("Error:")]


def launch(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    stop: tuple[int, str, float],
    program: tuple[str, ...] = (SCAFFOLD,),
) -> Run:
    """Run `scaffold ARGV`; with `stop` = (signal, target, delay), send the signal then (the
    delay counts from the moment the program is executed: Popen returns once it is)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [*program, *argv],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own, as a terminal gives a command
        preexec_fn=_default_signals,
    )
    signalled = False
    signum, target, delay = stop
    if signum:
        time.sleep(delay)
        if process.poll() is None:
            signalled = True
            with _gone_is_fine():
                (os.killpg if target == "group" else os.kill)(process.pid, signum)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        status: int | None = process.returncode
    except subprocess.TimeoutExpired:
        with _gone_is_fine():
            os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        status = None
    seconds = time.perf_counter() - start
    return Run(status, stdout, stderr, seconds, signalled, _strays(process.pid))


def _default_signals() -> None:
    for signum in SIGNALS.values():  # as a terminal's shell leaves them, whatever ran this
        signal.signal(signum, signal.SIG_DFL)


class _gone_is_fine:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, value: object, traceback: object) -> bool:
        return kind is ProcessLookupError


def _strays(group: int, grace: float = 1.0) -> list[str]:
    """Processes of the command's group still running `grace` seconds after it exited (then
    killed), by name. An exited child nobody reaped (a zombie, once its parent is gone) is not
    running: init reaps it."""
    deadline = time.monotonic() + grace
    while _group(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    found = []
    for pid, name in _group(group).items():
        found.append(name)
        with _gone_is_fine():
            os.kill(pid, signal.SIGKILL)
    return found


def _group(group: int) -> dict[int, str]:
    """The running processes of a process group: pid -> name."""
    members = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] not in ("Z", "X"):
                members[int(entry.name)] = (entry / "comm").read_text().strip()
        except (OSError, IndexError, ValueError):
            continue
    return members


# --- What a trial left ----------------------------------------------------------------------


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)


@dataclass(frozen=True)
class RepoState:
    head: str | None
    merging: bool
    dirty: bool
    branches: frozenset[str]
    refs: frozenset[str]
    stashes: int
    worktrees: int
    locks: tuple[str, ...]

    @classmethod
    def of(cls, repo: Path) -> RepoState | None:
        if not (repo / ".git").is_dir():
            return None
        git_dir = repo / ".git"
        head = git(repo, "rev-parse", "--verify", "-q", "HEAD").stdout.strip() or None
        refs = git(repo, "for-each-ref", "--format=%(refname)").stdout.split()
        return cls(
            head=head,
            merging=(git_dir / "MERGE_HEAD").exists(),
            dirty=bool(git(repo, "status", "--porcelain").stdout.strip()),
            branches=frozenset(ref[len("refs/heads/") :] for ref in refs if "/heads/" in ref),
            refs=frozenset(refs),
            stashes=len(git(repo, "stash", "list").stdout.splitlines()),
            worktrees=len(git(repo, "worktree", "list").stdout.splitlines()),
            locks=tuple(sorted(p.name for p in git_dir.rglob("*.lock"))),
        )

    def leftovers(self, before: RepoState | None, allowed: set[str]) -> list[str]:
        """What git holds that was not there before (besides `allowed` branches)."""
        found = []
        if self.dirty and not self.merging:
            found.append("dirty tree")
        if self.locks:
            found.append(f"lock files {', '.join(self.locks)}")
        if before is not None:
            new_branches = self.branches - before.branches - allowed
            if new_branches:
                found.append(f"branches {', '.join(sorted(new_branches))}")
            allowed_refs = {f"refs/heads/{name}" for name in allowed}
            new_refs = self.refs - before.refs - allowed_refs - {"refs/stash"}
            if new_refs - {f"refs/heads/{name}" for name in new_branches}:
                found.append(f"refs {', '.join(sorted(new_refs))}")
            if self.stashes > before.stashes:
                found.append("a stash entry")
            if self.worktrees > before.worktrees:
                found.append("a worktree")
        return found


def complete_project(path: Path) -> bool:
    """A project as `scaffold new` makes it: its render the one commit, nothing else."""
    state = RepoState.of(path)
    return (
        state is not None
        and state.head is not None
        and not state.dirty
        and not state.merging
        and git(path, "rev-list", "--count", "HEAD").stdout.strip() == "1"
        and (path / ".copier-answers.yml").is_file()
        and (path / "pyproject.toml").is_file()
    )


def tmp_leftovers(tmp: Path) -> list[str]:
    return sorted(re.sub(r"[0-9a-z_]{6,}$", "*", path.name) for path in tmp.iterdir())


def staging_leftovers(root: Path) -> list[str]:
    return sorted(
        str(path.relative_to(root)) for path in root.rglob(f"{STAGING}*") if path.is_dir()
    )


# --- The commands -----------------------------------------------------------------------------


@dataclass
class Scenario:
    """A command to interrupt: how to set a trial up, and how to judge what it left."""

    name: str
    codes: set[int]  # its documented statuses besides 128 + a signal
    setup: Callable[[Path], tuple[list[str], Path, dict]]  # trial folder -> argv, cwd, context
    judge: Callable[[Path, dict, Run], tuple[str, list[str]]]  # -> state, problems
    rerun: bool = False  # an undisturbed re-run must then finish the job


class Fixtures:
    """What every trial starts from, made once: template sets, a project, a cohort."""

    def __init__(self, root: Path, students: int, jobs: int, env: dict[str, str]) -> None:
        self.root, self.students, self.jobs, self.env = root, students, jobs, env
        self.v1 = root / "set-v1"
        shutil.copytree(REPO / "templates", self.v1)
        self.v2 = make_v2(self.v1, root / "set-v2")
        self.roster = make_roster(root / "roster.csv", students)
        self.project = root / "project"
        self._ok(["new", str(self.project), "-t", "nlp", "--defaults", "--templates-dir",
                  str(self.v1)])  # fmt: skip
        self.cohort = root / "cohort"
        self._ok(self.cohort_new_args(self.cohort))

    def cohort_new_args(self, out: Path) -> list[str]:
        return ["cohort", "new", str(self.roster), "-t", "nlp", "--out", str(out),
                "--templates-dir", str(self.v1), "--jobs", str(self.jobs)]  # fmt: skip

    def _ok(self, argv: list[str]) -> None:
        result = subprocess.run([SCAFFOLD, *argv], env=self.env, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"scaffold {' '.join(argv)} failed:\n{result.stderr}")


def make_v2(v1: Path, v2: Path) -> Path:
    """The set at a new version: a changed file, a new one, a deleted one."""
    shutil.copytree(v1, v2)
    catalog = yaml.safe_load((v2 / "catalog.yml").read_text(encoding="utf-8"))
    catalog["version"] = V2
    (v2 / "catalog.yml").write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    layer = v2 / "mlops" / "template"
    [dockerfile] = layer.glob("*Dockerfile*.jinja")
    dockerfile.write_text("# Rebuilt for the new version.\n" + dockerfile.read_text("utf-8"))
    (layer / "CONTRIBUTING.md.jinja").write_text("# Contributing to {{ project_name }}\n")
    (layer / ".pre-commit-config.yaml.jinja").unlink()
    return v2


def make_roster(path: Path, count: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["name", "email"])
        for number in range(1, count + 1):
            writer.writerow([f"Student {number:02d}", f"student{number:02d}@example.org"])
    return path


def scenarios(fixtures: Fixtures) -> dict[str, Scenario]:
    def new_setup(trial: Path) -> tuple[list[str], Path, dict]:
        work = trial / "work"
        work.mkdir()
        argv = ["new", str(work / "proj"), "-t", "nlp", "--defaults", "--templates-dir",
                str(fixtures.v1)]  # fmt: skip
        return argv, work, {"work": work, "dest": work / "proj"}

    def new_judge(trial: Path, context: dict, run: Run) -> tuple[str, list[str]]:
        dest: Path = context["dest"]
        state = "none" if not dest.exists() else "complete" if complete_project(dest) else "half"
        problems = [f"staging {name}" for name in staging_leftovers(context["work"])]
        if state == "half":
            problems.append("a half-made project")
        said = " ".join(run.errors)
        expected = {
            "none": ("nothing was written", "nothing was changed"),
            "complete": ("was created",),
            "half": (),
        }[state]
        if run.status == 0 and state != "complete":
            problems.append(f"exit 0 but the project is {state}")
        elif run.status not in (0, None) and not any(words in said for words in expected):
            problems.append(f"the message does not say the project is {state}: {said!r}")
        return state, problems

    def update_setup(trial: Path) -> tuple[list[str], Path, dict]:
        project = trial / "project"
        shutil.copytree(fixtures.project, project, symlinks=True)
        argv = ["update", str(project), "--templates-dir", str(fixtures.v2)]
        return argv, trial, {"project": project, "before": RepoState.of(project)}

    def update_judge(trial: Path, context: dict, run: Run) -> tuple[str, list[str]]:
        before: RepoState = context["before"]
        after = RepoState.of(context["project"])
        assert after is not None
        if after.merging:
            state = "merge in progress"
        elif after.head == before.head:
            state = "unchanged"
        else:
            state = "updated"
        problems = after.leftovers(before, allowed=set())
        said = " ".join(run.errors)
        expected = {
            "unchanged": ("nothing was changed",),
            "updated": ("merged and committed",),
            "merge in progress": ("merge --abort",),
        }[state]
        if run.status == 0 and state != "updated":
            problems.append(f"exit 0 but the project is {state}")
        elif run.status == 1 and state != "merge in progress":
            problems.append(f"exit 1 (conflicts) but the project is {state}")
        elif run.status not in (0, 1, None) and not any(words in said for words in expected):
            problems.append(f"the message does not say the project is {state}: {said!r}")
        return state, problems

    def cohort_new_setup(trial: Path) -> tuple[list[str], Path, dict]:
        out = trial / "out"
        return fixtures.cohort_new_args(out), trial, {"out": out}

    def cohort_new_judge(trial: Path, context: dict, run: Run) -> tuple[str, list[str]]:
        out: Path = context["out"]
        problems = [f"staging {name}" for name in staging_leftovers(out)] if out.exists() else []
        folders = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")] if (
            out.exists()) else []  # fmt: skip
        half = [p.name for p in folders if not complete_project(p)]
        problems += [f"a half-made project {name}" for name in half]
        made = len(folders) - len(half)
        manifest = out / "cohort.yml"
        if manifest.exists():
            try:
                yaml.safe_load(manifest.read_text(encoding="utf-8"))
            except yaml.YAMLError:
                problems.append("an unreadable cohort.yml")
        if run.status == 0 and made != fixtures.students:
            problems.append(f"exit 0 but {made} of {fixtures.students} projects are made")
        problems += _counted_as_said(run, r"(\d+) of \d+ projects are made", made, out.exists())
        return f"{made} of {fixtures.students} made", problems

    def cohort_update_setup(trial: Path) -> tuple[list[str], Path, dict]:
        out = trial / "cohort"
        shutil.copytree(fixtures.cohort, out, symlinks=True)
        before = {p.name: RepoState.of(p) for p in out.iterdir() if (p / ".git").is_dir()}
        argv = ["cohort", "update", str(out), "--templates-dir", str(fixtures.v2),
                "--jobs", str(fixtures.jobs)]  # fmt: skip
        return argv, trial, {"out": out, "before": before}

    def cohort_update_judge(trial: Path, context: dict, run: Run) -> tuple[str, list[str]]:
        out: Path = context["out"]
        problems: list[str] = []
        offered = 0
        for name, before in context["before"].items():
            after = RepoState.of(out / name)
            if after is None:
                problems.append(f"{name}: its repository is gone")
                continue
            if after.merging:
                problems.append(f"{name}: MERGE_HEAD")
            if after.head != before.head:
                problems.append(f"{name}: its main changed")
            problems += [f"{name}: {p}" for p in after.leftovers(before, {UPDATE_BRANCH})]
            offered += UPDATE_BRANCH in after.branches
        total = len(context["before"])
        if run.status == 0 and offered != total:
            problems.append(f"exit 0 but {offered} of {total} have the update branch")
        # Every student of the fixture is offered the update: worked on means offered.
        pattern = r"(\d+) of \d+ students were worked on"
        problems += _counted_as_said(run, pattern, offered, offered > 0)
        return f"{offered} of {total} offered", problems

    return {
        "new": Scenario("new", set(), new_setup, new_judge),
        "update": Scenario("update", {1}, update_setup, update_judge),
        "cohort-new": Scenario("cohort-new", {1}, cohort_new_setup, cohort_new_judge, True),
        "cohort-update": Scenario(
            "cohort-update", {1}, cohort_update_setup, cohort_update_judge, True
        ),
    }


def _counted_as_said(run: Run, pattern: str, done: int, changed: bool) -> list[str]:
    """An interrupted cohort's message against the disk: its count of students done is the
    count found, and "nothing was changed" only where nothing was."""
    said = " ".join(run.errors)
    count = re.search(pattern, said)
    if count and int(count.group(1)) != done:
        return [f"the message counts {count.group(1)} where {done} are done"]
    if "nothing was changed" in said and changed:
        return ["the message says nothing was changed"]
    return []


# --- A trial's verdict ------------------------------------------------------------------------


@dataclass
class Trial:
    command: str
    signal: str
    target: str
    number: int
    delay: float
    run: Run
    state: str
    problems: list[str]
    message: str  # what it said, with its folders and counts made general

    @property
    def exit(self) -> str:
        if self.run.status is None:
            return "hang"
        if self.run.status < 0:
            return f"killed by {signal.Signals(-self.run.status).name}"
        return str(self.run.status)


def verdict(scenario: Scenario, signum: int, run: Run, problems: list[str]) -> list[str]:
    """The problems every command shares: status, messages, tracebacks, leftovers."""
    found = list(problems)
    if run.status is None:
        found.append("hang: killed after the timeout")
    elif run.status < 0:
        found.append(f"killed by {signal.Signals(-run.status).name}, without a message")
    elif run.status == 128 + signum:
        if len(run.errors) != 1 or "Interrupted" not in run.errors[0]:
            found.append(f"exit {run.status} without one 'Interrupted' message: {run.errors}")
    elif run.status > 128:
        found.append(f"exit {run.status}: another signal's status")
    elif run.status != 0 and run.status not in scenario.codes:
        found.append(f"exit {run.status}: {' '.join(run.errors) or 'no message'}")
    elif run.status == 0 and run.errors:
        found.append(f"exit 0 with an error message: {run.errors}")
    if "Traceback" in run.stderr or "Exception ignored" in run.stderr:
        found.append("a traceback")
    found += [f"process left running: {name}" for name in run.strays]
    return found


def said(run: Run, trial: Path) -> str:
    """The run's message, with its folders and counts made general."""
    if not run.errors:
        return "(no message)" if run.status not in (0, None) else "-"
    text = run.errors[0].removeprefix("Error: ").replace(str(trial), "<trial>")
    text = re.sub(r"\b\d+ of \d+\b", "N of M", text)
    return re.sub(r"\b[0-9a-f]{12}\b", "<commit>", text)[:110]


# --- The interpreter's start-up --------------------------------------------------------------

LAUNCHERS = {
    "scaffold": (SCAFFOLD,),  # the console script pip writes
    "python -m scaffold": (sys.executable, "-m", "scaffold"),
}


def startup_window(args: argparse.Namespace, env: dict[str, str], signals: list[str]) -> None:
    """Each signal, to the process, at fixed moments of its first milliseconds (`scaffold
    --version`): until scaffold's first line installs its handlers, a signal does what it does
    to any program (SIGTERM and SIGHUP kill it; SIGINT too, or once Python's own handler is in,
    a KeyboardInterrupt in whatever is being imported). Prints, per moment, how the runs ended."""
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    ends: dict[tuple[str, int], collections.Counter] = collections.defaultdict(collections.Counter)
    moments = range(0, args.window + 1, 2)
    try:
        for _ in range(args.trials):  # every moment once per round: a busy spell hits all
            for name, program in LAUNCHERS.items():
                for milliseconds in moments:
                    for signal_name in signals:
                        signum = SIGNALS[signal_name]
                        stop = (signum, "pid", milliseconds / 1000)
                        run = launch(["--version"], work, env, args.timeout, stop, program)
                        ends[(name, milliseconds)][_startup_end(run, signum)] += 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"Start-up window: {', '.join(signals)} to the process, {args.trials} runs per signal "
          f"and moment; Python {sys.version.split()[0]}\n")  # fmt: skip
    print("| ms after exec | " + " | ".join(LAUNCHERS) + " |")
    print("| --- |" + " --- |" * len(LAUNCHERS))
    for milliseconds in moments:
        cells = [_counts(ends[(name, milliseconds)]) for name in LAUNCHERS]
        print(f"| {milliseconds} | " + " | ".join(cells) + " |")


def _startup_end(run: Run, signum: int) -> str:
    if run.status is not None and run.status < 0:
        return "killed"
    if "Traceback" in run.stderr:
        return "traceback"
    if run.status == 128 + signum and len(run.errors) == 1:
        return "its message"
    return "done" if run.status == 0 else f"exit {run.status}"


# --- Running them all -----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=30, help="per command x signal x target")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--commands", default="new,update,cohort-new,cohort-update")
    parser.add_argument("--signals", default="SIGINT,SIGTERM,SIGHUP")
    parser.add_argument("--targets", default="pid,group")
    parser.add_argument("--students", type=int, default=4, help="in a cohort")
    parser.add_argument("--jobs", type=int, default=2, help="a cohort's worker processes")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a hang")
    parser.add_argument("--keep", type=Path, help="copy the folders of failed trials here")
    parser.add_argument(
        "--startup", action="store_true", help="measure the start-up window instead (see --window)"
    )
    parser.add_argument("--window", type=int, default=40, help="--startup: over these ms")
    args = parser.parse_args()
    commands = args.commands.split(",")
    signals = args.signals.split(",")
    targets = args.targets.split(",")

    work = Path(tempfile.mkdtemp(prefix="bench-interrupts-"))
    gitconfig = work / "gitconfig"  # a known identity and default branch, as CI has
    gitconfig.write_text(
        "[user]\n\tname = Trial\n\temail = trial@example.org\n[init]\n\tdefaultBranch = main\n"
    )
    env = {**os.environ, "GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as a user runs it: byte-compiled modules
    if args.startup:
        startup_window(args, env, signals)
        shutil.rmtree(work, ignore_errors=True)
        return
    rng = random.Random(args.seed)
    trials: list[Trial] = []
    try:
        fixtures = Fixtures(work / "fixtures", args.students, args.jobs, env)
        known = scenarios(fixtures)
        for command in commands:
            scenario = known[command]
            undisturbed = [one_run(scenario, work / f"{command}-calibrate-{n}", env, args.timeout)
                           for n in range(2)]  # fmt: skip
            span = 1.2 * statistics.median(run.seconds for run in undisturbed)
            print(f"{command}: undisturbed {span / 1.2:.2f} s; signals within 0-{span:.2f} s",
                  file=sys.stderr)  # fmt: skip
            for name in signals:
                for target in targets:
                    for number in range(args.trials):
                        delay = rng.uniform(0, span)
                        trial = run_trial(
                            scenario, SIGNALS[name], target, number, delay, work, env, args
                        )
                        trials.append(trial)
                        print(f"  {command} {name} {target} #{number} {delay:.3f}s -> "
                              f"{trial.exit}{' PROBLEM' if trial.problems else ''}",
                              file=sys.stderr)  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(trials, args, commands)


def one_run(scenario: Scenario, trial: Path, env: dict[str, str], timeout: float) -> Run:
    trial.mkdir(parents=True)
    argv, cwd, context = scenario.setup(trial)
    run = launch(argv, cwd, env, timeout, (0, "", 0.0))
    _, problems = scenario.judge(trial, context, run)
    if run.status != 0 or problems:
        raise SystemExit(f"undisturbed {scenario.name} failed: {run.stderr}{problems}")
    shutil.rmtree(trial, ignore_errors=True)
    return run


def run_trial(
    scenario: Scenario,
    signum: int,
    target: str,
    number: int,
    delay: float,
    work: Path,
    env: dict[str, str],
    args: argparse.Namespace,
) -> Trial:
    trial = work / f"{scenario.name}-{signal.Signals(signum).name}-{target}-{number}"
    tmp = trial / "tmp"
    tmp.mkdir(parents=True)
    trial_env = {**env, "TMPDIR": str(tmp)}
    argv, cwd, context = scenario.setup(trial)
    run = launch(argv, cwd, trial_env, args.timeout, (signum, target, delay))
    state, problems = scenario.judge(trial, context, run)
    problems = verdict(scenario, signum, run, problems)
    problems += [f"TMPDIR {name}" for name in tmp_leftovers(tmp)]
    if scenario.rerun and run.status is not None and run.status != 0:
        again = launch(argv, cwd, trial_env, args.timeout, (0, "", 0.0))
        _, rerun_problems = scenario.judge(trial, context, again)
        if again.status != 0 or rerun_problems:
            problems.append(f"the re-run: exit {again.status} {again.errors} {rerun_problems}")
    result = Trial(scenario.name, signal.Signals(signum).name, target, number, delay, run,
                   state, problems, said(run, trial))  # fmt: skip
    if problems and args.keep:
        kept = args.keep / trial.name
        shutil.copytree(trial, kept, symlinks=True, dirs_exist_ok=True)
        (kept / "stdout.txt").write_text(run.stdout, encoding="utf-8")
        (kept / "stderr.txt").write_text(run.stderr, encoding="utf-8")
    shutil.rmtree(trial, ignore_errors=True)
    return result


def report(trials: list[Trial], args: argparse.Namespace, commands: list[str]) -> None:
    print(f"Interrupt trials: seed {args.seed}, {args.trials} per command x signal x target, "
          f"a cohort of {args.students} students with --jobs {args.jobs}; Python "
          f"{sys.version.split()[0]}\n")  # fmt: skip
    for command in commands:
        mine = [trial for trial in trials if trial.command == command]
        if not mine:
            continue
        print(f"### {command}\n")
        print("| signal | target | trials (done first) | exit statuses | states | messages "
              "| trials with problems |")  # fmt: skip
        print("| --- | --- | --- | --- | --- | --- | --- |")
        cells: dict[tuple[str, str], list[Trial]] = collections.defaultdict(list)
        for trial in mine:
            cells[(trial.signal, trial.target)].append(trial)
        for (name, target), group in cells.items():
            done_first = sum(not trial.run.signalled for trial in group)
            exits = collections.Counter(trial.exit for trial in group)
            states = collections.Counter(trial.state for trial in group)
            messages = collections.Counter(trial.message for trial in group)
            failed = [trial for trial in group if trial.problems]
            kinds = collections.Counter(
                re.sub(r"\d", "N", problem.split(":")[0]) for t in failed for problem in t.problems
            )
            print(
                f"| {name} | {target} | {len(group)} ({done_first}) | {_counts(exits)} "
                f"| {_counts(states)} | {_counts(messages, '<br>')} "
                f"| {len(failed)}{': ' + _counts(kinds) if kinds else ''} |"
            )
        print()
    problems = [trial for trial in trials if trial.problems]
    print(f"{len(problems)} of {len(trials)} trials with problems.")
    for trial in problems:
        print(f"- {trial.command} {trial.signal} to {trial.target}, trial {trial.number}, "
              f"after {trial.delay:.3f} s (exit {trial.exit}; {trial.state}): "
              f"{'; '.join(trial.problems)}")  # fmt: skip


def _counts(counter: collections.Counter, separator: str = ", ") -> str:
    return separator.join(f"{key} ×{count}" for key, count in counter.most_common())


if __name__ == "__main__":
    main()
