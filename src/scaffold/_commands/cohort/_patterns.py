"""The `--project-name` and `--remote` patterns of `scaffold cohort new`, and what each roster
entry puts into them.

A pattern holds plain placeholders, {id}, {name}, {email} and {team}, and nothing str.format
would read further (an attribute, an index, a conversion, a format spec): a value is text put
in its place, never more pattern. A value never changes a remote URL's structure either: git
reads '/', ':', '@', '~', spaces and '%XX' (it decodes URLs before use), so a value goes into
--remote only if it is one safe path segment, as hosts name repositories: letters, digits,
'.', '_' and '-', starting with a letter or digit. An id always is (`roster.id_problem`); a row
whose name or team is not is refused, saying to use {id}. An email never is, so {email} cannot
be in --remote. A placeholder whose value is empty (the team of a student working alone) refuses
the row: it would leave a hole in the name or the URL.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from scaffold.errors import ScaffoldError
from scaffold.roster import Entry, Roster

PLACEHOLDERS = ("id", "name", "email", "team")
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_NEVER_IN_REMOTE = {"email": "an email address is no safe part of a URL"}


@dataclass(frozen=True)
class Pattern:
    option: str  # "--remote" or "--project-name"
    text: str
    fields: frozenset[str]  # the placeholders it uses

    @classmethod
    def parse(cls, option: str, text: str) -> Pattern:
        """The pattern, or a refusal (exit 2) of one that holds more than plain placeholders."""
        fields = set()
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as error:
            raise ScaffoldError(f"{option} {text!r}: {error}.", exit_code=2) from None
        for _, field, spec, conversion in parsed:
            if field is None:
                continue
            if field not in PLACEHOLDERS or spec or conversion:
                shown = "{" + field + (f"!{conversion}" if conversion else "")
                shown += (f":{spec}" if spec else "") + "}"
                known = field not in PLACEHOLDERS and field.isidentifier()
                what = "unknown placeholder" if known else "not a plain placeholder"
                raise ScaffoldError(
                    f"{option} {text!r}: {what} {shown}: use {{id}}, {{name}}, {{email}} or "
                    "{team}, as they are.",
                    exit_code=2,
                )
            fields.add(field)
        if option == "--remote":
            for field in fields & set(_NEVER_IN_REMOTE):
                raise ScaffoldError(
                    f"--remote {text!r}: {{{field}}} cannot go into --remote "
                    f"({_NEVER_IN_REMOTE[field]}).",
                    hint="Use {id}: the student's folder name, safe in any URL.",
                    exit_code=2,
                )
        return cls(option, text, frozenset(fields))

    def check_roster(self, roster: Roster) -> None:
        """Refuse (exit 2) a pattern that uses {team} for a roster without a team column."""
        if "team" in self.fields and not roster.has_teams:
            raise ScaffoldError(
                f"{self.option} {self.text!r} uses {{team}}, but the roster has no team column.",
                exit_code=2,
            )

    def problem(self, entry: Entry) -> str | None:
        """Why this entry's values cannot go into the pattern, or None."""
        values = entry.placeholders()
        for field in PLACEHOLDERS:
            if field not in self.fields:
                continue
            value = values[field]
            if not value:
                return f"the {field} cell is empty and {self.option} uses {{{field}}}"
            if self.option == "--remote" and not _SAFE_SEGMENT.match(value):
                return (
                    f"the {field} {value!r} cannot go into --remote: only letters, digits, "
                    "'.', '_' and '-' are safe in a URL; use {id} there"
                )
        return None

    def filled(self, entry: Entry) -> str:
        """The pattern with the entry's values (once `problem` says they fit)."""
        return self.text.format_map(entry.placeholders())


def parse_patterns(project_name: str | None, remote: str | None) -> list[Pattern]:
    return [
        Pattern.parse(option, text)
        for option, text in (("--project-name", project_name), ("--remote", remote))
        if text is not None
    ]


def refuse_rows(patterns: list[Pattern], roster: Roster) -> None:
    """Give every usable entry whose values do not fit a pattern its problem."""
    for pattern in patterns:
        pattern.check_roster(roster)
    for entry in roster.usable:
        for pattern in patterns:
            entry.problem = pattern.problem(entry)
            if entry.problem is not None:
                break
