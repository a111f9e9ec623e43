"""The repository under review, as the checks see it: its files (what git tracks, plus what
`git add --all` would add), its documents, its metrics, and how its own commands are run.

`Repository` is what the `portfolio` fixture gives every check. Everything is read lazily and
once, so a check that is not run costs nothing. The options of a review (`--run`, its timeout,
`--templates-dir`) reach the checks through `OPTIONS`, which `scaffold review` sets; plain
`repo-review` runs with the defaults.
"""

from __future__ import annotations

import contextvars
import functools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from scaffold.review import markdown

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


@dataclass(frozen=True)
class ReviewOptions:
    run_tests: bool = False  # run the project's tests (ML403)
    test_timeout: float = 900.0  # seconds
    templates_dir: Path | None = None  # the template set `scaffold check` compares with


OPTIONS: contextvars.ContextVar[ReviewOptions | None] = contextvars.ContextVar(
    "scaffold_review_options", default=None
)

# Never part of a repository, whether or not git ignores them (walked without git only).
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "env", "node_modules", "__pycache__", ".mypy_cache",
     ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".ipynb_checkpoints", ".cache"}
)  # fmt: skip
METRICS_FILES = ("reports/metrics.json", "results/metrics.json", "metrics.json")
README_NAMES = ("README.md", "README.markdown", "README.rst", "README.txt", "README")
MODEL_CARD = re.compile(r"(^|/)model[_-]?card\.md$", re.IGNORECASE)
DATASHEET = re.compile(
    r"(^|/)(datasheet|data[_-]?card|dataset[_-]?card)\.md$|^data/readme\.md$", re.IGNORECASE
)


