"""Git, through gitpython: the project's history keeps every pristine render.

The first commit of a project is the render exactly as the template produced it. `scaffold
update` adds each later pristine render as a commit whose parent is the previous one, and merges
it: so the base of every 3-way merge is in the project's own history, offline, on every clone.
Render commits carry a trailer naming the template, which is how they are found again.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.errors import ScaffoldError

if TYPE_CHECKING:
    from git import Repo

RENDER_TRAILER = "Scaffold-Render"


@dataclass(frozen=True)
class Identity:
    name: str
    email: str

    def env(self) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


def config_value(key: str, cwd: Path | None = None) -> str | None:
    """A git config value, or None (also when git itself is missing)."""
    try:
        result = subprocess.run(
            ["git", "config", "--get", key], cwd=cwd, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return result.stdout.strip() or None


def identity_defaults() -> dict[str, str]:
    """Author answers taken from git config, when it has them."""
    found = {"author_name": config_value("user.name"), "author_email": config_value("user.email")}
    return {key: value for key, value in found.items() if value}


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


def render_message(subject: str, template_label: str) -> str:
    return f"{subject}\n\n{RENDER_TRAILER}: {template_label}\n"


def commit_first_render(project: Path, message: str, identity: Identity) -> str:
    """`git init` the freshly rendered project and commit every file as its first commit."""
    from git import Repo

    branch = config_value("init.defaultBranch") or "main"
    repo = Repo.init(project, initial_branch=branch)
    repo.git.add("--all")
    with repo.git.custom_environment(**identity.env()):
        repo.git.commit("--quiet", "--no-verify", "-m", message)
    return repo.head.commit.hexsha


def is_inside_repo(path: Path) -> bool:
    return _git_toplevel(path) is not None


def _git_toplevel(path: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=path,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "GIT_CEILING_DIRECTORIES": str(path.parent)},
        )
    except OSError:
        return None
    return result.stdout.strip() or None
