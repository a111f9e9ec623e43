"""Template versions: the built-in set's `version`, or a custom git template's tags.

Custom templates follow Copier's rules (PEP 440 tags, newest wins, pre-releases skipped), so
`scaffold check`, `scaffold update` and `copier update` agree on what "newest" means.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from scaffold.errors import ScaffoldError

if TYPE_CHECKING:
    from packaging.version import Version

# `git describe --tags` past a tag, as Copier records it in _commit: v1.2-3-gabc1234
_DESCRIBED = re.compile(r"^(?P<tag>.+)-(?P<count>\d+)-g[0-9a-f]+$")


def parse_version(text: str | None) -> Version | None:
    """A comparable version, or None for what is not one (a bare commit hash, say)."""
    from packaging.version import InvalidVersion, Version

    if not text:
        return None
    described = _DESCRIBED.match(text)
    try:
        if described:
            return Version(f"{described['tag']}.post{described['count']}")
        return Version(text)
    except InvalidVersion:
        return None


def is_newer(candidate: str | None, current: str | None) -> bool:
    """Whether `candidate` is a later version than `current` (unparseable: when they differ)."""
    new, old = parse_version(candidate), parse_version(current)
    if new is not None and old is not None:
        return new > old
    return candidate is not None and candidate != current


def newest_tag(src: str) -> str:
    """The newest version tag of a git template (what Copier takes without --vcs-ref)."""
    from copier._vcs import get_latest_tag, get_repo  # Copier's own choice, see module doc
    from plumbum import ProcessExecutionError

    repo = get_repo(src)
    if repo is None:
        raise ScaffoldError(
            f"The template {src} is not a git repository, so it has no versions to compare.",
            exit_code=2,
        )
    try:
        tag = get_latest_tag(repo)
    except ProcessExecutionError as error:
        detail = (error.stderr or "").strip().splitlines()
        raise ScaffoldError(
            f"Could not list the tags of {src}: " + (detail[-1] if detail else str(error)),
            exit_code=2,
        ) from error
    if tag == "HEAD":
        raise ScaffoldError(f"The template {src} has no version tags.", exit_code=2)
    return tag
