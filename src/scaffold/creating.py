"""Creating a project: render, make the render the first commit, and move it into place.

Everything happens in a hidden staging directory on DEST's filesystem and is moved into DEST only
once it is complete (see `scaffold.placing`), so an error, Ctrl-C, SIGTERM or SIGHUP leaves
nothing half-made behind. `scaffold new` creates one project this way, `scaffold cohort new` one
per student.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scaffold import git, interrupts, placing
from scaffold.answers import Answers
from scaffold.errors import ScaffoldError
from scaffold.rendering import RenderJob


@dataclass(frozen=True)
class Created:
    dest: Path
    answers: Answers
    commit: str | None  # the first commit (the pristine render); None without git


def create(
    dest: Path, render: RenderJob, use_git: bool = True, on_placed: Callable[[], None] | None = None
) -> Created:
    """Render, commit and place: in a staging directory that is gone afterwards, whatever
    happens (SIGTERM and SIGHUP arrive as KeyboardInterrupt, see `scaffold.interrupts`).

    The project is moved into place whole or not at all, and `on_placed` is called the moment
    it is, before a stop request that came meanwhile is let through: the caller can then tell
    the user that the project exists. Call `render.check_data()` first: a bad answer is then
    refused before anything is staged.
    """
    root = first_commit = None
    try:
        with interrupts.held():  # made and known, so that the cleanup below finds them
            root = placing.staging_root(dest)
            staged = root / dest.name  # same name as DEST, for Copier's _folder_name
            if use_git:
                first_commit = git.FirstCommit(staged)
        answers = render.render(staged)
        commit = None
        if first_commit:
            label = render.source.label
            message = functools.partial(git.render_message, label, answers.template_label)
            commit = first_commit.commit(message, git.Identity.of_author(answers.values))
        with interrupts.held():
            placing.place(staged, dest, set_aside=root / "replaced")
            if on_placed:
                on_placed()
        return Created(dest=dest, answers=answers, commit=commit)
    except git.GitFailed as error:
        if error.status in _STOPPED:  # git itself took the stop request
            raise KeyboardInterrupt from error
        detail = error.stderr.strip() or str(error)
        raise ScaffoldError(f"git failed while making the first commit: {detail}") from error
    finally:
        with interrupts.held():  # a stop request does not cut the cleanup short
            if first_commit:
                first_commit.abandon()
            if root:
                shutil.rmtree(root, ignore_errors=True)


# How git exits when a stop request reaches it: killed by the signal, or exiting 128 + it.
_STOPPED = {status for signum in interrupts.STOP_SIGNALS for status in (-signum, 128 + signum)}
