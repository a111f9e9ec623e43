"""A class roster: who gets a project, under which id and folder name, and which rows cannot.

The roster is a CSV file (UTF-8, with or without a byte-order mark) with a header. `name` and
`email` are required; `id` (a username or student number) and `team` are optional. Each row
becomes an entry (one project), or with `team` each team does, with every member as an author.

A row that cannot become a project keeps a message saying why (an empty cell, a duplicate, an id
that would make an unsafe folder name) and never stops the other rows. Folder names are ids:
given ones must already be safe, ones derived from names are transliterated to ASCII
("Zoë Müller" → "zoe-muller", "Иван" → "ivan") and cut to a safe length. Two ids that differ
only in case would be one folder on a case-insensitive file system (macOS, Windows): the later
row is refused.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from scaffold.errors import ScaffoldError

REQUIRED_COLUMNS = ("name", "email")
OPTIONAL_COLUMNS = ("id", "team")
MAX_NAME = 100  # characters of a name or team name (it goes into README and author fields)
MAX_ID = 64  # characters of a given id
MAX_SLUG = 40  # characters of an id derived from a name
# The same check as the template's author_email question, so a row fails here, not mid-render.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Names Windows will not give a file, whatever the extension.
_DEVICE_NAMES = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10))}
_DEVICE_NAMES |= {f"lpt{n}" for n in range(1, 10)}


@dataclass(frozen=True)
class Member:
    name: str
    email: str
    id: str | None  # as given in the roster's id column
    line: int


@dataclass
class Entry:
    """One project to make: a student's, or a team's."""

    id: str | None  # the key in the cohort's manifest and the folder name; None if unusable
    name: str  # the student's name, or the team's
    members: list[Member]
    lines: list[int]  # roster lines it comes from
    team: str | None = None
    problem: str | None = None  # why it cannot be made; None when it can

    @property
    def email(self) -> str:
        return self.members[0].email if self.members else ""

    @property
    def author_name(self) -> str:
        return ", ".join(member.name for member in self.members)

    @property
    def where(self) -> str:
        lines = ", ".join(str(line) for line in self.lines)
        return f"line{'s' if len(self.lines) > 1 else ''} {lines}"

    def placeholders(self) -> dict[str, str]:
        """What `--project-name` and `--remote` patterns may use."""
        return {
            "id": self.id or "",
            "name": self.name,
            "email": self.email,
            "team": self.team or "",
        }


@dataclass
class Roster:
    path: Path
    entries: list[Entry] = field(default_factory=list)
    has_teams: bool = False

    @property
    def usable(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.problem is None]

    @property
    def refused(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.problem is not None]


def read_roster(path: Path, reserved: set[str] | frozenset[str] = frozenset()) -> Roster:
    """Every row as an entry, each with its problem if it has one.

    `reserved` holds folder names the ids may not take (the cohort's own files). A roster that
    cannot be read at all (not UTF-8, no header, a required column missing) is refused whole.
    """
    rows = _read_rows(path)
    if not rows:
        raise ScaffoldError(f"The roster {path} is empty: it needs a header and a row per student.")
    header = [_column(cell) for cell in rows[0].cells]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        found = ", ".join(repr(cell) for cell in rows[0].cells) or "nothing"
        raise ScaffoldError(
            f"The roster {path} has no {' or '.join(repr(c) for c in missing)} column "
            f"(its header has {found}).",
            hint="The first line names the columns: name,email (required), id, team "
            "(optional), e.g.\n  name,email,id\n  Ada Lovelace,ada@example.org,alovelace",
            exit_code=2,
        )
    duplicated = sorted({column for column in header if column and header.count(column) > 1})
    if duplicated:
        raise ScaffoldError(
            f"The roster {path} has the column {duplicated[0]!r} twice.", exit_code=2
        )
    roster = Roster(path=path, has_teams="team" in header)
    members: list[tuple[Member, str | None, str | None]] = []  # (member, team, problem)
    for row in rows[1:]:
        if not any(cell.strip() for cell in row.cells):
            continue  # a blank line is no student
        cells = {column: _cell(row.cells, index) for index, column in enumerate(header) if column}
        member = Member(cells["name"], cells["email"], cells.get("id") or None, row.line)
        team = (cells.get("team") or None) if roster.has_teams else None
        members.append((member, team, _row_problem(row, header, cells)))
    if roster.has_teams:
        roster.entries = _team_entries(members)
    else:
        roster.entries = [
            Entry(
                id=_student_id(member),
                name=member.name,
                members=[member],
                lines=[member.line],
                problem=problem,
            )
            for member, _, problem in members
        ]
    _refuse_unusable_ids(roster.entries, reserved)
    _refuse_duplicates(roster.entries)
    return roster


def slugify(text: str, limit: int = MAX_SLUG) -> str:
    """An ASCII folder name from any text: lowercase letters, digits and dashes, at most
    `limit` characters, cut at a dash when it can be; "" when nothing is left."""
    from text_unidecode import unidecode

    ascii_text = unidecode(unicodedata.normalize("NFKC", text))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        cut = slug[: limit + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut[1:] else slug[:limit]
    return slug.strip("-")


def id_problem(identifier: str) -> str | None:
    """Why `identifier` cannot be a folder name on every file system, or None."""
    if len(identifier) > MAX_ID:
        return f"is longer than {MAX_ID} characters"
    if not _SAFE_ID.match(identifier):
        return (
            "cannot be a folder name: use letters, digits, '.', '_' and '-', starting with a "
            "letter or digit"
        )
    if identifier.endswith("."):
        return "cannot end with '.' (Windows drops it)"
    if identifier.split(".")[0].lower() in _DEVICE_NAMES:
        return "is a device name on Windows"
    return None


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int  # where it starts in the file, as an editor counts lines
    last_line: int  # where it ends: a later line when a quoted cell holds a line break
    cells: list[str]


def _read_rows(path: Path) -> list[_Row]:
    """The CSV records of the file, split as the csv module splits them: at a line break outside
    quotes (CR, LF or CRLF), never at one inside a cell or at U+2028 or U+0085, which stay in
    their cell (and refuse its row)."""
    try:
        # Not read_text: it would turn every CR into a line break of its own.
        text = path.read_bytes().decode("utf-8-sig")  # drops a byte-order mark
    except UnicodeDecodeError as error:
        raise ScaffoldError(
            f"The roster {path} is not UTF-8 text (byte {error.start}).",
            hint='Save it as "CSV UTF-8" from the spreadsheet.',
            exit_code=2,
        ) from error
    except OSError as error:
        raise ScaffoldError(
            f"Cannot read the roster {path}: {error.strerror or error}", exit_code=2
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for cells in reader:
            first = rows[-1].last_line + 1 if rows else 1
            rows.append(_Row(first, reader.line_num, cells))
    except csv.Error as error:
        raise ScaffoldError(f"The roster {path} is not valid CSV: {error}", exit_code=2) from error
    return rows


def _column(cell: str) -> str:
    return cell.strip().lower()


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _row_problem(row: _Row, header: list[str], cells: dict[str, str]) -> str | None:
    if row.last_line > row.line:
        return f"a quoted cell runs over lines {row.line}-{row.last_line}: put it on one line"
    if len(row.cells) > len(header):
        return f"it has {len(row.cells)} cells but the header names {len(header)} columns"
    empty = [column for column in REQUIRED_COLUMNS if not cells.get(column)]
    if empty:
        return f"the {' and '.join(empty)} {'cell is' if len(empty) == 1 else 'cells are'} empty"
    for column in ("name", "team"):
        problem = _text_problem(cells.get(column, ""), column)
        if problem:
            return problem
    if not _EMAIL.match(cells["email"]):
        return f"{cells['email']!r} is not an email address (like name@example.org)"
    return None


def _text_problem(text: str, what: str) -> str | None:
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in text):
        return f"the {what} holds a control character or a line break"
    if len(text) > MAX_NAME:
        return f"the {what} is longer than {MAX_NAME} characters"
    return None


def _student_id(member: Member) -> str | None:
    return member.id or slugify(member.name) or None


def _team_entries(members: list[tuple[Member, str | None, str | None]]) -> list[Entry]:
    """One entry per team, its members in roster order; team names that make the same folder
    name ("Team Rocket", "team rocket") are one team, called as on its first row. A team with a
    refused row waits for that row to be fixed: its project is made once, with every member.
    A row with an empty team cell is a student working alone."""
    teams: dict[str, Entry] = {}
    entries: list[Entry] = []
    for member, team, problem in members:
        if problem is not None:
            entries.append(
                Entry(id=None, name=member.name, members=[member], lines=[member.line],
                      team=team, problem=problem)
            )  # fmt: skip
            continue
        if team is None:
            entries.append(
                Entry(id=_student_id(member), name=member.name, members=[member],
                      lines=[member.line])
            )  # fmt: skip
            continue
        key = slugify(team).casefold() or team.casefold()
        entry = teams.get(key)
        if entry is None:
            entry = teams[key] = Entry(
                id=slugify(team) or None, name=team, members=[], lines=[], team=team
            )
            entries.append(entry)
        entry.members.append(member)
        entry.lines.append(member.line)
    for member, team, problem in members:  # hold back the teams of refused rows
        entry = teams.get(slugify(team or "").casefold() or (team or "").casefold())
        if problem is not None and entry is not None and entry.problem is None:
            entry.problem = f"line {member.line} of this team is refused ({problem}); fix it first"
    return entries


def _refuse_unusable_ids(entries: list[Entry], reserved: set[str] | frozenset[str]) -> None:
    for entry in entries:
        if entry.problem is not None:
            continue
        what = "team" if entry.team is not None else "id"
        if entry.id is None:
            if entry.team is not None:
                entry.problem = (
                    f"the team name {entry.name!r} gives no folder name in ASCII letters or "
                    "digits: rename the team"
                )
            else:
                entry.problem = (
                    f"the name {entry.name!r} gives no folder name in ASCII letters or digits: "
                    "add an id column"
                )
            continue
        problem = id_problem(entry.id)
        if problem:
            entry.problem = f"the {what} {entry.id!r} {problem}"
        elif entry.id.casefold() in {name.casefold() for name in reserved}:
            entry.problem = f"the {what} {entry.id!r} is the name of a file of the cohort's"


def _refuse_duplicates(entries: list[Entry]) -> None:
    """The later of two entries with one folder (ids equal but for case), or two rows with one
    email, is refused, naming the first."""
    seen_ids: dict[str, Entry] = {}
    for entry in entries:
        if entry.problem is not None or entry.id is None:
            continue
        first = seen_ids.setdefault(entry.id.casefold(), entry)
        if first is entry:
            continue
        how = "rename a team" if entry.team else "give the rows distinct ids in an id column"
        if first.id == entry.id:
            entry.problem = f"{first.where} has the same id {entry.id!r}: {how}"
        else:
            entry.problem = (
                f"the id {entry.id!r} differs only in case from {first.id!r} ({first.where}): "
                f"one folder on case-insensitive file systems (macOS, Windows); {how}"
            )
    seen_emails: dict[str, int] = {}
    for entry in entries:
        for member in entry.members:
            if not member.email:
                continue
            first_line = seen_emails.setdefault(member.email.casefold(), member.line)
            if first_line != member.line and entry.problem is None:
                entry.problem = f"the email {member.email!r} is also on line {first_line}"
