"""`scaffold check`: does the project have the newest version of its template? Meant for CI.

Exit codes: 0 up to date, 1 a newer template version exists, 2 cannot tell (no answers file,
unreadable template set, unreachable template...). No prompts; plain lines on stdout.
"""

from __future__ import annotations

from pathlib import Path

import typer

from scaffold import git
from scaffold.answers import ANSWERS_FILE, Answers, read_answers
from scaffold.errors import ScaffoldError
from scaffold.templates import load_template_set
from scaffold.versions import is_newer, newest_tag, parse_version

UP_TO_DATE, OUTDATED = 0, 1


def run(project: Path | None = None, templates_dir: Path | None = None) -> int:
    try:
        return _check(project_root(project), templates_dir)
    except ScaffoldError as error:
        if error.exit_code == 1:  # 1 means "outdated" here: every error is 2
            error.exit_code = 2
        raise


def project_root(project: Path | None) -> Path:
    """PROJECT (default: the current directory), or the top of its git repository."""
    path = (project or Path.cwd()).expanduser().absolute()
    if not path.is_dir():
        raise ScaffoldError(f"{path} is not a directory.", exit_code=2)
    if not (path / ANSWERS_FILE).is_file():
        top = git.toplevel(path)
        if top is not None and (top / ANSWERS_FILE).is_file():
            return top
    return path


def _check(root: Path, templates_dir: Path | None) -> int:
    answers = read_answers(root)
    current, newest = _versions(answers, templates_dir)
    what = answers.what
    if is_newer(newest, current):
        typer.echo(f"Outdated: the project has the {what} {current}; {newest} is available.")
        typer.echo("Run `scaffold update` to take it.")
        return OUTDATED
    if current != newest and parse_version(current) != parse_version(newest):
        typer.echo(f"Up to date: the project has the {what} {current}, newer than {newest} here.")
    else:
        typer.echo(f"Up to date: the project has the {what} {current}.")
    return UP_TO_DATE


def _versions(answers: Answers, templates_dir: Path | None) -> tuple[str | None, str]:
    """(the project's version, the newest available)."""
    if answers.is_builtin:
        template_set = load_template_set(templates_dir)
        template_set.get(str(answers.template))  # a set that lacks it cannot tell
        return answers.version, template_set.version
    return answers.commit, newest_tag(str(answers.src_path))
