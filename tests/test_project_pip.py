"""The README's way without uv: `python -m venv .venv`, `pip install -e ".[dev]"`, then the
project's own tests, `make`'s fallback and a training run, all with pip's tools alone.

Slow: pip takes a minute or more where uv takes seconds (see docs/benchmarks.md).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from project_env import PYTEST_ARGS, ProjectEnv, pytest_counts

pytestmark = pytest.mark.slow
PACKAGE = "review_sentiment"


@pytest.fixture(scope="module")
def env(nlp_default: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    project = tmp_path_factory.mktemp("pip") / "review-sentiment"
    shutil.copytree(nlp_default, project, symlinks=True)
    return ProjectEnv.pip(project, PACKAGE, "dev")


def test_pip_install_passes_its_tests_and_trains(env: ProjectEnv) -> None:
    assert (env.venv / "bin" / "pip").is_file() and not (env.project / "uv.lock").exists()
    result = env.run("pytest", *PYTEST_ARGS)  # the activated .venv's pytest, as the README has it
    counts = pytest_counts(result.stdout)
    assert counts.get("passed", 0) >= 15 and not counts.get("failed"), result.stdout

    env.run(PACKAGE, "train")
    metrics = json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["accuracy"] >= 0.80, metrics


def test_makefile_runs_without_uv(env: ProjectEnv) -> None:
    result = env.run("make", "lint", "RUN=")
    assert "uv" not in result.stdout and "ruff check ." in result.stdout
