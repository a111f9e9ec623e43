"""`scaffold update`: take a newer template into a project without losing a line of the project.

The project's history holds every pristine render (see `scaffold.history`). Update renders the
template again with the recorded answers, commits that render on top of the last one and
`git merge`s it into HEAD: the base of the 3-way merge is the render the project last took, and
conflicts are git's own, resolved and committed (or aborted) the usual way.

Exit codes: 0 updated or already up to date; 1 merged with conflicts for the user to resolve;
2 refused or failed, with nothing changed; 128+signal interrupted (130 for Ctrl-C; the message
says how the project was left: a signal while git merges waits for git to finish).
`--dry-run` exits with the code the update would: 0 clean, 1 conflicts, 2 refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from scaffold import (
    changelog,
    diffing,
    git,
    history,
    ignored,
    interrupts,
    merging,
    render_stage,
    scratch,
    ui,
    updating,
)
from scaffold.answers import Answers
from scaffold.errors import ScaffoldError, interrupted
from scaffold.project import locate, read_checked_answers
from scaffold.rendering import BuiltinTemplate, CustomTemplate, RenderJob, TemplateSource
from scaffold.templates import load_template_set
from scaffold.ui import is_interactive, read_data
from scaffold.versions import is_newer

if TYPE_CHECKING:
    from git import Repo

UPDATED, CONFLICTS, REFUSED = 0, 1, 2
_SHOWN_AT_MOST = 20  # dirty paths listed in a refusal
# Updating on a detached HEAD is allowed, as committing there is: nothing is lost, and CI
# checkouts are detached. But the merge commit is on no branch, which users do not expect.
_DETACHED = (
    "Warning: HEAD is detached (no branch is checked out), so the update's merge commit will be "
    "on no branch: switching to a branch would leave it behind. Keep it with "
    "`git switch -c NEW-BRANCH` afterwards, or switch to your branch first and update there."
)


@dataclass
class UpdateJob:
    project: Path | None = None
    data: list[str] = field(default_factory=list)
    data_file: Path | None = None
    defaults: bool = False
    vcs_ref: str | None = None
    dry_run: bool = False
    trust: bool = False
    templates_dir: Path | None = None
    base: str | None = None  # the render commit to merge from, instead of the newest
    adopt: bool = False  # record a render of the project's answers as the base first
    downgrade: bool = False  # allow taking the project to an older template version


def run(job: UpdateJob) -> int:
    from git import GitCommandError

    state = _State()
    try:
        return _update(job, state)
    except (KeyboardInterrupt, Exception) as error:
        # A stop request may come back as another error: git, stopped by the same Ctrl-C (sent
        # to the whole process group), fails, or gitpython's pipe to it breaks.
        if isinstance(error, KeyboardInterrupt) or _stopped_by_a_request(error):
            ui.forget_closed_output()  # a pipeline's Ctrl-C may have stopped our reader too
            raise interrupted(state.interrupted()) from None
        if isinstance(error, ScaffoldError) and error.exit_code == 1:
            error.exit_code = 2  # 1 means "conflicts to resolve" here: every refusal is 2
        if isinstance(error, GitCommandError):  # before the merge: nothing was changed
            detail = str(error.stderr or error).strip()
            raise ScaffoldError(f"git failed: {detail}", exit_code=2) from error
        raise


def _stopped_by_a_request(error: Exception) -> bool:
    """The error is a stop request's doing (not the message of one, `_State.stopped_by`)."""
    if not interrupts.received():
        return False
    return not (isinstance(error, ScaffoldError) and error.exit_code > 128)


