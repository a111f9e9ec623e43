"""`scaffold cohort update MANIFEST`: offer every student the template's newest version as a
branch of their repository, and report per student what happened.

For each student the same 3-way update as `scaffold update` (the student's pristine render as
the base, `scaffold.updating`) is merged onto a new branch, `scaffold/update-<version>`, started
from the student's current main as fetched from their remote; with --push that branch is pushed,
for the student to merge like any pull request. A student's main is never changed or pushed.
Conflicts are committed (with their markers) only with --commit-conflicts; otherwise no branch
is made and the report lists the files. A failing student never stops the others.

The report goes to the terminal (a table), and to DIR/cohort-update.md and .csv.
Exit codes: 0 every student updated or up to date (and pushed, with --push); 1 some were not;
2 refused (an unreadable manifest); 128 + the signal interrupted (130 for Ctrl-C).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from pathlib import Path

import typer

from scaffold import batch, changelog, cohort, git, interrupts, students
from scaffold._commands.cohort import _shared
from scaffold.cohort import CREATED, Cohort, Student
from scaffold.errors import ScaffoldError, interrupted
from scaffold.rendering import BuiltinTemplate, RenderJob, shared_view
from scaffold.versions import parse_version

ALL_DONE, SOME_NOT_DONE = 0, 1

# What each outcome is called in the reports.
_SAID = {
    students.UPDATED: "updated cleanly",
    students.CONFLICTS: "conflicts",
    students.UP_TO_DATE: "already up to date",
    students.OFFERED: "update already offered",
    students.UNREACHABLE: "unreachable remote",
    students.NOT_SCAFFOLD: "not a scaffold project",
    students.REFUSED: "refused",
    students.FAILED: "failed",
    students.NOT_STARTED: "not started",
}


@dataclass
class CohortUpdateJob:
    manifest: Path
    push: bool = False
    commit_conflicts: bool = False
    branch: str = students.DEFAULT_UPDATE_BRANCH
    templates_dir: Path | None = None
    jobs: int | None = None
    trust: bool = False


def run(job: CohortUpdateJob) -> int:
    the_cohort = cohort.load(job.manifest.expanduser().absolute())
    _check_branch(job.branch)
    # From here on a stop lets the students under way finish.
    with interrupts.noted() as stop, cohort.locked(the_cohort.root):
        return _update(job, the_cohort, stop)


def _update(job: CohortUpdateJob, the_cohort: Cohort, stop: interrupts.Stops) -> int:
    templates_dir = job.templates_dir or the_cohort.settings.get("templates_dir")
    source = _shared.builtin_source(str(the_cohort.settings.get("template")), templates_dir)
    made = [s for s in the_cohort.students if s.status == CREATED and s.id]
    skipped = len(the_cohort.students) - len(made)
    outcomes: list[tuple[Student, students.UpdateOutcome]] = []
    when = datetime.datetime.now().astimezone()
    with (
        shared_view(source) as view,
        _shared.progress("Updating projects", len(made)) as bar,
    ):
        render = RenderJob(
            source=source,
            user_defaults=git.identity_defaults(),
            defaults=True,  # questions new to the template take their defaults
            trust=job.trust,
            view=view,
        )
        tasks = {
            student.id: students.UpdateTask(
                id=student.id or "",
                project=the_cohort.root / (student.path or student.id or ""),
                remote=student.remote,
                branch=student.branch or "main",
                render=render,
                update_branch=job.branch,
                commit_conflicts=job.commit_conflicts,
                push=job.push,
            )
            for student in made
        }
        workers = batch.workers_for(len(tasks), job.jobs)
        for task, outcome in batch.run(
            students.update, list(tasks.values()), workers, stop, students.update_failed
        ):
            student = next(s for s in made if s.id == task.id)
            student.update = _record(outcome, when)
            outcomes.append((student, outcome))
            the_cohort.save_soon()
            _shared.advance(bar)
        the_cohort.save()
    worked_on = len(outcomes)
    # Not started (a stop, or workers that died): in the report, and their record in the
    # manifest stays that of the last update that did something for them.
    done = {student.id for student, _ in outcomes}
    outcomes += [
        (student, students.update_not_started(tasks[student.id]))
        for student in made
        if student.id not in done
    ]

    outcomes.sort(key=lambda pair: made.index(pair[0]))
    after = source.template_set.version
    _print_release_notes(source, outcomes, after)
    rows = [_row(student, outcome) for student, outcome in outcomes]
    title = f"{source.label}: {len(outcomes)} students"
    _shared.print_table(title, _COLUMNS, [row[:5] for row in rows])
    summary = _shared.counted([_SAID[outcome.kind] for _, outcome in outcomes])
    report = _write_reports(the_cohort, source, outcomes, rows, when, job)
    out = _shared.stdout()
    out.print(f"{summary or 'no students'}.")
    if skipped:
        out.print(f"{skipped} roster rows have no project (see `scaffold cohort new`): skipped.")
    out.print(f"Report: {report}.md and {report}.csv", markup=False)
    not_started = len(made) - worked_on
    if stop.requested:
        raise interrupted(
            f"Interrupted: {worked_on} of {len(made)} students were worked on, {not_started} "
            "not started (see the report); run the same command again for the rest."
        )
    if not_started:
        raise ScaffoldError(
            f"{not_started} of {len(made)} students were not started: a worker process "
            "stopped (see the report); run the same command again for them."
        )
    failed = [
        outcome
        for _, outcome in outcomes
        if not outcome.ok
        or (job.push and outcome.kind != students.OFFERED and outcome.branch and not outcome.pushed)
    ]
    return SOME_NOT_DONE if failed else ALL_DONE


def _check_branch(pattern: str) -> None:
    sample = pattern.replace("{version}", "1.0.0")
    if "{" in sample or "}" in sample or not sample.strip("/") or sample in ("main", "master"):
        raise ScaffoldError(
            f"--branch {pattern!r}: give a branch name of its own, with {{version}} at most "
            "(e.g. scaffold/update-{version}).",
            exit_code=2,
        )


def _record(outcome: students.UpdateOutcome, when: datetime.datetime) -> dict[str, object]:
    return {
        "at": when.isoformat(timespec="seconds"),
        "outcome": outcome.kind,
        "from": outcome.before,
        "to": outcome.after,
        "branch": outcome.branch,
        "pushed": outcome.pushed,
        "conflicts": [path for path, _ in outcome.conflicts],
        "detail": outcome.push_error or outcome.detail or None,
    }


# --- The report ------------------------------------------------------------------------------

_COLUMNS = ("student", "outcome", "files", "branch", "details")


def _row(student: Student, outcome: students.UpdateOutcome) -> list[str]:
    said = _SAID[outcome.kind]
    if outcome.before and outcome.after and outcome.before != outcome.after:
        said += f" ({outcome.before} → {outcome.after})"
    files = "; ".join(f"{path} ({what})" for path, what in outcome.conflicts)
    if outcome.kind in (students.UPDATED, students.CONFLICTS) and outcome.branch:
        files = "; ".join(filter(None, [outcome.detail, files]))
    if outcome.branch is None:
        branch = "-"
    elif outcome.kind == students.OFFERED:
        branch = f"{outcome.branch} (on the remote)"
    elif outcome.pushed:
        branch = f"{outcome.branch} (pushed)"
    else:
        branch = f"{outcome.branch} (not pushed)"
    details = outcome.push_error and f"not pushed: {outcome.push_error}"
    if outcome.kind not in (students.UPDATED, students.CONFLICTS):
        details = outcome.detail
    elif outcome.branch is None:
        details = "not made: settle the conflicts, or re-run with --commit-conflicts"
    return [student.id or "", said, files, branch, details or "", student.name, student.email]


def _write_reports(
    the_cohort: Cohort,
    source: BuiltinTemplate,
    outcomes: list[tuple[Student, students.UpdateOutcome]],
    rows: list[list[str]],
    when: datetime.datetime,
    job: CohortUpdateJob,
) -> Path:
    """DIR/cohort-update.md and .csv; returns their path without the suffix."""
    stem = the_cohort.root / cohort.UPDATE_REPORT
    lines = [
        f"# {source.label}: template update of {len(outcomes)} students",
        "",
        f"{when:%Y-%m-%d %H:%M %Z}. Branch "
        f"`{job.branch.format(version=source.template_set.version)}`"
        + (", pushed" if job.push else ", not pushed (run with --push to offer it)")
        + ". Students merge the branch like any pull request; their main was not changed.",
        "",
        _shared.counted([_SAID[o.kind] for _, o in outcomes]) + ".",
        "",
        "| student | name | outcome | files | branch | details |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        cells = [row[0], row[5], row[1], row[2], row[3], row[4]]
        lines.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
    notes = _notes(source, outcomes, source.template_set.version)
    if notes:
        lines += ["", "## What changed in the template", ""]
        for version, text in notes:
            lines += [f"### {version}", "", text, ""]
    stem.with_suffix(".md").write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")

    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(
        ["id", "name", "email", "outcome", "from", "to", "branch", "pushed", "conflicts", "details"]
    )
    for student, outcome in outcomes:
        row = [
            student.id,
            student.name,
            student.email,
            _SAID[outcome.kind],
            outcome.before or "",
            outcome.after or "",
            outcome.branch or "",
            "yes" if outcome.pushed else "no",
            "; ".join(f"{path} ({what})" for path, what in outcome.conflicts),
            outcome.push_error or outcome.detail,
        ]
        writer.writerow([_inert(cell or "") for cell in row])
    stem.with_suffix(".csv").write_text(buffer.getvalue(), encoding="utf-8")
    return stem


# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection), fullwidth forms
# included: such a cell gets a "'" first, which spreadsheets show as text and hide.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# Markdown's and HTML's: escaped, so a name is shown as written, never as a link or a tag.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~&])")


def _inert(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _md(cell: str) -> str:
    return _MARKDOWN.sub(r"\\\1", " ".join(cell.splitlines())) or " "


def _notes(
    source: BuiltinTemplate, outcomes: list[tuple[Student, students.UpdateOutcome]], after: str
) -> list[tuple[str, str]]:
    """The release notes from the oldest version a student had to the newest."""
    befores = [o.before for _, o in outcomes if o.before and parse_version(o.before)]
    if not befores:
        return []
    oldest = min(befores, key=lambda version: parse_version(version))  # type: ignore[arg-type,return-value]
    return changelog.notes_between(source.template_set.root, oldest, after)


def _print_release_notes(
    source: BuiltinTemplate, outcomes: list[tuple[Student, students.UpdateOutcome]], after: str
) -> None:
    sections = _notes(source, outcomes, after)
    if not sections:
        return
    typer.echo(f"What changed in the {source.spec.name} template up to {after}:")
    for version, notes in sections:
        typer.echo(f"\n{version}\n" + "\n".join(f"  {line}" for line in notes.splitlines()))
    typer.echo("")
