"""Which project a command works on: the directory holding the answers file, checked to be
something `scaffold update` can merge into (the top of its own git repository, or no repository).
"""

from __future__ import annotations

from pathlib import Path

from scaffold import git
from scaffold.answers import ANSWERS_FILE, Answers, read_answers
from scaffold.errors import ScaffoldError
from scaffold.versions import parse_version


def locate(project: Path | None) -> Path:
    """PROJECT (default: the current directory) or the top of its repository, if that holds
    the answers file. A project in a subdirectory of a larger repository is refused here, so
    `check` and `update` say the same thing about it."""
    path = (project or Path.cwd()).expanduser().absolute()
    if not path.is_dir():
        raise ScaffoldError(f"{path} is not a directory.", exit_code=2)
    top = git.toplevel(path)
    if not (path / ANSWERS_FILE).is_file() and top is not None and (top / ANSWERS_FILE).is_file():
        return top
    if top is not None and (path / ANSWERS_FILE).is_file() and top != path.resolve():
        raise ScaffoldError(
            f"{path} is a project inside the larger git repository {top}: scaffold updates a "
            "project through its own history, with its files at the top of the repository.",
            hint="Make the project a repository of its own (move it out of the larger one and "
            "keep its history, or `git init` it where it is and run `scaffold update --adopt`).",
            exit_code=2,
        )
    return path


def read_checked_answers(root: Path) -> Answers:
    """The answers file, refused (exit 2) when it cannot say which template version made it."""
    answers = read_answers(root)
    if answers.is_builtin and parse_version(answers.version) is None:
        found = "no _scaffold_version" if answers.version is None else repr(answers.version)
        raise ScaffoldError(
            f"{root / ANSWERS_FILE} records the {answers.template} template with {found}, "
            "not a version: scaffold cannot tell what the project has.",
            hint="Restore the line from the project's history "
            f"(`git log -p -- {ANSWERS_FILE}`), e.g. `_scaffold_version: 1.0.0`.",
            exit_code=2,
        )
    return answers
