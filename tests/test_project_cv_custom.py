"""The computer-vision project with awkward answers: quotes, emoji and Jinja in the project's
words, the longest package name, GitLab CI, no Docker, MLflow tracking, BSD-3-Clause.

It must still install, pass its own tests, train with MLflow, serve, and stay ruff-clean.
Slow: minutes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import CV_AWKWARD_ANSWERS
from project_env import (
    ProjectEnv,
    assert_suite_passed,
    assert_validators_pass,
    http_json,
    predict_images,
)

pytestmark = pytest.mark.slow
PACKAGE = CV_AWKWARD_ANSWERS["package_name"]


@pytest.fixture(scope="module")
def env(cv_awkward: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    project = tmp_path_factory.mktemp("cv-awkward") / "pixel-peeper"
    shutil.copytree(cv_awkward, project, symlinks=True)
    return ProjectEnv.uv_pip(project, PACKAGE, ("-e", ".[dev]"))  # as test_project_cv's


def test_the_answers_reach_the_files(cv_awkward: Path) -> None:
    init = (cv_awkward / "src" / PACKAGE / "__init__.py").read_text(encoding="utf-8")
    assert """TITLE = 'Pixel "Peeper" {{ 7*7 }} 🔍'""" in init  # literally, not rendered
    assert not (cv_awkward / "Dockerfile").exists()
    assert (cv_awkward / ".gitlab-ci.yml").is_file()
    # CI installs with `uv sync`: PyTorch's CPU build comes from pyproject.toml's sources.
    assert "uv sync" in (cv_awkward / ".gitlab-ci.yml").read_text(encoding="utf-8")
    pyproject = (cv_awkward / "pyproject.toml").read_text(encoding="utf-8")
    assert 'url = "https://download.pytorch.org/whl/cpu"' in pyproject
    assert "BSD 3-Clause" in (cv_awkward / "LICENSE").read_text(encoding="utf-8")


def test_its_whole_suite_passes_with_mlflow_tracking(env: ProjectEnv) -> None:
    assert_suite_passed(env.pytest(), at_least=90)


def test_train_logs_to_mlflow_and_serves(env: ProjectEnv) -> None:
    # A short run: the default project's test holds training to its accuracy; this one is about
    # MLflow and the awkward answers. Unlisted keys keep configs/config.yaml's defaults.
    quick = env.project / "configs" / "quick.yaml"
    quick.write_text("train:\n  steps: 60\n  batch_size: 64\n", encoding="utf-8")  # 3 epochs
    env.command("train", "--config", str(quick))
    metrics = json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["training"]["epochs"] == 3 and 0.3 <= metrics["accuracy"] <= 1
    assert (env.project / "mlruns" / "mlflow.db").is_file()
    assert not (env.project / "reports" / "runs.jsonl").exists()
    digit = (env.project / "data" / "examples" / "digit-0.png").read_bytes()
    with env.serving() as url:
        status, body = predict_images(url, digit)
        assert status == 200 and body["predictions"][0]["label"] in {str(d) for d in range(10)}
        assert http_json("GET", f"{url}/health")[1] == {"status": "ok", "model_loaded": True}


def test_generated_files_pass_their_validators(cv_awkward: Path) -> None:
    assert_validators_pass(cv_awkward)
