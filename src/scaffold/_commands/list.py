"""`scaffold list`: the template set's templates, what they make, and the set's version."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from scaffold.templates import load_template_set


def run(templates_dir: Path | None = None) -> None:
    """Paths and the catalog's words (a fork's own) are shown as written, never as markup."""
    from rich.table import Table
    from rich.text import Text

    template_set = load_template_set(templates_dir)
    table = Table(title=Text(f"Template set {template_set.version} ({template_set.root})"))
    table.add_column("name")
    table.add_column("version")
    table.add_column("description")
    for name, spec in template_set.specializations.items():
        version = template_set.version if spec.available else "coming soon"
        table.add_row(Text(name), Text(version), Text(f"{spec.title}: {spec.description}"))
    Console().print(table)
