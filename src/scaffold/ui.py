"""What the commands share about talking to the user: the console, the terminal, --data."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold import _yaml
from scaffold.errors import ScaffoldError

if TYPE_CHECKING:
    from rich.console import Console


@functools.cache
def console() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)  # never break a path across lines


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def read_data(pairs: list[str], data_file: Path | None) -> dict[str, Any]:
    """Answers from --data-file (YAML mapping) then --data KEY=VALUE (wins)."""
    data: dict[str, Any] = {}
    if data_file is not None:
        try:
            loaded = _yaml.safe_load(data_file.read_text(encoding="utf-8"))
        except OSError as error:
            raise ScaffoldError(f"Cannot read --data-file {data_file}: {error.strerror}") from error
        except _yaml.YAMLError as error:
            raise ScaffoldError(f"--data-file {data_file} is not valid YAML: {error}") from error
        if loaded is not None and not isinstance(loaded, dict):
            raise ScaffoldError(f"--data-file {data_file} must hold a mapping of KEY: VALUE.")
        data.update({str(key): value for key, value in (loaded or {}).items()})
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ScaffoldError(f"--data {pair!r} is not KEY=VALUE.", hint=_dash_hint(pair))
        data[key.strip()] = value  # Copier converts it to the question's type
    return data


def _dash_hint(value: str) -> str | None:
    """A folder named like `-dash` reads as `-d ash` (`--data ash`): say how to name it."""
    folder = f"-d{value}"
    if not Path(folder).exists():
        return None
    return (
        f"If you meant the folder {folder}, write it ./{folder} (or put -- before it: "
        f"`-- {folder}`): a word starting with - is read as an option."
    )
