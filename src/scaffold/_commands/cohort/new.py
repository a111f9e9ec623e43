"""`scaffold cohort new ROSTER -t TEMPLATE --out DIR`: a project per student (or team) of a
roster, each exactly what `scaffold new` makes, with `origin` set and, with --push, pushed.

Every roster row is worked on alone: a row that cannot be made is reported and the others go on.
The manifest DIR/cohort.yml is saved after every student, so Ctrl-C leaves it valid, and running
the same command again skips the students made, retries the failed ones and adds new rows.

Exit codes: 0 every row made (and pushed, with --push); 1 some row was not; 2 refused whole
(an unreadable roster, a DIR that is not this cohort's), nothing made; 128 + the signal
interrupted (130 for Ctrl-C).
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import __version__, batch, cohort, interrupts, students
from scaffold._commands.cohort import _patterns, _shared
from scaffold.cohort import CREATED, FAILED, REFUSED, Cohort, Student
from scaffold.errors import ScaffoldError, interrupted
from scaffold.placing import STAGING_PREFIX
from scaffold.rendering import BuiltinTemplate, RenderJob, shared_view
from scaffold.roster import Entry, Roster, read_roster
from scaffold.ui import read_data

ALL_MADE, SOME_NOT_MADE = 0, 1
PUSHERS = 8  # pushes at once: they wait on the network, not on this machine


@dataclass
class CohortNewJob:
    roster: Path
    template: str
    out: Path
    project_name: str | None = None  # e.g. "NLP capstone - {name}"
    remote: str | None = None  # e.g. "git@host:course/{id}.git"
    push: bool = False
    data: list[str] = field(default_factory=list)
    data_file: Path | None = None
    templates_dir: Path | None = None
    jobs: int | None = None
    trust: bool = False


def run(job: CohortNewJob) -> int:
    if job.push and not job.remote:
        raise ScaffoldError("--push needs --remote: where should the projects go?", exit_code=2)
    data = read_data(job.data, job.data_file)
    source = _shared.builtin_source(job.template, job.templates_dir)
    patterns = _patterns.parse_patterns(job.project_name, job.remote)
    roster = read_roster(job.roster, reserved=cohort.RESERVED)
    _patterns.refuse_rows(patterns, roster)
    out = job.out.expanduser().absolute()
    _refuse_unrelated(out, job.roster)
    # From here on a stop lets the students under way finish, and is told with what is there.
    with interrupts.noted() as stop:
        out.mkdir(parents=True, exist_ok=True)
        with cohort.locked(out):
            return _make(job, data, source, roster, out, stop)


def _make(
    job: CohortNewJob,
    data: dict[str, Any],
    source: BuiltinTemplate,
    roster: Roster,
    out: Path,
    stop: interrupts.Stops,
) -> int:
    manifest = cohort.manifest_in(out)
    the_cohort = cohort.load(manifest) if manifest else Cohort(out / cohort.MANIFEST_FILE)
    _refuse_other_template(the_cohort, source)
    _remove_stale_staging(out)
    the_cohort.settings = _settings(job, source)
    sample = _render_job(job, data, source, roster.usable[0] if roster.usable else None, None)
    sample.check_data()  # a bad --data answer refuses the whole run, before anything is made
    plan = _Plan.of(roster, the_cohort, job)
    the_cohort.save()

    results: dict[str, str] = {}  # id -> what happened this run
    with (
        shared_view(source) as view,
        ThreadPoolExecutor(PUSHERS, initializer=interrupts.block) as pushers,  # see remotes
        _shared.progress("Creating projects", len(plan.to_make) + len(plan.to_push)) as bar,
    ):
        pushes: dict[Future[str | None], Student] = {}
        tasks = [
            students.NewTask(
                entry.id or "",
                out / (entry.id or ""),
                _render_job(job, data, source, entry, view),
                plan.remotes.get(entry.id or ""),
            )
            for entry in plan.to_make
        ]
        workers = batch.workers_for(len(tasks), job.jobs)
        for task, outcome in batch.run(students.create, tasks, workers, stop, students.new_failed):
            student = plan.students[task.id]
            _record_creation(student, outcome)
            the_cohort.put(student)
            the_cohort.save_soon()
            results[task.id] = "created" if outcome.error is None else "failed"
            _shared.advance(bar)
            if outcome.error is None and job.push and student.remote and not stop.requested:
                pushes[pushers.submit(students.push, _push_task(the_cohort, student))] = student
            _record_pushes(the_cohort, pushes, bar, results, wait=False)
        if not stop.requested:
            for student in plan.to_push:
                pushes[pushers.submit(students.push, _push_task(the_cohort, student))] = student
        _record_pushes(the_cohort, pushes, bar, results, wait=True)
        the_cohort.students.sort(key=_roster_order)  # done in any order: listed as in the roster
        the_cohort.save()

    not_started = {entry.id for entry in plan.to_make if entry.id not in results}
    rows = _summary_rows(roster, the_cohort, results, not_started, job.push)
    _shared.print_table(f"Cohort {out} ({source.label})", _COLUMNS, rows)
    made = [row for row in rows if row[2] in ("created", "done before")]
    _shared.stdout().print(
        f"{len(made)} of {len(rows)} projects made; {_shared.counted([row[2] for row in rows])}. "
        f"Manifest: {the_cohort.manifest}",
        markup=False,
    )
    if stop.requested:
        raise interrupted(
            f"Interrupted: {len(made)} of {len(rows)} projects are made and recorded in "
            f"{the_cohort.manifest}, {len(not_started)} not started; run the same command "
            "again to go on."
        )
    if not_started:
        raise ScaffoldError(
            f"{len(not_started)} projects were not started: a worker process stopped; run the "
            "same command again for them."
        )
    complete = all(row[2] in ("created", "done before") for row in rows) and not (
        job.push and any(row[3] != "yes" for row in rows)
    )
    return ALL_MADE if complete else SOME_NOT_MADE


# --- What to do for whom -----------------------------------------------------------------------


@dataclass
class _Plan:
    to_make: list[Entry] = field(default_factory=list)
    to_push: list[Student] = field(default_factory=list)  # made before, not pushed yet
    students: dict[str, Student] = field(default_factory=dict)  # records of `to_make`, by id
    remotes: dict[str, str] = field(default_factory=dict)  # remote of each of `to_make`

    @classmethod
    def of(cls, roster: Roster, the_cohort: Cohort, job: CohortNewJob) -> _Plan:
        """Per roster entry: make it, push it, skip it (made before) or refuse it; the refused
        rows of this roster replace the previous run's in the manifest."""
        plan = cls()
        the_cohort.students = [s for s in the_cohort.students if s.status != REFUSED]
        for entry in roster.entries:
            problem = entry.problem
            record = the_cohort.find(entry.id) if entry.id and not problem else None
            if record is not None and record.email.casefold() != entry.email.casefold():
                problem = (
                    f"the id {entry.id!r} is already the project of {record.email} "
                    f"({record.name}): give this row another id"
                )
            if problem is not None:
                refused = _student(entry, REFUSED)
                refused.id, refused.error = None, problem  # ids stay unique in the manifest
                the_cohort.students.append(refused)
                continue
            assert entry.id is not None
            remote = job.remote.format_map(entry.placeholders()) if job.remote else None
            if record is not None and record.status == CREATED:
                plan._keep(the_cohort, record, remote, job.push)
                continue
            student = _student(entry, FAILED)
            student.remote, student.template = remote, the_cohort.settings.get("template")
            dest = the_cohort.root / entry.id
            if dest.exists() or dest.is_symlink():
                earlier = students.made_for(dest, entry.email)
                if earlier is None:
                    student.error = (
                        f"{dest} exists and is not this student's project: move it away, "
                        "then run this again"
                    )
                    the_cohort.put(student)
                    continue
                _record_creation(student, earlier)  # made by a run stopped before recording
                student.remote = None  # it may have stopped before setting it: `_keep` does
                the_cohort.put(student)
                plan._keep(the_cohort, student, remote, job.push)
                continue
            plan.to_make.append(entry)
            plan.students[entry.id] = student
            if remote:
                plan.remotes[entry.id] = remote
        return plan

    def _keep(self, the_cohort: Cohort, record: Student, remote: str | None, push: bool) -> None:
        """A project made before: give it the remote it lacks; push it if it is not yet."""
        if record.remote is None and remote is not None:
            project = the_cohort.project_dir(record)
            if project is not None and project.is_dir():
                from scaffold import remotes

                try:
                    remotes.set_origin(project, remote)
                    record.remote = remote
                except subprocess.CalledProcessError as error:
                    detail = (error.stderr or b"").decode(errors="replace").strip()
                    record.error = f"cannot set its remote: {detail or error}"
                    return
        if push and record.remote and not record.pushed:
            self.to_push.append(record)


