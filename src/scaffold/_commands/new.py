"""`scaffold new`: render a template into a new git repository whose first commit is the render.

The questions are asked before anything exists on disk. Everything is then rendered and committed
in a hidden staging directory on DEST's filesystem and moved into place only once it is complete
(see `scaffold.creating`), so an error, Ctrl-C, SIGTERM or SIGHUP leaves nothing half-made behind.
"""

from __future__ import annotations

import getpass
import shlex
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from scaffold import creating, git, interrupts
from scaffold.errors import ScaffoldError, interrupted
from scaffold.rendering import BuiltinTemplate, RenderJob, resolve_template
from scaffold.templates import load_template_set
from scaffold.ui import is_interactive, read_data


@dataclass
class NewJob:
    dest: Path | None
    template: str | None = None
    data: list[str] = field(default_factory=list)
    data_file: Path | None = None
    defaults: bool = False
    vcs_ref: str | None = None
    use_git: bool = True
    trust: bool = False
    force: bool = False
    templates_dir: Path | None = None


def run(job: NewJob) -> None:
    data = read_data(job.data, job.data_file)
    interactive = is_interactive()
    if not interactive:
        _refuse_missing_flags(job, data)
    template_set = load_template_set(job.templates_dir)
    template_name = job.template or _ask_template(template_set)
    source = resolve_template(template_name, template_set, job.vcs_ref)
    dest = _check_dest(job.dest or _ask_dest(), job.force, job.use_git)
    if job.use_git and shutil.which("git") is None:
        raise ScaffoldError(
            "git is not installed (or not on PATH): scaffold new makes the project a git "
            "repository whose first commit is the template's render.",
            hint="Install git, or pass --no-git (then `scaffold update` needs "
            "`scaffold update --adopt` once the project is a git repository).",
        )

    render = RenderJob(
        source=source,
        data=data,
        user_defaults=_author_defaults(),
        # Without a terminal the questions --data leaves open take their defaults.
        defaults=job.defaults or not interactive,
        trust=job.trust,
    )
    render.check_data()  # before anything is written
    placed: list[Path] = []  # DEST, once the project is there: then an interruption says so
    try:
        if interactive:
            render.ask(dest)  # the questions, before anything exists on disk
        answers = creating.create(dest, render, job.use_git, lambda: placed.append(dest)).answers
        _print_next_steps(dest, answers.values, source)
        if job.use_git and not git.identity_defaults():
            _print_identity_note(git.Identity.of_author(answers.values))
    except ScaffoldError:
        raise
    except (KeyboardInterrupt, Exception) as error:
        # A stop request may come back as another error: a library turned it into one of its
        # own, or git, stopped by it too, broke a pipe.
        stopped = isinstance(error, KeyboardInterrupt) or bool(interrupts.received())
        if stopped and placed:
            raise interrupted(
                f"Interrupted, but {dest} was created: the project is complete, its first "
                "commit the template's render."
            ) from None
        if stopped:
            raise interrupted("Interrupted: nothing was written.") from None
        if isinstance(error, OSError) and not placed:
            raise ScaffoldError(f"Cannot create {dest}: {_reason(error)}") from error
        raise


def _refuse_missing_flags(job: NewJob, data: dict[str, Any]) -> None:
    """Without a terminal nothing can be asked: name every missing flag in one message."""
    missing = []
    if job.dest is None:
        missing.append("DEST (the directory to create)")
    if job.template is None:
        missing.append("--template NAME")
    if not job.defaults and not data:
        missing.append("--defaults (or answers with --data KEY=VALUE / --data-file FILE)")
    if missing:
        raise ScaffoldError(
            "scaffold new asks questions, but there is no terminal to answer them. Give "
            + "; ".join(missing)
            + ".",
            hint="For example: scaffold new my-project --template nlp --defaults",
        )


def _reason(error: OSError) -> str:
    reason = error.strerror or str(error)
    return f"{reason} ({error.filename})" if error.filename else reason


