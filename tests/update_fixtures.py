"""Template sets at versions 1, 2 and 3, projects made from them, and simulated users.

Each set is a copy of the built-in set. Besides real template files (the CI workflow, the
Dockerfile), the copies carry a few files of their own under `notes/`, so the scenarios stay
exact whatever the built-in templates say:

- v1: the built-in set, plus notes/workflow.md and notes/legacy.md.
- v2: a fix in the CI workflow, a new file (notes/upgrading.md) using a question new in v2
  (`notes_owner`), notes/legacy.md deleted, and a changed line in notes/workflow.md (the line
  the conflicting user also changes). v1's question `notes_format` is gone.
- v3: another line of notes/workflow.md changed, and notes/upgrading.md extended.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO_ROOT, git, run_scaffold

PROJECT_NAME = "review-sentiment"
PACKAGE = "review_sentiment"
CI_WORKFLOW = ".github/workflows/ci.yml"

WORKFLOW_V1 = """\
# How we work

Open an issue before a large change.
Run the tests with `make test` before you push.
Keep one change per pull request.

Tag a release once the model card is up to date.
"""
LINE_CHANGED_IN_V2 = (
    "Run the tests with `make test` before you push.",
    "Run `make check` before you push.",
)
LINE_CHANGED_IN_V3 = ("Tag a release once the model card is up to date.", "Tag releases as vX.Y.Z.")
NEW_QUESTION = "notes_owner:\n  type: str\n  help: Who keeps the notes\n  default: the bootcamp\n"
DROPPED_QUESTION = "notes_format:\n  type: str\n  help: Notes format\n  default: markdown\n"


@dataclass(frozen=True)
class TemplateSets:
    v1: Path
    v2: Path
    v3: Path
    ci_fix: str  # a line of the rendered CI workflow that only v2 and later have


def build_template_sets(root: Path) -> TemplateSets:
    v1 = root / "v1"
    shutil.copytree(REPO_ROOT / "templates", v1)
    notes = v1 / "mlops" / "template" / "notes"
    notes.mkdir()
    (notes / "workflow.md").write_text(WORKFLOW_V1, encoding="utf-8")
    (notes / "legacy.md").write_text("Notes from the old course.\n", encoding="utf-8")
    _append_question(v1, DROPPED_QUESTION)

    v2 = root / "v2"
    shutil.copytree(v1, v2)
    _set_version(v2, "2.0.0")
    ci_fix = _fix_ci_workflow(v2)
    notes = v2 / "mlops" / "template" / "notes"
    _replace(notes / "workflow.md", *LINE_CHANGED_IN_V2)
    (notes / "legacy.md").unlink()
    (notes / "upgrading.md.jinja").write_text(
        "{{ project_name }} follows the template; {{ notes_owner }} keeps these notes.\n",
        encoding="utf-8",
    )
    copier_yml = v2 / "mlops" / "copier.yml"
    text = copier_yml.read_text(encoding="utf-8")
    copier_yml.write_text(text.replace(DROPPED_QUESTION, ""), encoding="utf-8")
    _append_question(v2, NEW_QUESTION)
    _add_release_notes(v2, "2.0.0", "- The CI workflow pins its actions.")

    v3 = root / "v3"
    shutil.copytree(v2, v3)
    _set_version(v3, "3.0.0")
    notes = v3 / "mlops" / "template" / "notes"
    _replace(notes / "workflow.md", *LINE_CHANGED_IN_V3)
    with (notes / "upgrading.md.jinja").open("a", encoding="utf-8") as stream:
        stream.write("Version 3 adds this line.\n")
    _add_release_notes(v3, "3.0.0", "- Release tags are named vX.Y.Z.")
    return TemplateSets(v1=v1, v2=v2, v3=v3, ci_fix=ci_fix)


def _add_release_notes(template_set: Path, version: str, notes: str) -> None:
    changelog = template_set / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    first = text.index("\n## ")
    changelog.write_text(f"{text[:first]}\n## {version}\n\n{notes}\n{text[first:]}")


def _append_question(template_set: Path, question: str) -> None:
    copier_yml = template_set / "mlops" / "copier.yml"
    text = copier_yml.read_text(encoding="utf-8").rstrip("\n")
    copier_yml.write_text(f"{text}\n\n{question}", encoding="utf-8")


def _set_version(template_set: Path, version: str) -> None:
    catalog = template_set / "catalog.yml"
    text = catalog.read_text(encoding="utf-8")
    assert "\nversion: " in text, "catalog format changed"
    lines = [
        f"version: {version}" if line.startswith("version:") else line for line in text.split("\n")
    ]
    catalog.write_text("\n".join(lines), encoding="utf-8")


def _fix_ci_workflow(template_set: Path) -> str:
    """Change a line of the real CI workflow template, as a bootcamp's fix would."""
    [workflow] = [
        path
        for path in (template_set / "mlops" / "template").rglob("ci.yml.jinja")
        if "github" in str(path)
    ]
    text = workflow.read_text(encoding="utf-8")
    if "actions/checkout@v4" in text:
        workflow.write_text(text.replace("actions/checkout@v4", "actions/checkout@v5"))
        return "actions/checkout@v5"
    fix = "# Fixed in template v2: pinned actions."
    workflow.write_text(fix + "\n" + text, encoding="utf-8")
    return fix


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def new_project(dest: Path, template_set: Path, *extra: str) -> Path:
    """`scaffold new` from a template set with defaults: a repo whose first commit is a render."""
    result = run_scaffold(
        "new", dest, "-t", "nlp", "--defaults", "--templates-dir", template_set, *extra
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return dest


def update(
    project: Path, template_set: Path | None, *extra: str, env: dict[str, str] | None = None
):
    args = ["update", project, *extra]
    if template_set is not None:
        args += ["--templates-dir", template_set]
    return run_scaffold(*args, env=env)


# --- Simulated users --------------------------------------------------------------------------


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as stream:
        stream.write(text)


def edit_like_a_student(project: Path, deleted: str = ".pre-commit-config.yaml") -> None:
    """Edits that overlap nothing v2 changes: README, config, model code, an own module, and a
    deleted generated file (`deleted`, one the newer template leaves as it was). Committed."""
    package = project / "src" / PACKAGE
    append(project / "README.md", "\n## What I learned\n\nTF-IDF is a strong baseline.\n")
    append(package / "config.py", "\n\nMY_THRESHOLD = 0.7  # tuned on the validation split\n")
    append(package / "model.py", "\n\ndef my_helper() -> str:\n    return 'mine'\n")
    (package / "features.py").write_text("def my_features(text):\n    return text.split()\n")
    (project / deleted).unlink()
    git(project, "add", "--all")
    git(project, "commit", "-qm", "My changes")


def edit_what_v2_changes(project: Path) -> None:
    """Edits that overlap v2: the line v2 changes, the file v2 deletes, and the CI workflow
    (deleted here, changed by v2). Committed."""
    _replace(project / "notes" / "workflow.md", LINE_CHANGED_IN_V2[0], "Run `tox` before you push.")
    append(project / "notes" / "legacy.md", "Still useful: my notes on tokenisers.\n")
    (project / CI_WORKFLOW).unlink()
    git(project, "add", "--all")
    git(project, "commit", "-qm", "My overlapping changes")


# --- Observing the project --------------------------------------------------------------------


def snapshot(directory: Path) -> dict[str, tuple[str, int]]:
    """Every file and directory under `directory`, with its content hash and mtime: proof that
    nothing was touched, not git's index, refs or logs, nor a single object added.

    Objects are compared by content only: writing an object git already stores, even in an
    alternate object directory, refreshes that file's mtime (gc bookkeeping), and the staged
    render reuses the project's objects that way.
    """
    state: dict[str, tuple[str, int]] = {}
    for path in sorted(directory.rglob("*")):
        key = path.relative_to(directory).as_posix()
        if path.is_dir():
            state[key] = ("dir", 0)
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        is_object = key.startswith(".git/objects/")
        state[key] = (digest, 0 if is_object else os.stat(path).st_mtime_ns)
    return state


def parents(project: Path, rev: str = "HEAD") -> list[str]:
    return git(project, "rev-list", "--parents", "-n1", rev).split()[1:]


def first_commit(project: Path) -> str:
    return git(project, "rev-list", "--max-parents=0", "HEAD").strip()


def read(project: Path, relpath: str) -> str:
    return (project / relpath).read_text(encoding="utf-8")


def variant(template_set: Path, dest: Path, version: str | None = None) -> Path:
    """A copy of `template_set` to change in a test (at another version, if given)."""
    shutil.copytree(template_set, dest)
    if version is not None:
        _set_version(dest, version)
    return dest


def notes_dir(template_set: Path) -> Path:
    """Where the sets' own files live (rendered as `notes/` in the project)."""
    return template_set / "mlops" / "template" / "notes"


def template_root(template_set: Path) -> Path:
    """The files every project of `template_set` gets (the mlops layer's template folder)."""
    return template_set / "mlops" / "template"
