"""Rendering: turn a template (built-in layers or a custom Copier template) plus answers into files.

Built-in templates are several Copier templates rendered into one directory, base layer first;
every layer sees the answers given so far and the catalog's data for the specialization. Custom
templates (a local path or a git URL) are one Copier template rendered as Copier would.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold import layers
from scaffold.answers import Answers, parse_answers
from scaffold.errors import ScaffoldError
from scaffold.questions import Questions, check_answers, layer_questions

if TYPE_CHECKING:
    from scaffold.templates import Specialization, TemplateSet

_URL_PATTERN = re.compile(r"^(\w+://|git@|gh:|gl:)|\.git$|\.bundle$")


@dataclass(frozen=True)
class BuiltinTemplate:
    spec: Specialization
    template_set: TemplateSet

    @property
    def label(self) -> str:
        return f"{self.spec.name} template {self.template_set.version}"

    def questions(self) -> Questions:
        """The questions a user may answer, over all layers (not the ones never asked)."""
        questions: Questions = {}
        for layer in self.spec.layers:
            questions.update(layer_questions(layer / "copier.yml"))
        return questions


@dataclass(frozen=True)
class CustomTemplate:
    src: str  # a local path or a git URL, as Copier takes it
    vcs_ref: str | None = None

    @property
    def label(self) -> str:
        return f"template {self.src}" + (f" at {self.vcs_ref}" if self.vcs_ref else "")


TemplateSource = BuiltinTemplate | CustomTemplate


def resolve_template(name: str, template_set: TemplateSet, vcs_ref: str | None) -> TemplateSource:
    """A built-in name, a local template directory, or a git URL."""
    if name in template_set.specializations:
        if vcs_ref:
            raise ScaffoldError("--vcs-ref applies to git templates, not built-in ones.")
        return BuiltinTemplate(template_set.get(name), template_set)
    path = Path(name).expanduser()
    if _URL_PATTERN.search(name):
        return CustomTemplate(name, vcs_ref)
    if path.is_dir():
        if not any((path / f).is_file() for f in ("copier.yml", "copier.yaml")):
            raise ScaffoldError(f"{path} is a directory but not a Copier template (no copier.yml).")
        return CustomTemplate(str(path.resolve()), vcs_ref)
    template_set.get(name)  # raises, listing the valid names
    raise AssertionError("unreachable")


@dataclass
class RenderJob:
    """One render's settings, like Copier's Worker: what to render and with which answers."""

    source: TemplateSource
    data: dict[str, Any] = field(default_factory=dict)  # answers given up front (--data)
    user_defaults: dict[str, Any] = field(default_factory=dict)  # better defaults (git config)
    defaults: bool = False  # take defaults for every question not answered by `data`
    trust: bool = False  # let the template run tasks, migrations and Jinja extensions
    # Answers of the render being updated: they answer the questions the template still asks
    # (so only new questions are asked); unlike `data`, answers to dropped questions are ignored.
    previous: dict[str, Any] = field(default_factory=dict)

    def check_data(self) -> None:
        """Refuse answers the template does not take (before rendering anything)."""
        if not isinstance(self.source, BuiltinTemplate):
            return  # checked after rendering, once Copier has fetched the template
        check_answers(self.data, self.source.questions(), self.source.label)

    def render(self, dest: Path) -> Answers:
        """Render into `dest` (created if missing) and write the answers file.

        Call `check_data` first to refuse bad answers before anything is staged.
        """
        try:
            if isinstance(self.source, BuiltinTemplate):
                return self._render_layers(self.source, dest)
            return self._render_custom(self.source, dest)
        except KeyboardInterrupt:
            raise
        except ScaffoldError:
            raise
        except Exception as error:  # Copier's errors: turn the ones users cause into messages
            raise _user_error(error) from error

    def _render_layers(self, source: BuiltinTemplate, dest: Path) -> Answers:
        questions = source.questions()
        previous = {key: value for key, value in self.previous.items() if key in questions}
        data = {**source.spec.data, **previous, **self.data}
        try:
            config = layers.merged_config(source.spec.layers)
        except layers.NotMergeable:
            answers = self._render_each_layer(source.spec.layers, dest, data)
        else:  # one Copier run, however many layers
            with tempfile.TemporaryDirectory(prefix="scaffold-view-") as scratch:
                view = layers.build_view(source.spec.layers, config, Path(scratch))
                answers = _recorded_answers(self._copy(str(view), dest, data, plain_directory=True))
        version = source.template_set.version
        result = Answers(values=answers, template=source.spec.name, version=version)
        result.write(dest)
        return result

    def _render_each_layer(
        self, stack: tuple[Path, ...], dest: Path, data: dict[str, Any]
    ) -> dict[str, Any]:
        """One Copier run per layer, each seeing the answers of the layers below as data."""
        answers: dict[str, Any] = {}
        for layer in stack:
            worker = self._copy(str(layer), dest, {**data, **answers}, plain_directory=True)
            answers.update(_recorded_answers(worker))
        return answers

    def _render_custom(self, source: CustomTemplate, dest: Path) -> Answers:
        # Copier records only the questions the template asks, so stale previous answers just go.
        data = {**self.previous, **self.data}
        worker = self._copy(source.src, dest, data, vcs_ref=source.vcs_ref)
        check_answers(self.data, worker.template.questions_data, source.label)
        answers_path = dest / worker.answers_relpath
        if answers_path.is_file():  # the template writes Copier's answers file itself
            return parse_answers(answers_path.read_text(encoding="utf-8"), str(answers_path))
        # Without it neither scaffold nor Copier could update the project later: write one.
        result = Answers(
            values=_recorded_answers(worker), src_path=source.src, commit=worker.template.commit
        )
        result.write(dest)
        return result

    def _copy(
        self,
        src: str,
        dest: Path,
        data: dict[str, Any],
        vcs_ref: str | None = None,
        plain_directory: bool = False,
    ) -> Any:
        from copier import run_copy  # slow import: only when rendering

        settings: dict[str, Any] = dict(
            data=data,
            defaults=self.defaults,
            user_defaults=self.user_defaults,
            overwrite=True,  # layers never share a path; a rerender overwrites its own files
            quiet=True,
            exclude=list(layers.JUNK),
            unsafe=self.trust,
            cleanup_on_error=False,  # the caller renders into a staging directory it removes
        )
        worker_class = _worker_class() if plain_directory else None
        if worker_class is None:
            return run_copy(src, dest, vcs_ref=vcs_ref, **settings)
        with worker_class(src_path=src, dst_path=dest, **settings) as worker:
            # A built-in layer is a plain directory whose version is the catalog's. Saying so
            # spares Copier probing it as a git repository and bundle (two git processes and
            # a temporary repository per layer: a fifth of `scaffold new`'s run time).
            worker.template.__dict__["vcs"] = None
            worker.run_copy()
        return worker


def _worker_class() -> Any:
    """Copier's Worker, if this Copier still caches the template's VCS the way we expect."""
    try:
        from copier._main import Worker
        from copier._template import Template
    except ImportError:
        return None
    return Worker if "vcs" in vars(Template) else None


def _recorded_answers(worker: Any) -> dict[str, Any]:
    combined = worker.answers.combined
    return {
        key: combined[key]
        for key, details in worker.template.questions_data.items()
        if key in combined and key not in worker.answers.hidden and not details.get("secret")
    }


def _user_error(error: Exception) -> ScaffoldError:
    from copier.errors import InteractiveSessionError, UnsafeTemplateError, UserMessageError
    from jinja2 import TemplateError, TemplateSyntaxError
    from plumbum import ProcessExecutionError

    if isinstance(error, InteractiveSessionError):
        return ScaffoldError(
            "The template asked a question but there is no terminal to answer it.",
            hint="Pass --defaults, or answer with --data KEY=VALUE / --data-file FILE.",
        )
    if isinstance(error, UnsafeTemplateError):
        return ScaffoldError(
            "This template wants to run its own code (tasks, migrations or Jinja extensions).",
            hint="Read the template first; if you trust it, re-run with --trust.",
        )
    if isinstance(error, ProcessExecutionError):
        detail = (error.stderr or "").strip().splitlines()
        return ScaffoldError(
            "Could not fetch the template with git: " + (detail[-1] if detail else str(error)),
            hint="Check the URL and --vcs-ref (only package registries are reachable offline).",
        )
    if isinstance(error, TemplateError):
        where = ""
        if isinstance(error, TemplateSyntaxError) and error.filename:
            where = f" in {error.filename}, line {error.lineno}"
        return ScaffoldError(
            f"The template failed to render{where}: {error.message}",
            hint="This is a bug in the template: tell its authors.",
        )
    if isinstance(error, (UserMessageError, ValueError, OSError)):
        return ScaffoldError(str(error).strip() or type(error).__name__)
    raise error
