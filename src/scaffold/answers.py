"""The project's answers file: which template made it, at which version, with which answers.

Built-in projects record the template's name and the set's version, never a path of the machine
that rendered them, so the file means the same on every clone. Projects made from a custom
template keep Copier's own keys (`_src_path`, `_commit`) so plain `copier update` still works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import _yaml
from scaffold.errors import ScaffoldError

ANSWERS_FILE = ".copier-answers.yml"
HEADER = (
    "# Written by ml-scaffold; `scaffold update` reads it. Change an answer with\n"
    "# `scaffold update --data KEY=VALUE` rather than by hand.\n"
)


@dataclass
class Answers:
    values: dict[str, Any]
    template: str | None = None  # built-in template name
    version: str | None = None  # template set version, for built-ins
    src_path: str | None = None  # custom template: Copier's _src_path
    commit: str | None = None  # custom template: Copier's _commit
    extra: dict[str, Any] = field(default_factory=dict)  # other `_` keys, kept as found

    @property
    def is_builtin(self) -> bool:
        return self.template is not None

    @property
    def what(self) -> str:
        """The template in words: "nlp template" or "template <src>"."""
        return f"{self.template} template" if self.is_builtin else f"template {self.src_path}"

    @property
    def template_label(self) -> str:
        if self.is_builtin:
            return f"{self.template} {self.version}"
        return f"{self.src_path} {self.commit or '(untagged)'}"

    def to_yaml(self) -> str:
        meta: dict[str, Any] = dict(self.extra)
        if self.is_builtin:
            meta.update(_scaffold_template=self.template, _scaffold_version=self.version)
        else:
            meta.update(_commit=self.commit, _src_path=self.src_path)
        meta = {key: value for key, value in meta.items() if value is not None}
        body = _yaml.safe_dump({**dict(sorted(meta.items())), **dict(sorted(self.values.items()))})
        return HEADER + body

    def write(self, project: Path) -> None:
        (project / ANSWERS_FILE).write_text(self.to_yaml(), encoding="utf-8")


def parse_answers(text: str, source: str = ANSWERS_FILE) -> Answers:
    try:
        raw = _yaml.safe_load(text) or {}
    except _yaml.YAMLError as error:
        raise ScaffoldError(f"{source} is not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ScaffoldError(f"{source} should hold a mapping of answers.")
    meta = {key: raw.pop(key) for key in list(raw) if str(key).startswith("_")}
    answers = Answers(
        values=raw,
        template=meta.pop("_scaffold_template", None),
        version=_as_str(meta.pop("_scaffold_version", None)),
        src_path=meta.pop("_src_path", None),
        commit=_as_str(meta.pop("_commit", None)),
        extra=meta,
    )
    if not answers.is_builtin and answers.src_path is None:
        raise ScaffoldError(
            f"{source} names no template (no _scaffold_template or _src_path).",
            hint="Was this project made by `scaffold new` or `copier copy`?",
        )
    return answers


def read_answers(project: Path) -> Answers:
    path = project / ANSWERS_FILE
    if not path.is_file():
        raise ScaffoldError(
            f"{project} has no {ANSWERS_FILE}, so scaffold cannot tell which template made it.",
            hint="Run this in a project made by `scaffold new`, or pass its path.",
            exit_code=2,
        )
    return parse_answers(path.read_text(encoding="utf-8"), str(path))


def _as_str(value: Any) -> str | None:
    return None if value is None else str(value)
