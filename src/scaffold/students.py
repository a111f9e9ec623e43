"""What `scaffold cohort` does for one student: make their project, offer them a template update
on a branch, push it, tell how far behind they are.

Each job is a module-level function from a task (picklable: it may run in a worker process, see
`scaffold.batch`) to an outcome. A student's problem is told in the outcome, never raised, so one
student's trouble never stops the others. Nothing here writes to a student's main branch: the
update is a branch of its own (`updating.merge_on_branch`), pushed under its own name, and a
branch of that name already there (scaffold's earlier offer, or the student's own) is never
replaced.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold import creating, git, history, remotes, render_stage, scratch, updating
from scaffold.answers import Answers
from scaffold.errors import ScaffoldError
from scaffold.rendering import BuiltinTemplate, RenderJob
from scaffold.versions import is_newer

if TYPE_CHECKING:
    from git import Repo


# --- Making a student's project ----------------------------------------------------------------


@dataclass(frozen=True)
class NewTask:
    id: str
    dest: Path
    render: RenderJob
    remote: str | None = None  # becomes the project's `origin`


@dataclass(frozen=True)
class NewOutcome:
    id: str
    commit: str | None = None  # the first commit: the pristine render
    version: str | None = None
    branch: str | None = None
    error: str | None = None


def create(task: NewTask) -> NewOutcome:
    """The student's project, exactly as `scaffold new` makes it, with `origin` set."""
    try:
        created = creating.create(task.dest, task.render)
        if task.remote:
            remotes.add_origin(task.dest, task.remote)
        answers = created.answers
        return NewOutcome(
            task.id,
            commit=created.commit,
            version=answers.version or answers.commit,
            branch=current_branch(task.dest),
        )
    except ScaffoldError as error:
        return NewOutcome(task.id, error=error.message)
    except KeyboardInterrupt:
        return NewOutcome(task.id, error="interrupted before it was made")
    except Exception as error:  # an OSError, a git failure: this student's, reported
        return NewOutcome(task.id, error=_described(error))


def new_failed(task: NewTask, error: BaseException) -> NewOutcome:
    return NewOutcome(task.id, error=f"the worker process stopped: {_described(error)}")


def made_for(dest: Path, email: str) -> NewOutcome | None:
    """The outcome of an earlier run that made `dest` for this student but stopped before it
    could record it (a pristine render as the only commit, with the student's email); None if
    `dest` is anything else."""
    from git import InvalidGitRepositoryError, NoSuchPathError, Repo

    try:
        repo = Repo(dest)
        commits = history.render_commits(repo)
        count = int(repo.git.rev_list("--count", "HEAD"))
    except (InvalidGitRepositoryError, NoSuchPathError, ValueError):
        return None
    except Exception:  # no commit yet, unreadable objects: not one of ours
        return None
    if count != 1 or len(commits) != 1 or commits[0].problem(set()) is not None:
        return None
    answers = history.answers_at(repo, commits[0].sha)
    if (
        answers is None
        or str(answers.values.get("author_email", "")).casefold() != email.casefold()
    ):
        return None
    return NewOutcome(
        dest.name,
        commit=commits[0].sha,
        version=answers.version or answers.commit,
        branch=current_branch(dest),
    )


def current_branch(project: Path) -> str | None:
    """HEAD's branch, read from .git/HEAD (no git process for it)."""
    head = (project / ".git" / "HEAD").read_text(encoding="utf-8").strip()
    prefix = "ref: refs/heads/"
    return head[len(prefix) :] if head.startswith(prefix) else None


# --- Pushing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushTask:
    id: str
    project: Path
    remote: str
    branch: str


def push(task: PushTask) -> str | None:
    """Push the student's branch (main) to their remote; None, or why it was not pushed."""
    failure = remotes.push(task.project, task.remote, f"refs/heads/{task.branch}", task.branch)
    if failure is None:
        return None
    detail = str(failure)
    if failure.rejected and ("fetch first" in detail or "non-fast-forward" in detail):
        detail += " (the remote already has commits: it must be created empty)"
    return detail


# --- Offering a template update on a branch -----------------------------------------------------

DEFAULT_UPDATE_BRANCH = "scaffold/update-{version}"

UPDATED = "updated"
CONFLICTS = "conflicts"
UP_TO_DATE = "up to date"
OFFERED = "offered"  # scaffold's update branch is there already, waiting to be merged
UNREACHABLE = "unreachable"
NOT_SCAFFOLD = "not a scaffold project"
REFUSED = "refused"
FAILED = "failed"  # stopped partway: its worker process died, or it was interrupted
NOT_STARTED = "not started"  # the run was stopped (or its workers died) before this student


@dataclass(frozen=True)
class UpdateTask:
    id: str
    project: Path
    remote: str | None  # None: the local repository is the student's
    branch: str  # the student's main branch
    render: RenderJob  # the template to render; the student's answers are added here
    update_branch: str  # e.g. "scaffold/update-{version}"
    commit_conflicts: bool = False
    push: bool = False


@dataclass(frozen=True)
class UpdateOutcome:
    id: str
    kind: str  # one of UPDATED ... NOT_STARTED
    detail: str = ""  # why (refused, unreachable), or what (files changed)
    before: str | None = None  # the template version the student has
    after: str | None = None  # the version the update brings
    branch: str | None = None  # the update branch, when made
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (path, what happened)
    pushed: bool = False
    push_error: str | None = None

    @property
    def ok(self) -> bool:
        """Nothing left for the instructor to look at."""
        return self.kind in (UPDATED, UP_TO_DATE, OFFERED) and self.push_error is None


def update(task: UpdateTask) -> UpdateOutcome:
    """Merge the template's newest render into the student's main as a new branch, and push
    that branch if asked. The student's main is only read."""
    from git import GitCommandError

    try:
        return _update(task)
    except ScaffoldError as error:
        return UpdateOutcome(task.id, REFUSED, error.message)
    except KeyboardInterrupt:
        return UpdateOutcome(task.id, FAILED, "interrupted")
    except GitCommandError as error:
        detail = str(error.stderr or error).strip()
        return UpdateOutcome(task.id, REFUSED, f"git failed: {detail}")
    except Exception as error:
        return UpdateOutcome(task.id, REFUSED, _described(error))


def update_failed(task: UpdateTask, error: BaseException) -> UpdateOutcome:
    return UpdateOutcome(task.id, FAILED, f"the worker process stopped: {_described(error)}")


def update_not_started(task: UpdateTask) -> UpdateOutcome:
    return UpdateOutcome(task.id, NOT_STARTED, "the run stopped before this student")


def _update(task: UpdateTask) -> UpdateOutcome:
    refusal = _reach(task)
    if refusal is not None:
        return refusal
    repo = git.open_repo(task.project)
    main = _student_main(repo, task)
    if main is None:
        where = "the remote" if task.remote else "the repository"
        return UpdateOutcome(task.id, REFUSED, f"{where} has no branch {task.branch!r}")
    answers = history.answers_at(repo, main)
    if answers is None:
        return UpdateOutcome(task.id, NOT_SCAFFOLD, f"{task.branch} has no readable answers file")
    base = history.find_base(repo, main)  # a rewritten render refuses: ScaffoldError
    if base is None:
        return UpdateOutcome(
            task.id,
            NOT_SCAFFOLD,
            f"no render commit in the history of {task.branch} (made without scaffold, or the "
            "history was rewritten)",
        )
    refusal = _other_template(task, answers)
    if refusal is not None:
        return refusal
    render = dataclasses.replace(task.render, previous=answers.values)
    with (
        scratch.folder("scaffold-cohort-") as temporary,
        render_stage.RenderStage(repo) as stage,
    ):
        render_dir = temporary / task.project.name  # Copier's _folder_name, as at creation
        rendered = updating.render_on_base(repo, stage, render, base, answers, render_dir, main)
        versions = rendered.versions
        done = {"before": versions.before, "after": versions.after}
        if rendered.up_to_date:
            return UpdateOutcome(task.id, UP_TO_DATE, "", **done)
        branch = task.update_branch.format(version=versions.after)
        theirs = _resolve(repo, _student_ref(task, branch))
        if theirs is not None:  # never overwritten: it is the student's, or waits for them
            there = _branch_there(repo, task, branch, theirs, main, rendered.new.template_label)
            return dataclasses.replace(there, **done)
        _refuse_checked_out(repo, branch)
        merged = updating.merge_on_branch(repo, stage, rendered, branch, task.commit_conflicts)
    conflicts = [(conflict.path, conflict.description) for conflict in merged.conflicts]
    kind = CONFLICTS if conflicts else UPDATED
    changed = f"{len(merged.changes)} file{'s' if len(merged.changes) != 1 else ''} changed"
    if merged.commit is None:
        return UpdateOutcome(task.id, CONFLICTS, "branch not made", conflicts=conflicts, **done)
    outcome = UpdateOutcome(task.id, kind, changed, branch=branch, conflicts=conflicts, **done)
    if not task.push:
        return outcome
    if task.remote is None:
        return dataclasses.replace(outcome, push_error="no remote to push to")
    failure = remotes.push(task.project, task.remote, f"refs/heads/{branch}", branch)
    if failure is not None:
        return dataclasses.replace(outcome, push_error=str(failure))
    return dataclasses.replace(outcome, pushed=True)


