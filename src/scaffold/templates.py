"""The template set: which templates exist, their layers and the set's version.

A template set is a directory holding `catalog.yml` and one Copier template per layer. The
built-in set ships inside the package; `--templates-dir` or `SCAFFOLD_TEMPLATES_DIR` points
scaffold at another copy of it, e.g. a bootcamp's fork.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import _yaml
from scaffold.errors import ScaffoldError

TEMPLATES_DIR_ENV = "SCAFFOLD_TEMPLATES_DIR"
CATALOG_FILE = "catalog.yml"


@dataclass(frozen=True)
class Specialization:
    """One entry of the catalog: what `scaffold new` offers."""

    name: str
    title: str
    description: str
    available: bool
    layers: tuple[Path, ...]
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TemplateSet:
    root: Path
    version: str
    specializations: dict[str, Specialization]

    def get(self, name: str) -> Specialization:
        spec = self.specializations.get(name)
        if spec is None:
            raise ScaffoldError(
                f"Unknown template {name!r}.",
                hint="Built-in templates: "
                + ", ".join(self.available_names())
                + ". A local path or a git URL also works.",
            )
        if not spec.available:
            raise ScaffoldError(
                f"The {spec.title} template is not built yet.",
                hint="Available now: " + ", ".join(self.available_names()) + ".",
            )
        return spec

    def available_names(self) -> list[str]:
        return [name for name, spec in self.specializations.items() if spec.available]


def default_templates_dir() -> Path:
    """The built-in set: inside the installed wheel, or `templates/` of a source checkout."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def resolve_templates_dir(templates_dir: Path | str | None = None) -> Path:
    chosen = templates_dir or os.environ.get(TEMPLATES_DIR_ENV) or default_templates_dir()
    return Path(chosen).expanduser().resolve()


def load_template_set(templates_dir: Path | str | None = None) -> TemplateSet:
    root = resolve_templates_dir(templates_dir)
    catalog_path = root / CATALOG_FILE
    if not catalog_path.is_file():
        raise ScaffoldError(
            f"{root} is not a template set: it has no {CATALOG_FILE}.",
            hint=f"Point --templates-dir or {TEMPLATES_DIR_ENV} at a copy of the built-in set.",
        )
    try:
        catalog = _yaml.safe_load(catalog_path.read_text(encoding="utf-8")) or {}
        base_layers = list(catalog.get("base_layers", []))
        specializations = {
            name: Specialization(
                name=name,
                title=entry["title"],
                description=entry["description"],
                available=bool(entry.get("available", True)),
                # A stack of its own, bottom first; by default the base layers and its name.
                layers=tuple(
                    root / str(layer) for layer in entry.get("layers", [*base_layers, name])
                ),
                data=dict(entry.get("data") or {}),
            )
            for name, entry in (catalog.get("specializations") or {}).items()
        }
        version = str(catalog["version"])
    except (_yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise ScaffoldError(f"{catalog_path} is malformed: {error}") from error
    return TemplateSet(root=root, version=version, specializations=specializations)
