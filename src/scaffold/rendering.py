"""Rendering: turn a template (built-in layers or a custom Copier template) plus answers into files.

Built-in templates are several Copier templates rendered into one directory, base layer first;
every layer sees the answers given so far and the catalog's data for the specialization. Custom
templates (a local path or a git URL) are one Copier template rendered as Copier would.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from scaffold import interrupts, layers, scratch, trust
from scaffold.answers import Answers, parse_answers
from scaffold.errors import ScaffoldError
from scaffold.questions import Questions, check_answers, layer_config, layer_questions

if TYPE_CHECKING:
    from scaffold.templates import Specialization, TemplateSet

# Layer stacks found to need no --trust in this process: a batch walks each one once.
_PASSED_STACKS: set[tuple[Path, ...]] = set()
_URL_PATTERN = re.compile(r"^([\w+.-]+://|git@|gh:|gl:)|\.git$|\.bundle$")
_FILE_URL = re.compile(r"^(git\+)?file://")


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
    if _FILE_URL.match(name):  # a local repository named as a URL: Copier takes its path
        name = unquote(_FILE_URL.sub("", name))
    elif _URL_PATTERN.search(name):
        return CustomTemplate(name, vcs_ref)
    path = Path(name).expanduser()
    if path.is_dir():
        if not any((path / f).is_file() for f in ("copier.yml", "copier.yaml")):
            raise ScaffoldError(f"{path} is a directory but not a Copier template (no copier.yml).")
        if vcs_ref and not (path / ".git").exists():
            raise ScaffoldError(
                f"--vcs-ref {vcs_ref}: {path} is not a git repository, so it has no refs.",
                hint="Drop --vcs-ref to use the directory as it is, or name a git template.",
            )
        return CustomTemplate(str(path.resolve()), vcs_ref)
    if os.sep in name or name.startswith((".", "~")) or path.exists():
        raise ScaffoldError(
            f"No template at {path.absolute()}: "
            + ("it is not a directory." if path.exists() else "no such directory."),
            hint="Built-in templates: " + ", ".join(template_set.available_names()) + ".",
        )
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
    # A built-in template's merged layer view made once by `shared_view`, for many renders
    # (a cohort); None: each render builds its own.
    view: Path | None = None

    def check_data(self) -> None:
        """Refuse, before anything is rendered, what a built-in template's layers may not do
        without --trust (see `scaffold.trust`) and answers the template does not take. A custom
        template is checked once Copier has fetched it."""
        if not isinstance(self.source, BuiltinTemplate):
            return
        self._refuse_untrusted_layers(self.source)
        check_answers(self.data, self.source.questions(), self.source.label)

    def _refuse_untrusted_layers(self, source: BuiltinTemplate) -> None:
        if self.trust or source.spec.layers in _PASSED_STACKS:
            return
        trust.refuse(
            trust.examine(
                layer, layer_config(layer / "copier.yml"), f"layer {layer.name!r} ({layer})"
            )
            for layer in source.spec.layers
        )
        _PASSED_STACKS.add(source.spec.layers)

    def ask(self, dest: Path) -> None:
        """Ask the template's questions now, writing nothing (Copier's pretend mode); the render
        that follows takes these answers as given. `dest` is where the project will go."""
        answers = self._guarded(lambda: self._answers(dest, pretend=True))
        self.data, self.defaults = {**self.data, **answers}, True

    def render(self, dest: Path) -> Answers:
        """Render into `dest` (created if missing) and write the answers file.

        Call `check_data` first to refuse bad answers before anything is staged.
        """
        return self._guarded(lambda: self._render(dest))

    def _guarded(self, action: Any) -> Any:
        try:
            if self.defaults:  # nothing is asked
                return action()
            with _validation_messages_that_fit():
                return action()
        except KeyboardInterrupt:
            raise
        except ScaffoldError:
            raise
        except Exception as error:  # Copier's errors: turn the ones users cause into messages
            raise _user_error(error) from error

    def _render(self, dest: Path) -> Answers:
        source = self.source
        if isinstance(source, BuiltinTemplate):
            values = self._answers(dest)
            version = source.template_set.version
            result = Answers(values=values, template=source.spec.name, version=version)
            result.write(dest)
            return result
        worker = self._run_custom(source, dest)
        answers_path = dest / worker.answers_relpath
        if answers_path.is_file():  # the template writes Copier's answers file itself
            return parse_answers(answers_path.read_text(encoding="utf-8"), str(answers_path))
        # Without it neither scaffold nor Copier could update the project later: write one.
        values = _recorded_answers(worker)
        result = Answers(values=values, src_path=source.src, commit=worker.template.commit)
        result.write(dest)
        return result

    def _answers(self, dest: Path, pretend: bool = False) -> dict[str, Any]:
        """Run the template (writing nothing if `pretend`) and return the answers: the ones a
        project records, or with `pretend` every one the render will need again."""
        if isinstance(self.source, BuiltinTemplate):
            return self._run_layers(self.source, dest, pretend)
        worker = self._run_custom(self.source, dest, pretend)
        return _recorded_answers(worker, with_secrets=pretend)

    def _run_layers(self, source: BuiltinTemplate, dest: Path, pretend: bool) -> dict[str, Any]:
        self._refuse_untrusted_layers(source)  # whether or not the caller checked first
        questions = source.questions()
        previous = {key: value for key, value in self.previous.items() if key in questions}
        # The standard library's module names: the package_name validator refuses them.
        environment = {"stdlib_modules": sorted(sys.stdlib_module_names)}
        data = {**source.spec.data, **environment, **previous, **self.data}
        if self.view is not None:
            worker = self._copy(str(self.view), dest, data, plain_directory=True, pretend=pretend)
            return _recorded_answers(worker, with_secrets=pretend)
        with shared_view(source) as view:  # one Copier run
            if view is None:
                return self._run_each_layer(source.spec.layers, dest, data, pretend)
            worker = self._copy(str(view), dest, data, plain_directory=True, pretend=pretend)
            return _recorded_answers(worker, with_secrets=pretend)

    def _run_each_layer(
        self, stack: tuple[Path, ...], dest: Path, data: dict[str, Any], pretend: bool
    ) -> dict[str, Any]:
        """One Copier run per layer, each seeing the answers of the layers below as data."""
        answers: dict[str, Any] = {}
        for layer in stack:
            worker = self._copy(
                str(layer), dest, {**data, **answers}, plain_directory=True, pretend=pretend
            )
            answers.update(_recorded_answers(worker, with_secrets=pretend))
        return answers

    def _run_custom(self, source: CustomTemplate, dest: Path, pretend: bool = False) -> Any:
        # Copier records only the questions the template asks, so stale previous answers just go.
        data = {**self.previous, **self.data}
        worker = self._copy(source.src, dest, data, vcs_ref=source.vcs_ref, pretend=pretend)
        check_answers(self.data, worker.template.questions_data, source.label)
        return worker

    def _copy(
        self,
        src: str,
        dest: Path,
        data: dict[str, Any],
        vcs_ref: str | None = None,
        plain_directory: bool = False,
        pretend: bool = False,
    ) -> Any:
        Worker, Template = _copier()
        stack = self.source.spec.layers if isinstance(self.source, BuiltinTemplate) else ()

        settings: dict[str, Any] = dict(
            data=data,
            defaults=self.defaults,
            user_defaults=self.user_defaults,
            overwrite=True,  # layers never share a path; a rerender overwrites its own files
            quiet=True,
            exclude=layers.render_exclusions() if stack else list(layers.JUNK),
            unsafe=self.trust,
            pretend=pretend,
            cleanup_on_error=False,  # the caller renders into a staging directory it removes
        )
        # Shortcuts for a built-in layer (or the merged view), if this Copier still caches the
        # template's VCS the way they expect.
        shortcuts = plain_directory and "vcs" in vars(Template)
        worker = Worker(src_path=src, dst_path=dest, vcs_ref=vcs_ref, **settings)
        with _removed_whole(worker):
            if shortcuts:
                # A built-in layer is a plain directory whose version is the catalog's. Saying
                # so spares Copier probing it as a git repository and bundle (two git processes
                # and a temporary repository per layer: a fifth of `scaffold new`'s run time).
                worker.template.__dict__["vcs"] = None
            # The template is here now (a git one is cloned), and nothing of it ran yet: Copier
            # imports its Jinja extensions when it first renders anything.
            self._refuse_untrusted(worker.template, src, walk=not plain_directory)
            if stack:
                layers.add_sections_loader(worker.jinja_env, stack)
            if shortcuts:
                # Copier copies a file's executable bit into the destination's git index,
                # running `git config` once per file to learn whether git would miss it.
                # scaffold renders only into new directories whose index tracks nothing, where
                # that is a no-op.
                worker.__dict__["_sync_git_index_executable_bit"] = _no_index_to_sync
                # Copier compiles every path part and question string it renders, the same
                # ones many times over ("src", "{{ package_name }}"...): compile each once per
                # template directory, for this run and any later run of it in this process.
                _reuse_compiled_templates(worker.jinja_env, _compiled_for(src))
            worker.run_copy()
        return worker

    def _refuse_untrusted(self, template: Any, src: str, walk: bool) -> None:
        """What Copier is about to render, judged as `scaffold.trust` says: its settings, and
        with `walk` its links (a built-in layer's were judged, with its name, before)."""
        if self.trust:
            return
        root, config = Path(template.local_abspath), template.config_data
        if walk:
            found = trust.examine(root, config, f"template {src}")
        else:
            found = trust.Findings(f"template {src}", code=tuple(trust.code_it_runs(config)))
        trust.refuse([found])


def _copier() -> tuple[Any, Any]:
    """Copier's Worker and Template: a slow import, done only when rendering, and whole. A stop
    request waits for it: pydantic, building Copier's validators, would turn the
    KeyboardInterrupt into an error of its own."""
    with interrupts.held():
        from copier._main import Worker
        from copier._template import Template
    return Worker, Template


@contextlib.contextmanager
def _removed_whole(worker: Any) -> Iterator[None]:
    """Copier's worker as its own context manager, except that a stop request does not cut its
    cleanup short: a git template's clone (in TMPDIR) is removed whole."""
    try:
        yield
    except BaseException as error:
        with interrupts.held():
            worker.__exit__(type(error), error, error.__traceback__)  # re-raises `error`
        raise
    with interrupts.held():
        worker.__exit__(None, None, None)


# Per shared view: Jinja's compiled code for each source it renders, kept for the next render.
_COMPILED: dict[str, dict[tuple[Any, ...], Any]] = {}


def _compiled_for(view: str) -> dict[tuple[Any, ...], Any]:
    return _COMPILED.setdefault(view, {})


def _reuse_compiled_templates(env: Any, compiled: dict[tuple[Any, ...], Any]) -> None:
    """Let a Copier run reuse the code Jinja compiled for an earlier run of the same view.

    Compiling the template's files, paths and question strings is four fifths of a render;
    every run of a batch compiles the same ones in an environment set up the same way (same
    view, same settings), and compiled code takes its environment and values only when it
    runs. The sources are the template's own: a student's answers are values, never compiled.
    """
    compile_source = env.compile

    def compile_once(
        source: str,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        key = (source, name, filename, raw, defer_init)
        if key not in compiled:
            compiled[key] = compile_source(source, name, filename, raw, defer_init)
        return compiled[key]

    env.compile = compile_once


def _no_index_to_sync(dst_relpath: Path, src_mode: int) -> None:
    """Stands in for Copier's index sync (see `RenderJob._copy`)."""


@contextlib.contextmanager
def shared_view(source: TemplateSource) -> Iterator[Path | None]:
    """A built-in template's layers merged into one temporary template (see `scaffold.layers`),
    removed afterwards; None when they cannot be merged, or for a custom template. Give it to
    every RenderJob of a batch as `view`: it is built once instead of once per render."""
    if not isinstance(source, BuiltinTemplate):
        yield None
        return
    try:
        config = layers.merged_config(source.spec.layers)
    except layers.NotMergeable:
        yield None
        return
    with scratch.folder("scaffold-view-") as view:
        yield layers.build_view(source.spec.layers, config, view)


@contextlib.contextmanager
def _validation_messages_that_fit() -> Iterator[None]:
    """While Copier prompts, show a validator's message without Copier's "Validation error for
    question 'x': " prefix: the terminal shows it on one line, where the prefix would push the
    message itself past the edge (the question is on screen right above it anyway)."""
    try:
        _copier()
        from copier._user_data import Question
    except ImportError:
        yield
        return
    original = Question.validate_answer

    def validate_answer(question: Any, answer: Any) -> None:
        try:
            original(question, answer)
        except ValueError as error:
            prefix = f"Validation error for question '{question.var_name}': "
            raise ValueError(str(error).removeprefix(prefix)) from None

    Question.validate_answer = validate_answer
    try:
        yield
    finally:
        Question.validate_answer = original


def _recorded_answers(worker: Any, with_secrets: bool = False) -> dict[str, Any]:
    """The answers of the questions asked (not hidden ones; secret ones only if asked for)."""
    combined = worker.answers.combined
    return {
        key: combined[key]
        for key, details in worker.template.questions_data.items()
        if key in combined
        and key not in worker.answers.hidden
        and (with_secrets or not details.get("secret"))
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
        lines = [line.strip() for line in (error.stderr or "").splitlines() if line.strip()]
        said = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines[-1:]
        return ScaffoldError(
            "Could not fetch the template with git:\n  " + ("\n  ".join(said) or str(error)),
            hint="Check the URL and --vcs-ref, and that this machine can reach that host "
            "(a private repository also needs your git credentials).",
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