def _ask_template(template_set: Any) -> str:
    """The list shows each specialization's title; the highlighted one's description is shown
    under it, wrapped to the terminal (title and description on one line were cut mid-word)."""
    import questionary

    width = shutil.get_terminal_size().columns
    choices = [
        questionary.Choice(
            title=spec.title,
            value=name,
            disabled=None if spec.available else "coming soon",
            description=_wrapped(spec.description, width),
        )
        for name, spec in template_set.specializations.items()
    ]
    answer = questionary.select("Which specialization?", choices=choices).unsafe_ask()
    return str(answer)


def _wrapped(description: str, width: int) -> str:
    """`description` as questionary shows it ("  Description: " first), in lines that fit."""
    indent = " " * len("  Description: ")
    lines = textwrap.wrap(
        description, max(width - 1, 40), initial_indent=indent, subsequent_indent=indent
    )
    return "\n".join(lines).removeprefix(indent)


def _ask_dest() -> Path:
    import questionary

    answer = questionary.text(
        "Project directory:", validate=lambda text: bool(text.strip()) or "Give a directory."
    ).unsafe_ask()
    return Path(answer.strip())


def _check_dest(dest: Path, force: bool, use_git: bool) -> Path:
    dest = dest.expanduser().absolute()
    try:
        return _usable_dest(dest, force, use_git)
    except OSError as error:  # a name too long, a parent that cannot be read...
        raise ScaffoldError(f"Cannot create {dest}: {_reason(error)}") from error


def _usable_dest(dest: Path, force: bool, use_git: bool) -> Path:
    if dest.exists() and not dest.is_dir():
        raise ScaffoldError(f"{dest} exists and is not a directory.")
    if dest.is_dir() and any(dest.iterdir()):
        if not force:
            raise ScaffoldError(
                f"{dest} already exists and is not empty.",
                hint="Choose a new directory, or pass --force to render into it "
                "(files with the same names are overwritten).",
            )
        if use_git and git.is_repo_root(dest):
            raise ScaffoldError(
                f"{dest} is already a git repository: its history would not start with the render.",
                hint="Render into a new directory, or pass --no-git as well.",
            )
    return dest


def _author_defaults() -> dict[str, str]:
    defaults = git.identity_defaults()
    defaults.setdefault("author_name", getpass.getuser())
    return defaults


def _print_next_steps(dest: Path, values: dict[str, Any], source: Any) -> None:
    # Plain typer output: rich's import would add a noticeable share to `new`'s run time.
    typer.secho(f"Created {dest} from the {source.label}.", fg="green", err=True)
    if not isinstance(source, BuiltinTemplate):
        return
    package = values.get("package_name", "")
    try:
        shown = dest.relative_to(Path.cwd())
    except ValueError:
        shown = dest
    typer.echo("Next steps (with uv, https://docs.astral.sh/uv/):", err=True)
    for step in (
        f"cd {shlex.quote(str(shown))}",
        "uv sync",
        "uv run pytest",
        f"uv run {package} train && uv run {package} report",
        f"uv run {package} serve",
    ):
        typer.echo(f"  {step}", err=True)
    # uv takes PyTorch's CPU build as pyproject.toml says; pip needs it installed first, or it
    # brings the default Linux build's several GB of CUDA libraries.
    torch = source.spec.data.get("spec_torch")
    cpu_torch = (
        f"pip install {shlex.quote(torch)} --index-url https://download.pytorch.org/whl/cpu && "
        if torch
        else ""
    )
    typer.echo(
        f"Without uv: python -m venv .venv && . .venv/bin/activate && {cpu_torch}"
        'pip install -e ".[dev]", then the same commands without `uv run`.',
        err=True,
    )


def _print_identity_note(author: git.Identity) -> None:
    who = f"{author.name} <{author.email}>" if author.email else f"{author.name} (no email)"
    typer.echo(
        f"Note: git has no user.name/user.email here, so the first commit is by the project's "
        f"author answers: {who}. Set yours for the next commits with\n"
        '  git config --global user.name "Your Name"\n'
        "  git config --global user.email you@example.com",
        err=True,
    )