@dataclass
class _State:
    """How far an update got, so that Ctrl-C can say what it left behind."""

    repo: Repo | None = None
    head: str | None = None  # HEAD before anything was changed

    def interrupted(self) -> str:
        """What the project is left as, told from the repository itself."""
        if self.repo is None or self.head is None:
            return "Interrupted: nothing was changed."
        if (Path(self.repo.git_dir) / "MERGE_HEAD").exists():
            if merging.unmerged_paths(self.repo):
                return (
                    "Interrupted: the update is merged, with conflicts to settle (git's conflict "
                    "state, as listed): settle them, `git add` and `git commit`; or "
                    "`git merge --abort` puts the project back."
                )
            return (
                "Interrupted: the update is merged but not committed: `git commit` finishes "
                "it, `git merge --abort` puts the project back."
            )
        # A new git process: a Ctrl-C to scaffold's process group also stopped gitpython's
        # long-running `git cat-file` (a broken pipe, which typer would turn into exit 1).
        if self.repo.git.rev_parse("HEAD").strip() != self.head:
            undo = f"git reset --hard {self.head[:12]}"
            return f"Interrupted: the update is merged and committed; `{undo}` undoes it."
        return "Interrupted: nothing was changed."

    def stopped_by(self, signum: int) -> ScaffoldError:
        """A stop request noted while git worked (`interrupts.noted`): stop now, saying how the
        project was left."""
        ui.forget_closed_output()  # the message, and Python's exit, must not fail on a dead pipe
        return ScaffoldError(self.interrupted(), exit_code=128 + signum)


def _update(job: UpdateJob, state: _State) -> int:
    overrides = read_data(job.data, job.data_file)
    root = locate(job.project)
    repo = git.open_project_repo(root)
    _refuse_unless_quiet(repo, root)
    answers = read_checked_answers(root)
    render = RenderJob(
        source=_template_source(answers, job),
        data=overrides,
        previous=answers.values,
        user_defaults=git.identity_defaults(),
        # Without a terminal, questions new to the template take their defaults.
        defaults=job.defaults or not is_interactive(),
        trust=job.trust,
    )
    render.check_data()
    if job.adopt:
        from scaffold._commands import adopt

        return adopt.run(repo, root, render, answers, job.dry_run)
    base = history.named_base(repo, job.base) if job.base else history.find_base(repo)
    if base is None:
        raise _no_render_history(repo, root)
    with ui.output_may_be_gone():  # `| head` ends what is said, not the update
        for note in base.notes:
            typer.echo(note)
    with (
        scratch.folder("scaffold-update-") as temporary,
        render_stage.RenderStage(repo) as stage,
    ):
        if base.needs_render_proof:
            proof = _render_at_its_version(repo, base, job)
            updating.prove_by_render(stage, base, proof, temporary / "proof" / root.name)
        render_dir = temporary / root.name  # the project's name: Copier's _folder_name
        rendered = updating.render_on_base(
            repo, stage, render, base, answers, render_dir, downgrade=job.downgrade
        )
        versions, head, commit = rendered.versions, rendered.head, rendered.commit
        if rendered.up_to_date:
            up_to_date = f"{root} has the {versions.what} {versions.after}"
            if head == "HEAD":
                with ui.output_may_be_gone():
                    typer.echo(f"Already up to date: {up_to_date}.")
                return UPDATED
            if job.dry_run:  # only the base would be recorded: the template has nothing new
                with ui.output_may_be_gone():
                    typer.echo(
                        f"Dry run: would record the pristine {base.label} render as the base."
                    )
                    typer.echo(f"Otherwise up to date: {up_to_date}. Nothing was changed.")
                return UPDATED
            state.repo, state.head = repo, repo.head.commit.hexsha
            with interrupts.noted() as stops:
                stage.keep()
                merging.fast_forward(repo, head)
            with ui.output_may_be_gone():
                _print_recorded(base, rendered.parent)
                typer.echo(f"Already up to date: {up_to_date}.")
            if stops.requested:
                raise state.stopped_by(stops.first)
            return UPDATED
        if repo.head.is_detached:
            with ui.output_may_be_gone():
                typer.echo(_DETACHED)
        preview = stage.preview_merge(commit, head)
        in_the_way = ignored.in_the_way(stage, head, preview.tree, root)
        if job.dry_run:
            with ui.output_may_be_gone():
                _print_preview(preview, versions, in_the_way, base)
                _print_release_notes(render.source, versions)
            if in_the_way:
                return REFUSED
            return CONFLICTS if preview.conflicts else UPDATED
        if in_the_way:
            raise _in_the_way_error(in_the_way)
        state.repo, state.head = repo, repo.head.commit.hexsha
        # From here the project changes: a signal waits until git is done, so that the update
        # is whole (committed, or in git's conflict state) and can be told truthfully.
        with interrupts.noted() as stops:
            stage.keep()  # only now does anything reach the project's .git
            if head != "HEAD":
                merging.fast_forward(repo, head)
            message = updating.merge_message(rendered)
            outcome = merging.merge_render(repo, commit, message, rendered.merger)

    with ui.output_may_be_gone():
        if head != "HEAD":
            _print_recorded(base, rendered.parent)
        _report(outcome, repo, root, versions, commit, undo=state.head[:12])
        _print_release_notes(render.source, versions)
    if stops.requested:
        raise state.stopped_by(stops.first)
    return UPDATED if outcome.clean else CONFLICTS


