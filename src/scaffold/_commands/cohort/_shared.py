"""What the cohort commands show alike: a progress bar while students are worked on (on stderr,
only in a terminal), and tables of per-student results (on stdout)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.errors import ScaffoldError
from scaffold.templates import TemplateSet, load_template_set
from scaffold.ui import console

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from scaffold.rendering import BuiltinTemplate


@contextlib.contextmanager
def progress(description: str, total: int) -> Iterator[Progress]:
    """A progress bar with a task of `total` steps (call `advance(0)`); quiet without a
    terminal, where it would only fill logs."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    out = console()
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
        disable=not out.is_terminal,
    )
    bar.add_task(description, total=total)
    with bar:
        yield bar


def advance(bar: Progress) -> None:
    bar.advance(bar.task_ids[0])


def stdout() -> Console:
    """Tables go to stdout; when it is not a terminal (a log, a file) each row stays on one
    line, however long, so that it can be searched."""
    from rich.console import Console

    return Console(width=None if _is_terminal() else 10_000, highlight=False)


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Cells are shown as written: a name like "Ada [/b]" is text, not rich's markup."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title), title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(str(cell)) for cell in row))
    stdout().print(table)


def counted(kinds: Sequence[str]) -> str:
    """'18 updated, 4 conflicts, 1 refused' in the order kinds first appear."""
    counts = Counter(kinds)
    return ", ".join(f"{count} {kind}" for kind, count in counts.items())


def builtin_source(name: str, templates_dir: Path | str | None) -> BuiltinTemplate:
    """The cohort's template: a template of the built-in set or of a copy of it (a bootcamp's
    fork, with --templates-dir); refused for a path or URL of another Copier template."""
    from scaffold.rendering import BuiltinTemplate

    template_set: TemplateSet = load_template_set(templates_dir)
    if name not in template_set.specializations:
        raise ScaffoldError(
            f"{name!r} is not a template of the template set {template_set.root}.",
            hint="A cohort is made from a template of the set (see `scaffold list`); to hand "
            "out a template of your own, point --templates-dir at your fork of the set.",
            exit_code=2,
        )
    return BuiltinTemplate(template_set.get(name), template_set)


def _is_terminal() -> bool:
    import sys

    return sys.stdout.isatty()
