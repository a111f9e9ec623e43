"""The command line: a thin typer layer over one module per command in `_commands/`.

Command modules are imported inside each command so `scaffold --help` stays fast.
"""

from __future__ import annotations

import enum
import functools
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from scaffold import __version__
from scaffold.errors import ScaffoldError, interrupted, stop_on_signal

app = typer.Typer(
    help="Start, hand out and keep up to date machine-learning portfolio projects.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

TemplatesDir = Annotated[
    Path | None,
    typer.Option(
        "--templates-dir",
        envvar="SCAFFOLD_TEMPLATES_DIR",
        help="Another copy of the built-in template set (e.g. a bootcamp's fork).",
        show_default=False,
    ),
]
Data = Annotated[
    list[str] | None,
    typer.Option("--data", "-d", metavar="KEY=VALUE", help="Answer a question (repeatable)."),
]
Trust = Annotated[
    bool, typer.Option("--trust", help="Allow the template's tasks and extensions to run.")
]
DataFile = Annotated[
    Path | None,
    typer.Option("--data-file", metavar="FILE", help="Answers from a YAML mapping."),
]


def _interruptible(command: Callable[..., Any]) -> Callable[..., Any]:
    """Ctrl-C in a command that changes nothing: say so (typer would exit 130 silently)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            raise interrupted("Interrupted: nothing was changed.") from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ml-scaffold {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Start, hand out and keep up to date machine-learning portfolio projects."""


@app.command()
def new(
    dest: Annotated[Path | None, typer.Argument(help="Directory to create.")] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template", "-t", help="Built-in name (see `scaffold list`), local path or git URL."
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Take the default for every unanswered question.")
    ] = False,
    data: Data = None,
    data_file: DataFile = None,
    vcs_ref: Annotated[
        str | None, typer.Option("--vcs-ref", help="Tag, branch or commit of a git template.")
    ] = None,
    no_git: Annotated[bool, typer.Option("--no-git", help="Do not make a git repository.")] = False,
    trust: Trust = False,
    force: Annotated[
        bool, typer.Option("--force", help="Render into a non-empty DEST, overwriting its files.")
    ] = False,
    templates_dir: TemplatesDir = None,
) -> None:
    """Create a project from a template, as a git repository whose first commit is the render."""
    from scaffold._commands import new as command

    command.run(
        command.NewJob(
            dest=dest,
            template=template,
            data=data or [],
            data_file=data_file,
            defaults=defaults,
            vcs_ref=vcs_ref,
            use_git=not no_git,
            trust=trust,
            force=force,
            templates_dir=templates_dir,
        )
    )


@app.command("list")
@_interruptible
def list_(templates_dir: TemplatesDir = None) -> None:
    """List the templates of the template set, with its version."""
    from scaffold._commands import list as command

    command.run(templates_dir)


@app.command()
def update(
    project: Annotated[
        Path | None, typer.Argument(help="The project (default: the current directory).")
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Take the default for questions new to the template.")
    ] = False,
    data: Data = None,
    data_file: DataFile = None,
    vcs_ref: Annotated[
        str | None,
        typer.Option("--vcs-ref", help="Git templates: update to this tag, branch or commit."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="List what would change or conflict, change nothing; exit as the update would.",
        ),
    ] = False,
    trust: Trust = False,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="COMMIT",
            help="Merge from this render commit instead of the newest (to recover from a "
            "rewritten history).",
        ),
    ] = None,
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt",
            help="For a project without render history: record the render of its answers as "
            "the base, after showing how the project differs from it.",
        ),
    ] = False,
    downgrade: Annotated[
        bool,
        typer.Option("--downgrade", help="Allow an older template version than the project's."),
    ] = False,
    templates_dir: TemplatesDir = None,
) -> None:
    """Merge the current template into the project, keeping your changes.

    Exit status: 0 updated or up to date, 1 conflicts to resolve, 2 refused (nothing changed),
    130 interrupted. With --dry-run: the status the update would have (0, 1 or 2).
    """
    from scaffold._commands import update as command

    if base and adopt:
        raise ScaffoldError("Give --base or --adopt, not both.", exit_code=2)
    code = command.run(
        command.UpdateJob(
            project=project,
            data=data or [],
            data_file=data_file,
            defaults=defaults,
            vcs_ref=vcs_ref,
            dry_run=dry_run,
            trust=trust,
            templates_dir=templates_dir,
            base=base,
            adopt=adopt,
            downgrade=downgrade,
        )
    )
    raise typer.Exit(code)


@app.command()
@_interruptible
def check(
    project: Annotated[
        Path | None, typer.Argument(help="The project (default: the current directory).")
    ] = None,
    templates_dir: TemplatesDir = None,
) -> None:
    """Tell whether a newer template version exists (for CI).

    Exit status: 0 up to date, 1 a newer version exists, 2 error.
    """
    from scaffold._commands import check as command

    raise typer.Exit(command.run(project, templates_dir))


class ReviewFormat(str, enum.Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


@app.command()
@_interruptible
def review(
    path: Annotated[
        Path, typer.Argument(help="The repository (default: the current directory).")
    ] = Path("."),
    output_format: Annotated[
        ReviewFormat, typer.Option("--format", "-f", help="A table for the terminal, or a file.")
    ] = ReviewFormat.table,
    run_tests: Annotated[
        bool, typer.Option("--run", help="Also run the project's tests (uv run pytest).")
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds the tests may take with --run.")
    ] = 900.0,
    templates_dir: TemplatesDir = None,
) -> None:
    """Score a repository against what reviewers of an ML portfolio look for, with a fix for
    each miss (sp-repo-review's checks included).

    Exit status: 0 all pass, 1 some miss, 2 the review could not run.
    """
    from scaffold._commands import review as command

    code = command.run(
        command.ReviewJob(
            path=path,
            output_format=output_format.value,
            run_tests=run_tests,
            timeout=timeout,
            templates_dir=templates_dir,
        )
    )
    raise typer.Exit(code)


cohort_app = typer.Typer(
    help="Hand out a project to every student of a roster, and keep them all up to date.",
    no_args_is_help=True,
)
app.add_typer(cohort_app, name="cohort")

Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs", "-j", min=1, help="Worker processes (default: one per core for large cohorts)."
    ),
]


