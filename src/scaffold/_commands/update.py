"""`scaffold update`: take a newer template into a project without losing a line of the project.

The project's history holds every pristine render (see `scaffold.history`). Update renders the
template again with the recorded answers, commits that render on top of the last one and
`git merge`s it into HEAD: the base of the 3-way merge is the render the project last took, and
conflicts are git's own, resolved and committed (or aborted) the usual way.

Exit codes: 0 updated or already up to date; 1 merged with conflicts for the user to resolve;
2 refused or failed, with nothing changed; 130 interrupted (the message says what was left).
`--dry-run` exits with the code the update would: 0 clean, 1 conflicts, 2 refused.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from scaffold import changelog, git, history, merging
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


@dataclass(frozen=True)
class Versions:
    """What the merge message and the report say: which template, from which to which version."""

    what: str  # "nlp template", "template https://..."
    before: str
    after: str

    @classmethod
    def of(cls, old: Answers, new: Answers) -> Versions:
        if new.is_builtin:
            return cls(new.what, str(old.version), str(new.version))
        return cls(new.what, str(old.commit), str(new.commit))

    @property
    def title(self) -> str:
        if self.before != self.after:
            return f"Update {self.what} {self.before} → {self.after}"
        return f"Re-render {self.what} {self.after}"


def run(job: UpdateJob) -> int:
    from git import GitCommandError

    state = _State()
    try:
        return _update(job, state)
    except ScaffoldError as error:
        if error.exit_code == 1:  # 1 means "conflicts to resolve" here: every refusal is 2
            error.exit_code = 2
        raise
    except GitCommandError as error:  # before the merge: nothing was changed
        detail = str(error.stderr or error).strip()
        raise ScaffoldError(f"git failed: {detail}", exit_code=2) from error
    except KeyboardInterrupt:
        raise interrupted(state.interrupted()) from None


@dataclass
class _State:
    """How far an update got, so that Ctrl-C can say what it left behind."""

    repo: Repo | None = None
    head: str | None = None  # HEAD before anything was changed

    def interrupted(self) -> str:
        if self.repo is None or self.head is None:
            return "Interrupted: nothing was changed."
        if (Path(self.repo.git_dir) / "MERGE_HEAD").exists():
            return "Interrupted during the merge: `git merge --abort` puts the project back."
        if self.repo.head.commit.hexsha != self.head:
            undo = f"git reset --hard {self.head[:12]}"
            return f"Interrupted: the update was committed; `{undo}` undoes it."
        return "Interrupted: nothing was changed."


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
    for note in base.notes:
        typer.echo(note)
    old = history.answers_at(repo, base.commit) or answers  # what the base was rendered with

    with (
        tempfile.TemporaryDirectory(prefix="scaffold-update-") as scratch,
        merging.RenderStage(repo) as stage,
    ):
        render_dir = Path(scratch) / root.name  # the project's name: Copier's _folder_name
        new = render.render(render_dir)
        versions = Versions.of(old, new)
        _refuse_downgrade(old, new, job.downgrade)
        tree = stage.write_tree(render_dir)
        author = git.Identity.of_author(new.values)
        # The user's own git identity signs merges; without one (a fresh machine), the author's.
        merger = None if git.has_configured_identity(repo) else author
        head, parent = "HEAD", base.commit
        if base.restore_tree is not None:
            parent = stage.commit_tree(base.restore_tree, [], base.restore_message, author)
            head = stage.commit_tree(
                stage.tree_of("HEAD"), ["HEAD", parent], _restore_message(base, parent), merger
            )
        message = git.render_message(render.source.label, new.template_label, tree)
        commit = stage.commit_tree(tree, [parent], message, author)
        if tree == stage.tree_of(parent):
            up_to_date = f"{root} has the {versions.what} {versions.after}"
            if head == "HEAD":
                typer.echo(f"Already up to date: {up_to_date}.")
                return UPDATED
            if job.dry_run:  # only the base would be recorded: the template has nothing new
                typer.echo(f"Dry run: would record the pristine {base.label} render as the base.")
                typer.echo(f"Otherwise up to date: {up_to_date}. Nothing was changed.")
                return UPDATED
            state.repo, state.head = repo, repo.head.commit.hexsha
            stage.keep()
            merging.fast_forward(repo, head)
            typer.echo(f"Recorded the pristine {base.label} render as the base ({parent[:12]}).")
            typer.echo(f"Already up to date: {up_to_date}.")
            return UPDATED
        in_the_way = _ignored_files_in_the_way(stage, head, commit, root)
        if job.dry_run:
            preview = stage.preview_merge(commit, head)
            _print_preview(preview, versions, in_the_way, base)
            _print_release_notes(render.source, versions)
            if in_the_way:
                return REFUSED
            return CONFLICTS if preview.conflicts else UPDATED
        if in_the_way:
            raise ScaffoldError(
                "The new render adds files where ignored files of yours are: "
                + ", ".join(in_the_way),
                hint="Move them aside (the merge would replace them), then run update again.",
            )
        state.repo, state.head = repo, repo.head.commit.hexsha
        stage.keep()  # only now does anything reach the project's .git

    if head != "HEAD":
        merging.fast_forward(repo, head)
        typer.echo(f"Recorded the pristine {base.label} render as the base ({parent[:12]}).")
    message = _merge_message(versions, commit, old, new)
    outcome = merging.merge_render(repo, commit, message, merger)
    code = _report(outcome, repo, root, versions, commit, undo=state.head[:12])
    _print_release_notes(render.source, versions)
    return code


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


def _refuse_downgrade(old: Answers, new: Answers, allowed: bool) -> None:
    """A custom template's version is known once rendered: refuse going back unless asked."""
    if old.is_builtin or allowed or not is_newer(old.commit, new.commit):
        return
    raise ScaffoldError(
        f"The project has the {new.what} {old.commit}; the update would take it back to the "
        f"older {new.commit}. Nothing was changed.",
        hint="Pass --downgrade if that is what you want.",
    )


