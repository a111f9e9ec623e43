"""A cohort's manifest (`DIR/cohort.yml`): what `scaffold cohort new` made for every student.

One record per student (or team): who, where the project is (a folder of DIR) and its remote,
the template and version it was made from, its first commit, whether it was pushed, what went
wrong, and what the last `scaffold cohort update` did. `cohort new` resumes from it and
`cohort update` / `cohort status` read it.

It is saved as students are done, atomically (a temporary file in the same directory, then a
rename), so Ctrl-C or a crash leaves a complete manifest, never half of one. A big cohort's
manifest takes a while to write, so `save_soon` writes it at most every quarter second: a run
killed outright (Ctrl-C always saves) may miss the last students made, and the next run finds
their projects and records them (`students.made_for`). A lock file keeps two runs from working
on one cohort at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from scaffold import _yaml
from scaffold.errors import ScaffoldError

MANIFEST_FILE = "cohort.yml"
MANIFEST_JSON = "cohort.json"  # the same manifest as JSON, if the instructor prefers it
LOCK_FILE = ".cohort.lock"
UPDATE_REPORT = "cohort-update"  # .md and .csv
# Names in DIR that are the cohort's own: no student's folder may take one.
RESERVED = frozenset({MANIFEST_FILE, MANIFEST_JSON, LOCK_FILE, f"{UPDATE_REPORT}.md",
                      f"{UPDATE_REPORT}.csv"})  # fmt: skip
_HEADER = (
    "# Written by `scaffold cohort new`, one entry per student; `scaffold cohort update` and\n"
    "# `scaffold cohort status` read it. Re-running `cohort new` skips the students made here.\n"
)

CREATED, FAILED, REFUSED = "created", "failed", "refused"  # a student's status
SAVE_INTERVAL = 0.25  # seconds


@dataclass
class Student:
    id: str | None  # the folder name; None for a roster row whose id is unusable
    name: str
    email: str
    status: str  # CREATED, FAILED (retried by the next run) or REFUSED (the roster row)
    path: str | None = None  # relative to the cohort's directory
    remote: str | None = None
    team: str | None = None
    members: list[dict[str, Any]] = field(default_factory=list)  # a team's: name, email, id
    lines: list[int] = field(default_factory=list)  # roster lines
    template: str | None = None
    template_version: str | None = None
    render_commit: str | None = None  # the project's first commit: the pristine render
    branch: str | None = None  # the project's branch (main)
    pushed: bool = False
    error: str | None = None
    update: dict[str, Any] | None = None  # what the last `cohort update` did

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Student:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in raw.items() if key in known})

    def to_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in _STUDENT_FIELDS}


_STUDENT_FIELDS = tuple(f.name for f in fields(Student))


@dataclass
class Cohort:
    manifest: Path
    settings: dict[str, Any] = field(default_factory=dict)  # how `cohort new` was run
    students: list[Student] = field(default_factory=list)
    _saved_at: float = field(default=0.0, repr=False)

    @property
    def root(self) -> Path:
        return self.manifest.parent

    def find(self, student_id: str) -> Student | None:
        wanted = student_id.casefold()
        return next(
            (s for s in self.students if s.id is not None and s.id.casefold() == wanted), None
        )

    def put(self, student: Student) -> None:
        """Add the student, or replace the record with the same id."""
        for index, existing in enumerate(self.students):
            if existing.id is not None and existing.id == student.id:
                self.students[index] = student
                return
        self.students.append(student)

    def project_dir(self, student: Student) -> Path | None:
        return self.root / student.path if student.path else None

    def save_soon(self) -> None:
        """Save, unless the last save was a moment ago (call `save` once done)."""
        if time.monotonic() - self._saved_at >= SAVE_INTERVAL:
            self.save()

    def save(self) -> None:
        """Write the manifest atomically: readers see the old one or the new one, whole."""
        self._saved_at = time.monotonic()
        data = {
            "cohort": self.settings,
            "students": [student.to_dict() for student in self.students],
        }
        if self.manifest.suffix == ".json":
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        else:
            text = _HEADER + _yaml.safe_dump(data)
        # Not mkstemp: its file is the owner's alone (0600), where the manifest follows the
        # umask like every file scaffold writes. The lock keeps other runs from this name.
        temporary = self.root / f".{self.manifest.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        stream = open(temporary, "x", encoding="utf-8")  # outside the try: a name not ours
        try:
            with stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.manifest)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


def manifest_in(directory: Path) -> Path | None:
    """The manifest of the cohort in `directory`, if it is one."""
    for name in (MANIFEST_FILE, MANIFEST_JSON):
        if (directory / name).is_file():
            return directory / name
    return None


def load(manifest: Path) -> Cohort:
    """Read a manifest (YAML or JSON), refusing one that is not a cohort's (exit 2)."""
    if manifest.is_dir():
        found = manifest_in(manifest)
        if found is None:
            raise ScaffoldError(
                f"{manifest} holds no {MANIFEST_FILE}: it is not a cohort made by "
                "`scaffold cohort new`.",
                exit_code=2,
            )
        manifest = found
    try:
        raw = _yaml.safe_load(manifest.read_text(encoding="utf-8"))  # YAML reads JSON too
    except OSError as error:
        raise ScaffoldError(
            f"Cannot read the manifest {manifest}: {error.strerror or error}", exit_code=2
        ) from error
    except _yaml.YAMLError as error:
        raise ScaffoldError(
            f"The manifest {manifest} is not valid YAML: {error}", exit_code=2
        ) from error
    if not isinstance(raw, dict) or not isinstance(raw.get("students"), list):
        raise ScaffoldError(
            f"{manifest} is not a cohort manifest (no `students` list).", exit_code=2
        )
    try:
        students = [Student.from_dict(entry) for entry in raw["students"]]
    except (TypeError, AttributeError) as error:
        raise ScaffoldError(f"The manifest {manifest} is malformed: {error}", exit_code=2) from None
    settings = raw.get("cohort") if isinstance(raw.get("cohort"), dict) else {}
    return Cohort(manifest=manifest.absolute(), settings=dict(settings), students=students)


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the cohort's lock: a second run on the same directory is refused, not mixed in."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks this way; runs are not guarded
        yield
        return
    with open(directory / LOCK_FILE, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ScaffoldError(
                f"Another scaffold cohort command is working on {directory}.",
                hint="Wait for it to finish, then run this again.",
                exit_code=2,
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
