"""The template set's release notes (`CHANGELOG.md` beside `catalog.yml`): what changed for users
between the version a project has and the one an update brings."""

from __future__ import annotations

import re
from pathlib import Path

from scaffold.versions import parse_version

CHANGELOG_FILE = "CHANGELOG.md"
_HEADING = re.compile(r"^## +\[?v?(?P<version>[0-9][^\]\s]*)\]?.*$", re.MULTILINE)


def notes_between(template_set: Path, old: str | None, new: str | None) -> list[tuple[str, str]]:
    """(version, notes) for every version after `old` up to `new`, newest first."""
    path = template_set / CHANGELOG_FILE
    low, high = parse_version(old), parse_version(new)
    if low is None or high is None or not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    headings = list(_HEADING.finditer(text))
    sections = []
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        version = parse_version(heading["version"])
        if version is None or not low < version <= high:
            continue
        end = following.start() if following else len(text)
        sections.append((heading["version"], text[heading.end() : end].strip()))
    return sections
