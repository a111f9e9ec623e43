"""`scaffold cohort status MANIFEST`: which students are behind the template set's version, and
whether an update branch waits for them; changes nothing (a fetch updates only the
remote-tracking refs of the instructor's copies).

Exit codes: 0 every student has the newest version; 1 some are behind; 2 for some it cannot be
told (unreachable, not a scaffold project) or the manifest is unreadable.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scaffold import cohort, students
from scaffold._commands.cohort import _shared
from scaffold.cohort import CREATED

CURRENT, BEHIND, UNKNOWN = 0, 1, 2
FETCHERS = 8  # fetches at once: they wait on the network


def run(
    manifest: Path,
    templates_dir: Path | None,
    fetch: bool,
    branch: str = students.DEFAULT_UPDATE_BRANCH,
) -> int:
    the_cohort = cohort.load(manifest.expanduser().absolute())
    templates_dir = templates_dir or the_cohort.settings.get("templates_dir")
    source = _shared.builtin_source(str(the_cohort.settings.get("template")), templates_dir)
    latest = source.template_set.version
    made = [s for s in the_cohort.students if s.status == CREATED and s.id]
    tasks = [
        students.StatusTask(
            id=student.id or "",
            project=the_cohort.root / (student.path or student.id or ""),
            remote=student.remote,
            branch=student.branch or "main",
            template=source.spec.name,
            latest=latest,
            update_branch=branch,
            fetch=fetch,
        )
        for student in made
    ]
    with _shared.progress("Looking at projects", len(tasks)) as bar:
        pool = ThreadPoolExecutor(FETCHERS)
        outcomes = []
        try:
            for outcome in pool.map(students.status, tasks):
                outcomes.append(outcome)
                _shared.advance(bar)
        finally:  # on Ctrl-C, the fetches not started never start (and the others are cut)
            pool.shutdown(wait=True, cancel_futures=True)
    rows = [
        [student.id or "", outcome.kind, outcome.version or "-", outcome.detail, student.name]
        for student, outcome in zip(made, outcomes, strict=True)
    ]
    _shared.print_table(
        f"{source.label} (newest): {len(made)} students",
        ("student", "status", "has", "details", "name"),
        rows,
    )
    _shared.stdout().print(f"{_shared.counted([o.kind for o in outcomes]) or 'no students'}.")
    kinds = {outcome.kind for outcome in outcomes}
    if kinds - {students.CURRENT, students.BEHIND}:
        return UNKNOWN
    return BEHIND if students.BEHIND in kinds else CURRENT
