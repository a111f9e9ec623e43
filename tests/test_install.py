"""README's first command: a regular (non-editable) install works from anywhere.

The template set ships inside the wheel, so the installed tool must not need this checkout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, run_scaffold

pytestmark = pytest.mark.slow


def files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


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

    # Every template renders from the wheel exactly as from this checkout: every layer's files,
    # the binary ones (sample arrays, images, data) included, and nothing else.
    catalog = yaml.safe_load((REPO_ROOT / "templates" / "catalog.yml").read_text("utf-8"))
    for name, spec in catalog["specializations"].items():
        if not spec.get("available"):
            continue
        from_wheel, from_checkout = tmp_path / "wheel" / name, tmp_path / "checkout" / name
        command = ["new", "--defaults", "--no-git", "-t", name]
        made = subprocess.run(
            [scaffold, *command, str(from_wheel)], capture_output=True, text=True, check=False
        )
        assert made.returncode == 0, made.stderr
        assert run_scaffold(*command, from_checkout).returncode == 0
        assert files(from_wheel) == files(from_checkout), name
