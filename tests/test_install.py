"""README's first command: a regular (non-editable) install works from anywhere.

The template set ships inside the wheel, so the installed tool must not need this checkout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT

pytestmark = pytest.mark.slow


def test_installed_wheel_renders_from_its_own_templates(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--disable-pip-version-check", str(REPO_ROOT)], check=True, timeout=900)
    scaffold = str(venv / "bin" / "scaffold")
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / "scaffold" / "templates" / "catalog.yml").is_file()

    listed = subprocess.run([scaffold, "list"], cwd=tmp_path, capture_output=True, text=True)
    assert listed.returncode == 0 and "site-packages" in listed.stdout.replace("\n", "")
    made = subprocess.run(
        [scaffold, "new", "proj", "-t", "nlp", "--defaults"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    answers = (tmp_path / "proj" / ".copier-answers.yml").read_text(encoding="utf-8")
    assert "site-packages" not in answers and str(tmp_path) not in answers
    assert (tmp_path / "proj" / "data" / "sample" / "train.csv").is_file()
    # pip byte-compiled the template's plain .py files in the wheel; none of that is rendered.
    assert list((site / "scaffold" / "templates").rglob("*.pyc")), "pip compiled nothing?"
    junk = [
        p for p in (tmp_path / "proj").rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"
    ]
    assert junk == []