def _roster_order(student: Student) -> int:
    return min(student.lines, default=0)


def _student(entry: Entry, status: str) -> Student:
    teamed = entry.team is not None
    return Student(
        id=entry.id,
        name=entry.name,
        email=entry.email,
        status=status,
        path=entry.id,
        team=entry.team,
        members=[{"name": m.name, "email": m.email, "id": m.id} for m in entry.members]
        if teamed
        else [],
        lines=list(entry.lines),
    )


def _render_job(
    job: CohortNewJob,
    data: dict[str, Any],
    source: BuiltinTemplate,
    entry: Entry | None,
    view: Path | None,
) -> RenderJob:
    answers = dict(data)
    if entry is not None:
        answers.update(author_name=entry.author_name, author_email=entry.email)
        if job.project_name:
            answers["project_name"] = job.project_name.format_map(entry.placeholders())
    return RenderJob(source=source, data=answers, defaults=True, trust=job.trust, view=view)


def _record_creation(student: Student, outcome: students.NewOutcome) -> None:
    if outcome.error is not None:
        student.status, student.error = FAILED, outcome.error
        return
    student.status, student.error = CREATED, None
    student.render_commit, student.branch = outcome.commit, outcome.branch
    student.template_version = outcome.version


def _push_task(the_cohort: Cohort, student: Student) -> students.PushTask:
    project = the_cohort.project_dir(student)
    assert project is not None and student.remote is not None
    return students.PushTask(student.id or "", project, student.remote, student.branch or "main")


