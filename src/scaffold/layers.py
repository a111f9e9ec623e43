"""A built-in template's layers seen as one Copier template, so they render in one Copier run.

Every Copier run pays a fixed start (configuration, Jinja environment, answers); one run per
layer would make `scaffold new` slower with each layer a specialization stacks. The merged view
is a temporary template: its copier.yml holds the layers' settings and questions in layer order,
its template/ folder every layer's files, as a run in that layer would see them (see
`build_view`: a link is followed only where Copier would follow it).

The view is used only when it renders exactly what one run per layer would: every layer sets the
same file-level settings (suffix, exclusions, Jinja options...), a question asked by two layers
is the same question, and only the last layer has tasks (they run after every file exists).
Otherwise `merged_config` says why not, and the layers render one run each.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
from pathlib import Path
from typing import Any

from scaffold.questions import layer_config

# Never part of a render, whatever installed the template: pip byte-compiles a wheel's .py
# files, and Copier leaves its default exclusions off once `_subdirectory` is set.
JUNK = ("__pycache__", "*.py[co]", ".DS_Store", "~*", ".git")
# A layer's README sections: Markdown (Jinja) files in this folder of its files, included by
# the README of whichever layer renders it, never project files themselves.
SECTIONS = "readme"
_COPIER_FILES = ("copier.yml", "copier.yaml")
_UNSET = object()


class NotMergeable(Exception):
    """The layers' settings differ in a way one Copier run could not honour."""


def merged_config(layers: tuple[Path, ...]) -> dict[str, Any]:
    """The copier.yml of the merged view, or NotMergeable with the reason."""
    configs = [layer_config(layer / "copier.yml") for layer in layers]
    merged: dict[str, Any] = {}
    questions: dict[str, Any] = {}
    for index, config in enumerate(configs):
        for key, value in config.items():
            if key == "_subdirectory":
                _plain_subdirectory(value)
            elif key == "_min_copier_version":
                merged[key] = max(merged.get(key, value), value, key=_version_key)
            elif key == "_tasks":
                if index != len(configs) - 1:
                    raise NotMergeable("a layer below the top one has tasks")
                merged[key] = value
            elif key.startswith("_"):
                if any(other.get(key, _UNSET) != value for other in configs):
                    raise NotMergeable(f"the layers set {key} differently")
                merged[key] = value
            elif questions.setdefault(key, value) != value:
                raise NotMergeable(f"two layers ask {key!r} differently")
    for layer in layers:  # a linked `_subdirectory`: Copier refuses it when it leaves the layer
        if not layer_files_root(layer).resolve().is_relative_to(layer.resolve()):
            raise NotMergeable(f"the files of layer {layer.name} are outside it")
    merged["_subdirectory"] = "template"
    return {**merged, **questions}


def build_view(layers: tuple[Path, ...], config: dict[str, Any], root: Path) -> Path:
    """Write the merged view into `root`, an empty directory the caller removes.

    Each layer's files are copied as Copier would see them in a run of that layer: with
    `_preserve_symlinks` a link stays the same link; otherwise a link to a file or folder of the
    layer is followed (its content copied), and a link that leaves the layer stays a link to its
    target, which Copier refuses as it would in the layer itself. So a link never brings a file
    from outside a layer into a project (`scaffold.trust` refuses such links before this, unless
    --trust).
    """
    from scaffold import _yaml

    (root / "copier.yml").write_text(_yaml.safe_dump(config), encoding="utf-8")
    preserve_links = bool(config.get("_preserve_symlinks"))
    for layer in layers:
        _copy_files(layer_files_root(layer), root / "template", layer.resolve(), preserve_links)
    return root


def render_exclusions() -> list[str]:
    """What a render of a built-in template's layers leaves out: the junk, and the layers'
    README sections (their folder, at the top of a layer's files)."""
    return [*JUNK, f"/{SECTIONS}"]


def add_sections_loader(env: Any, stack: tuple[Path, ...]) -> None:
    """Let the templates Copier renders with `env` include `readme/NAME`, the README section
    NAME of the topmost layer of `stack` that has one, in a merged view or in one layer's run
    alike. The files are the layers' own, judged by `scaffold.trust` with the rest."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    roots = [str(layer_files_root(layer)) for layer in reversed(stack)]
    env.loader = ChoiceLoader([env.loader, FileSystemLoader(roots, followlinks=False)])


def layer_files_root(layer: Path) -> Path:
    subdirectory = layer_config(layer / "copier.yml").get("_subdirectory") or ""
    return layer / str(subdirectory)


def is_junk(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in JUNK)


def _copy_files(
    source: Path,
    target: Path,
    layer: Path,
    preserve_links: bool,
    top: bool = True,
    ancestors: frozenset[Path] = frozenset(),
) -> None:
    """Copy the files under `source` into `target` (see `build_view` for links); `layer` is the
    resolved layer directory, `ancestors` the folders being copied around this one."""
    target.mkdir(parents=True, exist_ok=True)
    ancestors = ancestors | {source.resolve()}
    with os.scandir(source) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    for entry in entries:
        if is_junk(entry.name) or (top and entry.name in _COPIER_FILES):
            continue
        path, copy = Path(entry.path), target / entry.name
        if entry.is_symlink():
            resolved = path.resolve()
            if preserve_links:
                os.symlink(os.readlink(path), copy)
            elif not resolved.is_relative_to(layer) or not resolved.exists():
                os.symlink(resolved, copy)  # for Copier to judge: it refuses a link out
            elif resolved.is_dir() and resolved in ancestors:
                os.symlink(resolved, copy)  # a loop, which Copier cannot follow either
            elif resolved.is_dir():
                _copy_files(resolved, copy, layer, preserve_links, False, ancestors)
            else:
                shutil.copy(resolved, copy)  # keeps the mode
        elif entry.is_dir():
            _copy_files(path, copy, layer, preserve_links, False, ancestors)
        else:
            shutil.copy(path, copy)


def _plain_subdirectory(value: Any) -> None:
    if not isinstance(value, str) or "{" in value:
        raise NotMergeable("a layer's _subdirectory is computed from answers")


def _version_key(version: Any) -> Any:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(str(version))
    except InvalidVersion:
        return Version("0")