def _print_recorded(base: history.Base, restored: str) -> None:
    typer.echo(f"Recorded the pristine {base.label} render as the base ({restored[:12]}).")


def _refuse_unless_quiet(repo: Repo, project: Path) -> None:
    """Refuse while git is busy or the project has uncommitted work: the merge must not mix."""
    operation = git.operation_in_progress(repo)
    if operation:
        what, abort = operation
        raise ScaffoldError(
            f"{what.capitalize()} is in progress in {project}.",
            hint=f"Finish it and commit, or abandon it (`{abort}`); then run update again.",
        )
    dirty = [path for _, path in git.status_entries(repo)]
    if dirty:
        shown = "\n".join(f"  {path}" for path in dirty[:_SHOWN_AT_MOST])
        more = (
            f"\n  ... and {len(dirty) - _SHOWN_AT_MOST} more" if len(dirty) > _SHOWN_AT_MOST else ""
        )
        raise ScaffoldError(
            f"{project} has uncommitted changes:\n{shown}{more}",
            hint="Commit them, or stash them (`git stash --include-untracked`), then run update "
            "again: the update is a merge commit of its own, easy to review and undo.",
        )


def _no_render_history(repo: Repo, project: Path) -> ScaffoldError:
    if git.is_shallow(repo):
        hint = (
            "This clone is shallow: fetch the whole history (`git fetch --unshallow`), then retry."
        )
    else:
        hint = (
            f"A project made by `scaffold new` starts with a commit ending in a "
            f"`{git.RENDER_TRAILER}:` line: the template's render, the base of every update. "
            "This history has none: made with --no-git, or its history squashed? "
            "`scaffold update --adopt` records the render of the project's answers as the base "
            "(it shows the differences first); or name a render commit with --base."
        )
    return ScaffoldError(f"{project} has no render history for the update to start from.", hint)


def _template_source(answers: Answers, job: UpdateJob) -> TemplateSource:
    if not answers.is_builtin:
        # Adopting records the render of the version the project has, not the newest.
        ref = job.vcs_ref or (answers.commit if job.adopt else None)
        return CustomTemplate(str(answers.src_path), ref)
    if job.vcs_ref:
        raise ScaffoldError("--vcs-ref applies to git templates, not built-in ones.")
    template_set = load_template_set(job.templates_dir)
    spec = template_set.get(str(answers.template))
    if is_newer(answers.version, template_set.version) and not job.downgrade:
        raise ScaffoldError(
            f"The project has the {spec.name} template {answers.version}, newer than this "
            f"template set's {template_set.version} ({template_set.root}).",
            hint="Upgrade ml-scaffold, or point --templates-dir at a newer template set "
            "(--downgrade takes the project back to the older version, if you mean to).",
        )
    return BuiltinTemplate(spec, template_set)


def _render_at_its_version(repo: Repo, base: history.Base, job: UpdateJob) -> RenderJob:
    """A render of `base`'s own answers at its own version, to prove it (a built-in template
    only from a template set of that version: older ones are not at hand)."""
    answers = history.answers_at(repo, base.commit)
    if answers is None:  # named_base refuses those
        raise ScaffoldError(f"--base {base.commit[:12]} has no readable answers file.")
    source: TemplateSource
    if answers.is_builtin:
        template_set = load_template_set(job.templates_dir)
        if template_set.version != answers.version:
            raise ScaffoldError(
                f"--base {base.commit[:12]} is a render made before ml-scaffold recorded its "
                f"files (no `{git.TREE_TRAILER}:` trailer): it is taken only once a render of "
                f"its answers at its version, {answers.version}, gives the same files, and "
                f"this template set is {template_set.version}. Nothing was changed.",
                hint="Run `scaffold update` without --base (the newest render is checked "
                "on its own); if that is refused, `scaffold update --adopt` with the template "
                "set of the version the project has records a fresh render as the base.",
            )
        source = BuiltinTemplate(template_set.get(str(answers.template)), template_set)
    else:
        source = CustomTemplate(str(answers.src_path), answers.commit)
    return RenderJob(
        source=source,
        previous=answers.values,
        user_defaults=git.identity_defaults(),
        defaults=True,
        trust=job.trust,
    )