def _record_pushes(
    the_cohort: Cohort,
    pushes: dict[Future[str | None], Student],
    bar: Any,
    results: dict[str, str],
    wait: bool,
) -> None:
    """Record the pushes that are done (all of them, waiting, if `wait`)."""
    for future in [f for f in pushes if wait or f.done()]:
        student = pushes.pop(future)
        failure = future.result()
        student.pushed, student.error = failure is None, failure and f"not pushed: {failure}"
        the_cohort.put(student)
        the_cohort.save_soon()
        if student.id not in results:  # a push of a project made before: its own step
            _shared.advance(bar)


# --- Refusals before anything is made ----------------------------------------------------------


def _refuse_unrelated(out: Path, roster_path: Path) -> None:
    """DIR must be new, empty, or this cohort's (it has a manifest)."""
    if out.exists() and not out.is_dir():
        raise ScaffoldError(f"{out} exists and is not a directory.", exit_code=2)
    if not out.is_dir() or cohort.manifest_in(out) is not None:
        return
    roster = roster_path.absolute()
    others = [
        path.name
        for path in out.iterdir()
        if path.absolute() != roster and path.name != cohort.LOCK_FILE
    ]
    if others:
        shown = ", ".join(sorted(others)[:5]) + (" ..." if len(others) > 5 else "")
        raise ScaffoldError(
            f"{out} holds files ({shown}) and is not a cohort made by scaffold (it has no "
            f"{cohort.MANIFEST_FILE}).",
            hint="Choose a new or empty directory for --out. Nothing was made.",
            exit_code=2,
        )


def _refuse_other_template(the_cohort: Cohort, source: BuiltinTemplate) -> None:
    made_from = the_cohort.settings.get("template")
    if made_from is not None and made_from != source.spec.name:
        raise ScaffoldError(
            f"{the_cohort.root} is the cohort of the {made_from} template, not {source.spec.name}.",
            hint="Give the same --template to add students to it, or choose another --out.",
            exit_code=2,
        )


def _remove_stale_staging(out: Path) -> None:
    """Staging directories left by a run that was killed outright (the lock says none runs)."""
    for path in out.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(path, ignore_errors=True)


def _settings(job: CohortNewJob, source: BuiltinTemplate) -> dict[str, Any]:
    templates_dir = str(source.template_set.root) if job.templates_dir else None
    return {
        "template": source.spec.name,
        "templates_dir": templates_dir,
        "project_name": job.project_name,
        "remote": job.remote,
        "made_with": f"ml-scaffold {__version__}",
    }


# --- The summary -------------------------------------------------------------------------------

_COLUMNS = ("line", "id", "status", "pushed", "name", "details")


def _summary_rows(
    roster: Roster,
    the_cohort: Cohort,
    results: dict[str, str],
    not_started: set[str | None],
    push: bool,
) -> list[list[str]]:
    """One row per roster entry, in roster order."""
    rows = []
    for entry in roster.entries:
        if entry.problem is None and entry.id in not_started:
            rows.append([_lines(entry), entry.id or "", "not started", "-", entry.name, ""])
            continue
        record = the_cohort.find(entry.id) if entry.id else None
        if entry.problem is not None or record is None or record.email != entry.email:
            refused = next(
                (s for s in the_cohort.students if s.status == REFUSED and s.lines == entry.lines),
                None,
            )
            why = refused.error if refused else entry.problem
            name = _one_line(entry.name)
            rows.append([_lines(entry), entry.id or "-", "refused", "-", name, why or ""])
            continue
        status = results.get(record.id or "") or (
            "done before" if record.status == CREATED else record.status
        )
        pushed = "yes" if record.pushed else ("no" if push or record.remote else "-")
        rows.append(
            [_lines(entry), record.id or "", status, pushed, entry.name, record.error or ""]
        )
    return rows


def _one_line(text: str) -> str:
    """A refused name as its row shows it: line breaks and control characters escaped."""
    return "".join(
        ascii(char)[1:-1] if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char
        for char in text
    )


def _lines(entry: Entry) -> str:
    return ",".join(str(line) for line in entry.lines)
