"""Git, through gitpython: the project's history keeps every pristine render.

The first commit of a project is the render exactly as the template produced it. `scaffold
update` adds each later pristine render as a commit whose parent is the previous one, and merges
it: so the base of every 3-way merge is in the project's own history, offline, on every clone.
Render commits carry trailers naming the template and the tree committed, which is how they are
found again and proved pristine (see `scaffold.history`).
"""

from __future__ import annotations

import functools
import getpass
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold.errors import ScaffoldError

if TYPE_CHECKING:
    from git import Repo

RENDER_TRAILER = "Scaffold-Render"
TREE_TRAILER = "Scaffold-Tree"


@dataclass(frozen=True)
class Identity:
    name: str
    email: str

    @classmethod
    def of_author(cls, answers: dict[str, Any]) -> Identity:
        """Who render commits are by: the author the project's answers record."""
        name = answers.get("author_name") or getpass.getuser()
        return cls(str(name), str(answers.get("author_email") or ""))

    def env(self) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


@functools.cache
def _user_config() -> dict[str, str]:
    """The git config `scaffold new` needs, in one git call (it is on new's path)."""
    try:
        result = subprocess.run(
            ["git", "config", "--get-regexp", r"^(user\.(name|email)|init\.defaultbranch)$"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return {}
    pairs = (line.partition(" ")[::2] for line in result.stdout.splitlines())
    return {key.lower(): value.strip() for key, value in pairs if value.strip()}


def identity_defaults() -> dict[str, str]:
    """Author answers from git config, when it has them."""
    config = _user_config()
    answers = {"author_name": config.get("user.name"), "author_email": config.get("user.email")}
    return {key: value for key, value in answers.items() if value}


def open_repo(path: Path) -> Repo:
    from git import InvalidGitRepositoryError, NoSuchPathError, Repo

    try:
        return Repo(path)
    except (InvalidGitRepositoryError, NoSuchPathError) as error:
        raise ScaffoldError(
            f"{path} is not a git repository.",
            hint="scaffold keeps each template render in the project's git history.",
            exit_code=2,
        ) from error


def render_message(source_label: str, template_label: str, tree: str) -> str:
    """A render commit's message. Its trailers are how `scaffold update` finds it again and
    checks that a history rewrite has not changed its files since."""
    from scaffold import __version__

    subject = f"Render {source_label} with ml-scaffold {__version__}"
    return f"{subject}\n\n{RENDER_TRAILER}: {template_label}\n{TREE_TRAILER}: {tree}\n"


class GitFailed(Exception):
    """A git command failed; `status` is its exit status (negative: killed by that signal)."""

    def __init__(self, args: list[str], status: int, stderr: str) -> None:
        super().__init__(f"git {args[0]} failed: {stderr.strip()}")
        self.status = status
        self.stderr = stderr


class FirstCommit:
    """The project's first commit: `git init` runs in the background while the template
    renders into the same directory, then plain git commits every rendered file (not
    gitpython: its import would be a noticeable share of `scaffold new`'s run time)."""

    def __init__(self, project: Path) -> None:
        self.project = project
        branch = _user_config().get("init.defaultbranch") or "main"
        project.mkdir(parents=True, exist_ok=True)
        self._init = subprocess.Popen(
            ["git", "init", "--quiet", f"--initial-branch={branch}", str(project)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def commit(self, message: Callable[[str], str], identity: Identity) -> str:
        """Commit every file and return the commit; `message(tree)` is the commit message for
        the tree committed.

        commit-tree rather than commit: no hook may change the files or the message.
        """
        _, stderr = self._init.communicate()
        if self._init.returncode != 0:
            raise ScaffoldError(f"git init failed: {stderr.decode(errors='replace').strip()}")
        tree = write_render_tree(self.project, self.project / ".git")
        text = message(tree)
        commit = self._git("commit-tree", tree, "-m", text, env=identity.env())
        self._git("update-ref", "-m", f"commit (initial): {text.splitlines()[0]}", "HEAD", commit)
        return commit

    def _git(self, *args: str, env: dict[str, str] | None = None) -> str:
        return _run(self.project, list(args), env)

    def abandon(self) -> None:
        """Stop `git init` if the render failed first (its directory is being removed)."""
        if self._init.returncode is None:
            self._init.kill()
            self._init.communicate()


def write_render_tree(render_dir: Path, git_dir: Path) -> str:
    """The tree of exactly the files of `render_dir`, staged in `git_dir`'s index.

    Every rendered file, whatever would ignore it (the render's own .gitignore, info/exclude,
    the user's core.excludesFile): a render commit without some of the template's files would
    make the next update delete them from the project. The one way both the first commit and
    `scaffold update`'s renders are made.
    """
    env = {"GIT_DIR": str(git_dir), "GIT_WORK_TREE": str(render_dir)}
    _run(render_dir, ["add", "--all", "--force"], env)
    return _run(render_dir, ["write-tree"], env)


def _run(cwd: Path, args: list[str], env: dict[str, str] | None = None) -> str:
    """`git ARGS` in `cwd`; GitFailed if it fails. Plain git, not gitpython (its import would
    be a noticeable share of `scaffold new`'s run time)."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise GitFailed(args, result.returncode, result.stderr)
    return result.stdout.strip()


def is_repo_root(path: Path) -> bool:
    """`path` is itself the top of a git worktree (not merely somewhere inside one)."""
    return toplevel(path, ceiling=path.parent) is not None


# --- What `scaffold update` asks of the project's repository --------------------------------


def open_project_repo(path: Path) -> Repo:
    """The repository holding `path` (which may be any directory inside it)."""
    from git import InvalidGitRepositoryError, NoSuchPathError, Repo

    try:
        repo = Repo(path, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError) as error:
        raise ScaffoldError(
            f"{path} is not in a git repository.",
            hint="scaffold update merges the new render through the project's git history; "
            "run it in a project made by `scaffold new`.",
            exit_code=2,
        ) from error
    if repo.bare or repo.working_tree_dir is None:
        raise ScaffoldError(f"{path} is a bare git repository, not a project.", exit_code=2)
    return repo


# Files git keeps while an operation waits for the user: (what it is, how to abandon it).
_IN_PROGRESS = {
    "MERGE_HEAD": ("a merge", "git merge --abort"),
    "CHERRY_PICK_HEAD": ("a cherry-pick", "git cherry-pick --abort"),
    "REVERT_HEAD": ("a revert", "git revert --abort"),
    "rebase-merge": ("a rebase", "git rebase --abort"),
    "rebase-apply": ("a rebase or `git am`", "git rebase --abort` or `git am --abort"),
    "BISECT_LOG": ("a bisect", "git bisect reset"),
}


def operation_in_progress(repo: Repo) -> tuple[str, str] | None:
    """(what, how to abort it) when a merge, rebase... is under way in this worktree."""
    git_dir = Path(repo.git_dir)  # per worktree, where git keeps these files
    for name, operation in _IN_PROGRESS.items():
        if (git_dir / name).exists():
            return operation
    return None


def status_entries(repo: Repo, untracked: bool = True) -> list[tuple[str, str]]:
    """(two-letter code, path) per entry of `git status --porcelain`: changed, staged, unmerged
    and (with `untracked`) untracked paths that are not ignored.

    --no-optional-locks: plain `git status` may rewrite the index to refresh its stat cache,
    and `scaffold update --dry-run` promises to leave .git untouched.
    """
    out = repo.git.execute(
        [
            "git",
            "--no-optional-locks",
            "status",
            "--porcelain",
            "-z",
            f"--untracked-files={'normal' if untracked else 'no'}",
        ],
        strip_newline_in_stdout=False,
    )
    entries: list[tuple[str, str]] = []
    parts = iter(str(out).split("\0"))
    for entry in parts:
        if not entry:
            continue
        entries.append((entry[:2], entry[3:]))
        if entry[0] in "RC":
            next(parts, None)  # a rename or copy is followed by its source path
    return entries


def is_shallow(repo: Repo) -> bool:
    return repo.git.rev_parse("--is-shallow-repository").strip() == "true"


def has_configured_identity(repo: Repo) -> bool:
    """Whether the user told git who they are (config or environment), as a commit needs.

    user.useConfigOnly: without it git would make up an identity from the host name, or fail
    only once the merge is done and its commit is due.
    """
    for ident in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        status, _, _ = repo.git.execute(
            ["git", "-c", "user.useConfigOnly=true", "var", ident],
            with_extended_output=True,
            with_exceptions=False,
        )
        if status != 0:
            return False
    return True


def toplevel(path: Path, ceiling: Path | None = None) -> Path | None:
    """The top directory of the git worktree holding `path`, or None.

    With `ceiling`, git does not look for a repository in it or above it.
    """
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(ceiling)} if ceiling else None
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=path,
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
    except OSError:
        return None
    top = result.stdout.removesuffix("\n")  # only git's newline: a folder may end in a space
    return Path(top) if result.returncode == 0 and top else None
