"""`scaffold check`: does the project have the newest version of its template? Meant for CI.

Exit codes: 0 up to date, 1 a newer template is available (a newer version, or the same version
with different files, as a fork that forgot to bump its version), 2 cannot tell (no answers file
or version, unreadable template set, unreachable template, a rewritten render history...).
No prompts; plain lines on stdout. The verdict itself comes from `scaffold.template_status`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from scaffold.errors import ScaffoldError
from scaffold.project import locate
from scaffold.template_status import template_status

UP_TO_DATE, OUTDATED = 0, 1


def run(project: Path | None = None, templates_dir: Path | None = None) -> int:
    try:
        status = template_status(locate(project), templates_dir)
    except ScaffoldError as error:
        if error.exit_code == 1:  # 1 means "outdated" here: every error is 2
            error.exit_code = 2
        raise
    typer.echo(status.message)
    if status.how_to_update:
        typer.echo(status.how_to_update)
    return UP_TO_DATE if status.up_to_date else OUTDATED
