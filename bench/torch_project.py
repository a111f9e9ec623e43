"""What the image benches share: a project rendered with defaults and installed once, with the
machine's CPU wheel of PyTorch, and a timed command that stops the bench if it fails."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
LOCAL_TORCH = "torch==2.13.0"  # the machine's CPU wheel (pip's find-links)


def installed(template: str, project: Path, venv: Path) -> dict[str, str]:
    """`scaffold new PROJECT -t TEMPLATE --defaults` and a venv with torch and the project's dev
    extra, each unless it is there already (a kept work directory); the commands' environment."""
    if not project.exists():
        subprocess.run(
            [BIN / "scaffold", "new", project, "-t", template, "--defaults", "--no-git"],
            check=True,
            capture_output=True,
        )
    if not venv.exists():
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        pip = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, LOCAL_TORCH], check=True)
        subprocess.run([*pip, "-e", f"{project}[dev]"], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "OMP_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python caches what it compiles
    env["MPLBACKEND"] = "Agg"
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    """Seconds `command` took, and its output."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout
