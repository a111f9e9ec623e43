"""The project's render history: which commit holds the template's pristine render to merge from.

A render commit holds the files exactly as the template produced them. Its message ends with two
trailers: `Scaffold-Render:` names the template version, `Scaffold-Tree:` the tree (the files)
ml-scaffold committed. The first commit of a project is one; `scaffold update` makes the next with
the previous render as its parent and merges it into HEAD, so git's merge base of HEAD and a new
render is the render the project last took.

History rewrites keep a commit's message but may change its files: `git commit --amend` of the
first commit, a fixup into it, `git pull --rebase` replaying a render commit on top of other work.
Merging from such a commit would undo every change baked into it, so a render commit must prove it
is pristine before it is used as a base: its tree must be the one its trailer records. Commits
made before ml-scaffold recorded trees are checked as far as their metadata allows (parents that
are renders, committed when authored); docs/updating.md says which rewrites that catches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scaffold.answers import ANSWERS_FILE, Answers, parse_answers
from scaffold.errors import ScaffoldError
from scaffold.git import RENDER_TRAILER, TREE_TRAILER
from scaffold.versions import parse_version

if TYPE_CHECKING:
    from git import Repo

_FIELDS = ("%H", "%T", "%P", "%at", "%ct", "%s")
_FORMAT = (
    "%x1f".join(_FIELDS)
    + f"%x1f%(trailers:key={RENDER_TRAILER},valueonly,separator=%x1e)"
    + f"%x1f%(trailers:key={TREE_TRAILER},valueonly,separator=%x1e)"
)


@dataclass(frozen=True)
class RenderCommit:
    sha: str
    tree: str  # the commit's files as they are now
    parents: tuple[str, ...]
    subject: str
    label: str  # the Scaffold-Render trailer, e.g. "nlp 1.0.0"
    recorded_tree: str | None  # the Scaffold-Tree trailer; None before ml-scaffold 0.2.0
    recommitted: bool  # committed later than authored: amended, rebased, cherry-picked

    @property
    def short(self) -> str:
        return self.sha[:12]

    @property
    def version(self) -> str:
        return self.label.rsplit(" ", 1)[-1]

    @property
    def described(self) -> str:
        return f'{self.short} ("{self.subject}")'

    def problem(self, renders: set[str]) -> str | None:
        """Why this commit cannot be trusted as the template's pristine render, or None."""
        if self.recorded_tree is not None:
            if self.tree == self.recorded_tree:
                return None
            return (
                "its files are not the ones ml-scaffold committed (the tree its "
                f"{TREE_TRAILER} trailer records): a history rewrite changed them"
            )
        # Made by an ml-scaffold that did not record trees: judge by what a rewrite leaves.
        foreign = [parent for parent in self.parents if parent not in renders]
        if foreign:
            return (
                f"its parent {foreign[0][:12]} is not a render: a rebase (such as "
                "`git pull --rebase`) replayed it on top of other work"
            )
        if self.recommitted:
            return "it was committed again after it was made (an amend or a rebase)"
        return None


@dataclass(frozen=True)
class Base:
    """The render a new render is committed on top of, and merged from."""

    commit: str
    label: str
    # The pristine tree is only recoverable, not in a commit of HEAD's history: a fresh root
    # commit of this tree is recorded first (merged into HEAD, keeping HEAD's files).
    restore_tree: str | None = None
    restore_message: str = ""
    notes: list[str] = field(default_factory=list)
    # Named with --base and made before ml-scaffold recorded trees: its files are trusted only
    # once a fresh render of its answers at its version gives the same (see `scaffold update`).
    needs_render_proof: bool = False

    @property
    def files(self) -> str:
        """The base's files: the tree restored, or the commit's own ("REV^{tree}")."""
        return self.restore_tree or f"{self.commit}^{{tree}}"

    @property
    def needs_recording(self) -> bool:
        return self.restore_tree is not None


def render_commits(repo: Repo, rev: str = "HEAD") -> list[RenderCommit]:
    """Every render commit reachable from `rev`, newest first (a commit before its parents).

    Renders are merged in as second parents, so first-parent history would miss them.
    """
    if not repo.head.is_valid():  # no commit yet
        return []
    out = repo.git.log(
        "--topo-order", f"--grep=^{RENDER_TRAILER}:", "-z", f"--format={_FORMAT}", rev
    )
    commits = []
    for record in out.split("\0"):
        parts = record.strip("\n").split("\x1f")
        if len(parts) != 8:
            continue
        sha, tree, parents, authored, committed, subject, label, recorded = parts
        label = label.split("\x1e")[0].strip()
        if not label:  # --grep also matches the words outside a trailer
            continue
        recorded = recorded.split("\x1e")[0].strip() or None
        commits.append(
            RenderCommit(
                sha=sha,
                tree=tree,
                parents=tuple(parents.split()),
                subject=subject,
                label=label,
                recorded_tree=recorded,
                recommitted=authored != committed,
            )
        )
    return commits


def last_render(repo: Repo) -> RenderCommit | None:
    """The newest render commit reachable from HEAD, trusted or not (None: no history)."""
    commits = render_commits(repo)
    return commits[0] if commits else None


def find_base(repo: Repo, rev: str = "HEAD") -> Base | None:
    """The pristine render to merge from, or None when `rev`'s history has no render commit.

    Several renders can be "newest" (none an ancestor of another) when branches that each took
    an update were merged, or after a rewritten render was worked around with `--base`. A
    pristine one among them is safe to merge from (nothing of the user's is undone; at worst an
    older base raises conflicts); when every newest render fails its proof, refuse.
    """
    commits = render_commits(repo, rev)
    if not commits:
        return None
    renders = {commit.sha for commit in commits}
    newest = _independent(repo, commits)
    trusted = [commit for commit in newest if commit.problem(renders) is None]
    if not trusted:
        raise _rewritten_error(repo, newest[0], commits, renders)
    trusted.sort(key=lambda commit: _version_key(commit.version), reverse=True)  # stable
    chosen = trusted[0]
    # A rewritten render whose pristine files came back as a render of their own (--base).
    restored = {commit.tree for commit in commits if commit.problem(renders) is None}
    notes = [
        f"Note: the render commit {commit.described} is ignored: {commit.problem(renders)}."
        for commit in newest
        if commit not in trusted and commit.recorded_tree not in restored
    ]
    return Base(commit=chosen.sha, label=chosen.label, notes=notes)


def named_base(repo: Repo, rev: str) -> Base:
    """`scaffold update --base REV`: the render the user names as the base.

    Only a render commit is taken: any other commit (HEAD, an update's merge, a commit picked
    from the reflog) holds the user's changes, which a merge from it would undo. A render with a
    recorded tree must match it, or have that tree still in the object store (then it is
    restored). One made before ml-scaffold recorded trees comes back with `needs_render_proof`.
    """
    from git import BadName, GitCommandError

    try:
        sha = repo.git.rev_parse("--verify", "--quiet", f"{rev}^{{commit}}").strip()
    except (GitCommandError, BadName) as error:
        raise ScaffoldError(
            f"--base {rev}: no such commit in this repository.", exit_code=2
        ) from error
    [commit] = render_commits(repo, f"{sha}^!") or [None]
    if commit is None:
        subject = repo.git.log("-1", "--format=%s", sha)
        raise ScaffoldError(
            f'--base {rev} ({sha[:12]}, "{subject}") is not a render commit (its message has '
            f"no `{RENDER_TRAILER}:` trailer): it holds changes of yours, and an update from it "
            "would undo them. Nothing was changed.",
            hint=_NAME_A_RENDER,
            exit_code=2,
        )
    if answers_at(repo, sha) is None:
        raise ScaffoldError(
            f"--base {rev} ({sha[:12]}) has no readable {ANSWERS_FILE}: scaffold cannot tell "
            "what it rendered.",
            hint=_NAME_A_RENDER,
            exit_code=2,
        )
    message = repo.git.log("-1", "--format=%B", sha)
    if commit.recorded_tree is not None and commit.recorded_tree != commit.tree:
        if not _has_object(repo, commit.recorded_tree):
            raise ScaffoldError(
                f"--base {rev}: {commit.described} was rewritten and its pristine render is not "
                "in this clone.",
                hint="Name another render commit, or the original of this one "
                "(another clone, the remote before your push, `git reflog`).",
                exit_code=2,
            )
        return Base(sha, commit.label, restore_tree=commit.recorded_tree, restore_message=message)
    unproven = commit.recorded_tree is None
    if _is_ancestor(repo, sha, "HEAD"):
        return Base(sha, commit.label, needs_render_proof=unproven)
    # Not in HEAD's history (from the reflog or another branch): record a copy of its files.
    return Base(
        sha, commit.label, restore_tree=commit.tree, restore_message=message,
        needs_render_proof=unproven,
    )  # fmt: skip


_NAME_A_RENDER = (
    f"Name a render commit: `git log --all --grep '^{RENDER_TRAILER}:' --format='%h %s'` lists "
    "them. See 'If update went wrong' in ml-scaffold's docs/updating.md."
)


def answers_at(repo: Repo, rev: str) -> Answers | None:
    """The answers file as committed in `rev`, or None when it has none (or it is unreadable)."""
    from git import GitCommandError

    try:
        text = repo.git.show(f"{rev}:{ANSWERS_FILE}")
        return parse_answers(text, f"{ANSWERS_FILE} of {rev[:12]}")
    except (GitCommandError, ScaffoldError):
        return None


def _independent(repo: Repo, commits: list[RenderCommit]) -> list[RenderCommit]:
    """The commits that are no ancestor of another, in their original (newest first) order."""
    if len(commits) == 1:
        return commits
    keep = set(repo.git.merge_base("--independent", *(c.sha for c in commits)).split())
    return [commit for commit in commits if commit.sha in keep]


def _version_key(version: str) -> tuple[int, object]:
    parsed = parse_version(version)
    return (1, parsed) if parsed is not None else (0, 0)


def _is_ancestor(repo: Repo, ancestor: str, rev: str) -> bool:
    status, _, _ = repo.git.execute(
        ["git", "merge-base", "--is-ancestor", ancestor, rev],
        with_extended_output=True,
        with_exceptions=False,
    )
    return status == 0


def _has_object(repo: Repo, sha: str) -> bool:
    status, _, _ = repo.git.execute(
        ["git", "cat-file", "-e", f"{sha}^{{tree}}"],
        with_extended_output=True,
        with_exceptions=False,
    )
    return status == 0


def _rewritten_error(
    repo: Repo, commit: RenderCommit, commits: list[RenderCommit], renders: set[str]
) -> ScaffoldError:
    """Refuse, naming the commit and the reason, with the way back that this clone allows."""
    problem = commit.problem(renders)
    message = (
        f"The render commit {commit.described} cannot be trusted as the template's pristine "
        f"render: {problem}. Updating from it would undo every change of yours inside it, "
        "so nothing was changed."
    )
    changed = _changed_files(repo, commit)
    if changed:
        shown = ", ".join(changed[:8]) + (
            f" and {len(changed) - 8} more" if len(changed) > 8 else ""
        )
        message += f"\nFiles it changed from the render: {shown}."
    ways = []
    if commit.recorded_tree is not None and _has_object(repo, commit.recorded_tree):
        ways.append(
            f"`scaffold update --base {commit.short}`: the pristine render is still in this "
            "clone; scaffold records it and updates from it."
        )
    # A render without a recorded tree is taken with --base only once a render of its own
    # version proves it, which the template set at hand rarely allows: not offered.
    older = [
        c
        for c in commits
        if c is not commit and c.problem(renders) is None and c.recorded_tree is not None
    ]
    if older:
        ways.append(
            f"`scaffold update --base {older[0].short}`: update from the older render "
            f"{older[0].label}; nothing of yours is lost, but template changes you already "
            "have may come back as conflicts."
        )
    ways.append(
        "`scaffold update --base COMMIT` with the original render commit, from another clone, "
        "the remote before the rewrite was pushed, or `git reflog`."
    )
    ways.append(
        "`scaffold update --adopt` with the template set of the version the project has: "
        "records a fresh render of the project's answers as the base (it shows the "
        "differences first)."
    )
    hint = "To recover, one of:\n" + "\n".join(f"  - {way}" for way in ways)
    hint += "\nSee 'If update went wrong' in ml-scaffold's docs/updating.md."
    return ScaffoldError(message, hint=hint, exit_code=2)


def _changed_files(repo: Repo, commit: RenderCommit) -> list[str]:
    """Files a rewritten render commit changed, when the pristine tree is still here."""
    if commit.recorded_tree is None or not _has_object(repo, commit.recorded_tree):
        return []
    out = repo.git.diff_tree("-r", "--name-only", "-z", commit.recorded_tree, commit.tree)
    return [path for path in out.split("\0") if path]