def _ignored_files_in_the_way(
    stage: merging.RenderStage, head: str, commit: str, project: Path
) -> list[str]:
    """Paths the render would add where files exist untracked: ignored ones (the tree is clean)."""
    added = [change.path for change in stage.changes(head, commit, only="A")]
    return [path for path in added if os.path.lexists(project / path)]


def _restore_message(base: history.Base, restored: str) -> str:
    return (
        f"Record the pristine {base.label} render as the update base\n\n"
        f"The render commit {base.commit[:12]} is not in this history as ml-scaffold made it, "
        f"so its pristine files come back as a render commit of their own ({restored[:12]}). "
        "This merge keeps every file of the project as it was; `scaffold update` merges "
        "newer renders from it.\n"
    )


def _merge_message(versions: Versions, commit: str, old: Answers, new: Answers) -> str:
    lines = [
        versions.title,
        "",
        f"Merges the {versions.what} {versions.after} as rendered with this project's answers",
        f"(render commit {commit[:12]}, made by `scaffold update`).",
    ]
    changed = _answer_changes(old.values, new.values)
    if changed:
        lines += ["", "Changed answers:", *(f"  {line}" for line in changed)]
    return "\n".join(lines) + "\n"


def _answer_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    def shown(values: dict[str, Any], key: str) -> str:
        return json.dumps(values[key], ensure_ascii=False, default=str) if key in values else "-"

    return [
        f"{key}: {shown(old, key)} → {shown(new, key)}"
        for key in sorted(set(old) | set(new))
        if old.get(key, ...) != new.get(key, ...)
    ]


_VERBS = {"A": "add", "M": "change", "T": "change", "D": "remove", "R": "move"}
_PAST = {"A": "added", "M": "changed", "T": "changed", "D": "removed", "R": "moved"}


def _change_line(change: merging.Change, verbs: dict[str, str]) -> str:
    verb = verbs.get(change.status, change.status)
    if change.old_path is not None:
        return f"  {verb:<9} {change.old_path} → {change.path}"
    return f"  {verb:<9} {change.path}"


def _print_preview(
    preview: merging.MergePreview,
    versions: Versions,
    in_the_way: list[str],
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
    for path in in_the_way:
        typer.echo(f"  {'refuse':<9} {path} (an ignored file of yours is where it adds one)")
    typer.echo("Nothing was changed.")


def _print_release_notes(source: TemplateSource, versions: Versions) -> None:
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
    versions: Versions,
    commit: str,
    undo: str,
) -> int:
    if outcome.clean:
        typer.echo(f"{versions.title}: merged into {project}, your changes kept.")
        for change in merging.changes(repo, "HEAD~1", "HEAD"):
            typer.echo(_change_line(change, _PAST))
        typer.echo(f"Review it with `git show --stat HEAD`; undo it: `git reset --hard {undo}`.")
        return UPDATED
    if outcome.uncommitted is not None:
        typer.echo(f"{versions.title}: merged into {project}, but git could not commit it:")
        for line in outcome.uncommitted.splitlines():
            typer.echo(f"  {line}")
        typer.echo("Fix that, then `git commit`; or undo it all with `git merge --abort`.")
        return CONFLICTS
    _print_conflicts(outcome.conflicts, project, versions, commit)
    return CONFLICTS


def _print_conflicts(
    conflicts: list[merging.Conflict], project: Path, versions: Versions, commit: str
) -> None:
    count = len(conflicts)
    files = "1 file conflicts" if count == 1 else f"{count} files conflict"
    typer.echo(f"{versions.title}: merged into {project}, but {files} with your changes:")
    for conflict in conflicts:
        typer.echo(f"  {conflict.path}: {conflict.description}")
        typer.echo(f"      to settle: {merging.how_to_settle(conflict)}")
    if any(conflict.has_markers for conflict in conflicts):
        typer.echo(
            "Conflict markers: <<<<<<< HEAD starts your lines, >>>>>>> "
            f"{commit[:12]} ends the template's; keep what you want and delete the markers."
        )
    typer.echo("Then `git add` the files and `git commit` to finish the update.")
    typer.echo("To give up: `git merge --abort` puts the project back as it was.")
