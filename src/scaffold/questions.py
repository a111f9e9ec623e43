"""The questions a template asks, and the answers given up front (`--data`, `--data-file`).

Answers are checked before anything is rendered: a key the template does not ask, or a value its
question's type does not take (`docker=maybe`), is refused with the question's own words, where
Copier would cast it (any word but "no" is a yes) or fail deep inside the render.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from scaffold import _yaml
from scaffold.errors import ScaffoldError

Questions = dict[str, dict[str, Any]]

_YES = {"y", "yes", "t", "true", "on", "1"}
_NO = {"n", "no", "f", "false", "off", "0"}


@functools.cache
def layer_config(config_path: Path) -> dict[str, Any]:
    """A layer's whole copier.yml: settings (`_` keys) and questions, in file order."""
    where = f"The template layer {config_path.parent.name!r} ({config_path})"
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = "does not exist" if not config_path.parent.is_dir() else "has no copier.yml"
        raise ScaffoldError(
            f"{where} {problem}.",
            hint="The template set is incomplete: restore the layer, or fix catalog.yml.",
            exit_code=2,
        ) from None
    except OSError as error:
        raise ScaffoldError(f"{where} cannot be read: {error.strerror}.", exit_code=2) from error
    try:
        config = _yaml.safe_load(text) or {}
    except _yaml.YAMLError as error:
        raise ScaffoldError(
            f"{config_path} is not valid YAML: {error}",
            hint="The template set is broken: fix that file (or tell its authors).",
            exit_code=2,
        ) from error
    if not isinstance(config, dict):
        raise ScaffoldError(f"{config_path} should hold a mapping of questions.", exit_code=2)
    return {str(key): value for key, value in config.items()}


def layer_questions(config_path: Path) -> Questions:
    """The questions a layer's copier.yml asks (not the ones never asked: `when: false`)."""
    questions = {}
    for key, details in layer_config(config_path).items():
        details = details if isinstance(details, dict) else {"default": details}
        if not str(key).startswith("_") and details.get("when") is not False:
            questions[str(key)] = details
    return questions


def check_answers(data: dict[str, Any], questions: Questions, label: str) -> None:
    """Refuse answers to questions the template does not ask, and values it cannot take."""
    unknown = sorted(set(data) - set(questions))
    if unknown:
        raise ScaffoldError(
            f"The {label} does not ask {', '.join(map(repr, unknown))}.",
            hint="Questions it asks: " + ", ".join(sorted(questions)) + ".",
        )
    for key, value in data.items():
        problem = _value_problem(value, questions[key])
        if problem:
            help_text = questions[key].get("help")
            about = f" ({str(help_text).strip()})" if help_text else ""
            raise ScaffoldError(f"{key}={_shown(value)} is refused{about}: {problem}.")


def _value_problem(value: Any, question: dict[str, Any]) -> str | None:
    kind = str(question.get("type") or _type_of(question.get("default")))
    if kind == "bool":
        if isinstance(value, bool) or str(value).strip().lower() in _YES | _NO:
            return None
        return "it is a yes/no question: give true or false"
    if kind in ("int", "float"):
        try:
            (int if kind == "int" else float)(value)
        except (TypeError, ValueError):
            return "give a whole number" if kind == "int" else "give a number"
        return None
    if kind in ("yaml", "json") and isinstance(value, str):
        try:
            _yaml.safe_load(value) if kind == "yaml" else json.loads(value)
        except (ValueError, _yaml.YAMLError):
            return f"it is not valid {kind.upper()}"
    choices = question.get("choices")
    if isinstance(choices, (list, dict)) and not question.get("multiselect"):
        values = _choice_values(choices)
        if str(value) not in {str(choice) for choice in values}:
            return "choose one of " + ", ".join(str(choice) for choice in values)
    return None


def _choice_values(choices: list[Any] | dict[str, Any]) -> list[Any]:
    """Copier's choices: a list of values, a list of [title, value] pairs, or {title: value}."""
    if isinstance(choices, dict):
        return [v.get("value") if isinstance(v, dict) else v for v in choices.values()]
    return [c[1] if isinstance(c, (list, tuple)) and len(c) == 2 else c for c in choices]


def _type_of(default: Any) -> str:
    """Copier's type for a question without `type:`, from its default."""
    for python_type, name in ((bool, "bool"), (int, "int"), (float, "float")):
        if isinstance(default, python_type):
            return name
    return "str" if default is None or isinstance(default, str) else "yaml"


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)
