"""The command line: a thin typer layer over one module per command in `_commands/`.

Command modules are imported inside each command so `scaffold --help` stays fast. Each command
runs through `_command`, which decides its outcome (exit status, message) the moment it is known;
the entry point, `scaffold._cli.main`, reports it.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from scaffold import __version__, interrupts
from scaffold.errors import ScaffoldError, interrupted

# The outcome of the command that ran: (exit status, message, hint). Recorded by one C call
# (CPython handles a signal after such a call, not within it), so a stop request cannot fall
# between a command's return and the record of what it did.
_OUTCOME: list[tuple[int, str | None, str | None]] = []

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
    bool,
    typer.Option(
        "--trust",
        help="Let the template run its own code (Jinja extensions, tasks, migrations) and link "
        "to files outside it.",
    ),
]
DataFile = Annotated[
    Path | None,
    typer.Option("--data-file", metavar="FILE", help="Answers from a YAML mapping."),
]


def outcome() -> tuple[int, str | None, str | None] | None:
    """The outcome of the command that ran, if one ran to an outcome."""
    return _OUTCOME[0] if _OUTCOME else None


def _command(command: Callable[..., int | None]) -> Callable[..., None]:
    """Run a command and record its outcome: its exit status (None: 0), a ScaffoldError's
    message and status, an OSError or a git failure as a message, or a stop request it did not
    handle itself (then nothing was changed; an error that follows a stop request is taken for
    it). A stop request after that changes nothing."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            status = command(*args, **kwargs)
            _OUTCOME.append((status or 0, None, None))
        except ScaffoldError as error:
            _OUTCOME.append((error.exit_code, error.message, error.hint))
        except KeyboardInterrupt:
            if not _OUTCOME:  # not when it came right after the outcome was recorded
                error = interrupted("Interrupted: nothing was changed.")
                _OUTCOME.append((error.exit_code, error.message, None))
        except Exception as error:
            _OUTCOME.append(_failure(error))
        raise typer.Exit(_OUTCOME[0][0])

    return run


def _failure(error: Exception) -> tuple[int, str | None, str | None]:
    """The outcome of an error the command did not turn into a message itself."""
    if interrupts.received():  # the stop request came back as this error: a library's own, a
        # pipe to a git it stopped too... The command did not get to say what it left.
        stopped = interrupted(
            f"Interrupted ({type(error).__name__} as it stopped): what the command was doing "
            "may be unfinished."
        )
        return stopped.exit_code, stopped.message, None
    if isinstance(error, OSError):  # a path or a program scaffold relied on failed
        where = f" ({error.filename})" if error.filename else ""
        return 1, f"{error.strerror or error}{where}", None
    if type(error).__module__.split(".")[0] == "git":
        detail = str(getattr(error, "stderr", "") or error).strip()
        return 1, f"git failed: {detail}", None
    raise error  # a bug: the traceback is what a report needs


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
@_command
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
@_command
def list_(templates_dir: TemplatesDir = None) -> None:
    """List the templates of the template set, with its version."""
    from scaffold._commands import list as command

    command.run(templates_dir)


@app.command()
@_command
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
) -> int:
    """Merge the current template into the project, keeping your changes.

    Exit status: 0 updated or up to date, 1 conflicts to resolve, 2 refused (nothing changed),
    128 + the signal interrupted (130 for Ctrl-C). With --dry-run: the status the update would
    have (0, 1 or 2).
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
    return code


@app.command()
@_command
def check(
    project: Annotated[
        Path | None, typer.Argument(help="The project (default: the current directory).")
    ] = None,
    templates_dir: TemplatesDir = None,
) -> int:
    """Tell whether a newer template version exists (for CI).

    Exit status: 0 up to date, 1 a newer version exists, 2 error.
    """
    from scaffold._commands import check as command

    return command.run(project, templates_dir)


class ReviewFormat(str, enum.Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


@app.command()
@_command
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
) -> int:
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
    return code


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
@_command
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
            help='Each project\'s origin, e.g. "git@host:course/{id}.git" ({id}, {name}, {team}; '
            "not {email}).",
        ),
    ] = None,
    push: Annotated[bool, typer.Option("--push", help="Push each project's main to it.")] = False,
    data: Data = None,
    data_file: DataFile = None,
    jobs: Jobs = None,
    trust: Trust = False,
    templates_dir: TemplatesDir = None,
) -> int:
    """Make a project per student (or team) of ROSTER, as `scaffold new` makes one.

    Re-running it skips the students done, retries the failed ones and adds new rows.
    Exit status: 0 every row made (and pushed), 1 some were not, 2 refused, 128 + the signal
    interrupted (130 for Ctrl-C).
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
    return code


@cohort_app.command("update")
@_command
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
) -> int:
    """Offer every student the newest template as a branch from their main, and report.

    Students' main branches are never changed. Writes cohort-update.md and .csv beside the
    manifest. Exit status: 0 all updated or up to date, 1 some not, 2 refused, 128 + the signal
    interrupted (130 for Ctrl-C).
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
    return code


@cohort_app.command("status")
@_command
def cohort_status(
    manifest: Annotated[Path, typer.Argument(help="The cohort's cohort.yml (or its directory).")],
    fetch: Annotated[
        bool, typer.Option("--fetch/--no-fetch", help="Fetch each student's remote first.")
    ] = True,
    branch: Annotated[
        str, typer.Option("--branch", help="The update branches' name, as given to update.")
    ] = "scaffold/update-{version}",
    templates_dir: TemplatesDir = None,
) -> int:
    """Say which students are behind the template set's version; change nothing.

    Exit status: 0 all current, 1 some behind, 2 some cannot be told.
    """
    from scaffold._commands.cohort import status as command

    return command.run(manifest, templates_dir, fetch, branch)
