"""The NLP project with every answer changed, installed with the transformer extra.

GitLab CI, no Docker, MLflow tracking, Apache-2.0, a quoted project name; the transformer path
trains offline on a tiny model built from a config. Installed with `uv pip install`, which takes
pip's constraints file (`uv sync` cannot), so torch comes from the machine's local wheel.
Slow: a minute or two.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from project_env import (
    LOCAL_TORCH,
    ProjectEnv,
    assert_suite_passed,
    assert_validators_pass,
    http_json,
)

pytestmark = pytest.mark.slow
PACKAGE = "quote_me"


@pytest.fixture(scope="module")
def env(nlp_custom: Path, tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    project = tmp_path_factory.mktemp("custom") / "quote-me"
    shutil.copytree(nlp_custom, project, symlinks=True)
    return ProjectEnv.uv_pip(project, PACKAGE, (LOCAL_TORCH, "-e", ".[dev,transformer]"))


def test_its_whole_suite_passes_with_no_skips(env: ProjectEnv) -> None:
    assert_suite_passed(env.pytest(), at_least=15)


def test_train_logs_to_mlflow_and_serves(env: ProjectEnv) -> None:
    env.command("train")
    metrics = json.loads((env.project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["accuracy"] >= 0.80
    tracked = [
        p for p in env.project.rglob("*") if "mlruns" in p.parts or p.name.startswith("mlflow")
    ]
    assert tracked, "tracking=mlflow wrote no local MLflow store"
    assert not (env.project / "reports" / "runs.jsonl").exists()
    with env.serving() as url:
        status, body = http_json(
            "POST", f"{url}/predict", {"inputs": ["Loved every minute of it."]}
        )
        assert status == 200 and body["predictions"][0]["label"] == "positive", body


def test_its_code_passes_mypy_with_the_transformer_extra(env: ProjectEnv, mypy_cache: Path) -> None:
    """MLflow's and torch's own types included (the default project has neither)."""
    result = env.mypy(mypy_cache)
    assert "Success: no issues found" in result.stdout, result.stdout


def test_generated_files_pass_their_validators(nlp_custom: Path) -> None:
    assert_validators_pass(nlp_custom)
    assert not (nlp_custom / ".github").exists()  # GitLab CI: no Dependabot, no zizmor hook
    assert "zizmor" not in (nlp_custom / ".pre-commit-config.yaml").read_text(encoding="utf-8")
