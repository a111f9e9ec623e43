"""`scaffold update --adopt`: give a project without render history (made with --no-git and
git-initialised later, or its history squashed) a base for future updates.

It renders the template at the version the project records, with the project's answers, shows
how the project differs from that render (what updates will then treat as the user's own
changes), and records the render as a render commit of its own, merged into HEAD with the
project's files unchanged. Later updates merge newer renders from it, as for any project.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scaffold import diffing, git, history, interrupts, merging, render_stage, scratch, ui
from scaffold.answers import Answers
from scaffold.errors import ScaffoldError
from scaffold.rendering import BuiltinTemplate, RenderJob

if TYPE_CHECKING:
    from git import Repo

_SHOWN_AT_MOST = 40


def run(repo: Repo, root: Path, render: RenderJob, answers: Answers, dry_run: bool) -> int:
    _refuse_if_it_has_a_base(repo, root)
    _refuse_other_version(render, answers)
    with (
        scratch.folder("scaffold-adopt-") as temporary,
        render_stage.RenderStage(repo) as stage,
    ):
        render_dir = temporary / root.name  # the project's name: Copier's _folder_name
        rendered = render.render(render_dir)
        tree = stage.write_tree(render_dir)
        _print_differences(stage.changes(tree, "HEAD"), rendered)
        if dry_run:
            typer.echo("Dry run: nothing was changed.")
            return 0
        author = git.Identity.of_author(rendered.values)
        merger = None if git.has_configured_identity(repo) else author
        message = git.render_message(render.source.label, rendered.template_label, tree)
        render_commit = stage.commit_tree(tree, [], message, author)
        adoption = stage.commit_tree(
            stage.tree_of("HEAD"),
            ["HEAD", render_commit],
            f"Adopt the {rendered.template_label} render as the update base\n\n"
            f"Records the template's render with this project's answers ({render_commit[:12]}) "
            "as the base of `scaffold update`; every file of the project stays as it was.\n",
            merger,
        )
        stage.keep()
    head = repo.head.commit.hexsha
    with interrupts.noted() as stops:  # git records it whole; then the stop is told
        merging.fast_forward(repo, adoption)
    with ui.output_may_be_gone():
        typer.echo(
            f"Adopted: {root} now records the {rendered.template_label} render as its base "
            f"({render_commit[:12]}). `scaffold update` merges newer templates from it."
        )
        typer.echo(f"Undo with `git reset --hard {head[:12]}`.")
    if stops.requested:
        ui.forget_closed_output()
        raise ScaffoldError(
            f"Interrupted: the adopted base is recorded; `git reset --hard {head[:12]}` undoes it.",
            exit_code=128 + stops.first,
        )
    return 0


def _refuse_if_it_has_a_base(repo: Repo, root: Path) -> None:
    try:
        base = history.find_base(repo)
    except ScaffoldError:
        return  # its renders were rewritten: adopting a fresh base is one way out
    if base is not None:
        raise ScaffoldError(
            f"{root} already has a render history (newest: {base.label}, {base.commit[:12]}).",
            hint="Run `scaffold update` without --adopt; to merge from another render, "
            "name it with --base.",
            exit_code=2,
        )


def _refuse_other_version(render: RenderJob, answers: Answers) -> None:
    """Adopting at another version would count the versions' differences as the user's."""
    source = render.source
    if not isinstance(source, BuiltinTemplate):
        return  # rendered at the recorded commit (see update._template_source)
    available = source.template_set.version
    if available != answers.version:
        raise ScaffoldError(
            f"The project records the {answers.template} template {answers.version}, but this "
            f"template set is {available}: adopting it would count the differences between the "
            "two versions as your own changes, so later updates would never bring them.",
            hint=f"Point --templates-dir at a copy of the {answers.version} template set (a "
            "bootcamp fork at that tag, or the templates/ folder of the ml-scaffold release "
            "that shipped it), run `scaffold update --adopt` with it, then `scaffold update`.",
            exit_code=2,
        )


def _print_differences(changes: list[diffing.Change], rendered: Answers) -> None:
    """How the project differs from the render: what updates will keep as the user's."""
    if not changes:
        typer.echo(f"The project's files are exactly the {rendered.template_label} render.")
        return
    typer.echo(
        f"The project differs from the {rendered.template_label} render in {len(changes)} "
        "files; updates will keep these as your changes:"
    )
    words = {"A": "yours only", "D": "removed", "M": "changed", "T": "changed", "R": "moved"}
    for change in changes[:_SHOWN_AT_MOST]:
        word = words.get(change.status, change.status)
        moved = f"{change.old_path} → " if change.old_path else ""
        typer.echo(f"  {word:<10} {moved}{change.path}")
    if len(changes) > _SHOWN_AT_MOST:
        typer.echo(f"  ... and {len(changes) - _SHOWN_AT_MOST} more")
