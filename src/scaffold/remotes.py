"""A student's remote repository, reached through git itself: ssh keys, credential helpers and
any host (GitHub, GitLab, Gitea, a bare repository) work as they do for `git push`.

Git never prompts here (a prompt would stall a whole cohort): it runs without a terminal (in a
session of its own, stdin empty) and with GIT_TERMINAL_PROMPT=0, so missing credentials fail fast
with git's own words, which the cohort's report shows. Its own session also keeps the signals a
terminal sends to its process group (Ctrl-C, SIGHUP when it closes) from cutting a push or a
fetch of `cohort new`/`update` halfway: those stop between students (`scaffold.batch`), and git,
ssh and a local remote's receive-pack finish what they started, within TIMEOUT. (A signal can
still come between git's start and its own session: callers start it from a thread holding the
stop signals blocked, `interrupts.block`, which git inherits.) A fetch that records nothing
(`cohort status`) is not `shielded`: a stop ends it at once.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 300  # seconds one fetch or push may take before it counts as unreachable


@dataclass(frozen=True)
class RemoteFailure:
    """git could not talk to the remote, or the remote said no."""

    rejected: bool  # the remote answered and refused (a non-fast-forward, a hook, permissions)
    detail: str  # git's own words

    def __str__(self) -> str:
        return ("rejected: " if self.rejected else "unreachable: ") + self.detail


def push(project: Path, url: str, local_ref: str, remote_branch: str) -> RemoteFailure | None:
    """Push `local_ref` to the remote's `remote_branch`, never forced."""
    return _git(project, "push", "--quiet", "--porcelain", url,
                f"{local_ref}:refs/heads/{remote_branch}")  # fmt: skip


def fetch(project: Path, url: str, shielded: bool = True) -> RemoteFailure | None:
    """Every branch of the remote into refs/remotes/origin/ (the student's work, read-only)."""
    refspec = "+refs/heads/*:refs/remotes/origin/*"
    args = ("fetch", "--quiet", "--prune", "--no-tags", url, refspec)
    return _git(project, *args, shielded=shielded)


def clone(url: str, dest: Path) -> RemoteFailure | None:
    return _git(dest.parent, "clone", "--quiet", url, str(dest))


def add_origin(project: Path, url: str) -> None:
    """Make `url` the `origin` of a project that has none."""
    subprocess.run(
        ["git", "remote", "add", "origin", url], cwd=project, check=True, capture_output=True
    )


def set_origin(project: Path, url: str) -> None:
    """Make `url` the project's `origin` (replacing one that is there)."""
    current = subprocess.run(
        ["git", "remote", "get-url", "origin"], cwd=project, capture_output=True, text=True
    )
    verb = "set-url" if current.returncode == 0 else "add"
    subprocess.run(
        ["git", "remote", verb, "origin", url], cwd=project, check=True, capture_output=True
    )


def _git(cwd: Path, *args: str, shielded: bool = True) -> RemoteFailure | None:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            start_new_session=shielded,
        )
    except subprocess.TimeoutExpired:
        return RemoteFailure(False, f"git {args[0]} took longer than {TIMEOUT} s")
    if result.returncode == 0:
        return None
    return _failure(result.returncode, result.stdout + result.stderr)


def _failure(status: int, output: str) -> RemoteFailure:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    # --porcelain push: "!\tlocal:remote\t[rejected] (non-fast-forward)" per refused ref.
    refused = [line for line in lines if line.startswith("!")]
    said = [line for line in lines if line.startswith(("fatal:", "error:", "remote:"))]
    words = [*refused, *said] or lines[-1:] or [f"git exited with {status}"]
    detail = "; ".join(dict.fromkeys(words))  # in order, each once
    rejected = bool(refused) or any(
        marker in output for marker in ("[rejected]", "[remote rejected]", "hook declined")
    )
    return RemoteFailure(rejected, detail)