class Repository:
    def __init__(self, root: Traversable, pyproject: dict[str, Any]) -> None:
        self.root = root
        self.path: Path | None = root if isinstance(root, Path) else None  # a local checkout
        self.pyproject = pyproject
        self.options = OPTIONS.get() or ReviewOptions()

    def __deepcopy__(self, memo: dict[int, Any]) -> Repository:
        # repo-review deep-copies the fixtures to catch a check that changes one. This object
        # changes nothing it was given (it only caches what it reads), so it is its own copy.
        return self

    # Files -------------------------------------------------------------------------------

    @functools.cached_property
    def in_git(self) -> bool:
        return self.path is not None and _git(self.path, "rev-parse", "--git-dir") is not None

    @functools.cached_property
    def files(self) -> list[str]:
        """Paths (POSIX, relative to the root) of the repository's files: with git, those it
        tracks and those `git add --all` would add; without, every file outside caches and
        virtual environments."""
        if self.in_git and self.path is not None:
            tracked = _git(self.path, "ls-files", "-z", "--cached")
            untracked = _git(self.path, "ls-files", "-z", "--others", "--exclude-standard")
            if tracked is not None and untracked is not None:
                names = {name for name in tracked.split("\0") if name}
                # A virtual environment or cache that .gitignore forgot is still no source.
                names |= {
                    name
                    for name in untracked.split("\0")
                    if name and not SKIPPED_DIRS.intersection(PurePosixPath(name).parts)
                }
                return sorted(name for name in names if (self.path / name).is_file())
        return sorted(_walk(self.root, ""))

    @functools.cached_property
    def file_set(self) -> frozenset[str]:
        return frozenset(self.files)

    def has(self, name: str) -> bool:
        return name in self.file_set

    def size(self, name: str) -> int | None:
        """Bytes of a file (None for a repository that is not on this disk)."""
        if self.path is None:
            return None
        try:
            return (self.path / name).stat().st_size
        except OSError:
            return None

    def read_text(self, name: str, limit: int | None = None) -> str | None:
        """A file's text (None if absent, unreadable or binary); at most `limit` bytes."""
        try:
            with self.root.joinpath(name).open("rb") as handle:
                data = handle.read(limit) if limit else handle.read()
        except OSError:
            return None
        if b"\0" in data[:8192]:
            return None
        return data.decode("utf-8", errors="replace")

    def find(self, pattern: re.Pattern[str]) -> list[str]:
        return [name for name in self.files if pattern.search(name)]

    # Documents ---------------------------------------------------------------------------

    @functools.cached_property
    def readme_name(self) -> str | None:
        lowered = {name.lower(): name for name in self.files if "/" not in name}
        return next((lowered[n.lower()] for n in README_NAMES if n.lower() in lowered), None)

    @functools.cached_property
    def readme(self) -> markdown.Document | None:
        text = self.read_text(self.readme_name) if self.readme_name else None
        return markdown.parse(text) if text is not None else None

    def document(self, name: str) -> markdown.Document | None:
        text = self.read_text(name)
        return markdown.parse(text) if text is not None else None

    @functools.cached_property
    def model_card_name(self) -> str | None:
        return _shortest(self.find(MODEL_CARD))

    @functools.cached_property
    def datasheet_name(self) -> str | None:
        return _shortest(self.find(DATASHEET))

    @functools.cached_property
    def metrics_name(self) -> str | None:
        return next((name for name in METRICS_FILES if self.has(name)), None)

    @functools.cached_property
    def metrics(self) -> dict[str, Any] | str | None:
        """The metrics file's object; a string saying what is wrong with it; None if absent."""
        if self.metrics_name is None:
            return None
        text = self.read_text(self.metrics_name)
        try:
            metrics = json.loads(text or "")
        except json.JSONDecodeError as error:
            return f"`{self.metrics_name}` is not valid JSON ({error})."
        if not isinstance(metrics, dict):
            return f"`{self.metrics_name}` holds no JSON object of metrics."
        return metrics

    # The project's own commands ----------------------------------------------------------

    @functools.cached_property
    def scaffold_answers(self) -> dict[str, Any] | None:
        """The answers file of a project made by ml-scaffold from a built-in template."""
        from scaffold import _yaml
        from scaffold.answers import ANSWERS_FILE

        text = self.read_text(ANSWERS_FILE)
        try:
            answers = _yaml.safe_load(text) if text else None
        except _yaml.YAMLError:
            return None
        if isinstance(answers, dict) and answers.get("_scaffold_template"):
            return answers
        return None

    @functools.cached_property
    def uses_uv(self) -> bool:
        return (
            self.has("uv.lock")
            or self.scaffold_answers is not None
            or "uv" in self.pyproject.get("tool", {})
        )

    @functools.cached_property
    def command(self) -> str | None:
        """How the README should tell a reader to run the project's command, e.g.
        `uv run review_sentiment`; None when it has no console script."""
        name = (self.scaffold_answers or {}).get("package_name")
        scripts = self.pyproject.get("project", {}).get("scripts", {})
        name = name if name in scripts else next(iter(scripts), None)
        if not name:
            return None
        return f"uv run {name}" if self.uses_uv else str(name)

    def test_command(self) -> list[str]:
        """`uv run pytest` where uv manages the project (uv.lock), else the project's own
        Python (`.venv`'s, or the first on PATH) with `-m pytest`."""
        if self.has("uv.lock") and shutil.which("uv"):
            return ["uv", "run", "pytest"]
        assert self.path is not None
        for venv in (".venv", "venv"):
            python = self.path / venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
            if python.is_file():
                return [str(python), "-m", "pytest"]
        return [shutil.which("python3") or shutil.which("python") or "python", "-m", "pytest"]


def _git(path: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(path), *args],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def git_attribute(path: Path, attribute: str, names: list[str]) -> dict[str, str]:
    """{name: value} of a git attribute (e.g. `filter`, `lfs` for Git LFS files)."""
    if not names:
        return {}
    try:
        result = subprocess.run(
            ["git", "-C", str(path), "check-attr", "-z", "--stdin", attribute],
            input="\0".join(names) + "\0",
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    fields = result.stdout.split("\0")
    return {fields[i]: fields[i + 2] for i in range(0, len(fields) - 2, 3)}


def _walk(directory: Traversable, prefix: str) -> Iterator[str]:
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    for entry in entries:
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            if entry.name not in SKIPPED_DIRS and not entry.name.endswith(".egg-info"):
                yield from _walk(entry, f"{name}/")
        elif entry.is_file():
            yield name


def _shortest(names: list[str]) -> str | None:
    """The file nearest the root: `MODEL_CARD.md` before `docs/old/model_card.md`."""
    return min(names, key=lambda name: (len(PurePosixPath(name).parts), name), default=None)