def _reach(task: UpdateTask) -> UpdateOutcome | None:
    """Bring the student's work here: fetch it, or clone it when the folder is gone."""
    if task.remote is None:
        if task.project.is_dir():
            return None
        return UpdateOutcome(
            task.id, REFUSED, f"its folder {task.project} is gone and it has no remote"
        )
    if not task.project.exists():
        failure = remotes.clone(task.remote, task.project)
    else:
        failure = remotes.fetch(task.project, task.remote)
    if failure is not None:
        return UpdateOutcome(task.id, UNREACHABLE, failure.detail)
    return None


def _student_main(repo: Repo, task: UpdateTask) -> str | None:
    return _resolve(repo, _student_ref(task, task.branch))


def _student_ref(task: UpdateTask, branch: str) -> str:
    """The student's `branch`: as fetched from their remote, or the local one without."""
    return f"refs/remotes/origin/{branch}" if task.remote else f"refs/heads/{branch}"


def _other_template(task: UpdateTask, answers: Answers) -> UpdateOutcome | None:
    source = task.render.source
    if not isinstance(source, BuiltinTemplate) or answers.template != source.spec.name:
        made = answers.template or answers.src_path
        return UpdateOutcome(
            task.id, REFUSED, f"made from the {made} template, not the cohort's {source.label}"
        )
    available = source.template_set.version
    if is_newer(answers.version, available):
        return UpdateOutcome(
            task.id,
            REFUSED,
            f"has the {answers.template} template {answers.version}, newer than this "
            f"template set's {available}",
            before=answers.version,
        )
    return None


def _refuse_checked_out(repo: Repo, branch: str) -> None:
    head = repo.git.execute(
        ["git", "symbolic-ref", "--quiet", "HEAD"], with_exceptions=False
    ).strip()
    if head == f"refs/heads/{branch}":
        raise ScaffoldError(
            f"the update branch {branch} is checked out in {repo.working_tree_dir}: "
            "check out another branch there first"
        )


def _branch_there(
    repo: Repo, task: UpdateTask, branch: str, theirs: str, main: str, label: str
) -> UpdateOutcome:
    """What to say of the student's branch `branch` (at `theirs`), which is left as it is: an
    update scaffold offered to `label` (the render's, e.g. "nlp 2.0.0") is OFFERED, waiting to
    be merged, even when the student has committed since, on it or on main; anything else is
    refused, for the instructor to see to."""
    where = "on the remote" if task.remote else "in the repository"
    offer = _scaffold_offer(repo, theirs, main)
    if offer is None:
        return UpdateOutcome(
            task.id,
            REFUSED,
            f"the branch {branch} {where} is not an update scaffold made (the student's own): "
            "it is left as it is; name another branch with --branch",
        )
    if offer.label != label:
        return UpdateOutcome(
            task.id,
            REFUSED,
            f"the branch {branch} {where} holds scaffold's update to {offer.label}, not "
            f"{label}: the student merges or deletes it first, or use --branch with {{version}}",
        )
    if offer.merge != theirs:
        detail = "the student has added commits to it"
    elif offer.onto == main:
        detail = "the same update, waiting to be merged"
    elif _is_ancestor(repo, offer.onto, main):
        detail = (
            "made before the student's latest commits: older than the student's main, it "
            "still merges into it"
        )
    else:
        return UpdateOutcome(
            task.id,
            REFUSED,
            f"the update branch {branch} {where} was made from commits that are no longer on "
            f"the student's {task.branch} (its history was rewritten): delete the branch to "
            "have the update offered again",
        )
    if task.remote:  # this copy of the repository keeps its branch in step
        _keep_local_branch(repo, branch, theirs)
    return UpdateOutcome(task.id, OFFERED, f"{detail} ({branch} {where})", branch=branch)


@dataclass(frozen=True)
class _Offer:
    merge: str  # scaffold's merge commit
    onto: str  # the student's commit it merged the render into
    label: str  # the render's, e.g. "nlp 2.0.0"


