"""What a template may not do unless the user says `--trust`, found before anything is rendered.

A template (a built-in layer, a fork's layer, a custom template) is refused when it would:

- read a file from outside itself: a symbolic link, to a file or a folder, whose target resolves
  outside the template's directory (each layer is a template of its own). Rendered, its
  target's content (a private key, say) would become a file of the project and of its first
  commit. Links that stay inside the template are followed as Copier follows them.
- run its own code: Jinja extensions (importing one runs it), tasks or migrations.

scaffold reads each template's settings and walks its files itself, because Copier imports a
template's Jinja extensions as soon as its Jinja environment is built, and the merged view of a
stack of layers (`scaffold.layers`) would otherwise copy what a link points to. With `--trust`
nothing is refused here: Copier's own rules apply (it still refuses to copy a file from outside a
template, unless the template keeps links as links with `_preserve_symlinks`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold.errors import ScaffoldError

HINT = (
    "Nothing was rendered. Read the template first; if you trust it, re-run with --trust "
    "(links out of a template then follow Copier's own rules)."
)


@dataclass(frozen=True)
class Findings:
    """What one template would do that needs --trust."""

    label: str  # the template, as the message names it
    links: tuple[tuple[Path, Path], ...] = ()  # (link, inside the template; its target)
    code: tuple[str, ...] = ()  # what of its own code it would run

    def lines(self) -> list[str]:
        return [
            f"{self.label}: {link} links to {target}, outside the template (its content would "
            "be copied into the project)"
            for link, target in self.links
        ] + [f"{self.label}: {code}" for code in self.code]


def examine(root: Path, config: Mapping[str, Any], label: str) -> Findings:
    """The links out of the template at `root` and the code its settings would run. `config`
    is its copier.yml, with or without the leading underscores (Copier strips them)."""
    return Findings(label, tuple(links_leaving(root)), tuple(code_it_runs(config)))


def refuse(findings: Iterable[Findings]) -> None:
    """Raise one refusal naming everything found, if anything was."""
    lines = [line for found in findings for line in found.lines()]
    if lines:
        raise ScaffoldError(
            "Refused without --trust: the template would read files from outside it or run its "
            "own code.\n  " + "\n  ".join(lines),
            hint=HINT,
            exit_code=2,
        )


def links_leaving(root: Path) -> list[tuple[Path, Path]]:
    """Every symbolic link under `root` (its .git aside) whose target resolves outside `root`:
    (the link, relative to `root`; the target it resolves to). A linked folder is judged as a
    link, never entered."""
    top = root.resolve()
    found = []
    for directory, subdirectories, names in os.walk(top):  # does not follow linked folders
        subdirectories[:] = [name for name in subdirectories if name != ".git"]
        for name in (*subdirectories, *names):
            path = Path(directory) / name
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(top):
                    found.append((path.relative_to(top), target))
    return sorted(found)


def code_it_runs(config: Mapping[str, Any]) -> list[str]:
    """What of its own code a template's settings ask Copier to run, in words."""
    settings = {str(key).removeprefix("_"): value for key, value in config.items()}
    found = []
    if settings.get("jinja_extensions"):
        names = ", ".join(map(str, _as_list(settings["jinja_extensions"])))
        found.append(f"Jinja extensions {names} (importing one runs its code)")
    if settings.get("tasks"):
        found.append("tasks (commands run after rendering)")
    if settings.get("migrations"):
        found.append("migrations (commands run when a project is updated)")
    return found


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]