def _in_the_way_error(in_the_way: list[ignored.InTheWay]) -> ScaffoldError:
    lines = "\n".join(f"  {blocker.path}: {blocker.description}" for blocker in in_the_way)
    return ScaffoldError(
        f"The update would lose files of yours that git does not track (ignored), so nothing "
        f"was changed:\n{lines}",
        hint="Move them aside (or commit them), then run update again; "
        "`scaffold update --dry-run` lists what the update would do.",
    )


_VERBS = {"A": "add", "M": "change", "T": "change", "D": "remove", "R": "move"}
_PAST = {"A": "added", "M": "changed", "T": "changed", "D": "removed", "R": "moved"}


def _change_line(change: diffing.Change, verbs: dict[str, str]) -> str:
    verb = verbs.get(change.status, change.status)
    if change.old_path is not None:
        return f"  {verb:<9} {change.old_path} → {change.path}"
    return f"  {verb:<9} {change.path}"


def _print_preview(
    preview: diffing.MergePreview,
    versions: updating.Versions,
    in_the_way: list[ignored.InTheWay],
    base: history.Base,
) -> None:
    typer.echo(f"Dry run: {versions.title} would")
    if base.restore_tree is not None:
        typer.echo(f"  {'record':<9} the pristine {base.label} render as the base")
    for change in preview.changes:
        typer.echo(_change_line(change, _VERBS))
    for conflict in preview.conflicts:
        typer.echo(f"  {'conflict':<9} {conflict.path}  ({conflict.description})")
    if not preview.changes and not preview.conflicts:
        typer.echo("  change no file (only record the new render as merged)")
    for blocker in in_the_way:
        typer.echo(f"  {'refuse':<9} {blocker.path} ({blocker.description})")
    typer.echo("Nothing was changed.")


def _print_release_notes(source: TemplateSource, versions: updating.Versions) -> None:
    """What changed for users between the two versions, from the template set's changelog."""
    if not isinstance(source, BuiltinTemplate):
        return
    sections = changelog.notes_between(source.template_set.root, versions.before, versions.after)
    if not sections:
        return
    typer.echo(f"\nWhat changed in the {versions.what} since {versions.before}:")
    for version, notes in sections:
        typer.echo(f"\n{version}\n" + "\n".join(f"  {line}" for line in notes.splitlines()))


def _report(
    outcome: merging.MergeOutcome,
    repo: Repo,
    project: Path,
    versions: updating.Versions,
    commit: str,
    undo: str,
) -> None:
    if outcome.clean:
        typer.echo(f"{versions.title}: merged into {project}, your changes kept.")
        for change in diffing.changes(repo, "HEAD~1", "HEAD"):
            typer.echo(_change_line(change, _PAST))
        typer.echo(f"Review it with `git show --stat HEAD`; undo it: `git reset --hard {undo}`.")
        return
    if outcome.uncommitted is not None:
        typer.echo(f"{versions.title}: merged into {project}, but git could not commit it:")
        for line in outcome.uncommitted.splitlines():
            typer.echo(f"  {line}")
        typer.echo("Fix that, then `git commit`; or undo it all with `git merge --abort`.")
        return
    _print_conflicts(outcome.conflicts, project, versions, commit)


def _print_conflicts(
    conflicts: list[diffing.Conflict], project: Path, versions: updating.Versions, commit: str
) -> None:
    count = len(conflicts)
    files = "1 file conflicts" if count == 1 else f"{count} files conflict"
    typer.echo(f"{versions.title}: merged into {project}, but {files} with your changes:")
    for conflict in conflicts:
        typer.echo(f"  {conflict.path}: {conflict.description}")
        typer.echo(f"      to settle: {diffing.how_to_settle(conflict)}")
    if any(conflict.has_markers for conflict in conflicts):
        typer.echo(
            "Conflict markers: <<<<<<< HEAD starts your lines, >>>>>>> "
            f"{commit[:12]} ends the template's; keep what you want and delete the markers."
        )
    typer.echo("Then `git add` the files and `git commit` to finish the update.")
    typer.echo("To give up: `git merge --abort` puts the project back as it was.")