@cohort_app.command("new")
def cohort_new(
    roster: Annotated[
        Path, typer.Argument(help="CSV with a header: name, email (required), id, team.")
    ],
    template: Annotated[
        str, typer.Option("--template", "-t", help="A template of the set (see `scaffold list`).")
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Directory for the projects and cohort.yml.")
    ],
    project_name: Annotated[
        str | None,
        typer.Option(
            "--project-name",
            metavar="PATTERN",
            help='Each project\'s name, e.g. "NLP capstone - {name}" ({id}, {name}, {email}, '
            "{team}).",
        ),
    ] = None,
    remote: Annotated[
        str | None,
        typer.Option(
            "--remote",
            metavar="URL",
            help='Each project\'s origin, e.g. "git@host:course/{id}.git" (same placeholders).',
        ),
    ] = None,
    push: Annotated[bool, typer.Option("--push", help="Push each project's main to it.")] = False,
    data: Data = None,
    data_file: DataFile = None,
    jobs: Jobs = None,
    trust: Trust = False,
    templates_dir: TemplatesDir = None,
) -> None:
    """Make a project per student (or team) of ROSTER, as `scaffold new` makes one.

    Re-running it skips the students done, retries the failed ones and adds new rows.
    Exit status: 0 every row made (and pushed), 1 some were not, 2 refused, 130 interrupted.
    """
    from scaffold._commands.cohort import new as command

    code = command.run(
        command.CohortNewJob(
            roster=roster,
            template=template,
            out=out,
            project_name=project_name,
            remote=remote,
            push=push,
            data=data or [],
            data_file=data_file,
            templates_dir=templates_dir,
            jobs=jobs,
            trust=trust,
        )
    )
    raise typer.Exit(code)


@cohort_app.command("update")
def cohort_update(
    manifest: Annotated[Path, typer.Argument(help="The cohort's cohort.yml (or its directory).")],
    push: Annotated[
        bool, typer.Option("--push", help="Push each student's update branch to their remote.")
    ] = False,
    commit_conflicts: Annotated[
        bool,
        typer.Option(
            "--commit-conflicts",
            help="Commit conflicting updates with their markers (default: no branch is made).",
        ),
    ] = False,
    branch: Annotated[
        str, typer.Option("--branch", help="The update branch's name ({version}: the new one).")
    ] = "scaffold/update-{version}",
    jobs: Jobs = None,
    trust: Trust = False,
    templates_dir: TemplatesDir = None,
) -> None:
    """Offer every student the newest template as a branch from their main, and report.

    Students' main branches are never changed. Writes cohort-update.md and .csv beside the
    manifest. Exit status: 0 all updated or up to date, 1 some not, 2 refused, 130 interrupted.
    """
    from scaffold._commands.cohort import update as command

    code = command.run(
        command.CohortUpdateJob(
            manifest=manifest,
            push=push,
            commit_conflicts=commit_conflicts,
            branch=branch,
            templates_dir=templates_dir,
            jobs=jobs,
            trust=trust,
        )
    )
    raise typer.Exit(code)


@cohort_app.command("status")
@_interruptible
def cohort_status(
    manifest: Annotated[Path, typer.Argument(help="The cohort's cohort.yml (or its directory).")],
    fetch: Annotated[
        bool, typer.Option("--fetch/--no-fetch", help="Fetch each student's remote first.")
    ] = True,
    branch: Annotated[
        str, typer.Option("--branch", help="The update branches' name, as given to update.")
    ] = "scaffold/update-{version}",
    templates_dir: TemplatesDir = None,
) -> None:
    """Say which students are behind the template set's version; change nothing.

    Exit status: 0 all current, 1 some behind, 2 some cannot be told.
    """
    from scaffold._commands.cohort import status as command

    raise typer.Exit(command.run(manifest, templates_dir, fetch, branch))


def main() -> None:
    """Entry point: user mistakes become one message and an exit code, never a traceback."""
    for name in ("SIGTERM", "SIGHUP"):  # cleanups run as for Ctrl-C
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop_on_signal)
    try:
        app()
    except ScaffoldError as error:
        _fail(error.message, error.hint, error.exit_code)
    except KeyboardInterrupt:  # outside a command's own handling
        error = interrupted("Interrupted: nothing was changed.")
        _fail(error.message, None, error.exit_code)
    except OSError as error:  # a path or a program scaffold relied on failed
        where = f" ({error.filename})" if error.filename else ""
        _fail(f"{error.strerror or error}{where}", None, 1)
    except Exception as error:
        if type(error).__module__.split(".")[0] != "git":
            raise  # a bug: the traceback is what a report needs
        detail = str(getattr(error, "stderr", "") or error).strip()
        _fail(f"git failed: {detail}", None, 1)


def _fail(message: str, hint: str | None, exit_code: int) -> NoReturn:
    from scaffold.ui import console

    out = console()
    out.print(f"[red]Error:[/red] {message}", highlight=False, markup=True)
    if hint:
        out.print(hint, highlight=False, markup=False)
    raise SystemExit(exit_code) from None
