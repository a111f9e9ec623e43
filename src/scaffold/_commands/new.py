"""`scaffold new`: render a template into a new git repository whose first commit is the render.

Everything is rendered and committed in a hidden staging directory beside DEST and moved into
place only once it is complete, so an error or Ctrl-C leaves nothing half-made behind.
"""

from __future__ import annotations

import getpass
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from scaffold import git
from scaffold.errors import ScaffoldError
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
    if not interactive and not job.defaults and not data:
        raise ScaffoldError(
            "scaffold new asks questions, but there is no terminal to answer them.",
            hint="Pass --defaults, or answers with --data KEY=VALUE / --data-file FILE.",
        )
    template_set = load_template_set(job.templates_dir)
    template_name = job.template or _ask_template(template_set, interactive)
    source = resolve_template(template_name, template_set, job.vcs_ref)
    dest = _check_dest(job.dest or _ask_dest(interactive), job.force, job.use_git)

    render = RenderJob(
        source=source,
        data=data,
        user_defaults=_author_defaults(),
        # Without a terminal the questions --data leaves open take their defaults.
        defaults=job.defaults or not interactive,
        trust=job.trust,
    )
    render.check_data_keys()  # before anything is written

    staging_root = Path(tempfile.mkdtemp(prefix=f".{dest.name}.scaffold-", dir=_nearest_dir(dest)))
    staged = staging_root / dest.name  # same name as DEST, for Copier's _folder_name
    first_commit = git.FirstCommit(staged) if job.use_git else None
    try:
        answers = render.render(staged)
        if first_commit:
            message = git.render_message(source.label, answers.template_label)
            first_commit.commit(message, git.Identity.of_author(answers.values))
        _place(staged, dest)
    except KeyboardInterrupt:
        raise ScaffoldError("Interrupted: nothing was written.", exit_code=130) from None
    finally:
        if first_commit:
            first_commit.abandon()
        shutil.rmtree(staging_root, ignore_errors=True)

    _print_next_steps(dest, answers.values, source)


def _ask_template(template_set: Any, interactive: bool) -> str:
    if not interactive:
        raise ScaffoldError(
            "Which template? Without a terminal, name it with --template.",
            hint="Built-in templates: " + ", ".join(template_set.available_names()) + ".",
        )
    import questionary

    choices = [
        questionary.Choice(
            title=f"{spec.title}: {spec.description}",
            value=name,
            disabled=None if spec.available else "coming soon",
        )
        for name, spec in template_set.specializations.items()
    ]
    answer = questionary.select("Which specialization?", choices=choices).unsafe_ask()
    return str(answer)


def _ask_dest(interactive: bool) -> Path:
    if not interactive:
        raise ScaffoldError("Where should the project go? Give DEST: `scaffold new my-project`.")
    import questionary

    answer = questionary.text(
        "Project directory:", validate=lambda text: bool(text.strip()) or "Give a directory."
    ).unsafe_ask()
    return Path(answer.strip())


def _check_dest(dest: Path, force: bool, use_git: bool) -> Path:
    dest = dest.expanduser().absolute()
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


def _nearest_dir(dest: Path) -> Path:
    """Stage beside DEST (same filesystem, so the final move is a rename)."""
    parent = dest.parent
    while not parent.is_dir():
        parent = parent.parent
    return parent


def _place(staged: Path, dest: Path) -> None:
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        staged.rename(dest)
        return
    # DEST exists (empty, or --force): move entries, so DEST itself (maybe the cwd) stays put.
    for entry in staged.iterdir():
        target = dest / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.copytree(entry, target, dirs_exist_ok=True, symlinks=True)
        else:
            if target.exists() or target.is_symlink():
                target.unlink()
            entry.rename(target)


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
        f"cd {shown}",
        "uv sync",
        "uv run pytest",
        f"uv run {package} train && uv run {package} report",
        f"uv run {package} serve",
    ):
        typer.echo(f"  {step}", err=True)
    typer.echo(
        'Without uv: python -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]",'
        " then the same commands without `uv run`.",
        err=True,
    )
