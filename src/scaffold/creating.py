"""Creating a project: render, make the render the first commit, and move it into place.

Everything happens in a hidden staging directory on DEST's filesystem and is moved into DEST only
once it is complete (see `scaffold.placing`), so an error, Ctrl-C, SIGTERM or SIGHUP leaves
nothing half-made behind. `scaffold new` creates one project this way, `scaffold cohort new` one
per student.
"""

from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass
from pathlib import Path

from scaffold import git, placing
from scaffold.answers import Answers
from scaffold.errors import ScaffoldError
from scaffold.rendering import RenderJob


@dataclass(frozen=True)
class Created:
    dest: Path
    answers: Answers
    commit: str | None  # the first commit (the pristine render); None without git


def create(dest: Path, render: RenderJob, use_git: bool = True) -> Created:
    """Render, commit and place: in a staging directory that is gone afterwards, whatever
    happens (SIGTERM and SIGHUP arrive as KeyboardInterrupt, see _cli.main).

    Call `render.check_data()` first: a bad answer is then refused before anything is staged.
    """
    from git import GitCommandError

    root = placing.staging_root(dest)
    staged = root / dest.name  # same name as DEST, for Copier's _folder_name
    first_commit = None
    try:
        if use_git:
            first_commit = git.FirstCommit(staged)
        answers = render.render(staged)
        commit = None
        if first_commit:
            label = render.source.label
            message = functools.partial(git.render_message, label, answers.template_label)
            commit = first_commit.commit(message, git.Identity.of_author(answers.values))
        placing.place(staged, dest, set_aside=root / "replaced")
        return Created(dest=dest, answers=answers, commit=commit)
    except GitCommandError as error:
        if error.status in (-2, 130):  # git itself took the Ctrl-C
            raise KeyboardInterrupt from error
        detail = str(error.stderr or "").strip() or str(error)
        raise ScaffoldError(f"git failed while making the first commit: {detail}") from error
    finally:
        if first_commit:
            first_commit.abandon()
        shutil.rmtree(root, ignore_errors=True)