def _scaffold_offer(repo: Repo, tip: str, main: str) -> _Offer | None:
    """The newest update scaffold made on a branch at `tip` and not yet on `main`: a merge of
    a pristine render commit into the student's work (what `updating.merge_on_branch` makes).
    A branch the student made themselves has none."""
    merges = repo.git.rev_list("--merges", "--parents", tip, f"^{main}")
    for line in merges.splitlines():
        merge, *parents = line.split()
        if len(parents) != 2:
            continue
        renders = history.render_commits(repo, parents[1])
        render = renders[0] if renders else None
        if render is not None and render.sha == parents[1] and render.tree == render.recorded_tree:
            return _Offer(merge, parents[0], render.label)
    return None


def _is_ancestor(repo: Repo, ancestor: str, descendant: str) -> bool:
    status_code, _, _ = repo.git.execute(
        ["git", "merge-base", "--is-ancestor", ancestor, descendant],
        with_extended_output=True,
        with_exceptions=False,
    )
    return status_code == 0


def _keep_local_branch(repo: Repo, branch: str, commit: str) -> None:
    """This copy's branch follows the one on the remote (unless it is checked out here)."""
    head = repo.git.execute(
        ["git", "symbolic-ref", "--quiet", "HEAD"], with_exceptions=False
    ).strip()
    if head != f"refs/heads/{branch}":
        repo.git.update_ref(f"refs/heads/{branch}", commit)


# --- Who is behind --------------------------------------------------------------------------


CURRENT = "current"
BEHIND = "behind"


@dataclass(frozen=True)
class StatusTask:
    id: str
    project: Path
    remote: str | None
    branch: str
    template: str
    latest: str  # the template set's version
    update_branch: str  # e.g. "scaffold/update-{version}"
    fetch: bool = True


@dataclass(frozen=True)
class StatusOutcome:
    id: str
    kind: str  # CURRENT, BEHIND, UNREACHABLE, NOT_SCAFFOLD or REFUSED
    version: str | None = None
    detail: str = ""
    offered: bool = False  # scaffold's update to `latest` waits on the update branch


def status(task: StatusTask) -> StatusOutcome:
    """The template version on the student's main, against the newest; changes nothing but
    the remote-tracking refs a fetch updates."""
    try:
        return _status(task)
    except ScaffoldError as error:
        return StatusOutcome(task.id, REFUSED, detail=error.message)
    except Exception as error:
        return StatusOutcome(task.id, REFUSED, detail=_described(error))


def _status(task: StatusTask) -> StatusOutcome:
    if not task.project.is_dir():
        return StatusOutcome(task.id, REFUSED, detail=f"its folder {task.project} is gone")
    if task.remote and task.fetch:
        failure = remotes.fetch(task.project, task.remote, shielded=False)
        if failure is not None:
            return StatusOutcome(task.id, UNREACHABLE, detail=failure.detail)
    repo = git.open_repo(task.project)
    prefix = "refs/remotes/origin/" if task.remote else "refs/heads/"
    main = _resolve(repo, prefix + task.branch)
    if main is None and not task.fetch:  # never fetched: what was made and pushed from here
        prefix = "refs/heads/"
        main = _resolve(repo, prefix + task.branch)
    if main is None:
        return StatusOutcome(task.id, REFUSED, detail=f"no branch {task.branch!r}")
    answers = history.answers_at(repo, main)
    if answers is None:
        return StatusOutcome(task.id, NOT_SCAFFOLD, detail=f"{task.branch} has no answers file")
    if history.find_base(repo, main) is None:  # a rewritten render raises: update would refuse
        return StatusOutcome(task.id, NOT_SCAFFOLD, detail="no render commit on its main")
    version = answers.version
    if answers.template != task.template:
        return StatusOutcome(
            task.id, REFUSED, version, f"made from the {answers.template} template"
        )
    if not is_newer(task.latest, version):
        return StatusOutcome(task.id, CURRENT, version)
    branch = _resolve(repo, prefix + task.update_branch.format(version=task.latest))
    offer = _scaffold_offer(repo, branch, main) if branch else None
    offered = offer is not None and offer.label == f"{task.template} {task.latest}"
    detail = f"{task.latest} available" + (
        ", update branch waiting to be merged" if offered else ""
    )
    return StatusOutcome(task.id, BEHIND, version, detail, offered=offered)


# --- git ------------------------------------------------------------------------------------------


def _resolve(repo: Repo, rev: str) -> str | None:
    status_code, out, _ = repo.git.execute(
        ["git", "rev-parse", "--verify", "--quiet", rev],
        with_extended_output=True,
        with_exceptions=False,
    )
    return str(out).strip() if status_code == 0 and str(out).strip() else None


def _described(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
